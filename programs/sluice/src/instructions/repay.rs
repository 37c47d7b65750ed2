use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::transfer_from_user;
use crate::errors::SluiceError;
use crate::events::Repaid;
use crate::math::fixed::{checked_sub, to_u64};
use crate::math::shares::{debt_amount, scaled_debt_for_repay};
use crate::math::Rounding;
use crate::state::{Market, Pool, Position};

#[derive(Accounts)]
pub struct Repay<'info> {
    /// Anyone may repay a position's debt.
    pub payer: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        has_one = vault @ SluiceError::VaultMismatch,
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = source.mint == pool.mint @ SluiceError::MintMismatch)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Repays up to `amount`; more than is owed is clipped to the debt, so
/// `u64::MAX` repays everything. Repayment is never paused.
pub fn handler(ctx: Context<Repay>, amount: u64) -> Result<()> {
    let a = ctx.accounts;
    require!(amount > 0, SluiceError::ZeroAmount);
    a.pool.accrue(Clock::get()?.unix_timestamp)?;
    let pool_key = a.pool.key();
    let index = a.pool.borrow_index;
    let i = a
        .position
        .debt_index(&pool_key)
        .ok_or(SluiceError::NothingToRepay)?;
    let scaled = a.position.debts[i].scaled_debt;
    require!(scaled > 0, SluiceError::NothingToRepay);

    let owed = to_u64(debt_amount(scaled, index, Rounding::Up)?)?;
    let (paid, retired) = if amount >= owed {
        (owed, scaled)
    } else {
        (amount, scaled_debt_for_repay(amount, index)?.min(scaled))
    };
    require!(retired > 0, SluiceError::RepayTooSmall);

    a.position.debts[i].scaled_debt = checked_sub(scaled, retired)?;
    a.position.compact();
    let pool = &mut a.pool;
    pool.total_scaled_debt = checked_sub(pool.total_scaled_debt, retired)?;
    pool.available_liquidity = pool
        .available_liquidity
        .checked_add(paid)
        .ok_or(SluiceError::MathOverflow)?;

    transfer_from_user(&a.token_program, &a.source, &a.vault, &a.payer, paid)?;
    emit!(Repaid {
        position: a.position.key(),
        pool: pool_key,
        payer: a.payer.key(),
        amount: paid,
        scaled_debt_retired: retired,
    });
    Ok(())
}
