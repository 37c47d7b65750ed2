//! settle_bad_debt (anyone): a position with debt in `debt_pool` but no
//! collateral left anywhere (and no auction that could return some) is
//! written off: the insurance buffer pays first, lenders absorb the rest.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::SluiceError;
use crate::instructions::common::cover_bad_debt;
use crate::math::fixed::to_u64;
use crate::math::shares::debt_amount;
use crate::math::Rounding;
use crate::state::{InsuranceBuffer, Market, Pool, Position};

#[derive(Accounts)]
pub struct SettleBadDebt<'info> {
    pub keeper: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        has_one = insurance @ SluiceError::InsuranceMismatch,
        constraint = debt_pool.vault == debt_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub debt_pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = insurance.vault == insurance_vault.key() @ SluiceError::InsuranceMismatch,
    )]
    pub insurance: Box<Account<'info, InsuranceBuffer>>,
    #[account(mut)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<SettleBadDebt>) -> Result<()> {
    let a = ctx.accounts;
    require!(
        !a.position.has_collateral(),
        SluiceError::PositionHasCollateral
    );
    require!(a.position.open_auctions == 0, SluiceError::AuctionsPending);
    a.debt_pool.accrue(Clock::get()?.unix_timestamp)?;
    let key = a.debt_pool.key();
    let i = a
        .position
        .debt_index(&key)
        .filter(|&i| a.position.debts[i].scaled_debt > 0)
        .ok_or(SluiceError::NoDebtInPool)?;
    let scaled = a.position.debts[i].scaled_debt;
    let owed = to_u64(debt_amount(scaled, a.debt_pool.borrow_index, Rounding::Up)?)?;
    a.position.debts[i].scaled_debt = 0;
    a.position.compact();
    a.debt_pool.total_scaled_debt = a
        .debt_pool
        .total_scaled_debt
        .checked_sub(scaled)
        .ok_or(SluiceError::MathOverflow)?;
    let position = a.position.key();
    cover_bad_debt(
        &a.token_program,
        &mut a.debt_pool,
        &a.debt_vault,
        &mut a.insurance,
        &a.insurance_vault,
        position,
        owed,
    )?;
    Ok(())
}
