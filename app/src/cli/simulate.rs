//! `sluice simulate`: the crash simulator, both presets.
use super::*;
use indicatif::{MultiProgress, ProgressDrawTarget};

#[derive(Args)]
pub struct SimulateArgs {
    /// Number of borrowers.
    #[arg(long, default_value_t = 1000)]
    pub borrowers: usize,
    /// Built-in scenario: wick, crash, bleed, depeg, storm (a calm hour, a
    /// stormy hour, a crash), or the long minute-bar paths day (22 h) and
    /// days9 (9 days).
    #[arg(long, default_value = "crash", conflicts_with = "price_path")]
    pub scenario: String,
    /// A CSV price path (USD per collateral token): a time column (unix_ts,
    /// timestamp, time, date, open_time: unix s or ms, or ISO-8601) and a
    /// price column (price, or close of an OHLC file).
    #[arg(long)]
    pub price_path: Option<PathBuf>,
    /// Comma-separated presets to compare (`ideal`: the frictionless
    /// reference, computed off-chain; `sluice-adaptive`: `sluice` with the
    /// program's adaptive rules on).
    #[arg(long, default_value = "sluice,instant,ideal")]
    pub preset: String,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Write SVG plots into this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Market model: sol-2025 (default: SOL's depth and oracle in late
    /// 2025, a liquidator that does not sell at a loss) or thin (the oracle
    /// is the AMM, which holds half the book's collateral). --amm-sol,
    /// --pass-through, --arb-usd-per-sec, --rational-instant and
    /// --naive-instant override parts of it. Sources: README, "Calibrations".
    #[arg(long, default_value = sim::Calibration::DEFAULT.name)]
    pub calibration: String,
    /// AMM depth: SOL in the pool at the start. Default: the calibration's.
    #[arg(long)]
    pub amm_sol: Option<u64>,
    /// RNG seed for the borrowers' sizes and LTVs.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// USDC in the buffer pool of auction presets (0: none). Default:
    /// 15% of the borrowers' initial debt.
    #[arg(long)]
    pub buffer_usd: Option<f64>,
    /// Depth slippage bound of the collateral pool (bps): the per-slot
    /// seizure cap and sale room. Default: the preset's (sluice: 100).
    #[arg(long)]
    pub max_slippage_bps: Option<u16>,
    /// TWAP window of the collateral pool (seconds). Default: the preset's (20).
    #[arg(long)]
    pub twap_window_secs: Option<u32>,
    /// Liquidation guard window of the collateral pool (seconds; 0: the
    /// TWAP guards). Default: the preset's.
    #[arg(long)]
    pub guard_window_secs: Option<u8>,
    /// Seizure window of the collateral pool (slots of cap that may be
    /// seized at once; 1: per slot). Default: the preset's.
    #[arg(long)]
    pub seize_window_slots: Option<u8>,
    /// Sale pacing of the collateral pool (slots a lot backlog is spread
    /// over; 0: the whole cap each slot). Default: the preset's.
    #[arg(long)]
    pub sale_pace_slots: Option<u8>,
    /// The adaptive rules an `-adaptive` preset switches on (bits: LTV 1,
    /// threshold 2, bonus 4, auction 8, cap 16, seconds 32). Default: the
    /// program's preset (51).
    #[arg(long)]
    pub adaptive_switches: Option<u8>,
    /// Health a partial liquidation restores (bps, 10,000..=15,000).
    /// Default: the preset's (sluice: 10,500).
    #[arg(long)]
    pub target_health_bps: Option<u16>,
    /// Run this many borrower books (seeds `--seed`, `--seed`+1, ...) and
    /// report the mean and the worst case of each metric per preset.
    #[arg(long, default_value_t = 1)]
    pub seeds: u64,
    /// Share (0..=1) of the AMM's deviation from the exogenous price that
    /// reaches the oracle: 1 publishes the AMM's price, 0 the exogenous
    /// price alone. Default: the calibration's (sol-2025 0.2, thin 1).
    #[arg(long)]
    pub pass_through: Option<f64>,
    /// Arbitrage capacity in USD per second. Default: 0.5% of the AMM's SOL
    /// reserve per slot (both calibrations).
    #[arg(long)]
    pub arb_usd_per_sec: Option<f64>,
    /// `instant`'s liquidator acts only while the AMM pays at least the
    /// oracle price less the liquidation bonus (sol-2025's).
    #[arg(long, conflicts_with = "naive_instant")]
    pub rational_instant: bool,
    /// Replace the in-process runtime with a fresh one holding the same
    /// accounts every N transactions (0: never); bounds memory on long
    /// paths without changing any result.
    #[arg(long, default_value_t = sluice_client::local::RESTART_EVERY_TX)]
    pub restart_every_tx: u64,
    /// `instant`'s liquidator liquidates and sells whatever the AMM pays,
    /// taking any loss itself (thin's).
    #[arg(long)]
    pub naive_instant: bool,
}

/// The program logs through solana-msg, which prints to stdout on the host
/// (every rejected keeper attempt logs an AnchorError). While the simulation
/// runs, stdout points at /dev/null so the report stays clean.
pub(super) struct QuietStdout {
    #[cfg(unix)]
    saved: i32,
}

impl QuietStdout {
    pub(super) fn new() -> Self {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        {
            // SAFETY: plain fd syscalls on fds this process owns; on failure
            // `saved` is -1 and Drop leaves stdout alone.
            unsafe {
                let saved = libc::dup(1);
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
                if saved >= 0 && null >= 0 {
                    libc::dup2(null, 1);
                }
                if null >= 0 {
                    libc::close(null);
                }
                QuietStdout { saved }
            }
        }
        #[cfg(not(unix))]
        QuietStdout {}
    }
}

impl Drop for QuietStdout {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        if self.saved >= 0 {
            // SAFETY: restores the descriptor saved in `new`.
            unsafe {
                libc::dup2(self.saved, 1);
                libc::close(self.saved);
            }
        }
    }
}

/// The frictionless reference row.
const IDEAL: &str = "ideal";

pub async fn simulate(a: SimulateArgs) -> Result<(), String> {
    let (name, path) = match &a.price_path {
        Some(p) => {
            let csv = scenario::read_csv(p)?;
            for w in &csv.warnings {
                eprintln!("warning: {}: {w}", p.display());
            }
            (p.display().to_string(), csv.prices)
        }
        None => (a.scenario.clone(), scenario::builtin(&a.scenario)?),
    };
    // runs of one price: memory follows the path's rows, not its slots
    let path = scenario::PricePath::from(path);
    let presets: Vec<&str> = a
        .preset
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    for p in &presets {
        if *p != IDEAL && sim::parse_preset(p).is_none() {
            return Err(format!(
                "unknown preset {p:?}; use {},{IDEAL} (an auction preset with {} runs its adaptive rules)",
                sluice::presets::PRESETS.join(","),
                sim::ADAPTIVE_SUFFIX
            ));
        }
    }
    if a.borrowers == 0 {
        return Err("--borrowers must be at least 1".into());
    }
    if a.buffer_usd.is_some_and(|b| !(b >= 0.0 && b.is_finite())) {
        return Err("--buffer-usd must be a non-negative number".into());
    }
    if a.seeds == 0 {
        return Err("--seeds must be at least 1".into());
    }
    calibration(&a)?;
    if a.pass_through.is_some_and(|k| !(0.0..=1.0).contains(&k)) {
        return Err("--pass-through must be between 0 and 1".into());
    }
    if a.arb_usd_per_sec
        .is_some_and(|u| !(u >= 0.0 && u.is_finite()))
    {
        return Err("--arb-usd-per-sec must be a non-negative number".into());
    }
    if a.seeds > 1 {
        let mut runs = Vec::new();
        for seed in a.seed..a.seed + a.seeds {
            runs.push(run_presets(&a, &path, &presets, seed).await?);
        }
        let summary = report::seeds_summary(&runs);
        if a.json {
            println!("{}", report::seeds_json(&name, &runs, &summary));
        } else {
            print!("{}", report::seeds_table(&name, a.seed, &summary));
        }
        report_peak_rss();
        return Ok(());
    }
    let results = run_presets(&a, &path, &presets, a.seed).await?;
    if a.json {
        println!("{}", report::json(&name, &results));
        for r in results.iter().filter(|r| r.preset != IDEAL) {
            eprintln!(
                "{}: {:.1} s wall, {:.1} slots/s, {:.0} positions scanned/s, {} transactions",
                r.preset, r.wall_secs, r.slots_per_sec, r.positions_scanned_per_sec, r.transactions
            );
        }
    } else {
        print!("{}", report::table(&name, &results));
        for r in &results {
            if r.preset == IDEAL {
                continue;
            }
            println!(
                "{}: {} liquidations, {} takes, {} redos, {:.0} slots/s, {:.0} positions scanned/s, {} transactions",
                r.preset,
                r.liquidations,
                r.takes,
                r.redos,
                r.slots_per_sec,
                r.positions_scanned_per_sec,
                r.transactions
            );
            if r.buffer_usd > 0.0 {
                println!(
                    "{} buffer ${:.0}: {} absorbs retired ${:.0} of debt for {:.1} SOL; sold {:.1} SOL through the cap, holds {:.1} SOL; depositors' result ${:.0}",
                    r.preset,
                    r.buffer_usd,
                    r.absorbs,
                    r.absorbed_debt_usd,
                    r.absorbed_sol,
                    r.buffer_sold_sol,
                    r.buffer_held_sol,
                    r.buffer_pnl_usd
                );
            }
        }
    }
    if let Some(dir) = &a.out {
        for f in sim::plot::write_all(dir, &results)? {
            eprintln!("wrote {f}");
        }
    }
    report_peak_rss();
    Ok(())
}

/// The process's peak resident memory (Linux `VmHWM`), on stderr so the
/// JSON stays byte-identical between runs; nothing where /proc has no such
/// line.
pub(super) fn report_peak_rss() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    if let Some(kb) = kb {
        eprintln!("peak RSS {:.0} MB", kb as f64 / 1024.0);
    }
}

/// Runs every preset of `presets` on `path` with the borrower book of `seed`.
pub(super) async fn run_presets(
    a: &SimulateArgs,
    path: &scenario::PricePath,
    presets: &[&str],
    seed: u64,
) -> Result<Vec<sim::SimResult>, String> {
    // on stderr with an ETA; silent with --json (machine output only)
    let bars = if a.json {
        MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
    } else {
        MultiProgress::new()
    };
    let style = ProgressStyle::with_template(
        "{prefix:>8} [{bar:40}] {pos}/{len} slots {elapsed} (eta {eta})",
    )
    .map_err(|e| e.to_string())?
    .progress_chars("=> ");
    // each preset in a thread of its own (its own runtime and bank): they
    // share nothing, so they run on as many cores as there are
    let quiet = QuietStdout::new();
    let mut runs = Vec::with_capacity(presets.len());
    for &p in presets {
        let cfg = preset_config(a, path, p, seed);
        if p == IDEAL {
            let book = sim::borrower_book(&cfg, path.first().unwrap_or(0.0));
            runs.push(Run::Done(Box::new(sim::ideal(&cfg, &book))));
            continue;
        }
        let bar = bars.add(ProgressBar::new(path.len() as u64));
        bar.set_style(style.clone());
        bar.set_prefix(p.to_string());
        runs.push(Run::Thread(std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let r = rt.block_on(sim::run(&cfg, |n| bar.inc(n)));
            bar.finish_and_clear();
            r
        })));
    }
    let mut results = Vec::with_capacity(runs.len());
    for run in runs {
        results.push(match run {
            Run::Done(r) => *r,
            Run::Thread(h) => h
                .join()
                .map_err(|_| "a preset's simulation panicked".to_string())??,
        });
    }
    drop(quiet);
    for r in &results {
        if let Some(first) = &r.first_keeper_error {
            eprintln!(
                "warning: {}: {} keeper transactions failed unexpectedly; the first, {first}",
                r.preset, r.keeper_errors
            );
        }
    }
    Ok(results)
}

/// A preset's run: computed at once (`ideal`) or in its own thread.
enum Run {
    Done(Box<sim::SimResult>),
    Thread(std::thread::JoinHandle<Result<sim::SimResult, String>>),
}

/// The calibration `--calibration` names.
fn calibration(a: &SimulateArgs) -> Result<sim::Calibration, String> {
    sim::Calibration::named(&a.calibration).ok_or_else(|| {
        let names: Vec<&str> = sim::Calibration::ALL.iter().map(|c| c.name).collect();
        format!(
            "unknown calibration {:?}; use one of {}",
            a.calibration,
            names.join(", ")
        )
    })
}

/// The simulator configuration of preset `p` from the command line: the
/// calibration's market, then each flag that overrides a part of it.
fn preset_config(a: &SimulateArgs, path: &scenario::PricePath, p: &str, seed: u64) -> SimConfig {
    let mut cfg = SimConfig::new(p, path, a.borrowers);
    // `simulate` checked the name before any run
    calibration(a)
        .unwrap_or(sim::Calibration::DEFAULT)
        .apply(&mut cfg);
    if let Some(sol) = a.amm_sol {
        cfg.amm_sol = sol;
    }
    if let Some(k) = a.pass_through {
        cfg.pass_through = k;
    }
    if a.rational_instant {
        cfg.rational_instant = true;
    }
    if a.naive_instant {
        cfg.rational_instant = false;
    }
    cfg.seed = seed;
    cfg.buffer_usd = a.buffer_usd;
    cfg.max_slippage_bps = a.max_slippage_bps;
    cfg.twap_window_secs = a.twap_window_secs;
    cfg.guard_window_secs = a.guard_window_secs;
    cfg.seize_window_slots = a.seize_window_slots;
    cfg.sale_pace_slots = a.sale_pace_slots;
    cfg.target_health_bps = a.target_health_bps;
    cfg.adaptive_switches = a.adaptive_switches;
    cfg.arb_usd_per_sec = a.arb_usd_per_sec;
    cfg.restart_every_tx = a.restart_every_tx;
    cfg
}
