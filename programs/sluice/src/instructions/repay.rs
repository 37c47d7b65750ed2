use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::{transfer_from_user, VaultBooks};
use crate::errors::SluiceError;
use crate::events::{EventHeader, Repaid};
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
    pub pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = source.mint == pool.load()?.mint @ SluiceError::MintMismatch)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Repays up to `amount`; more than is owed is clipped to the debt, so
/// `u64::MAX` repays everything. Repayment is never paused.
pub fn repay(ctx: Context<Repay>, amount: u64) -> Result<()> {
    let a = ctx.accounts;
    require!(amount > 0, SluiceError::ZeroAmount);
    let books = VaultBooks::before(&a.vault, &*a.pool.load()?)?;
    let pool_key = a.pool.key();
    let r = {
        let mut pool = a.pool.load_mut()?;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        a.position.retire_debt(&pool_key, &mut pool, amount, true)?
    };
    transfer_from_user(&a.token_program, &a.source, &a.vault, &a.payer, r.paid)?;
    books.check(&a.vault.to_account_info(), &*a.pool.load()?)?;
    emit!(Repaid {
        header: EventHeader::new(a.position.market, a.position.key(), a.payer.key()),
        pool: pool_key,
        amount: r.paid,
        scaled_debt_retired: r.retired,
    });
    Ok(())
}
