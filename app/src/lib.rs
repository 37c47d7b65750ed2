//! The `sluice` binary's library: keeper core, the chain abstraction it runs
//! on, the crash simulator, market configuration files, and the user CLI.
pub mod chain;
pub mod config;
/// Instruction builders: the shared client crate's.
pub use sluice_client::ix as ixs;
pub mod keeper;
pub mod risk;
pub mod sim;
