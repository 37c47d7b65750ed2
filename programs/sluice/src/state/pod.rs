//! Plain-old-data helpers for zero-copy accounts.
//!
//! A `u128` field would give a zero-copy struct 16-byte alignment on hosts
//! whose `u128` is 16-aligned (x86_64 since Rust 1.77) while the runtime only
//! guarantees 8-byte alignment for account data, and the SBF toolchains do not
//! agree on `u128`'s alignment. `PodU128` stores the value as 16
//! little-endian bytes (alignment 1), so the layout is the same everywhere and
//! its Borsh encoding equals its in-memory bytes.
use anchor_lang::prelude::*;
use bytemuck::{Pod, Zeroable};

#[derive(
    AnchorSerialize,
    AnchorDeserialize,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Pod,
    Zeroable,
    InitSpace,
)]
#[repr(transparent)]
pub struct PodU128([u8; 16]);

impl PodU128 {
    pub const fn new(v: u128) -> Self {
        PodU128(v.to_le_bytes())
    }

    #[inline(always)]
    pub const fn get(&self) -> u128 {
        u128::from_le_bytes(self.0)
    }

    #[inline(always)]
    pub fn set(&mut self, v: u128) {
        self.0 = v.to_le_bytes();
    }
}

impl From<u128> for PodU128 {
    fn from(v: u128) -> Self {
        PodU128::new(v)
    }
}

impl core::fmt::Debug for PodU128 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.get().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_has_alignment_one() {
        for v in [0u128, 1, u64::MAX as u128 + 7, u128::MAX] {
            assert_eq!(PodU128::new(v).get(), v);
        }
        assert_eq!(core::mem::align_of::<PodU128>(), 1);
        assert_eq!(core::mem::size_of::<PodU128>(), 16);
    }
}
