//! absorb (keeper): when a position is liquidatable and this slot's sell cap
//! is used up (less than the smallest lot, $10, is left) or the circuit
//! breaker is tripped, the collateral pair's
//! buffer pool repays the position's debt at once from its deposits and
//! takes the collateral at a discount to the conservative (sizing) price,
//! never above it. The debt stops accruing now instead of waiting in line
//! behind the cap; the collateral reaches the market later, only through
//! the same cap (`buffer_take`) or in kind to the buffer's depositors.
//!
//! Sizing is the liquidation's (target health, close factor, whole leg when
//! toxic) with the buffer's discount in place of the penalty, bounded by the
//! buffer's active balance.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::{Absorbed, EventHeader};
use crate::instructions::common::{
    emit_cpi_event, transfer_from_buffer, transfer_from_pool, BufferBooks, BufferSigner, VaultBooks,
};
use crate::instructions::liquidate_common::{
    breaker_tripped, health_after, liquidation_input, open_books, LiquidationPools, Sizing,
};
use crate::math::buffer::unit_cost_wad;
use crate::math::fixed::{mul_div, SafeMath};
use crate::math::health::Health;
use crate::math::liquidation::{plan_within_budget, LiquidationInput, LiquidationPlan};
use crate::math::{Rounding, WAD};
use crate::state::{BufferPool, Market, Pool, PoolSigner, Position};

#[event_cpi]
#[derive(Accounts)]
pub struct Absorb<'info> {
    pub keeper: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = collateral_pool.load()?.vault == collateral_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub collateral_pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = debt_pool.load()?.vault == debt_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub debt_pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        has_one = collateral_pool @ SluiceError::BufferMismatch,
        has_one = debt_pool @ SluiceError::BufferMismatch,
        constraint = buffer.debt_vault == buffer_debt_vault.key() @ SluiceError::BufferMismatch,
        constraint = buffer.collateral_vault == buffer_collateral_vault.key() @ SluiceError::BufferMismatch,
    )]
    pub buffer: Box<Account<'info, BufferPool>>,
    #[account(mut)]
    pub buffer_debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub buffer_collateral_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the keeper incentive.
    #[account(mut, constraint = keeper_collateral.mint == collateral_pool.load()?.mint @ SluiceError::MintMismatch)]
    pub keeper_collateral: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    // remaining: the collateral pool's depth source accounts (registration
    // order), then every other pool the position uses (any order).
}

/// What the domain step decided, for transfers and the event.
struct Outcome {
    sizing: Sizing,
    after: Health,
    price_wad: u128,
    signer: PoolSigner,
}

pub fn absorb<'info>(ctx: Context<'info, Absorb<'info>>) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let a = ctx.accounts;
    a.market.require_not_paused(PAUSE_LIQUIDATIONS)?;
    let clock = Clock::get()?;
    let cbooks = VaultBooks::before(&a.collateral_vault, &*a.collateral_pool.load()?)?;
    let dbooks = VaultBooks::before(&a.debt_vault, &*a.debt_pool.load()?)?;
    let bbooks = BufferBooks::before(&a.buffer, &a.buffer_debt_vault, &a.buffer_collateral_vault)?;
    let o = absorb_position(a, remaining, &clock)?;

    let p = o.sizing.plan;
    transfer_from_buffer(
        &a.token_program,
        &a.buffer_debt_vault,
        &a.debt_vault,
        &a.buffer.to_account_info(),
        &BufferSigner::of(&a.buffer),
        p.repay,
    )?;
    let pool_info = a.collateral_pool.to_account_info();
    transfer_from_pool(
        &a.token_program,
        &a.collateral_vault,
        &a.buffer_collateral_vault,
        &pool_info,
        &o.signer,
        p.lot,
    )?;
    if p.keeper > 0 {
        transfer_from_pool(
            &a.token_program,
            &a.collateral_vault,
            &a.keeper_collateral,
            &pool_info,
            &o.signer,
            p.keeper,
        )?;
    }
    cbooks.check(
        &a.collateral_vault.to_account_info(),
        &*a.collateral_pool.load()?,
    )?;
    dbooks.check(&a.debt_vault.to_account_info(), &*a.debt_pool.load()?)?;
    bbooks.check(
        &a.buffer,
        &a.buffer_debt_vault.to_account_info(),
        &a.buffer_collateral_vault.to_account_info(),
    )?;
    let header = EventHeader::new(a.position.market, a.position.key(), a.keeper.key());
    emit_cpi_event(
        &a.event_authority,
        &Absorbed {
            header,
            buffer: a.buffer.key(),
            debt_repaid: p.repay,
            collateral_taken: p.lot,
            keeper_reward: p.keeper,
            unit_cost_wad: unit_cost_wad(p.repay, p.lot)?,
            conservative_price_wad: o.price_wad,
            toxic: p.toxic,
            health_before_wad: o.sizing.health_before.factor_wad(),
            health_after_wad: o.after.factor_wad(),
        },
    )
}

/// The domain step: checks that the position is liquidatable and that the
/// cap leaves nothing to sell, sizes the absorb within the buffer's balance,
/// and moves the collateral and the debt off the position into the buffer.
fn absorb_position<'info>(
    a: &mut Absorb<'info>,
    remaining: &[AccountInfo<'info>],
    clock: &Clock,
) -> Result<Outcome> {
    let slot = clock.slot;
    let (ckey, dkey) = (a.collateral_pool.key(), a.debt_pool.key());
    let mut cpool = a.collateral_pool.load_mut()?;
    let mut dpool = a.debt_pool.load_mut()?;
    let (mut cache, depth) = open_books(
        &a.position,
        (ckey, &mut cpool),
        (dkey, &mut dpool),
        remaining,
        clock,
    )?;
    let pools = LiquidationPools {
        collateral_key: ckey,
        collateral: &cpool,
        debt_key: dkey,
        debt: &dpool,
    };
    let (health_before, sizing_before, mut input) =
        liquidation_input(&a.market, &pools, &cache, slot)?;
    // the buffer absorbs only what the cap cannot sell: what is left of it
    // is worth less than the smallest lot (a capped liquidation leaves a few
    // units of rounding), or the breaker admits no more auctions
    require!(
        cpool.usable_sell_room(depth, slot)? == 0 || breaker_tripped(&a.market),
        SluiceError::SellCapHasRoom
    );
    let buffer = &mut a.buffer;
    let plan = plan_absorb(&mut input, buffer, cpool.effective_bonus_bps())?;

    let seized = plan.lot.safe_add(plan.keeper)?;
    a.position.remove_collateral(&ckey, &mut cpool, seized)?;
    a.position
        .retire_debt(&dkey, &mut dpool, plan.repay, true)?;
    buffer.absorb(plan.repay, plan.lot)?;
    let owed_after = a.position.debt_owed(&dkey, &dpool)?;
    cache.apply_seizure(&ckey, seized, &dkey, owed_after);
    let sizing = Sizing {
        plan,
        health_before,
        sizing_before,
        cap_remaining: 0,
        depth_cap: depth,
    };
    let after = health_after(&cache, &sizing)?;
    // conservative price of one collateral unit in debt units (WAD)
    let price_wad = mul_div(
        input.collateral_price,
        WAD,
        input.debt_price.max(1),
        Rounding::Down,
    )?;
    Ok(Outcome {
        sizing,
        after,
        price_wad,
        signer: cpool.signer(),
    })
}

/// Sizes an absorb: the liquidation's plan with the buffer's discount (never
/// above the pool's bonus) within the buffer's balance, the debt retired
/// rounded down to the lot's worth at the conservative price, so the buffer
/// never pays above that price.
fn plan_absorb(
    input: &mut LiquidationInput,
    buffer: &BufferPool,
    liquidation_bonus_bps: u16,
) -> Result<LiquidationPlan> {
    require!(buffer.debt_balance > 0, SluiceError::BufferEmpty);
    input.bonus_bps = buffer.params.absorb_discount_bps.min(liquidation_bonus_bps);
    let mut plan = plan_within_budget(input, buffer.debt_balance)?;
    let worth = mul_div(
        u128::from(plan.lot),
        input.collateral_price,
        input.debt_price.max(1),
        Rounding::Down,
    )?;
    plan.repay = plan.repay.min(u64::try_from(worth).unwrap_or(u64::MAX));
    require!(
        plan.repay > 0 && plan.lot > 0,
        SluiceError::SeizeRoundsToZero
    );
    let paid_value = u128::from(plan.repay).safe_mul(input.debt_price)?;
    let got_value = u128::from(plan.lot).safe_mul(input.collateral_price)?;
    require!(paid_value <= got_value, SluiceError::BufferPriceAboveLimit);
    Ok(plan)
}
