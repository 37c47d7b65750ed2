//! `sluice`: simulate (the crash simulator), keeper, admin and user.
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
    Simulate(cli::SimulateArgs),
    /// A fixed benchmark of the simulator: the built-in crash at 1,000 and
    /// 10,000 borrowers and 22 hours of 1-minute prices, both presets.
    Bench(cli::BenchArgs),
    /// Choose a market's adaptive rules from history: replay its positions
    /// against built-in and CSV paths, print the liquidity cliff and the
    /// evidence, write the choice into an `admin apply` file.
    Risk(cli::RiskArgs),
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
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match cli.cmd {
            Cmd::Simulate(a) => cli::simulate(a).await,
            Cmd::Bench(a) => cli::bench(a).await,
            Cmd::Risk(a) => cli::risk(a).await,
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
