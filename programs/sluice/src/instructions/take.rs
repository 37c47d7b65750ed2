//! take (anyone): buys up to `max_amount` of an auction's lot at the current
//! decayed price, paying debt tokens (price x amount, rounded up). Proceeds
//! repay the position's debt first, then the penalty, which funds the debt
//! pool's insurance buffer. When the tab is raised the leftover collateral
//! returns to the position; when the lot runs out first, the unpaid debt is
//! bad debt: the buffer pays it, and only what the buffer cannot is
//! socialized to the pool's lenders.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::SluiceError;
use crate::events::{AuctionSettled, AuctionTaken};
use crate::instructions::common::{cover_bad_debt, transfer_from_pool, transfer_from_user};
use crate::math::auction::cost;
use crate::math::fixed::{mul_div, to_u64};
use crate::math::{Rounding, WAD};
use crate::state::{Auction, AuctionStatus, InsuranceBuffer, Market, Pool, Position};

#[derive(Accounts)]
pub struct Take<'info> {
    pub taker: Signer<'info>,
    #[account(mut)]
    pub market: Box<Account<'info, Market>>,
    #[account(
        mut,
        has_one = market @ SluiceError::AuctionMismatch,
        has_one = position @ SluiceError::AuctionMismatch,
        has_one = collateral_pool @ SluiceError::AuctionMismatch,
        has_one = debt_pool @ SluiceError::AuctionMismatch,
    )]
    pub auction: Box<Account<'info, Auction>>,
    #[account(mut)]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        constraint = collateral_pool.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub collateral_pool: Box<Account<'info, Pool>>,
    #[account(
        mut,
        constraint = debt_pool.vault == debt_vault.key() @ SluiceError::VaultMismatch,
        constraint = debt_pool.insurance == insurance.key() @ SluiceError::InsuranceMismatch,
    )]
    pub debt_pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = insurance.vault == insurance_vault.key() @ SluiceError::InsuranceMismatch,
    )]
    pub insurance: Box<Account<'info, InsuranceBuffer>>,
    #[account(mut)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    /// The taker's debt tokens.
    #[account(mut, constraint = taker_source.mint == debt_pool.mint @ SluiceError::MintMismatch)]
    pub taker_source: Box<Account<'info, TokenAccount>>,
    /// Receives the collateral bought.
    #[account(mut, constraint = taker_destination.mint == collateral_pool.mint @ SluiceError::MintMismatch)]
    pub taker_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<Take>, max_amount: u64, max_price_wad: u128) -> Result<()> {
    let a = ctx.accounts;
    require!(max_amount > 0, SluiceError::ZeroAmount);
    require!(
        a.auction.status == AuctionStatus::Active,
        SluiceError::AuctionNotActive
    );
    let slot = Clock::get()?.slot;
    require!(slot < a.auction.expires_slot, SluiceError::AuctionExpired);
    let price = a.auction.price_at(slot)?;
    require!(price <= max_price_wad, SluiceError::AuctionPriceAboveLimit);

    // units that raise the whole remaining tab, rounded up
    let needed = mul_div(a.auction.tab(), WAD, price, Rounding::Up)?;
    let amount = u128::from(max_amount).min(a.auction.lot.into()).min(needed);
    let amount = to_u64(amount)?;
    require!(amount > 0, SluiceError::SeizeRoundsToZero);
    let paid = to_u64(cost(amount, price)?)?;
    let to_debt = paid.min(a.auction.debt_to_raise);
    let to_insurance = paid - to_debt;

    // tokens
    if to_debt > 0 {
        transfer_from_user(
            &a.token_program,
            &a.taker_source,
            &a.debt_vault,
            &a.taker,
            to_debt,
        )?;
    }
    if to_insurance > 0 {
        transfer_from_user(
            &a.token_program,
            &a.taker_source,
            &a.insurance_vault,
            &a.taker,
            to_insurance,
        )?;
    }
    transfer_from_pool(
        &a.token_program,
        &a.collateral_vault,
        &a.taker_destination,
        &a.collateral_pool,
        amount,
    )?;

    // books
    let dpool = &mut a.debt_pool;
    dpool.available_liquidity = dpool
        .available_liquidity
        .checked_add(to_debt)
        .ok_or(SluiceError::MathOverflow)?;
    dpool.auction_debt = dpool
        .auction_debt
        .checked_sub(to_debt)
        .ok_or(SluiceError::MathOverflow)?;
    a.insurance.total_funded = a
        .insurance
        .total_funded
        .checked_add(to_insurance)
        .ok_or(SluiceError::MathOverflow)?;
    let auction = &mut a.auction;
    auction.debt_to_raise -= to_debt; // to_debt <= debt_to_raise
    auction.penalty_to_raise = auction.penalty_to_raise.saturating_sub(to_insurance);
    auction.lot -= amount; // amount <= lot
    auction.total_sold = auction.total_sold.saturating_add(amount);
    auction.total_raised = auction.total_raised.saturating_add(paid);
    a.collateral_pool.auction_collateral = a
        .collateral_pool
        .auction_collateral
        .checked_sub(amount)
        .ok_or(SluiceError::MathOverflow)?;
    release_breaker(&mut a.market, auction, amount)?;
    emit!(AuctionTaken {
        auction: auction.key(),
        taker: a.taker.key(),
        amount,
        price_wad: price,
        paid,
        to_debt,
        to_insurance,
    });

    // settlement
    if auction.tab() == 0 {
        let leftover = auction.lot;
        if leftover > 0 {
            let pool_key = a.collateral_pool.key();
            let entry = a.position.collateral_entry_mut(&pool_key)?;
            entry.amount = entry
                .amount
                .checked_add(leftover)
                .ok_or(SluiceError::MathOverflow)?;
            let cpool = &mut a.collateral_pool;
            cpool.auction_collateral = cpool
                .auction_collateral
                .checked_sub(leftover)
                .ok_or(SluiceError::MathOverflow)?;
            cpool.total_collateral = cpool
                .total_collateral
                .checked_add(leftover)
                .ok_or(SluiceError::MathOverflow)?;
            release_breaker(&mut a.market, auction, leftover)?;
        }
        close_lot(auction, &mut a.position);
        emit!(AuctionSettled {
            auction: auction.key(),
            collateral_returned: leftover,
            bad_debt: 0,
        });
    } else if auction.lot == 0 {
        let shortfall = auction.debt_to_raise;
        cover_bad_debt(
            &a.token_program,
            &mut a.debt_pool,
            &a.debt_vault,
            &mut a.insurance,
            &a.insurance_vault,
            a.position.key(),
            shortfall,
        )?;
        a.debt_pool.auction_debt = a
            .debt_pool
            .auction_debt
            .checked_sub(shortfall)
            .ok_or(SluiceError::MathOverflow)?;
        close_lot(auction, &mut a.position);
        emit!(AuctionSettled {
            auction: auction.key(),
            collateral_returned: 0,
            bad_debt: shortfall,
        });
    }
    Ok(())
}

/// Lowers the market's open-auction value by `amount` units of this lot.
pub fn release_breaker(market: &mut Market, auction: &Auction, amount: u64) -> Result<()> {
    let v = mul_div(
        amount.into(),
        auction.breaker_unit_price_wad,
        1,
        Rounding::Up,
    )?;
    market.auction_value_open = market.auction_value_open.saturating_sub(v);
    Ok(())
}

fn close_lot(auction: &mut Auction, position: &mut Position) {
    auction.status = AuctionStatus::Idle;
    auction.lot = 0;
    auction.debt_to_raise = 0;
    auction.penalty_to_raise = 0;
    position.open_auctions = position.open_auctions.saturating_sub(1);
    position.compact();
}
