//! Kinked (two-slope) interest rate model and borrow-index accrual.

use super::fixed::{apply_bps, mul_div, MathError, MathResult, Rounding, BPS, WAD};

pub const SECONDS_PER_YEAR: u128 = 365 * 24 * 60 * 60;

/// Annual borrow rate as a function of utilisation: `base + slope1 * u / u_opt`
/// below the kink, `base + slope1 + slope2 * (u - u_opt) / (1 - u_opt)` above it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateModel {
    pub base_rate_bps: u32,
    pub optimal_utilization_bps: u32,
    pub slope1_bps: u32,
    pub slope2_bps: u32,
}

/// Utilisation (WAD) of a pool with `borrowed` out of `borrowed + available`.
pub fn utilization_wad(borrowed: u128, available: u128) -> MathResult<u128> {
    let total = borrowed.checked_add(available).ok_or(MathError::Overflow)?;
    if total == 0 {
        return Ok(0);
    }
    mul_div(borrowed, WAD, total, Rounding::Up)
}

impl RateModel {
    /// Annual borrow rate (WAD) at utilisation `util` (WAD, capped at 100%).
    pub fn borrow_rate_wad(&self, util: u128) -> MathResult<u128> {
        let util = util.min(WAD);
        let base = apply_bps(WAD, self.base_rate_bps.into(), Rounding::Up)?;
        let slope1 = apply_bps(WAD, self.slope1_bps.into(), Rounding::Up)?;
        let slope2 = apply_bps(WAD, self.slope2_bps.into(), Rounding::Up)?;
        let opt = apply_bps(WAD, self.optimal_utilization_bps.into(), Rounding::Down)?;
        if opt == 0 || opt >= WAD {
            return Err(MathError::DivideByZero);
        }
        let rate = if util <= opt {
            base + mul_div(slope1, util, opt, Rounding::Up)?
        } else {
            base + slope1 + mul_div(slope2, util - opt, WAD - opt, Rounding::Up)?
        };
        Ok(rate)
    }
}

/// New borrow index after `elapsed` seconds at `annual_rate` (WAD): simple
/// interest over the interval, compounded at every accrual, rounded up so the
/// index never lags what borrowers owe.
pub fn accrue_index(index: u128, annual_rate: u128, elapsed: u64) -> MathResult<u128> {
    let growth = mul_div(
        annual_rate,
        u128::from(elapsed),
        SECONDS_PER_YEAR,
        Rounding::Up,
    )?;
    let factor = WAD.checked_add(growth).ok_or(MathError::Overflow)?;
    mul_div(index, factor, WAD, Rounding::Up)
}

/// The protocol's (insurance) share of `interest`, rounded down so lenders are
/// never charged more than the reserve factor.
pub fn reserve_share(interest: u128, reserve_factor_bps: u16) -> MathResult<u128> {
    mul_div(interest, reserve_factor_bps.into(), BPS, Rounding::Down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const M: RateModel = RateModel {
        base_rate_bps: 100,
        optimal_utilization_bps: 8000,
        slope1_bps: 400,
        slope2_bps: 7500,
    };

    #[test]
    fn kink_values() {
        assert_eq!(M.borrow_rate_wad(0).unwrap(), WAD / 100); // allow: test-only
        assert_eq!(M.borrow_rate_wad(WAD * 8 / 10).unwrap(), WAD / 20); // allow: test-only
        assert_eq!(M.borrow_rate_wad(WAD).unwrap(), WAD / 20 + WAD * 3 / 4); // allow: test-only
    }

    #[test]
    fn one_year_at_ten_percent() {
        let i = accrue_index(WAD, WAD / 10, SECONDS_PER_YEAR as u64).unwrap(); // allow: test-only
        assert_eq!(i, WAD + WAD / 10);
    }

    proptest! {
        #[test]
        fn rate_monotone_in_utilization(a in 0u128..=WAD, b in 0u128..=WAD) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(M.borrow_rate_wad(lo).unwrap() <= M.borrow_rate_wad(hi).unwrap()); // allow: test-only
        }

        #[test]
        fn accrual_is_monotone(
            index in WAD..=1000 * WAD,
            rate in 0u128..=10 * WAD,
            dt1 in 0u64..=SECONDS_PER_YEAR as u64,
            dt2 in 0u64..=SECONDS_PER_YEAR as u64,
        ) {
            let a = accrue_index(index, rate, dt1).unwrap(); // allow: test-only
            prop_assert!(a >= index);
            let (lo, hi) = if dt1 <= dt2 { (dt1, dt2) } else { (dt2, dt1) };
            prop_assert!(accrue_index(index, rate, lo).unwrap() <= accrue_index(index, rate, hi).unwrap()); // allow: test-only
            // Accruing in two steps never yields less than in one step.
            let two = accrue_index(accrue_index(index, rate, dt1).unwrap(), rate, dt2).unwrap(); // allow: test-only
            prop_assert!(two >= accrue_index(index, rate, dt1 + dt2).unwrap()); // allow: test-only
        }
    }
}
