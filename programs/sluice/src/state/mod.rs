//! One file per account type. Every account carries a layout `version` and
//! reserved bytes so fields can be added by a migration without a realloc.
pub mod auction;
pub mod buffer;
pub mod insurance;
pub mod leg;
pub mod market;
pub mod params;
pub mod pod;
pub mod pool;
pub mod position;

pub use auction::*;
pub use buffer::*;
pub use insurance::*;
pub use leg::*;
pub use market::*;
pub use params::*;
pub use pod::*;
pub use pool::*;
pub use position::*;
