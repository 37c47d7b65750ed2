//! Named parameter sets. Their degenerate values reproduce common designs on
//! the same program, so the simulator compares designs, not models.
//!
//! - `sluice`: TWAP guard, partial liquidation to a target health, per-slot
//!   sell cap from registered depth, Dutch auctions.
//! - `instant`: the common (Aave v2 / Solend) design: spot price only, no sell
//!   cap, the liquidator repays up to half the debt at once and receives the
//!   collateral at the fixed bonus.
use crate::state::{AuctionCurve, AuctionParams, LiquidationMode, LiquidationParams, MarketParams};

pub const PRESETS: [&str; 2] = ["sluice", "instant"];

pub fn liquidation(preset: &str) -> Option<LiquidationParams> {
    match preset {
        "sluice" => Some(sluice()),
        "instant" => Some(instant()),
        _ => None,
    }
}

pub fn sluice() -> LiquidationParams {
    LiquidationParams {
        mode: LiquidationMode::Auction as u8,
        use_twap: 1,
        target_health_bps: 10_500,
        close_factor_bps: 10_000,
        sell_cap_per_slot: u64::MAX,
        max_slippage_bps: 100,
        // A lot must clear faster than a crash moves: it opens 2% above the
        // oracle and loses 1% per slot (400 ms), so it crosses the market
        // within a few slots; the 5% penalty margin covers the move meanwhile.
        auction: AuctionParams {
            start_buffer_bps: 200,
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

/// Market-wide defaults: keeper incentive 0.5% of debt retired; the circuit
/// breaker (collateral value in open auctions) at $50M.
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
        for p in super::PRESETS {
            super::liquidation(p).unwrap().validate().unwrap(); // allow: test-only, cfg(test) module
        }
        super::market().validate().unwrap(); // allow: test-only, cfg(test) module
    }
}
