//! What the keeper needs from a cluster: the client crate's `Chain` trait,
//! implemented by the in-process runtime (`sluice_client::local::Env`) and
//! a JSON-RPC cluster (`rpc::RpcChain`, on the standard Solana RPC client).
pub use sluice_client::chain::{with_compute_budget, Chain, TxError};

pub mod rpc {
    pub use sluice_client::rpc::RpcChain;
}
