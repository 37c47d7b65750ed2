use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::{EventHeader, PositionClosed};
use crate::state::Position;

#[derive(Accounts)]
pub struct ClosePosition<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut, close = owner, has_one = owner @ SluiceError::NotPositionOwner)]
    pub position: Box<Account<'info, Position>>,
}

/// Closes an empty position and returns its rent to the owner.
pub fn close_position(ctx: Context<ClosePosition>) -> Result<()> {
    let p = &ctx.accounts.position;
    require!(p.is_empty(), SluiceError::PositionNotEmpty);
    emit!(PositionClosed {
        header: EventHeader::new(p.market, p.key(), p.owner),
    });
    Ok(())
}
