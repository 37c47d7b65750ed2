//! `sluice`: simulate (the crash simulator), keeper, admin and user.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

#[derive(Parser)]
#[command(
    name = "sluice",
    version,
    about = "Sluice lending protocol: simulator, keeper, admin and user CLI"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Replay a price path on the in-process runtime, once per preset, and compare.
    Simulate {
        /// Number of borrowers.
        #[arg(long, default_value_t = 1000)]
        borrowers: usize,
        /// Built-in scenario: wick, crash, bleed or depeg.
        #[arg(long, default_value = "crash", conflicts_with = "price_path")]
        scenario: String,
        /// A CSV file with header `unix_ts,price` (USD per collateral token).
        #[arg(long)]
        price_path: Option<PathBuf>,
        /// Comma-separated presets to compare (`ideal`: the frictionless
        /// reference, computed off-chain).
        #[arg(long, default_value = "sluice,instant,ideal")]
        preset: String,
        /// Print JSON instead of the table.
        #[arg(long)]
        json: bool,
        /// Write SVG plots into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// AMM depth: SOL in the pool at the start.
        #[arg(long, default_value_t = 60_000)]
        amm_sol: u64,
        /// RNG seed for the borrowers' sizes and LTVs.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// USDC in the buffer pool of auction presets (0: none). Default:
        /// 10% of the borrowers' initial debt.
        #[arg(long)]
        buffer_usd: Option<f64>,
        /// Depth slippage bound of the collateral pool (bps): the per-slot
        /// seizure cap and sale room. Default: the preset's (sluice: 100).
        #[arg(long)]
        max_slippage_bps: Option<u16>,
    },
    /// Run the keeper against a cluster (JSON-RPC).
    Keeper(cli::KeeperArgs),
    /// Governance: apply a market configuration, transfer authority.
    Admin {
        #[command(subcommand)]
        cmd: cli::AdminCmd,
    },
    /// Borrower and lender actions, and a position's health.
    User(cli::UserArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match cli.cmd {
            Cmd::Simulate {
                borrowers,
                scenario,
                price_path,
                preset,
                json,
                out,
                amm_sol,
                seed,
                buffer_usd,
                max_slippage_bps,
            } => {
                cli::simulate(cli::SimulateArgs {
                    borrowers,
                    scenario,
                    price_path,
                    preset,
                    json,
                    out,
                    amm_sol,
                    seed,
                    buffer_usd,
                    max_slippage_bps,
                })
                .await
            }
            Cmd::Keeper(a) => cli::keeper(a).await,
            Cmd::Admin { cmd } => cli::admin(cmd).await,
            Cmd::User(a) => cli::user(a).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
