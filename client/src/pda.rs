//! Program-derived addresses, from the seeds in `sluice::constants`.
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use anchor_lang::prelude::Pubkey;
use sluice::constants::*;

/// Finds the address of `seeds`, memoized: a derivation costs a hash and a
/// curve check per bump tried (tens of microseconds), and a keeper or the
/// simulator derives the same few addresses per position on every pass
/// (a profile of the default crash spent 18% of its time here). One entry
/// per distinct address asked for.
fn pda(seeds: &[&[u8]]) -> Pubkey {
    static CACHE: OnceLock<Mutex<HashMap<Vec<u8>, Pubkey>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // each seed prefixed with its length (seeds are at most 32 bytes)
    let key: Vec<u8> = seeds
        .iter()
        .flat_map(|s| std::iter::once(s.len() as u8).chain(s.iter().copied()))
        .collect();
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(&key).copied()) {
        return found;
    }
    let found = Pubkey::find_program_address(seeds, &sluice::ID).0;
    if let Ok(mut c) = cache.lock() {
        c.insert(key, found);
    }
    found
}

/// The pool of `mint` in `market`.
pub fn pool(market: &Pubkey, mint: &Pubkey) -> Pubkey {
    pda(&[POOL_SEED, market.as_ref(), mint.as_ref()])
}

/// The pool's token vault (supply and collateral).
pub fn vault(pool: &Pubkey) -> Pubkey {
    pda(&[VAULT_SEED, pool.as_ref()])
}

/// The mint of the pool's lender shares.
pub fn share_mint(pool: &Pubkey) -> Pubkey {
    pda(&[SHARE_MINT_SEED, pool.as_ref()])
}

/// The pool's insurance buffer account and its token vault.
pub fn insurance(pool: &Pubkey) -> Pubkey {
    pda(&[INSURANCE_SEED, pool.as_ref()])
}

pub fn insurance_vault(pool: &Pubkey) -> Pubkey {
    pda(&[INSURANCE_VAULT_SEED, pool.as_ref()])
}

/// `owner`'s position in `market`.
pub fn position(market: &Pubkey, owner: &Pubkey) -> Pubkey {
    pda(&[POSITION_SEED, market.as_ref(), owner.as_ref()])
}

/// The auction of (position, collateral pool, debt pool).
pub fn auction(position: &Pubkey, collateral_pool: &Pubkey, debt_pool: &Pubkey) -> Pubkey {
    pda(&[
        AUCTION_SEED,
        position.as_ref(),
        collateral_pool.as_ref(),
        debt_pool.as_ref(),
    ])
}

/// The buffer pool of (collateral pool, debt pool) and its two vaults.
pub fn buffer(collateral_pool: &Pubkey, debt_pool: &Pubkey) -> Pubkey {
    pda(&[BUFFER_SEED, collateral_pool.as_ref(), debt_pool.as_ref()])
}

pub fn buffer_debt_vault(buffer: &Pubkey) -> Pubkey {
    pda(&[BUFFER_DEBT_VAULT_SEED, buffer.as_ref()])
}

pub fn buffer_collateral_vault(buffer: &Pubkey) -> Pubkey {
    pda(&[BUFFER_COLLATERAL_VAULT_SEED, buffer.as_ref()])
}

/// `owner`'s stake in `buffer`.
pub fn buffer_stake(buffer: &Pubkey, owner: &Pubkey) -> Pubkey {
    pda(&[BUFFER_STAKE_SEED, buffer.as_ref(), owner.as_ref()])
}

/// The program's event-CPI authority (`#[event_cpi]` instructions take it,
/// then the program itself, after their named accounts).
pub fn event_authority() -> Pubkey {
    sluice::EVENT_AUTHORITY_AND_BUMP.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_authority_is_the_one_the_program_signs_with() {
        assert_eq!(
            event_authority(),
            Pubkey::find_program_address(&[EVENT_AUTHORITY_SEED], &sluice::ID).0
        );
    }

    /// The memo answers what a fresh derivation would, asked twice, for
    /// every kind of address.
    #[test]
    fn memoized_addresses_are_the_derived_ones() {
        let fresh = |seeds: &[&[u8]]| Pubkey::find_program_address(seeds, &sluice::ID).0;
        let (a, b, c) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        for _ in 0..2 {
            assert_eq!(
                position(&a, &b),
                fresh(&[POSITION_SEED, a.as_ref(), b.as_ref()])
            );
            assert_eq!(
                position(&b, &a),
                fresh(&[POSITION_SEED, b.as_ref(), a.as_ref()])
            );
            assert_eq!(
                auction(&a, &b, &c),
                fresh(&[AUCTION_SEED, a.as_ref(), b.as_ref(), c.as_ref()])
            );
            assert_eq!(
                buffer(&a, &b),
                fresh(&[BUFFER_SEED, a.as_ref(), b.as_ref()])
            );
            assert_eq!(vault(&a), fresh(&[VAULT_SEED, a.as_ref()]));
        }
    }
}
