//! The addresses of one pool.
use anchor_lang::prelude::Pubkey;
use sluice::state::OracleConfig;

use crate::pda;

/// Which Pyth format a pool reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    /// A PriceUpdateV2 account posted by the Pyth receiver (any account for
    /// the pool's feed id).
    Pull,
    /// A legacy push-oracle price account (one fixed account).
    Legacy,
}

/// Everything needed to address one pool.
#[derive(Clone, Copy, Debug)]
pub struct PoolKeys {
    pub mint: Pubkey,
    pub decimals: u8,
    pub pool: Pubkey,
    pub vault: Pubkey,
    pub share_mint: Pubkey,
    pub insurance: Pubkey,
    pub insurance_vault: Pubkey,
    /// The price account `refresh_price` reads.
    pub oracle: Pubkey,
    pub feed: Feed,
    /// Pyth feed id (pull feeds).
    pub feed_id: [u8; 32],
}

impl PoolKeys {
    /// The pool of `mint` in `market` with every PDA derived.
    pub fn derive(
        market: &Pubkey,
        mint: &Pubkey,
        decimals: u8,
        oracle: Pubkey,
        feed: Feed,
        feed_id: [u8; 32],
    ) -> Self {
        let pool = pda::pool(market, mint);
        PoolKeys {
            mint: *mint,
            decimals,
            pool,
            vault: pda::vault(&pool),
            share_mint: pda::share_mint(&pool),
            insurance: pda::insurance(&pool),
            insurance_vault: pda::insurance_vault(&pool),
            oracle,
            feed,
            feed_id,
        }
    }

    /// The oracle configuration `init_pool` records for these keys.
    pub fn oracle_config(&self) -> OracleConfig {
        match self.feed {
            Feed::Pull => OracleConfig::pyth_pull(self.feed_id),
            Feed::Legacy => OracleConfig::pyth_legacy(self.oracle),
        }
    }
}

/// Everything needed to address the buffer pool of a (collateral, debt) pair.
#[derive(Clone, Copy, Debug)]
pub struct BufferKeys {
    pub market: Pubkey,
    pub collateral: PoolKeys,
    pub debt: PoolKeys,
    pub buffer: Pubkey,
    pub debt_vault: Pubkey,
    pub collateral_vault: Pubkey,
}

impl BufferKeys {
    pub fn derive(market: &Pubkey, collateral: &PoolKeys, debt: &PoolKeys) -> Self {
        let buffer = crate::pda::buffer(&collateral.pool, &debt.pool);
        BufferKeys {
            market: *market,
            collateral: *collateral,
            debt: *debt,
            buffer,
            debt_vault: crate::pda::buffer_debt_vault(&buffer),
            collateral_vault: crate::pda::buffer_collateral_vault(&buffer),
        }
    }

    pub fn stake(&self, owner: &Pubkey) -> Pubkey {
        crate::pda::buffer_stake(&self.buffer, owner)
    }
}
