//! Adaptive risk rules (issue 15): governance's switches and bounds
//! ([`AdaptiveParams`]) and the values the rules hold now ([`Adapted`]),
//! both in the pool account. `refresh_price` moves the values from the
//! pool's measures ([`crate::state::RiskState`]); instructions read a
//! parameter through `Pool::effective_*`, which gives the static parameter
//! exactly when its rule is off.
//!
//! Every rule meets a storm at once on its safe side and relaxes at most its
//! hourly limit: borrowing power falls in the slot volatility is seen, a
//! liquidation bonus and an auction's start buffer and decay rise in it, the
//! depth cap shrinks in it. The liquidation threshold, which existing
//! positions live under, only drifts, rate-limited both ways.

use anchor_lang::prelude::*;
use bytemuck::{Pod, Zeroable};

use crate::constants::bounds::*;
use crate::errors::SluiceError;
use crate::math::risk::{
    adapt_toward, grow_with_vol, rate_limited, shrink_with_vol, trend_scale_bps, SafeSide,
};
use crate::state::PoolParams;

/// Rule switches ([`AdaptiveParams::switches`]).
pub mod rule {
    /// LTV for new risk shrinks with volatility.
    pub const LTV: u8 = 1 << 0;
    /// Liquidation threshold drifts down with volatility (rate-limited).
    pub const THRESHOLD: u8 = 1 << 1;
    /// Liquidation bonus rises with volatility.
    pub const BONUS: u8 = 1 << 2;
    /// Auction start buffer and decay speed rise with volatility.
    pub const AUCTION: u8 = 1 << 3;
    /// The per-slot depth cap follows the depth trend downward.
    pub const CAP: u8 = 1 << 4;
    /// Auction durations kept in seconds when slots stretch.
    pub const SECONDS: u8 = 1 << 5;
    pub const ALL: u8 = LTV | THRESHOLD | BONUS | AUCTION | CAP | SECONDS;
    /// The rules that read volatility (and need a reference).
    pub const VOL: u8 = LTV | THRESHOLD | BONUS | AUCTION;
}

/// Hundredths of a basis point per basis point: the held values' unit, so
/// a slow hourly limit still moves them between frequent refreshes.
pub const HELD_PER_BPS: u64 = 100;
/// Rate-limited moves are taken at most once per this many seconds (a
/// move's rounding loss is then at most a hundredth of a bp a minute).
pub const ADAPT_INTERVAL_SECS: i64 = 60;
/// A rate-limited step covers at most this many seconds: after a long gap
/// between refreshes a parameter still moves no more than five minutes'
/// worth at once (the threshold never jumps).
pub const ADAPT_MAX_STEP_SECS: i64 = 300;

pod_struct! {
    serde
    /// Governance's switches and bounds for the adaptive rules. All zero:
    /// every rule off, the static parameters in force.
    pub struct AdaptiveParams {
        /// Volatility at which the rules leave the static parameters, bps
        /// per square root of an hour (100 = 1% per sqrt(hour)); above it a
        /// rule scales with volatility / reference.
        pub ref_vol_hourly_bps: u16,
        /// LTV: lowest it may shrink to, and its largest rise per hour.
        pub ltv_floor_bps: u16,
        pub ltv_rise_bps_per_hour: u16,
        /// Threshold: lowest it may drift to, and its largest drift per hour.
        pub threshold_floor_bps: u16,
        pub threshold_drift_bps_per_hour: u16,
        /// Bonus: highest it may rise to, and its largest fall per hour.
        pub bonus_ceiling_bps: u16,
        pub bonus_fall_bps_per_hour: u16,
        /// Auction: highest start buffer, largest decay speed-up (bps of the
        /// static speed, >= 10,000), and their largest fall per hour (bps of
        /// each).
        pub start_buffer_ceiling_bps: u16,
        pub decay_speedup_ceiling_bps: u16,
        pub auction_relax_bps_per_hour: u16,
        /// Depth cap: least share of the depth cap the trend rule keeps, and
        /// its largest rise per hour.
        pub cap_floor_bps: u16,
        pub cap_rise_bps_per_hour: u16,
        /// Seconds: the slot time the auction parameters are set for (ms),
        /// and the largest slot stretch honoured (bps of nominal).
        pub nominal_ms_per_slot: u16,
        pub max_slot_stretch_bps: u16,
        /// [`rule`] bits.
        pub switches: u8,
        /// Explicit layout padding; must be zero.
        #[cfg_attr(feature = "serde", serde(skip))]
        pub _padding: [u8; 3],
    }
}

pod_struct! {
    /// What the rules hold now, in hundredths of a bp ([`HELD_PER_BPS`]);
    /// 0: not yet moved (the static value). Moved only by `refresh_price`.
    pub struct Adapted {
        /// Clock time of the last rate-limited step.
        pub ts: i64,
        pub ltv: u32,
        pub threshold: u32,
        pub bonus: u32,
        pub start_buffer: u32,
        /// Decay speed, bps of the static speed (10,000 = static).
        pub decay_speedup: u32,
        /// Share of the depth cap kept (10,000 = all).
        pub cap_scale: u32,
    }
}

const _: () = assert!(core::mem::size_of::<AdaptiveParams>() == 32);
const _: () = assert!(core::mem::size_of::<Adapted>() == 32);

/// What a refresh reads for the rules.
#[derive(Clone, Copy, Debug, Default)]
pub struct MarketReading {
    /// Volatility / reference, bps (`math::risk::vol_ratio_bps`).
    pub vol_ratio_bps: u64,
    /// Depth in force (from earlier slots) and its trend; `None` without
    /// registered sources or observations.
    pub depth: Option<(u64, u64)>,
    pub now: i64,
}

impl AdaptiveParams {
    pub fn is_on(&self, bit: u8) -> bool {
        self.switches & bit != 0
    }

    /// Rejects any bound outside the hard limits, or inconsistent with the
    /// pool's static parameters, with the error naming the rule.
    pub fn validate(&self, base: &PoolParams) -> Result<()> {
        require!(
            self.switches & !rule::ALL == 0 && self._padding == [0; 3],
            SluiceError::AdaptiveSwitchUnknown
        );
        let rate_ok = |r: u16| (MIN_ADAPT_BPS_PER_HOUR..=MAX_ADAPT_BPS_PER_HOUR).contains(&r);
        if self.switches & rule::VOL != 0 {
            require!(
                (MIN_REF_VOL_HOURLY_BPS..=MAX_REF_VOL_HOURLY_BPS)
                    .contains(&self.ref_vol_hourly_bps),
                SluiceError::AdaptiveReferenceOutOfBounds
            );
        }
        let r = &base.risk;
        if self.is_on(rule::LTV) {
            require!(
                self.ltv_floor_bps <= r.ltv_bps && rate_ok(self.ltv_rise_bps_per_hour),
                SluiceError::AdaptiveLtvOutOfBounds
            );
        }
        if self.is_on(rule::THRESHOLD) {
            // the threshold never drifts under the static LTV (borrowing
            // power at its highest), nor more than a bounded way down
            require!(
                self.threshold_floor_bps > r.ltv_bps
                    && self.threshold_floor_bps <= r.liquidation_threshold_bps
                    && r.liquidation_threshold_bps - self.threshold_floor_bps
                        <= MAX_ADAPTIVE_THRESHOLD_DROP_BPS
                    && (MIN_ADAPT_BPS_PER_HOUR..=MAX_THRESHOLD_DRIFT_BPS_PER_HOUR)
                        .contains(&self.threshold_drift_bps_per_hour),
                SluiceError::AdaptiveThresholdOutOfBounds
            );
        }
        if self.is_on(rule::BONUS) {
            // the static threshold is the highest the adapted one can be:
            // with the ceiling bonus it must still not be toxic
            let lhs = u32::from(r.liquidation_threshold_bps)
                * (10_000
                    + u32::from(self.bonus_ceiling_bps)
                    + u32::from(MAX_KEEPER_INCENTIVE_BPS));
            require!(
                self.bonus_ceiling_bps >= r.liquidation_bonus_bps
                    && self.bonus_ceiling_bps <= MAX_LIQUIDATION_BONUS_BPS
                    && lhs < 10_000 * 10_000
                    && rate_ok(self.bonus_fall_bps_per_hour),
                SluiceError::AdaptiveBonusOutOfBounds
            );
        }
        if self.is_on(rule::AUCTION) {
            let a = &base.liquidation.auction;
            require!(
                self.start_buffer_ceiling_bps >= a.start_buffer_bps
                    && self.start_buffer_ceiling_bps <= MAX_AUCTION_START_BUFFER_BPS
                    && (10_000..=MAX_DECAY_SPEEDUP_BPS).contains(&self.decay_speedup_ceiling_bps)
                    && rate_ok(self.auction_relax_bps_per_hour),
                SluiceError::AdaptiveAuctionOutOfBounds
            );
        }
        if self.is_on(rule::CAP) {
            require!(
                (MIN_ADAPTIVE_CAP_FLOOR_BPS..=10_000).contains(&self.cap_floor_bps)
                    && rate_ok(self.cap_rise_bps_per_hour),
                SluiceError::AdaptiveCapOutOfBounds
            );
        }
        if self.is_on(rule::SECONDS) {
            require!(
                (MIN_NOMINAL_MS_PER_SLOT..=MAX_NOMINAL_MS_PER_SLOT)
                    .contains(&self.nominal_ms_per_slot)
                    && (10_000..=MAX_SLOT_STRETCH_BPS).contains(&self.max_slot_stretch_bps),
                SluiceError::AdaptiveSecondsOutOfBounds
            );
        }
        Ok(())
    }
}

/// A held value (hundredths of a bp), or `fallback` bps when not yet moved.
fn held_or(held: u32, fallback_bps: u64) -> u64 {
    if held == 0 {
        fallback_bps * HELD_PER_BPS
    } else {
        u64::from(held)
    }
}

fn to_held(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Adapted {
    /// The rules' step at a refresh: each switched-on rule's target from
    /// the reading, reached at once on its safe side, else at most its
    /// hourly limit since the last rate-limited step (taken at most once per
    /// [`ADAPT_INTERVAL_SECS`]). A rule switched off holds nothing.
    pub fn step(&mut self, p: &AdaptiveParams, base: &PoolParams, m: &MarketReading) {
        let elapsed = if self.ts == 0 {
            0
        } else {
            m.now.saturating_sub(self.ts).max(0)
        };
        let dt = if elapsed >= ADAPT_INTERVAL_SECS {
            elapsed.min(ADAPT_MAX_STEP_SECS) as u64
        } else {
            0
        };
        if self.ts == 0 || dt > 0 {
            self.ts = m.now;
        }
        let vol = m.vol_ratio_bps;
        let r = &base.risk;
        let a = &base.liquidation.auction;
        // one held value (or `fallback` bps when none) toward `target` bps:
        // at once on its `safe` side, else at most `per_hour` bps an hour;
        // with no safe side, rate-limited both ways
        let toward =
            |held: u32, fallback: u64, target: u64, safe: Option<SafeSide>, per_hour: u16| {
                let now = held_or(held, fallback);
                let (target, limit) = (target * HELD_PER_BPS, u64::from(per_hour) * HELD_PER_BPS);
                to_held(match safe {
                    Some(side) => adapt_toward(now, target, side, limit, dt),
                    None => rate_limited(now, target, limit, dt),
                })
            };

        self.ltv = if p.is_on(rule::LTV) {
            let base_l = u64::from(r.ltv_bps);
            let target = shrink_with_vol(base_l, vol, p.ltv_floor_bps.into());
            toward(
                self.ltv,
                base_l,
                target,
                Some(SafeSide::Lower),
                p.ltv_rise_bps_per_hour,
            )
        } else {
            0
        };
        self.threshold = if p.is_on(rule::THRESHOLD) {
            let base_t = u64::from(r.liquidation_threshold_bps);
            let target = shrink_with_vol(base_t, vol, p.threshold_floor_bps.into());
            // both ways rate-limited: positions live under it
            toward(
                self.threshold,
                base_t,
                target,
                None,
                p.threshold_drift_bps_per_hour,
            )
        } else {
            0
        };
        self.bonus = if p.is_on(rule::BONUS) {
            let base_b = u64::from(r.liquidation_bonus_bps);
            let target = grow_with_vol(base_b, vol, p.bonus_ceiling_bps.into());
            toward(
                self.bonus,
                base_b,
                target,
                Some(SafeSide::Higher),
                p.bonus_fall_bps_per_hour,
            )
        } else {
            0
        };
        if p.is_on(rule::AUCTION) {
            let (higher, relax) = (Some(SafeSide::Higher), p.auction_relax_bps_per_hour);
            let base_s = u64::from(a.start_buffer_bps);
            let target = grow_with_vol(base_s, vol, p.start_buffer_ceiling_bps.into());
            self.start_buffer = toward(self.start_buffer, base_s, target, higher, relax);
            let target = grow_with_vol(10_000, vol, p.decay_speedup_ceiling_bps.into());
            self.decay_speedup = toward(self.decay_speedup, 10_000, target, higher, relax);
        } else {
            self.start_buffer = 0;
            self.decay_speedup = 0;
        }
        self.cap_scale = match (p.is_on(rule::CAP), m.depth) {
            (true, Some((estimate, trend))) => {
                let target = trend_scale_bps(estimate, trend, p.cap_floor_bps.into());
                let lower = Some(SafeSide::Lower);
                toward(
                    self.cap_scale,
                    10_000,
                    target,
                    lower,
                    p.cap_rise_bps_per_hour,
                )
            }
            (true, None) => self.cap_scale,
            (false, _) => 0,
        };
    }

    /// A held value in whole bps, rounded down, or `fallback` when not held.
    pub fn bps(held: u32, fallback: u16) -> u64 {
        if held == 0 {
            fallback.into()
        } else {
            u64::from(held) / HELD_PER_BPS
        }
    }

    /// [`Adapted::bps`] rounded up: the threshold's reading, so its drift in
    /// whole bps never exceeds the hourly limit.
    pub fn bps_up(held: u32, fallback: u16) -> u64 {
        if held == 0 {
            fallback.into()
        } else {
            u64::from(held).div_ceil(HELD_PER_BPS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::{adaptive, Preset};
    use crate::state::RiskParams;

    fn code(r: Result<()>) -> Option<u32> {
        match r {
            Err(Error::AnchorError(e)) => Some(e.error_code_number),
            _ => None,
        }
    }

    fn base() -> PoolParams {
        Preset::Sluice.pool_params()
    }

    /// The preset's bounds with every rule on.
    fn all_on() -> AdaptiveParams {
        AdaptiveParams {
            switches: rule::ALL,
            ..adaptive()
        }
    }

    fn reading(vol_ratio_bps: u64, now: i64) -> MarketReading {
        MarketReading {
            vol_ratio_bps,
            depth: Some((1_000, 1_000)),
            now,
        }
    }

    #[test]
    fn the_preset_is_valid_and_every_bound_is_checked() {
        let b = base();
        adaptive().validate(&b).unwrap();
        AdaptiveParams::default().validate(&b).unwrap();
        all_on().validate(&b).unwrap();
        let bad = |f: fn(&mut AdaptiveParams), e: SluiceError| {
            let mut p = all_on();
            f(&mut p);
            assert_eq!(code(p.validate(&b)), Some(u32::from(e)), "{e:?}");
        };
        bad(|p| p.switches = 1 << 6, SluiceError::AdaptiveSwitchUnknown);
        bad(
            |p| p._padding = [1, 0, 0],
            SluiceError::AdaptiveSwitchUnknown,
        );
        bad(
            |p| p.ref_vol_hourly_bps = 0,
            SluiceError::AdaptiveReferenceOutOfBounds,
        );
        bad(
            |p| p.ltv_floor_bps = 7_501,
            SluiceError::AdaptiveLtvOutOfBounds,
        );
        bad(
            |p| p.ltv_rise_bps_per_hour = 9,
            SluiceError::AdaptiveLtvOutOfBounds,
        );
        // the threshold may not drift to the LTV, nor over 10% down
        bad(
            |p| p.threshold_floor_bps = 7_500,
            SluiceError::AdaptiveThresholdOutOfBounds,
        );
        bad(
            |p| p.threshold_drift_bps_per_hour = 101,
            SluiceError::AdaptiveThresholdOutOfBounds,
        );
        // a 24% bonus at an 80% threshold is toxic
        bad(
            |p| p.bonus_ceiling_bps = 2_400,
            SluiceError::AdaptiveBonusOutOfBounds,
        );
        bad(
            |p| p.bonus_ceiling_bps = 400,
            SluiceError::AdaptiveBonusOutOfBounds,
        );
        bad(
            |p| p.decay_speedup_ceiling_bps = 9_999,
            SluiceError::AdaptiveAuctionOutOfBounds,
        );
        bad(
            |p| p.decay_speedup_ceiling_bps = 40_001,
            SluiceError::AdaptiveAuctionOutOfBounds,
        );
        bad(
            |p| p.cap_floor_bps = 999,
            SluiceError::AdaptiveCapOutOfBounds,
        );
        bad(
            |p| p.nominal_ms_per_slot = 99,
            SluiceError::AdaptiveSecondsOutOfBounds,
        );
        bad(
            |p| p.max_slot_stretch_bps = 9_999,
            SluiceError::AdaptiveSecondsOutOfBounds,
        );
        // a rule off: its fields are not read
        let mut p = adaptive();
        p.switches = rule::CAP;
        p.ref_vol_hourly_bps = 0;
        p.ltv_floor_bps = 9_999;
        p.validate(&b).unwrap();
        // the bounds follow the pool's parameters
        let mut lower = b;
        lower.risk = RiskParams {
            ltv_bps: 7_700,
            liquidation_threshold_bps: 8_000,
            liquidation_bonus_bps: 500,
        };
        assert_eq!(
            code(all_on().validate(&lower)),
            Some(u32::from(SluiceError::AdaptiveThresholdOutOfBounds))
        );
    }

    #[test]
    fn the_preset_fits_any_valid_pool() {
        use crate::presets::adaptive_for;
        assert_eq!(adaptive_for(&base()), adaptive());
        for (ltv, threshold, bonus) in [
            (6_500, 7_000, 500),
            (0, 1_000, 0),
            (8_900, 9_000, 500),
            (7_000, 9_400, 300),
            (5_000, 5_001, 2_500),
        ] {
            let mut p = base();
            p.risk = RiskParams {
                ltv_bps: ltv,
                liquidation_threshold_bps: threshold,
                liquidation_bonus_bps: bonus,
            };
            if p.validate().is_err() {
                continue;
            }
            let a = AdaptiveParams {
                switches: rule::ALL,
                ..adaptive_for(&p)
            };
            assert_eq!(code(a.validate(&p)), None, "{:?}", p.risk);
        }
    }

    #[test]
    fn a_storm_moves_the_safe_side_at_once_and_the_threshold_only_drifts() {
        let (p, b) = (all_on(), base());
        let mut a = Adapted::default();
        a.step(&p, &b, &reading(10_000, 1_000));
        assert_eq!(
            (Adapted::bps(a.ltv, 0), Adapted::bps(a.threshold, 0)),
            (7_500, 8_000)
        );
        // volatility twice the reference, one second later
        a.step(&p, &b, &reading(20_000, 1_001));
        assert_eq!(Adapted::bps(a.ltv, 0), 5_000);
        assert_eq!(Adapted::bps(a.bonus, 0), 1_000);
        assert_eq!(Adapted::bps(a.decay_speedup, 0), 20_000);
        assert_eq!(
            Adapted::bps(a.threshold, 0),
            8_000,
            "no drift within a minute"
        );
        // an hour on, refreshed every five minutes: the threshold has
        // drifted 50 bps, no further (a step's rounding keeps under a
        // hundredth of a bp)
        for t in (1_300..=4_600).step_by(300) {
            a.step(&p, &b, &reading(20_000, t));
        }
        assert_eq!(800_000 - a.threshold, 12 * (5_000 * 300 / 3_600));
        assert_eq!(Adapted::bps_up(a.threshold, 0), 7_951);
        // calm again for an hour: the LTV returns 1% an hour, the bonus 2%
        for t in (4_900..=8_200).step_by(300) {
            a.step(&p, &b, &reading(10_000, t));
        }
        assert_eq!(a.ltv, 500_000 + 12 * (10_000 * 300 / 3_600));
        assert_eq!(a.bonus, 100_000 - 12 * (20_000 * 300 / 3_600));
        assert_eq!(Adapted::bps_up(a.threshold, 0), 8_000);
    }

    #[test]
    fn refreshes_every_second_move_no_faster_than_the_hourly_limit() {
        let (p, b) = (all_on(), base());
        let mut a = Adapted::default();
        a.step(&p, &b, &reading(40_000, 1_000));
        for t in 1_001..=4_600 {
            a.step(&p, &b, &reading(40_000, t));
        }
        // an hour of refreshes each second: 50 bps of drift at most, and
        // nearly all of it
        let drifted = 800_000 - u64::from(a.threshold);
        assert!((4_900..=5_000).contains(&drifted), "{drifted}");
    }

    #[test]
    fn a_long_gap_between_refreshes_moves_five_minutes_worth_at_most() {
        let (p, b) = (all_on(), base());
        let mut a = Adapted::default();
        a.step(&p, &b, &reading(40_000, 1_000));
        // ten hours without a refresh: the threshold drifts 50 bps/h x 300 s
        a.step(&p, &b, &reading(40_000, 37_000));
        assert_eq!(800_000 - a.threshold, 5_000 * 300 / 3_600);
    }

    #[test]
    fn a_rule_switched_off_holds_nothing() {
        let b = base();
        let mut p = all_on();
        let mut a = Adapted::default();
        a.step(&p, &b, &reading(30_000, 1_000));
        assert!(a.ltv > 0 && a.cap_scale > 0);
        p.switches = 0;
        a.step(&p, &b, &reading(30_000, 2_000));
        assert_eq!(
            (
                a.ltv,
                a.threshold,
                a.bonus,
                a.start_buffer,
                a.decay_speedup,
                a.cap_scale
            ),
            (0, 0, 0, 0, 0, 0)
        );
    }
}
