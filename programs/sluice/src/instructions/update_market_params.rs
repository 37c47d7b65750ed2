use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::MarketParamsUpdated;
use crate::state::{Market, MarketParams};

#[derive(Accounts)]
pub struct UpdateMarketParams<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ SluiceError::Unauthorized)]
    pub market: Box<Account<'info, Market>>,
}

/// Governance: replaces the market-wide parameters (pause flags, ...).
pub fn update_market_params(ctx: Context<UpdateMarketParams>, params: MarketParams) -> Result<()> {
    params.validate()?;
    let market = &mut ctx.accounts.market;
    market.params = params;
    emit!(MarketParamsUpdated {
        market: market.key(),
        params
    });
    Ok(())
}
