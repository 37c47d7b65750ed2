use anchor_lang::prelude::*;

use crate::math::auction::Curve;
use crate::state::{AuctionCurve, AuctionParams};

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub enum AuctionStatus {
    /// No lot (never used, or settled). `liquidate` may (re)open it.
    #[default]
    Idle,
    Active,
}

/// One Dutch auction per (position, collateral pool, debt pool). Seized
/// collateral stays in the collateral pool's vault (booked as
/// `auction_collateral`) until a taker buys it or it returns to the position.
#[account]
#[derive(InitSpace)]
pub struct Auction {
    pub version: u8,
    pub bump: u8,
    pub status: AuctionStatus,
    pub market: Pubkey,
    pub position: Pubkey,
    pub collateral_pool: Pubkey,
    pub debt_pool: Pubkey,
    /// Collateral left to sell (base units of the collateral mint).
    pub lot: u64,
    /// Position debt still to recover (debt base units); repays the debt pool.
    pub debt_to_raise: u64,
    /// Liquidation penalty still to raise; goes to the debt pool's insurance buffer.
    pub penalty_to_raise: u64,
    /// Prices in debt base units per collateral base unit, WAD.
    pub start_price_wad: u128,
    pub floor_price_wad: u128,
    /// Collateral unit price (WAD USD) at seizure: the circuit breaker's measure.
    pub breaker_unit_price_wad: u128,
    pub curve: AuctionCurve,
    pub duration_slots: u32,
    pub step_slots: u32,
    pub step_bps: u16,
    /// Slot the lot was (re)opened, the jittered decay start, and the slot from
    /// which it can no longer be taken (and may be redone).
    pub start_slot: u64,
    pub decay_start_slot: u64,
    pub expires_slot: u64,
    pub redo_count: u32,
    /// Lifetime totals for this account.
    pub total_sold: u64,
    pub total_raised: u64,
    pub _reserved: [u8; 128],
}

impl Auction {
    pub fn curve(&self) -> Curve {
        match self.curve {
            AuctionCurve::Linear => Curve::Linear {
                duration_slots: self.duration_slots.into(),
            },
            AuctionCurve::ExpStep => Curve::ExpStep {
                step_slots: self.step_slots.into(),
                step_bps: self.step_bps,
            },
        }
    }

    pub fn price_at(&self, slot: u64) -> Result<u128> {
        Ok(crate::math::auction::price_at(
            self.start_price_wad,
            self.floor_price_wad,
            self.curve(),
            self.decay_start_slot,
            slot,
        )?)
    }

    /// Copies the curve parameters of the collateral pool.
    pub fn set_curve(&mut self, p: &AuctionParams) {
        self.curve = p.curve;
        self.duration_slots = p.duration_slots;
        self.step_slots = p.step_slots;
        self.step_bps = p.step_bps;
    }

    pub fn tab(&self) -> u128 {
        u128::from(self.debt_to_raise) + u128::from(self.penalty_to_raise)
    }
}
