//! buffer_deposit (anyone): puts debt tokens into a buffer pool. The deposit
//! waits `activation_delay_slots` before it becomes shares
//! (`activate_buffer_stake`), at the higher of the share price now and then:
//! a deposit placed right before an absorb cannot capture its discount.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::BufferDeposited;
use crate::instructions::common::{buffer_entry_ratio, transfer_from_user, VaultBooks};
use crate::state::{BufferPool, BufferStake, Market, Pool};

#[derive(Accounts)]
pub struct BufferDeposit<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        has_one = market @ SluiceError::BufferMismatch,
        has_one = collateral_pool @ SluiceError::BufferMismatch,
        has_one = debt_pool @ SluiceError::BufferMismatch,
        has_one = debt_vault @ SluiceError::BufferMismatch,
    )]
    pub buffer: Box<Account<'info, BufferPool>>,
    #[account(
        init_if_needed, payer = owner, space = 8 + BufferStake::INIT_SPACE,
        seeds = [BUFFER_STAKE_SEED, buffer.key().as_ref(), owner.key().as_ref()], bump
    )]
    pub stake: Box<Account<'info, BufferStake>>,
    pub collateral_pool: AccountLoader<'info, Pool>,
    pub debt_pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = source.mint == debt_pool.load()?.mint @ SluiceError::MintMismatch)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn buffer_deposit(ctx: Context<BufferDeposit>, amount: u64) -> Result<()> {
    let stake_bump = ctx.bumps.stake;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_DEPOSITS)?;
    let slot = Clock::get()?.slot;
    let books = VaultBooks::before_expected(&a.debt_vault, a.buffer.expected_debt_vault()?.into())?;
    if a.stake.version == 0 {
        a.stake.init(stake_bump, a.buffer.key(), a.owner.key());
    }
    let ratio = buffer_entry_ratio(
        &*a.collateral_pool.load()?,
        &*a.debt_pool.load()?,
        a.buffer.collateral_balance,
        slot,
    )?;
    let price = a.buffer.share_price_wad(ratio)?;
    a.buffer.deposit(&mut a.stake, amount, slot, price)?;
    transfer_from_user(&a.token_program, &a.source, &a.debt_vault, &a.owner, amount)?;
    books.check_expected(
        &a.debt_vault.to_account_info(),
        a.buffer.expected_debt_vault()?.into(),
    )?;
    emit!(BufferDeposited {
        buffer: a.buffer.key(),
        owner: a.owner.key(),
        amount,
        price_wad: a.stake.pending_price_wad,
        active_from_slot: slot.saturating_add(a.buffer.params.activation_delay_slots.into()),
    });
    Ok(())
}
