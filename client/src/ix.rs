//! One builder per instruction. Each fills the program's own `accounts`
//! struct (so a renamed or reordered account is a compile error here, not a
//! silently retargeted account) and appends remaining accounts in the
//! documented order.
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use anchor_spl::token::spl_token;
use sluice::constants::{MAX_DEPTH_SOURCES, SLOT_HASHES_ID};
use sluice::state::{
    AdaptiveParams, BufferParams, DepthKind, DepthSource, MarketParams, OracleConfig, Pool,
    PoolParams,
};

use crate::{pda, BufferKeys, PoolKeys};

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: sluice::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

fn readonly(keys: impl IntoIterator<Item = Pubkey>) -> impl Iterator<Item = AccountMeta> {
    keys.into_iter()
        .map(|k| AccountMeta::new_readonly(k, false))
}

/// The accounts of registered depth sources, in registration order (two
/// per constant-product pair, one per Whirlpool): the first remaining
/// accounts of `liquidate`, `liquidate_instant`, `set_depth_sources` and an
/// observing `refresh_price`.
pub fn depth_source_metas(sources: &[DepthSource]) -> Vec<AccountMeta> {
    let mut out = Vec::new();
    for s in sources {
        match DepthKind::from_u8(s.kind) {
            Some(DepthKind::ConstantProduct) => out.extend(readonly([s.account_a, s.account_b])),
            Some(DepthKind::Whirlpool) => out.extend(readonly([s.account_a])),
            Some(DepthKind::OpenBookV2) => out.extend(readonly([s.account_a, s.account_b])),
            _ => {}
        }
    }
    out
}

/// The depth accounts of a collateral pool as registered.
pub fn depth_metas(pool: &Pool) -> Vec<AccountMeta> {
    depth_source_metas(&pool.depth_sources)
}

// ---------------------------------------------------------------- governance

pub fn init_market(
    payer: &Pubkey,
    market: &Pubkey,
    authority: &Pubkey,
    params: MarketParams,
) -> Instruction {
    build(
        sluice::accounts::InitMarket {
            payer: *payer,
            market: *market,
            system_program: system_program::ID,
        },
        sluice::instruction::InitMarket {
            authority: *authority,
            params,
        },
    )
}

pub fn init_pool(
    payer: &Pubkey,
    authority: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    oracle: OracleConfig,
    params: PoolParams,
) -> Instruction {
    build(
        sluice::accounts::InitPool {
            payer: *payer,
            authority: *authority,
            market: *market,
            mint: k.mint,
            pool: k.pool,
            vault: k.vault,
            share_mint: k.share_mint,
            insurance: k.insurance,
            insurance_vault: k.insurance_vault,
            token_program: spl_token::ID,
            system_program: system_program::ID,
        },
        sluice::instruction::InitPool { oracle, params },
    )
}

pub fn update_pool_params(
    authority: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    params: PoolParams,
) -> Instruction {
    build(
        sluice::accounts::UpdatePoolParams {
            authority: *authority,
            market: *market,
            pool: k.pool,
        },
        sluice::instruction::UpdatePoolParams { params },
    )
}

pub fn update_adaptive_params(
    authority: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    params: AdaptiveParams,
) -> Instruction {
    build(
        sluice::accounts::UpdateAdaptiveParams {
            authority: *authority,
            market: *market,
            pool: k.pool,
        },
        sluice::instruction::UpdateAdaptiveParams { params },
    )
}

pub fn update_market_params(
    authority: &Pubkey,
    market: &Pubkey,
    params: MarketParams,
) -> Instruction {
    build(
        sluice::accounts::UpdateMarketParams {
            authority: *authority,
            market: *market,
        },
        sluice::instruction::UpdateMarketParams { params },
    )
}

pub fn propose_authority(
    authority: &Pubkey,
    market: &Pubkey,
    new_authority: Pubkey,
) -> Instruction {
    build(
        sluice::accounts::ProposeAuthority {
            authority: *authority,
            market: *market,
        },
        sluice::instruction::ProposeAuthority { new_authority },
    )
}

pub fn accept_authority(new_authority: &Pubkey, market: &Pubkey) -> Instruction {
    build(
        sluice::accounts::AcceptAuthority {
            new_authority: *new_authority,
            market: *market,
        },
        sluice::instruction::AcceptAuthority {},
    )
}

/// Registers `sources` as `k`'s depth sources; their accounts follow.
pub fn set_depth_sources(
    authority: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    sources: [DepthSource; MAX_DEPTH_SOURCES],
) -> Instruction {
    let mut i = build(
        sluice::accounts::SetDepthSources {
            authority: *authority,
            market: *market,
            pool: k.pool,
        },
        sluice::instruction::SetDepthSources { sources },
    );
    i.accounts.extend(depth_source_metas(&sources));
    i
}

// ---------------------------------------------------------------- lenders

/// `source`: the owner's token account of `k.mint`; `shares_destination`:
/// theirs of `k.share_mint`.
pub fn deposit(
    owner: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    source: &Pubkey,
    shares_destination: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        sluice::accounts::Deposit {
            owner: *owner,
            market: *market,
            pool: k.pool,
            vault: k.vault,
            share_mint: k.share_mint,
            source: *source,
            shares_destination: *shares_destination,
            token_program: spl_token::ID,
        },
        sluice::instruction::Deposit { amount },
    )
}

pub fn withdraw(
    owner: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    shares_source: &Pubkey,
    destination: &Pubkey,
    shares: u64,
) -> Instruction {
    build(
        sluice::accounts::Withdraw {
            owner: *owner,
            market: *market,
            pool: k.pool,
            vault: k.vault,
            share_mint: k.share_mint,
            shares_source: *shares_source,
            destination: *destination,
            token_program: spl_token::ID,
        },
        sluice::instruction::Withdraw { shares },
    )
}

pub fn fund_insurance(funder: &Pubkey, k: &PoolKeys, source: &Pubkey, amount: u64) -> Instruction {
    build(
        sluice::accounts::FundInsurance {
            funder: *funder,
            pool: k.pool,
            insurance: k.insurance,
            insurance_vault: k.insurance_vault,
            source: *source,
            token_program: spl_token::ID,
        },
        sluice::instruction::FundInsurance { amount },
    )
}

// ---------------------------------------------------------------- borrowers

pub fn open_position(owner: &Pubkey, market: &Pubkey) -> Instruction {
    build(
        sluice::accounts::OpenPosition {
            owner: *owner,
            market: *market,
            position: pda::position(market, owner),
            system_program: system_program::ID,
        },
        sluice::instruction::OpenPosition {},
    )
}

pub fn close_position(owner: &Pubkey, market: &Pubkey) -> Instruction {
    build(
        sluice::accounts::ClosePosition {
            owner: *owner,
            position: pda::position(market, owner),
        },
        sluice::instruction::ClosePosition {},
    )
}

pub fn deposit_collateral(
    owner: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    source: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        sluice::accounts::DepositCollateral {
            owner: *owner,
            market: *market,
            position: pda::position(market, owner),
            pool: k.pool,
            vault: k.vault,
            source: *source,
            token_program: spl_token::ID,
        },
        sluice::instruction::DepositCollateral { amount },
    )
}

/// `others`: every other pool the position uses (remaining accounts).
pub fn withdraw_collateral(
    owner: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    destination: &Pubkey,
    amount: u64,
    others: &[Pubkey],
) -> Instruction {
    let mut i = build(
        sluice::accounts::WithdrawCollateral {
            owner: *owner,
            market: *market,
            position: pda::position(market, owner),
            pool: k.pool,
            vault: k.vault,
            destination: *destination,
            token_program: spl_token::ID,
        },
        sluice::instruction::WithdrawCollateral { amount },
    );
    i.accounts.extend(readonly(others.iter().copied()));
    i
}

/// `others`: every other pool the position uses (remaining accounts).
pub fn borrow(
    owner: &Pubkey,
    market: &Pubkey,
    k: &PoolKeys,
    destination: &Pubkey,
    amount: u64,
    others: &[Pubkey],
) -> Instruction {
    let mut i = build(
        sluice::accounts::Borrow {
            owner: *owner,
            market: *market,
            position: pda::position(market, owner),
            pool: k.pool,
            vault: k.vault,
            destination: *destination,
            token_program: spl_token::ID,
        },
        sluice::instruction::Borrow { amount },
    );
    i.accounts.extend(readonly(others.iter().copied()));
    i
}

/// `payer` repays `position_owner`'s debt to `k` from `source`.
pub fn repay(
    payer: &Pubkey,
    market: &Pubkey,
    position_owner: &Pubkey,
    k: &PoolKeys,
    source: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        sluice::accounts::Repay {
            payer: *payer,
            market: *market,
            position: pda::position(market, position_owner),
            pool: k.pool,
            vault: k.vault,
            source: *source,
            token_program: spl_token::ID,
        },
        sluice::instruction::Repay { amount },
    )
}

// ---------------------------------------------------------------- cranks

pub fn refresh_pool(k: &PoolKeys) -> Instruction {
    build(
        sluice::accounts::RefreshPool {
            pool: k.pool,
            vault: k.vault,
            insurance: k.insurance,
            insurance_vault: k.insurance_vault,
            token_program: spl_token::ID,
        },
        sluice::instruction::RefreshPool {},
    )
}

pub fn refresh_price(k: &PoolKeys) -> Instruction {
    build(
        sluice::accounts::RefreshPrice {
            pool: k.pool,
            oracle: k.oracle,
        },
        sluice::instruction::RefreshPrice {},
    )
}

/// refresh_price that also records the pool's depth, read from `sources`
/// (the pool's registered sources), for later slots' liquidation caps.
pub fn refresh_price_observing_depth(k: &PoolKeys, sources: &[DepthSource]) -> Instruction {
    let mut i = refresh_price(k);
    i.accounts.extend(depth_source_metas(sources));
    i
}

// ---------------------------------------------------------------- liquidation

/// The accounts of a liquidation.
pub struct LiquidationAccounts<'a> {
    pub market: Pubkey,
    pub keeper: Pubkey,
    /// The position's owner.
    pub owner: Pubkey,
    pub collateral: &'a PoolKeys,
    /// The collateral pool's registered depth sources.
    pub depth_sources: &'a [DepthSource],
    pub debt: &'a PoolKeys,
    /// The keeper's token accounts for the collateral and debt mints.
    pub keeper_collateral: Pubkey,
    pub keeper_debt: Pubkey,
    /// The position's other pools.
    pub others: &'a [Pubkey],
}

impl LiquidationAccounts<'_> {
    fn position(&self) -> Pubkey {
        pda::position(&self.market, &self.owner)
    }

    /// Remaining accounts: the depth sources' accounts, then the other pools.
    fn remaining(&self) -> Vec<AccountMeta> {
        let mut metas = depth_source_metas(self.depth_sources);
        metas.extend(readonly(self.others.iter().copied()));
        metas
    }
}

/// Auction mode: seizes into the position's auction.
pub fn liquidate(a: &LiquidationAccounts) -> Instruction {
    let position = a.position();
    let mut i = build(
        sluice::accounts::Liquidate {
            keeper: a.keeper,
            market: a.market,
            position,
            collateral_pool: a.collateral.pool,
            debt_pool: a.debt.pool,
            collateral_vault: a.collateral.vault,
            keeper_collateral: a.keeper_collateral,
            auction: pda::auction(&position, &a.collateral.pool, &a.debt.pool),
            slot_hashes: SLOT_HASHES_ID,
            token_program: spl_token::ID,
            system_program: system_program::ID,
            event_authority: pda::event_authority(),
            program: sluice::ID,
        },
        sluice::instruction::Liquidate {},
    );
    i.accounts.extend(a.remaining());
    i
}

/// Instant mode: the keeper repays and receives collateral at the bonus.
pub fn liquidate_instant(a: &LiquidationAccounts) -> Instruction {
    let mut i = build(
        sluice::accounts::LiquidateInstant {
            keeper: a.keeper,
            market: a.market,
            position: a.position(),
            collateral_pool: a.collateral.pool,
            debt_pool: a.debt.pool,
            collateral_vault: a.collateral.vault,
            debt_vault: a.debt.vault,
            keeper_source: a.keeper_debt,
            keeper_destination: a.keeper_collateral,
            token_program: spl_token::ID,
            event_authority: pda::event_authority(),
            program: sluice::ID,
        },
        sluice::instruction::LiquidateInstant {},
    );
    i.accounts.extend(a.remaining());
    i
}

/// The accounts of a take or redo on `owner`'s auction of (`collateral`, `debt`).
pub struct AuctionAccounts<'a> {
    pub market: Pubkey,
    /// The taker (take) or keeper (redo).
    pub signer: Pubkey,
    pub owner: Pubkey,
    pub collateral: &'a PoolKeys,
    pub debt: &'a PoolKeys,
    /// The signer's token accounts for the collateral and debt mints.
    pub signer_collateral: Pubkey,
    pub signer_debt: Pubkey,
}

impl AuctionAccounts<'_> {
    pub fn position(&self) -> Pubkey {
        pda::position(&self.market, &self.owner)
    }

    pub fn auction(&self) -> Pubkey {
        pda::auction(&self.position(), &self.collateral.pool, &self.debt.pool)
    }
}

pub fn take(a: &AuctionAccounts, max_amount: u64, max_price_wad: u128) -> Instruction {
    build(
        sluice::accounts::Take {
            taker: a.signer,
            market: a.market,
            auction: a.auction(),
            position: a.position(),
            collateral_pool: a.collateral.pool,
            debt_pool: a.debt.pool,
            collateral_vault: a.collateral.vault,
            debt_vault: a.debt.vault,
            insurance: a.debt.insurance,
            insurance_vault: a.debt.insurance_vault,
            taker_source: a.signer_debt,
            taker_destination: a.signer_collateral,
            token_program: spl_token::ID,
        },
        sluice::instruction::Take {
            max_amount,
            max_price_wad,
        },
    )
}

pub fn redo(a: &AuctionAccounts) -> Instruction {
    build(
        sluice::accounts::Redo {
            keeper: a.signer,
            market: a.market,
            auction: a.auction(),
            collateral_pool: a.collateral.pool,
            debt_pool: a.debt.pool,
            collateral_vault: a.collateral.vault,
            keeper_collateral: a.signer_collateral,
            slot_hashes: SLOT_HASHES_ID,
            token_program: spl_token::ID,
        },
        sluice::instruction::Redo {},
    )
}

pub fn settle_bad_debt(
    keeper: &Pubkey,
    market: &Pubkey,
    owner: &Pubkey,
    d: &PoolKeys,
) -> Instruction {
    build(
        sluice::accounts::SettleBadDebt {
            keeper: *keeper,
            market: *market,
            position: pda::position(market, owner),
            debt_pool: d.pool,
            debt_vault: d.vault,
            insurance: d.insurance,
            insurance_vault: d.insurance_vault,
            token_program: spl_token::ID,
            event_authority: pda::event_authority(),
            program: sluice::ID,
        },
        sluice::instruction::SettleBadDebt {},
    )
}

// ---------------------------------------------------------------- buffer pool

pub fn init_buffer(
    payer: &Pubkey,
    authority: &Pubkey,
    b: &BufferKeys,
    params: BufferParams,
) -> Instruction {
    build(
        sluice::accounts::InitBuffer {
            payer: *payer,
            authority: *authority,
            market: b.market,
            collateral_pool: b.collateral.pool,
            debt_pool: b.debt.pool,
            collateral_mint: b.collateral.mint,
            debt_mint: b.debt.mint,
            buffer: b.buffer,
            debt_vault: b.debt_vault,
            collateral_vault: b.collateral_vault,
            token_program: spl_token::ID,
            system_program: system_program::ID,
        },
        sluice::instruction::InitBuffer { params },
    )
}

pub fn update_buffer_params(
    authority: &Pubkey,
    b: &BufferKeys,
    params: BufferParams,
) -> Instruction {
    build(
        sluice::accounts::UpdateBufferParams {
            authority: *authority,
            market: b.market,
            buffer: b.buffer,
        },
        sluice::instruction::UpdateBufferParams { params },
    )
}

/// `owner` deposits `amount` debt tokens from `source`.
pub fn buffer_deposit(owner: &Pubkey, b: &BufferKeys, source: &Pubkey, amount: u64) -> Instruction {
    build(
        sluice::accounts::BufferDeposit {
            owner: *owner,
            market: b.market,
            buffer: b.buffer,
            stake: b.stake(owner),
            collateral_pool: b.collateral.pool,
            debt_pool: b.debt.pool,
            debt_vault: b.debt_vault,
            source: *source,
            token_program: spl_token::ID,
            system_program: system_program::ID,
        },
        sluice::instruction::BufferDeposit { amount },
    )
}

/// Activates `owner`'s matured deposit (anyone may send it).
pub fn activate_buffer_stake(b: &BufferKeys, owner: &Pubkey) -> Instruction {
    build(
        sluice::accounts::ActivateBufferStake {
            buffer: b.buffer,
            stake: b.stake(owner),
            collateral_pool: b.collateral.pool,
            debt_pool: b.debt.pool,
        },
        sluice::instruction::ActivateBufferStake {},
    )
}

pub fn request_buffer_withdrawal(owner: &Pubkey, b: &BufferKeys, shares: u64) -> Instruction {
    build(
        sluice::accounts::RequestBufferWithdrawal {
            owner: *owner,
            buffer: b.buffer,
            stake: b.stake(owner),
        },
        sluice::instruction::RequestBufferWithdrawal { shares },
    )
}

/// Pays `owner`'s matured request into (`debt_destination`, `collateral_destination`).
pub fn buffer_withdraw(
    owner: &Pubkey,
    b: &BufferKeys,
    debt_destination: &Pubkey,
    collateral_destination: &Pubkey,
) -> Instruction {
    build(
        sluice::accounts::BufferWithdraw {
            owner: *owner,
            market: b.market,
            buffer: b.buffer,
            stake: b.stake(owner),
            debt_vault: b.debt_vault,
            collateral_vault: b.collateral_vault,
            debt_destination: *debt_destination,
            collateral_destination: *collateral_destination,
            token_program: spl_token::ID,
        },
        sluice::instruction::BufferWithdraw {},
    )
}

/// The buffer of (`a.collateral`, `a.debt`) absorbs `a.owner`'s position.
pub fn absorb(a: &LiquidationAccounts) -> Instruction {
    let b = BufferKeys::derive(&a.market, a.collateral, a.debt);
    let mut i = build(
        sluice::accounts::Absorb {
            keeper: a.keeper,
            market: a.market,
            position: a.position(),
            collateral_pool: a.collateral.pool,
            debt_pool: a.debt.pool,
            collateral_vault: a.collateral.vault,
            debt_vault: a.debt.vault,
            buffer: b.buffer,
            buffer_debt_vault: b.debt_vault,
            buffer_collateral_vault: b.collateral_vault,
            keeper_collateral: a.keeper_collateral,
            token_program: spl_token::ID,
            event_authority: pda::event_authority(),
            program: sluice::ID,
        },
        sluice::instruction::Absorb {},
    );
    i.accounts.extend(a.remaining());
    i
}

/// `buyer` buys up to `max_amount` of the buffer's collateral at no more
/// than `max_price_wad`; `depth_sources` are the collateral pool's.
pub fn buffer_take(
    buyer: &Pubkey,
    b: &BufferKeys,
    depth_sources: &[DepthSource],
    buyer_source: &Pubkey,
    buyer_destination: &Pubkey,
    max_amount: u64,
    max_price_wad: u128,
) -> Instruction {
    let mut i = build(
        sluice::accounts::BufferTake {
            buyer: *buyer,
            market: b.market,
            collateral_pool: b.collateral.pool,
            debt_pool: b.debt.pool,
            buffer: b.buffer,
            debt_vault: b.debt_vault,
            collateral_vault: b.collateral_vault,
            buyer_source: *buyer_source,
            buyer_destination: *buyer_destination,
            token_program: spl_token::ID,
        },
        sluice::instruction::BufferTake {
            max_amount,
            max_price_wad,
        },
    );
    i.accounts.extend(depth_source_metas(depth_sources));
    i
}
