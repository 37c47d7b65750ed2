//! `sluice risk`: replays the market's positions against price paths to
//! choose its adaptive rules, prints the liquidity cliff and the evidence,
//! and writes the choice into an `admin apply` file.
use std::sync::Arc;

use super::simulate::QuietStdout;
use super::*;
use sluice_app::risk;

#[derive(Args)]
pub struct RiskArgs {
    /// A market on a cluster (JSON-RPC, `--url`) whose positions in
    /// (`--collateral-mint`, `--debt-mint`) are replayed; without it, the
    /// in-process market of `--borrowers` seeded positions.
    #[arg(long, requires_all = ["collateral_mint", "debt_mint"])]
    pub market: Option<String>,
    #[arg(long)]
    pub collateral_mint: Option<String>,
    #[arg(long)]
    pub debt_mint: Option<String>,
    /// Decimals of the collateral mint (for its price).
    #[arg(long, default_value_t = 9)]
    pub collateral_decimals: u8,
    /// JSON-RPC URL of the cluster (with `--market`).
    #[arg(long, default_value = "http://127.0.0.1:8899")]
    pub url: String,
    /// Positions of the in-process market (the simulator's seeded book).
    #[arg(long, default_value_t = 1000)]
    pub borrowers: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Market model (as `simulate --calibration`).
    #[arg(long, default_value = sim::Calibration::DEFAULT.name)]
    pub calibration: String,
    /// Built-in paths to replay, comma-separated.
    #[arg(long, default_value = "wick,crash,bleed,depeg,storm")]
    pub scenarios: String,
    /// CSV price paths to replay as well (as `simulate --price-path`).
    #[arg(long)]
    pub price_path: Vec<PathBuf>,
    /// Target: bad debt beyond ideal under this share of the initial debt
    /// (%) on the worst path.
    #[arg(long, default_value_t = 0.5)]
    pub target_pct: f64,
    /// A market file (`admin apply` format) to write the choice into.
    #[arg(long, requires = "out")]
    pub config: Option<PathBuf>,
    /// The pool of `--config` the rules are for.
    #[arg(long, default_value = "SOL")]
    pub pool: String,
    /// Where to write the market file with the chosen `[pool.adaptive]`.
    #[arg(long, requires = "config")]
    pub out: Option<PathBuf>,
}

pub async fn risk(a: RiskArgs) -> Result<(), String> {
    if a.borrowers == 0 {
        return Err("--borrowers must be at least 1".into());
    }
    let calibration = sim::Calibration::named(&a.calibration)
        .ok_or_else(|| format!("unknown calibration {:?}", a.calibration))?;
    // a cluster's book and price, or none (the in-process market)
    let onchain = match &a.market {
        Some(m) => {
            let market = pubkey("--market", m)?;
            let mint = |f: &str, s: &Option<String>| pubkey(f, s.as_deref().unwrap_or_default());
            let cp =
                sluice_client::pda::pool(&market, &mint("--collateral-mint", &a.collateral_mint)?);
            let dp = sluice_client::pda::pool(&market, &mint("--debt-mint", &a.debt_mint)?);
            let mut chain = RpcChain::new(&a.url, Keypair::new());
            let m = risk::read_book(&mut chain, &market, &cp, &dp, a.collateral_decimals).await?;
            if m.book.is_empty() || m.price.is_nan() || m.price <= 0.0 {
                return Err(format!(
                    "market {market}: {} positions in the pair, collateral price {}: nothing to replay",
                    m.book.len(),
                    m.price
                ));
            }
            if !m
                .collateral
                .params
                .liquidation
                .is_mode(sluice::state::LiquidationMode::Auction)
            {
                return Err("the collateral pool liquidates instantly: its adaptive rules have no auction or cap to act on".into());
            }
            Some(m)
        }
        None => None,
    };
    let mut paths = Vec::new();
    for name in a
        .scenarios
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let mut p = scenario::builtin(name)?;
        // built-in paths start at $100: a cluster's book replays them from
        // its own price
        if let Some(m) = &onchain {
            p.iter_mut().for_each(|x| *x *= m.price / 100.0);
        }
        paths.push((name.to_string(), Arc::new(scenario::PricePath::from(p))));
    }
    for file in &a.price_path {
        let csv = scenario::read_csv(file)?;
        for w in &csv.warnings {
            eprintln!("warning: {}: {w}", file.display());
        }
        let name = file.display().to_string();
        paths.push((name, Arc::new(scenario::PricePath::from(csv.prices))));
    }
    if paths.is_empty() {
        return Err("no paths: give --scenarios or --price-path".into());
    }
    let first = paths[0].1.first().unwrap_or(100.0);
    let mut base = SimConfig::new("sluice", paths[0].1.as_ref(), a.borrowers);
    calibration.apply(&mut base);
    base.seed = a.seed;
    // a cluster's market replays with its own collateral parameters and a
    // venue as deep at its slippage bound as its sources last were
    if let Some(m) = &onchain {
        let p = m.collateral.params;
        base.sol_params = Some(p);
        let depth = m
            .collateral
            .observed_depth(m.collateral.depth_slot.saturating_add(1));
        match depth {
            Some(d) if d > 0 => {
                base.amm_sol =
                    risk::venue_for_depth(d, p.liquidation.max_slippage_bps, a.collateral_decimals)
            }
            _ => eprintln!(
                "warning: no depth observed on the collateral pool; the calibration's {}-token venue stands in",
                base.amm_sol
            ),
        }
    }
    let params = base
        .sol_params
        .unwrap_or_else(|| sluice::presets::Preset::Sluice.pool_params());
    let given = onchain.map(|m| m.book);
    let read = given.as_ref().map(Vec::len);
    base.book = given.map(Arc::new);
    // the book as it replays: positions past the threshold at the start
    // left out (a keeper liquidates them in the first slot)
    let book = sim::borrower_book(&base, first);
    if let Some(n) = read {
        if n > book.len() {
            eprintln!(
                "{} of {n} positions are past the liquidation threshold at ${first:.2} and are left out of the replay",
                n - book.len()
            );
        }
    }
    base.borrowers = book.len();
    base.book = Some(Arc::new(book.clone()));

    let cliff = risk::liquidity_cliff(
        &book,
        first,
        params.risk.liquidation_threshold_bps,
        base.amm_sol,
        params.liquidation.max_slippage_bps,
    );
    println!(
        "liquidity cliff: {} positions, {:.0} SOL of collateral at ${first:.2}, a {}-SOL venue at the {} bps bound\n",
        book.len(),
        book.iter().map(|b| b.0 as f64 / 1e9).sum::<f64>(),
        base.amm_sol,
        params.liquidation.max_slippage_bps
    );
    println!("{}", risk::cliff_table(&cliff));

    let cands = risk::candidates();
    eprintln!(
        "replaying {} positions: {} rule sets x {} paths",
        book.len(),
        cands.len(),
        paths.len()
    );
    let quiet = QuietStdout::new();
    let evidence = risk::evaluate(&base, &paths, &cands).await;
    drop(quiet);
    let evidence = evidence?;
    let table = risk::evidence_table(&evidence);
    println!("{table}");
    let choice = risk::choose(&evidence, &cands, a.target_pct).ok_or("no candidates")?;
    let verdict = if choice.met {
        format!(
            "chosen: {} (worst path {:.3}% beyond ideal, under the {}% target)",
            choice.candidate.name, choice.worst_pct, a.target_pct
        )
    } else {
        format!(
            "no rule set meets the {}% target; the lowest worst path: {} ({:.3}%)",
            a.target_pct, choice.candidate.name, choice.worst_pct
        )
    };
    println!("{verdict}");
    if let (Some(config), Some(out)) = (&a.config, &a.out) {
        let template =
            std::fs::read_to_string(config).map_err(|e| format!("{}: {e}", config.display()))?;
        let comment = format!(
            "written by `sluice risk` ({} positions, seed {}, calibration {}, target {}%)\n{verdict}\n\n{table}",
            book.len(),
            a.seed,
            calibration.name,
            a.target_pct
        );
        // the rules fitted to that pool's parameters in the file
        let plan = sluice_app::config::validate(&template)
            .map_err(|e| format!("{}: {e}", config.display()))?;
        let pool = plan
            .pools
            .iter()
            .find(|p| p.symbol == a.pool)
            .ok_or_else(|| format!("{}: no pool {:?}", config.display(), a.pool))?;
        let rules = risk::candidate_params(&choice.candidate, &pool.params);
        let file = risk::apply_file(&template, &a.pool, rules, &comment)?;
        std::fs::write(out, file).map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!(
            "wrote {} (send with `sluice admin apply {} --market M --update [--print-only]`)",
            out.display(),
            out.display()
        );
    }
    Ok(())
}
