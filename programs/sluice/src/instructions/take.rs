//! take (anyone): buys up to `max_amount` of an auction's lot at the current
//! decayed price, paying debt tokens (price x amount, rounded up). Proceeds
//! repay the position's debt first, then the penalty, which funds the debt
//! pool's insurance buffer. When the tab is raised the leftover collateral
//! returns to the position; when the lot runs out first, the unpaid debt
//! returns to the position too. It becomes bad debt only through
//! `settle_bad_debt`, once the position holds no collateral anywhere.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::MIN_AUCTION_REMAINDER_USD;
use crate::errors::SluiceError;
use crate::events::{AuctionSettled, AuctionTaken, EventHeader};
use crate::instructions::common::{transfer_from_pool, transfer_from_user, VaultBooks};
use crate::math::fixed::mul_div;
use crate::math::{Rounding, WAD};
use crate::state::{
    Auction, InsuranceBuffer, Market, Pool, PoolSigner, Position, Settlement, TakeOutcome,
};

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
        constraint = collateral_pool.load()?.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub collateral_pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        constraint = debt_pool.load()?.vault == debt_vault.key() @ SluiceError::VaultMismatch,
        constraint = debt_pool.load()?.insurance == insurance.key() @ SluiceError::InsuranceMismatch,
    )]
    pub debt_pool: AccountLoader<'info, Pool>,
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
    #[account(mut, constraint = taker_source.mint == debt_pool.load()?.mint @ SluiceError::MintMismatch)]
    pub taker_source: Box<Account<'info, TokenAccount>>,
    /// Receives the collateral bought.
    #[account(mut, constraint = taker_destination.mint == collateral_pool.load()?.mint @ SluiceError::MintMismatch)]
    pub taker_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn take(ctx: Context<Take>, max_amount: u64, max_price_wad: u128) -> Result<()> {
    let a = ctx.accounts;
    let slot = Clock::get()?.slot;
    let cbooks = VaultBooks::before(&a.collateral_vault, &*a.collateral_pool.load()?)?;
    let dbooks = VaultBooks::before(&a.debt_vault, &*a.debt_pool.load()?)?;
    let o = book_take(a, slot, max_amount, max_price_wad)?;
    pay_and_deliver(a, &o)?;
    cbooks.check(
        &a.collateral_vault.to_account_info(),
        &*a.collateral_pool.load()?,
    )?;
    dbooks.check(&a.debt_vault.to_account_info(), &*a.debt_pool.load()?)?;
    let header = EventHeader::new(a.auction.market, a.auction.position, a.taker.key());
    emit!(AuctionTaken {
        header,
        auction: a.auction.key(),
        amount: o.take.amount,
        price_wad: o.take.price_wad,
        paid: o.take.paid,
        to_debt: o.take.to_debt,
        to_insurance: o.take.to_insurance,
    });
    if o.take.settlement != Settlement::Open {
        emit!(AuctionSettled {
            header,
            auction: a.auction.key(),
            collateral_returned: o.returned,
            debt_returned: o.unpaid,
        });
    }
    Ok(())
}

/// What a take did to the books, for its transfers and events.
struct Booked {
    take: TakeOutcome,
    /// Collateral and debt a settled lot returned to the position.
    returned: u64,
    unpaid: u64,
    signer: PoolSigner,
}

/// The domain step: the auction sells at its current price, the pools and
/// the insurance buffer book the proceeds, and a settled lot closes.
fn book_take(a: &mut Take, slot: u64, max_amount: u64, max_price_wad: u128) -> Result<Booked> {
    let (ckey, dkey) = (a.collateral_pool.key(), a.debt_pool.key());
    let min_remainder = remainder_units(&a.auction)?;
    require!(max_amount > 0, SluiceError::ZeroAmount);
    let mut cpool = a.collateral_pool.load_mut()?;
    // forced sales are throttled by the depth observed in earlier slots
    let max_amount =
        within_sale_room(&a.auction, cpool.sale_room(slot), max_amount, min_remainder)?;
    let o = a
        .auction
        .take(slot, max_amount, max_price_wad, min_remainder)?;
    cpool.record_sale(slot, o.amount)?;
    let mut dpool = a.debt_pool.load_mut()?;
    dpool.receive_auction_proceeds(o.to_debt)?;
    cpool.release_auction_collateral(o.amount)?;
    release_breaker(&mut a.market, &a.auction, o.amount)?;
    a.insurance.record_funding(o.to_insurance)?;
    let (returned, unpaid) = settle(
        &mut a.position,
        &mut a.market,
        &mut a.auction,
        (&ckey, &mut cpool),
        (&dkey, &mut dpool),
        &o,
    )?;
    Ok(Booked {
        take: o,
        returned,
        unpaid,
        signer: cpool.signer(),
    })
}

/// The taker pays the debt part into the debt vault and the penalty part
/// into the insurance vault, and receives the collateral bought.
fn pay_and_deliver(a: &Take, o: &Booked) -> Result<()> {
    let t = &o.take;
    if t.to_debt > 0 {
        transfer_from_user(
            &a.token_program,
            &a.taker_source,
            &a.debt_vault,
            &a.taker,
            t.to_debt,
        )?;
    }
    if t.to_insurance > 0 {
        transfer_from_user(
            &a.token_program,
            &a.taker_source,
            &a.insurance_vault,
            &a.taker,
            t.to_insurance,
        )?;
    }
    transfer_from_pool(
        &a.token_program,
        &a.collateral_vault,
        &a.taker_destination,
        &a.collateral_pool.to_account_info(),
        &o.signer,
        t.amount,
    )
}

/// Closes a settled lot: leftover collateral returns to the position, and
/// so does the debt a sold-out lot did not raise (it is bad debt only once
/// the position has no collateral left: `settle_bad_debt`).
/// Returns (collateral returned, debt returned).
fn settle(
    position: &mut Position,
    market: &mut Market,
    auction: &mut Auction,
    (ckey, cpool): (&Pubkey, &mut Pool),
    (dkey, dpool): (&Pubkey, &mut Pool),
    o: &TakeOutcome,
) -> Result<(u64, u64)> {
    let out = match o.settlement {
        Settlement::Open => return Ok((0, 0)),
        Settlement::Raised { leftover } => {
            if leftover > 0 {
                position.return_auction_collateral(ckey, cpool, leftover)?;
                release_breaker(market, auction, leftover)?;
            }
            (leftover, 0)
        }
        Settlement::Exhausted { unpaid } => {
            // the debt returns to the position: a later liquidation takes it
            // from the position's remaining collateral, or, when none is left
            // anywhere, `settle_bad_debt` writes it off
            position.restore_auction_debt(dkey, dpool, unpaid, auction.debt_index_wad)?;
            (0, unpaid)
        }
    };
    position.end_auction(ckey, dkey);
    auction.end();
    Ok(out)
}

/// `max_amount` clipped to this slot's sale room. A clip that would leave
/// less than the smallest lot leaves exactly that instead; no room at all is
/// `SellCapExhausted`.
fn within_sale_room(
    auction: &Auction,
    room: u64,
    max_amount: u64,
    min_remainder: u64,
) -> Result<u64> {
    let lot = auction.lot;
    let mut amount = max_amount.min(room);
    if amount < lot && lot - amount < min_remainder && amount < max_amount {
        amount = lot.saturating_sub(min_remainder).min(amount);
    }
    require!(amount > 0, SluiceError::SellCapExhausted);
    Ok(amount)
}

/// The smallest lot a partial take may leave (worth `MIN_AUCTION_REMAINDER_USD`).
fn remainder_units(auction: &Auction) -> Result<u64> {
    let value = u128::from(MIN_AUCTION_REMAINDER_USD) * WAD;
    let units = mul_div(
        value,
        1,
        auction.breaker_unit_price_wad.max(1),
        Rounding::Up,
    )?;
    Ok(u64::try_from(units).unwrap_or(u64::MAX))
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
