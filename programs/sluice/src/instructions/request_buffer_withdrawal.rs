//! request_buffer_withdrawal (stake owner): asks for `shares` to leave after
//! the buffer's cooldown. Until then they keep backing absorbs and bear
//! their losses: a depositor who sees a loss coming cannot step aside.
use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::BufferWithdrawalRequested;
use crate::state::{BufferPool, BufferStake};

#[derive(Accounts)]
pub struct RequestBufferWithdrawal<'info> {
    pub owner: Signer<'info>,
    pub buffer: Box<Account<'info, BufferPool>>,
    #[account(
        mut,
        has_one = buffer @ SluiceError::BufferMismatch,
        has_one = owner @ SluiceError::Unauthorized,
    )]
    pub stake: Box<Account<'info, BufferStake>>,
}

pub fn request_buffer_withdrawal(ctx: Context<RequestBufferWithdrawal>, shares: u64) -> Result<()> {
    let a = ctx.accounts;
    let slot = Clock::get()?.slot;
    BufferPool::request_withdrawal(&mut a.stake, shares, slot)?;
    emit!(BufferWithdrawalRequested {
        buffer: a.buffer.key(),
        owner: a.owner.key(),
        shares,
        ready_slot: slot.saturating_add(a.buffer.params.withdrawal_cooldown_slots.into()),
    });
    Ok(())
}
