//! Sizing a partial liquidation.
//!
//! Let `W` be the position's threshold-weighted collateral value, `D` its debt
//! value, `t` the threshold of the collateral seized, `c = 1 + bonus + incentive`
//! the collateral value taken per unit of debt retired, and `h` the target
//! health. Retiring debt worth `R` and seizing collateral worth `c R` gives
//! `h' = (W - c t R) / (D - R)`. Solving `h' = h`:
//!
//! `R = (h D - W) / (h - c t)`.
//!
//! Retiring debt raises health only while `W / D > c t`. Below that (the
//! position is too deep under water for a bonus to be paid out of its
//! collateral) a partial liquidation would *lower* health and start the toxic
//! spiral; that case is flagged `toxic` and takes the whole collateral leg, so
//! what the auction cannot raise becomes bad debt for the insurance buffer.
//!
//! Every amount rounds so the borrower never loses more than the curve says:
//! collateral is always derived from the debt retired, rounded down.

use super::fixed::{mul_div, to_u64, MathResult, Rounding, BPS};
use super::price::value_wad;

#[derive(Clone, Copy, Debug)]
pub struct LiquidationInput {
    /// Whole position, liquidation (maintenance) view, WAD USD.
    pub weighted_collateral: u128,
    pub debt_value: u128,
    /// The collateral leg seized from.
    pub collateral_amount: u64,
    pub collateral_price: u128,
    pub threshold_bps: u16,
    /// The debt leg retired (amount owed, rounded up).
    pub debt_amount: u64,
    pub debt_price: u128,
    /// Health to restore, >= 10_000.
    pub target_health_bps: u16,
    /// Penalty (auction) or liquidator discount (instant).
    pub bonus_bps: u16,
    /// Collateral paid to the keeper who triggers the liquidation.
    pub incentive_bps: u16,
    /// Largest share of the debt leg one call may retire (10_000 = no limit).
    pub close_factor_bps: u16,
    /// Collateral that may still be seized now (per-slot sell cap and circuit breaker).
    pub cap: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidationPlan {
    /// Debt (base units of the debt mint) taken off the position.
    pub repay: u64,
    /// Collateral that goes to the auction (or to the liquidator, instant mode).
    pub lot: u64,
    /// Collateral paid to the keeper.
    pub keeper: u64,
    /// Partial liquidation could not raise health: the whole leg was taken.
    pub toxic: bool,
    /// The seizure was cut short by `cap`.
    pub capped: bool,
}

/// `c` in bps: 10_000 + bonus + incentive.
fn c_bps(i: &LiquidationInput) -> u128 {
    BPS + u128::from(i.bonus_bps) + u128::from(i.incentive_bps)
}

/// Collateral (lot, keeper) for retiring `repay` debt units, rounded down.
pub fn seize_for_repay(i: &LiquidationInput, repay: u64) -> MathResult<(u64, u64)> {
    let repay_value = value_wad(repay.into(), i.debt_price, Rounding::Down)?;
    let lot_value = mul_div(
        repay_value,
        BPS + u128::from(i.bonus_bps),
        BPS,
        Rounding::Down,
    )?;
    let keeper_value = mul_div(repay_value, i.incentive_bps.into(), BPS, Rounding::Down)?;
    let lot = mul_div(lot_value, 1, i.collateral_price, Rounding::Down)?;
    let keeper = mul_div(keeper_value, 1, i.collateral_price, Rounding::Down)?;
    Ok((to_u64(lot)?, to_u64(keeper)?))
}

/// Largest debt retirement whose seizure fits in `max_seize` collateral units.
pub fn repay_for_seize(i: &LiquidationInput, max_seize: u64) -> MathResult<u64> {
    let value = value_wad(max_seize.into(), i.collateral_price, Rounding::Down)?;
    let repay_value = mul_div(value, BPS, c_bps(i), Rounding::Down)?;
    to_u64(mul_div(repay_value, 1, i.debt_price, Rounding::Down)?)
}

pub fn plan(i: &LiquidationInput) -> MathResult<LiquidationPlan> {
    let mut out = LiquidationPlan::default();
    if i.debt_value == 0 || i.debt_amount == 0 || i.collateral_amount == 0 {
        return Ok(out);
    }
    let c = c_bps(i);
    let t = u128::from(i.threshold_bps);
    let h = u128::from(i.target_health_bps);
    // toxic: W / D <= c t  <=>  W * BPS^2 <= D * c * t
    let lhs = mul_div(i.weighted_collateral, BPS * BPS, 1, Rounding::Down)?;
    let rhs = mul_div(i.debt_value, c * t, 1, Rounding::Up)?;
    let mut repay = if lhs <= rhs {
        out.toxic = true;
        i.debt_amount
    } else {
        let target_debt = mul_div(i.debt_value, h, BPS, Rounding::Up)?;
        let gap = target_debt.saturating_sub(i.weighted_collateral);
        // (h - c t) in BPS^2 units; > 0 because h >= 1 and c t < 1 is enforced.
        let denom = (h * BPS).saturating_sub(c * t).max(1);
        let repay_value = mul_div(gap, BPS * BPS, denom, Rounding::Up)?;
        let tokens = mul_div(repay_value, 1, i.debt_price, Rounding::Up)?;
        to_u64(tokens.min(i.debt_amount.into()))?
    };
    // the seizure may not exceed the leg or the cap
    let limit = i.collateral_amount.min(i.cap);
    out.capped = i.cap < i.collateral_amount;
    if out.toxic {
        // hand the whole leg (up to the cap) to the auction, against the debt it covers
        out.repay = repay.min(repay_for_seize(i, limit)?);
        out.keeper = seize_for_repay(i, out.repay)?.1;
        out.lot = limit.saturating_sub(out.keeper);
        return Ok(out);
    }
    let close_cap = to_u64(mul_div(
        i.debt_amount.into(),
        i.close_factor_bps.into(),
        BPS,
        Rounding::Down,
    )?)?;
    repay = repay.min(close_cap);
    let (lot, keeper) = seize_for_repay(i, repay)?;
    if u128::from(lot) + u128::from(keeper) > u128::from(limit) {
        repay = repay.min(repay_for_seize(i, limit)?);
    } else {
        out.capped = false;
    }
    let (lot, keeper) = seize_for_repay(i, repay)?;
    out.repay = repay;
    out.lot = lot;
    out.keeper = keeper;
    Ok(out)
}

/// A plan whose debt retirement costs at most `budget` debt units (a buffer
/// pool's free balance): the seizure is capped at what `budget` retires, and
/// where rounding lets the plan retire a unit more, the retirement is cut
/// back to `budget` and its collateral recomputed (rounded down).
pub fn plan_within_budget(i: &LiquidationInput, budget: u64) -> MathResult<LiquidationPlan> {
    let (lot, keeper) = seize_for_repay(i, budget)?;
    let cap = i.cap.min(lot.saturating_add(keeper));
    let mut out = plan(&LiquidationInput { cap, ..*i })?;
    if out.repay > budget {
        out.repay = budget;
        (out.lot, out.keeper) = seize_for_repay(i, budget)?;
        out.capped = true;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::WAD;
    use proptest::prelude::*;

    /// 10 SOL (9 dp) at $100 against USDC (6 dp) debt, threshold 80%.
    fn base(debt_usd: u64) -> LiquidationInput {
        let coll_price = 100 * WAD / 1_000_000_000;
        let debt_price = WAD / 1_000_000;
        let collateral_amount = 10_000_000_000u64;
        let debt_amount = debt_usd * 1_000_000;
        LiquidationInput {
            weighted_collateral: 1_000 * WAD * 8_000 / 10_000,
            debt_value: u128::from(debt_usd) * WAD,
            collateral_amount,
            collateral_price: coll_price,
            threshold_bps: 8_000,
            debt_amount,
            debt_price,
            target_health_bps: 10_500,
            bonus_bps: 500,
            incentive_bps: 50,
            close_factor_bps: 10_000,
            cap: u64::MAX,
        }
    }

    fn health_after(i: &LiquidationInput, p: &LiquidationPlan) -> (u128, u128) {
        let seized = u128::from(p.lot) + u128::from(p.keeper);
        let w_drop = mul_div(
            seized * i.collateral_price,
            i.threshold_bps.into(),
            BPS,
            Rounding::Up,
        )
        .unwrap(); // allow: test-only, cfg(test) module
        let d_drop = u128::from(p.repay) * i.debt_price;
        (
            i.weighted_collateral.saturating_sub(w_drop),
            i.debt_value.saturating_sub(d_drop),
        )
    }

    #[test]
    fn partial_liquidation_restores_target() {
        let i = base(850); // h = 800 / 850 = 0.94
        let p = plan(&i).unwrap(); // allow: test-only, cfg(test) module
        assert!(!p.toxic && !p.capped);
        let (w, d) = health_after(&i, &p);
        let h = w * 10_000 / d;
        assert!(
            (10_490..=10_510).contains(&h),
            "health after {h}, plan {p:?}"
        );
        // only part of the debt was taken: (1.05 x 850 - 800) / (1.05 - 1.055 x 0.8) = $449
        assert!(p.repay < i.debt_amount, "{p:?}");
        assert!((449_000_000..449_100_000).contains(&p.repay), "{p:?}");
    }

    #[test]
    fn cap_clips_the_seizure_and_the_debt_with_it() {
        let mut i = base(850);
        i.cap = 1_000_000_000; // 1 SOL
        let p = plan(&i).unwrap(); // allow: test-only, cfg(test) module
        assert!(p.capped);
        assert!(p.lot + p.keeper <= i.cap);
        // $100 seized buys $100 / 1.055 of debt
        assert!((94_700_000..=94_800_000).contains(&p.repay), "{p:?}");
    }

    #[test]
    fn underwater_position_is_toxic_and_takes_the_leg() {
        let i = base(1_100); // collateral $1000 < debt
        let p = plan(&i).unwrap(); // allow: test-only, cfg(test) module
        assert!(p.toxic);
        assert_eq!(p.lot + p.keeper, i.collateral_amount);
        assert!(p.repay <= i.debt_amount);
    }

    #[test]
    fn close_factor_limits_instant_liquidations() {
        let mut i = base(850);
        i.close_factor_bps = 1_000;
        i.target_health_bps = 20_000;
        let p = plan(&i).unwrap(); // allow: test-only, cfg(test) module
        assert_eq!(p.repay, 85_000_000);
    }

    proptest! {
        /// Seizure stays within the cap and the leg; a solvent (non-toxic)
        /// position's health never falls; debt retired never exceeds debt owed.
        #[test]
        fn plan_respects_cap_and_never_lowers_solvent_health(
            coll_units in 1u64..1_000_000_000_000_000,
            coll_price in 1u128..1_000_000_000_000_000,
            debt_units in 1u64..1_000_000_000_000_000,
            debt_price in 1u128..1_000_000_000_000_000,
            threshold in 5_000u16..9_000,
            bonus in 0u16..1_000,
            incentive in 0u16..100,
            target in 10_000u16..12_000,
            cap in 0u64..u64::MAX,
            close in 1u16..=10_000,
        ) {
            let coll_value = u128::from(coll_units) * coll_price;
            let weighted = coll_value * u128::from(threshold) / 10_000;
            let debt_value = u128::from(debt_units) * debt_price;
            prop_assume!(weighted < debt_value); // liquidatable
            prop_assume!(u128::from(threshold) * (10_000 + u128::from(bonus) + u128::from(incentive)) < 100_000_000);
            let i = LiquidationInput {
                weighted_collateral: weighted,
                debt_value,
                collateral_amount: coll_units,
                collateral_price: coll_price,
                threshold_bps: threshold,
                debt_amount: debt_units,
                debt_price,
                target_health_bps: target,
                bonus_bps: bonus,
                incentive_bps: incentive,
                close_factor_bps: close,
                cap,
            };
            let p = plan(&i).unwrap(); // allow: test-only, cfg(test) module
            prop_assert!(p.lot + p.keeper <= cap.min(coll_units));
            prop_assert!(p.repay <= debt_units);
            if !p.toxic && p.repay > 0 {
                let (w, d) = health_after(&i, &p);
                // h' >= h  <=>  w * D >= W * d
                prop_assert!(
                    primitive_types_mul(w, debt_value) >= primitive_types_mul(weighted, d),
                    "health fell: {:?}", p
                );
            }
        }
    }

    fn primitive_types_mul(a: u128, b: u128) -> crate::math::fixed::U256 {
        crate::math::fixed::U256::from(a) * crate::math::fixed::U256::from(b)
    }

    proptest! {
        /// The buffer never retires more than its balance, never seizes
        /// more than the leg, and pays no more than the collateral's price.
        #[test]
        fn a_budgeted_plan_stays_within_budget_leg_and_price(
            debt_usd in 500u64..2_000,
            budget in 0u64..3_000_000_000,
            bonus in 1u16..1_000,
        ) {
            let i = LiquidationInput { bonus_bps: bonus, ..base(debt_usd) };
            let p = plan_within_budget(&i, budget).unwrap(); // allow: test-only
            prop_assert!(p.repay <= budget);
            prop_assert!(u128::from(p.lot) + u128::from(p.keeper) <= u128::from(i.collateral_amount));
            // debt value paid <= collateral value received (at the sizing price)
            let paid = u128::from(p.repay) * i.debt_price;
            let got = u128::from(p.lot) * i.collateral_price;
            prop_assert!(p.repay == 0 || paid <= got, "{p:?}");
        }
    }
}
