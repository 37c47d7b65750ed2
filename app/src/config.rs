//! Market configuration files (TOML, in migrations/): pools, oracle feeds,
//! risk parameters, depth sources. `validate` checks everything the program
//! would check (and a few things it cannot, like duplicate pools) before a
//! single transaction is built.
use std::collections::HashSet;
use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use serde::Deserialize;

use sluice::state::{
    AdaptiveParams, DepthSource, MarketParams, OracleConfig, OracleKind, OracleParams, PoolParams,
    RateParams, RiskParams,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketFile {
    pub market: MarketSection,
    #[serde(default, rename = "pool")]
    pub pools: Vec<PoolSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSection {
    pub name: String,
    /// Governance key (e.g. a Squads vault PDA).
    pub authority: String,
    #[serde(default)]
    pub keeper_incentive_bps: Option<u16>,
    #[serde(default)]
    pub max_auction_value_usd: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSection {
    pub symbol: String,
    pub mint: String,
    /// "pyth-pull" or "pyth-legacy".
    pub oracle: String,
    /// pyth-pull: 32-byte feed id, hex. pyth-legacy: unused.
    #[serde(default)]
    pub feed_id: Option<String>,
    /// pyth-legacy: the price account. pyth-pull: optional fixed account.
    #[serde(default)]
    pub oracle_account: Option<String>,
    /// "sluice" or "instant" (the liquidation rules).
    pub preset: String,
    pub deposit_cap: u64,
    pub borrow_cap: u64,
    /// `[pool.risk]`: the program's own `RiskParams` (serde feature).
    pub risk: RiskParams,
    /// `[pool.rates]`: `RateParams`.
    pub rates: RateParams,
    /// `[pool.oracle_params]`: `OracleParams`.
    pub oracle_params: OracleParams,
    #[serde(default)]
    pub depth: Vec<DepthSection>,
    /// `[pool.adaptive]`: the program's `AdaptiveParams` (absent: every
    /// rule off). Checked against the pool's parameters as the program
    /// checks it; `admin apply` sends it after the pool is created.
    #[serde(default)]
    pub adaptive: Option<AdaptiveParams>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepthSection {
    /// "constant-product" (account_a = the vault of this pool's mint,
    /// account_b = the other), "whirlpool" (account_a = the pool) or
    /// "openbook-v2" (account_a = the market, account_b = its bids).
    pub kind: String,
    pub account_a: String,
    #[serde(default)]
    pub account_b: Option<String>,
}

/// A pool ready to be sent.
#[derive(Debug)]
pub struct PoolPlan {
    pub symbol: String,
    pub mint: Pubkey,
    pub oracle: OracleConfig,
    pub params: PoolParams,
    pub depth: [DepthSource; 2],
    pub adaptive: Option<AdaptiveParams>,
}

#[derive(Debug)]
pub struct Plan {
    pub name: String,
    pub authority: Pubkey,
    pub market: MarketParams,
    pub pools: Vec<PoolPlan>,
}

fn key(field: &str, s: &str) -> Result<Pubkey, String> {
    Pubkey::from_str(s).map_err(|_| format!("{field}: {s:?} is not a base58 public key"))
}

fn feed(field: &str, s: &str) -> Result<[u8; 32], String> {
    let s = s.trim_start_matches("0x");
    if s.len() != 64 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "{field}: feed id must be 32 bytes of hex (64 digits)"
        ));
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Parses and validates a configuration; every error names the pool and field.
pub fn validate(text: &str) -> Result<Plan, String> {
    let f: MarketFile = toml::from_str(text).map_err(|e| format!("invalid TOML: {e}"))?;
    let authority = key("market.authority", &f.market.authority)?;
    let defaults = sluice::presets::market();
    let market = MarketParams {
        pause_flags: 0,
        keeper_incentive_bps: f
            .market
            .keeper_incentive_bps
            .unwrap_or(defaults.keeper_incentive_bps),
        max_auction_value_usd: f
            .market
            .max_auction_value_usd
            .unwrap_or(defaults.max_auction_value_usd),
    };
    market
        .validate()
        .map_err(|e| format!("market: {}", error_message(e)))?;
    if f.pools.is_empty() {
        return Err("no [[pool]] sections: a market needs at least one pool".into());
    }
    let mut mints = HashSet::new();
    let mut pools = Vec::new();
    for p in &f.pools {
        let at = |field: &str| format!("pool {}: {field}", p.symbol);
        let mint = key(&at("mint"), &p.mint)?;
        if !mints.insert(mint) {
            return Err(at(
                "mint appears in two pools; a market has one pool per mint",
            ));
        }
        let oracle = match p.oracle.as_str() {
            "pyth-pull" => OracleConfig {
                kind: OracleKind::PythPull as u8,
                oracle: match &p.oracle_account {
                    Some(a) => key(&at("oracle_account"), a)?,
                    None => Pubkey::default(),
                },
                feed_id: feed(
                    &at("feed_id"),
                    p.feed_id
                        .as_deref()
                        .ok_or_else(|| at("feed_id is required for pyth-pull"))?,
                )?,
            },
            "pyth-legacy" => OracleConfig {
                kind: OracleKind::PythLegacy as u8,
                oracle: key(
                    &at("oracle_account"),
                    p.oracle_account
                        .as_deref()
                        .ok_or_else(|| at("oracle_account is required for pyth-legacy"))?,
                )?,
                feed_id: [0; 32],
            },
            other => {
                return Err(at(&format!(
                    "oracle {other:?} is not pyth-pull or pyth-legacy"
                )))
            }
        };
        let preset = sluice::presets::Preset::from_name(&p.preset)
            .ok_or_else(|| at(&format!("preset {:?} is not sluice or instant", p.preset)))?;
        // the file sets risk, rates, oracle and caps; the liquidation rules
        // (and every later preset field) come from the preset
        let params = PoolParams {
            risk: p.risk,
            rates: p.rates,
            oracle: p.oracle_params,
            deposit_cap: p.deposit_cap,
            borrow_cap: p.borrow_cap,
            ..preset.pool_params()
        };
        params.validate().map_err(|e| at(&error_message(e)))?;
        if p.depth.len() > 2 {
            return Err(at("at most 2 depth sources"));
        }
        let mut depth = [DepthSource::default(); 2];
        for (i, d) in p.depth.iter().enumerate() {
            depth[i] = match d.kind.as_str() {
                "constant-product" => DepthSource::constant_product(
                    key(&at("depth.account_a"), &d.account_a)?,
                    key(
                        &at("depth.account_b"),
                        d.account_b.as_deref().ok_or_else(|| {
                            at("depth.account_b is required for constant-product")
                        })?,
                    )?,
                ),
                "whirlpool" => DepthSource::whirlpool(key(&at("depth.account_a"), &d.account_a)?),
                "openbook-v2" => DepthSource::openbook_v2(
                    key(&at("depth.account_a"), &d.account_a)?,
                    key(
                        &at("depth.account_b"),
                        d.account_b.as_deref().ok_or_else(|| {
                            at("depth.account_b (the bids) is required for openbook-v2")
                        })?,
                    )?,
                ),
                other => {
                    return Err(at(&format!(
                        "depth kind {other:?} is not constant-product, whirlpool or openbook-v2"
                    )))
                }
            };
        }
        if params
            .liquidation
            .is_mode(sluice::state::LiquidationMode::Auction)
            && p.depth.is_empty()
        {
            return Err(at("the sluice preset needs at least one depth source (the per-slot cap comes from it)"));
        }
        if let Some(a) = &p.adaptive {
            a.validate(&params)
                .map_err(|e| at(&format!("adaptive: {}", error_message(e))))?;
        }
        pools.push(PoolPlan {
            symbol: p.symbol.clone(),
            mint,
            oracle,
            params,
            depth,
            adaptive: p.adaptive,
        });
    }
    Ok(Plan {
        name: f.market.name,
        authority,
        market,
        pools,
    })
}

/// The program's message for an Anchor error.
fn error_message(e: anchor_lang::error::Error) -> String {
    match e {
        anchor_lang::error::Error::AnchorError(a) => a.error_msg.clone(),
        other => other.to_string(),
    }
}
