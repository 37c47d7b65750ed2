//! liquidate (keeper, auction mode): seizes just enough collateral to bring
//! the position back to the pool's target health, within the per-slot sell
//! cap and the market's circuit breaker, and opens (or extends) the Dutch
//! auction of that lot. The keeper receives its incentive in collateral.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::{AuctionStarted, Liquidated};
use crate::instructions::common::{slot_hash_jitter, transfer_from_pool};
use crate::instructions::liquidate_common::{apply_to_position, health_after, size_liquidation};
use crate::math::fixed::{apply_bps, checked_add, mul_div, to_u64};
use crate::math::{Rounding, BPS, WAD};
use crate::state::{Auction, AuctionStatus, LiquidationMode, Market, Pool, Position};

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
        constraint = collateral_pool.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub collateral_pool: Box<Account<'info, Pool>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub debt_pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the keeper incentive.
    #[account(mut, constraint = keeper_collateral.mint == collateral_pool.mint @ SluiceError::MintMismatch)]
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
    // order), then every other pool the position uses.
}

pub fn handler<'info>(ctx: Context<'info, Liquidate<'info>>) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let auction_bump = ctx.bumps.auction;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_LIQUIDATIONS)?;
    require!(
        a.collateral_pool.params.liquidation.mode == LiquidationMode::Auction,
        SluiceError::WrongLiquidationMode
    );
    let clock = Clock::get()?;
    let slot = clock.slot;
    a.collateral_pool.accrue(clock.unix_timestamp)?;
    a.debt_pool.accrue(clock.unix_timestamp)?;
    let (ckey, dkey) = (a.collateral_pool.key(), a.debt_pool.key());

    let sizing = size_liquidation(
        &a.market,
        &a.position,
        ckey,
        &a.collateral_pool,
        dkey,
        &a.debt_pool,
        remaining,
        slot,
        true,
    )?;
    let p = sizing.plan;

    // an open lot past its time limit must be redone before it grows
    let auction = &mut a.auction;
    let extending = auction.status == AuctionStatus::Active;
    if extending {
        require!(slot < auction.expires_slot, SluiceError::AuctionExpired);
    }

    apply_to_position(
        &mut a.position,
        ckey,
        &mut a.collateral_pool,
        dkey,
        &mut a.debt_pool,
        &p,
        slot,
    )?;
    let cpool = &mut a.collateral_pool;
    cpool.auction_collateral = cpool
        .auction_collateral
        .checked_add(p.lot)
        .ok_or(SluiceError::MathOverflow)?;
    let dpool = &mut a.debt_pool;
    dpool.auction_debt = dpool
        .auction_debt
        .checked_add(p.repay)
        .ok_or(SluiceError::MathOverflow)?;
    let penalty = to_u64(apply_bps(
        p.repay.into(),
        cpool.params.risk.liquidation_bonus_bps.into(),
        Rounding::Up,
    )?)?;

    if !extending {
        let ap = cpool.params.liquidation.auction;
        // market price of one collateral unit in debt units (WAD)
        let ratio = mul_div(
            cpool.spot_price_wad,
            WAD,
            dpool.spot_price_wad,
            Rounding::Up,
        )?;
        let jitter = slot_hash_jitter(&a.slot_hashes, ap.jitter_slots)?;
        auction.version = AUCTION_VERSION;
        auction.bump = auction_bump;
        auction.status = AuctionStatus::Active;
        auction.market = a.market.key();
        auction.position = a.position.key();
        auction.collateral_pool = ckey;
        auction.debt_pool = dkey;
        auction.lot = 0;
        auction.debt_to_raise = 0;
        auction.penalty_to_raise = 0;
        auction.start_price_wad = mul_div(
            ratio,
            BPS + u128::from(ap.start_buffer_bps),
            BPS,
            Rounding::Up,
        )?;
        auction.floor_price_wad = mul_div(ratio, ap.floor_bps.into(), BPS, Rounding::Up)?;
        auction.breaker_unit_price_wad = cpool.spot_price_wad;
        auction.set_curve(&ap);
        auction.start_slot = slot;
        auction.decay_start_slot = slot.saturating_add(jitter);
        auction.expires_slot = auction
            .decay_start_slot
            .saturating_add(ap.time_limit_slots.into());
        a.position.open_auctions = a
            .position
            .open_auctions
            .checked_add(1)
            .ok_or(SluiceError::MathOverflow)?;
    }
    auction.lot = auction
        .lot
        .checked_add(p.lot)
        .ok_or(SluiceError::MathOverflow)?;
    auction.debt_to_raise = auction
        .debt_to_raise
        .checked_add(p.repay)
        .ok_or(SluiceError::MathOverflow)?;
    auction.penalty_to_raise = auction
        .penalty_to_raise
        .checked_add(penalty)
        .ok_or(SluiceError::MathOverflow)?;
    let lot_value = mul_div(
        p.lot.into(),
        auction.breaker_unit_price_wad,
        1,
        Rounding::Up,
    )?;
    a.market.auction_value_open = checked_add(a.market.auction_value_open, lot_value)?;

    if p.keeper > 0 {
        transfer_from_pool(
            &a.token_program,
            &a.collateral_vault,
            &a.keeper_collateral,
            &a.collateral_pool,
            p.keeper,
        )?;
    }

    let (_, used) = crate::depth::depth_cap(&a.collateral_pool, remaining)?;
    let others = remaining.get(used..).unwrap_or(&[]);
    let after = health_after(
        &a.position,
        &[(ckey, &a.collateral_pool), (dkey, &a.debt_pool)],
        others,
        slot,
        &sizing,
    )?;
    emit!(Liquidated {
        position: a.position.key(),
        collateral_pool: ckey,
        debt_pool: dkey,
        keeper: a.keeper.key(),
        debt_retired: p.repay,
        collateral_seized: p.lot,
        keeper_reward: p.keeper,
        toxic: p.toxic,
        capped: p.capped,
        cap_remaining: sizing.cap_remaining,
        health_before_wad: sizing.health_before.factor_wad(),
        health_after_wad: after.factor_wad(),
        instant: false,
    });
    let auction = &a.auction;
    emit!(AuctionStarted {
        auction: auction.key(),
        extended: extending,
        lot: auction.lot,
        debt_to_raise: auction.debt_to_raise,
        penalty_to_raise: auction.penalty_to_raise,
        start_price_wad: auction.start_price_wad,
        floor_price_wad: auction.floor_price_wad,
        decay_start_slot: auction.decay_start_slot,
        expires_slot: auction.expires_slot,
    });
    Ok(())
}
