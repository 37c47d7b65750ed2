//! Position legs: the only code that moves a position's entry and its pool's
//! total together, so the two can never drift apart.
use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::math::fixed::SafeMath;
use crate::math::fixed::{checked_add, checked_sub, to_u64};
use crate::math::shares::{debt_amount, scaled_debt_for_borrow, scaled_debt_for_repay};
use crate::math::Rounding;
use crate::state::{Pool, Position};

/// A repayment as applied: tokens paid and scaled debt retired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repayment {
    pub paid: u64,
    pub retired: u128,
}

impl Position {
    /// Adds `amount` of `pool`'s token as collateral.
    pub fn deposit_collateral(&mut self, key: &Pubkey, pool: &mut Pool, amount: u64) -> Result<()> {
        require!(
            self.debt_index(key).is_none(),
            SluiceError::SamePoolCollateralAndDebt
        );
        let entry = self.collateral_entry_mut(key)?;
        entry.amount = entry.amount.safe_add(amount)?;
        pool.total_collateral = pool.total_collateral.safe_add(amount)?;
        Ok(())
    }

    /// Takes `amount` of collateral off the position and the pool's
    /// collateral total (a withdrawal, or a seizure by a liquidation).
    pub fn remove_collateral(&mut self, key: &Pubkey, pool: &mut Pool, amount: u64) -> Result<()> {
        let i = self
            .collateral_index(key)
            .ok_or(SluiceError::InsufficientCollateral)?;
        let entry = &mut self.collateral[i];
        entry.amount = entry
            .amount
            .checked_sub(amount)
            .ok_or(SluiceError::InsufficientCollateral)?;
        pool.total_collateral = pool.total_collateral.safe_sub(amount)?;
        self.compact();
        Ok(())
    }

    /// Returns an auction's unsold `amount` to the position: it leaves the
    /// pool's auction books and becomes collateral again.
    pub fn return_auction_collateral(
        &mut self,
        key: &Pubkey,
        pool: &mut Pool,
        amount: u64,
    ) -> Result<()> {
        pool.auction_collateral = pool.auction_collateral.safe_sub(amount)?;
        let entry = self.collateral_entry_mut(key)?;
        entry.amount = entry.amount.safe_add(amount)?;
        pool.total_collateral = pool.total_collateral.safe_add(amount)?;
        Ok(())
    }

    /// An auction sold out with `amount` of its debt unpaid: the debt leaves
    /// the pool's auction books and returns to the position, scaled (rounded
    /// up) at the index of the auction's opening (`opened_index`), so the
    /// interest of its time in the auction is owed too.
    pub fn restore_auction_debt(
        &mut self,
        key: &Pubkey,
        pool: &mut Pool,
        amount: u64,
        opened_index: u128,
    ) -> Result<()> {
        pool.auction_debt = pool.auction_debt.safe_sub(amount)?;
        let index = pool.borrow_index.get();
        let index = if opened_index > 0 {
            index.min(opened_index)
        } else {
            index
        };
        let scaled = scaled_debt_for_borrow(amount, index)?;
        let entry = self.debt_entry_mut(key)?;
        entry.scaled_debt = checked_add(entry.scaled_debt, scaled)?;
        pool.total_scaled_debt
            .set(checked_add(pool.total_scaled_debt.get(), scaled)?);
        Ok(())
    }

    /// Borrows `amount` from `pool`: scaled debt (rounded up) on the entry
    /// and the pool, liquidity out of the pool. Returns the scaled debt added.
    pub fn borrow(&mut self, key: &Pubkey, pool: &mut Pool, amount: u64) -> Result<u128> {
        require!(
            self.collateral_index(key).is_none(),
            SluiceError::SamePoolCollateralAndDebt
        );
        require!(
            amount <= pool.available_liquidity,
            SluiceError::InsufficientLiquidity
        );
        let scaled = scaled_debt_for_borrow(amount, pool.borrow_index.get())?;
        let entry = self.debt_entry_mut(key)?;
        entry.scaled_debt = checked_add(entry.scaled_debt, scaled)?;
        pool.total_scaled_debt
            .set(checked_add(pool.total_scaled_debt.get(), scaled)?);
        pool.available_liquidity -= amount; // checked above
        Ok(scaled)
    }

    /// Debt owed to `pool`, rounded up (zero without an entry).
    pub fn debt_owed(&self, key: &Pubkey, pool: &Pool) -> Result<u128> {
        Ok(match self.debt_index(key) {
            Some(i) => debt_amount(
                self.debts[i].scaled_debt,
                pool.borrow_index.get(),
                Rounding::Up,
            )?,
            None => 0,
        })
    }

    /// Retires up to `amount` tokens of debt owed to `pool` (clipped to what
    /// is owed). `to_liquidity`: the tokens enter the pool now (a repayment);
    /// otherwise they are still to be raised (an auction's debt).
    pub fn retire_debt(
        &mut self,
        key: &Pubkey,
        pool: &mut Pool,
        amount: u64,
        to_liquidity: bool,
    ) -> Result<Repayment> {
        let i = self.debt_index(key).ok_or(SluiceError::NothingToRepay)?;
        let scaled = self.debts[i].scaled_debt;
        require!(scaled > 0, SluiceError::NothingToRepay);
        let index = pool.borrow_index.get();
        let owed = to_u64(debt_amount(scaled, index, Rounding::Up)?)?;
        let r = if amount >= owed {
            Repayment {
                paid: owed,
                retired: scaled,
            }
        } else {
            Repayment {
                paid: amount,
                retired: scaled_debt_for_repay(amount, index)?.min(scaled),
            }
        };
        require!(r.retired > 0, SluiceError::RepayTooSmall);
        self.debts[i].scaled_debt = checked_sub(scaled, r.retired)?;
        pool.total_scaled_debt
            .set(checked_sub(pool.total_scaled_debt.get(), r.retired)?);
        if to_liquidity {
            pool.available_liquidity = pool.available_liquidity.safe_add(r.paid)?;
        }
        self.compact();
        Ok(r)
    }

    /// Removes the whole debt owed to `pool` without payment (a write-off);
    /// returns the tokens it was worth, rounded up.
    pub fn write_off_debt(&mut self, key: &Pubkey, pool: &mut Pool) -> Result<u64> {
        let i = self
            .debt_index(key)
            .filter(|&i| self.debts[i].scaled_debt > 0)
            .ok_or(SluiceError::NoDebtInPool)?;
        let scaled = self.debts[i].scaled_debt;
        let owed = to_u64(debt_amount(scaled, pool.borrow_index.get(), Rounding::Up)?)?;
        self.debts[i].scaled_debt = 0;
        pool.total_scaled_debt
            .set(checked_sub(pool.total_scaled_debt.get(), scaled)?);
        self.compact();
        Ok(owed)
    }
}
