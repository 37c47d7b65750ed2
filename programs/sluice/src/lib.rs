//! Sluice: a Solana lending protocol whose liquidations cannot cascade.
//! This file only dispatches; see `instructions/` for each handler.
#![allow(clippy::result_large_err)]
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod budgets;
pub mod constants;
pub mod depth;
pub mod errors;
pub mod events;
pub mod health;
pub mod instructions;
pub mod math;
pub mod oracle;
pub mod presets;
pub mod state;

use constants::MAX_DEPTH_SOURCES;
use instructions::*;
use state::{AdaptiveParams, BufferParams, DepthSource, MarketParams, OracleConfig, PoolParams};

declare_id!("SLuiceMASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4deS4F");

#[program]
pub mod sluice {
    use super::*;

    /// Creates a market governed by `authority` (e.g. a Squads vault).
    pub fn init_market(
        ctx: Context<InitMarket>,
        authority: Pubkey,
        params: MarketParams,
    ) -> Result<()> {
        instructions::init_market::init_market(ctx, authority, params)
    }

    /// Governance: adds a lending pool for `mint` with its vault, share mint,
    /// insurance buffer and oracle configuration.
    pub fn init_pool(
        ctx: Context<InitPool>,
        oracle: OracleConfig,
        params: PoolParams,
    ) -> Result<()> {
        instructions::init_pool::init_pool(ctx, oracle, params)
    }

    /// Lends `amount` to the pool for share tokens (rounded down).
    pub fn deposit(ctx: Context<Deposit>, amount: u64) -> Result<()> {
        instructions::deposit::deposit(ctx, amount)
    }

    /// Burns `shares` for their value in tokens (rounded down).
    pub fn withdraw(ctx: Context<Withdraw>, shares: u64) -> Result<()> {
        instructions::withdraw::withdraw(ctx, shares)
    }

    /// Opens the signer's position in the market (one per owner).
    pub fn open_position(ctx: Context<OpenPosition>) -> Result<()> {
        instructions::open_position::open_position(ctx)
    }

    /// Closes an empty position and returns its rent.
    pub fn close_position(ctx: Context<ClosePosition>) -> Result<()> {
        instructions::close_position::close_position(ctx)
    }

    /// Adds `amount` of the pool's token to the position as collateral.
    pub fn deposit_collateral(ctx: Context<DepositCollateral>, amount: u64) -> Result<()> {
        instructions::deposit_collateral::deposit_collateral(ctx, amount)
    }

    /// Returns `amount` of collateral; a position with debt must stay within its LTV.
    ///
    /// Remaining accounts: every other pool the position uses (read-only, any
    /// order), each refreshed (`refresh_price`) in this slot.
    pub fn withdraw_collateral<'info>(
        ctx: Context<'info, WithdrawCollateral<'info>>,
        amount: u64,
    ) -> Result<()> {
        instructions::withdraw_collateral::withdraw_collateral(ctx, amount)
    }

    /// Borrows `amount`; the position must stay within its LTV at conservative prices.
    ///
    /// Remaining accounts: every other pool the position uses (read-only, any
    /// order), each refreshed (`refresh_price`) in this slot.
    pub fn borrow<'info>(ctx: Context<'info, Borrow<'info>>, amount: u64) -> Result<()> {
        instructions::borrow::borrow(ctx, amount)
    }

    /// Repays up to `amount` of a position's debt (anyone may repay; clipped to the debt).
    pub fn repay(ctx: Context<Repay>, amount: u64) -> Result<()> {
        instructions::repay::repay(ctx, amount)
    }

    /// Permissionless: accrues interest and sweeps the insurance buffer's share.
    pub fn refresh_pool(ctx: Context<RefreshPool>) -> Result<()> {
        instructions::refresh_pool::refresh_pool(ctx)
    }

    /// Permissionless: reads the pool's Pyth price into spot and the TWAP, accrues interest.
    ///
    /// Remaining accounts (optional): the pool's depth source accounts in
    /// registration order; when given, the depth read now is recorded and
    /// reaches the liquidation cap from the next slot (rise-limited).
    pub fn refresh_price(ctx: Context<RefreshPrice>) -> Result<()> {
        instructions::refresh_price::refresh_price(ctx)
    }

    /// Governance: replaces a pool's parameters (every bound checked).
    pub fn update_pool_params(ctx: Context<UpdatePoolParams>, params: PoolParams) -> Result<()> {
        instructions::update_pool_params::update_pool_params(ctx, params)
    }

    /// Governance: replaces a pool's adaptive rules (switches, floors,
    /// ceilings, hourly limits; every bound checked against its parameters).
    pub fn update_adaptive_params(
        ctx: Context<UpdateAdaptiveParams>,
        params: AdaptiveParams,
    ) -> Result<()> {
        instructions::update_adaptive_params::update_adaptive_params(ctx, params)
    }

    /// Governance: replaces the market parameters (pause flags, keeper incentive, breaker).
    pub fn update_market_params(
        ctx: Context<UpdateMarketParams>,
        params: MarketParams,
    ) -> Result<()> {
        instructions::update_market_params::update_market_params(ctx, params)
    }

    /// Governance: proposes a new market authority (two-step transfer).
    pub fn propose_authority(ctx: Context<ProposeAuthority>, new_authority: Pubkey) -> Result<()> {
        instructions::propose_authority::propose_authority(ctx, new_authority)
    }

    /// The proposed authority accepts the market.
    pub fn accept_authority(ctx: Context<AcceptAuthority>) -> Result<()> {
        instructions::accept_authority::accept_authority(ctx)
    }

    /// Governance: registers the liquidity sources whose depth caps seizures per slot.
    ///
    /// Remaining accounts: each source's accounts in registration order
    /// (constant product: its vault of the pool's mint, then the other vault;
    /// Whirlpool: the pool account).
    pub fn set_depth_sources<'info>(
        ctx: Context<'info, SetDepthSources<'info>>,
        sources: [DepthSource; MAX_DEPTH_SOURCES],
    ) -> Result<()> {
        instructions::set_depth_sources::set_depth_sources(ctx, sources)
    }

    /// Keeper, auction mode: seizes collateral to restore the target health within
    /// the per-slot sell cap and opens (or extends and re-prices) the Dutch auction.
    /// The depth part of the cap is the lower of the depth observed in earlier
    /// slots and the depth read now (which is recorded for later slots).
    ///
    /// Remaining accounts: the collateral pool's depth source accounts in
    /// registration order (as for `set_depth_sources`), then every other pool
    /// the position uses (read-only, any order).
    pub fn liquidate<'info>(ctx: Context<'info, Liquidate<'info>>) -> Result<()> {
        instructions::liquidate::liquidate(ctx)
    }

    /// Keeper, instant mode: repays debt and receives collateral at the fixed bonus.
    ///
    /// Remaining accounts: the collateral pool's depth source accounts in
    /// registration order, then every other pool the position uses.
    pub fn liquidate_instant<'info>(ctx: Context<'info, LiquidateInstant<'info>>) -> Result<()> {
        instructions::liquidate_instant::liquidate_instant(ctx)
    }

    /// Anyone: buys up to `max_amount` of a lot at the current auction price (at most `max_price_wad`).
    pub fn take(ctx: Context<Take>, max_amount: u64, max_price_wad: u128) -> Result<()> {
        instructions::take::take(ctx, max_amount, max_price_wad)
    }

    /// Keeper: restarts a lot past its time limit at a fresh price (small tip).
    pub fn redo(ctx: Context<Redo>) -> Result<()> {
        instructions::redo::redo(ctx)
    }

    /// Anyone: tops up a pool's insurance buffer.
    pub fn fund_insurance(ctx: Context<FundInsurance>, amount: u64) -> Result<()> {
        instructions::fund_insurance::fund_insurance(ctx, amount)
    }

    /// Governance: creates the buffer pool of a (collateral pool, debt pool) pair.
    pub fn init_buffer(ctx: Context<InitBuffer>, params: BufferParams) -> Result<()> {
        instructions::init_buffer::init_buffer(ctx, params)
    }

    /// Governance: replaces a buffer pool's parameters (every bound checked).
    pub fn update_buffer_params(
        ctx: Context<UpdateBufferParams>,
        params: BufferParams,
    ) -> Result<()> {
        instructions::update_buffer_params::update_buffer_params(ctx, params)
    }

    /// Puts `amount` debt tokens into a buffer pool; they become shares after
    /// the activation delay (`activate_buffer_stake`).
    pub fn buffer_deposit(ctx: Context<BufferDeposit>, amount: u64) -> Result<()> {
        instructions::buffer_deposit::buffer_deposit(ctx, amount)
    }

    /// Anyone: turns a matured buffer deposit into shares.
    pub fn activate_buffer_stake(ctx: Context<ActivateBufferStake>) -> Result<()> {
        instructions::activate_buffer_stake::activate_buffer_stake(ctx)
    }

    /// Asks for `shares` of a buffer stake to leave after the cooldown.
    pub fn request_buffer_withdrawal(
        ctx: Context<RequestBufferWithdrawal>,
        shares: u64,
    ) -> Result<()> {
        instructions::request_buffer_withdrawal::request_buffer_withdrawal(ctx, shares)
    }

    /// Pays a matured withdrawal request out pro rata in kind.
    pub fn buffer_withdraw(ctx: Context<BufferWithdraw>) -> Result<()> {
        instructions::buffer_withdraw::buffer_withdraw(ctx)
    }

    /// Keeper: when the slot's sell cap is used up, the buffer pool repays a
    /// liquidatable position's debt and takes its collateral at a discount.
    ///
    /// Remaining accounts: the collateral pool's depth source accounts in
    /// registration order, then every other pool the position uses.
    pub fn absorb<'info>(ctx: Context<'info, Absorb<'info>>) -> Result<()> {
        instructions::absorb::absorb(ctx)
    }

    /// Anyone: buys up to `max_amount` of a buffer pool's collateral (at most
    /// `max_price_wad`), within the collateral pool's per-slot sell cap.
    ///
    /// Remaining accounts: the collateral pool's depth source accounts.
    pub fn buffer_take<'info>(
        ctx: Context<'info, BufferTake<'info>>,
        max_amount: u64,
        max_price_wad: u128,
    ) -> Result<()> {
        instructions::buffer_take::buffer_take(ctx, max_amount, max_price_wad)
    }

    /// Anyone: writes off the debt of a position with no collateral left
    /// (insurance buffer first, then the lenders).
    pub fn settle_bad_debt(ctx: Context<SettleBadDebt>) -> Result<()> {
        instructions::settle_bad_debt::settle_bad_debt(ctx)
    }
}
