//! redo (keeper): restarts a lot that passed its time limit unsold: fresh
//! start price from the current oracle, new jittered decay start. The keeper
//! is tipped a small share of the lot, within a lifetime budget per auction.
//! Redo keeps running during a liquidation pause (the pause stops new
//! seizures, not the sale of lots already seized).
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::{AuctionRedone, EventHeader};
use crate::instructions::common::{slot_hash_jitter, transfer_from_pool, VaultBooks};
use crate::instructions::take::release_breaker;
use crate::state::{Auction, Market, Pool};

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
        constraint = collateral_pool.load()?.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub collateral_pool: AccountLoader<'info, Pool>,
    pub debt_pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = keeper_collateral.mint == collateral_pool.load()?.mint @ SluiceError::MintMismatch)]
    pub keeper_collateral: Box<Account<'info, TokenAccount>>,
    /// CHECK: the SlotHashes sysvar, checked by address.
    #[account(address = SLOT_HASHES_ID @ SluiceError::AuctionMismatch)]
    pub slot_hashes: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn redo(ctx: Context<Redo>) -> Result<()> {
    let a = ctx.accounts;
    require!(a.auction.is_active(), SluiceError::AuctionNotActive);
    let slot = Clock::get()?.slot;
    require!(
        slot >= a.auction.expires_slot,
        SluiceError::AuctionNotRedoable
    );
    let books = VaultBooks::before(&a.collateral_vault, &*a.collateral_pool.load()?)?;
    let (tip, signer) = {
        let mut cpool = a.collateral_pool.load_mut()?;
        let dpool = a.debt_pool.load()?;
        cpool.require_fresh_price(slot)?;
        dpool.require_fresh_price(slot)?;
        let ap = cpool.effective_auction_params();
        let tip = a.auction.redo_tip(ap.redo_tip_bps)?;
        if tip > 0 {
            a.auction.pay_tip(tip)?;
            cpool.release_auction_collateral(tip)?;
            release_breaker(&mut a.market, &a.auction, tip)?;
        }
        let ratio = cpool.price_ratio_wad(&dpool)?;
        let jitter = slot_hash_jitter(&a.slot_hashes, ap.jitter_slots)?;
        a.auction.restart(&ap, ratio, slot, jitter)?;
        a.auction.redo_count = a.auction.redo_count.saturating_add(1);
        (tip, cpool.signer())
    };
    if tip > 0 {
        transfer_from_pool(
            &a.token_program,
            &a.collateral_vault,
            &a.keeper_collateral,
            &a.collateral_pool.to_account_info(),
            &signer,
            tip,
        )?;
    }
    books.check(
        &a.collateral_vault.to_account_info(),
        &*a.collateral_pool.load()?,
    )?;
    let auction = &a.auction;
    emit!(AuctionRedone {
        header: EventHeader::new(auction.market, auction.position, a.keeper.key()),
        auction: auction.key(),
        tip,
        start_price_wad: auction.start_price_wad,
        decay_start_slot: auction.decay_start_slot,
        expires_slot: auction.expires_slot,
    });
    Ok(())
}
