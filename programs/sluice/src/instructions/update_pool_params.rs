use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::PoolParamsUpdated;
use crate::state::{Market, Pool, PoolParams};

#[derive(Accounts)]
pub struct UpdatePoolParams<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ SluiceError::Unauthorized)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub pool: AccountLoader<'info, Pool>,
}

/// Governance: replaces the pool's parameters after checking every bound.
/// Interest is accrued first so a rate change never applies retroactively.
pub fn update_pool_params(ctx: Context<UpdatePoolParams>, params: PoolParams) -> Result<()> {
    params.validate()?;
    let now = Clock::get()?.unix_timestamp;
    let mut pool = ctx.accounts.pool.load_mut()?;
    // the adaptive rules' bounds are set against these parameters: a
    // change they no longer fit needs the adaptive parameters updated first
    pool.adaptive.validate(&params)?;
    pool.accrue(now)?;
    pool.set_params(params, now)?;
    emit!(PoolParamsUpdated {
        pool: ctx.accounts.pool.key(),
        params
    });
    Ok(())
}
