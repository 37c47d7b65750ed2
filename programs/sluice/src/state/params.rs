//! Governance-settable pool parameters and their hard bounds.
use anchor_lang::prelude::*;

use crate::constants::bounds::*;
use crate::errors::SluiceError;
use crate::math::interest::RateModel;

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct RiskParams {
    /// Maximum debt / collateral value when opening risk (borrow, withdraw collateral).
    pub ltv_bps: u16,
    /// Debt / collateral value at which a position becomes liquidatable.
    pub liquidation_threshold_bps: u16,
    /// Discount a liquidator receives on seized collateral.
    pub liquidation_bonus_bps: u16,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct RateParams {
    pub base_rate_bps: u32,
    pub optimal_utilization_bps: u32,
    pub slope1_bps: u32,
    pub slope2_bps: u32,
    /// Share of interest paid to the insurance buffer.
    pub reserve_factor_bps: u16,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct OracleParams {
    /// A Pyth price older than this (seconds, by the cluster clock) is rejected.
    pub max_age_secs: u32,
    /// A Pyth price whose confidence exceeds this share of the price is rejected.
    pub max_conf_bps: u16,
    /// 0: PriceUpdateV2 must be fully verified. n > 0: partial with >= n guardian signatures accepted.
    pub min_signatures: u8,
    /// TWAP window in slots.
    pub twap_window_slots: u32,
    /// Spot/TWAP divergence above which liquidation waits (unless the TWAP alone says unhealthy).
    pub max_twap_divergence_bps: u16,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct PoolParams {
    pub risk: RiskParams,
    pub rates: RateParams,
    pub oracle: OracleParams,
    /// Maximum tokens the pool holds (lender supply + debt + collateral).
    pub deposit_cap: u64,
    /// Maximum tokens outstanding as debt.
    pub borrow_cap: u64,
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
        // threshold x (1 + bonus) >= 1 means seizing collateral at a bonus
        // removes more weighted collateral than debt: health falls with every
        // liquidation (the toxic spiral).
        let lhs =
            u32::from(r.liquidation_threshold_bps) * (10_000 + u32::from(r.liquidation_bonus_bps));
        require!(lhs < 10_000 * 10_000, SluiceError::ToxicLiquidationParams);

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
            (MIN_TWAP_WINDOW_SLOTS..=MAX_TWAP_WINDOW_SLOTS).contains(&o.twap_window_slots)
                && (MIN_TWAP_DIVERGENCE_BPS..=MAX_TWAP_DIVERGENCE_BPS)
                    .contains(&o.max_twap_divergence_bps),
            SluiceError::TwapParamsOutOfBounds
        );
        Ok(())
    }
}
