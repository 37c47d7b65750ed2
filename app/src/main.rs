//! `sluice` binary. Today: `simulate` runs an end-to-end demo of the lending
//! core on the in-process runtime (the real program, natively, with the real
//! SPL Token program). The keeper, admin and user subcommands and the crash
//! simulator are issue 4: they are refused with a clear message, not faked.
use std::process::ExitCode;

mod demo;

fn usage() -> &'static str {
    "usage: sluice simulate\n\n\
     simulate   boot the in-process runtime, create a market with two pools, a lender and\n\
     \x20          three borrowers, move the collateral price and print every position's health\n\n\
     keeper, admin and user are not built yet (issue 4)."
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("simulate") => {
            if args.len() > 1 {
                eprintln!("simulate: unexpected argument {:?}\n\n{}", args[1], usage());
                return ExitCode::from(2);
            }
            let rt = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match rt.block_on(demo::run()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("simulate failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(cmd @ ("keeper" | "admin" | "user")) => {
            eprintln!("sluice {cmd}: not implemented yet (issue 4).");
            ExitCode::from(2)
        }
        Some("-h" | "--help" | "help") => {
            println!("{}", usage());
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("unknown command {other:?}\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}
