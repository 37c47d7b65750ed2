//! Governance-settable pool parameters and their hard bounds.
use anchor_lang::prelude::*;
use bytemuck::{Pod, Zeroable};

use crate::constants::bounds::*;
use crate::errors::SluiceError;
use crate::math::interest::RateModel;

pod_struct! {
    serde
    pub struct RiskParams {
        /// Maximum debt / collateral value when opening risk (borrow, withdraw collateral).
        pub ltv_bps: u16,
        /// Debt / collateral value at which a position becomes liquidatable.
        pub liquidation_threshold_bps: u16,
        /// Discount a liquidator receives on seized collateral.
        pub liquidation_bonus_bps: u16,
    }
}

pod_struct! {
    serde
    pub struct RateParams {
        pub base_rate_bps: u32,
        pub optimal_utilization_bps: u32,
        pub slope1_bps: u32,
        pub slope2_bps: u32,
        /// Share of interest paid to the insurance buffer.
        pub reserve_factor_bps: u16,
        /// Explicit layout padding (zero-copy: no implicit padding); must be zero.
        #[cfg_attr(feature = "serde", serde(skip))]
        pub _padding: [u8; 2],
    }
}

pod_struct! {
    serde
    pub struct OracleParams {
        /// A Pyth price older than this (seconds, by the cluster clock) is rejected.
        pub max_age_secs: u32,
        /// TWAP window in seconds of Pyth publish time. Each price is weighted by
        /// how long it stood (until the next, strictly newer, publish time), so
        /// re-reading one update adds nothing.
        pub twap_window_secs: u32,
        /// A Pyth price whose confidence exceeds this share of the price is rejected.
        pub max_conf_bps: u16,
        /// Spot/TWAP divergence above which liquidation waits (unless the TWAP alone says unhealthy).
        pub max_twap_divergence_bps: u16,
        /// 0: PriceUpdateV2 must be fully verified. n > 0: partial with >= n guardian signatures accepted.
        #[cfg_attr(feature = "serde", serde(default))]
        pub min_signatures: u8,
        /// Liquidation guard window (seconds). 0: a liquidation values
        /// collateral at max(spot, TWAP) (the TWAP's lag holds it back in a
        /// sustained fall). n > 0: at max(spot, the highest price that stood
        /// in the last n seconds), so a fall must last n seconds to count,
        /// and a wick shorter than that counts for nothing. At most the TWAP
        /// window; its resolution is the TWAP ring's spacing (window / 31).
        #[cfg_attr(feature = "serde", serde(default))]
        pub guard_window_secs: u8,
        /// Explicit layout padding; must be zero.
        #[cfg_attr(feature = "serde", serde(skip))]
        pub _padding: [u8; 2],
    }
}

/// How a pool's collateral is liquidated.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
#[repr(u8)]
pub enum LiquidationMode {
    /// Seized collateral goes to a Dutch auction (the `sluice` preset).
    #[default]
    Auction,
    /// The liquidator repays debt and receives collateral at a fixed bonus at once
    /// (the common Aave/Solend design; the `instant` preset).
    Instant,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
#[repr(u8)]
pub enum AuctionCurve {
    /// Straight line from start to floor over `duration_slots`.
    #[default]
    Linear,
    /// `x (1 - step_bps)` every `step_slots`, down to the floor.
    ExpStep,
}

pod_struct! {
    pub struct AuctionParams {
        /// Linear: slots from start to floor.
        pub duration_slots: u32,
        /// ExpStep: one step every `step_slots`, each `step_bps` lower.
        pub step_slots: u32,
        /// A lot not sold within this many slots after its decay start must be redone.
        pub time_limit_slots: u32,
        /// Start price = oracle price x (1 + start_buffer).
        pub start_buffer_bps: u16,
        /// Floor = oracle price at the (re)start x floor_bps.
        pub floor_bps: u16,
        pub step_bps: u16,
        /// The decay start is delayed by 0..=jitter_slots, drawn from SlotHashes.
        pub jitter_slots: u16,
        /// Share of the remaining lot paid to the keeper who redoes a stale auction.
        pub redo_tip_bps: u16,
        /// An [`AuctionCurve`] as u8 (zero-copy); read it with [`AuctionParams::curve`].
        pub curve: u8,
        /// Explicit layout padding; must be zero.
        pub _padding: u8,
    }
}

pod_struct! {
    /// How this pool's collateral is liquidated (the pool is the collateral side).
    pub struct LiquidationParams {
        /// Governance cap on collateral seized per slot (base units); u64::MAX = none.
        pub sell_cap_per_slot: u64,
        pub auction: AuctionParams,
        /// A partial liquidation restores health to this (liquidation view), >= 1.
        pub target_health_bps: u16,
        /// Largest share of a debt leg one liquidation may retire.
        pub close_factor_bps: u16,
        /// Price impact bound for the depth cap on registered sources.
        pub max_slippage_bps: u16,
        /// A [`LiquidationMode`] as u8 (zero-copy); read it with [`LiquidationParams::mode`].
        pub mode: u8,
        /// 1: judge liquidation at max/min(spot, TWAP); 0: at spot alone.
        pub use_twap: u8,
    }
}

pod_struct! {
    pub struct PoolParams {
        /// Maximum tokens the pool holds (lender supply + debt + collateral).
        pub deposit_cap: u64,
        /// Maximum tokens outstanding as debt.
        pub borrow_cap: u64,
        pub liquidation: LiquidationParams,
        pub rates: RateParams,
        pub oracle: OracleParams,
        pub risk: RiskParams,
        /// Seizure window (slots): liquidations and buffer sales may seize
        /// up to this many slots of the per-slot cap at once, the unused
        /// cap of quiet slots carrying over (a bucket that drains one slot's
        /// cap per slot, so the average stays one cap per slot). Sales to
        /// takers stay within one slot's cap per slot (`Pool::sale_room`):
        /// what reaches the market is throttled per slot, seizure only on
        /// average. 0 or 1: one slot's cap per slot, nothing carried over.
        pub seize_window_slots: u8,
        /// Sale pacing (slots): with n > 0 a slot's sales to takers are at
        /// most the auction backlog (collateral in open lots, with what this
        /// slot already sold) / n, and at least a quarter of the per-slot
        /// cap, never more than the cap: a backlog is spread over n slots
        /// instead of dumped at the slippage bound in one. 0: the whole cap.
        pub sale_pace_slots: u8,
        /// Explicit layout padding; must be zero.
        pub _padding: [u8; 4],
    }
}

impl LiquidationMode {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::Auction),
            1 => Some(Self::Instant),
            _ => None,
        }
    }
}

impl AuctionCurve {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::Linear),
            1 => Some(Self::ExpStep),
            _ => None,
        }
    }
}

impl AuctionParams {
    /// The stored curve; `validate` rejects unknown values, so this never
    /// sees one on a pool.
    pub fn curve(&self) -> Result<AuctionCurve> {
        AuctionCurve::from_u8(self.curve)
            .ok_or_else(|| error!(SluiceError::AuctionParamsOutOfBounds))
    }
}

impl LiquidationParams {
    pub fn mode(&self) -> Option<LiquidationMode> {
        LiquidationMode::from_u8(self.mode)
    }

    pub fn is_mode(&self, mode: LiquidationMode) -> bool {
        self.mode == mode as u8
    }

    /// Judge liquidation at max/min(spot, TWAP) (true) or at spot alone.
    pub fn uses_twap(&self) -> bool {
        self.use_twap != 0
    }
}

impl RateParams {
    pub fn model(&self) -> RateModel {
        RateModel {
            base_rate_bps: self.base_rate_bps,
            optimal_utilization_bps: self.optimal_utilization_bps,
            slope1_bps: self.slope1_bps,
            slope2_bps: self.slope2_bps,
        }
    }
}

impl PoolParams {
    /// Rejects any value outside the hard bounds with the error naming it.
    pub fn validate(&self) -> Result<()> {
        let r = &self.risk;
        require!(r.ltv_bps <= MAX_LTV_BPS, SluiceError::LtvOutOfBounds);
        require!(
            r.liquidation_threshold_bps >= r.ltv_bps
                && (r.ltv_bps == 0 || r.liquidation_threshold_bps > r.ltv_bps)
                && r.liquidation_threshold_bps <= MAX_LIQUIDATION_THRESHOLD_BPS,
            SluiceError::LiquidationThresholdOutOfBounds
        );
        require!(
            r.liquidation_bonus_bps <= MAX_LIQUIDATION_BONUS_BPS,
            SluiceError::LiquidationBonusOutOfBounds
        );
        // threshold x (1 + bonus + keeper incentive) >= 1 means seizing
        // collateral at a bonus removes more weighted collateral than debt:
        // health falls with every liquidation (the toxic spiral). The
        // incentive is market-wide, so the check uses its hard maximum.
        let lhs = u32::from(r.liquidation_threshold_bps)
            * (10_000 + u32::from(r.liquidation_bonus_bps) + u32::from(MAX_KEEPER_INCENTIVE_BPS));
        require!(lhs < 10_000 * 10_000, SluiceError::ToxicLiquidationParams);

        require!(
            self._padding == [0; 4]
                && self.rates._padding == [0; 2]
                && self.oracle._padding == [0; 2]
                && self.liquidation.auction._padding == 0,
            SluiceError::NonZeroPadding
        );
        let m = &self.rates;
        require!(
            m.base_rate_bps <= MAX_BASE_RATE_BPS
                && (MIN_OPTIMAL_UTILIZATION_BPS..=MAX_OPTIMAL_UTILIZATION_BPS)
                    .contains(&m.optimal_utilization_bps)
                && m.slope1_bps <= MAX_SLOPE1_BPS
                && m.slope2_bps <= MAX_SLOPE2_BPS,
            SluiceError::RateModelOutOfBounds
        );
        require!(
            m.reserve_factor_bps <= MAX_RESERVE_FACTOR_BPS,
            SluiceError::ReserveFactorOutOfBounds
        );

        let o = &self.oracle;
        require!(
            (MIN_ORACLE_MAX_AGE_SECS..=MAX_ORACLE_MAX_AGE_SECS).contains(&o.max_age_secs)
                && (MIN_ORACLE_CONF_BPS..=MAX_ORACLE_CONF_BPS).contains(&o.max_conf_bps)
                && o.min_signatures <= MAX_MIN_SIGNATURES,
            SluiceError::OracleParamsOutOfBounds
        );
        require!(
            (MIN_TWAP_WINDOW_SECS..=MAX_TWAP_WINDOW_SECS).contains(&o.twap_window_secs)
                && (MIN_TWAP_DIVERGENCE_BPS..=MAX_TWAP_DIVERGENCE_BPS)
                    .contains(&o.max_twap_divergence_bps)
                && u32::from(o.guard_window_secs) <= o.twap_window_secs,
            SluiceError::TwapParamsOutOfBounds
        );
        require!(
            self.seize_window_slots <= MAX_SEIZE_WINDOW_SLOTS
                && self.sale_pace_slots <= MAX_SALE_PACE_SLOTS,
            SluiceError::LiquidationParamsOutOfBounds
        );
        self.liquidation.validate()
    }
}

impl LiquidationParams {
    pub fn validate(&self) -> Result<()> {
        require!(
            (MIN_TARGET_HEALTH_BPS..=MAX_TARGET_HEALTH_BPS).contains(&self.target_health_bps)
                && (1..=10_000).contains(&self.close_factor_bps)
                && self.sell_cap_per_slot > 0
                && self.mode().is_some()
                && self.use_twap <= 1
                && (MIN_DEPTH_SLIPPAGE_BPS..=MAX_DEPTH_SLIPPAGE_BPS)
                    .contains(&self.max_slippage_bps),
            SluiceError::LiquidationParamsOutOfBounds
        );
        let a = &self.auction;
        let curve_ok = match AuctionCurve::from_u8(a.curve) {
            None => false,
            Some(AuctionCurve::Linear) => {
                (1..=MAX_AUCTION_DURATION_SLOTS).contains(&a.duration_slots)
            }
            Some(AuctionCurve::ExpStep) => {
                (1..=MAX_AUCTION_DURATION_SLOTS).contains(&a.step_slots)
                    && (1..=MAX_AUCTION_STEP_BPS).contains(&a.step_bps)
            }
        };
        require!(
            curve_ok
                && a.start_buffer_bps <= MAX_AUCTION_START_BUFFER_BPS
                && (MIN_AUCTION_FLOOR_BPS..=MAX_AUCTION_FLOOR_BPS).contains(&a.floor_bps)
                // the start must lie above the floor, or every lot is "at floor"
                && u32::from(a.floor_bps) < 10_000 + u32::from(a.start_buffer_bps)
                && (1..=MAX_AUCTION_DURATION_SLOTS).contains(&a.time_limit_slots)
                && a.jitter_slots <= MAX_AUCTION_JITTER_SLOTS
                && a.redo_tip_bps <= MAX_REDO_TIP_BPS,
            SluiceError::AuctionParamsOutOfBounds
        );
        Ok(())
    }
}
