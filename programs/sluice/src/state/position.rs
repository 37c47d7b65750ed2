use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::SluiceError;
use crate::math::fixed::SafeMath;

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct CollateralEntry {
    /// Pool the collateral sits in; `Pubkey::default()` marks a free slot.
    pub pool: Pubkey,
    /// Collateral in base units. Collateral is held, never lent out.
    pub amount: u64,
    /// Open auctions selling this entry's collateral: the entry is kept
    /// (even at zero) while any is open, so leftovers can always return.
    pub open_auctions: u8,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct DebtEntry {
    /// Pool borrowed from; `Pubkey::default()` marks a free slot.
    pub pool: Pubkey,
    /// Debt divided by the pool's borrow index at borrow time (WAD-scaled).
    pub scaled_debt: u128,
    /// Open auctions raising this entry's debt: the entry is kept while any
    /// is open, so unpaid debt can always return to it.
    pub open_auctions: u8,
}

/// A borrower's position in one market: up to four collateral and four debt entries.
#[account]
#[derive(InitSpace, Debug, PartialEq, Eq)]
pub struct Position {
    pub version: u8,
    pub bump: u8,
    pub market: Pubkey,
    pub owner: Pubkey,
    pub collateral: [CollateralEntry; MAX_COLLATERAL_ENTRIES],
    pub debts: [DebtEntry; MAX_DEBT_ENTRIES],
    /// Auctions holding this position's seized collateral; leftovers come back here.
    pub open_auctions: u8,
    pub _reserved: [u8; 128],
}

impl Position {
    pub fn collateral_index(&self, pool: &Pubkey) -> Option<usize> {
        self.collateral.iter().position(|c| c.pool == *pool)
    }

    pub fn debt_index(&self, pool: &Pubkey) -> Option<usize> {
        self.debts.iter().position(|d| d.pool == *pool)
    }

    /// The entry for `pool`, allocating a free one if needed.
    pub fn collateral_entry_mut(&mut self, pool: &Pubkey) -> Result<&mut CollateralEntry> {
        let i = match self.collateral_index(pool) {
            Some(i) => i,
            None => {
                let free = self
                    .collateral_index(&Pubkey::default())
                    .ok_or(SluiceError::PositionFull)?;
                self.collateral[free].pool = *pool;
                free
            }
        };
        Ok(&mut self.collateral[i])
    }

    pub fn debt_entry_mut(&mut self, pool: &Pubkey) -> Result<&mut DebtEntry> {
        let i = match self.debt_index(pool) {
            Some(i) => i,
            None => {
                let free = self
                    .debt_index(&Pubkey::default())
                    .ok_or(SluiceError::PositionFull)?;
                self.debts[free].pool = *pool;
                free
            }
        };
        Ok(&mut self.debts[i])
    }

    /// Frees entries that dropped to zero (and back no open auction) so
    /// their slots can be reused.
    pub fn compact(&mut self) {
        for c in self.collateral.iter_mut() {
            if c.amount == 0 && c.open_auctions == 0 {
                *c = CollateralEntry::default();
            }
        }
        for d in self.debts.iter_mut() {
            if d.scaled_debt == 0 && d.open_auctions == 0 {
                *d = DebtEntry::default();
            }
        }
    }

    /// An auction of (collateral pool, debt pool) opened: pins both entries.
    pub fn begin_auction(&mut self, collateral_pool: &Pubkey, debt_pool: &Pubkey) -> Result<()> {
        let c = self.collateral_entry_mut(collateral_pool)?;
        c.open_auctions = c.open_auctions.safe_add(1)?;
        let d = self.debt_entry_mut(debt_pool)?;
        d.open_auctions = d.open_auctions.safe_add(1)?;
        self.open_auctions = self.open_auctions.safe_add(1)?;
        Ok(())
    }

    /// The auction of (collateral pool, debt pool) closed: unpins the entries.
    pub fn end_auction(&mut self, collateral_pool: &Pubkey, debt_pool: &Pubkey) {
        if let Some(i) = self.collateral_index(collateral_pool) {
            let c = &mut self.collateral[i];
            c.open_auctions = c.open_auctions.saturating_sub(1);
        }
        if let Some(i) = self.debt_index(debt_pool) {
            let d = &mut self.debts[i];
            d.open_auctions = d.open_auctions.saturating_sub(1);
        }
        self.open_auctions = self.open_auctions.saturating_sub(1);
        self.compact();
    }

    pub fn has_collateral(&self) -> bool {
        self.collateral.iter().any(|c| c.amount > 0)
    }

    pub fn has_debt(&self) -> bool {
        self.debts.iter().any(|d| d.scaled_debt > 0)
    }

    pub fn is_empty(&self) -> bool {
        !self.has_debt() && self.collateral.iter().all(|c| c.amount == 0) && self.open_auctions == 0
    }

    /// Every pool this position refers to (collateral first, then debt), without repeats.
    pub fn pools(&self) -> impl Iterator<Item = Pubkey> + '_ {
        let col = self
            .collateral
            .iter()
            .filter(|c| c.amount > 0)
            .map(|c| c.pool);
        let debt = self
            .debts
            .iter()
            .filter(|d| d.scaled_debt > 0)
            .map(|d| d.pool);
        col.chain(debt)
    }
}
