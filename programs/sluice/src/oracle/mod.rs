//! Pyth readers. Both formats are reduced to one [`OraclePrice`] after every
//! check the pool's configuration asks for; a bad price is a named error.
pub mod pyth_legacy;
pub mod pyth_pull;

use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::math::price::{conf_bps, unit_price_wad, MAX_EXPO, MIN_EXPO};
use crate::math::Rounding;
use crate::state::{OracleConfig, OracleKind, OracleParams};

/// A checked oracle reading: `price * 10^expo` USD per whole token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    pub price: u64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    /// Pyth's exponential moving average (0 when the feed has none).
    pub ema_price: u64,
}

impl OraclePrice {
    /// Spot unit price (WAD USD per base unit), rounded down.
    pub fn unit_price(&self, decimals: u8) -> Result<u128> {
        Ok(unit_price_wad(
            self.price,
            self.expo,
            decimals,
            Rounding::Down,
        )?)
    }

    pub fn ema_unit_price(&self, decimals: u8) -> Result<u128> {
        Ok(unit_price_wad(
            self.ema_price,
            self.expo,
            decimals,
            Rounding::Down,
        )?)
    }
}

/// Raw fields common to both formats, before the shared checks.
pub(crate) struct RawPrice {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    pub ema_price: i64,
}

/// Reads and checks the pool's oracle: owner, identity, format and (per
/// format) verification level or trading status, then exponent, sign,
/// staleness and confidence.
pub fn read_oracle(
    account: &AccountInfo,
    config: &OracleConfig,
    params: &OracleParams,
    now: i64,
) -> Result<OraclePrice> {
    let raw = match config.kind()? {
        OracleKind::PythPull => pyth_pull::read(account, config, params)?,
        OracleKind::PythLegacy => pyth_legacy::read(account, config)?,
    };
    check(raw, params, now)
}

fn check(raw: RawPrice, params: &OracleParams, now: i64) -> Result<OraclePrice> {
    require!(
        (MIN_EXPO..=MAX_EXPO).contains(&raw.expo),
        SluiceError::OracleExponentOutOfRange
    );
    require!(raw.price > 0, SluiceError::OracleNonPositivePrice);
    let max_age = i64::from(params.max_age_secs);
    // A publish time far ahead of the cluster clock is as suspect as a stale one.
    require!(
        raw.publish_time <= now.saturating_add(max_age),
        SluiceError::OraclePublishTimeInFuture
    );
    require!(
        now.saturating_sub(raw.publish_time) <= max_age,
        SluiceError::OracleStale
    );
    let price = raw.price.unsigned_abs();
    require!(
        conf_bps(raw.conf, price)? <= u128::from(params.max_conf_bps),
        SluiceError::OracleConfidenceTooWide
    );
    Ok(OraclePrice {
        price,
        conf: raw.conf,
        expo: raw.expo,
        publish_time: raw.publish_time,
        ema_price: raw.ema_price.max(0).unsigned_abs(),
    })
}
