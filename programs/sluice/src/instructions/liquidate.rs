//! liquidate (keeper, auction mode): seizes just enough collateral to bring
//! the position back to the pool's target health, within the per-slot sell
//! cap and the market's circuit breaker, and opens (or extends) the Dutch
//! auction of that lot. An extension re-prices the whole lot from the current
//! oracle, so fresh collateral never sells on an already decayed curve. The
//! keeper receives its incentive in collateral.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::{AuctionStarted, EventHeader, Liquidated};
use crate::instructions::common::{
    emit_cpi_event, slot_hash_jitter, transfer_from_pool, VaultBooks,
};
use crate::instructions::liquidate_common::{health_after, prepare, seize, Sizing};
use crate::math::fixed::{apply_bps, checked_add, mul_div, to_u64};
use crate::math::health::Health;
use crate::math::Rounding;
use crate::state::{Auction, LiquidationMode, Market, Pool, PoolSigner, Position};

#[event_cpi]
#[derive(Accounts)]
pub struct Liquidate<'info> {
    #[account(mut)]
    pub keeper: Signer<'info>,
    #[account(mut)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = collateral_pool.load()?.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
        constraint = collateral_pool.key() != debt_pool.key() @ SluiceError::SamePoolCollateralAndDebt,
    )]
    pub collateral_pool: AccountLoader<'info, Pool>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub debt_pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the keeper incentive.
    #[account(mut, constraint = keeper_collateral.mint == collateral_pool.load()?.mint @ SluiceError::MintMismatch)]
    pub keeper_collateral: Box<Account<'info, TokenAccount>>,
    #[account(
        init_if_needed, payer = keeper, space = 8 + Auction::INIT_SPACE,
        seeds = [AUCTION_SEED, position.key().as_ref(), collateral_pool.key().as_ref(), debt_pool.key().as_ref()],
        bump
    )]
    pub auction: Box<Account<'info, Auction>>,
    /// CHECK: the SlotHashes sysvar, checked by address.
    #[account(address = SLOT_HASHES_ID @ SluiceError::AuctionMismatch)]
    pub slot_hashes: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
    // remaining: the collateral pool's depth source accounts (registration
    // order), then every other pool the position uses (any order).
}

/// What the domain step decided, for transfers and events.
struct Outcome {
    sizing: Sizing,
    after: Health,
    extended: bool,
    signer: PoolSigner,
}

pub fn liquidate<'info>(ctx: Context<'info, Liquidate<'info>>) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let auction_bump = ctx.bumps.auction;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_LIQUIDATIONS)?;
    let clock = Clock::get()?;
    let books = VaultBooks::before(&a.collateral_vault, &*a.collateral_pool.load()?)?;
    let o = seize_into_auction(a, remaining, auction_bump, &clock)?;

    let p = o.sizing.plan;
    if p.keeper > 0 {
        transfer_from_pool(
            &a.token_program,
            &a.collateral_vault,
            &a.keeper_collateral,
            &a.collateral_pool.to_account_info(),
            &o.signer,
            p.keeper,
        )?;
    }
    books.check(
        &a.collateral_vault.to_account_info(),
        &*a.collateral_pool.load()?,
    )?;
    emit_liquidation(a, &o)
}

/// The domain step: sizes the liquidation, opens the auction (or checks
/// that the open one may grow), moves the lot and its debt off the position
/// into it and prices the whole lot afresh.
fn seize_into_auction<'info>(
    a: &mut Liquidate<'info>,
    remaining: &[AccountInfo<'info>],
    auction_bump: u8,
    clock: &Clock,
) -> Result<Outcome> {
    let slot = clock.slot;
    let (ckey, dkey) = (a.collateral_pool.key(), a.debt_pool.key());
    let mut cpool = a.collateral_pool.load_mut()?;
    let mut dpool = a.debt_pool.load_mut()?;
    let (mut cache, sizing) = prepare(
        &a.market,
        &a.position,
        (ckey, &mut cpool),
        (dkey, &mut dpool),
        LiquidationMode::Auction,
        remaining,
        clock,
    )?;
    let p = sizing.plan;

    // an open lot past its time limit must be redone before it grows
    let auction = &mut a.auction;
    let extended = auction.is_active();
    if extended {
        require!(slot < auction.expires_slot, SluiceError::AuctionExpired);
    } else {
        let (market, position) = (a.market.key(), a.position.key());
        let index = dpool.borrow_index.get();
        auction.open(auction_bump, market, position, ckey, dkey, index);
        a.position.begin_auction(&ckey, &dkey)?;
    }
    seize(
        &mut a.position,
        &ckey,
        &mut cpool,
        &dkey,
        &mut dpool,
        &mut cache,
        &sizing,
        slot,
        false,
    )?;
    let penalty = to_u64(apply_bps(
        p.repay.into(),
        cpool.effective_bonus_bps().into(),
        Rounding::Up,
    )?)?;
    auction.add_lot(p.lot, p.repay, penalty)?;
    price_lot(
        &mut a.market,
        auction,
        &cpool,
        &dpool,
        &a.slot_hashes,
        slot,
        p.lot,
    )?;
    let after = health_after(&cache, &sizing)?;
    Ok(Outcome {
        sizing,
        after,
        extended,
        signer: cpool.signer(),
    })
}

/// Both events go through the self-CPI (`emit_cpi_event`): a truncated log
/// cannot lose a liquidation.
fn emit_liquidation(a: &Liquidate, o: &Outcome) -> Result<()> {
    let p = o.sizing.plan;
    let auction = &a.auction;
    let header = EventHeader::new(a.position.market, a.position.key(), a.keeper.key());
    emit_cpi_event(
        &a.event_authority,
        &Liquidated {
            header,
            collateral_pool: auction.collateral_pool,
            debt_pool: auction.debt_pool,
            debt_retired: p.repay,
            collateral_seized: p.lot,
            keeper_reward: p.keeper,
            toxic: p.toxic,
            capped: p.capped,
            cap_remaining: o.sizing.cap_remaining,
            health_before_wad: o.sizing.health_before.factor_wad(),
            health_after_wad: o.after.factor_wad(),
            instant: false,
        },
    )?;
    emit_cpi_event(
        &a.event_authority,
        &AuctionStarted {
            header,
            auction: auction.key(),
            extended: o.extended,
            lot: auction.lot,
            debt_to_raise: auction.debt_to_raise,
            penalty_to_raise: auction.penalty_to_raise,
            start_price_wad: auction.start_price_wad,
            floor_price_wad: auction.floor_price_wad,
            decay_start_slot: auction.decay_start_slot,
            expires_slot: auction.expires_slot,
        },
    )
}

/// Prices the whole lot from the current oracle (market price of one
/// collateral unit in debt units, WAD): a new lot at the oracle plus the
/// start buffer, a grown one from where it stands within [oracle, that
/// start] (`Auction::reprice_extended`); its decay restarts. The market's
/// breaker counts the lot at the price of its latest seizure.
fn price_lot(
    market: &mut Market,
    auction: &mut Auction,
    cpool: &Pool,
    dpool: &Pool,
    slot_hashes: &AccountInfo,
    slot: u64,
    added: u64,
) -> Result<()> {
    let ap = cpool.effective_auction_params();
    let ratio = cpool.price_ratio_wad(dpool)?;
    let jitter = slot_hash_jitter(slot_hashes, ap.jitter_slots)?;
    // an open lot always holds collateral: more than what was just added
    // means it grew (an extension)
    if auction.lot > added {
        auction.reprice_extended(&ap, ratio, slot, jitter)?;
    } else {
        auction.restart(&ap, ratio, slot, jitter)?;
    }
    let before = mul_div(
        u128::from(auction.lot.saturating_sub(added)),
        auction.breaker_unit_price_wad,
        1,
        Rounding::Up,
    )?;
    auction.breaker_unit_price_wad = cpool.spot_price_wad.get();
    let lot_value = mul_div(
        auction.lot.into(),
        auction.breaker_unit_price_wad,
        1,
        Rounding::Up,
    )?;
    market.auction_value_open =
        checked_add(market.auction_value_open.saturating_sub(before), lot_value)?;
    Ok(())
}
