use anchor_lang::prelude::*;

use crate::depth::live_depth;
use crate::errors::SluiceError;
use crate::events::{DepthObserved, InterestAccrued, PriceRefreshed, RiskAdapted, RiskObserved};
use crate::oracle::read_oracle;
use crate::state::Pool;

#[derive(Accounts)]
pub struct RefreshPrice<'info> {
    #[account(mut)]
    pub pool: AccountLoader<'info, Pool>,
    /// CHECK: owner, identity, layout and content are checked by `read_oracle`
    /// against the pool's oracle configuration.
    pub oracle: UncheckedAccount<'info>,
    // remaining (optional): the pool's depth source accounts in registration
    // order; when given, the depth read now is recorded for later slots'
    // liquidation caps (keepers pass them so a rise in depth is followed).
}

/// Permissionless: reads the pool's Pyth price (every check of its config),
/// records it as spot and, when its publish time is new, in the TWAP, and
/// accrues interest. With the depth accounts it also observes depth.
pub fn refresh_price(ctx: Context<RefreshPrice>) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let clock = Clock::get()?;
    let a = ctx.accounts;
    let pool_key = a.pool.key();
    let mut pool = a.pool.load_mut()?;
    let price = read_oracle(
        &a.oracle,
        &pool.oracle,
        &pool.params.oracle,
        clock.unix_timestamp,
    )?;
    let spot = price.unit_price(pool.decimals)?;
    require!(spot > 0, SluiceError::OracleNonPositivePrice);
    let ema = price.ema_unit_price(pool.decimals)?;
    pool.record_price(spot, ema, price.publish_time, clock.slot)?;

    if let Some(acc) = pool.accrue(clock.unix_timestamp)? {
        if acc.interest > 0 {
            emit!(InterestAccrued {
                pool: pool_key,
                borrow_index: pool.borrow_index.get(),
                interest: acc.interest,
                to_insurance: acc.to_insurance,
                elapsed_secs: acc.elapsed,
            });
        }
    }
    let mut depth_seen = false;
    if !remaining.is_empty() {
        if let (Some(live), _) = live_depth(&pool, remaining)? {
            pool.observe_depth(clock.slot, live);
            depth_seen = true;
            emit!(DepthObserved {
                pool: pool_key,
                slot: clock.slot,
                live,
                next_slot_estimate: pool.observed_depth(clock.slot + 1).unwrap_or(0),
            });
        }
    }
    let risk = pool.observe_market(
        spot,
        price.publish_time,
        clock.slot,
        clock.unix_timestamp,
        depth_seen,
    )?;
    emit!(RiskObserved {
        pool: pool_key,
        var_per_sec_wad: risk.var_per_sec_wad.get(),
        depth_trend: risk.depth_trend,
        ms_per_slot: risk.ms_per_slot,
    });
    if pool.adaptive.switches != 0 {
        pool.adapt(clock.slot, clock.unix_timestamp)?;
        let ap = pool.effective_auction_params();
        emit!(RiskAdapted {
            pool: pool_key,
            ltv_bps: pool.effective_ltv_bps(),
            liquidation_threshold_bps: pool.effective_threshold_bps(),
            liquidation_bonus_bps: pool.effective_bonus_bps(),
            start_buffer_bps: ap.start_buffer_bps,
            step_bps: ap.step_bps,
            duration_slots: ap.duration_slots,
            time_limit_slots: ap.time_limit_slots,
            cap_scale_bps: crate::state::Adapted::bps(pool.adapted.cap_scale, 10_000) as u16,
        });
    }
    let (guard_high_wad, guard_low_wad) = pool.guard_prices();
    emit!(PriceRefreshed {
        pool: pool_key,
        spot_price_wad: spot,
        smoothed_price_wad: pool.smoothed_price(),
        ema_price_wad: ema,
        publish_time: price.publish_time,
        slot: clock.slot,
        guard_high_wad,
        guard_low_wad,
    });
    Ok(())
}
