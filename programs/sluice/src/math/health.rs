//! Position health. Collateral counts at `amount * price * weight`, rounded
//! down; debt at `amount * price`, rounded up. A position is healthy when
//! weighted collateral covers debt.

use super::fixed::{apply_bps, checked_add, mul_div, MathResult, Rounding, WAD};
use super::price::value_wad;

/// One collateral entry as seen by the health check.
#[derive(Clone, Copy, Debug, Default)]
pub struct CollateralLeg {
    pub amount: u128,
    pub unit_price: u128,
    /// LTV for opening risk, liquidation threshold for liquidation.
    pub weight_bps: u16,
}

/// One debt entry: `amount` in base units, already rounded up.
#[derive(Clone, Copy, Debug, Default)]
pub struct DebtLeg {
    pub amount: u128,
    pub unit_price: u128,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Sum of collateral values times their weights (WAD USD, rounded down).
    pub weighted_collateral: u128,
    /// Sum of unweighted collateral values (WAD USD, rounded down).
    pub collateral_value: u128,
    /// Sum of debt values (WAD USD, rounded up).
    pub debt_value: u128,
}

impl Health {
    pub fn compute(collateral: &[CollateralLeg], debt: &[DebtLeg]) -> MathResult<Health> {
        let mut h = Health::default();
        for c in collateral {
            let v = value_wad(c.amount, c.unit_price, Rounding::Down)?;
            h.collateral_value = checked_add(h.collateral_value, v)?;
            let w = apply_bps(v, c.weight_bps.into(), Rounding::Down)?;
            h.weighted_collateral = checked_add(h.weighted_collateral, w)?;
        }
        for d in debt {
            let v = value_wad(d.amount, d.unit_price, Rounding::Up)?;
            h.debt_value = checked_add(h.debt_value, v)?;
        }
        Ok(h)
    }

    pub fn is_healthy(&self) -> bool {
        self.weighted_collateral >= self.debt_value
    }

    /// Weighted collateral / debt, WAD-scaled, rounded down; `u128::MAX` when
    /// there is no debt.
    pub fn factor_wad(&self) -> u128 {
        if self.debt_value == 0 {
            return u128::MAX;
        }
        mul_div(
            self.weighted_collateral,
            WAD,
            self.debt_value,
            Rounding::Down,
        )
        .unwrap_or(u128::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(c_amt: u64, c_px: u64, w: u16, d_amt: u64, d_px: u64) -> Health {
        Health::compute(
            &[CollateralLeg {
                amount: c_amt.into(),
                unit_price: c_px.into(),
                weight_bps: w,
            }],
            &[DebtLeg {
                amount: d_amt.into(),
                unit_price: d_px.into(),
            }],
        )
        .unwrap() // allow: test-only
    }

    #[test]
    fn boundary_is_healthy() {
        // 100 collateral at 1.0 with 80% weight exactly covers 80 of debt.
        assert!(h(100, 1, 8000, 80, 1).is_healthy());
        assert!(!h(100, 1, 8000, 81, 1).is_healthy());
        assert_eq!(h(100, 1, 8000, 80, 1).factor_wad(), WAD);
        assert_eq!(h(1, 1, 8000, 0, 1).factor_wad(), u128::MAX);
    }

    proptest! {
        /// Raising the collateral price never lowers health; raising the debt
        /// price never raises it.
        #[test]
        fn health_is_monotone_in_price(
            c_amt in 0u64..u64::MAX / 2, d_amt in 0u64..u64::MAX / 2,
            p1 in 1u64..1_000_000_000_000, p2 in 1u64..1_000_000_000_000,
            dp in 1u64..1_000_000_000_000, w in 0u16..=10_000,
        ) {
            let (lo, hi) = if p1 <= p2 { (p1, p2) } else { (p2, p1) };
            let a = h(c_amt, lo, w, d_amt, dp);
            let b = h(c_amt, hi, w, d_amt, dp);
            prop_assert!(b.weighted_collateral >= a.weighted_collateral);
            prop_assert!(b.factor_wad() >= a.factor_wad());
            prop_assert!(!a.is_healthy() || b.is_healthy());
            let c = h(c_amt, dp, w, d_amt, lo);
            let d = h(c_amt, dp, w, d_amt, hi);
            prop_assert!(d.factor_wad() <= c.factor_wad());
            prop_assert!(!d.is_healthy() || c.is_healthy());
        }
    }
}
