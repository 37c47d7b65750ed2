use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::{require_initial_health, transfer_from_pool};
use crate::constants::PAUSE_BORROWS;
use crate::errors::SluiceError;
use crate::events::Borrowed;
use crate::math::fixed::checked_add;
use crate::math::shares::scaled_debt_for_borrow;
use crate::math::Rounding;
use crate::state::{Market, Pool, Position};

#[derive(Accounts)]
pub struct Borrow<'info> {
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

/// Borrows `amount` from the pool; the position must stay within its LTV at
/// conservative prices (collateral at min(spot, TWAP), debt at max).
pub fn handler<'info>(ctx: Context<'info, Borrow<'info>>, amount: u64) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_BORROWS)?;
    require!(amount > 0, SluiceError::ZeroAmount);
    let clock = Clock::get()?;
    a.pool.accrue(clock.unix_timestamp)?;
    require!(
        amount <= a.pool.available_liquidity,
        SluiceError::InsufficientLiquidity
    );
    let debt_after = checked_add(a.pool.total_debt(Rounding::Up)?, amount.into())?;
    require!(
        debt_after <= u128::from(a.pool.params.borrow_cap),
        SluiceError::BorrowCapExceeded
    );

    let pool_key = a.pool.key();
    let scaled = scaled_debt_for_borrow(amount, a.pool.borrow_index)?;
    let entry = a.position.debt_entry_mut(&pool_key)?;
    entry.scaled_debt = checked_add(entry.scaled_debt, scaled)?;
    let pool = &mut a.pool;
    pool.total_scaled_debt = checked_add(pool.total_scaled_debt, scaled)?;
    pool.available_liquidity -= amount; // checked above

    let health =
        require_initial_health(&a.position, &[(pool_key, &a.pool)], remaining, clock.slot)?;
    transfer_from_pool(&a.token_program, &a.vault, &a.destination, &a.pool, amount)?;
    emit!(Borrowed {
        position: a.position.key(),
        pool: pool_key,
        amount,
        scaled_debt: scaled,
        health_factor_wad: health.factor_wad(),
    });
    Ok(())
}
