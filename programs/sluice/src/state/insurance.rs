use anchor_lang::prelude::*;

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
