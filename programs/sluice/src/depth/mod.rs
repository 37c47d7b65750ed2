//! On-chain liquidity readers -> the largest collateral sale a pool's
//! registered sources absorb within its slippage bound (the depth cap).
//!
//! A liquidation passes the registered source accounts first in its remaining
//! accounts, in registration order (2 for a constant-product pair, 1 for a
//! Whirlpool, 2 for an OpenBook v2 market and its bids). Each must be exactly the registered key, owned by the right
//! program and of the right mints; anything else is a named error.
use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;

pub mod openbook;

use crate::constants::*;
use crate::errors::SluiceError;
use crate::math::depth::{clmm_max_sell, constant_product_max_sell};
use crate::state::{DepthKind, DepthSource, Pool};

/// Reserves of an SPL token account (owner and mint checked).
fn token_reserve(info: &AccountInfo, mint: Option<&Pubkey>) -> Result<(Pubkey, u64)> {
    require_keys_eq!(
        *info.owner,
        anchor_spl::token::ID,
        SluiceError::DepthAccountInvalid
    );
    let data = info.try_borrow_data()?;
    let acc = TokenAccount::try_deserialize(&mut &data[..])
        .map_err(|_| error!(SluiceError::DepthAccountInvalid))?;
    if let Some(m) = mint {
        require_keys_eq!(acc.mint, *m, SluiceError::DepthAccountInvalid);
    }
    Ok((acc.mint, acc.amount))
}

fn read_u128(data: &[u8], at: usize) -> Result<u128> {
    let bytes: [u8; 16] = data
        .get(at..at + 16)
        .and_then(|b| b.try_into().ok())
        .ok_or(SluiceError::DepthAccountInvalid)?;
    Ok(u128::from_le_bytes(bytes))
}

fn read_pubkey(data: &[u8], at: usize) -> Result<Pubkey> {
    let bytes: [u8; 32] = data
        .get(at..at + 32)
        .and_then(|b| b.try_into().ok())
        .ok_or(SluiceError::DepthAccountInvalid)?;
    Ok(Pubkey::new_from_array(bytes))
}

/// Whirlpool layout offsets (Anchor account, 653 bytes).
mod wp {
    pub const LIQUIDITY: usize = 49;
    pub const SQRT_PRICE: usize = 65;
    pub const MINT_A: usize = 101;
    pub const MINT_B: usize = 181;
}

/// (liquidity, sqrt_price_x64, mint_a, mint_b) of a Whirlpool account.
pub fn read_whirlpool(info: &AccountInfo) -> Result<(u128, u128, Pubkey, Pubkey)> {
    require_keys_eq!(
        *info.owner,
        WHIRLPOOL_PROGRAM_ID,
        SluiceError::DepthAccountInvalid
    );
    let data = info.try_borrow_data()?;
    require!(
        data.len() >= WHIRLPOOL_ACCOUNT_LEN && data[..8] == WHIRLPOOL_DISCRIMINATOR,
        SluiceError::DepthAccountInvalid
    );
    Ok((
        read_u128(&data, wp::LIQUIDITY)?,
        read_u128(&data, wp::SQRT_PRICE)?,
        read_pubkey(&data, wp::MINT_A)?,
        read_pubkey(&data, wp::MINT_B)?,
    ))
}

/// Checks that `accounts` are exactly `source`'s registered accounts, in
/// registration order: every kind's substitution check, in one place.
#[inline(always)]
fn require_registered(source: &DepthSource, accounts: &[AccountInfo]) -> Result<()> {
    require!(
        accounts.len() == source.account_count(),
        SluiceError::MissingDepthAccount
    );
    for (account, key) in accounts.iter().zip([source.account_a, source.account_b]) {
        require_keys_eq!(account.key(), key, SluiceError::DepthAccountMismatch);
    }
    Ok(())
}

/// An OpenBook v2 market and its bids, checked: both owned by OpenBook v2,
/// the market's base mint `mint`, the bids account the market's (the bids'
/// layout is checked where they are read). Returns the market's lot sizes
/// and expiry.
fn read_openbook(
    market: &AccountInfo,
    bids: &AccountInfo,
    mint: &Pubkey,
) -> Result<openbook::MarketInfo> {
    require!(
        *market.owner == OPENBOOK_V2_PROGRAM_ID && *bids.owner == OPENBOOK_V2_PROGRAM_ID,
        SluiceError::DepthAccountInvalid
    );
    let info = openbook::read_market(&market.try_borrow_data()?)
        .map_err(|_| error!(SluiceError::DepthAccountInvalid))?;
    require!(
        info.base_mint == mint.to_bytes() && info.bids == bids.key().to_bytes(),
        SluiceError::DepthAccountInvalid
    );
    Ok(info)
}

/// Checks a source's accounts when governance registers it.
pub fn validate_source(
    source: &DepthSource,
    accounts: &[AccountInfo],
    mint: &Pubkey,
) -> Result<()> {
    let kind = source.kind()?;
    require_registered(source, accounts)?;
    match kind {
        DepthKind::None => Ok(()),
        DepthKind::ConstantProduct => {
            let [a, b] = accounts else {
                return err!(SluiceError::MissingDepthAccount);
            };
            token_reserve(a, Some(mint))?;
            let (other, _) = token_reserve(b, None)?;
            require_keys_neq!(other, *mint, SluiceError::DepthAccountInvalid);
            Ok(())
        }
        DepthKind::Whirlpool => {
            let [w] = accounts else {
                return err!(SluiceError::MissingDepthAccount);
            };
            let (_, _, a, b) = read_whirlpool(w)?;
            require!(a == *mint || b == *mint, SluiceError::DepthAccountInvalid);
            Ok(())
        }
        DepthKind::OpenBookV2 => {
            let [m, b] = accounts else {
                return err!(SluiceError::MissingDepthAccount);
            };
            read_openbook(m, b, mint)?;
            openbook::check_bids(&b.try_borrow_data()?)
                .map_err(|_| error!(SluiceError::DepthAccountInvalid))?;
            Ok(())
        }
    }
}

/// The depth cap a liquidation in `slot` may use, and how many accounts it
/// consumed: the lower of the depth observed in earlier slots
/// ([`Pool::observed_depth`]) and the depth read now. The live reading is
/// recorded for later slots; in this one it can only lower the cap, so a
/// swap or just-in-time liquidity inside the liquidating transaction cannot
/// raise it. `None` when no source is registered.
pub fn liquidation_depth(
    pool: &mut Pool,
    accounts: &[AccountInfo],
    slot: u64,
) -> Result<(Option<DepthReading>, usize)> {
    let (live, used) = live_depth(pool, accounts)?;
    let Some(live) = live else {
        return Ok((None, used));
    };
    let observed = pool
        .observed_depth(slot)
        .ok_or(SluiceError::DepthNotObserved)?;
    pool.observe_depth(slot, live);
    let reading = DepthReading {
        live,
        cap: observed.min(live),
    };
    Ok((Some(reading), used))
}

/// A liquidation's depth: what the sources absorb now, and the cap it uses.
#[derive(Clone, Copy, Debug)]
pub struct DepthReading {
    pub live: u64,
    pub cap: u64,
}

/// The depth of `pool`'s collateral read now: the sum over its registered
/// sources of the largest sale within `max_slippage_bps`; `None` when no
/// source is registered. `accounts` begins with the sources' accounts in
/// order; returns the depth and how many accounts were consumed.
pub fn live_depth(pool: &Pool, accounts: &[AccountInfo]) -> Result<(Option<u64>, usize)> {
    let slippage = pool.params.liquidation.max_slippage_bps;
    let mut total: Option<u64> = None;
    let mut used = 0usize;
    for source in pool.depth_sources.iter() {
        let n = source.account_count();
        if n == 0 {
            continue;
        }
        let accs = accounts
            .get(used..used + n)
            .ok_or(SluiceError::MissingDepthAccount)?;
        used += n;
        let kind = source.kind()?;
        require_registered(source, accs)?;
        let cap = match kind {
            DepthKind::None => 0,
            DepthKind::ConstantProduct => {
                let (_, reserve) = token_reserve(&accs[0], Some(&pool.mint))?;
                token_reserve(&accs[1], None)?;
                constant_product_max_sell(reserve, slippage)?
            }
            DepthKind::Whirlpool => {
                let (liquidity, sqrt_price, mint_a, mint_b) = read_whirlpool(&accs[0])?;
                let sell_a = if mint_a == pool.mint {
                    true
                } else {
                    require_keys_eq!(mint_b, pool.mint, SluiceError::DepthAccountInvalid);
                    false
                };
                clmm_max_sell(liquidity, sqrt_price, sell_a, slippage)?
            }
            DepthKind::OpenBookV2 => {
                let info = read_openbook(&accs[0], &accs[1], &pool.mint)?;
                let now = Clock::get()?.unix_timestamp;
                if info.time_expiry != 0 && info.time_expiry < now {
                    0
                } else {
                    let lots = openbook::bid_lots_within(
                        &accs[1].try_borrow_data()?,
                        slippage,
                        u64::try_from(now).unwrap_or(0),
                    )
                    .map_err(|_| error!(SluiceError::DepthAccountInvalid))?;
                    lots.saturating_mul(info.base_lot_size)
                }
            }
        };
        total = Some(total.unwrap_or(0).saturating_add(cap));
    }
    Ok((total, used))
}
