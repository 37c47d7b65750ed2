//! The `sluice` binary's library: keeper core, the chain abstraction it runs
//! on, the crash simulator, market configuration files, and the user CLI.
pub mod chain;
pub mod config;
pub mod ixs;
pub mod keeper;
pub mod sim;
