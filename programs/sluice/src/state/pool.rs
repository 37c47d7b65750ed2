use anchor_lang::prelude::*;
use bytemuck::{Pod, Zeroable};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::math::depth::rise_limited;
use crate::math::fixed::SafeMath;
use crate::math::fixed::{checked_add, checked_sub, to_u64};
use crate::math::interest::{accrue_index, reserve_share, utilization_wad};
use crate::math::risk::{hourly_vol_to_var_per_sec_wad, slots_for_same_seconds, vol_ratio_bps};
use crate::math::shares::{assets_for_shares, debt_amount, shares_for_deposit};
use crate::math::twap::{self, Observation};
use crate::math::{Rounding, WAD};
use crate::state::adaptive::rule;
use crate::state::{
    Adapted, AdaptiveParams, AuctionCurve, AuctionParams, MarketReading, PodU128, PoolParams,
    RiskState,
};

/// Which Pyth format the pool reads.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
#[repr(u8)]
pub enum OracleKind {
    /// Pyth pull oracle: a PriceUpdateV2 account owned by the Pyth Receiver.
    PythPull,
    /// Legacy Pyth price account owned by the Pyth oracle program.
    PythLegacy,
}

impl OracleKind {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::PythPull),
            1 => Some(Self::PythLegacy),
            _ => None,
        }
    }
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace, Pod, Zeroable,
)]
#[repr(C)]
pub struct OracleConfig {
    /// Legacy: the price account, which must match exactly. Pull: any account
    /// carrying `feed_id` is accepted (updates are posted to fresh accounts).
    pub oracle: Pubkey,
    /// Pull: the Pyth feed id. Legacy: unused (zero).
    pub feed_id: [u8; 32],
    /// An [`OracleKind`] as u8 (zero-copy); read it with [`OracleConfig::kind`].
    pub kind: u8,
}

impl OracleConfig {
    pub fn pyth_pull(feed_id: [u8; 32]) -> Self {
        OracleConfig {
            oracle: Pubkey::default(),
            feed_id,
            kind: OracleKind::PythPull as u8,
        }
    }

    pub fn pyth_legacy(oracle: Pubkey) -> Self {
        OracleConfig {
            oracle,
            feed_id: [0; 32],
            kind: OracleKind::PythLegacy as u8,
        }
    }

    pub fn kind(&self) -> Result<OracleKind> {
        OracleKind::from_u8(self.kind).ok_or_else(|| error!(SluiceError::UnknownOracleKind))
    }
}

pod_struct! {
    /// One point of the TWAP history: the cumulative price-seconds (wrapping)
    /// up to `publish_time`.
    pub struct TwapObservation {
        pub publish_time: i64,
        pub cumulative: PodU128,
    }
}

/// Kind of a registered on-chain liquidity source.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
#[repr(u8)]
pub enum DepthKind {
    #[default]
    None,
    /// A constant-product pool given by its two SPL token vaults.
    ConstantProduct,
    /// An Orca Whirlpool account (liquidity and sqrt_price).
    Whirlpool,
    /// An OpenBook v2 market whose base is the pool's mint, and its bids.
    OpenBookV2,
}

impl DepthKind {
    pub fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::None),
            1 => Some(Self::ConstantProduct),
            2 => Some(Self::Whirlpool),
            3 => Some(Self::OpenBookV2),
            _ => None,
        }
    }
}

pod_struct! {
    /// An amount counted within one slot: a new slot starts from zero.
    pub struct SlotCounter {
        /// The slot `amount` was counted in.
        pub slot: u64,
        pub amount: u64,
    }
}

impl SlotCounter {
    /// What was counted in `slot`.
    pub fn in_slot(&self, slot: u64) -> u64 {
        if self.slot == slot {
            self.amount
        } else {
            0
        }
    }

    /// Counts `amount` more in `slot`.
    pub fn add(&mut self, slot: u64, amount: u64) -> Result<()> {
        self.amount = self.in_slot(slot).safe_add(amount)?;
        self.slot = slot;
        Ok(())
    }

    /// Read as a bucket that drains `per_slot` every slot: what is left in
    /// it in `slot`.
    pub fn left_after_draining(&self, slot: u64, per_slot: u64) -> u64 {
        let elapsed = slot.saturating_sub(self.slot);
        self.amount.saturating_sub(elapsed.saturating_mul(per_slot))
    }
}

pod_struct! {
    /// Where the depth cap of this pool's collateral comes from.
    pub struct DepthSource {
        /// ConstantProduct: the vault holding this pool's mint. Whirlpool:
        /// the pool account. OpenBookV2: the market account.
        pub account_a: Pubkey,
        /// ConstantProduct: the other vault of the pair. Whirlpool: unused
        /// (zero). OpenBookV2: the market's bids account.
        pub account_b: Pubkey,
        /// A [`DepthKind`] as u8 (zero-copy); read it with [`DepthSource::kind`].
        pub kind: u8,
    }
}

impl DepthSource {
    pub fn constant_product(vault: Pubkey, other_vault: Pubkey) -> Self {
        DepthSource {
            account_a: vault,
            account_b: other_vault,
            kind: DepthKind::ConstantProduct as u8,
        }
    }

    pub fn whirlpool(pool: Pubkey) -> Self {
        DepthSource {
            account_a: pool,
            account_b: Pubkey::default(),
            kind: DepthKind::Whirlpool as u8,
        }
    }

    pub fn openbook_v2(market: Pubkey, bids: Pubkey) -> Self {
        DepthSource {
            account_a: market,
            account_b: bids,
            kind: DepthKind::OpenBookV2 as u8,
        }
    }

    pub fn kind(&self) -> Result<DepthKind> {
        DepthKind::from_u8(self.kind).ok_or_else(|| error!(SluiceError::UnknownDepthKind))
    }

    /// How many accounts a liquidation passes for this source.
    pub fn account_count(&self) -> usize {
        match DepthKind::from_u8(self.kind) {
            Some(DepthKind::ConstantProduct) | Some(DepthKind::OpenBookV2) => 2,
            Some(DepthKind::Whirlpool) => 1,
            _ => 0,
        }
    }
}

/// One lending pool per mint per market. Zero-copy: instructions read and
/// write it in place (no Borsh copy on the 4 KB stack), and a pool passed
/// as a remaining account costs a borrow, not a deserialization.
/// Field order keeps every field naturally aligned with no implicit padding
/// (8-byte scalars, then byte arrays); 128-bit values are [`PodU128`].
#[account(zero_copy)]
pub struct Pool {
    // --- books (base units of `mint`) ---
    /// Lender supply not lent out; always in the vault.
    pub available_liquidity: u64,
    /// Borrower collateral; always in the vault, never lent out.
    pub total_collateral: u64,
    /// Lender shares outstanding (equals the share mint's supply).
    pub total_shares: u64,
    /// Interest owed to the insurance buffer, not yet swept to its vault.
    pub pending_insurance: u64,
    /// Cluster unix time of the last interest accrual.
    pub last_accrual_ts: i64,

    // --- price state ---
    /// Pyth publish time of the last accepted price (never goes backwards).
    pub price_publish_time: i64,
    /// Slot of the last `refresh_price`.
    pub price_slot: u64,

    // --- liquidation (this pool as the collateral side) ---
    /// Collateral seized from positions in the current slot.
    pub seized: SlotCounter,
    /// Collateral auctions and the buffer pool sold to takers in the current
    /// slot: forced sales into the market are throttled by the depth too,
    /// not only seizures.
    pub sold: SlotCounter,
    /// Seized collateral in open auctions; held in the vault.
    pub auction_collateral: u64,

    // --- liquidation (this pool as the debt side) ---
    /// Debt moved off positions into open auctions, still owed to lenders.
    pub auction_debt: u64,
    /// Bad debt over the pool's life, and the part lenders absorbed.
    pub total_bad_debt: u64,
    pub total_socialized: u64,
    /// Cluster time of the last update that lowered the liquidation threshold.
    pub threshold_cut_ts: i64,

    // --- depth observed in earlier slots (the liquidation cap's source) ---
    /// Estimate in force during `depth_slot` (built before it).
    pub depth_estimate: u64,
    /// Estimate after `depth_slot`'s observations; in force from the next slot.
    pub depth_pending: u64,
    /// Slot of the last depth observation; 0 before any.
    pub depth_slot: u64,

    pub params: PoolParams,
    /// TWAP history, spaced at least window / (capacity - 1) seconds apart.
    pub twap: [TwapObservation; TWAP_CAPACITY],

    /// Sum of positions' scaled debt.
    pub total_scaled_debt: PodU128,
    /// Cumulative borrow index (WAD), starts at 1.
    pub borrow_index: PodU128,
    // --- prices (unit prices: WAD USD per base unit) ---
    pub spot_price_wad: PodU128,
    pub ema_price_wad: PodU128,
    /// Publish-time-weighted average over the window, computed by `refresh_price`.
    pub twap_price_wad: PodU128,
    /// Sum of price x seconds up to `price_publish_time` (wrapping).
    pub twap_cumulative: PodU128,

    pub market: Pubkey,
    pub mint: Pubkey,
    /// Token account (PDA, authority = this pool) holding supply and collateral.
    pub vault: Pubkey,
    /// Mint (PDA, authority = this pool) of lender share tokens.
    pub share_mint: Pubkey,
    pub insurance: Pubkey,
    pub oracle: OracleConfig,
    pub depth_sources: [DepthSource; MAX_DEPTH_SOURCES],

    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub share_mint_bump: u8,
    pub decimals: u8,
    pub twap_head: u8,
    pub twap_len: u8,
    pub _padding: [u8; 6],
    /// The liquidation guard's bounds (WAD USD per base unit), computed by
    /// `refresh_price` when `guard_window_secs > 0`: the highest and lowest
    /// prices that stood over the guard window.
    pub guard_high_wad: PodU128,
    pub guard_low_wad: PodU128,
    /// Seizures as a bucket draining one slot's cap per slot (read with
    /// the seizure window, `PoolParams::seize_window_slots` > 1).
    pub seize_bucket: SlotCounter,
    /// Realized volatility, depth trend and seconds per slot, moved by
    /// `refresh_price` ([`RiskState`]).
    pub risk: RiskState,
    /// Governance's adaptive rules (all off by default) and what they hold
    /// now, moved by `refresh_price` ([`Adapted::step`]).
    pub adaptive: AdaptiveParams,
    pub adapted: Adapted,
    pub _reserved: [u8; 16],
}

/// A held value (whole bps) kept within `lo..=hi` (`lo <= hi`).
#[inline(always)]
fn within(bps: u64, lo: u16, hi: u16) -> u16 {
    u16::try_from(bps.min(u64::from(hi))).unwrap_or(hi).max(lo)
}

/// A guard window's (highest, lowest) price that stood (WAD USD per base unit).
type GuardRange = (u128, u128);

const _: () = assert!(core::mem::align_of::<Pool>() == 8);
const _: () = assert!(core::mem::size_of::<Pool>() == POOL_SIZE);
/// Size of a `Pool` without its 8-byte discriminator (pinned: a layout change
/// is a deliberate migration, not an accident).
/// The last four terms: `risk`, `adaptive`, `adapted`, `_reserved` (160
/// reserved bytes before issue 15).
pub const POOL_SIZE: usize = 19 * 8
    + 104
    + TWAP_CAPACITY * 24
    + 6 * 16
    + 5 * 32
    + 65
    + 130
    + 7
    + 6
    + 2 * 16
    + 16
    + 80
    + 32
    + 32
    + 16;

/// Result of an accrual, for the event.
pub struct Accrual {
    pub interest: u64,
    pub to_insurance: u64,
    pub elapsed: u64,
}

/// A bad debt as booked by [`Pool::book_bad_debt`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BadDebt {
    pub shortfall: u64,
    /// Paid by the insurance buffer (moved into the vault by the caller).
    pub covered: u64,
    /// Absorbed by the pool's lenders.
    pub socialized: u64,
}

/// What a pool PDA needs to sign a CPI, copied out of the account so no
/// borrow of its data is held across the call.
#[derive(Clone, Copy, Debug)]
pub struct PoolSigner {
    pub market: Pubkey,
    pub mint: Pubkey,
    pub bump: [u8; 1],
}

impl PoolSigner {
    pub fn seeds(&self) -> [&[u8]; 4] {
        [
            POOL_SEED,
            self.market.as_ref(),
            self.mint.as_ref(),
            &self.bump,
        ]
    }
}

impl Pool {
    pub fn signer(&self) -> PoolSigner {
        PoolSigner {
            market: self.market,
            mint: self.mint,
            bump: [self.bump],
        }
    }

    /// Total debt in base units, rounded as asked.
    pub fn total_debt(&self, rounding: Rounding) -> Result<u128> {
        Ok(debt_amount(
            self.total_scaled_debt.get(),
            self.borrow_index.get(),
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

    /// Collateral already seized in `slot`.
    pub fn seized_this_slot(&self, slot: u64) -> u64 {
        self.seized.in_slot(slot)
    }

    /// Books a seizure against this slot's counter and the seizure bucket
    /// (`depth_cap`: the depth cap in force, as for [`Self::sell_room`]).
    pub fn record_seizure(&mut self, depth_cap: Option<u64>, slot: u64, amount: u64) -> Result<()> {
        let left = self.seize_backlog(depth_cap, slot);
        self.seize_bucket = SlotCounter {
            slot: slot.max(self.seize_bucket.slot),
            amount: left.safe_add(amount)?,
        };
        self.seized.add(slot, amount)
    }

    /// Slots of cap that may be seized at once (>= 1).
    fn seize_window(&self) -> u64 {
        u64::from(self.params.seize_window_slots.max(1))
    }

    /// Seizures still counted against the cap in `slot`: this slot's alone
    /// with a one-slot window; the bucket, drained one cap per slot since
    /// its last seizure, with a wider one.
    fn seize_backlog(&self, depth_cap: Option<u64>, slot: u64) -> u64 {
        if self.seize_window() == 1 {
            self.seized.in_slot(slot)
        } else {
            self.seize_bucket
                .left_after_draining(slot, self.slot_cap(depth_cap))
        }
    }

    /// Collateral that may still be sold to takers in `slot` (auction lots
    /// and buffer sales): the governance cap, and the depth estimate built
    /// in earlier slots when sources are registered, paced over the auction
    /// backlog (`PoolParams::sale_pace_slots`), less what was sold in this
    /// slot. Nothing the taking transaction does can raise it.
    pub fn sale_room(&self, slot: u64) -> u64 {
        let registered = self.depth_sources.iter().any(|s| s.account_count() > 0);
        let depth = self.observed_depth(slot).filter(|_| registered);
        let cap = self.slot_cap(depth);
        let sold = self.sold.in_slot(slot);
        let pace = u64::from(self.params.sale_pace_slots);
        let room = match pace {
            0 => cap,
            n => {
                // the backlog as it stood at the slot's start: what is
                // still in lots plus what this slot already sold of them
                // (a buffer sale counts in `sold` too, so it can widen the
                // slot's room by a quarter of itself; never past `cap`)
                let backlog = self.auction_collateral.saturating_add(sold);
                cap.min((cap / 4).max(backlog / n))
            }
        };
        room.saturating_sub(sold)
    }

    /// Books a sale to a taker against this slot's sale counter.
    pub fn record_sale(&mut self, slot: u64, amount: u64) -> Result<()> {
        self.sold.add(slot, amount)
    }

    /// The depth (collateral units a sale may take within the slippage
    /// bound) this slot's liquidations may rely on: built from observations
    /// in earlier slots only, so nothing inside the liquidating transaction
    /// can raise it. `None` before any observation.
    pub fn observed_depth(&self, slot: u64) -> Option<u64> {
        if self.depth_slot == 0 {
            None
        } else if slot > self.depth_slot {
            Some(self.depth_pending)
        } else {
            Some(self.depth_estimate)
        }
    }

    /// Records depth read live in `slot`. It reaches the estimate only from
    /// the next slot on: a fall in full, a rise of at most
    /// [`DEPTH_RISE_BPS_PER_SLOT`] over the estimate in force now; several
    /// observations in one slot keep the lowest.
    pub fn observe_depth(&mut self, slot: u64, live: u64) {
        let in_force = self.observed_depth(slot).unwrap_or(0);
        let next = rise_limited(in_force, live, DEPTH_RISE_BPS_PER_SLOT);
        if slot > self.depth_slot || self.depth_slot == 0 {
            self.depth_estimate = in_force;
            self.depth_pending = next;
            self.depth_slot = slot;
        } else {
            self.depth_pending = self.depth_pending.min(next);
        }
    }

    /// A refresh's readings of the market for the adaptive measures: the
    /// price (a volatility sample when its publish time is new), the clock
    /// (seconds per slot), and, when the caller passed the depth accounts
    /// (`depth_seen`), the depth estimate they leave for the next slot: the
    /// lowest reading of this slot, rise-limited, so a swap around the
    /// refresh in one transaction lifts the trend's sample by at most the
    /// estimate's 5% a slot (and a higher trend only lowers the cap).
    pub fn observe_market(
        &mut self,
        spot: u128,
        publish_time: i64,
        slot: u64,
        now: i64,
        depth_seen: bool,
    ) -> Result<RiskState> {
        self.risk.observe_price(spot, publish_time)?;
        self.risk.observe_clock(slot, now)?;
        if depth_seen {
            if let Some(estimate) = self.observed_depth(slot.saturating_add(1)) {
                self.risk.observe_depth(estimate, now)?;
            }
        }
        Ok(self.risk)
    }

    /// Moves the adaptive rules' held values from the measures (a rule off
    /// holds nothing). Returns them for the event.
    pub fn adapt(&mut self, slot: u64, now: i64) -> Result<Adapted> {
        let reference = hourly_vol_to_var_per_sec_wad(self.adaptive.ref_vol_hourly_bps);
        let registered = self.depth_sources.iter().any(|s| s.account_count() > 0);
        let depth = match (registered, self.observed_depth(slot)) {
            (true, Some(d)) if self.risk.depth_trend > 0 => Some((d, self.risk.depth_trend)),
            _ => None,
        };
        let reading = MarketReading {
            vol_ratio_bps: vol_ratio_bps(self.risk.var_per_sec_wad.get(), reference)?,
            depth,
            now,
        };
        let (params, base) = (self.adaptive, self.params);
        self.adapted.step(&params, &base, &reading);
        Ok(self.adapted)
    }

    /// Governance replaced the adaptive rules (validated against the pool's
    /// parameters by the caller). A rule switched on or off starts again
    /// from the static value.
    pub fn set_adaptive(&mut self, params: AdaptiveParams) {
        let changed = self.adaptive.switches ^ params.switches;
        let a = &mut self.adapted;
        if changed & params.switches != 0 {
            // a rule switched on starts timing its limits now, not from
            // the last step of the others
            a.ts = 0;
        }
        if changed & rule::LTV != 0 {
            a.ltv = 0;
        }
        if changed & rule::THRESHOLD != 0 {
            a.threshold = 0;
        }
        if changed & rule::BONUS != 0 {
            a.bonus = 0;
        }
        if changed & rule::AUCTION != 0 {
            a.start_buffer = 0;
            a.decay_speedup = 0;
        }
        if changed & rule::CAP != 0 {
            a.cap_scale = 0;
        }
        self.adaptive = params;
    }

    /// The LTV for new risk in force: the static one, or with its rule on
    /// the held value (never above the static one).
    pub fn effective_ltv_bps(&self) -> u16 {
        let base = self.params.risk.ltv_bps;
        if !self.adaptive.is_on(rule::LTV) {
            return base;
        }
        let floor = self.adaptive.ltv_floor_bps.min(base);
        within(Adapted::bps(self.adapted.ltv, base), floor, base)
    }

    /// The liquidation threshold in force (never above the static one).
    pub fn effective_threshold_bps(&self) -> u16 {
        let base = self.params.risk.liquidation_threshold_bps;
        if !self.adaptive.is_on(rule::THRESHOLD) {
            return base;
        }
        let floor = self.adaptive.threshold_floor_bps.min(base);
        within(Adapted::bps_up(self.adapted.threshold, base), floor, base)
    }

    /// The liquidation bonus in force (never under the static one).
    pub fn effective_bonus_bps(&self) -> u16 {
        let base = self.params.risk.liquidation_bonus_bps;
        if !self.adaptive.is_on(rule::BONUS) {
            return base;
        }
        let ceiling = self.adaptive.bonus_ceiling_bps.max(base);
        within(Adapted::bps(self.adapted.bonus, base), base, ceiling)
    }

    /// The auction parameters a lot (re)starts with: the static ones, with
    /// the auction rule the start buffer and decay speed held now, and with
    /// the seconds rule every slot count kept in seconds at the measured
    /// slot time.
    pub fn effective_auction_params(&self) -> AuctionParams {
        let mut p = self.params.liquidation.auction;
        let ad = &self.adaptive;
        if ad.is_on(rule::AUCTION) {
            let ceiling = ad.start_buffer_ceiling_bps.max(p.start_buffer_bps);
            let held = Adapted::bps(self.adapted.start_buffer, p.start_buffer_bps);
            p.start_buffer_bps = within(held, p.start_buffer_bps, ceiling);
            let speedup = Adapted::bps(self.adapted.decay_speedup, 10_000)
                .max(10_000)
                .min(u64::from(ad.decay_speedup_ceiling_bps).max(10_000));
            let faster_step = u64::from(p.step_bps) * speedup / 10_000;
            p.step_bps = faster_step.min(u64::from(bounds::MAX_AUCTION_STEP_BPS)) as u16;
            if p.curve == AuctionCurve::Linear as u8 {
                let shorter = (u64::from(p.duration_slots) * 10_000).div_ceil(speedup);
                p.duration_slots = shorter.max(1) as u32;
            }
        }
        if ad.is_on(rule::SECONDS) {
            let (nominal, ms, stretch) = (
                u64::from(ad.nominal_ms_per_slot),
                self.risk.ms_per_slot,
                u64::from(ad.max_slot_stretch_bps),
            );
            let secs = |slots: u64| slots_for_same_seconds(slots, nominal, ms, stretch);
            p.duration_slots = secs(p.duration_slots.into()) as u32;
            p.step_slots = secs(p.step_slots.into()) as u32;
            p.time_limit_slots = secs(p.time_limit_slots.into()) as u32;
            p.jitter_slots = secs(p.jitter_slots.into()) as u16;
        }
        p
    }

    /// Governance (re)registered the depth sources: their depth read now is
    /// the estimate at once.
    pub fn seed_depth(&mut self, slot: u64, live: u64) {
        self.depth_estimate = live;
        self.depth_pending = live;
        self.depth_slot = slot.max(1);
    }

    /// A seized lot enters an auction: `lot` of this (collateral) pool's
    /// tokens stay in its vault, booked as auction collateral.
    pub fn hold_for_auction(&mut self, lot: u64) -> Result<()> {
        self.auction_collateral = self.auction_collateral.safe_add(lot)?;
        Ok(())
    }

    /// `amount` of auction collateral leaves the auction books (sold to a
    /// taker; a return to the position goes through the position leg).
    pub fn release_auction_collateral(&mut self, amount: u64) -> Result<()> {
        self.auction_collateral = self.auction_collateral.safe_sub(amount)?;
        Ok(())
    }

    /// Debt retired from a position into an auction (this is the debt pool):
    /// still owed to lenders, booked as auction debt.
    pub fn owe_from_auction(&mut self, amount: u64) -> Result<()> {
        self.auction_debt = self.auction_debt.safe_add(amount)?;
        Ok(())
    }

    /// A lender supplies `amount`: checks the deposit cap, prices shares
    /// (rounded down) and books both. Returns the shares to mint.
    pub fn supply(&mut self, amount: u64) -> Result<u64> {
        let held = checked_add(self.total_held()?, amount.into())?;
        require!(
            held <= u128::from(self.params.deposit_cap),
            SluiceError::DepositCapExceeded
        );
        let shares = shares_for_deposit(amount, self.total_supply_assets()?, self.total_shares)?;
        require!(shares > 0, SluiceError::DepositTooSmall);
        self.available_liquidity = self.available_liquidity.safe_add(amount)?;
        self.total_shares = self.total_shares.safe_add(shares)?;
        Ok(shares)
    }

    /// A lender redeems `shares` for tokens (rounded down), paid from
    /// unborrowed liquidity. Returns the tokens to pay out.
    pub fn redeem(&mut self, shares: u64) -> Result<u64> {
        let amount = assets_for_shares(shares, self.total_supply_assets()?, self.total_shares)?;
        require!(amount > 0, SluiceError::WithdrawTooSmall);
        require!(
            amount <= self.available_liquidity,
            SluiceError::InsufficientLiquidity
        );
        self.available_liquidity -= amount; // checked above
        self.total_shares = self
            .total_shares
            .checked_sub(shares)
            .ok_or(SluiceError::InsufficientShares)?;
        Ok(amount)
    }

    /// Checks the deposit cap for `amount` more collateral.
    pub fn require_collateral_room(&self, amount: u64) -> Result<()> {
        let held = checked_add(self.total_held()?, amount.into())?;
        require!(
            held <= u128::from(self.params.deposit_cap),
            SluiceError::DepositCapExceeded
        );
        Ok(())
    }

    /// Checks liquidity and the borrow cap for lending `amount` more.
    pub fn require_borrowable(&self, amount: u64) -> Result<()> {
        require!(
            amount <= self.available_liquidity,
            SluiceError::InsufficientLiquidity
        );
        let debt_after = checked_add(self.total_debt(Rounding::Up)?, amount.into())?;
        require!(
            debt_after <= u128::from(self.params.borrow_cap),
            SluiceError::BorrowCapExceeded
        );
        Ok(())
    }

    /// Sweeps the insurance buffer's share of interest, as far as unborrowed
    /// liquidity allows. Returns the tokens to move to the buffer's vault.
    pub fn take_insurance_sweep(&mut self) -> u64 {
        let sweep = self.pending_insurance.min(self.available_liquidity);
        self.pending_insurance -= sweep;
        self.available_liquidity -= sweep;
        sweep
    }

    /// An auction raised `amount` of debt: it leaves the auction books and
    /// becomes lendable liquidity again.
    pub fn receive_auction_proceeds(&mut self, amount: u64) -> Result<()> {
        self.available_liquidity = self.available_liquidity.safe_add(amount)?;
        self.auction_debt = self.auction_debt.safe_sub(amount)?;
        Ok(())
    }

    /// Replaces the parameters (already validated). Lowering the
    /// liquidation threshold is rate-limited: at most `MAX_THRESHOLD_CUT_BPS`
    /// per update and one lowering per `THRESHOLD_CUT_INTERVAL_SECS`.
    pub fn set_params(&mut self, params: PoolParams, now: i64) -> Result<()> {
        let old = self.params.risk.liquidation_threshold_bps;
        let new = params.risk.liquidation_threshold_bps;
        if new < old {
            require!(
                old - new <= bounds::MAX_THRESHOLD_CUT_BPS
                    && (self.threshold_cut_ts == 0
                        || now.saturating_sub(self.threshold_cut_ts)
                            >= bounds::THRESHOLD_CUT_INTERVAL_SECS),
                SluiceError::ThresholdCutTooFast
            );
            self.threshold_cut_ts = now;
        }
        self.params = params;
        Ok(())
    }

    /// Books a bad debt of `shortfall` owed to this pool: the insurance buffer
    /// covers what its vault holds (`insurance_balance`), lenders absorb the
    /// rest. The covered tokens enter `available_liquidity` here; the caller
    /// moves them (`pay_bad_debt`). The debt itself is removed by the caller.
    pub fn book_bad_debt(&mut self, shortfall: u64, insurance_balance: u64) -> Result<BadDebt> {
        let covered = shortfall.min(insurance_balance);
        let socialized = shortfall - covered;
        self.available_liquidity = self.available_liquidity.safe_add(covered)?;
        self.total_bad_debt = self.total_bad_debt.saturating_add(shortfall);
        self.total_socialized = self.total_socialized.saturating_add(socialized);
        Ok(BadDebt {
            shortfall,
            covered,
            socialized,
        })
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
        if self.total_scaled_debt.get() == 0 {
            return Ok(Some(Accrual {
                interest: 0,
                to_insurance: 0,
                elapsed,
            }));
        }
        let before = self.total_debt(Rounding::Down)?;
        let util = utilization_wad(before, u128::from(self.available_liquidity))?;
        let rate = self.params.rates.model().borrow_rate_wad(util)?;
        self.borrow_index
            .set(accrue_index(self.borrow_index.get(), rate, elapsed)?);
        let after = self.total_debt(Rounding::Down)?;
        let interest = checked_sub(after, before)?;
        let to_insurance = to_u64(reserve_share(
            interest,
            self.params.rates.reserve_factor_bps,
        )?)?;
        self.pending_insurance = self.pending_insurance.safe_add(to_insurance)?;
        Ok(Some(Accrual {
            interest: to_u64(interest)?,
            to_insurance,
            elapsed,
        }))
    }

    /// Accepts a checked oracle price published at `publish_time`, read in
    /// `slot`. The TWAP only moves when the publish time strictly increases:
    /// the previous price is credited with the seconds it stood, so replaying
    /// one update (however often, in however many slots) adds nothing.
    /// Returns whether the update was new.
    pub fn record_price(
        &mut self,
        spot: u128,
        ema: u128,
        publish_time: i64,
        slot: u64,
    ) -> Result<bool> {
        require!(
            publish_time >= self.price_publish_time,
            SluiceError::OraclePublishTimeWentBackwards
        );
        let is_new = publish_time > self.price_publish_time || self.twap_len == 0;
        if is_new {
            if self.twap_len > 0 {
                let dt = u64::try_from(publish_time - self.price_publish_time)
                    .map_err(|_| SluiceError::MathOverflow)?;
                self.twap_cumulative.set(twap::accumulate(
                    self.twap_cumulative.get(),
                    self.spot_price_wad.get(),
                    dt,
                ));
            }
            self.push_observation(publish_time);
        }
        self.spot_price_wad.set(spot);
        self.ema_price_wad.set(ema);
        self.price_publish_time = publish_time;
        self.price_slot = slot;
        let (twap, range) = self.twap_and_guard()?;
        let smoothed = twap.unwrap_or(if ema > 0 { ema } else { spot });
        self.twap_price_wad.set(smoothed);
        if self.params.oracle.guard_window_secs > 0 {
            let (high, low) = range.unwrap_or((smoothed, smoothed));
            self.guard_high_wad.set(high);
            self.guard_low_wad.set(low);
        }
        Ok(is_new)
    }

    /// The TWAP and, with a guard window, the guard's (high, low), from one
    /// copy of the ring (768 bytes, in a frame of its own, not the
    /// instruction's).
    #[inline(never)]
    fn twap_and_guard(&self) -> Result<(Option<u128>, Option<GuardRange>)> {
        let (obs, len) = self.observations();
        let latest = Observation {
            time: self.price_publish_time,
            cumulative: self.twap_cumulative.get(),
        };
        let history = &obs[..len];
        let avg = twap::twap(
            history,
            latest,
            u64::from(self.params.oracle.twap_window_secs),
        )?;
        let window = u64::from(self.params.oracle.guard_window_secs);
        let range = if window > 0 {
            twap::recent_range(history, latest, window)?
        } else {
            None
        };
        Ok((avg, range))
    }

    /// The liquidation guard's (high, low): the prices a liquidation values
    /// collateral above and debt below. The TWAP twice when the pool has no
    /// guard window (or before its first refresh with one).
    pub fn guard_prices(&self) -> (u128, u128) {
        let (high, low) = (self.guard_high_wad.get(), self.guard_low_wad.get());
        if self.params.oracle.guard_window_secs == 0 || high == 0 || low == 0 {
            let smoothed = self.smoothed_price();
            return (smoothed, smoothed);
        }
        (high, low)
    }

    /// Stores (publish time, cumulative) in the ring when the newest entry
    /// is at least the spacing old, so 32 entries always span the window.
    fn push_observation(&mut self, publish_time: i64) {
        let cap = TWAP_CAPACITY as u8;
        let spacing = twap::spacing(
            u64::from(self.params.oracle.twap_window_secs),
            TWAP_CAPACITY,
        );
        if self.twap_len > 0 {
            let last = usize::from((self.twap_head + cap - 1) % cap);
            let age = publish_time.saturating_sub(self.twap[last].publish_time);
            if u64::try_from(age).unwrap_or(0) < spacing {
                return;
            }
        }
        let head = usize::from(self.twap_head % cap);
        self.twap[head] = TwapObservation {
            publish_time,
            cumulative: self.twap_cumulative,
        };
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
                time: t.publish_time,
                cumulative: t.cumulative.get(),
            };
        }
        (out, len)
    }

    /// The smoothed price, as computed by the last `refresh_price`.
    pub fn smoothed_price(&self) -> u128 {
        self.twap_price_wad.get()
    }

    /// Fails unless `refresh_price` ran for this pool in the current slot.
    pub fn require_fresh_price(&self, slot: u64) -> Result<()> {
        require!(
            self.price_slot == slot && self.spot_price_wad.get() > 0,
            SluiceError::PriceNotRefreshed
        );
        Ok(())
    }

    /// Spot price of one base unit of this pool's token in base units of
    /// `debt`'s token (WAD), rounded up: an auction's reference price.
    pub fn price_ratio_wad(&self, debt: &Pool) -> Result<u128> {
        Ok(crate::math::fixed::mul_div(
            self.spot_price_wad.get(),
            WAD,
            debt.spot_price_wad.get(),
            Rounding::Up,
        )?)
    }

    /// One unit of this pool's token in units of `debt`'s token at the
    /// higher of this pool's spot and TWAP (WAD, rounded up): the price the
    /// protocol sells at, or values a holding at for someone entering it.
    pub fn high_ratio_wad(&self, debt: &Pool) -> Result<u128> {
        let spot = self.spot_price_wad.get();
        Ok(crate::math::fixed::mul_div(
            spot.max(self.smoothed_price()),
            WAD,
            debt.spot_price_wad.get(),
            Rounding::Up,
        )?)
    }

    /// Collateral that may still be seized in `slot`: the per-slot cap
    /// (governance cap, and the depth cap when sources are registered)
    /// times the seizure window, less what seizures and buffer sales still
    /// count against it (see [`Self::seize_backlog`]).
    pub fn sell_room(&self, depth_cap: Option<u64>, slot: u64) -> u64 {
        self.slot_cap(depth_cap)
            .saturating_mul(self.seize_window())
            .saturating_sub(self.seize_backlog(depth_cap, slot))
    }

    /// The per-slot limit on forced flows: the governance cap, and the depth
    /// cap when there is one.
    fn slot_cap(&self, depth_cap: Option<u64>) -> u64 {
        let cap = self.params.liquidation.sell_cap_per_slot;
        depth_cap.map_or(cap, |d| self.trend_scaled(d).min(cap))
    }

    /// A depth cap with the depth-trend rule's share applied (rounded
    /// down); the cap itself when the rule is off or holds nothing.
    fn trend_scaled(&self, depth_cap: u64) -> u64 {
        if !self.adaptive.is_on(rule::CAP) {
            return depth_cap;
        }
        let scale = Adapted::bps(self.adapted.cap_scale, 10_000).min(10_000);
        (u128::from(depth_cap) * u128::from(scale) / 10_000) as u64
    }

    /// [`Self::sell_room`], or 0 when what is left is worth less than the
    /// smallest lot ([`MIN_AUCTION_REMAINDER_USD`] at spot): a capped
    /// liquidation leaves a few units of rounding, which count as used up.
    pub fn usable_sell_room(&self, depth_cap: Option<u64>, slot: u64) -> Result<u64> {
        let room = self.sell_room(depth_cap, slot);
        let value =
            crate::math::price::value_wad(room.into(), self.spot_price_wad.get(), Rounding::Down)?;
        let min = u128::from(crate::constants::MIN_AUCTION_REMAINDER_USD).saturating_mul(WAD);
        Ok(if value < min { 0 } else { room })
    }

    pub fn initial_index() -> u128 {
        WAD
    }
}
