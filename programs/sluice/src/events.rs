use anchor_lang::prelude::*;

use crate::state::{MarketParams, PoolParams};

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
    pub market: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
}

#[event]
pub struct PositionClosed {
    pub position: Pubkey,
    pub owner: Pubkey,
}

#[event]
pub struct CollateralDeposited {
    pub position: Pubkey,
    pub pool: Pubkey,
    pub amount: u64,
}

#[event]
pub struct CollateralWithdrawn {
    pub position: Pubkey,
    pub pool: Pubkey,
    pub amount: u64,
    pub health_factor_wad: u128,
}

#[event]
pub struct Borrowed {
    pub position: Pubkey,
    pub pool: Pubkey,
    pub amount: u64,
    pub scaled_debt: u128,
    pub health_factor_wad: u128,
}

#[event]
pub struct Repaid {
    pub position: Pubkey,
    pub pool: Pubkey,
    pub payer: Pubkey,
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
