//! Publish-time-weighted average price from a cumulative sum (Uniswap's
//! oracle shape). Each accepted price is credited with the seconds it stood,
//! i.e. until the next strictly newer publish time; the running sum of
//! price x seconds wraps modulo 2^128, and only differences of it are used,
//! which are exact while the true sum over one window fits in 128 bits
//! (1e30 WAD per unit x 86,400 s is far below 3.4e38).
//!
//! The history is a ring of (time, cumulative) points spaced at least
//! `window / (capacity - 1)` apart, so `capacity` points always span the
//! whole window: a burst of updates cannot shrink the window to the last few
//! seconds.

use super::fixed::{mul_div, MathError, MathResult, Rounding};

/// A point of the cumulative sum: price-seconds summed up to `time`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    pub time: i64,
    pub cumulative: u128,
}

/// The cumulative sum after `price` stood for `dt` seconds (wrapping).
pub fn accumulate(cumulative: u128, price: u128, dt: u64) -> u128 {
    cumulative.wrapping_add(price.wrapping_mul(u128::from(dt)))
}

/// Smallest gap (seconds, >= 1) between stored points so that `capacity`
/// points span `window` seconds.
pub fn spacing(window: u64, capacity: usize) -> u64 {
    let gaps = (capacity.max(2) - 1) as u64;
    window.div_ceil(gaps).max(1)
}

/// Average price over `[latest.time - window, latest.time]`, from `history`
/// (oldest first, times strictly increasing, all <= latest.time) and the
/// latest point. The cumulative at the window start is interpolated within
/// the gap that contains it. With less history than the window, the average
/// covers what there is; `None` when no time has elapsed at all.
pub fn twap(history: &[Observation], latest: Observation, window: u64) -> MathResult<Option<u128>> {
    let Some(oldest) = history.first() else {
        return Ok(None);
    };
    let window = i64::try_from(window).map_err(|_| MathError::Overflow)?;
    let start = latest.time.saturating_sub(window);
    let (t0, c0) = if oldest.time >= start {
        (oldest.time, oldest.cumulative)
    } else {
        // the last point at or before `start`, and the one after it
        let i = history.iter().rposition(|o| o.time <= start).unwrap_or(0);
        let a = history[i];
        let b = history.get(i + 1).copied().unwrap_or(latest);
        let gap = b.time - a.time;
        if gap <= 0 {
            (a.time, a.cumulative)
        } else {
            let part = mul_div(
                b.cumulative.wrapping_sub(a.cumulative),
                u128::try_from(start - a.time).map_err(|_| MathError::Overflow)?,
                u128::try_from(gap).map_err(|_| MathError::Overflow)?,
                Rounding::Down,
            )?;
            (start, a.cumulative.wrapping_add(part))
        }
    };
    let elapsed = latest.time - t0;
    if elapsed <= 0 {
        return Ok(None);
    }
    let sum = latest.cumulative.wrapping_sub(c0);
    Ok(Some(sum / elapsed as u128))
}

/// Highest and lowest average price among the intervals between recorded
/// points (the ring, then the latest point) that end within the last
/// `window` seconds before `latest.time`: the liquidation guard. A price must
/// have stood for the whole window before the guard lets it through, so a
/// wick shorter than the window moves neither bound, while a sustained move
/// passes after `window` seconds (plus one ring spacing at most), not after
/// half a TWAP window. `None` when no interval ends within the window.
pub fn recent_range(
    history: &[Observation],
    latest: Observation,
    window: u64,
) -> MathResult<Option<(u128, u128)>> {
    let window = i64::try_from(window).map_err(|_| MathError::Overflow)?;
    let start = latest.time.saturating_sub(window);
    let mut range: Option<(u128, u128)> = None;
    let mut end = latest;
    // newest first; stop at the first interval that ended before the window
    for a in history.iter().rev() {
        if end.time <= start {
            break;
        }
        let dt = end.time - a.time;
        if dt > 0 {
            let avg = end.cumulative.wrapping_sub(a.cumulative) / dt as u128;
            range = Some(match range {
                None => (avg, avg),
                Some((hi, lo)) => (hi.max(avg), lo.min(avg)),
            });
            end = *a;
        }
    }
    Ok(range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds (history, latest) from (publish time, price) updates the way a
    /// pool records them, with the given ring capacity and window.
    fn record(updates: &[(i64, u128)], window: u64, cap: usize) -> (Vec<Observation>, Observation) {
        let mut ring: Vec<Observation> = Vec::new();
        let mut cum = 0u128;
        let mut last: Option<(i64, u128)> = None;
        for &(t, p) in updates {
            if let Some((lt, lp)) = last {
                if t <= lt {
                    continue; // not newer: ignored
                }
                cum = accumulate(cum, lp, (t - lt) as u64);
            }
            let due = ring
                .last()
                .is_none_or(|o| (t - o.time) as u64 >= spacing(window, cap));
            if due {
                ring.push(Observation {
                    time: t,
                    cumulative: cum,
                });
                if ring.len() > cap {
                    ring.remove(0);
                }
            }
            last = Some((t, p));
        }
        let (t, _) = last.unwrap(); // allow: test-only
        (
            ring,
            Observation {
                time: t,
                cumulative: cum,
            },
        )
    }

    #[test]
    fn each_price_weighs_the_seconds_it_stood() {
        // $100 for 90 s, then $70 for 10 s: window 100 s -> $97
        let (h, l) = record(&[(0, 100), (90, 70), (100, 100)], 100, 32);
        assert_eq!(twap(&h, l, 100).unwrap(), Some(97)); // allow: test-only
    }

    #[test]
    fn replaying_one_update_adds_nothing() {
        let honest = record(&[(0, 100), (10, 100), (11, 40)], 20, 32);
        let mut replayed = vec![(0, 100), (10, 100), (11, 40)];
        replayed.extend(std::iter::repeat_n((11, 40), 60));
        let attacked = record(&replayed, 20, 32);
        assert_eq!(honest, attacked);
        // the wick stood for zero seconds so far
        assert_eq!(twap(&attacked.0, attacked.1, 20).unwrap(), Some(100)); // allow: test-only
    }

    #[test]
    fn a_burst_of_updates_does_not_shrink_the_window() {
        // 1,000 s at $100, then 33 one-second updates at $250 (a pump)
        let mut u: Vec<(i64, u128)> = (0..=1000).step_by(10).map(|t| (t, 100)).collect();
        u.extend((1001..=1033).map(|t| (t, 250)));
        let (h, l) = record(&u, 1000, 32);
        assert!(h.len() <= 32);
        assert!(
            l.time - h[0].time >= 1000,
            "ring spans {} s",
            l.time - h[0].time
        );
        let t = twap(&h, l, 1000).unwrap().unwrap(); // allow: test-only
                                                     // 32 s of $250 (the last update has not stood yet) in 1,000 s
        assert!((104..=106).contains(&t), "{t}");
    }

    #[test]
    fn empty_single_and_boundary() {
        let l = Observation {
            time: 5,
            cumulative: 0,
        };
        assert_eq!(twap(&[], l, 10).unwrap(), None); // allow: test-only
        assert_eq!(twap(&[l], l, 10).unwrap(), None); // allow: test-only
        assert_eq!(spacing(1000, 32), 33);
        assert_eq!(spacing(1, 32), 1);
        assert_eq!(spacing(31, 32), 1);
        assert_eq!(spacing(32, 32), 2);
    }

    #[test]
    fn cumulative_wraps_without_changing_the_average() {
        let a = Observation {
            time: 0,
            cumulative: u128::MAX - 5,
        };
        let l = Observation {
            time: 10,
            cumulative: accumulate(a.cumulative, 7, 10),
        };
        assert_eq!(twap(&[a], l, 10).unwrap(), Some(7)); // allow: test-only
    }

    #[test]
    fn a_wick_shorter_than_the_guard_window_leaves_the_collateral_bound() {
        // one-second points at $100, a 1 s wick to $70, back at $100
        let mut u: Vec<(i64, u128)> = (0..=30).map(|t| (t, 100)).collect();
        u.push((31, 70));
        u.push((32, 100));
        u.extend((33..=34).map(|t| (t, 100)));
        let (h, l) = record(&u, 20, 32);
        // at t = 34 the 3 s window holds [31, 32] at $70: the low sees it,
        // the high (what collateral is valued at for liquidation) does not
        let (hi, lo) = recent_range(&h, l, 3).unwrap().unwrap(); // allow: test-only
        assert_eq!((hi, lo), (100, 70));
    }

    #[test]
    fn a_sustained_fall_passes_after_the_window() {
        // $1 a second down from $200: a 3 s guard's high is the price 3 s
        // ago, the 20 s TWAP's is 10 s ago
        let u: Vec<(i64, u128)> = (0..=60).map(|t| (t, 200 - t as u128)).collect();
        let (h, l) = record(&u, 20, 32);
        let (hi, _) = recent_range(&h, l, 3).unwrap().unwrap(); // allow: test-only
        assert_eq!(hi, 200 - 57);
        let avg = twap(&h, l, 20).unwrap().unwrap(); // allow: test-only
        assert!(avg >= 200 - 50, "{avg}");
    }

    #[test]
    fn no_interval_no_range() {
        let l = Observation {
            time: 5,
            cumulative: 0,
        };
        assert_eq!(recent_range(&[], l, 10).unwrap(), None); // allow: test-only
        assert_eq!(recent_range(&[l], l, 10).unwrap(), None); // allow: test-only
    }

    proptest! {
        #[test]
        fn the_guard_range_is_within_the_prices_that_stood(
            prices in proptest::collection::vec(1u128..1_000_000_000_000_000_000_000_000, 2..80),
            gaps in proptest::collection::vec(1i64..400, 80),
            window in 1u64..20_000,
            guard in 1u64..600,
            cap in 2usize..40,
        ) {
            let mut t = 0i64;
            let u: Vec<(i64, u128)> = prices.iter().zip(gaps.iter()).map(|(p, g)| { t += g; (t, *p) }).collect();
            let (h, l) = record(&u, window, cap);
            if let Some((hi, lo)) = recent_range(&h, l, guard).unwrap() { // allow: test-only
                let stood = &prices[..prices.len() - 1];
                let min = *stood.iter().min().unwrap(); // allow: test-only
                let max = *stood.iter().max().unwrap(); // allow: test-only
                prop_assert!(lo <= hi);
                prop_assert!(lo + 1 >= min && hi <= max, "[{lo}, {hi}] not in [{min}, {max}]");
            }
        }

        #[test]
        fn twap_is_within_the_prices_that_stood(
            prices in proptest::collection::vec(1u128..1_000_000_000_000_000_000_000_000, 2..80),
            gaps in proptest::collection::vec(1i64..400, 80),
            window in 1u64..20_000,
            cap in 2usize..40,
        ) {
            let mut t = 0i64;
            let u: Vec<(i64, u128)> = prices.iter().zip(gaps.iter()).map(|(p, g)| { t += g; (t, *p) }).collect();
            let (h, l) = record(&u, window, cap);
            prop_assert!(h.len() <= cap);
            if let Some(avg) = twap(&h, l, window).unwrap() { // allow: test-only
                // only prices before the last one have stood
                let stood = &prices[..prices.len() - 1];
                let lo = *stood.iter().min().unwrap(); // allow: test-only
                let hi = *stood.iter().max().unwrap(); // allow: test-only
                // one unit of rounding either way at the interpolated window start
                prop_assert!(avg + 1 >= lo && avg <= hi + 1, "{avg} not in [{lo}, {hi}]");
            }
            // the ring spans the window whenever there is that much history
            if l.time - u[0].0 >= window as i64 + spacing(window, cap) as i64 * 2 {
                prop_assert!(l.time - h[0].time >= window as i64);
            }
        }
    }
}
