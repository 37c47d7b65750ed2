//! Seeds, sizes and the hard bounds governance cannot leave.
use anchor_lang::prelude::*;

pub const MARKET_VERSION: u8 = 1;
pub const POOL_VERSION: u8 = 1;
pub const POSITION_VERSION: u8 = 1;

pub const POOL_SEED: &[u8] = b"pool";
pub const VAULT_SEED: &[u8] = b"vault";
pub const SHARE_MINT_SEED: &[u8] = b"shares";
pub const INSURANCE_SEED: &[u8] = b"insurance";
pub const INSURANCE_VAULT_SEED: &[u8] = b"insurance_vault";
pub const POSITION_SEED: &[u8] = b"position";
pub const AUCTION_SEED: &[u8] = b"auction";
pub const AUCTION_VERSION: u8 = 1;
pub const BUFFER_SEED: &[u8] = b"buffer";
pub const BUFFER_DEBT_VAULT_SEED: &[u8] = b"buffer_debt";
pub const BUFFER_COLLATERAL_VAULT_SEED: &[u8] = b"buffer_collateral";
/// Anchor's event-CPI authority (the `#[event_cpi]` accounts): signs the
/// self-CPI that carries liquidation and bad-debt events.
pub const EVENT_AUTHORITY_SEED: &[u8] = b"__event_authority";
pub const BUFFER_STAKE_SEED: &[u8] = b"buffer_stake";
pub const BUFFER_VERSION: u8 = 1;

/// Depth sources a pool may register.
pub const MAX_DEPTH_SOURCES: usize = 2;
/// How fast the depth estimate may rise per slot that observed depth (5%):
/// a 5x inflation needs 33 slots of uncontested observations, and any
/// honest observation brings it down at once.
pub const DEPTH_RISE_BPS_PER_SLOT: u16 = 500;
/// Orca Whirlpool program (owner of Whirlpool accounts).
pub const WHIRLPOOL_PROGRAM_ID: Pubkey = pubkey!("whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc");
/// Anchor discriminator of the Whirlpool account: sha256("account:Whirlpool")[..8].
pub const WHIRLPOOL_DISCRIMINATOR: [u8; 8] = [63, 149, 209, 12, 225, 128, 99, 9];
pub const WHIRLPOOL_ACCOUNT_LEN: usize = 653;
/// OpenBook v2 (`openbook-dex/openbook-v2`, `declare_id!` in its lib.rs).
pub const OPENBOOK_V2_PROGRAM_ID: Pubkey = pubkey!("opnb2LAfJYbRMAHHvqjCwQxanZn7ReEHp1k81EohpZb");
/// SlotHashes sysvar (auction start jitter).
pub const SLOT_HASHES_ID: Pubkey = pubkey!("SysvarS1otHashes111111111111111111111111111");

/// Collateral and debt entries per position.
pub const MAX_COLLATERAL_ENTRIES: usize = 4;
pub const MAX_DEBT_ENTRIES: usize = 4;
/// Observations kept in each pool's TWAP ring buffer. Observations are
/// spaced at least window / (capacity - 1) apart, so the ring always spans
/// the configured window.
pub const TWAP_CAPACITY: usize = 32;

/// Pyth legacy (push) oracle program on mainnet-beta.
pub const PYTH_LEGACY_PROGRAM_ID: Pubkey = pubkey!("FsJ3A3u2vn5cTVofAjvy6y5kwABJAqYWpe4975bi2epH");
/// Pyth Solana Receiver program (owner of PriceUpdateV2 accounts).
pub const PYTH_RECEIVER_PROGRAM_ID: Pubkey = pyth_solana_receiver_sdk::ID;

/// Redo tips over an auction's life are capped at this share of its lot.
pub const MAX_REDO_TIPS_PER_AUCTION_BPS: u16 = 100;
/// A partial take must leave a lot worth at least this (whole USD at the
/// seizure price), so a dust remainder cannot keep an auction alive.
pub const MIN_AUCTION_REMAINDER_USD: u64 = 10;

/// Pause flags (Market::pause_flags bits).
pub const PAUSE_DEPOSITS: u8 = 1 << 0;
pub const PAUSE_WITHDRAWALS: u8 = 1 << 1;
pub const PAUSE_BORROWS: u8 = 1 << 2;
pub const PAUSE_LIQUIDATIONS: u8 = 1 << 3;
pub const PAUSE_ALL: u8 = PAUSE_DEPOSITS | PAUSE_WITHDRAWALS | PAUSE_BORROWS | PAUSE_LIQUIDATIONS;

/// Hard bounds on pool parameters (basis points unless named otherwise).
pub mod bounds {
    pub const MAX_DECIMALS: u8 = 18;
    pub const MAX_LTV_BPS: u16 = 9_000;
    pub const MAX_LIQUIDATION_THRESHOLD_BPS: u16 = 9_500;
    pub const MAX_LIQUIDATION_BONUS_BPS: u16 = 2_500;
    pub const MAX_BASE_RATE_BPS: u32 = 10_000;
    pub const MIN_OPTIMAL_UTILIZATION_BPS: u32 = 100;
    pub const MAX_OPTIMAL_UTILIZATION_BPS: u32 = 9_900;
    pub const MAX_SLOPE1_BPS: u32 = 20_000;
    pub const MAX_SLOPE2_BPS: u32 = 100_000;
    pub const MAX_RESERVE_FACTOR_BPS: u16 = 5_000;
    pub const MIN_ORACLE_MAX_AGE_SECS: u32 = 1;
    pub const MAX_ORACLE_MAX_AGE_SECS: u32 = 600;
    pub const MIN_ORACLE_CONF_BPS: u16 = 1;
    pub const MAX_ORACLE_CONF_BPS: u16 = 1_000;
    /// Wormhole guardian set size: a partial-verification minimum above it is meaningless.
    pub const MAX_MIN_SIGNATURES: u8 = 19;
    /// TWAP window in seconds of publish time: 1 s to one day.
    pub const MIN_TWAP_WINDOW_SECS: u32 = 1;
    pub const MAX_TWAP_WINDOW_SECS: u32 = 86_400;
    pub const MIN_TWAP_DIVERGENCE_BPS: u16 = 1;
    pub const MAX_TWAP_DIVERGENCE_BPS: u16 = 5_000;
    /// Keeper incentive (collateral paid to whoever triggers a liquidation).
    pub const MAX_KEEPER_INCENTIVE_BPS: u16 = 200;
    /// Seizure window: at most 25 slots (10 s) of cap seized at once.
    pub const MAX_SEIZE_WINDOW_SLOTS: u8 = 25;
    /// Sale pacing: a backlog spread over at most 60 slots (24 s).
    pub const MAX_SALE_PACE_SLOTS: u8 = 60;
    pub const MIN_TARGET_HEALTH_BPS: u16 = 10_000;
    pub const MAX_TARGET_HEALTH_BPS: u16 = 15_000;
    pub const MIN_DEPTH_SLIPPAGE_BPS: u16 = 1;
    pub const MAX_DEPTH_SLIPPAGE_BPS: u16 = 5_000;
    pub const MAX_AUCTION_START_BUFFER_BPS: u16 = 5_000;
    pub const MIN_AUCTION_FLOOR_BPS: u16 = 1_000;
    pub const MAX_AUCTION_FLOOR_BPS: u16 = 10_000;
    pub const MAX_AUCTION_DURATION_SLOTS: u32 = 216_000;
    pub const MAX_AUCTION_STEP_BPS: u16 = 5_000;
    pub const MAX_AUCTION_JITTER_SLOTS: u16 = 150;
    pub const MAX_REDO_TIP_BPS: u16 = 100;
    /// Governance may lower a pool's liquidation threshold by at most this
    /// much per update, and at most once per `THRESHOLD_CUT_INTERVAL_SECS`:
    /// no single action can make every position liquidatable at once.
    pub const MAX_THRESHOLD_CUT_BPS: u16 = 500;
    pub const THRESHOLD_CUT_INTERVAL_SECS: i64 = 86_400;
    /// Adaptive rules (issue 15): hourly limits of 0.1 bp to 200% an hour.
    pub const MIN_ADAPT_BPS_PER_HOUR: u16 = 10;
    pub const MAX_ADAPT_BPS_PER_HOUR: u16 = 20_000;
    /// Reference volatility, bps per sqrt(hour): 0.01% to 50%.
    pub const MIN_REF_VOL_HOURLY_BPS: u16 = 1;
    pub const MAX_REF_VOL_HOURLY_BPS: u16 = 5_000;
    /// The adaptive threshold drifts at most 10% under the static one, at
    /// most 1% an hour (governance's own cut: 5% a day).
    pub const MAX_ADAPTIVE_THRESHOLD_DROP_BPS: u16 = 1_000;
    pub const MAX_THRESHOLD_DRIFT_BPS_PER_HOUR: u16 = 100;
    /// An auction's decay speeds up at most 4x with volatility.
    pub const MAX_DECAY_SPEEDUP_BPS: u16 = 40_000;
    /// The depth-trend rule keeps at least 10% of the depth cap.
    pub const MIN_ADAPTIVE_CAP_FLOOR_BPS: u16 = 1_000;
    /// Nominal slot time 100 ms to 1 s; slot stretch honoured up to 4x.
    pub const MIN_NOMINAL_MS_PER_SLOT: u16 = 100;
    pub const MAX_NOMINAL_MS_PER_SLOT: u16 = 1_000;
    pub const MAX_SLOT_STRETCH_BPS: u16 = 40_000;
    /// Buffer pool: its absorb discount is also capped by the collateral
    /// pool's liquidation bonus at the time of each absorb.
    pub const MAX_BUFFER_ABSORB_DISCOUNT_BPS: u16 = 2_000;
    pub const MAX_BUFFER_SALE_DISCOUNT_BPS: u16 = 2_000;
    pub const MIN_BUFFER_SALE_FLOOR_BPS: u16 = 5_000;
    /// A deposit waits at least 10 slots (4 s) and at most a day.
    pub const MIN_BUFFER_ACTIVATION_DELAY_SLOTS: u32 = 10;
    pub const MAX_BUFFER_ACTIVATION_DELAY_SLOTS: u32 = 216_000;
    /// A withdrawal waits at least 10 slots and at most a week.
    pub const MIN_BUFFER_COOLDOWN_SLOTS: u32 = 10;
    pub const MAX_BUFFER_COOLDOWN_SLOTS: u32 = 1_512_000;
}
