//! Eligibility and sizing shared by `liquidate` (auction) and `liquidate_instant`.
use anchor_lang::prelude::*;

use crate::depth::depth_cap;
use crate::errors::SluiceError;
use crate::instructions::common::{position_health, require_liquidatable, HealthMode};
use crate::math::fixed::{mul_div, to_u64};
use crate::math::health::Health;
use crate::math::liquidation::{plan, LiquidationInput, LiquidationPlan};
use crate::math::shares::debt_amount;
use crate::math::{Rounding, WAD};
use crate::state::{Market, Pool, Position};

pub struct Sizing {
    pub plan: LiquidationPlan,
    /// Liquidation-rule health (eligibility), for the event.
    pub health_before: Health,
    /// Sizing-view health, which the liquidation must not lower.
    pub sizing_before: Health,
    /// Seizable collateral left in this slot before this liquidation.
    pub cap_remaining: u64,
    /// Collateral and debt unit prices (WAD USD) used for sizing.
    pub collateral_price: u128,
    pub debt_price: u128,
}

/// Checks eligibility and sizes the liquidation of (collateral pool, debt
/// pool) on `position`. `remaining` starts with the collateral pool's depth
/// accounts, followed by the position's other pools. `breaker` limits the
/// seizure by the market's open-auction value (auction mode only).
#[allow(clippy::too_many_arguments)]
pub fn size_liquidation(
    market: &Market,
    position: &Position,
    cpool_key: Pubkey,
    cpool: &Pool,
    dpool_key: Pubkey,
    dpool: &Pool,
    remaining: &[AccountInfo],
    slot: u64,
    breaker: bool,
) -> Result<Sizing> {
    let (depth, used) = depth_cap(cpool, remaining)?;
    let others = remaining.get(used..).unwrap_or(&[]);
    let loaded = [(cpool_key, cpool), (dpool_key, dpool)];
    let health_before = require_liquidatable(position, &loaded, others, slot)?;

    let ci = position
        .collateral_index(&cpool_key)
        .filter(|&i| position.collateral[i].amount > 0)
        .ok_or(SluiceError::NoCollateralInPool)?;
    let di = position
        .debt_index(&dpool_key)
        .filter(|&i| position.debts[i].scaled_debt > 0)
        .ok_or(SluiceError::NoDebtInPool)?;
    let owed = to_u64(debt_amount(
        position.debts[di].scaled_debt,
        dpool.borrow_index,
        Rounding::Up,
    )?)?;
    // size at the prices the lot can be sold at
    let sizing_before = position_health(position, &loaded, others, slot, HealthMode::Sizing)?;
    let (collateral_price, _) = sizing_prices(cpool, slot)?;
    let (_, debt_price) = sizing_prices(dpool, slot)?;

    // per-slot sell cap = min(governance cap, depth cap) - seized this slot
    let lp = &cpool.params.liquidation;
    let slot_cap = depth.map_or(lp.sell_cap_per_slot, |d| d.min(lp.sell_cap_per_slot));
    let cap_remaining = slot_cap.saturating_sub(cpool.seized_this_slot(slot));
    require!(cap_remaining > 0, SluiceError::SellCapExhausted);
    let mut cap = cap_remaining;
    if breaker {
        let limit = u128::from(market.params.max_auction_value_usd).saturating_mul(WAD);
        let room = limit.saturating_sub(market.auction_value_open);
        // less than one dollar of room left: the breaker is tripped
        require!(room >= WAD, SluiceError::CircuitBreakerTripped);
        let units = mul_div(room, 1, cpool.spot_price_wad.max(1), Rounding::Down)?;
        let units = u64::try_from(units).unwrap_or(u64::MAX);
        require!(units > 0, SluiceError::CircuitBreakerTripped);
        cap = cap.min(units);
    }

    let input = LiquidationInput {
        weighted_collateral: sizing_before.weighted_collateral,
        debt_value: sizing_before.debt_value,
        collateral_amount: position.collateral[ci].amount,
        collateral_price,
        threshold_bps: cpool.params.risk.liquidation_threshold_bps,
        debt_amount: owed,
        debt_price,
        target_health_bps: lp.target_health_bps,
        bonus_bps: cpool.params.risk.liquidation_bonus_bps,
        incentive_bps: market.params.keeper_incentive_bps,
        close_factor_bps: lp.close_factor_bps,
        cap,
    };
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
        collateral_price,
        debt_price,
    })
}

/// Takes the planned collateral and debt off the position and books the
/// seizure against the collateral pool's slot counter. Returns the scaled
/// debt retired.
pub fn apply_to_position(
    position: &mut Position,
    cpool_key: Pubkey,
    cpool: &mut Pool,
    dpool_key: Pubkey,
    dpool: &mut Pool,
    p: &LiquidationPlan,
    slot: u64,
) -> Result<u128> {
    let seized = p
        .lot
        .checked_add(p.keeper)
        .ok_or(SluiceError::MathOverflow)?;
    let entry = position.collateral_entry_mut(&cpool_key)?;
    entry.amount = entry
        .amount
        .checked_sub(seized)
        .ok_or(SluiceError::InsufficientCollateral)?;
    cpool.total_collateral = cpool
        .total_collateral
        .checked_sub(seized)
        .ok_or(SluiceError::MathOverflow)?;
    cpool.record_seizure(slot, seized)?;

    let index = dpool.borrow_index;
    let d = position.debt_entry_mut(&dpool_key)?;
    let owed = debt_amount(d.scaled_debt, index, Rounding::Up)?;
    let retired = if u128::from(p.repay) >= owed {
        d.scaled_debt
    } else {
        crate::math::shares::scaled_debt_for_repay(p.repay, index)?.min(d.scaled_debt)
    };
    d.scaled_debt -= retired; // retired <= scaled_debt
    dpool.total_scaled_debt = dpool
        .total_scaled_debt
        .checked_sub(retired)
        .ok_or(SluiceError::MathOverflow)?;
    position.compact();
    Ok(retired)
}

fn sizing_prices(pool: &Pool, slot: u64) -> Result<(u128, u128)> {
    if pool.params.liquidation.use_twap {
        pool.borrow_prices(slot)
    } else {
        Ok((pool.spot_price_wad, pool.spot_price_wad))
    }
}

/// Health after the liquidation (liquidation rule, for the event). In the
/// sizing view it is checked never to fall for a solvent position.
pub fn health_after(
    position: &Position,
    loaded: &[(Pubkey, &Pool)],
    remaining: &[AccountInfo],
    slot: u64,
    sizing: &Sizing,
) -> Result<Health> {
    if !position.has_debt() {
        return Ok(Health::default());
    }
    if !sizing.plan.toxic {
        let s = position_health(position, loaded, remaining, slot, HealthMode::Sizing)?;
        require!(
            s.factor_wad() >= sizing.sizing_before.factor_wad(),
            SluiceError::LiquidationLoweredHealth
        );
    }
    position_health(position, loaded, remaining, slot, HealthMode::Maintenance)
}
