//! buffer_withdraw (stake owner): after the cooldown, pays the requested
//! shares out pro rata in kind: debt tokens and absorbed collateral, each
//! rounded down. No price is needed to leave.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::BufferWithdrawn;
use crate::instructions::common::{transfer_from_buffer, BufferBooks, BufferSigner};
use crate::state::{BufferPool, BufferStake, Market};

#[derive(Accounts)]
pub struct BufferWithdraw<'info> {
    pub owner: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        has_one = market @ SluiceError::BufferMismatch,
        has_one = debt_vault @ SluiceError::BufferMismatch,
        has_one = collateral_vault @ SluiceError::BufferMismatch,
    )]
    pub buffer: Box<Account<'info, BufferPool>>,
    #[account(
        mut,
        has_one = buffer @ SluiceError::BufferMismatch,
        has_one = owner @ SluiceError::Unauthorized,
    )]
    pub stake: Box<Account<'info, BufferStake>>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = debt_destination.mint == debt_vault.mint @ SluiceError::MintMismatch)]
    pub debt_destination: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = collateral_destination.mint == collateral_vault.mint @ SluiceError::MintMismatch)]
    pub collateral_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn buffer_withdraw(ctx: Context<BufferWithdraw>) -> Result<()> {
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_WITHDRAWALS)?;
    let slot = Clock::get()?.slot;
    let books = BufferBooks::before(&a.buffer, &a.debt_vault, &a.collateral_vault)?;
    let out = a.buffer.withdraw(&mut a.stake, slot)?;
    let signer = BufferSigner::of(&a.buffer);
    let buffer_info = a.buffer.to_account_info();
    transfer_from_buffer(
        &a.token_program,
        &a.debt_vault,
        &a.debt_destination,
        &buffer_info,
        &signer,
        out.debt,
    )?;
    transfer_from_buffer(
        &a.token_program,
        &a.collateral_vault,
        &a.collateral_destination,
        &buffer_info,
        &signer,
        out.collateral,
    )?;
    books.check(
        &a.buffer,
        &a.debt_vault.to_account_info(),
        &a.collateral_vault.to_account_info(),
    )?;
    emit!(BufferWithdrawn {
        buffer: a.buffer.key(),
        owner: a.owner.key(),
        shares: out.shares,
        debt: out.debt,
        collateral: out.collateral,
    });
    Ok(())
}
