use anchor_lang::prelude::*;

use crate::constants::MARKET_VERSION;
use crate::events::MarketInitialized;
use crate::state::{Market, MarketParams};

#[derive(Accounts)]
pub struct InitMarket<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(init, payer = payer, space = 8 + Market::INIT_SPACE)]
    pub market: Box<Account<'info, Market>>,
    pub system_program: Program<'info, System>,
}

/// Creates a market governed by `authority` (typically a multisig vault PDA,
/// which need not sign here).
pub fn init_market(
    ctx: Context<InitMarket>,
    authority: Pubkey,
    params: MarketParams,
) -> Result<()> {
    params.validate()?;
    let market = &mut ctx.accounts.market;
    market.version = MARKET_VERSION;
    market.authority = authority;
    market.pending_authority = Pubkey::default();
    market.params = params;
    market.pool_count = 0;
    emit!(MarketInitialized {
        market: market.key(),
        authority
    });
    Ok(())
}
