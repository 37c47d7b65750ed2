use anchor_lang::prelude::*;

use crate::state::{AdaptiveParams, BufferParams, MarketParams, PoolParams};

/// The first field of every event about a position: which market, which
/// position, and who signed the instruction (owner, payer, keeper or taker).
/// An indexer follows a position or an actor across every event kind by it.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventHeader {
    pub market: Pubkey,
    pub position: Pubkey,
    pub signer: Pubkey,
}

impl EventHeader {
    pub fn new(market: Pubkey, position: Pubkey, signer: Pubkey) -> Self {
        Self {
            market,
            position,
            signer,
        }
    }
}

#[event]
pub struct MarketInitialized {
    pub market: Pubkey,
    pub authority: Pubkey,
}

#[event]
pub struct PoolInitialized {
    pub market: Pubkey,
    pub pool: Pubkey,
    pub mint: Pubkey,
    pub oracle_kind: u8,
}

#[event]
pub struct Deposited {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct Withdrawn {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct PositionOpened {
    pub header: EventHeader,
}

#[event]
pub struct PositionClosed {
    pub header: EventHeader,
}

#[event]
pub struct CollateralDeposited {
    pub header: EventHeader,
    pub pool: Pubkey,
    pub amount: u64,
}

#[event]
pub struct CollateralWithdrawn {
    pub header: EventHeader,
    pub pool: Pubkey,
    pub amount: u64,
    pub health_factor_wad: u128,
}

#[event]
pub struct Borrowed {
    pub header: EventHeader,
    pub pool: Pubkey,
    pub amount: u64,
    pub scaled_debt: u128,
    pub health_factor_wad: u128,
}

#[event]
pub struct Repaid {
    pub header: EventHeader,
    pub pool: Pubkey,
    pub amount: u64,
    pub scaled_debt_retired: u128,
}

#[event]
pub struct InterestAccrued {
    pub pool: Pubkey,
    pub borrow_index: u128,
    pub interest: u64,
    pub to_insurance: u64,
    pub elapsed_secs: u64,
}

#[event]
pub struct InsuranceFunded {
    pub pool: Pubkey,
    pub insurance: Pubkey,
    pub amount: u64,
}

#[event]
pub struct PriceRefreshed {
    pub pool: Pubkey,
    pub spot_price_wad: u128,
    pub smoothed_price_wad: u128,
    pub ema_price_wad: u128,
    pub publish_time: i64,
    pub slot: u64,
    /// The liquidation guard's (high, low) after this refresh.
    pub guard_high_wad: u128,
    pub guard_low_wad: u128,
}

/// The pool's market measures after a refresh (issue 15).
#[event]
pub struct RiskObserved {
    pub pool: Pubkey,
    /// Realized variance of log returns per second (WAD).
    pub var_per_sec_wad: u128,
    /// Mean collateral the venues absorb at the slippage bound.
    pub depth_trend: u64,
    /// Mean milliseconds per slot (0 until a 10 s sample).
    pub ms_per_slot: u64,
}

/// The adaptive rules' parameters in force after a refresh (emitted while
/// any rule is on).
#[event]
pub struct RiskAdapted {
    pub pool: Pubkey,
    pub ltv_bps: u16,
    pub liquidation_threshold_bps: u16,
    pub liquidation_bonus_bps: u16,
    pub start_buffer_bps: u16,
    pub step_bps: u16,
    pub duration_slots: u32,
    pub time_limit_slots: u32,
    /// Share of the depth cap the depth-trend rule keeps.
    pub cap_scale_bps: u16,
}

#[event]
pub struct AdaptiveParamsUpdated {
    pub pool: Pubkey,
    pub params: AdaptiveParams,
}

#[event]
pub struct PoolParamsUpdated {
    pub pool: Pubkey,
    pub params: PoolParams,
}

#[event]
pub struct MarketParamsUpdated {
    pub market: Pubkey,
    pub params: MarketParams,
}

#[event]
pub struct AuthorityProposed {
    pub market: Pubkey,
    pub current: Pubkey,
    pub proposed: Pubkey,
}

#[event]
pub struct AuthorityAccepted {
    pub market: Pubkey,
    pub previous: Pubkey,
    pub authority: Pubkey,
}

#[event]
pub struct DepthSourcesUpdated {
    pub pool: Pubkey,
    pub kinds: [u8; 2],
    /// Depth read at registration: the liquidation cap's first estimate.
    pub depth: u64,
}

/// Depth read live from a pool's registered sources. It becomes the
/// liquidation cap's source only from the next slot, rise-limited.
#[event]
pub struct DepthObserved {
    pub pool: Pubkey,
    pub slot: u64,
    /// Collateral units the sources absorb within the slippage bound, now.
    pub live: u64,
    /// Depth the next slot's liquidations may rely on.
    pub next_slot_estimate: u64,
}

#[event]
pub struct Liquidated {
    pub header: EventHeader,
    pub collateral_pool: Pubkey,
    pub debt_pool: Pubkey,
    /// Debt taken off the position (debt base units).
    pub debt_retired: u64,
    /// Collateral put in the auction (auction mode) or given to the liquidator (instant).
    pub collateral_seized: u64,
    pub keeper_reward: u64,
    pub toxic: bool,
    pub capped: bool,
    /// Cap left in this slot before this liquidation.
    pub cap_remaining: u64,
    pub health_before_wad: u128,
    pub health_after_wad: u128,
    pub instant: bool,
}

#[event]
pub struct AuctionStarted {
    pub header: EventHeader,
    pub auction: Pubkey,
    pub extended: bool,
    pub lot: u64,
    pub debt_to_raise: u64,
    pub penalty_to_raise: u64,
    pub start_price_wad: u128,
    pub floor_price_wad: u128,
    pub decay_start_slot: u64,
    pub expires_slot: u64,
}

#[event]
pub struct AuctionTaken {
    pub header: EventHeader,
    pub auction: Pubkey,
    pub amount: u64,
    pub price_wad: u128,
    pub paid: u64,
    pub to_debt: u64,
    pub to_insurance: u64,
}

#[event]
pub struct AuctionRedone {
    pub header: EventHeader,
    pub auction: Pubkey,
    pub tip: u64,
    pub start_price_wad: u128,
    pub decay_start_slot: u64,
    pub expires_slot: u64,
}

#[event]
pub struct AuctionSettled {
    pub header: EventHeader,
    pub auction: Pubkey,
    /// Unsold collateral returned to the position (the tab was raised).
    pub collateral_returned: u64,
    /// Debt the sold-out lot did not raise, returned to the position.
    pub debt_returned: u64,
}

#[event]
pub struct BadDebtCovered {
    pub header: EventHeader,
    pub pool: Pubkey,
    pub shortfall: u64,
    pub from_insurance: u64,
}

#[event]
pub struct BadDebtSocialized {
    pub header: EventHeader,
    pub pool: Pubkey,
    /// Lost by the pool's lenders: the share price falls by this over total shares.
    pub amount: u64,
}

#[event]
pub struct BufferInitialized {
    pub buffer: Pubkey,
    pub collateral_pool: Pubkey,
    pub debt_pool: Pubkey,
    pub params: BufferParams,
}

#[event]
pub struct BufferParamsUpdated {
    pub buffer: Pubkey,
    pub old: BufferParams,
    pub new: BufferParams,
}

#[event]
pub struct BufferDeposited {
    pub buffer: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    /// Share price recorded for the deposit (WAD debt units per share).
    pub price_wad: u128,
    /// First slot the deposit may be activated.
    pub active_from_slot: u64,
}

#[event]
pub struct BufferStakeActivated {
    pub buffer: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct BufferWithdrawalRequested {
    pub buffer: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
    pub ready_slot: u64,
}

#[event]
pub struct BufferWithdrawn {
    pub buffer: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
    pub debt: u64,
    pub collateral: u64,
}

#[event]
pub struct Absorbed {
    pub header: EventHeader,
    pub buffer: Pubkey,
    /// Debt retired from the position, paid by the buffer.
    pub debt_repaid: u64,
    /// Collateral the buffer took, and the keeper's incentive.
    pub collateral_taken: u64,
    pub keeper_reward: u64,
    /// Debt units the buffer paid per collateral unit (WAD), and the
    /// conservative price it is bounded by.
    pub unit_cost_wad: u128,
    pub conservative_price_wad: u128,
    pub toxic: bool,
    pub health_before_wad: u128,
    pub health_after_wad: u128,
}

#[event]
pub struct BufferSold {
    pub buffer: Pubkey,
    pub buyer: Pubkey,
    pub amount: u64,
    pub price_wad: u128,
    pub paid: u64,
    /// Seizable collateral left in this slot's cap after the sale.
    pub cap_remaining: u64,
}
