//! The test suites' harness: the client crate's in-process runtime
//! (`sluice_client::local`), re-exported with the client itself.
pub use sluice;
pub use sluice_client::local::*;
pub use sluice_client::{self as client, BufferKeys, Feed, PoolKeys};
