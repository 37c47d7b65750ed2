use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::{transfer_from_pool, VaultBooks};
use crate::constants::PAUSE_BORROWS;
use crate::errors::SluiceError;
use crate::events::{Borrowed, EventHeader};
use crate::health::HealthCache;
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
    pub pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = destination.mint == pool.load()?.mint @ SluiceError::MintMismatch)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    // remaining accounts: every other pool the position uses, each refreshed this slot.
}

/// Borrows `amount` from the pool; the position must stay within its LTV at
/// conservative prices (collateral at min(spot, TWAP), debt at max).
pub fn borrow<'info>(ctx: Context<'info, Borrow<'info>>, amount: u64) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_BORROWS)?;
    require!(amount > 0, SluiceError::ZeroAmount);
    let clock = Clock::get()?;
    let books = VaultBooks::before(&a.vault, &*a.pool.load()?)?;
    let pool_key = a.pool.key();
    let (scaled, health, signer) = {
        let mut pool = a.pool.load_mut()?;
        pool.accrue(clock.unix_timestamp)?;
        pool.require_borrowable(amount)?;
        let scaled = a.position.borrow(&pool_key, &mut pool, amount)?;
        let loaded = [(pool_key, &*pool)];
        let health = HealthCache::new(
            &a.position,
            &loaded,
            remaining,
            clock.slot,
            clock.unix_timestamp,
        )?
        .require_initial()?;
        (scaled, health, pool.signer())
    };
    transfer_from_pool(
        &a.token_program,
        &a.vault,
        &a.destination,
        &a.pool.to_account_info(),
        &signer,
        amount,
    )?;
    books.check(&a.vault.to_account_info(), &*a.pool.load()?)?;
    emit!(Borrowed {
        header: EventHeader::new(a.position.market, a.position.key(), a.owner.key()),
        pool: pool_key,
        amount,
        scaled_debt: scaled,
        health_factor_wad: health.factor_wad(),
    });
    Ok(())
}
