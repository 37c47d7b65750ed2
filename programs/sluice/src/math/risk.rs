//! Adaptive risk (issue 15): the three measures a pool keeps of its market
//! and the rules that turn them into parameters. Pure integer arithmetic; a
//! measure rounds toward more risk (variance up, depth down, slots slower),
//! so a rule reading it errs on the protocol's side.
//!
//! - **Realized volatility**: an exponentially weighted mean of squared log
//!   returns per second between successive publish times ([`ewma_variance`]).
//! - **Depth trend**: a weighted mean of what the registered venues absorb
//!   at the slippage bound ([`ewma_depth`]).
//! - **Congestion**: a weighted mean of milliseconds per slot measured from
//!   the clock across refreshes ([`ewma_ms_per_slot`]).
//!
//! Every mean uses the same time weighting: a sample that covers `dt`
//! seconds moves the mean by `dt / (dt + tau)` of the way to it, so a mean
//! forgets at the same rate whether its samples come every slot or every
//! minute, and a long gap (one sample covering much time) counts for more.

use super::depth::isqrt;
use super::fixed::{mul_div, MathError, MathResult, Rounding, BPS, WAD};

/// Seconds in an hour (rate limits are stated per hour).
pub const HOUR_SECS: u64 = 3_600;

/// Where the log series stops: terms under 1e-12.
const LN_TAIL_WAD: u128 = 1_000_000;

/// ln 2 in WAD, rounded up.
const LN_2_WAD: u128 = 693_147_180_559_945_310;

/// `|ln(a / b)|` in WAD for prices `a, b > 0`, rounded up. The smaller
/// price is doubled (exactly) while the ratio is 2 or more, each doubling
/// adding ln 2; the rest, a ratio under 2, is `2 atanh(z)` with
/// `z = (hi - lo) / (hi + lo) < 1/3`, summing `z^(2k+1) / (2k+1)` until a
/// term falls under 1e-12 (at most about 12 terms).
pub fn ln_ratio_wad(a: u128, b: u128) -> MathResult<u128> {
    if a == 0 || b == 0 {
        return Err(MathError::DivideByZero);
    }
    let (hi, mut lo) = if a >= b { (a, b) } else { (b, a) };
    let mut doublings: u128 = 0;
    while lo <= hi / 2 {
        lo *= 2;
        doublings += 1;
    }
    if hi == lo {
        return Ok(doublings * LN_2_WAD);
    }
    let sum_hl = hi.checked_add(lo).ok_or(MathError::Overflow)?;
    let z = mul_div(hi - lo, WAD, sum_hl, Rounding::Up)?;
    let z2 = mul_div(z, z, WAD, Rounding::Up)?;
    let mut power = z;
    let mut total: u128 = 0;
    for k in 0u128..64 {
        let term = power.div_ceil(2 * k + 1);
        total = total.checked_add(term).ok_or(MathError::Overflow)?;
        power = mul_div(power, z2, WAD, Rounding::Down)?;
        // the rest of the series is below 1e-12 (a variance reads the
        // square of this): stop, which bounds the terms on-chain to ~12
        if power < LN_TAIL_WAD {
            break;
        }
    }
    total
        .checked_mul(2)
        .and_then(|t| t.checked_add(doublings * LN_2_WAD))
        .ok_or(MathError::Overflow)
}

/// `(old * tau + sample * dt) / (tau + dt)`, rounded as asked: the mean
/// after a sample covering `dt` seconds, with time constant `tau` seconds.
/// `dt == 0` leaves the mean; `tau == 0` makes it the sample.
pub fn ewma(old: u128, sample: u128, dt: u64, tau: u64, rounding: Rounding) -> MathResult<u128> {
    if dt == 0 {
        return Ok(old);
    }
    let (dt, tau) = (u128::from(dt), u128::from(tau));
    let kept = old.checked_mul(tau).ok_or(MathError::Overflow)?;
    let added = sample.checked_mul(dt).ok_or(MathError::Overflow)?;
    let num = kept.checked_add(added).ok_or(MathError::Overflow)?;
    let den = tau + dt;
    Ok(match rounding {
        Rounding::Down => num / den,
        Rounding::Up => num.div_ceil(den),
    })
}

/// The variance per second (WAD: 1e18 = a variance of 1 per second) after
/// the price moved from `prev` to `next` over `dt` seconds: the squared log
/// return spread over `dt` is the sample. Rounded up.
pub fn ewma_variance(
    var_per_sec_wad: u128,
    prev: u128,
    next: u128,
    dt: u64,
    tau: u64,
) -> MathResult<u128> {
    if dt == 0 {
        return Ok(var_per_sec_wad);
    }
    let r = ln_ratio_wad(prev, next)?;
    let r2 = mul_div(r, r, WAD, Rounding::Up)?;
    let sample = r2.div_ceil(u128::from(dt));
    ewma(var_per_sec_wad, sample, dt, tau, Rounding::Up)
}

/// The depth trend (collateral base units the venues absorb at the bound)
/// after an observation of `depth` covering `dt` seconds. Rounded down.
pub fn ewma_depth(trend: u64, depth: u64, dt: u64, tau: u64) -> MathResult<u64> {
    if trend == 0 {
        // the first observation is the trend
        return Ok(depth);
    }
    let t = ewma(
        u128::from(trend),
        u128::from(depth),
        dt,
        tau,
        Rounding::Down,
    )?;
    u64::try_from(t).map_err(|_| MathError::Overflow)
}

/// Milliseconds per slot after `slots` slots took `secs` seconds (clock
/// time, whole seconds), with time constant `tau` seconds. Rounded up (a
/// slower chain is the riskier reading). No slots: unchanged.
pub fn ewma_ms_per_slot(ms_per_slot: u64, secs: u64, slots: u64, tau: u64) -> MathResult<u64> {
    if slots == 0 {
        return Ok(ms_per_slot);
    }
    let sample = mul_div(u128::from(secs), 1_000, u128::from(slots), Rounding::Up)?;
    if ms_per_slot == 0 {
        return u64::try_from(sample).map_err(|_| MathError::Overflow);
    }
    let m = ewma(
        u128::from(ms_per_slot),
        sample,
        secs.max(1),
        tau,
        Rounding::Up,
    )?;
    u64::try_from(m).map_err(|_| MathError::Overflow)
}

/// Volatility relative to a reference, bps (10,000: at the reference):
/// `sqrt(var / ref_var)`, rounded up. A reference of zero reads as "no
/// reference": 10,000.
pub fn vol_ratio_bps(var_per_sec_wad: u128, ref_var_per_sec_wad: u128) -> MathResult<u64> {
    if ref_var_per_sec_wad == 0 {
        return Ok(BPS as u64);
    }
    // sqrt(var / ref) * 1e4 = sqrt(var * 1e8 / ref)
    let q = mul_div(
        var_per_sec_wad,
        BPS * BPS,
        ref_var_per_sec_wad,
        Rounding::Up,
    )?;
    let root = isqrt(q);
    let root = if root * root < q { root + 1 } else { root };
    u64::try_from(root).map_err(|_| MathError::Overflow)
}

/// A parameter that shrinks as volatility rises above its reference:
/// `base * 10,000 / ratio` once `ratio_bps > 10,000`, never below `floor`
/// (and never above `base`). Rounded down.
pub fn shrink_with_vol(base: u64, ratio_bps: u64, floor: u64) -> u64 {
    if ratio_bps <= BPS as u64 {
        return base;
    }
    let scaled = (u128::from(base) * BPS / u128::from(ratio_bps)) as u64;
    scaled.max(floor.min(base))
}

/// A parameter that grows as volatility rises above its reference:
/// `base * ratio / 10,000` once `ratio_bps > 10,000`, never above
/// `ceiling` (and never below `base`). Rounded up.
pub fn grow_with_vol(base: u64, ratio_bps: u64, ceiling: u64) -> u64 {
    if ratio_bps <= BPS as u64 {
        return base;
    }
    let scaled = (u128::from(base) * u128::from(ratio_bps)).div_ceil(BPS);
    let scaled = u64::try_from(scaled).unwrap_or(u64::MAX);
    scaled.min(ceiling.max(base))
}

/// `current` moved toward `target` by at most `max_per_hour` units per
/// hour over `dt` seconds (rounded down: a limit is never exceeded). The
/// step may be zero when `dt` is short; a parameter reaches its target
/// only as fast as the limit lets it.
pub fn rate_limited(current: u64, target: u64, max_per_hour: u64, dt: u64) -> u64 {
    let allowed = (u128::from(max_per_hour) * u128::from(dt) / u128::from(HOUR_SECS))
        .min(u128::from(u64::MAX)) as u64;
    if target >= current {
        current.saturating_add(allowed.min(target - current))
    } else {
        current - allowed.min(current - target)
    }
}

/// Which way a parameter is safer for the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SafeSide {
    Lower,
    Higher,
}

/// One step of an adaptive parameter toward `target`: at once when the
/// target lies on the `safe` side of `current` (a storm is met in the slot
/// it is seen), else by at most `max_per_hour` per hour over `dt` seconds
/// ([`rate_limited`]).
pub fn adapt_toward(current: u64, target: u64, safe: SafeSide, max_per_hour: u64, dt: u64) -> u64 {
    let safer = match safe {
        SafeSide::Lower => target < current,
        SafeSide::Higher => target > current,
    };
    if safer {
        target
    } else {
        rate_limited(current, target, max_per_hour, dt)
    }
}

/// The variance per second (WAD) of a volatility of `bps` per square root
/// of an hour: `(bps / 10^4)^2 / 3600`, rounded down (a lower reference
/// reads volatility as higher: the safe side).
pub fn hourly_vol_to_var_per_sec_wad(bps: u16) -> u128 {
    let b = u128::from(bps);
    b * b * 10_000_000_000 / u128::from(HOUR_SECS)
}

/// The share (bps, at most 10,000) of the depth cap the depth-trend rule
/// keeps: the depth in force over its trend, so a cap shrinks more than in
/// proportion while the venues are draining and never grows past the depth
/// itself; at least `floor_bps`. Rounded down. No trend yet: 10,000.
pub fn trend_scale_bps(estimate: u64, trend: u64, floor_bps: u64) -> u64 {
    if trend == 0 || estimate >= trend {
        return BPS as u64;
    }
    let scale = (u128::from(estimate) * BPS / u128::from(trend)) as u64;
    scale.max(floor_bps.min(BPS as u64))
}

/// A slot count set for slots of `nominal_ms`, in slots of `ms_per_slot`:
/// the same seconds when slots stretch (rounded up, at least one slot), the
/// stretch read as at most `max_stretch_bps`; unchanged when slots are at
/// or under nominal, or unmeasured (0).
pub fn slots_for_same_seconds(
    slots: u64,
    nominal_ms: u64,
    ms_per_slot: u64,
    max_stretch_bps: u64,
) -> u64 {
    if slots == 0 || nominal_ms == 0 || ms_per_slot <= nominal_ms {
        return slots;
    }
    let stretch = (u128::from(ms_per_slot) * BPS / u128::from(nominal_ms))
        .min(u128::from(max_stretch_bps))
        .max(BPS);
    let s = (u128::from(slots) * BPS).div_ceil(stretch);
    (s as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn wad(x: f64) -> u128 {
        (x * 1e18) as u128
    }

    #[test]
    fn log_ratio_matches_the_natural_log() {
        for (a, b) in [
            (100.0, 101.0),
            (100.0, 55.0),
            (1.0, 2.0),
            (3.0, 1.0),
            (1.0, 10.0),
            (1.0, 1e6),
        ] {
            let got = ln_ratio_wad(wad(a), wad(b)).unwrap() as f64 / 1e18;
            let want = (a / b).ln().abs();
            assert!(
                (got - want).abs() < 1e-12 + want * 1e-9,
                "{a}/{b}: {got} vs {want}"
            );
        }
        assert_eq!(ln_ratio_wad(wad(5.0), wad(5.0)).unwrap(), 0);
        assert_eq!(ln_ratio_wad(0, 1), Err(MathError::DivideByZero));
    }

    #[test]
    fn variance_of_one_percent_a_second_is_one_ten_thousandth() {
        // a 1% move per second, held: the mean converges to ln(1.01)^2 / s
        let mut var = 0;
        let mut p = wad(100.0);
        for _ in 0..200 {
            let next = p * 101 / 100;
            var = ewma_variance(var, p, next, 1, 10).unwrap();
            p = next;
        }
        let want = 1.01f64.ln().powi(2);
        let got = var as f64 / 1e18;
        assert!((got - want).abs() < want * 1e-6, "{got} vs {want}");
        // a quiet stretch decays it: 30 s without a move at tau 10 s
        let quiet = ewma_variance(var, p, p, 30, 10).unwrap();
        assert_eq!(quiet, var.div_ceil(4));
    }

    #[test]
    fn a_sample_over_a_long_gap_counts_for_its_time() {
        // the same 10% move over 1 s and over 100 s: the per-second sample
        // is 100x smaller, and the mean moves further toward it
        let fast = ewma_variance(0, wad(100.0), wad(110.0), 1, 60).unwrap();
        let slow = ewma_variance(0, wad(100.0), wad(110.0), 100, 60).unwrap();
        let r2 = 1.1f64.ln().powi(2);
        assert!((fast as f64 / 1e18 - r2 / 61.0).abs() < 1e-9);
        assert!((slow as f64 / 1e18 - r2 / 100.0 * 100.0 / 160.0).abs() < 1e-9);
    }

    #[test]
    fn depth_and_congestion_means() {
        assert_eq!(ewma_depth(0, 500, 1, 60).unwrap(), 500);
        assert_eq!(ewma_depth(1_000, 0, 60, 60).unwrap(), 500);
        // 10 slots in 4 s: 400 ms a slot; stretched slots raise the mean
        assert_eq!(ewma_ms_per_slot(0, 4, 10, 60).unwrap(), 400);
        assert_eq!(ewma_ms_per_slot(400, 60, 60, 60).unwrap(), 700);
        assert_eq!(ewma_ms_per_slot(400, 5, 0, 60).unwrap(), 400);
    }

    #[test]
    fn rules_scale_within_their_bounds() {
        assert_eq!(vol_ratio_bps(wad(4.0), wad(1.0)).unwrap(), 20_000);
        assert_eq!(vol_ratio_bps(wad(1.0), 0).unwrap(), 10_000);
        assert_eq!(shrink_with_vol(7_500, 20_000, 5_000), 5_000);
        assert_eq!(shrink_with_vol(7_500, 12_500, 5_000), 6_000);
        assert_eq!(shrink_with_vol(7_500, 8_000, 5_000), 7_500);
        assert_eq!(grow_with_vol(500, 15_000, 1_000), 750);
        assert_eq!(grow_with_vol(500, 40_000, 1_000), 1_000);
        assert_eq!(rate_limited(7_500, 5_000, 1_000, 1_800), 7_000);
        assert_eq!(rate_limited(7_000, 7_500, 1_000, 36_000), 7_500);
        assert_eq!(rate_limited(7_000, 5_000, 1_000, 1), 7_000);
        assert_eq!(isqrt(99), 9);
        assert_eq!(isqrt(u128::MAX), u64::MAX as u128);
    }

    #[test]
    fn adaptive_steps_meet_a_storm_at_once_and_relax_slowly() {
        // LTV: a lower target is taken at once, a higher one rate-limited
        assert_eq!(adapt_toward(7_500, 5_000, SafeSide::Lower, 100, 1), 5_000);
        assert_eq!(
            adapt_toward(5_000, 7_500, SafeSide::Lower, 100, 1_800),
            5_050
        );
        // a bonus rises at once and falls rate-limited
        assert_eq!(adapt_toward(500, 900, SafeSide::Higher, 100, 0), 900);
        assert_eq!(adapt_toward(900, 500, SafeSide::Higher, 100, 3_600), 800);
        // 1% per sqrt(hour): 1e-4 / 3600 per second
        assert_eq!(hourly_vol_to_var_per_sec_wad(100), 27_777_777_777);
        assert_eq!(trend_scale_bps(500, 1_000, 2_000), 5_000);
        assert_eq!(trend_scale_bps(100, 1_000, 2_000), 2_000);
        assert_eq!(trend_scale_bps(2_000, 1_000, 2_000), 10_000);
        assert_eq!(trend_scale_bps(5, 0, 2_000), 10_000);
        // 800 ms slots: half the slots; capped at a 4x stretch; never 0
        assert_eq!(slots_for_same_seconds(150, 400, 800, 40_000), 75);
        assert_eq!(slots_for_same_seconds(150, 400, 4_000, 40_000), 38);
        assert_eq!(slots_for_same_seconds(1, 400, 800, 40_000), 1);
        assert_eq!(slots_for_same_seconds(150, 400, 300, 40_000), 150);
        assert_eq!(slots_for_same_seconds(150, 400, 0, 40_000), 150);
    }

    proptest! {
        #[test]
        fn an_adaptive_step_is_at_once_on_the_safe_side_and_limited_on_the_other(
            current in 0u64..100_000,
            target in 0u64..100_000,
            max_per_hour in 0u64..10_000,
            dt in 0u64..100_000,
            lower in any::<bool>(),
        ) {
            let safe = if lower { SafeSide::Lower } else { SafeSide::Higher };
            let next = adapt_toward(current, target, safe, max_per_hour, dt);
            let safer = if lower { target < current } else { target > current };
            if safer {
                prop_assert_eq!(next, target);
            } else {
                prop_assert!(u128::from(next.abs_diff(current)) * u128::from(HOUR_SECS)
                    <= u128::from(max_per_hour) * u128::from(dt));
                prop_assert!(next.abs_diff(target) <= current.abs_diff(target));
            }
        }

        #[test]
        fn stretched_slots_keep_the_seconds(
            slots in 1u64..216_000,
            ms in 1u64..5_000,
        ) {
            let s = slots_for_same_seconds(slots, 400, ms, 40_000);
            prop_assert!(s >= 1 && s <= slots);
            if ms > 400 && ms <= 1_600 {
                // at least the nominal seconds, less than one slot more
                prop_assert!(u128::from(s) * u128::from(ms) >= u128::from(slots) * 400);
                prop_assert!(u128::from(s - 1) * u128::from(ms) < u128::from(slots) * 400);
            }
        }
    }

    proptest! {
        #[test]
        fn log_ratio_is_symmetric_and_matches_f64(
            a in 1_000_000u128..1_000_000_000_000_000_000_000,
            pct in 1u128..300,
        ) {
            let b = a * pct / 100 + 1;
            let ab = ln_ratio_wad(a, b).unwrap();
            prop_assert_eq!(ab, ln_ratio_wad(b, a).unwrap());
            let f = (a as f64 / b as f64).ln().abs();
            prop_assert!((ab as f64 / 1e18 - f).abs() < 1e-9 + f * 1e-8);
        }

        #[test]
        fn a_mean_stays_between_its_old_value_and_the_sample(
            old in 0u128..1_000_000_000_000_000_000_000,
            sample in 0u128..1_000_000_000_000_000_000_000,
            dt in 0u64..1_000_000,
            tau in 0u64..1_000_000,
        ) {
            let m = ewma(old, sample, dt, tau, Rounding::Up).unwrap();
            prop_assert!(m >= old.min(sample) && m <= old.max(sample));
            let d = ewma(old, sample, dt, tau, Rounding::Down).unwrap();
            prop_assert!(d <= m && m - d <= 1);
        }

        #[test]
        fn borrowing_power_only_shrinks_with_volatility(
            base in 1u64..10_000,
            floor in 0u64..10_000,
            r1 in 0u64..1_000_000,
            r2 in 0u64..1_000_000,
        ) {
            let (lo, hi) = if r1 <= r2 { (r1, r2) } else { (r2, r1) };
            let a = shrink_with_vol(base, lo, floor);
            let b = shrink_with_vol(base, hi, floor);
            prop_assert!(b <= a && a <= base);
            prop_assert!(b >= floor.min(base));
            let g1 = grow_with_vol(base, lo, floor.max(base));
            let g2 = grow_with_vol(base, hi, floor.max(base));
            prop_assert!(g1 <= g2 && g2 <= floor.max(base) && g1 >= base);
        }

        #[test]
        fn a_rate_limit_is_never_exceeded_and_always_approaches(
            current in 0u64..1_000_000,
            target in 0u64..1_000_000,
            max_per_hour in 0u64..100_000,
            dt in 0u64..100_000,
        ) {
            let next = rate_limited(current, target, max_per_hour, dt);
            let moved = next.abs_diff(current);
            prop_assert!(u128::from(moved) * u128::from(HOUR_SECS)
                <= u128::from(max_per_hour) * u128::from(dt));
            prop_assert!(next.abs_diff(target) <= current.abs_diff(target));
            // two half steps never go further than one whole
            let half = rate_limited(rate_limited(current, target, max_per_hour, dt / 2),
                target, max_per_hour, dt - dt / 2);
            prop_assert!(half.abs_diff(current) <= moved);
        }
    }
}
