//! Time-weighted average price over a window of slots, from a ring buffer of
//! `(slot, price)` observations. Each observation holds until the next one;
//! the average weights each by how many slots of the window it held.

use super::fixed::{MathError, MathResult, U256};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    pub slot: u64,
    pub price: u128,
}

/// TWAP over `[now - window, now]` of `obs`, which must be ordered oldest
/// first. Observations after `now` are ignored. When the buffer does not
/// reach back to the window's start, the average covers what it holds.
/// Returns `None` when there is nothing to average.
pub fn twap(obs: &[Observation], now: u64, window: u64) -> MathResult<Option<u128>> {
    let start = now.saturating_sub(window);
    let mut weighted = U256::zero();
    let mut total: u64 = 0;
    let mut latest: Option<u128> = None;
    let valid: &[Observation] = {
        let end = obs.iter().position(|o| o.slot > now).unwrap_or(obs.len());
        &obs[..end]
    };
    for (i, o) in valid.iter().enumerate() {
        latest = Some(o.price);
        let from = o.slot.max(start);
        let to = valid.get(i + 1).map(|n| n.slot).unwrap_or(now).min(now);
        if to <= from {
            continue;
        }
        let dt = to - from;
        weighted += U256::from(o.price) * U256::from(dt);
        total = total.checked_add(dt).ok_or(MathError::Overflow)?;
    }
    if total == 0 {
        // Every observation is at `now` (or there are none): the newest stands.
        return Ok(latest);
    }
    let avg = weighted / U256::from(total);
    if avg > U256::from(u128::MAX) {
        return Err(MathError::Overflow);
    }
    Ok(Some(avg.as_u128()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn o(slot: u64, price: u128) -> Observation {
        Observation { slot, price }
    }

    #[test]
    fn one_slot_wick_barely_moves_the_twap() {
        // 100 for 99 slots, 70 for one slot, back to 100.
        let obs = [o(0, 100_000), o(99, 70_000), o(100, 100_000)];
        let t = twap(&obs, 100, 100).unwrap().unwrap();
        assert_eq!(t, 99_700);
    }

    #[test]
    fn sustained_fall_moves_the_twap() {
        let obs = [o(0, 100), o(50, 60)];
        assert_eq!(twap(&obs, 100, 100).unwrap(), Some(80));
        assert_eq!(twap(&obs, 200, 100).unwrap(), Some(60));
    }

    #[test]
    fn empty_and_same_slot() {
        assert_eq!(twap(&[], 10, 10).unwrap(), None);
        assert_eq!(twap(&[o(10, 5)], 10, 10).unwrap(), Some(5));
    }

    proptest! {
        #[test]
        fn twap_is_within_observed_range(
            prices in proptest::collection::vec(1u128..1_000_000_000_000_000_000_000, 1..24),
            gaps in proptest::collection::vec(1u64..1000, 24),
            window in 1u64..20_000,
            extra in 0u64..1000,
        ) {
            let mut slot = 0;
            let obs: Vec<_> = prices.iter().zip(gaps.iter()).map(|(p, g)| { slot += g; o(slot, *p) }).collect();
            let now = slot + extra;
            let t = twap(&obs, now, window).unwrap().unwrap();
            let lo = *prices.iter().min().unwrap();
            let hi = *prices.iter().max().unwrap();
            prop_assert!(t >= lo && t <= hi);
        }
    }
}
