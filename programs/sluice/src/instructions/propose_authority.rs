use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::AuthorityProposed;
use crate::state::Market;

#[derive(Accounts)]
pub struct ProposeAuthority<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ SluiceError::Unauthorized)]
    pub market: Box<Account<'info, Market>>,
}

/// Step one of an authority transfer; proposing `Pubkey::default()` cancels.
pub fn propose_authority(ctx: Context<ProposeAuthority>, new_authority: Pubkey) -> Result<()> {
    let market = &mut ctx.accounts.market;
    market.pending_authority = new_authority;
    emit!(AuthorityProposed {
        market: market.key(),
        current: market.authority,
        proposed: new_authority
    });
    Ok(())
}
