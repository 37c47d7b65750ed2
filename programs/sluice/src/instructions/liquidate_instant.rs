//! liquidate_instant (keeper, instant mode: the `instant` preset): the
//! liquidator repays debt at once and receives collateral at the pool's fixed
//! bonus (plus the keeper incentive), up to the close factor: the common
//! Aave/Solend design, kept so the simulator compares designs on one program.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::{EventHeader, Liquidated};
use crate::instructions::common::{
    emit_cpi_event, transfer_from_pool, transfer_from_user, VaultBooks,
};
use crate::instructions::liquidate_common::{health_after, prepare, seize};
use crate::state::{LiquidationMode, Market, Pool, Position};

#[event_cpi]
#[derive(Accounts)]
pub struct LiquidateInstant<'info> {
    pub keeper: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = collateral_pool.load()?.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
        constraint = collateral_pool.key() != debt_pool.key() @ SluiceError::SamePoolCollateralAndDebt,
    )]
    pub collateral_pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = debt_pool.load()?.vault == debt_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub debt_pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = keeper_source.mint == debt_pool.load()?.mint @ SluiceError::MintMismatch)]
    pub keeper_source: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = keeper_destination.mint == collateral_pool.load()?.mint @ SluiceError::MintMismatch)]
    pub keeper_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    // remaining: depth source accounts of the collateral pool, then the position's other pools.
}

pub fn liquidate_instant<'info>(ctx: Context<'info, LiquidateInstant<'info>>) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_LIQUIDATIONS)?;
    let clock = Clock::get()?;
    let slot = clock.slot;
    let (ckey, dkey) = (a.collateral_pool.key(), a.debt_pool.key());
    let cbooks = VaultBooks::before(&a.collateral_vault, &*a.collateral_pool.load()?)?;
    let dbooks = VaultBooks::before(&a.debt_vault, &*a.debt_pool.load()?)?;
    let (sizing, after, signer) = {
        let mut cpool = a.collateral_pool.load_mut()?;
        let mut dpool = a.debt_pool.load_mut()?;
        let (mut cache, sizing) = prepare(
            &a.market,
            &a.position,
            (ckey, &mut cpool),
            (dkey, &mut dpool),
            LiquidationMode::Instant,
            remaining,
            &clock,
        )?;
        seize(
            &mut a.position,
            &ckey,
            &mut cpool,
            &dkey,
            &mut dpool,
            &mut cache,
            &sizing,
            slot,
            true,
        )?;
        let after = health_after(&cache, &sizing)?;
        (sizing, after, cpool.signer())
    };
    let p = sizing.plan;
    transfer_from_user(
        &a.token_program,
        &a.keeper_source,
        &a.debt_vault,
        &a.keeper,
        p.repay,
    )?;
    let seized = p.lot + p.keeper; // checked in seize
    transfer_from_pool(
        &a.token_program,
        &a.collateral_vault,
        &a.keeper_destination,
        &a.collateral_pool.to_account_info(),
        &signer,
        seized,
    )?;
    cbooks.check(
        &a.collateral_vault.to_account_info(),
        &*a.collateral_pool.load()?,
    )?;
    dbooks.check(&a.debt_vault.to_account_info(), &*a.debt_pool.load()?)?;
    let header = EventHeader::new(a.position.market, a.position.key(), a.keeper.key());
    emit_cpi_event(
        &a.event_authority,
        &Liquidated {
            header,
            collateral_pool: ckey,
            debt_pool: dkey,
            debt_retired: p.repay,
            collateral_seized: p.lot,
            keeper_reward: p.keeper,
            toxic: p.toxic,
            capped: p.capped,
            cap_remaining: sizing.cap_remaining,
            health_before_wad: sizing.health_before.factor_wad(),
            health_after_wad: after.factor_wad(),
            instant: true,
        },
    )
}
