//! Program-derived addresses, from the seeds in `sluice::constants`.
use anchor_lang::prelude::Pubkey;
use sluice::constants::*;

fn pda(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &sluice::ID).0
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
    pda(&[EVENT_AUTHORITY_SEED])
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_authority_is_the_one_the_program_signs_with() {
        assert_eq!(super::event_authority(), sluice::EVENT_AUTHORITY_AND_BUMP.0);
    }
}
