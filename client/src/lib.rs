//! Everything off-chain code needs to address the Sluice program: PDAs
//! ([`pda`]), the keys of one pool ([`PoolKeys`]), and one builder per
//! instruction ([`ix`]) that fills every account, in the program's own
//! account structs, and appends the remaining accounts in the order the
//! program documents (depth sources first, then the position's other
//! pools). The keeper, the CLI, the simulator and the tests all build their
//! instructions here: no account list is written twice.
//!
//! Builders are pure (no cluster access): callers pass the token accounts
//! they use, so the same code serves the in-process runtime and RPC.
pub mod chain;
pub mod ix;
pub mod keys;
#[cfg(feature = "local")]
pub mod local;
pub mod pda;
#[cfg(feature = "rpc")]
pub mod rpc;

pub use keys::{BufferKeys, Feed, PoolKeys};
