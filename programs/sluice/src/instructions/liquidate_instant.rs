//! liquidate_instant (keeper, instant mode: the `instant` preset): the
//! liquidator repays debt at once and receives collateral at the pool's fixed
//! bonus (plus the keeper incentive), up to the close factor: the common
//! Aave/Solend design, kept so the simulator compares designs on one program.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::Liquidated;
use crate::instructions::common::{transfer_from_pool, transfer_from_user};
use crate::instructions::liquidate_common::{apply_to_position, health_after, size_liquidation};
use crate::state::{LiquidationMode, Market, Pool, Position};

#[derive(Accounts)]
pub struct LiquidateInstant<'info> {
    pub keeper: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = collateral_pool.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub collateral_pool: Box<Account<'info, Pool>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = debt_pool.vault == debt_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub debt_pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = keeper_source.mint == debt_pool.mint @ SluiceError::MintMismatch)]
    pub keeper_source: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = keeper_destination.mint == collateral_pool.mint @ SluiceError::MintMismatch)]
    pub keeper_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    // remaining: depth source accounts of the collateral pool, then the position's other pools.
}

pub fn handler<'info>(ctx: Context<'info, LiquidateInstant<'info>>) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_LIQUIDATIONS)?;
    require!(
        a.collateral_pool.params.liquidation.mode == LiquidationMode::Instant,
        SluiceError::WrongLiquidationMode
    );
    let clock = Clock::get()?;
    let slot = clock.slot;
    a.collateral_pool.accrue(clock.unix_timestamp)?;
    a.debt_pool.accrue(clock.unix_timestamp)?;
    let (ckey, dkey) = (a.collateral_pool.key(), a.debt_pool.key());
    let sizing = size_liquidation(
        &a.market,
        &a.position,
        ckey,
        &a.collateral_pool,
        dkey,
        &a.debt_pool,
        remaining,
        slot,
        false,
    )?;
    let p = sizing.plan;
    apply_to_position(
        &mut a.position,
        ckey,
        &mut a.collateral_pool,
        dkey,
        &mut a.debt_pool,
        &p,
        slot,
    )?;
    a.debt_pool.available_liquidity = a
        .debt_pool
        .available_liquidity
        .checked_add(p.repay)
        .ok_or(SluiceError::MathOverflow)?;
    transfer_from_user(
        &a.token_program,
        &a.keeper_source,
        &a.debt_vault,
        &a.keeper,
        p.repay,
    )?;
    let seized = p.lot + p.keeper; // checked in apply_to_position
    transfer_from_pool(
        &a.token_program,
        &a.collateral_vault,
        &a.keeper_destination,
        &a.collateral_pool,
        seized,
    )?;

    let (_, used) = crate::depth::depth_cap(&a.collateral_pool, remaining)?;
    let others = remaining.get(used..).unwrap_or(&[]);
    let after = health_after(
        &a.position,
        &[(ckey, &a.collateral_pool), (dkey, &a.debt_pool)],
        others,
        slot,
        &sizing,
    )?;
    emit!(Liquidated {
        position: a.position.key(),
        collateral_pool: ckey,
        debt_pool: dkey,
        keeper: a.keeper.key(),
        debt_retired: p.repay,
        collateral_seized: p.lot,
        keeper_reward: p.keeper,
        toxic: p.toxic,
        capped: p.capped,
        cap_remaining: sizing.cap_remaining,
        health_before_wad: sizing.health_before.factor_wad(),
        health_after_wad: after.factor_wad(),
        instant: true,
    });
    Ok(())
}
