//! Depth -> largest sale whose price impact stays within a slippage bound.
//!
//! Constant product (x * y = k): selling `dx` of X moves X's price by
//! `(x / (x + dx))^2`. Keeping that above `1 - s` gives
//! `dx_max = x * (1 / sqrt(1 - s) - 1)`.
//!
//! Concentrated liquidity (Whirlpool, within the current tick range, price
//! `P = B per A`, `sqrt_price` in Q64.64): selling A lowers `sqrt P`,
//! `dA = L * (1/sqrt(P') - 1/sqrt(P))`, and `P' = P (1 - s)` gives
//! `dA_max = L / sqrt(P) * (1 / sqrt(1 - s) - 1)`. Selling B raises `sqrt P`,
//! `dB = L * (sqrt(P') - sqrt(P))` with `1/P' = (1 - s)/P`, giving
//! `dB_max = L * sqrt(P) * (1 / sqrt(1 - s) - 1)`.
//!
//! Every result is rounded down: the cap is never overstated.
//!
//! Depth read in the liquidating transaction can be inflated inside that
//! transaction (swap in, liquidate, swap out; or just-in-time liquidity), so
//! the cap a liquidation uses comes from depth observed in earlier slots,
//! filtered by [`rise_limited`]: an estimate falls to any lower observation
//! at once but rises by at most `rise_bps` per slot that observed depth.

use super::fixed::{mul_div, MathError, MathResult, Rounding, BPS, WAD};

/// Integer square root (floor).
pub fn isqrt(n: u128) -> u128 {
    if n < 2 {
        return n;
    }
    // Newton from an upper bound; converges monotonically downwards.
    let mut x = 1u128 << (64 - (n.leading_zeros() / 2)).min(127);
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// `1 / sqrt(1 - s) - 1`, WAD-scaled, rounded down, for `s` in bps (< 10_000).
pub fn impact_factor_wad(slippage_bps: u16) -> MathResult<u128> {
    let s = u128::from(slippage_bps);
    if s >= BPS {
        return Err(MathError::Overflow);
    }
    // sqrt((1 - s) * WAD^2), rounded up so the factor rounds down.
    let inner = WAD * (BPS - s) / BPS * WAD; // <= 1e36, fits u128
    let mut root = isqrt(inner);
    if root * root < inner {
        root += 1;
    }
    let inv = mul_div(WAD, WAD, root, Rounding::Down)?;
    Ok(inv.saturating_sub(WAD))
}

/// Largest sale into a constant-product pool holding `reserve` of the sold token.
pub fn constant_product_max_sell(reserve: u64, slippage_bps: u16) -> MathResult<u64> {
    let f = impact_factor_wad(slippage_bps)?;
    let dx = mul_div(u128::from(reserve), f, WAD, Rounding::Down)?;
    Ok(u64::try_from(dx).unwrap_or(u64::MAX))
}

/// Largest sale of token A (`sell_a`) or token B into a concentrated-liquidity
/// pool at `liquidity` and `sqrt_price_x64`, within the current range.
pub fn clmm_max_sell(
    liquidity: u128,
    sqrt_price_x64: u128,
    sell_a: bool,
    slippage_bps: u16,
) -> MathResult<u64> {
    if sqrt_price_x64 == 0 {
        return Err(MathError::DivideByZero);
    }
    let f = impact_factor_wad(slippage_bps)?;
    let l_scaled = mul_div(liquidity, f, WAD, Rounding::Down)?;
    let amount = if sell_a {
        mul_div(l_scaled, 1u128 << 64, sqrt_price_x64, Rounding::Down)?
    } else {
        mul_div(l_scaled, sqrt_price_x64, 1u128 << 64, Rounding::Down)?
    };
    Ok(u64::try_from(amount).unwrap_or(u64::MAX))
}

/// The depth estimate after one slot's observation: any fall is taken at
/// once, a rise by at most `rise_bps` of the previous estimate (rounded
/// down). An estimate of zero (nothing to grow from) takes the observation.
pub fn rise_limited(estimate: u64, observed: u64, rise_bps: u16) -> u64 {
    if estimate == 0 {
        return observed;
    }
    let step = u128::from(estimate) * u128::from(rise_bps) / BPS;
    let ceiling = u128::from(estimate).saturating_add(step);
    u64::try_from(ceiling.min(u128::from(observed))).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn isqrt_exact_and_floor() {
        assert_eq!(isqrt(0), 0);
        assert_eq!(isqrt(1), 1);
        assert_eq!(isqrt(15), 3);
        assert_eq!(isqrt(16), 4);
        assert_eq!(isqrt(u128::MAX), u64::MAX as u128);
    }

    #[test]
    fn factor_matches_closed_form() {
        // s = 1%: 1/sqrt(0.99) - 1 = 0.0050378...
        let f = impact_factor_wad(100).unwrap(); // allow: test-only
        assert!(
            (5_037_000_000_000_000..5_038_000_000_000_000).contains(&f),
            "{f}"
        );
        assert_eq!(impact_factor_wad(0).unwrap(), 0); // allow: test-only
        assert!(impact_factor_wad(10_000).is_err());
    }

    #[test]
    fn constant_product_sale_at_cap_has_impact_within_bound() {
        let x = 1_000_000_000_000u64; // reserve of the sold token
        let y = 100_000_000_000_000u128;
        let dx = constant_product_max_sell(x, 200).unwrap(); // allow: test-only
                                                             // price after / before = (x / (x + dx))^2 >= 0.98
        let ratio = (x as f64 / (x as f64 + dx as f64)).powi(2);
        assert!((0.98..0.9801).contains(&ratio), "{ratio}");
        let _ = y;
    }

    #[test]
    fn clmm_sale_at_cap_has_impact_within_bound() {
        // P = 100 (B per A): sqrt = 10, Q64.64
        let sqrt_p = 10u128 << 64;
        let l = 1_000_000_000_000u128;
        let da = clmm_max_sell(l, sqrt_p, true, 100).unwrap() as f64; // allow: test-only
                                                                      // 1/sqrt(P') = 1/sqrt(P) + dA / L
        let inv_new = 0.1 + da / l as f64;
        let p_new = 1.0 / (inv_new * inv_new);
        assert!((0.99..0.9901).contains(&(p_new / 100.0)), "{p_new}");
        let db = clmm_max_sell(l, sqrt_p, false, 100).unwrap() as f64; // allow: test-only
        let sqrt_new = 10.0 + db / l as f64;
        let price_of_b_ratio = (10.0 / sqrt_new).powi(2);
        assert!((0.99..0.9901).contains(&price_of_b_ratio));
    }

    #[test]
    fn estimate_falls_at_once_and_rises_by_the_bound() {
        assert_eq!(rise_limited(1_000, 10, 500), 10);
        assert_eq!(rise_limited(1_000, 5_000, 500), 1_050);
        assert_eq!(rise_limited(1_000, 1_020, 500), 1_020);
        assert_eq!(rise_limited(0, 7_777, 500), 7_777);
        assert_eq!(rise_limited(u64::MAX, u64::MAX, 500), u64::MAX);
        // a 5x inflation needs 33 slots of uncontested observations at 5%
        let (mut e, mut slots) = (1_000_000u64, 0);
        while e < 5_000_000 {
            e = rise_limited(e, 5_000_000, 500);
            slots += 1;
        }
        assert_eq!(slots, 33);
    }

    proptest! {
        /// One slot's observation never lifts the estimate by more than the
        /// bound and never leaves it above the observation.
        #[test]
        fn rise_is_bounded(e in 1u64..u64::MAX / 2, o in any::<u64>(), r in 0u16..10_000) {
            let n = rise_limited(e, o, r);
            prop_assert!(n <= o);
            prop_assert!(u128::from(n) * BPS <= u128::from(e) * (BPS + u128::from(r)));
            prop_assert!(n >= o.min(e));
        }

        #[test]
        fn isqrt_is_floor(n in any::<u128>()) {
            let r = isqrt(n);
            prop_assert!(r.checked_mul(r).is_some_and(|sq| sq <= n));
            prop_assert!((r + 1).checked_mul(r + 1).is_none_or(|sq| sq > n));
        }

        /// Selling the cap never moves a constant-product price by more than the bound.
        #[test]
        fn cp_cap_respects_bound(x in 1_000u64..1_000_000_000_000_000, s in 1u16..5_000) {
            let dx = constant_product_max_sell(x, s).unwrap(); // allow: test-only
            // (x/(x+dx))^2 >= 1 - s  <=>  x^2 * 1e4 >= (1e4 - s) (x+dx)^2
            let lhs = primitive(x) * primitive(x) * 10_000;
            let rhs = (10_000 - u128::from(s)) * (primitive(x) + primitive(dx)).pow(2);
            prop_assert!(lhs >= rhs);
        }

        /// More depth or more tolerated slippage never shrinks the cap.
        #[test]
        fn cap_monotone(x in 1u64..1_000_000_000_000, s in 1u16..4_999) {
            let a = constant_product_max_sell(x, s).unwrap(); // allow: test-only
            prop_assert!(constant_product_max_sell(x, s + 1).unwrap() >= a); // allow: test-only
            prop_assert!(constant_product_max_sell(x.saturating_mul(2), s).unwrap() >= a); // allow: test-only
        }
    }

    fn primitive(v: u64) -> u128 {
        u128::from(v)
    }
}
