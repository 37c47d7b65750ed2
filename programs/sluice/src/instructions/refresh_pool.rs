use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::{transfer_from_pool, VaultBooks};
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
    pub pool: AccountLoader<'info, Pool>,
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
pub fn refresh_pool(ctx: Context<RefreshPool>) -> Result<()> {
    let a = ctx.accounts;
    let pool_key = a.pool.key();
    let books = VaultBooks::before(&a.vault, &*a.pool.load()?)?;
    let (accrual, index, sweep, signer) = {
        let mut pool = a.pool.load_mut()?;
        let accrual = pool.accrue(Clock::get()?.unix_timestamp)?;
        let sweep = pool.take_insurance_sweep();
        (accrual, pool.borrow_index.get(), sweep, pool.signer())
    };
    if let Some(acc) = accrual {
        emit!(InterestAccrued {
            pool: pool_key,
            borrow_index: index,
            interest: acc.interest,
            to_insurance: acc.to_insurance,
            elapsed_secs: acc.elapsed,
        });
    }
    if sweep > 0 {
        transfer_from_pool(
            &a.token_program,
            &a.vault,
            &a.insurance_vault,
            &a.pool.to_account_info(),
            &signer,
            sweep,
        )?;
        books.check(&a.vault.to_account_info(), &*a.pool.load()?)?;
        a.insurance.record_funding(sweep)?;
        emit!(InsuranceFunded {
            pool: pool_key,
            insurance: a.insurance.key(),
            amount: sweep
        });
    }
    Ok(())
}
