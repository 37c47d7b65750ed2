//! buffer_take (anyone): buys up to `max_amount` of a buffer pool's
//! collateral at the higher of its reference price (spot or TWAP, in debt
//! units) less the sale discount and its floor (average acquisition cost x
//! `sale_floor_bps`). Every unit counts against the collateral pool's
//! per-slot sell cap, shared with liquidations: the buffer never sells
//! faster than a liquidation could.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::depth::liquidation_depth;
use crate::errors::SluiceError;
use crate::events::BufferSold;
use crate::instructions::common::{
    transfer_from_buffer, transfer_from_user, BufferBooks, BufferSigner,
};
use crate::math::buffer::sale_cost;
use crate::state::{BufferPool, Market, Pool};

#[derive(Accounts)]
pub struct BufferTake<'info> {
    pub buyer: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub collateral_pool: AccountLoader<'info, Pool>,
    #[account(has_one = market @ SluiceError::PoolMarketMismatch)]
    pub debt_pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        has_one = collateral_pool @ SluiceError::BufferMismatch,
        has_one = debt_pool @ SluiceError::BufferMismatch,
        has_one = debt_vault @ SluiceError::BufferMismatch,
        has_one = collateral_vault @ SluiceError::BufferMismatch,
    )]
    pub buffer: Box<Account<'info, BufferPool>>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    /// The buyer's debt tokens.
    #[account(mut, constraint = buyer_source.mint == debt_vault.mint @ SluiceError::MintMismatch)]
    pub buyer_source: Box<Account<'info, TokenAccount>>,
    /// Receives the collateral bought.
    #[account(mut, constraint = buyer_destination.mint == collateral_vault.mint @ SluiceError::MintMismatch)]
    pub buyer_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    // remaining: the collateral pool's depth source accounts (registration order).
}

/// What a sale did, for the transfers and the event.
struct Sale {
    amount: u64,
    price_wad: u128,
    paid: u64,
    cap_remaining: u64,
}

pub fn buffer_take<'info>(
    ctx: Context<'info, BufferTake<'info>>,
    max_amount: u64,
    max_price_wad: u128,
) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_LIQUIDATIONS)?;
    require!(max_amount > 0, SluiceError::ZeroAmount);
    let slot = Clock::get()?.slot;
    let books = BufferBooks::before(&a.buffer, &a.debt_vault, &a.collateral_vault)?;
    let s = sell_within_cap(a, remaining, slot, max_amount, max_price_wad)?;
    transfer_from_user(
        &a.token_program,
        &a.buyer_source,
        &a.debt_vault,
        &a.buyer,
        s.paid,
    )?;
    transfer_from_buffer(
        &a.token_program,
        &a.collateral_vault,
        &a.buyer_destination,
        &a.buffer.to_account_info(),
        &BufferSigner::of(&a.buffer),
        s.amount,
    )?;
    books.check(
        &a.buffer,
        &a.debt_vault.to_account_info(),
        &a.collateral_vault.to_account_info(),
    )?;
    emit!(BufferSold {
        buffer: a.buffer.key(),
        buyer: a.buyer.key(),
        amount: s.amount,
        price_wad: s.price_wad,
        paid: s.paid,
        cap_remaining: s.cap_remaining,
    });
    Ok(())
}

/// The domain step: prices the sale, fits it in what is left of this slot's
/// cap and books it on the buffer and the pool's sell counter.
fn sell_within_cap<'info>(
    a: &mut BufferTake<'info>,
    remaining: &[AccountInfo<'info>],
    slot: u64,
    max_amount: u64,
    max_price_wad: u128,
) -> Result<Sale> {
    let mut cpool = a.collateral_pool.load_mut()?;
    let dpool = a.debt_pool.load()?;
    cpool.require_fresh_price(slot)?;
    dpool.require_fresh_price(slot)?;
    let buffer = &mut a.buffer;
    require!(
        buffer.collateral_balance > 0,
        SluiceError::BufferNothingToSell
    );
    // the buffer's sales share the auctions' per-slot sale room, and also
    // need this slot's seizures to have left room (liquidations go first)
    let (depth, _) = liquidation_depth(&mut cpool, remaining, slot)?;
    let room = cpool
        .usable_sell_room(depth.map(|d| d.cap), slot)?
        .min(cpool.sale_room(slot));
    require!(room > 0, SluiceError::SellCapExhausted);
    let price_wad = buffer.sale_price_wad(cpool.high_ratio_wad(&dpool)?)?;
    require!(
        price_wad <= max_price_wad,
        SluiceError::BufferPriceAboveLimit
    );
    let amount = max_amount.min(buffer.collateral_balance).min(room);
    let paid = sale_cost(amount, price_wad)?;
    cpool.record_seizure(depth.map(|d| d.cap), slot, amount)?;
    cpool.record_sale(slot, amount)?;
    buffer.sell(amount, paid)?;
    Ok(Sale {
        amount,
        price_wad,
        paid,
        cap_remaining: room - amount, // amount <= room
    })
}
