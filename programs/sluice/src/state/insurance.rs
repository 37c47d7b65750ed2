use anchor_lang::prelude::*;

use crate::math::fixed::SafeMath;

/// The insurance buffer of one pool (one debt mint). Funded by the reserve
/// factor's share of interest; pays bad debt before any loss reaches lenders.
#[account]
#[derive(InitSpace)]
pub struct InsuranceBuffer {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub pool: Pubkey,
    /// Token account (PDA, authority = pool) holding the buffer.
    pub vault: Pubkey,
    /// Tokens received from interest over the buffer's life.
    pub total_funded: u64,
    /// Tokens paid out to cover bad debt over the buffer's life.
    pub total_paid: u64,
    pub _reserved: [u8; 128],
}

impl InsuranceBuffer {
    /// Books `amount` received (interest sweep, donation, auction penalty).
    pub fn record_funding(&mut self, amount: u64) -> Result<()> {
        self.total_funded = self.total_funded.safe_add(amount)?;
        Ok(())
    }

    /// Books `amount` paid out to cover bad debt.
    pub fn record_payment(&mut self, amount: u64) -> Result<()> {
        self.total_paid = self.total_paid.safe_add(amount)?;
        Ok(())
    }
}
