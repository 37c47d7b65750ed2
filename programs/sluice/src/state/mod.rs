//! One file per account type. Every account carries a layout `version` and
//! reserved bytes so fields can be added by a migration without a realloc.

/// A plain-old-data struct stored inside a zero-copy account and passed in
/// instructions, events and the IDL: Borsh, `InitSpace`, `Pod`/`Zeroable`,
/// `#[repr(C)]` (no implicit padding: padding fields are explicit), equality
/// and `Default`. Attributes (docs, `cfg_attr`) go first, as on any struct.
macro_rules! pod_struct {
    // `serde` first: also (de)serializable behind the crate's `serde`
    // feature, unknown fields refused (the admin TOML loader reads these)
    (serde $(#[$meta:meta])* pub struct $name:ident $body:tt) => {
        pod_struct! {
            #[cfg_attr(
                feature = "serde",
                derive(serde::Serialize, serde::Deserialize),
                serde(deny_unknown_fields)
            )]
            $(#[$meta])*
            pub struct $name $body
        }
    };
    ($(#[$meta:meta])* pub struct $name:ident $body:tt) => {
        $(#[$meta])*
        #[derive(
            AnchorSerialize,
            AnchorDeserialize,
            Clone,
            Copy,
            Debug,
            Default,
            PartialEq,
            Eq,
            InitSpace,
            Pod,
            Zeroable,
        )]
        #[repr(C)]
        pub struct $name $body
    };
}
pub mod adaptive;
pub mod auction;
pub mod buffer;
pub mod insurance;
pub mod leg;
pub mod market;
pub mod params;
pub mod pod;
pub mod pool;
pub mod position;
pub mod risk;

pub use adaptive::*;
pub use auction::*;
pub use buffer::*;
pub use insurance::*;
pub use leg::*;
pub use market::*;
pub use params::*;
pub use pod::*;
pub use pool::*;
pub use position::*;
pub use risk::*;
