//! Pure math: no Solana types. Everything here is deterministic integer
//! arithmetic with an explicit rounding direction, so the protocol can always
//! round in its own favour.
pub mod auction;
pub mod buffer;
pub mod depth;
pub mod fixed;
pub mod health;
pub mod interest;
pub mod liquidation;
pub mod price;
pub mod risk;
pub mod shares;
pub mod twap;

pub use fixed::{MathError, MathResult, Rounding, BPS, WAD};
