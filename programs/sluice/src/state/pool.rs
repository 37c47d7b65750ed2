use anchor_lang::prelude::*;

use crate::constants::*;
use crate::errors::SluiceError;
use crate::math::fixed::{checked_add, checked_sub, to_u64};
use crate::math::interest::{accrue_index, reserve_share, utilization_wad};
use crate::math::price::{borrow_side, liquidation_side};
use crate::math::shares::debt_amount;
use crate::math::twap::{twap, Observation};
use crate::math::{Rounding, WAD};
use crate::state::PoolParams;

/// Which Pyth format the pool reads.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum OracleKind {
    /// Pyth pull oracle: a PriceUpdateV2 account owned by the Pyth Receiver.
    PythPull,
    /// Legacy Pyth price account owned by the Pyth oracle program.
    PythLegacy,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct OracleConfig {
    pub kind: OracleKind,
    /// Legacy: the price account, which must match exactly. Pull: any account
    /// carrying `feed_id` is accepted (updates are posted to fresh accounts).
    pub oracle: Pubkey,
    /// Pull: the Pyth feed id. Legacy: unused (zero).
    pub feed_id: [u8; 32],
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct TwapObservation {
    pub slot: u64,
    pub price_wad: u128,
}

/// Kind of a registered on-chain liquidity source.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub enum DepthKind {
    #[default]
    None,
    /// A constant-product pool given by its two SPL token vaults.
    ConstantProduct,
    /// An Orca Whirlpool account (liquidity and sqrt_price).
    Whirlpool,
}

/// Where the depth cap of this pool's collateral comes from.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct DepthSource {
    pub kind: DepthKind,
    /// ConstantProduct: the vault holding this pool's mint. Whirlpool: the pool account.
    pub account_a: Pubkey,
    /// ConstantProduct: the other vault of the pair. Whirlpool: unused (zero).
    pub account_b: Pubkey,
}

impl DepthSource {
    /// How many accounts a liquidation passes for this source.
    pub fn account_count(&self) -> usize {
        match self.kind {
            DepthKind::None => 0,
            DepthKind::ConstantProduct => 2,
            DepthKind::Whirlpool => 1,
        }
    }
}

/// One lending pool per mint per market.
#[account]
#[derive(InitSpace)]
pub struct Pool {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub share_mint_bump: u8,
    pub decimals: u8,
    pub market: Pubkey,
    pub mint: Pubkey,
    /// Token account (PDA, authority = this pool) holding supply and collateral.
    pub vault: Pubkey,
    /// Mint (PDA, authority = this pool) of lender share tokens.
    pub share_mint: Pubkey,
    pub insurance: Pubkey,
    pub oracle: OracleConfig,
    pub params: PoolParams,

    // --- books (base units of `mint`) ---
    /// Lender supply not lent out; always in the vault.
    pub available_liquidity: u64,
    /// Borrower collateral; always in the vault, never lent out.
    pub total_collateral: u64,
    /// Lender shares outstanding (equals the share mint's supply).
    pub total_shares: u64,
    /// Sum of positions' scaled debt.
    pub total_scaled_debt: u128,
    /// Cumulative borrow index (WAD), starts at 1.
    pub borrow_index: u128,
    /// Interest owed to the insurance buffer, not yet swept to its vault.
    pub pending_insurance: u64,
    /// Cluster unix time of the last interest accrual.
    pub last_accrual_ts: i64,

    // --- prices (unit prices: WAD USD per base unit) ---
    pub spot_price_wad: u128,
    pub ema_price_wad: u128,
    pub price_publish_time: i64,
    pub price_slot: u64,
    pub twap_head: u8,
    pub twap_len: u8,
    pub twap: [TwapObservation; TWAP_CAPACITY],

    // --- liquidation (this pool as the collateral side) ---
    pub depth_sources: [DepthSource; MAX_DEPTH_SOURCES],
    /// Slot of `seized_in_slot`; a new slot starts from zero.
    pub sell_slot: u64,
    /// Collateral seized from positions in `sell_slot`.
    pub seized_in_slot: u64,
    /// Seized collateral in open auctions; held in the vault.
    pub auction_collateral: u64,

    // --- liquidation (this pool as the debt side) ---
    /// Debt moved off positions into open auctions, still owed to lenders.
    pub auction_debt: u64,
    /// Bad debt over the pool's life, and the part lenders absorbed.
    pub total_bad_debt: u64,
    pub total_socialized: u64,

    pub _reserved: [u8; 512],
}

/// Result of an accrual, for the event.
pub struct Accrual {
    pub interest: u64,
    pub to_insurance: u64,
    pub elapsed: u64,
}

impl Pool {
    pub fn signer_seeds(&self) -> [&[u8]; 4] {
        [
            POOL_SEED,
            self.market.as_ref(),
            self.mint.as_ref(),
            core::slice::from_ref(&self.bump),
        ]
    }

    /// Total debt in base units, rounded as asked.
    pub fn total_debt(&self, rounding: Rounding) -> Result<u128> {
        Ok(debt_amount(
            self.total_scaled_debt,
            self.borrow_index,
            rounding,
        )?)
    }

    /// What lenders own: liquidity + debt (rounded down) + debt in auctions
    /// - the buffer's claim.
    pub fn total_supply_assets(&self) -> Result<u128> {
        let gross = checked_add(
            checked_add(
                u128::from(self.available_liquidity),
                self.total_debt(Rounding::Down)?,
            )?,
            u128::from(self.auction_debt),
        )?;
        Ok(gross.saturating_sub(u128::from(self.pending_insurance)))
    }

    /// Everything the pool holds for users, checked against the deposit cap.
    pub fn total_held(&self) -> Result<u128> {
        let mut t = checked_add(
            u128::from(self.available_liquidity),
            self.total_debt(Rounding::Up)?,
        )?;
        for x in [
            self.total_collateral,
            self.auction_collateral,
            self.auction_debt,
        ] {
            t = checked_add(t, u128::from(x))?;
        }
        Ok(t)
    }

    /// What the vault must hold: unborrowed supply, collateral, and collateral in auctions.
    pub fn expected_vault_balance(&self) -> Result<u128> {
        Ok(checked_add(
            checked_add(
                u128::from(self.available_liquidity),
                u128::from(self.total_collateral),
            )?,
            u128::from(self.auction_collateral),
        )?)
    }

    /// Collateral already seized in `slot` (the counter resets each slot).
    pub fn seized_this_slot(&self, slot: u64) -> u64 {
        if self.sell_slot == slot {
            self.seized_in_slot
        } else {
            0
        }
    }

    /// Books a seizure against this slot's sell counter.
    pub fn record_seizure(&mut self, slot: u64, amount: u64) -> Result<()> {
        let before = self.seized_this_slot(slot);
        self.sell_slot = slot;
        self.seized_in_slot = before
            .checked_add(amount)
            .ok_or(SluiceError::MathOverflow)?;
        Ok(())
    }

    /// Accrues interest up to `now`. The reserve factor's share of new
    /// interest is booked as owed to the insurance buffer.
    pub fn accrue(&mut self, now: i64) -> Result<Option<Accrual>> {
        if now <= self.last_accrual_ts {
            return Ok(None);
        }
        let elapsed =
            u64::try_from(now - self.last_accrual_ts).map_err(|_| SluiceError::MathOverflow)?;
        self.last_accrual_ts = now;
        if self.total_scaled_debt == 0 {
            return Ok(Some(Accrual {
                interest: 0,
                to_insurance: 0,
                elapsed,
            }));
        }
        let before = self.total_debt(Rounding::Down)?;
        let util = utilization_wad(before, u128::from(self.available_liquidity))?;
        let rate = self.params.rates.model().borrow_rate_wad(util)?;
        self.borrow_index = accrue_index(self.borrow_index, rate, elapsed)?;
        let after = self.total_debt(Rounding::Down)?;
        let interest = checked_sub(after, before)?;
        let to_insurance = to_u64(reserve_share(
            interest,
            self.params.rates.reserve_factor_bps,
        )?)?;
        self.pending_insurance = self
            .pending_insurance
            .checked_add(to_insurance)
            .ok_or(SluiceError::MathOverflow)?;
        Ok(Some(Accrual {
            interest: to_u64(interest)?,
            to_insurance,
            elapsed,
        }))
    }

    /// Appends a TWAP observation; a second observation in the same slot replaces the first.
    pub fn record_observation(&mut self, slot: u64, price_wad: u128) {
        let cap = TWAP_CAPACITY as u8;
        if self.twap_len > 0 {
            let last = usize::from((self.twap_head + cap - 1) % cap);
            if self.twap[last].slot == slot {
                self.twap[last].price_wad = price_wad;
                return;
            }
        }
        let head = usize::from(self.twap_head % cap);
        self.twap[head] = TwapObservation { slot, price_wad };
        self.twap_head = (self.twap_head + 1) % cap;
        self.twap_len = self.twap_len.saturating_add(1).min(cap);
    }

    /// Observations ordered oldest first.
    pub fn observations(&self) -> ([Observation; TWAP_CAPACITY], usize) {
        let mut out = [Observation::default(); TWAP_CAPACITY];
        let len = usize::from(self.twap_len).min(TWAP_CAPACITY);
        let start = (usize::from(self.twap_head) + TWAP_CAPACITY - len) % TWAP_CAPACITY;
        for (i, o) in out.iter_mut().enumerate().take(len) {
            let t = self.twap[(start + i) % TWAP_CAPACITY];
            *o = Observation {
                slot: t.slot,
                price: t.price_wad,
            };
        }
        (out, len)
    }

    /// The smoothed price: the ring-buffer TWAP over the pool's window once
    /// the buffer holds two observations, Pyth's EMA before that.
    pub fn smoothed_price(&self, now_slot: u64) -> Result<u128> {
        let (obs, len) = self.observations();
        if len >= 2 {
            if let Some(t) = twap(
                &obs[..len],
                now_slot,
                u64::from(self.params.oracle.twap_window_slots),
            )? {
                return Ok(t);
            }
        }
        Ok(if self.ema_price_wad > 0 {
            self.ema_price_wad
        } else {
            self.spot_price_wad
        })
    }

    /// Fails unless `refresh_price` ran for this pool in the current slot.
    pub fn require_fresh_price(&self, slot: u64) -> Result<()> {
        require!(
            self.price_slot == slot && self.spot_price_wad > 0,
            SluiceError::PriceNotRefreshed
        );
        Ok(())
    }

    /// (collateral price, debt price) for opening risk.
    pub fn borrow_prices(&self, slot: u64) -> Result<(u128, u128)> {
        Ok(borrow_side(self.spot_price_wad, self.smoothed_price(slot)?))
    }

    /// (collateral price, debt price) for judging liquidation: max/min of
    /// spot and TWAP, or spot alone when the pool's preset ignores the TWAP.
    pub fn liquidation_prices(&self, slot: u64) -> Result<(u128, u128)> {
        if !self.params.liquidation.use_twap {
            return Ok((self.spot_price_wad, self.spot_price_wad));
        }
        Ok(liquidation_side(
            self.spot_price_wad,
            self.smoothed_price(slot)?,
        ))
    }

    /// Spot/TWAP divergence in bps.
    pub fn twap_divergence_bps(&self, slot: u64) -> Result<u128> {
        Ok(crate::math::price::divergence_bps(
            self.spot_price_wad,
            self.smoothed_price(slot)?,
        )?)
    }

    pub fn initial_index() -> u128 {
        WAD
    }
}
