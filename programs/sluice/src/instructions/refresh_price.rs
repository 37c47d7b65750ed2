use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::{InterestAccrued, PriceRefreshed};
use crate::oracle::read_oracle;
use crate::state::Pool;

#[derive(Accounts)]
pub struct RefreshPrice<'info> {
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// CHECK: owner, identity, layout and content are checked by `read_oracle`
    /// against the pool's oracle configuration.
    pub oracle: UncheckedAccount<'info>,
}

/// Permissionless: reads the pool's Pyth price (every check of its config),
/// records it as spot and as a TWAP observation, and accrues interest.
pub fn handler(ctx: Context<RefreshPrice>) -> Result<()> {
    let clock = Clock::get()?;
    let a = ctx.accounts;
    let pool = &mut a.pool;
    let price = read_oracle(
        &a.oracle,
        &pool.oracle,
        &pool.params.oracle,
        clock.unix_timestamp,
    )?;
    require!(
        price.publish_time >= pool.price_publish_time,
        SluiceError::OraclePublishTimeWentBackwards
    );
    let spot = price.unit_price(pool.decimals)?;
    require!(spot > 0, SluiceError::OracleNonPositivePrice);
    pool.spot_price_wad = spot;
    pool.ema_price_wad = price.ema_unit_price(pool.decimals)?;
    pool.price_publish_time = price.publish_time;
    pool.price_slot = clock.slot;
    pool.record_observation(clock.slot, spot);

    let pool_key = pool.key();
    if let Some(acc) = pool.accrue(clock.unix_timestamp)? {
        if acc.interest > 0 {
            emit!(InterestAccrued {
                pool: pool_key,
                borrow_index: pool.borrow_index,
                interest: acc.interest,
                to_insurance: acc.to_insurance,
                elapsed_secs: acc.elapsed,
            });
        }
    }
    emit!(PriceRefreshed {
        pool: pool_key,
        spot_price_wad: spot,
        smoothed_price_wad: pool.smoothed_price(clock.slot)?,
        ema_price_wad: pool.ema_price_wad,
        publish_time: price.publish_time,
        slot: clock.slot,
    });
    Ok(())
}
