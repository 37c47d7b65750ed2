use anchor_lang::prelude::*;

use crate::constants::{POSITION_SEED, POSITION_VERSION};
use crate::events::{EventHeader, PositionOpened};
use crate::state::{Market, Position};

#[derive(Accounts)]
pub struct OpenPosition<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(
        init, payer = owner, space = 8 + Position::INIT_SPACE,
        seeds = [POSITION_SEED, market.key().as_ref(), owner.key().as_ref()], bump
    )]
    pub position: Box<Account<'info, Position>>,
    pub system_program: Program<'info, System>,
}

/// Opens the owner's (one) position in this market.
pub fn open_position(ctx: Context<OpenPosition>) -> Result<()> {
    let p = &mut ctx.accounts.position;
    p.version = POSITION_VERSION;
    p.bump = ctx.bumps.position;
    p.market = ctx.accounts.market.key();
    p.owner = ctx.accounts.owner.key();
    emit!(PositionOpened {
        header: EventHeader::new(p.market, p.key(), p.owner),
    });
    Ok(())
}
