//! `sluice risk`: replays a market's positions against price paths to choose
//! its adaptive rules, and reads its liquidity cliff. The replay is the
//! simulator's (`sim::run`, the program on the in-process runtime); this
//! module picks candidates, compares their evidence and writes the choice as
//! an `admin apply` file.
use std::fmt::Write as _;
use std::sync::Arc;

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use sluice::math::depth::constant_product_max_sell;
use sluice::math::shares::debt_amount;
use sluice::math::Rounding;
use sluice::state::{rule, AdaptiveParams, Pool, PoolParams, Position};
use sluice_client::chain::Chain;
use sluice_client::rpc::RpcChain;

use crate::sim::{self, scenario::PricePath, SimConfig};

/// A rule set to try: the static parameters (`switches` 0) or the
/// program's adaptive preset with these switches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub name: &'static str,
    pub switches: u8,
}

/// The rule sets `sluice risk` compares, simplest first (a tie goes to the
/// simpler): static, the threshold's drift alone, drift and the depth-trend
/// cap, and the program's preset.
pub fn candidates() -> Vec<Candidate> {
    vec![
        Candidate {
            name: "static",
            switches: 0,
        },
        Candidate {
            name: "threshold",
            switches: rule::THRESHOLD,
        },
        Candidate {
            name: "threshold+cap",
            switches: rule::THRESHOLD | rule::CAP,
        },
        Candidate {
            name: "preset",
            switches: sluice::presets::adaptive().switches,
        },
    ]
}

/// The adaptive parameters a candidate stands for on a pool of parameters
/// `pool` (the preset's rules fitted to them; None: static).
pub fn candidate_params(c: &Candidate, pool: &PoolParams) -> Option<AdaptiveParams> {
    (c.switches != 0).then(|| AdaptiveParams {
        switches: c.switches,
        ..sluice::presets::adaptive_for(pool)
    })
}

/// One candidate on one path.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub candidate: String,
    pub path: String,
    pub beyond_ideal_pct: f64,
    pub bad_debt_usd: f64,
    pub drawdown_pct: f64,
    pub liquidated: usize,
}

/// Runs every candidate on every path with the market of `base` (its book,
/// calibration and overrides). Paths run one after another; each run is the
/// simulator's.
pub async fn evaluate(
    base: &SimConfig,
    paths: &[(String, Arc<PricePath>)],
    cands: &[Candidate],
) -> Result<Vec<Evidence>, String> {
    let mut out = Vec::new();
    for c in cands {
        for (name, path) in paths {
            let mut cfg = base.clone();
            cfg.path = path.clone();
            if c.switches == 0 {
                cfg.preset = "sluice".into();
            } else {
                cfg.preset = format!("sluice{}", sim::ADAPTIVE_SUFFIX);
                cfg.adaptive_switches = Some(c.switches);
            }
            let r = sim::run(&cfg, |_| {})
                .await
                .map_err(|e| format!("{} on {name}: {e}", c.name))?;
            out.push(Evidence {
                candidate: c.name.into(),
                path: name.clone(),
                beyond_ideal_pct: r.bad_debt_beyond_ideal_pct,
                bad_debt_usd: r.bad_debt_usd,
                drawdown_pct: r.liquidation_drawdown_pct,
                liquidated: r.positions_liquidated,
            });
        }
    }
    Ok(out)
}

/// The choice and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub candidate: Candidate,
    /// Its worst path's bad debt beyond ideal, % of the initial debt.
    pub worst_pct: f64,
    /// Whether it meets the target on every path.
    pub met: bool,
}

/// Picks among `cands` by their evidence: those whose worst path stays under
/// `target_pct` of bad debt beyond ideal; among them the fewest positions
/// liquidated on the wick paths (names containing "wick"), then the lowest
/// worst path, then the simplest (the earlier in `cands`). When none meets
/// the target: the lowest worst path, `met` false. Candidates without
/// evidence are left out.
pub fn choose(evidence: &[Evidence], cands: &[Candidate], target_pct: f64) -> Option<Choice> {
    let score = |c: &Candidate| {
        let rows = evidence.iter().filter(|e| e.candidate == c.name);
        let worst = rows
            .clone()
            .map(|e| e.beyond_ideal_pct)
            .fold(0.0f64, f64::max);
        let wick: usize = rows
            .filter(|e| e.path.contains("wick"))
            .map(|e| e.liquidated)
            .sum();
        (worst, wick)
    };
    // a candidate without evidence is not a candidate
    let scored: Vec<(usize, f64, usize)> = cands
        .iter()
        .enumerate()
        .filter(|(_, c)| evidence.iter().any(|e| e.candidate == c.name))
        .map(|(i, c)| {
            let (w, k) = score(c);
            (i, w, k)
        })
        .collect();
    let meeting: Vec<&(usize, f64, usize)> = scored.iter().filter(|s| s.1 < target_pct).collect();
    let best = if meeting.is_empty() {
        scored
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
    } else {
        meeting
            .into_iter()
            .min_by(|a, b| a.2.cmp(&b.2).then(a.1.total_cmp(&b.1)).then(a.0.cmp(&b.0)))
    }?;
    Some(Choice {
        candidate: cands[best.0].clone(),
        worst_pct: best.1,
        met: best.1 < target_pct,
    })
}

/// The evidence as a table (markdown), one row per candidate and path.
pub fn evidence_table(evidence: &[Evidence]) -> String {
    let mut s = String::from(
        "| rules | path | bad debt $ | beyond ideal | drawdown % | liquidated |\n|---|---|---:|---:|---:|---:|\n",
    );
    for e in evidence {
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {:.3}% | {:.2} | {} |",
            e.candidate, e.path, e.bad_debt_usd, e.beyond_ideal_pct, e.drawdown_pct, e.liquidated
        );
    }
    s
}

/// A market's book for one (collateral, debt) pair: each position's
/// collateral in `collateral_pool` and its debt in `debt_pool` at
/// `borrow_index` (rounded up); positions without both left out (without
/// debt nothing is liquidated; debt without collateral is already bad debt,
/// which a replay cannot change).
pub fn book_of(
    positions: &[Position],
    collateral_pool: &Pubkey,
    debt_pool: &Pubkey,
    borrow_index: u128,
) -> Vec<(u64, u64)> {
    positions
        .iter()
        .map(|p| {
            let col: u64 = p
                .collateral
                .iter()
                .filter(|c| c.pool == *collateral_pool)
                .map(|c| c.amount)
                .sum();
            let debt: u128 = p
                .debts
                .iter()
                .filter(|d| d.pool == *debt_pool)
                .map(|d| {
                    debt_amount(d.scaled_debt, borrow_index, Rounding::Up).unwrap_or(u128::MAX)
                })
                .sum();
            (col, u64::try_from(debt).unwrap_or(u64::MAX))
        })
        .filter(|&(c, d)| c > 0 && d > 0)
        .collect()
}

/// What `sluice risk` reads of a market on a cluster.
pub struct MarketBook {
    /// (collateral, debt) base units per position of the pair.
    pub book: Vec<(u64, u64)>,
    /// The collateral's price, USD per token (its pool's last refresh).
    pub price: f64,
    /// The collateral pool as it stands (its parameters, depth estimate).
    pub collateral: Box<Pool>,
}

/// A market's book read over JSON-RPC (`getProgramAccounts` on positions,
/// the debt pool for its borrow index), with the collateral pool and its
/// price (`decimals`: the collateral mint's).
pub async fn read_book(
    chain: &mut RpcChain,
    market: &Pubkey,
    collateral_pool: &Pubkey,
    debt_pool: &Pubkey,
    decimals: u8,
) -> Result<MarketBook, String> {
    let positions: Vec<Position> = chain
        .positions(market)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let pool = |data: Option<Vec<u8>>, what: &str| -> Result<Pool, String> {
        let data = data.ok_or_else(|| format!("the {what} pool does not exist"))?;
        Pool::try_deserialize(&mut &data[..])
            .map_err(|e| format!("the {what} account is not a pool: {e}"))
    };
    let debt = pool(
        chain
            .account_data(debt_pool)
            .await
            .map_err(|e| e.to_string())?,
        "debt",
    )?;
    let col = pool(
        chain
            .account_data(collateral_pool)
            .await
            .map_err(|e| e.to_string())?,
        "collateral",
    )?;
    let price = col.spot_price_wad.get() as f64 / 1e18 * 10f64.powi(i32::from(decimals));
    Ok(MarketBook {
        book: book_of(
            &positions,
            collateral_pool,
            debt_pool,
            debt.borrow_index.get(),
        ),
        price,
        collateral: Box::new(col),
    })
}

/// The reserve (whole tokens) of a constant-product venue that absorbs
/// `depth` base units (of a `decimals` mint) within `slippage_bps`: the
/// simulator's venue as deep at the bound as a market's sources were at
/// their last observation.
pub fn venue_for_depth(depth: u64, slippage_bps: u16, decimals: u8) -> u64 {
    const PROBE: u64 = 1_000_000_000_000;
    let per_unit =
        constant_product_max_sell(PROBE, slippage_bps).unwrap_or(0) as f64 / PROBE as f64;
    if per_unit <= 0.0 {
        return 0;
    }
    (depth as f64 / per_unit / 10f64.powi(i32::from(decimals))).round() as u64
}

/// One 5% step of the liquidity cliff.
#[derive(Clone, Debug, PartialEq)]
pub struct CliffRow {
    /// The price's fall from the start, %.
    pub fall_pct: u32,
    pub price: f64,
    /// Collateral whose position becomes liquidatable within this step, SOL.
    pub step_sol: f64,
    /// All collateral liquidatable at this price, SOL.
    pub total_sol: f64,
    /// What the venue absorbs in a minute at the slippage bound (150 slots
    /// of the per-slot depth cap, the venue refilled by arbitrage between
    /// slots), SOL.
    pub absorb_sol_per_min: f64,
    /// Minutes of that absorption the liquidatable collateral needs.
    pub minutes: f64,
}

/// The liquidity cliff of `book` (SOL, USDC base units) from price `p0`: at
/// each 5% step down to -50%, the collateral of positions that become
/// liquidatable (debt > collateral x price x threshold) against what a
/// constant-product venue of `venue_sol` absorbs per minute within
/// `slippage_bps` (its reserve scaled with the price: the arbitrageur keeps
/// its value's split).
pub fn liquidity_cliff(
    book: &[(u64, u64)],
    p0: f64,
    threshold_bps: u16,
    venue_sol: u64,
    slippage_bps: u16,
) -> Vec<CliffRow> {
    let t = f64::from(threshold_bps) / 1e4;
    // the price at which each position becomes liquidatable
    let mut at: Vec<(f64, f64)> = book
        .iter()
        .map(|&(sol, usdc)| {
            let (s, d) = (sol as f64 / 1e9, usdc as f64 / 1e6);
            (if s > 0.0 { d / (s * t) } else { f64::INFINITY }, s)
        })
        .collect();
    at.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut rows = Vec::new();
    let mut prev = p0;
    for step in 1..=10u32 {
        let price = p0 * (1.0 - 0.05 * f64::from(step));
        // (+ 0.0: an empty sum is -0.0)
        let step_sol = at
            .iter()
            .filter(|(p, _)| *p < prev && *p >= price)
            .map(|(_, s)| s)
            .sum::<f64>()
            + 0.0;
        let total_sol = at
            .iter()
            .filter(|(p, _)| *p >= price)
            .map(|(_, s)| s)
            .sum::<f64>()
            + 0.0;
        // a constant-product pool holding venue_sol at p0 holds
        // venue_sol * sqrt(p0 / price) at `price` (x y = k, y / x = price)
        let reserve = venue_sol as f64 * (p0 / price).sqrt();
        let per_slot = constant_product_max_sell((reserve * 1e9) as u64, slippage_bps).unwrap_or(0)
            as f64
            / 1e9;
        let per_min = per_slot * 150.0;
        rows.push(CliffRow {
            fall_pct: 5 * step,
            price,
            step_sol,
            total_sol,
            absorb_sol_per_min: per_min,
            minutes: if per_min > 0.0 {
                total_sol / per_min
            } else {
                f64::INFINITY
            },
        });
        prev = price;
    }
    rows
}

/// The cliff as a table (markdown).
pub fn cliff_table(rows: &[CliffRow]) -> String {
    let mut s = String::from(
        "| fall | price $ | newly liquidatable SOL | liquidatable SOL | venue absorbs SOL/min | minutes |\n|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| -{}% | {:.2} | {:.0} | {:.0} | {:.0} | {:.1} |",
            r.fall_pct, r.price, r.step_sol, r.total_sol, r.absorb_sol_per_min, r.minutes
        );
    }
    s
}

/// The market file `template` (an `admin apply` file) with pool `symbol`'s
/// `[pool.adaptive]` set to `adaptive` (removed when None), headed by
/// `comment` (every line prefixed with `# `), and validated as `admin apply`
/// validates it.
pub fn apply_file(
    template: &str,
    symbol: &str,
    adaptive: Option<AdaptiveParams>,
    comment: &str,
) -> Result<String, String> {
    let mut doc: toml::Value =
        toml::from_str(template).map_err(|e| format!("invalid TOML: {e}"))?;
    let pools = doc
        .get_mut("pool")
        .and_then(|p| p.as_array_mut())
        .ok_or("the file has no [[pool]] sections")?;
    let pool = pools
        .iter_mut()
        .find(|p| p.get("symbol").and_then(|s| s.as_str()) == Some(symbol))
        .ok_or_else(|| format!("no [[pool]] with symbol = {symbol:?}"))?;
    let table = pool.as_table_mut().ok_or("a [[pool]] is not a table")?;
    match adaptive {
        Some(a) => {
            let v = toml::Value::try_from(a).map_err(|e| e.to_string())?;
            table.insert("adaptive".into(), v);
        }
        None => {
            table.remove("adaptive");
        }
    }
    let body = toml::to_string(&doc).map_err(|e| e.to_string())?;
    crate::config::validate(&body)?;
    let mut out = String::new();
    for line in comment.lines() {
        let _ = writeln!(out, "# {line}");
    }
    out.push('\n');
    out.push_str(&body);
    Ok(out)
}
