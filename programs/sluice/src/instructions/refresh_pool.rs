use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::transfer_from_pool;
use crate::errors::SluiceError;
use crate::events::{InsuranceFunded, InterestAccrued};
use crate::state::{InsuranceBuffer, Pool};

#[derive(Accounts)]
pub struct RefreshPool<'info> {
    #[account(
        mut,
        has_one = vault @ SluiceError::VaultMismatch,
        has_one = insurance @ SluiceError::InsuranceMismatch,
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        has_one = pool @ SluiceError::InsuranceMismatch,
        constraint = insurance.vault == insurance_vault.key() @ SluiceError::InsuranceMismatch,
    )]
    pub insurance: Box<Account<'info, InsuranceBuffer>>,
    #[account(mut)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Permissionless: accrues interest and sweeps the insurance buffer's share
/// of it, as far as unborrowed liquidity allows, into the buffer's vault.
pub fn handler(ctx: Context<RefreshPool>) -> Result<()> {
    let a = ctx.accounts;
    let pool_key = a.pool.key();
    if let Some(acc) = a.pool.accrue(Clock::get()?.unix_timestamp)? {
        emit!(InterestAccrued {
            pool: pool_key,
            borrow_index: a.pool.borrow_index,
            interest: acc.interest,
            to_insurance: acc.to_insurance,
            elapsed_secs: acc.elapsed,
        });
    }
    let sweep = a.pool.pending_insurance.min(a.pool.available_liquidity);
    if sweep > 0 {
        transfer_from_pool(
            &a.token_program,
            &a.vault,
            &a.insurance_vault,
            &a.pool,
            sweep,
        )?;
        a.pool.pending_insurance -= sweep;
        a.pool.available_liquidity -= sweep;
        a.insurance.total_funded = a
            .insurance
            .total_funded
            .checked_add(sweep)
            .ok_or(SluiceError::MathOverflow)?;
        emit!(InsuranceFunded {
            pool: pool_key,
            insurance: a.insurance.key(),
            amount: sweep
        });
    }
    Ok(())
}
