use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::AdaptiveParamsUpdated;
use crate::state::{AdaptiveParams, Market, Pool};

#[derive(Accounts)]
pub struct UpdateAdaptiveParams<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ SluiceError::Unauthorized)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub pool: AccountLoader<'info, Pool>,
}

/// Governance: replaces the pool's adaptive rules (switches, floors,
/// ceilings, hourly limits) after checking every bound against the pool's
/// parameters. A rule switched on starts from the static value and moves
/// from the next `refresh_price`; a rule switched off restores the static
/// value at once.
pub fn update_adaptive_params(
    ctx: Context<UpdateAdaptiveParams>,
    params: AdaptiveParams,
) -> Result<()> {
    let mut pool = ctx.accounts.pool.load_mut()?;
    params.validate(&pool.params)?;
    pool.set_adaptive(params);
    emit!(AdaptiveParamsUpdated {
        pool: ctx.accounts.pool.key(),
        params
    });
    Ok(())
}
