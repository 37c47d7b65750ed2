//! Sluice: a Solana lending protocol whose liquidations cannot cascade.
//! This file only dispatches; see `instructions/` for each handler.
#![allow(clippy::result_large_err)]
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod depth;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod oracle;
pub mod presets;
pub mod state;

use constants::MAX_DEPTH_SOURCES;
use instructions::*;
use state::{DepthSource, MarketParams, OracleConfig, PoolParams};

declare_id!("SLuiceMASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4deS4F");

#[program]
pub mod sluice {
    use super::*;

    pub fn init_market(
        ctx: Context<InitMarket>,
        authority: Pubkey,
        params: MarketParams,
    ) -> Result<()> {
        instructions::init_market::handler(ctx, authority, params)
    }

    pub fn init_pool(
        ctx: Context<InitPool>,
        oracle: OracleConfig,
        params: PoolParams,
    ) -> Result<()> {
        instructions::init_pool::handler(ctx, oracle, params)
    }

    pub fn deposit(ctx: Context<Deposit>, amount: u64) -> Result<()> {
        instructions::deposit::handler(ctx, amount)
    }

    pub fn withdraw(ctx: Context<Withdraw>, shares: u64) -> Result<()> {
        instructions::withdraw::handler(ctx, shares)
    }

    pub fn open_position(ctx: Context<OpenPosition>) -> Result<()> {
        instructions::open_position::handler(ctx)
    }

    pub fn close_position(ctx: Context<ClosePosition>) -> Result<()> {
        instructions::close_position::handler(ctx)
    }

    pub fn deposit_collateral(ctx: Context<DepositCollateral>, amount: u64) -> Result<()> {
        instructions::deposit_collateral::handler(ctx, amount)
    }

    pub fn withdraw_collateral<'info>(
        ctx: Context<'info, WithdrawCollateral<'info>>,
        amount: u64,
    ) -> Result<()> {
        instructions::withdraw_collateral::handler(ctx, amount)
    }

    pub fn borrow<'info>(ctx: Context<'info, Borrow<'info>>, amount: u64) -> Result<()> {
        instructions::borrow::handler(ctx, amount)
    }

    pub fn repay(ctx: Context<Repay>, amount: u64) -> Result<()> {
        instructions::repay::handler(ctx, amount)
    }

    pub fn refresh_pool(ctx: Context<RefreshPool>) -> Result<()> {
        instructions::refresh_pool::handler(ctx)
    }

    pub fn refresh_price(ctx: Context<RefreshPrice>) -> Result<()> {
        instructions::refresh_price::handler(ctx)
    }

    pub fn update_pool_params(ctx: Context<UpdatePoolParams>, params: PoolParams) -> Result<()> {
        instructions::update_pool_params::handler(ctx, params)
    }

    pub fn update_market_params(
        ctx: Context<UpdateMarketParams>,
        params: MarketParams,
    ) -> Result<()> {
        instructions::update_market_params::handler(ctx, params)
    }

    pub fn propose_authority(ctx: Context<ProposeAuthority>, new_authority: Pubkey) -> Result<()> {
        instructions::propose_authority::handler(ctx, new_authority)
    }

    pub fn accept_authority(ctx: Context<AcceptAuthority>) -> Result<()> {
        instructions::accept_authority::handler(ctx)
    }

    pub fn set_depth_sources<'info>(
        ctx: Context<'info, SetDepthSources<'info>>,
        sources: [DepthSource; MAX_DEPTH_SOURCES],
    ) -> Result<()> {
        instructions::set_depth_sources::handler(ctx, sources)
    }

    pub fn liquidate<'info>(ctx: Context<'info, Liquidate<'info>>) -> Result<()> {
        instructions::liquidate::handler(ctx)
    }

    pub fn liquidate_instant<'info>(ctx: Context<'info, LiquidateInstant<'info>>) -> Result<()> {
        instructions::liquidate_instant::handler(ctx)
    }

    pub fn take(ctx: Context<Take>, max_amount: u64, max_price_wad: u128) -> Result<()> {
        instructions::take::handler(ctx, max_amount, max_price_wad)
    }

    pub fn redo(ctx: Context<Redo>) -> Result<()> {
        instructions::redo::handler(ctx)
    }

    pub fn fund_insurance(ctx: Context<FundInsurance>, amount: u64) -> Result<()> {
        instructions::fund_insurance::handler(ctx, amount)
    }

    pub fn settle_bad_debt(ctx: Context<SettleBadDebt>) -> Result<()> {
        instructions::settle_bad_debt::handler(ctx)
    }
}
