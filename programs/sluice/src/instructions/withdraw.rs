use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use super::common::{burn_shares, transfer_from_pool, VaultBooks};
use crate::constants::PAUSE_WITHDRAWALS;
use crate::errors::SluiceError;
use crate::events::Withdrawn;
use crate::state::{Market, Pool};

#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub owner: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        has_one = vault @ SluiceError::VaultMismatch,
        has_one = share_mint @ SluiceError::ShareMintMismatch,
    )]
    pub pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// The lender's share tokens, burned.
    #[account(mut, constraint = shares_source.mint == share_mint.key() @ SluiceError::MintMismatch)]
    pub shares_source: Box<Account<'info, TokenAccount>>,
    /// Receives the underlying tokens.
    #[account(mut, constraint = destination.mint == pool.load()?.mint @ SluiceError::MintMismatch)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Burns `shares` for their value in tokens (rounded down).
pub fn withdraw(ctx: Context<Withdraw>, shares: u64) -> Result<()> {
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_WITHDRAWALS)?;
    require!(shares > 0, SluiceError::ZeroAmount);
    require!(
        a.shares_source.amount >= shares,
        SluiceError::InsufficientShares
    );
    let now = Clock::get()?.unix_timestamp;
    let books = VaultBooks::before(&a.vault, &*a.pool.load()?)?;
    let (amount, signer) = {
        let mut pool = a.pool.load_mut()?;
        pool.accrue(now)?;
        (pool.redeem(shares)?, pool.signer())
    };
    burn_shares(
        &a.token_program,
        &a.share_mint,
        &a.shares_source,
        &a.owner,
        shares,
    )?;
    transfer_from_pool(
        &a.token_program,
        &a.vault,
        &a.destination,
        &a.pool.to_account_info(),
        &signer,
        amount,
    )?;
    books.check(&a.vault.to_account_info(), &*a.pool.load()?)?;
    emit!(Withdrawn {
        pool: a.pool.key(),
        owner: a.owner.key(),
        amount,
        shares
    });
    Ok(())
}
