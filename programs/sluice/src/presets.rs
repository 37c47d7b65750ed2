//! Named parameter sets. Their degenerate values reproduce common designs on
//! the same program, so the simulator compares designs, not models.
//!
//! - `sluice`: TWAP guard, partial liquidation to a target health, per-slot
//!   sell cap from registered depth, Dutch auctions.
//! - `instant`: the common (Aave v2 / Solend) design: spot price only, no sell
//!   cap, the liquidator repays up to half the debt at once and receives the
//!   collateral at the fixed bonus.
use crate::state::adaptive::rule;
use crate::state::{
    AdaptiveParams, AuctionCurve, AuctionParams, BufferParams, LiquidationMode, LiquidationParams,
    MarketParams, OracleParams, PoolParams, RateParams, RiskParams,
};

/// A named design: its liquidation rules, and a whole pool parameter set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Sluice,
    Instant,
}

impl Preset {
    pub const ALL: [Preset; 2] = [Preset::Sluice, Preset::Instant];

    pub const fn name(self) -> &'static str {
        match self {
            Preset::Sluice => "sluice",
            Preset::Instant => "instant",
        }
    }

    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn liquidation(self) -> LiquidationParams {
        match self {
            Preset::Sluice => sluice(),
            Preset::Instant => instant(),
        }
    }

    /// A whole pool parameter set with this preset's liquidation rules, for a
    /// liquid major asset: LTV 75%, liquidation threshold 80%, bonus 5%;
    /// 1% base rate, kink at 80% utilisation (+4%, then +300%), 10% reserve
    /// factor; prices at most 60 s old with confidence within 2%, a 20 s
    /// TWAP, a 5% spot/TWAP divergence bound and a 2 s liquidation guard (a
    /// fall must last 2 s to count); the `sluice` preset may seize up to 5
    /// slots of its per-slot cap at once after quiet slots and paces its
    /// sales over the auction backlog / 4; caps of 1e15 base units
    /// (governance sets real caps per asset).
    pub fn pool_params(self) -> PoolParams {
        PoolParams {
            risk: RiskParams {
                ltv_bps: 7_500,
                liquidation_threshold_bps: 8_000,
                liquidation_bonus_bps: 500,
            },
            rates: RateParams {
                base_rate_bps: 100,
                optimal_utilization_bps: 8_000,
                slope1_bps: 400,
                slope2_bps: 30_000,
                reserve_factor_bps: 1_000,
                ..Default::default()
            },
            oracle: OracleParams {
                max_age_secs: 60,
                max_conf_bps: 200,
                min_signatures: 0,
                twap_window_secs: 20,
                max_twap_divergence_bps: 500,
                guard_window_secs: 2,
                ..Default::default()
            },
            deposit_cap: 1_000_000_000_000_000,
            borrow_cap: 1_000_000_000_000_000,
            liquidation: self.liquidation(),
            seize_window_slots: match self {
                Preset::Sluice => 5,
                Preset::Instant => 1,
            },
            sale_pace_slots: match self {
                Preset::Sluice => 4,
                Preset::Instant => 0,
            },
            ..Default::default()
        }
    }
}

/// The preset names, for command lines and configuration files.
pub const PRESETS: [&str; 2] = [Preset::ALL[0].name(), Preset::ALL[1].name()];

/// The liquidation rules of the preset named `name`.
pub fn liquidation(name: &str) -> Option<LiquidationParams> {
    Preset::from_name(name).map(Preset::liquidation)
}

pub fn sluice() -> LiquidationParams {
    LiquidationParams {
        mode: LiquidationMode::Auction as u8,
        use_twap: 1,
        target_health_bps: 10_500,
        close_factor_bps: 10_000,
        sell_cap_per_slot: u64::MAX,
        max_slippage_bps: 100,
        // A lot must clear faster than a crash moves: it opens at the oracle
        // price and loses 1% per slot (400 ms), so it crosses the market
        // within a slot or two; the 5% penalty margin covers the move
        // meanwhile. (An opening 2% above the oracle cost a 45%/48 s crash
        // 0.23% of the debt in bad debt: lots waited above a falling market.)
        auction: AuctionParams {
            start_buffer_bps: 0,
            floor_bps: 7_000,
            curve: AuctionCurve::ExpStep as u8,
            duration_slots: 60,
            step_slots: 1,
            step_bps: 100,
            time_limit_slots: 60,
            jitter_slots: 2,
            redo_tip_bps: 10,
            _padding: 0,
        },
    }
}

pub fn instant() -> LiquidationParams {
    LiquidationParams {
        mode: LiquidationMode::Instant as u8,
        use_twap: 0,
        target_health_bps: 15_000,
        close_factor_bps: 5_000,
        sell_cap_per_slot: u64::MAX,
        max_slippage_bps: 5_000,
        auction: sluice().auction,
    }
}

/// Adaptive rules for the preset pool parameters. Above a reference of 1.5%
/// per sqrt(hour) (about 140% a year: half again SOL's usual volatility, so
/// an ordinary day moves nothing; at 1% the `day` path's 1.2% drifted the
/// threshold for hours) the LTV for new risk shrinks (to 50% at most, back at 1%
/// an hour) and the threshold drifts (to 76% at most, 0.5% an hour); the
/// depth cap keeps at least a quarter of itself while the venues drain
/// (back at 20% an hour); auctions keep their seconds when slots stretch
/// past 400 ms (up to 4x). The bonus (to 10%) and auction (decay up to 3x)
/// bounds are set but their rules are off: with the `sluice` auction they
/// made the simulated crash worse (README, "Adaptive risk"). Off by default
/// on a pool: governance switches it on (`update_adaptive_params`).
pub fn adaptive() -> AdaptiveParams {
    AdaptiveParams {
        ref_vol_hourly_bps: 150,
        ltv_floor_bps: 5_000,
        ltv_rise_bps_per_hour: 100,
        threshold_floor_bps: 7_600,
        threshold_drift_bps_per_hour: 50,
        bonus_ceiling_bps: 1_000,
        bonus_fall_bps_per_hour: 200,
        start_buffer_ceiling_bps: 0,
        decay_speedup_ceiling_bps: 30_000,
        auction_relax_bps_per_hour: 5_000,
        cap_floor_bps: 2_500,
        cap_rise_bps_per_hour: 2_000,
        nominal_ms_per_slot: 400,
        max_slot_stretch_bps: 40_000,
        switches: rule::LTV | rule::THRESHOLD | rule::CAP | rule::SECONDS,
        _padding: [0; 3],
    }
}

/// [`adaptive`]'s rules fitted to a pool's parameters `p`, so they validate
/// against them: the LTV floor at most its LTV, the threshold floor the
/// preset's 400 bps under its threshold (above its LTV), the bonus ceiling
/// the preset's unless that is toxic with its threshold (then its own
/// bonus), the start buffer ceiling at least its own. The preset's pool
/// parameters get [`adaptive`] itself.
pub fn adaptive_for(p: &PoolParams) -> AdaptiveParams {
    use crate::constants::bounds::MAX_KEEPER_INCENTIVE_BPS;
    let base = adaptive();
    let r = &p.risk;
    let preset_threshold = Preset::Sluice.pool_params().risk.liquidation_threshold_bps;
    let margin = preset_threshold.saturating_sub(base.threshold_floor_bps);
    let threshold_floor = r
        .liquidation_threshold_bps
        .saturating_sub(margin)
        .max(r.ltv_bps.saturating_add(1))
        .min(r.liquidation_threshold_bps);
    let toxic = |bonus: u16| {
        u32::from(r.liquidation_threshold_bps)
            * (10_000 + u32::from(bonus) + u32::from(MAX_KEEPER_INCENTIVE_BPS))
            >= 10_000 * 10_000
    };
    let bonus_ceiling = if toxic(base.bonus_ceiling_bps) {
        r.liquidation_bonus_bps
    } else {
        base.bonus_ceiling_bps.max(r.liquidation_bonus_bps)
    };
    AdaptiveParams {
        ltv_floor_bps: base.ltv_floor_bps.min(r.ltv_bps),
        threshold_floor_bps: threshold_floor,
        bonus_ceiling_bps: bonus_ceiling,
        start_buffer_ceiling_bps: base
            .start_buffer_ceiling_bps
            .max(p.liquidation.auction.start_buffer_bps),
        ..base
    }
}

/// Market-wide defaults: keeper incentive 0.5% of debt retired; the circuit
/// breaker (collateral value in open auctions) at $50M.
/// Buffer pool defaults: absorbs at 3% under the conservative price (the
/// pool's liquidation bonus is 5%), sells 1% under the reference price and
/// never under cost; a deposit backs absorbs after 750 slots (~5 min), a
/// withdrawal waits 9,000 slots (~1 h).
pub fn buffer() -> BufferParams {
    BufferParams {
        absorb_discount_bps: 300,
        sale_discount_bps: 100,
        sale_floor_bps: 10_000,
        activation_delay_slots: 750,
        withdrawal_cooldown_slots: 9_000,
    }
}

pub fn market() -> MarketParams {
    MarketParams {
        pause_flags: 0,
        keeper_incentive_bps: 50,
        max_auction_value_usd: 50_000_000,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn presets_are_within_bounds() {
        for p in super::Preset::ALL {
            p.liquidation().validate().unwrap(); // allow: test-only, cfg(test) module
            p.pool_params().validate().unwrap(); // allow: test-only, cfg(test) module
            super::buffer().validate().unwrap(); // allow: test-only, cfg(test) module
            assert_eq!(super::Preset::from_name(p.name()), Some(p));
        }
        super::market().validate().unwrap(); // allow: test-only, cfg(test) module
    }
}
