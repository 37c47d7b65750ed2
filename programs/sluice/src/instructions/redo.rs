//! redo (keeper): restarts a lot that passed its time limit or reached its
//! floor unsold: fresh start price from the current oracle, new jittered
//! decay start. The keeper is tipped a small share of the lot.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::AuctionRedone;
use crate::instructions::common::{slot_hash_jitter, transfer_from_pool};
use crate::instructions::take::release_breaker;
use crate::math::fixed::{apply_bps, mul_div, to_u64};
use crate::math::{Rounding, BPS, WAD};
use crate::state::{Auction, AuctionStatus, Market, Pool};

#[derive(Accounts)]
pub struct Redo<'info> {
    pub keeper: Signer<'info>,
    #[account(mut)]
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        has_one = market @ SluiceError::AuctionMismatch,
        has_one = collateral_pool @ SluiceError::AuctionMismatch,
        has_one = debt_pool @ SluiceError::AuctionMismatch,
    )]
    pub auction: Box<Account<'info, Auction>>,
    #[account(
        mut,
        constraint = collateral_pool.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub collateral_pool: Box<Account<'info, Pool>>,
    pub debt_pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = keeper_collateral.mint == collateral_pool.mint @ SluiceError::MintMismatch)]
    pub keeper_collateral: Box<Account<'info, TokenAccount>>,
    /// CHECK: the SlotHashes sysvar, checked by address.
    #[account(address = SLOT_HASHES_ID @ SluiceError::AuctionMismatch)]
    pub slot_hashes: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Redo>) -> Result<()> {
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_LIQUIDATIONS)?;
    require!(
        a.auction.status == AuctionStatus::Active,
        SluiceError::AuctionNotActive
    );
    let slot = Clock::get()?.slot;
    let at_floor = a.auction.price_at(slot)? <= a.auction.floor_price_wad;
    require!(
        slot >= a.auction.expires_slot || at_floor,
        SluiceError::AuctionNotRedoable
    );
    a.collateral_pool.require_fresh_price(slot)?;
    a.debt_pool.require_fresh_price(slot)?;

    let ap = a.collateral_pool.params.liquidation.auction;
    let mut tip = to_u64(apply_bps(
        a.auction.lot.into(),
        ap.redo_tip_bps.into(),
        Rounding::Down,
    )?)?;
    if tip >= a.auction.lot {
        tip = 0; // never empty a lot with a tip
    }
    if tip > 0 {
        transfer_from_pool(
            &a.token_program,
            &a.collateral_vault,
            &a.keeper_collateral,
            &a.collateral_pool,
            tip,
        )?;
        a.auction.lot -= tip;
        a.collateral_pool.auction_collateral = a
            .collateral_pool
            .auction_collateral
            .checked_sub(tip)
            .ok_or(SluiceError::MathOverflow)?;
        release_breaker(&mut a.market, &a.auction, tip)?;
    }

    let ratio = mul_div(
        a.collateral_pool.spot_price_wad,
        WAD,
        a.debt_pool.spot_price_wad,
        Rounding::Up,
    )?;
    let jitter = slot_hash_jitter(&a.slot_hashes, ap.jitter_slots)?;
    let auction = &mut a.auction;
    auction.start_price_wad = mul_div(
        ratio,
        BPS + u128::from(ap.start_buffer_bps),
        BPS,
        Rounding::Up,
    )?;
    auction.floor_price_wad = mul_div(ratio, ap.floor_bps.into(), BPS, Rounding::Up)?;
    auction.set_curve(&ap);
    auction.start_slot = slot;
    auction.decay_start_slot = slot.saturating_add(jitter);
    auction.expires_slot = auction
        .decay_start_slot
        .saturating_add(ap.time_limit_slots.into());
    auction.redo_count = auction.redo_count.saturating_add(1);
    emit!(AuctionRedone {
        auction: auction.key(),
        keeper: a.keeper.key(),
        tip,
        start_price_wad: auction.start_price_wad,
        decay_start_slot: auction.decay_start_slot,
        expires_slot: auction.expires_slot,
    });
    Ok(())
}
