//! Eligibility, sizing and seizure shared by `liquidate` (auction) and
//! `liquidate_instant`. Health comes from one [`HealthCache`] per instruction.
use anchor_lang::prelude::*;

use crate::depth::liquidation_depth;
use crate::errors::SluiceError;
use crate::events::DepthObserved;
use crate::health::{HealthCache, HealthType};
use crate::math::fixed::SafeMath;
use crate::math::fixed::{mul_div, to_u64};
use crate::math::health::Health;
use crate::math::liquidation::{plan, LiquidationInput, LiquidationPlan};
use crate::math::{Rounding, WAD};
use crate::state::{LiquidationMode, Market, Pool, Position};

/// A sized liquidation.
pub struct Sizing {
    pub plan: LiquidationPlan,
    /// Liquidation-rule health (eligibility), for the event.
    pub health_before: Health,
    /// Sizing-view health, which the liquidation must not lower.
    pub sizing_before: Health,
    /// Seizable collateral left in this slot before this liquidation.
    pub cap_remaining: u64,
    /// The depth cap in force (None: no depth source), for booking the seizure.
    pub depth_cap: Option<u64>,
}

/// The two pools of a liquidation, loaded by the instruction.
pub struct LiquidationPools<'a> {
    pub collateral_key: Pubkey,
    pub collateral: &'a Pool,
    pub debt_key: Pubkey,
    pub debt: &'a Pool,
}

/// The common start of a liquidation: checks the collateral pool's mode,
/// accrues both pools, reads the depth cap (the first remaining accounts),
/// builds the position's health cache from the rest, and sizes the
/// liquidation (the breaker applies in auction mode).
pub fn prepare(
    market: &Market,
    position: &Position,
    (ckey, cpool): (Pubkey, &mut Pool),
    (dkey, dpool): (Pubkey, &mut Pool),
    mode: LiquidationMode,
    remaining: &[AccountInfo],
    clock: &Clock,
) -> Result<(Box<HealthCache>, Sizing)> {
    require!(
        cpool.params.liquidation.is_mode(mode),
        SluiceError::WrongLiquidationMode
    );
    let (cache, depth) = open_books(position, (ckey, cpool), (dkey, dpool), remaining, clock)?;
    let pools = LiquidationPools {
        collateral_key: ckey,
        collateral: cpool,
        debt_key: dkey,
        debt: dpool,
    };
    let breaker = mode == LiquidationMode::Auction;
    let sizing = size_liquidation(market, &pools, &cache, depth, clock.slot, breaker)?;
    Ok((cache, sizing))
}

/// Accrues both pools, reads (and records) the collateral pool's depth from
/// the first remaining accounts and builds the position's health cache from
/// the rest. Returns the cache and the depth cap (None: no depth source).
pub fn open_books(
    position: &Position,
    (ckey, cpool): (Pubkey, &mut Pool),
    (dkey, dpool): (Pubkey, &mut Pool),
    remaining: &[AccountInfo],
    clock: &Clock,
) -> Result<(Box<HealthCache>, Option<u64>)> {
    cpool.accrue(clock.unix_timestamp)?;
    dpool.accrue(clock.unix_timestamp)?;
    let (depth, used) = liquidation_depth(cpool, remaining, clock.slot)?;
    if let Some(d) = depth {
        emit!(DepthObserved {
            pool: ckey,
            slot: clock.slot,
            live: d.live,
            next_slot_estimate: cpool.observed_depth(clock.slot + 1).unwrap_or(0),
        });
    }
    let others = remaining.get(used..).unwrap_or(&[]);
    let loaded = [(ckey, &*cpool), (dkey, &*dpool)];
    let cache = HealthCache::new(position, &loaded, others, clock.slot, clock.unix_timestamp)?;
    Ok((cache, depth.map(|d| d.cap)))
}

/// Checks eligibility and sizes the liquidation of (collateral pool, debt
/// pool) on `position`. `depth` is the collateral pool's depth cap (None:
/// no registered source). `breaker` limits the seizure by the market's
/// open-auction value (auction mode only).
pub fn size_liquidation(
    market: &Market,
    pools: &LiquidationPools,
    cache: &HealthCache,
    depth: Option<u64>,
    slot: u64,
    breaker: bool,
) -> Result<Sizing> {
    let cpool = pools.collateral;
    let (health_before, sizing_before, mut input) = liquidation_input(market, pools, cache, slot)?;
    // per-slot sell cap = min(governance cap, depth cap) - seized this slot
    let cap_remaining = cpool.sell_room(depth, slot);
    require!(cap_remaining > 0, SluiceError::SellCapExhausted);
    input.cap = cap_remaining;
    if breaker {
        input.cap = input.cap.min(breaker_room_units(market, cpool)?);
    }
    let plan = plan(&input)?;
    // what is left of the cap is too small to retire one unit of debt
    require!(
        plan.repay > 0 || !plan.capped,
        SluiceError::SellCapExhausted
    );
    require!(
        plan.repay > 0 && plan.lot > 0,
        SluiceError::SeizeRoundsToZero
    );
    Ok(Sizing {
        plan,
        health_before,
        sizing_before,
        cap_remaining,
        depth_cap: depth,
    })
}

/// The eligibility check and the sizing input shared by liquidations and
/// absorbs: (liquidation-rule health, sizing-view health, input with the
/// pool's bonus and no cap).
pub fn liquidation_input(
    market: &Market,
    pools: &LiquidationPools,
    cache: &HealthCache,
    slot: u64,
) -> Result<(Health, Health, LiquidationInput)> {
    let (cpool, dpool) = (pools.collateral, pools.debt);
    cpool.require_fresh_price(slot)?;
    dpool.require_fresh_price(slot)?;
    let health_before = cache.require_liquidatable()?;

    let collateral_amount = cache.collateral_amount(&pools.collateral_key);
    require!(collateral_amount > 0, SluiceError::NoCollateralInPool);
    let owed = to_u64(cache.debt_amount(&pools.debt_key))?;
    require!(owed > 0, SluiceError::NoDebtInPool);
    // size at the prices the lot can be sold at
    let sizing_before = cache.health(HealthType::Sizing)?;
    let pool_info = |key| cache.pool(key).ok_or(SluiceError::MissingPoolAccount);
    let (collateral_price, _) = pool_info(&pools.collateral_key)?.prices(HealthType::Sizing);
    let (_, debt_price) = pool_info(&pools.debt_key)?.prices(HealthType::Sizing);
    let lp = &cpool.params.liquidation;
    let input = LiquidationInput {
        weighted_collateral: sizing_before.weighted_collateral,
        debt_value: sizing_before.debt_value,
        collateral_amount,
        collateral_price,
        threshold_bps: cpool.effective_threshold_bps(),
        debt_amount: owed,
        debt_price,
        target_health_bps: lp.target_health_bps,
        bonus_bps: cpool.effective_bonus_bps(),
        incentive_bps: market.params.keeper_incentive_bps,
        close_factor_bps: lp.close_factor_bps,
        cap: u64::MAX,
    };
    Ok((health_before, sizing_before, input))
}

/// Whether the market's circuit breaker admits less than one more dollar
/// into auctions.
pub fn breaker_tripped(market: &Market) -> bool {
    let limit = u128::from(market.params.max_auction_value_usd).saturating_mul(WAD);
    limit.saturating_sub(market.auction_value_open) < WAD
}

/// Collateral units the market's circuit breaker still admits into auctions.
fn breaker_room_units(market: &Market, cpool: &Pool) -> Result<u64> {
    let limit = u128::from(market.params.max_auction_value_usd).saturating_mul(WAD);
    let room = limit.saturating_sub(market.auction_value_open);
    // less than one dollar of room left: the breaker is tripped
    require!(room >= WAD, SluiceError::CircuitBreakerTripped);
    let units = mul_div(room, 1, cpool.spot_price_wad.get().max(1), Rounding::Down)?;
    let units = u64::try_from(units).unwrap_or(u64::MAX);
    require!(units > 0, SluiceError::CircuitBreakerTripped);
    Ok(units)
}

/// Takes the planned collateral (lot + keeper incentive) and debt off the
/// position, books the seizure against the collateral pool's slot counter
/// and updates the health cache. `to_liquidity`: the debt is repaid now
/// (instant mode); otherwise it moves to the auction's books.
#[allow(clippy::too_many_arguments)]
pub fn seize(
    position: &mut Position,
    collateral_key: &Pubkey,
    cpool: &mut Pool,
    debt_key: &Pubkey,
    dpool: &mut Pool,
    cache: &mut HealthCache,
    sizing: &Sizing,
    slot: u64,
    to_liquidity: bool,
) -> Result<()> {
    let p = &sizing.plan;
    let seized = p.lot.safe_add(p.keeper)?;
    position.remove_collateral(collateral_key, cpool, seized)?;
    cpool.record_seizure(sizing.depth_cap, slot, seized)?;
    let r = position.retire_debt(debt_key, dpool, p.repay, to_liquidity)?;
    if !to_liquidity {
        // the lot and the debt it must raise move to the auction's books
        cpool.hold_for_auction(p.lot)?;
        dpool.owe_from_auction(r.paid)?;
    }
    let owed_after = position.debt_owed(debt_key, dpool)?;
    cache.apply_seizure(collateral_key, seized, debt_key, owed_after);
    Ok(())
}

/// Health after the liquidation (liquidation rule, for the event). In the
/// sizing view it is checked never to fall for a solvent position.
pub fn health_after(cache: &HealthCache, sizing: &Sizing) -> Result<Health> {
    if !cache.has_debt() {
        return Ok(Health::default());
    }
    if !sizing.plan.toxic {
        let s = cache.health(HealthType::Sizing)?;
        require!(
            s.factor_wad() >= sizing.sizing_before.factor_wad(),
            SluiceError::LiquidationLoweredHealth
        );
    }
    cache.health(HealthType::Maintenance)
}
