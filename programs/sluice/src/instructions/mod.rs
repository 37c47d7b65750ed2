//! One file per instruction: its `Accounts` struct and handler.
pub mod accept_authority;
pub mod borrow;
pub mod close_position;
pub mod common;
pub mod deposit;
pub mod deposit_collateral;
pub mod fund_insurance;
pub mod init_market;
pub mod init_pool;
pub mod liquidate;
pub mod liquidate_common;
pub mod liquidate_instant;
pub mod open_position;
pub mod propose_authority;
pub mod redo;
pub mod refresh_pool;
pub mod refresh_price;
pub mod repay;
pub mod set_depth_sources;
pub mod settle_bad_debt;
pub mod take;
pub mod update_market_params;
pub mod update_pool_params;
pub mod withdraw;
pub mod withdraw_collateral;

// Anchor's #[program] macro needs each Accounts struct (and its generated
// client module) at the crate root. Each handler is named after its
// instruction and reached by its path from lib.rs.
pub use accept_authority::*;
pub use borrow::*;
pub use close_position::*;
pub use deposit::*;
pub use deposit_collateral::*;
pub use fund_insurance::*;
pub use init_market::*;
pub use init_pool::*;
pub use liquidate::*;
pub use liquidate_instant::*;
pub use open_position::*;
pub use propose_authority::*;
pub use redo::*;
pub use refresh_pool::*;
pub use refresh_price::*;
pub use repay::*;
pub use set_depth_sources::*;
pub use settle_bad_debt::*;
pub use take::*;
pub use update_market_params::*;
pub use update_pool_params::*;
pub use withdraw::*;
pub use withdraw_collateral::*;
