use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::{transfer_from_pool, VaultBooks};
use crate::constants::PAUSE_WITHDRAWALS;
use crate::errors::SluiceError;
use crate::events::{CollateralWithdrawn, EventHeader};
use crate::health::HealthCache;
use crate::state::{Market, Pool, Position};

#[derive(Accounts)]
pub struct WithdrawCollateral<'info> {
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

/// Returns `amount` of collateral; with debt outstanding the position must
/// stay within its LTV at conservative prices.
pub fn withdraw_collateral<'info>(
    ctx: Context<'info, WithdrawCollateral<'info>>,
    amount: u64,
) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_WITHDRAWALS)?;
    require!(amount > 0, SluiceError::ZeroAmount);
    let clock = Clock::get()?;
    let books = VaultBooks::before(&a.vault, &*a.pool.load()?)?;
    let pool_key = a.pool.key();
    let (health_factor_wad, signer) = {
        let mut pool = a.pool.load_mut()?;
        pool.accrue(clock.unix_timestamp)?;
        a.position.remove_collateral(&pool_key, &mut pool, amount)?;
        let factor = if a.position.has_debt() {
            let loaded = [(pool_key, &*pool)];
            HealthCache::new(
                &a.position,
                &loaded,
                remaining,
                clock.slot,
                clock.unix_timestamp,
            )?
            .require_initial()?
            .factor_wad()
        } else {
            u128::MAX
        };
        (factor, pool.signer())
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
    emit!(CollateralWithdrawn {
        header: EventHeader::new(a.position.market, a.position.key(), a.owner.key()),
        pool: pool_key,
        amount,
        health_factor_wad
    });
    Ok(())
}
