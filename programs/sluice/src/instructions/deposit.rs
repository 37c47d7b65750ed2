use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use super::common::{mint_shares, transfer_from_user};
use crate::constants::PAUSE_DEPOSITS;
use crate::errors::SluiceError;
use crate::events::Deposited;
use crate::math::fixed::checked_add;
use crate::math::shares::shares_for_deposit;
use crate::state::{Market, Pool};

#[derive(Accounts)]
pub struct Deposit<'info> {
    pub owner: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        has_one = vault @ SluiceError::VaultMismatch,
        has_one = share_mint @ SluiceError::ShareMintMismatch,
    )]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// The lender's tokens.
    #[account(mut, constraint = source.mint == pool.mint @ SluiceError::MintMismatch)]
    pub source: Box<Account<'info, TokenAccount>>,
    /// Receives the share tokens.
    #[account(mut, constraint = shares_destination.mint == share_mint.key() @ SluiceError::MintMismatch)]
    pub shares_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Lends `amount` to the pool for share tokens (rounded down).
pub fn handler(ctx: Context<Deposit>, amount: u64) -> Result<()> {
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_DEPOSITS)?;
    require!(amount > 0, SluiceError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    a.pool.accrue(now)?;

    let held = checked_add(a.pool.total_held()?, amount.into())?;
    require!(
        held <= u128::from(a.pool.params.deposit_cap),
        SluiceError::DepositCapExceeded
    );
    let shares = shares_for_deposit(amount, a.pool.total_supply_assets()?, a.pool.total_shares)?;
    require!(shares > 0, SluiceError::DepositTooSmall);

    transfer_from_user(&a.token_program, &a.source, &a.vault, &a.owner, amount)?;
    mint_shares(
        &a.token_program,
        &a.share_mint,
        &a.shares_destination,
        &a.pool,
        shares,
    )?;

    let pool = &mut a.pool;
    pool.available_liquidity = pool
        .available_liquidity
        .checked_add(amount)
        .ok_or(SluiceError::MathOverflow)?;
    pool.total_shares = pool
        .total_shares
        .checked_add(shares)
        .ok_or(SluiceError::MathOverflow)?;
    emit!(Deposited {
        pool: pool.key(),
        owner: a.owner.key(),
        amount,
        shares
    });
    Ok(())
}
