use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use super::common::{transfer_from_user, VaultBooks};
use crate::constants::PAUSE_DEPOSITS;
use crate::errors::SluiceError;
use crate::events::{CollateralDeposited, EventHeader};
use crate::state::{Market, Pool, Position};

#[derive(Accounts)]
pub struct DepositCollateral<'info> {
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
    #[account(mut, constraint = source.mint == pool.load()?.mint @ SluiceError::MintMismatch)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Adds `amount` of the pool's token to the position as collateral. Collateral
/// is held in the vault and never lent out.
pub fn deposit_collateral(ctx: Context<DepositCollateral>, amount: u64) -> Result<()> {
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_DEPOSITS)?;
    require!(amount > 0, SluiceError::ZeroAmount);
    let books = VaultBooks::before(&a.vault, &*a.pool.load()?)?;
    let pool_key = a.pool.key();
    {
        let mut pool = a.pool.load_mut()?;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        pool.require_collateral_room(amount)?;
        a.position
            .deposit_collateral(&pool_key, &mut pool, amount)?;
    }
    transfer_from_user(&a.token_program, &a.source, &a.vault, &a.owner, amount)?;
    books.check(&a.vault.to_account_info(), &*a.pool.load()?)?;
    emit!(CollateralDeposited {
        header: EventHeader::new(a.position.market, a.position.key(), a.owner.key()),
        pool: pool_key,
        amount
    });
    Ok(())
}
