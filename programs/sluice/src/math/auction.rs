//! Dutch auction price curves. A lot's price holds at `start` until the
//! (jittered) decay start, then falls every slot (linear) or every step
//! (exponential step) and never goes below `floor`.

use super::fixed::{mul_div, MathResult, Rounding, BPS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// Falls from start to floor over `duration_slots`.
    Linear { duration_slots: u64 },
    /// Multiplied by `(1 - step_bps)` every `step_slots`.
    ExpStep { step_slots: u64, step_bps: u16 },
}

/// Unit price at `now` for an auction whose decay starts at `decay_start`.
pub fn price_at(
    start: u128,
    floor: u128,
    curve: Curve,
    decay_start: u64,
    now: u64,
) -> MathResult<u128> {
    if start <= floor {
        return Ok(floor);
    }
    let elapsed = now.saturating_sub(decay_start);
    let p = match curve {
        Curve::Linear { duration_slots } => {
            if duration_slots == 0 || elapsed >= duration_slots {
                floor
            } else {
                // start - (start - floor) * elapsed / duration, the decrement rounded down
                let drop = mul_div(
                    start - floor,
                    u128::from(elapsed),
                    u128::from(duration_slots),
                    Rounding::Down,
                )?;
                start - drop
            }
        }
        Curve::ExpStep {
            step_slots,
            step_bps,
        } => {
            let steps = elapsed.checked_div(step_slots).unwrap_or(u64::MAX);
            // closed form: start x (1 - step)^steps in O(log steps) 128-bit
            // multiplications and shifts; every product rounds up, so the
            // price falls no faster than the curve
            let factor = decay_factor_q64(step_bps, steps);
            match start.checked_mul(factor) {
                Some(p) => (p >> 64) + u128::from(p & (Q64 - 1) != 0),
                None => mul_div(start, factor, Q64, Rounding::Up)?,
            }
        }
    };
    Ok(p.max(floor))
}

/// One in Q64.64 fixed point (the decay factor's scale: its products are
/// shifts, not divisions).
const Q64: u128 = 1 << 64;

/// `(1 - step_bps / 10_000)^n` in Q64.64, each product rounded up: never
/// below the exact power. O(log n) 128-bit multiplications and shifts;
/// `base < 2^64` and `acc <= 2^64`, so no product overflows.
pub fn decay_factor_q64(step_bps: u16, mut n: u64) -> u128 {
    let keep = BPS.saturating_sub(u128::from(step_bps));
    // ceil(keep / BPS * 2^64); keep < BPS, so base < 2^64
    let mut base = (keep << 64).div_ceil(BPS);
    let mut acc = Q64;
    let mul = |a: u128, b: u128| {
        let p = a * b; // a <= 2^64, b < 2^64
        (p >> 64) + u128::from(p & (Q64 - 1) != 0)
    };
    while n > 0 && acc > 0 {
        if n & 1 == 1 {
            acc = mul(acc, base);
        }
        n >>= 1;
        if n > 0 {
            base = mul(base, base);
        }
    }
    acc
}

/// What a taker pays for `amount` base units at `unit_price` (WAD debt
/// base units per collateral base unit): rounded up, in the protocol's favour.
pub fn cost(amount: u64, unit_price: u128) -> MathResult<u128> {
    mul_div(u128::from(amount), unit_price, super::WAD, Rounding::Up)
}

/// Largest collateral amount whose cost does not exceed `budget` debt units.
pub fn amount_for_budget(budget: u128, unit_price: u128) -> MathResult<u128> {
    mul_div(budget, super::WAD, unit_price, Rounding::Down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn linear_decays_to_floor() {
        let c = Curve::Linear {
            duration_slots: 100,
        };
        assert_eq!(price_at(1_000, 500, c, 10, 5).unwrap(), 1_000); // allow: test-only (before decay start)
        assert_eq!(price_at(1_000, 500, c, 10, 10).unwrap(), 1_000); // allow: test-only
        assert_eq!(price_at(1_000, 500, c, 10, 60).unwrap(), 750); // allow: test-only
        assert_eq!(price_at(1_000, 500, c, 10, 110).unwrap(), 500); // allow: test-only
        assert_eq!(price_at(1_000, 500, c, 10, 10_000).unwrap(), 500); // allow: test-only
    }

    #[test]
    fn exp_step_decays_by_steps() {
        let c = Curve::ExpStep {
            step_slots: 10,
            step_bps: 1_000,
        };
        assert_eq!(price_at(1_000, 1, c, 0, 9).unwrap(), 1_000); // allow: test-only
                                                                 // never below the exact curve, at most one unit above it
        assert!((900..=901).contains(&price_at(1_000, 1, c, 0, 10).unwrap())); // allow: test-only
        assert!((810..=811).contains(&price_at(1_000, 1, c, 0, 25).unwrap())); // allow: test-only
        assert_eq!(price_at(1_000, 700, c, 0, 1_000).unwrap(), 700); // allow: test-only
    }

    #[test]
    fn exp_step_is_closed_form_even_for_tiny_steps() {
        // 1 bp per slot for a year of slots: no loop, and it ends at the floor
        let c = Curve::ExpStep {
            step_slots: 1,
            step_bps: 1,
        };
        let start = 1_000_000_000_000_000_000u128;
        assert_eq!(
            price_at(start, start / 2, c, 0, 78_840_000).unwrap(), // allow: test-only
            start / 2
        );
        // 0.9999^6931 ~ 0.5: just above half after 6,931 steps
        let p = price_at(start, 0, c, 0, 6_931).unwrap(); // allow: test-only
        assert!(p > start / 2 && p < start / 2 + start / 1_000, "{p}");
    }

    proptest! {
        /// The closed form stays within a relative 1e-9 of the step-by-step
        /// curve (each step rounded up) wherever an auction can be.
        #[test]
        fn closed_form_matches_stepping(
            start in 1_000_000u128..1_000_000_000_000_000_000_000,
            step_bps in 1u16..5_000,
            steps in 0u64..300,
        ) {
            let mut p = start;
            for _ in 0..steps {
                p = mul_div(p, BPS - u128::from(step_bps), BPS, Rounding::Up).unwrap(); // allow: test-only
            }
            let c = Curve::ExpStep { step_slots: 1, step_bps };
            let q = price_at(start, 0, c, 0, steps).unwrap(); // allow: test-only
            // auctions live above their floor (>= 10% of the start): check
            // the regime down to 0.1% of it
            if p >= start / 1_000 {
                prop_assert!(q.abs_diff(p) <= p / 1_000_000_000 + 2, "{q} vs {p}");
            }
        }
    }

    #[test]
    fn cost_rounds_up() {
        // 3 units at 1/3 debt unit each costs 1, at 0.34 costs 2 (1.02 rounded up)
        assert_eq!(cost(3, super::super::WAD / 3).unwrap(), 1); // allow: test-only
        assert_eq!(cost(3, 34 * super::super::WAD / 100).unwrap(), 2); // allow: test-only
    }

    fn curve() -> impl Strategy<Value = Curve> {
        prop_oneof![
            (1u64..10_000).prop_map(|d| Curve::Linear { duration_slots: d }),
            (1u64..100, 1u16..5_000).prop_map(|(s, b)| Curve::ExpStep {
                step_slots: s,
                step_bps: b
            }),
        ]
    }

    proptest! {
        /// The price never rises with time and never leaves [floor, start].
        #[test]
        fn monotone_and_bounded(
            start in 1u128..1_000_000_000_000_000_000_000,
            floor_frac in 0u128..10_000,
            c in curve(),
            decay_start in 0u64..1_000,
            t1 in 0u64..20_000,
            dt in 0u64..20_000,
        ) {
            let floor = start * floor_frac / 10_000;
            let p1 = price_at(start, floor, c, decay_start, t1).unwrap(); // allow: test-only
            let p2 = price_at(start, floor, c, decay_start, t1 + dt).unwrap(); // allow: test-only
            prop_assert!(p2 <= p1);
            prop_assert!(p1 <= start && p1 >= floor);
            prop_assert!(p2 >= floor);
        }

        /// Buying the budget's amount never costs more than the budget.
        #[test]
        fn budget_amount_affordable(budget in 0u128..1_000_000_000_000_000, price in 1u128..1_000_000_000_000_000_000_000) {
            let amt = amount_for_budget(budget, price).unwrap(); // allow: test-only
            if let Ok(a) = u64::try_from(amt) {
                prop_assert!(cost(a, price).unwrap() <= budget); // allow: test-only
            }
        }
    }
}
