//! `sluice bench`: a fixed benchmark of the simulator, so builds can be
//! compared on one machine in one run. Each case runs like `sluice simulate`
//! with its defaults (both presets in parallel, the default market and
//! buffer) and prints wall time, slots per second in the stepped (active)
//! and warped (quiet) phases, positions scanned per second and transactions.
use super::simulate::{report_peak_rss, run_presets};
use super::*;
use clap::Parser;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// Leave out the 10,000-borrower crash (the longest case).
    #[arg(long)]
    pub quick: bool,
}

/// `simulate`'s flags, parsed from a case's command line.
#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    sim: SimulateArgs,
}

/// The cases: a name, `simulate` flags, and whether `--quick` leaves it out.
const CASES: [(&str, &[&str], bool); 3] = [
    ("crash, 1,000 borrowers", &["--scenario", "crash"], false),
    (
        "crash, 10,000 borrowers",
        &["--scenario", "crash", "--borrowers", "10000"],
        true,
    ),
    (
        "day (22 h of 1-minute prices), 1,000 borrowers",
        &["--scenario", "day"],
        false,
    ),
];

/// The presets every case compares.
const PRESETS: [&str; 2] = ["sluice", "instant"];

pub async fn bench(b: BenchArgs) -> Result<(), String> {
    println!(
        "| case | preset | wall s | slots | stepped | stepped slots/s | warped slots/s | positions scanned/s | transactions |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let started = Instant::now();
    for (name, flags, long) in CASES {
        if b.quick && long {
            continue;
        }
        let argv = ["bench", "--json"];
        let a = Flags::try_parse_from(argv.iter().chain(flags.iter()))
            .map_err(|e| e.to_string())?
            .sim;
        let path = scenario::PricePath::from(scenario::builtin(&a.scenario)?);
        let case_started = Instant::now();
        let results = run_presets(&a, &path, &PRESETS, a.seed).await?;
        let wall = case_started.elapsed().as_secs_f64();
        for r in &results {
            let rate = |(slots, secs): (u64, f64)| match slots {
                0 => "-".to_string(),
                n => format!("{:.0}", n as f64 / secs.max(1e-9)),
            };
            println!(
                "| {name} | {} | {:.1} (case {wall:.1}) | {} | {} | {} | {} | {:.0} | {} |",
                r.preset,
                r.wall_secs,
                r.slots,
                r.stepped.0,
                rate(r.stepped),
                rate(r.warped),
                r.positions_scanned_per_sec,
                r.transactions
            );
        }
    }
    println!(
        "\ntotal {:.1} s on {} cores",
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    report_peak_rss();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every case is a valid `simulate` command line on a built-in path.
    #[test]
    fn every_case_parses_and_names_a_builtin_path() {
        for (name, flags, _) in CASES {
            let argv = ["bench", "--json"];
            let a = Flags::try_parse_from(argv.iter().chain(flags.iter()))
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .sim;
            assert!(scenario::builtin(&a.scenario).is_ok(), "{name}");
        }
    }
}
