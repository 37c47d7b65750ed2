use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use super::common::{mint_shares, transfer_from_user, VaultBooks};
use crate::constants::PAUSE_DEPOSITS;
use crate::errors::SluiceError;
use crate::events::Deposited;
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
    pub pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// The lender's tokens.
    #[account(mut, constraint = source.mint == pool.load()?.mint @ SluiceError::MintMismatch)]
    pub source: Box<Account<'info, TokenAccount>>,
    /// Receives the share tokens.
    #[account(mut, constraint = shares_destination.mint == share_mint.key() @ SluiceError::MintMismatch)]
    pub shares_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Lends `amount` to the pool for share tokens (rounded down).
pub fn deposit(ctx: Context<Deposit>, amount: u64) -> Result<()> {
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_DEPOSITS)?;
    require!(amount > 0, SluiceError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let books = VaultBooks::before(&a.vault, &*a.pool.load()?)?;
    let (shares, signer) = {
        let mut pool = a.pool.load_mut()?;
        pool.accrue(now)?;
        let shares = pool.supply(amount)?;
        (shares, pool.signer())
    };

    transfer_from_user(&a.token_program, &a.source, &a.vault, &a.owner, amount)?;
    mint_shares(
        &a.token_program,
        &a.share_mint,
        &a.shares_destination,
        &a.pool.to_account_info(),
        &signer,
        shares,
    )?;
    books.check(&a.vault.to_account_info(), &*a.pool.load()?)?;
    emit!(Deposited {
        pool: a.pool.key(),
        owner: a.owner.key(),
        amount,
        shares
    });
    Ok(())
}
