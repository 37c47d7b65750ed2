use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::AuthorityAccepted;
use crate::state::Market;

#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    pub new_authority: Signer<'info>,
    #[account(mut)]
    pub market: Box<Account<'info, Market>>,
}

/// Step two: the proposed authority signs to take over.
pub fn accept_authority(ctx: Context<AcceptAuthority>) -> Result<()> {
    let market = &mut ctx.accounts.market;
    require_keys_neq!(
        market.pending_authority,
        Pubkey::default(),
        SluiceError::NoPendingAuthority
    );
    require_keys_eq!(
        market.pending_authority,
        ctx.accounts.new_authority.key(),
        SluiceError::NotPendingAuthority
    );
    let previous = market.authority;
    market.authority = market.pending_authority;
    market.pending_authority = Pubkey::default();
    emit!(AuthorityAccepted {
        market: market.key(),
        previous,
        authority: market.authority
    });
    Ok(())
}
