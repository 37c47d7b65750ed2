//! Pure instruction builders for keepers and users: every account explicit,
//! no cluster access, so the same code serves the in-process runtime and RPC.
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{InstructionData, ToAccountMetas};
use anchor_spl::token::spl_token;
use sluice::constants::*;
use sluice::state::{DepthKind, Pool};
use sluice_tests::PoolKeys;

fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: sluice::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn position_key(market: &Pubkey, owner: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[POSITION_SEED, market.as_ref(), owner.as_ref()],
        &sluice::ID,
    )
    .0
}

pub fn auction_key(position: &Pubkey, c: &Pubkey, d: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[AUCTION_SEED, position.as_ref(), c.as_ref(), d.as_ref()],
        &sluice::ID,
    )
    .0
}

pub fn refresh_price(k: &PoolKeys) -> Instruction {
    ix(
        sluice::accounts::RefreshPrice {
            pool: k.pool,
            oracle: k.oracle,
        },
        sluice::instruction::RefreshPrice {},
    )
}

/// refresh_price that also records the pool's depth (`depth`: its
/// [`depth_metas`]) for later slots' liquidation caps.
pub fn refresh_price_observing_depth(k: &PoolKeys, depth: Vec<AccountMeta>) -> Instruction {
    let mut i = refresh_price(k);
    i.accounts.extend(depth);
    i
}

/// Depth accounts of a collateral pool, in registration order.
pub fn depth_metas(pool: &Pool) -> Vec<AccountMeta> {
    depth_source_metas(&pool.depth_sources)
}

/// Accounts a liquidation passes for `sources`, in order.
pub fn depth_source_metas(sources: &[sluice::state::DepthSource]) -> Vec<AccountMeta> {
    let mut out = Vec::new();
    for s in sources.iter() {
        match DepthKind::from_u8(s.kind) {
            Some(DepthKind::ConstantProduct) => {
                out.push(AccountMeta::new_readonly(s.account_a, false));
                out.push(AccountMeta::new_readonly(s.account_b, false));
            }
            Some(DepthKind::Whirlpool) => out.push(AccountMeta::new_readonly(s.account_a, false)),
            _ => {}
        }
    }
    out
}

pub struct LiquidationAccounts<'a> {
    pub market: Pubkey,
    pub keeper: Pubkey,
    pub position: Pubkey,
    pub collateral: &'a PoolKeys,
    pub collateral_state: &'a Pool,
    pub debt: &'a PoolKeys,
    /// The keeper's token accounts for the collateral and debt mints.
    pub keeper_collateral: Pubkey,
    pub keeper_debt: Pubkey,
    /// The position's other pools.
    pub others: Vec<Pubkey>,
}

pub fn liquidate(a: &LiquidationAccounts) -> Instruction {
    let mut i = ix(
        sluice::accounts::Liquidate {
            keeper: a.keeper,
            market: a.market,
            position: a.position,
            collateral_pool: a.collateral.pool,
            debt_pool: a.debt.pool,
            collateral_vault: a.collateral.vault,
            keeper_collateral: a.keeper_collateral,
            auction: auction_key(&a.position, &a.collateral.pool, &a.debt.pool),
            slot_hashes: SLOT_HASHES_ID,
            token_program: spl_token::ID,
            system_program: anchor_lang::system_program::ID,
        },
        sluice::instruction::Liquidate {},
    );
    i.accounts.extend(depth_metas(a.collateral_state));
    i.accounts.extend(
        a.others
            .iter()
            .map(|p| AccountMeta::new_readonly(*p, false)),
    );
    i
}

pub fn liquidate_instant(a: &LiquidationAccounts) -> Instruction {
    let mut i = ix(
        sluice::accounts::LiquidateInstant {
            keeper: a.keeper,
            market: a.market,
            position: a.position,
            collateral_pool: a.collateral.pool,
            debt_pool: a.debt.pool,
            collateral_vault: a.collateral.vault,
            debt_vault: a.debt.vault,
            keeper_source: a.keeper_debt,
            keeper_destination: a.keeper_collateral,
            token_program: spl_token::ID,
        },
        sluice::instruction::LiquidateInstant {},
    );
    i.accounts.extend(depth_metas(a.collateral_state));
    i.accounts.extend(
        a.others
            .iter()
            .map(|p| AccountMeta::new_readonly(*p, false)),
    );
    i
}

#[allow(clippy::too_many_arguments)]
pub fn take(
    market: &Pubkey,
    taker: &Pubkey,
    position: &Pubkey,
    c: &PoolKeys,
    d: &PoolKeys,
    taker_debt: &Pubkey,
    taker_collateral: &Pubkey,
    max_amount: u64,
    max_price_wad: u128,
) -> Instruction {
    ix(
        sluice::accounts::Take {
            taker: *taker,
            market: *market,
            auction: auction_key(position, &c.pool, &d.pool),
            position: *position,
            collateral_pool: c.pool,
            debt_pool: d.pool,
            collateral_vault: c.vault,
            debt_vault: d.vault,
            insurance: d.insurance,
            insurance_vault: d.insurance_vault,
            taker_source: *taker_debt,
            taker_destination: *taker_collateral,
            token_program: spl_token::ID,
        },
        sluice::instruction::Take {
            max_amount,
            max_price_wad,
        },
    )
}

pub fn redo(
    market: &Pubkey,
    keeper: &Pubkey,
    position: &Pubkey,
    c: &PoolKeys,
    d: &PoolKeys,
    keeper_collateral: &Pubkey,
) -> Instruction {
    ix(
        sluice::accounts::Redo {
            keeper: *keeper,
            market: *market,
            auction: auction_key(position, &c.pool, &d.pool),
            collateral_pool: c.pool,
            debt_pool: d.pool,
            collateral_vault: c.vault,
            keeper_collateral: *keeper_collateral,
            slot_hashes: SLOT_HASHES_ID,
            token_program: spl_token::ID,
        },
        sluice::instruction::Redo {},
    )
}

pub fn settle_bad_debt(
    market: &Pubkey,
    keeper: &Pubkey,
    position: &Pubkey,
    d: &PoolKeys,
) -> Instruction {
    ix(
        sluice::accounts::SettleBadDebt {
            keeper: *keeper,
            market: *market,
            position: *position,
            debt_pool: d.pool,
            debt_vault: d.vault,
            insurance: d.insurance,
            insurance_vault: d.insurance_vault,
            token_program: spl_token::ID,
        },
        sluice::instruction::SettleBadDebt {},
    )
}
