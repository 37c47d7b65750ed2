//! A pool's measures of its market (issue 15), kept in the pool account and
//! moved only by `refresh_price`: realized volatility, the depth trend and
//! the chain's seconds per slot. The arithmetic is `math::risk`'s; this is
//! where a measure and the time it was taken move together.

use anchor_lang::prelude::*;
use bytemuck::{Pod, Zeroable};

use crate::math::risk::{ewma_depth, ewma_ms_per_slot, ewma_variance};
use crate::state::PodU128;

/// Time constant of the volatility mean, seconds: a move counts for about
/// a third after five minutes.
pub const VOL_TAU_SECS: u64 = 300;
/// Time constant of the depth trend, seconds.
pub const DEPTH_TAU_SECS: u64 = 600;
/// Time constant of the seconds-per-slot mean, seconds.
pub const CONGESTION_TAU_SECS: u64 = 600;
/// Seconds of clock a congestion sample spans at least: the clock is in
/// whole seconds, so a sample over 10 s or more reads slots to within 10%.
pub const CONGESTION_SAMPLE_SECS: i64 = 10;

pod_struct! {
    /// The three measures and where each was last taken.
    pub struct RiskState {
        /// Realized variance of log returns per second (WAD).
        pub var_per_sec_wad: PodU128,
        /// The price (WAD USD per base unit) and publish time of the last
        /// volatility sample.
        pub vol_price_wad: PodU128,
        pub vol_publish_time: i64,
        /// Mean collateral base units the venues absorb at the slippage
        /// bound, and the clock time of its last observation.
        pub depth_trend: u64,
        pub depth_trend_ts: i64,
        /// Mean milliseconds per slot, and the clock (slot, time) where the
        /// current sample started.
        pub ms_per_slot: u64,
        pub clock_slot: u64,
        pub clock_ts: i64,
    }
}

const _: () = assert!(core::mem::size_of::<RiskState>() == 2 * 16 + 6 * 8);

impl RiskState {
    /// A price with a newer publish time: one more volatility sample (the
    /// first only sets where the next one starts).
    pub fn observe_price(&mut self, price_wad: u128, publish_time: i64) -> Result<()> {
        let prev = self.vol_price_wad.get();
        if prev != 0 && publish_time > self.vol_publish_time {
            let dt = (publish_time - self.vol_publish_time) as u64;
            let var = ewma_variance(
                self.var_per_sec_wad.get(),
                prev,
                price_wad,
                dt,
                VOL_TAU_SECS,
            )?;
            self.var_per_sec_wad.set(var);
        }
        if prev == 0 || publish_time > self.vol_publish_time {
            self.vol_price_wad.set(price_wad);
            self.vol_publish_time = publish_time;
        }
        Ok(())
    }

    /// The depth the venues absorb now (`live`), at clock time `now`.
    pub fn observe_depth(&mut self, live: u64, now: i64) -> Result<()> {
        let dt = now.saturating_sub(self.depth_trend_ts).max(0) as u64;
        if self.depth_trend == 0 || dt > 0 {
            self.depth_trend = ewma_depth(self.depth_trend, live, dt.max(1), DEPTH_TAU_SECS)?;
            self.depth_trend_ts = now;
        }
        Ok(())
    }

    /// The clock at a refresh: once a sample spans
    /// [`CONGESTION_SAMPLE_SECS`], its milliseconds per slot join the mean.
    pub fn observe_clock(&mut self, slot: u64, now: i64) -> Result<()> {
        if self.clock_slot == 0 {
            self.clock_slot = slot;
            self.clock_ts = now;
            return Ok(());
        }
        let secs = now.saturating_sub(self.clock_ts);
        let slots = slot.saturating_sub(self.clock_slot);
        if secs >= CONGESTION_SAMPLE_SECS && slots > 0 {
            self.ms_per_slot =
                ewma_ms_per_slot(self.ms_per_slot, secs as u64, slots, CONGESTION_TAU_SECS)?;
            self.clock_slot = slot;
            self.clock_ts = now;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: u128 = 100_000_000_000_000_000; // $0.1 per base unit, WAD

    #[test]
    fn volatility_samples_new_publish_times_only() {
        let mut r = RiskState::default();
        r.observe_price(P, 100).unwrap();
        assert_eq!(r.var_per_sec_wad.get(), 0);
        // the same publish time again (a second refresh): no sample
        r.observe_price(P * 11 / 10, 100).unwrap();
        assert_eq!((r.var_per_sec_wad.get(), r.vol_price_wad.get()), (0, P));
        r.observe_price(P * 11 / 10, 101).unwrap();
        let once = r.var_per_sec_wad.get();
        assert!(once > 0);
        // an older publish time is ignored
        r.observe_price(P, 99).unwrap();
        assert_eq!(r.var_per_sec_wad.get(), once);
        assert_eq!(r.vol_publish_time, 101);
    }

    #[test]
    fn congestion_waits_for_a_ten_second_sample() {
        let mut r = RiskState::default();
        r.observe_clock(1_000, 400).unwrap();
        r.observe_clock(1_020, 408).unwrap();
        assert_eq!(r.ms_per_slot, 0);
        r.observe_clock(1_025, 410).unwrap();
        assert_eq!(r.ms_per_slot, 400);
        // slots stretch to a second each
        r.observe_clock(1_085, 470).unwrap();
        assert!(
            r.ms_per_slot > 400 && r.ms_per_slot < 1_000,
            "{}",
            r.ms_per_slot
        );
    }

    #[test]
    fn depth_trend_follows_with_time() {
        let mut r = RiskState::default();
        r.observe_depth(1_000, 50).unwrap();
        assert_eq!(r.depth_trend, 1_000);
        r.observe_depth(0, 50).unwrap();
        assert_eq!(r.depth_trend, 1_000);
        r.observe_depth(0, 650).unwrap();
        assert_eq!(r.depth_trend, 500);
    }
}
