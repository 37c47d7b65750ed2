//! `sluice` binary (keeper, simulate, admin, user). Not built yet: see issue 4
//! and the README's status section. It refuses every subcommand with a clear
//! message and a non-zero exit rather than pretend to run.
fn main() {
    let cmd = std::env::args().nth(1).unwrap_or_default();
    eprintln!(
        "sluice {cmd}: not implemented yet. The on-chain program and its math exist \
         (cargo test -p sluice); the keeper/simulate/admin/user binary is issue 4."
    );
    std::process::exit(2);
}
