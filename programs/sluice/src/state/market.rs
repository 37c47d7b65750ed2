use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::SluiceError;

/// Governance-settable market-wide parameters.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct MarketParams {
    /// Bit set of PAUSE_* flags.
    pub pause_flags: u8,
    /// Collateral paid to whoever triggers a liquidation, in bps of the debt retired.
    pub keeper_incentive_bps: u16,
    /// Circuit breaker: most collateral value (whole USD, at seizure prices)
    /// that may sit in open auctions at once. u64::MAX = no limit.
    pub max_auction_value_usd: u64,
}

impl MarketParams {
    pub fn validate(&self) -> Result<()> {
        // Unknown pause bits would silently do nothing; reject them.
        require!(
            self.pause_flags & !PAUSE_ALL == 0,
            SluiceError::UnknownPauseFlags
        );
        require!(
            self.keeper_incentive_bps <= bounds::MAX_KEEPER_INCENTIVE_BPS,
            SluiceError::KeeperIncentiveOutOfBounds
        );
        Ok(())
    }
}

#[account]
#[derive(InitSpace)]
pub struct Market {
    pub version: u8,
    /// Governance (e.g. a Squads vault PDA): sets parameters, adds pools.
    pub authority: Pubkey,
    /// Set by `propose_authority`; becomes `authority` when it signs `accept_authority`.
    pub pending_authority: Pubkey,
    pub params: MarketParams,
    pub pool_count: u16,
    /// Collateral value (WAD USD, at seizure prices) now in open auctions.
    pub auction_value_open: u128,
    pub _reserved: [u8; 256],
}

impl Market {
    pub fn require_not_paused(&self, flag: u8) -> Result<()> {
        if self.params.pause_flags & flag == 0 {
            return Ok(());
        }
        Err(match flag {
            PAUSE_DEPOSITS => SluiceError::DepositsPaused,
            PAUSE_WITHDRAWALS => SluiceError::WithdrawalsPaused,
            PAUSE_BORROWS => SluiceError::BorrowsPaused,
            _ => SluiceError::LiquidationsPaused,
        }
        .into())
    }
}
