//! activate_buffer_stake (anyone, e.g. a keeper): turns a stake's deposit
//! into shares once its activation delay has passed, at the higher of the
//! share price when it was deposited and now.
use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::BufferStakeActivated;
use crate::instructions::common::buffer_entry_ratio;
use crate::state::{BufferPool, BufferStake, Pool};

#[derive(Accounts)]
pub struct ActivateBufferStake<'info> {
    #[account(
        mut,
        has_one = collateral_pool @ SluiceError::BufferMismatch,
        has_one = debt_pool @ SluiceError::BufferMismatch,
    )]
    pub buffer: Box<Account<'info, BufferPool>>,
    #[account(mut, has_one = buffer @ SluiceError::BufferMismatch)]
    pub stake: Box<Account<'info, BufferStake>>,
    pub collateral_pool: AccountLoader<'info, Pool>,
    pub debt_pool: AccountLoader<'info, Pool>,
}

pub fn activate_buffer_stake(ctx: Context<ActivateBufferStake>) -> Result<()> {
    let a = ctx.accounts;
    let slot = Clock::get()?.slot;
    let ratio = buffer_entry_ratio(
        &*a.collateral_pool.load()?,
        &*a.debt_pool.load()?,
        a.buffer.collateral_balance,
        slot,
    )?;
    let price = a.buffer.share_price_wad(ratio)?;
    let (amount, shares) = a.buffer.activate(&mut a.stake, slot, price)?;
    emit!(BufferStakeActivated {
        buffer: a.buffer.key(),
        owner: a.stake.owner,
        amount,
        shares,
    });
    Ok(())
}
