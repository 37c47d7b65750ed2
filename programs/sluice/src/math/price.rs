//! Oracle price -> protocol unit price, and token amount <-> USD value.
//!
//! A *unit price* is the USD value of one base unit (10^-decimals of a token)
//! scaled by `WAD`. Values are USD scaled by `WAD`.

use super::fixed::{mul_div, pow10, MathError, MathResult, Rounding, BPS, WAD};

/// Smallest and largest oracle exponents the protocol accepts.
pub const MIN_EXPO: i32 = -18;
pub const MAX_EXPO: i32 = 0;

/// Converts an oracle mantissa/exponent for a token with `decimals` into a
/// unit price: `mantissa * 10^(expo + 18 - decimals)`.
pub fn unit_price_wad(
    mantissa: u64,
    expo: i32,
    decimals: u8,
    rounding: Rounding,
) -> MathResult<u128> {
    let shift = expo
        .checked_add(18)
        .and_then(|s| s.checked_sub(i32::from(decimals)))
        .ok_or(MathError::Overflow)?;
    let m = u128::from(mantissa);
    if shift >= 0 {
        m.checked_mul(pow10(shift.unsigned_abs())?)
            .ok_or(MathError::Overflow)
    } else {
        mul_div(m, 1, pow10(shift.unsigned_abs())?, rounding)
    }
}

/// USD value (WAD) of `amount` base units at `unit_price`.
pub fn value_wad(amount: u128, unit_price: u128, rounding: Rounding) -> MathResult<u128> {
    // unit_price is already WAD-scaled per base unit: value = amount * price.
    mul_div(amount, unit_price, 1, rounding)
}

/// Base units worth `value` (WAD USD) at `unit_price`.
pub fn amount_for_value(value: u128, unit_price: u128, rounding: Rounding) -> MathResult<u128> {
    mul_div(value, 1, unit_price, rounding)
}

/// `conf / price` in basis points, rounded up (a wide band is never understated).
pub fn conf_bps(conf: u64, price: u64) -> MathResult<u128> {
    mul_div(u128::from(conf), 10_000, u128::from(price), Rounding::Up)
}

/// `|a - b| / min(a, b)` in basis points, rounded up.
pub fn divergence_bps(a: u128, b: u128) -> MathResult<u128> {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    mul_div(hi - lo, 10_000, lo, Rounding::Up)
}

/// Collateral and debt prices for a borrow-side check (opening risk): collateral at
/// the lower of spot and smoothed, debt at the higher.
pub fn borrow_side(spot: u128, smoothed: u128) -> (u128, u128) {
    (spot.min(smoothed), spot.max(smoothed))
}

/// Collateral and debt prices for a liquidation-side check: collateral at the
/// higher of spot and the guard's high, debt at the lower of spot and the
/// guard's low, so a wick in either direction cannot make a position
/// liquidatable. `guard` is (high, low): the TWAP twice, or the extremes that
/// stood over a guard window.
pub fn liquidation_side(spot: u128, (high, low): (u128, u128)) -> (u128, u128) {
    (spot.max(high), spot.min(low))
}

/// One WAD-dollar, for readability in tests and callers.
pub const ONE_USD: u128 = WAD;

/// How much of a collateral price aged `age` seconds a liquidation's
/// eligibility check still trusts, in bps: all of it up to `max_age`, then
/// linearly less, nothing from `2 * max_age` on (rounded down). A price that
/// stops updating (a failing oracle) fades out instead of blocking
/// liquidation, and a keeper who merely skips a quiet pool's refresh gains
/// nothing until the price is well past its age limit.
pub fn stale_weight_bps(age: i64, max_age: i64) -> u16 {
    if age <= max_age {
        return BPS as u16;
    }
    if max_age <= 0 || age >= max_age.saturating_mul(2) {
        return 0;
    }
    let left = i128::from(max_age.saturating_mul(2)) - i128::from(age);
    let bps = left * BPS as i128 / i128::from(max_age);
    u16::try_from(bps).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sol_at_150_with_9_decimals() {
        // Pyth: 150.12345678 USD = 15012345678 * 10^-8.
        let p = unit_price_wad(15_012_345_678, -8, 9, Rounding::Down).unwrap(); // allow: test-only
                                                                                // One SOL (1e9 base units) is worth 150.12345678 USD.
        let v = value_wad(1_000_000_000, p, Rounding::Down).unwrap(); // allow: test-only
        assert_eq!(v, 150_123_456_780_000_000_000);
    }

    #[test]
    fn usdc_at_one_with_6_decimals() {
        let p = unit_price_wad(100_000_000, -8, 6, Rounding::Down).unwrap(); // allow: test-only
        assert_eq!(value_wad(1_000_000, p, Rounding::Down).unwrap(), ONE_USD); // allow: test-only
    }

    #[test]
    fn rounding_direction_on_lossy_conversion() {
        // expo -12 with 0 decimals: shift 6, exact. expo -18 with 9 decimals: shift -9.
        let d = unit_price_wad(1_999_999_999, -18, 9, Rounding::Down).unwrap(); // allow: test-only
        let u = unit_price_wad(1_999_999_999, -18, 9, Rounding::Up).unwrap(); // allow: test-only
        assert_eq!((d, u), (1, 2));
    }

    #[test]
    fn huge_values_overflow_instead_of_wrapping() {
        assert_eq!(
            value_wad(u128::from(u64::MAX), u128::MAX / 2, Rounding::Down),
            Err(MathError::Overflow)
        );
    }

    #[test]
    fn wick_sides() {
        assert_eq!(borrow_side(70, 100), (70, 100));
        assert_eq!(liquidation_side(70, (100, 100)), (100, 70));
        assert_eq!(liquidation_side(95, (90, 60)), (95, 60));
        assert_eq!(divergence_bps(70, 100).unwrap(), 4286); // allow: test-only
    }

    #[test]
    fn stale_weight_fades_from_max_age_to_twice_it() {
        assert_eq!(stale_weight_bps(-5, 60), 10_000);
        assert_eq!(stale_weight_bps(60, 60), 10_000);
        assert_eq!(stale_weight_bps(61, 60), 9_833);
        assert_eq!(stale_weight_bps(90, 60), 5_000);
        assert_eq!(stale_weight_bps(119, 60), 166);
        assert_eq!(stale_weight_bps(120, 60), 0);
        assert_eq!(stale_weight_bps(i64::MAX, 60), 0);
        assert_eq!(stale_weight_bps(1, 0), 0);
    }

    proptest! {
        /// An older price is never trusted more.
        #[test]
        fn stale_weight_never_rises_with_age(a in -1_000i64..100_000, d in 0i64..10_000, m in 1i64..3_600) {
            prop_assert!(stale_weight_bps(a + d, m) <= stale_weight_bps(a, m));
            prop_assert!(stale_weight_bps(a, m) <= 10_000);
        }

        #[test]
        fn value_then_amount_never_creates_tokens(amount in 0u64.., price in 1u64..1_000_000_000_000u64, expo in -12i32..=0, dec in 0u8..=12) {
            let p = unit_price_wad(price, expo, dec, Rounding::Down).unwrap(); // allow: test-only
            prop_assume!(p > 0);
            // Values beyond u128 WAD-dollars are refused (Overflow), never wrapped.
            let Ok(v) = value_wad(u128::from(amount), p, Rounding::Down) else { return Ok(()); };
            let back = amount_for_value(v, p, Rounding::Down).unwrap(); // allow: test-only
            prop_assert!(back <= u128::from(amount));
        }
    }
}
