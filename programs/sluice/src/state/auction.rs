use anchor_lang::prelude::*;

use crate::constants::{AUCTION_VERSION, MAX_REDO_TIPS_PER_AUCTION_BPS};
use crate::errors::SluiceError;
use crate::math::auction::{cost, Curve};
use crate::math::fixed::SafeMath;
use crate::math::fixed::{apply_bps, mul_div, to_u64};
use crate::math::{Rounding, BPS, WAD};
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
    /// Collateral put into the current lot (seizures since it opened), and
    /// redo tips paid out of it: tips are capped at
    /// `MAX_REDO_TIPS_PER_AUCTION_BPS` of `lot_at_open`.
    pub lot_at_open: u64,
    pub tips_paid: u64,
    /// The debt pool's borrow index when the auction opened. Debt a sold-out
    /// lot did not raise returns to the position scaled at this index, so it
    /// owes the interest of its whole time in the auction.
    pub debt_index_wad: u128,
    pub _reserved: [u8; 112],
}

/// What a take did, for the handler's transfers, books and events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TakeOutcome {
    /// Collateral sold to the taker.
    pub amount: u64,
    pub price_wad: u128,
    /// Debt tokens the taker pays: `to_debt` to the debt pool's vault,
    /// `to_insurance` (the penalty) to its insurance buffer.
    pub paid: u64,
    pub to_debt: u64,
    pub to_insurance: u64,
    pub settlement: Settlement,
}

/// How a take left the lot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Settlement {
    /// Still selling.
    #[default]
    Open,
    /// The tab is raised: `leftover` collateral returns to the position.
    Raised { leftover: u64 },
    /// The lot is sold out with `unpaid` debt left: it returns to the position
    /// if the position still holds collateral, else it is bad debt.
    Exhausted { unpaid: u64 },
}

impl Auction {
    /// Opens an idle auction account for (position, collateral pool, debt pool).
    pub fn open(
        &mut self,
        bump: u8,
        market: Pubkey,
        position: Pubkey,
        collateral_pool: Pubkey,
        debt_pool: Pubkey,
        debt_index_wad: u128,
    ) {
        self.version = AUCTION_VERSION;
        self.debt_index_wad = debt_index_wad;
        self.bump = bump;
        self.status = AuctionStatus::Active;
        self.market = market;
        self.position = position;
        self.collateral_pool = collateral_pool;
        self.debt_pool = debt_pool;
        self.lot = 0;
        self.debt_to_raise = 0;
        self.penalty_to_raise = 0;
        self.tips_paid = 0;
        self.lot_at_open = 0;
    }

    pub fn is_active(&self) -> bool {
        self.status == AuctionStatus::Active
    }

    /// Adds a seizure to the lot (a new auction, or an extension).
    pub fn add_lot(&mut self, lot: u64, debt: u64, penalty: u64) -> Result<()> {
        self.lot = self.lot.safe_add(lot)?;
        self.lot_at_open = self.lot_at_open.safe_add(lot)?;
        self.debt_to_raise = self.debt_to_raise.safe_add(debt)?;
        self.penalty_to_raise = self.penalty_to_raise.safe_add(penalty)?;
        Ok(())
    }

    /// A fresh lot's start: the oracle ratio x (1 + start buffer), rounded up.
    fn fresh_start(p: &AuctionParams, ratio_wad: u128) -> Result<u128> {
        Ok(mul_div(
            ratio_wad,
            BPS + u128::from(p.start_buffer_bps),
            BPS,
            Rounding::Up,
        )?)
    }

    /// Prices the whole lot afresh from the current oracle ratio (collateral
    /// per debt unit, WAD) and restarts its decay after `jitter` slots. Every
    /// open and redo goes through here (an extension through
    /// [`Auction::reprice_extended`]), so seized collateral never sells on a
    /// curve that decayed before it was seized.
    pub fn restart(
        &mut self,
        p: &AuctionParams,
        ratio_wad: u128,
        slot: u64,
        jitter: u64,
    ) -> Result<()> {
        let start = Self::fresh_start(p, ratio_wad)?;
        self.restart_from(start, p, ratio_wad, slot, jitter)
    }

    /// Reprices a lot that grew while open (an extension): its start is its
    /// current price, held between the oracle ratio and a fresh start, and
    /// its decay restarts after `jitter` slots. The added collateral never
    /// sells on a curve that began under the oracle price of its seizure,
    /// and a lot extended every few slots (a position re-liquidated as the
    /// price falls) keeps decaying from where it stood instead of climbing
    /// back to a fresh start each time, which would keep it above the
    /// market for as long as the fall lasts.
    pub fn reprice_extended(
        &mut self,
        p: &AuctionParams,
        ratio_wad: u128,
        slot: u64,
        jitter: u64,
    ) -> Result<()> {
        let now = self.price_at(slot)?;
        let fresh = Self::fresh_start(p, ratio_wad)?;
        let start = now.min(fresh).max(ratio_wad);
        self.restart_from(start, p, ratio_wad, slot, jitter)
    }

    /// Restarts the lot's curve at `start`, its floor from the oracle
    /// ratio, its decay after `jitter` slots.
    fn restart_from(
        &mut self,
        start: u128,
        p: &AuctionParams,
        ratio_wad: u128,
        slot: u64,
        jitter: u64,
    ) -> Result<()> {
        self.start_price_wad = start;
        self.floor_price_wad = mul_div(ratio_wad, p.floor_bps.into(), BPS, Rounding::Up)?;
        self.set_curve(p)?;
        self.start_slot = slot;
        self.decay_start_slot = slot.saturating_add(jitter);
        self.expires_slot = self
            .decay_start_slot
            .saturating_add(p.time_limit_slots.into());
        Ok(())
    }

    /// The redo tip for the current lot: `tip_bps` of it, within what is
    /// left of the auction's lifetime tip budget, never the whole lot.
    pub fn redo_tip(&self, tip_bps: u16) -> Result<u64> {
        let tip = to_u64(apply_bps(self.lot.into(), tip_bps.into(), Rounding::Down)?)?;
        let budget = to_u64(apply_bps(
            self.lot_at_open.into(),
            MAX_REDO_TIPS_PER_AUCTION_BPS.into(),
            Rounding::Down,
        )?)?;
        let tip = tip.min(budget.saturating_sub(self.tips_paid));
        Ok(if tip >= self.lot { 0 } else { tip })
    }

    /// Pays a redo tip out of the lot.
    pub fn pay_tip(&mut self, tip: u64) -> Result<()> {
        self.lot = self.lot.safe_sub(tip)?;
        self.tips_paid = self.tips_paid.saturating_add(tip);
        Ok(())
    }

    /// Sells up to `max_amount` at the price of `slot` (no more than raises
    /// the tab). A partial take must leave at least `min_remainder` units, so
    /// a dust lot cannot be kept alive.
    pub fn take(
        &mut self,
        slot: u64,
        max_amount: u64,
        max_price_wad: u128,
        min_remainder: u64,
    ) -> Result<TakeOutcome> {
        require!(max_amount > 0, SluiceError::ZeroAmount);
        require!(self.is_active(), SluiceError::AuctionNotActive);
        require!(slot < self.expires_slot, SluiceError::AuctionExpired);
        let price = self.price_at(slot)?;
        require!(price <= max_price_wad, SluiceError::AuctionPriceAboveLimit);
        // units that raise the whole remaining tab, rounded up
        let needed = mul_div(self.tab(), WAD, price, Rounding::Up)?;
        let amount = to_u64(u128::from(max_amount).min(self.lot.into()).min(needed))?;
        require!(amount > 0, SluiceError::SeizeRoundsToZero);
        let raises_tab = u128::from(amount) >= needed;
        require!(
            amount == self.lot || raises_tab || self.lot - amount >= min_remainder,
            SluiceError::AuctionRemainderTooSmall
        );
        let paid = to_u64(cost(amount, price)?)?;
        let to_debt = paid.min(self.debt_to_raise);
        let to_insurance = paid - to_debt;
        self.debt_to_raise -= to_debt; // to_debt <= debt_to_raise
        self.penalty_to_raise = self.penalty_to_raise.saturating_sub(to_insurance);
        self.lot -= amount; // amount <= lot
        self.total_sold = self.total_sold.saturating_add(amount);
        self.total_raised = self.total_raised.saturating_add(paid);
        let settlement = if self.tab() == 0 {
            Settlement::Raised { leftover: self.lot }
        } else if self.lot == 0 {
            Settlement::Exhausted {
                unpaid: self.debt_to_raise,
            }
        } else {
            Settlement::Open
        };
        Ok(TakeOutcome {
            amount,
            price_wad: price,
            paid,
            to_debt,
            to_insurance,
            settlement,
        })
    }

    /// Ends the lot (settled); the account can be reopened by a later liquidation.
    pub fn end(&mut self) {
        self.status = AuctionStatus::Idle;
        self.lot = 0;
        self.debt_to_raise = 0;
        self.penalty_to_raise = 0;
    }

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
    pub fn set_curve(&mut self, p: &AuctionParams) -> Result<()> {
        self.curve = p.curve()?;
        self.duration_slots = p.duration_slots;
        self.step_slots = p.step_slots;
        self.step_bps = p.step_bps;
        Ok(())
    }

    /// Debt and penalty still to raise.
    pub fn tab(&self) -> u128 {
        u128::from(self.debt_to_raise) + u128::from(self.penalty_to_raise)
    }
}
