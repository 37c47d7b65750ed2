use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::{require_initial_health, transfer_from_pool};
use crate::constants::PAUSE_WITHDRAWALS;
use crate::errors::SluiceError;
use crate::events::CollateralWithdrawn;
use crate::state::{Market, Pool, Position};

#[derive(Accounts)]
pub struct WithdrawCollateral<'info> {
    pub owner: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        has_one = owner @ SluiceError::NotPositionOwner,
        has_one = market @ SluiceError::PoolMarketMismatch,
    )]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        has_one = vault @ SluiceError::VaultMismatch,
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = destination.mint == pool.mint @ SluiceError::MintMismatch)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    // remaining accounts: every other pool the position uses, each refreshed this slot.
}

/// Returns `amount` of collateral; with debt outstanding the position must
/// stay within its LTV at conservative prices.
pub fn handler<'info>(ctx: Context<'info, WithdrawCollateral<'info>>, amount: u64) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_WITHDRAWALS)?;
    require!(amount > 0, SluiceError::ZeroAmount);
    let clock = Clock::get()?;
    a.pool.accrue(clock.unix_timestamp)?;

    let pool_key = a.pool.key();
    let i = a
        .position
        .collateral_index(&pool_key)
        .ok_or(SluiceError::InsufficientCollateral)?;
    let entry = &mut a.position.collateral[i];
    entry.amount = entry
        .amount
        .checked_sub(amount)
        .ok_or(SluiceError::InsufficientCollateral)?;
    a.pool.total_collateral = a
        .pool
        .total_collateral
        .checked_sub(amount)
        .ok_or(SluiceError::MathOverflow)?;
    a.position.compact();

    let health_factor_wad = if a.position.has_debt() {
        require_initial_health(&a.position, &[(pool_key, &a.pool)], remaining, clock.slot)?
            .factor_wad()
    } else {
        u128::MAX
    };

    transfer_from_pool(&a.token_program, &a.vault, &a.destination, &a.pool, amount)?;
    emit!(CollateralWithdrawn {
        position: a.position.key(),
        pool: pool_key,
        amount,
        health_factor_wad
    });
    Ok(())
}
