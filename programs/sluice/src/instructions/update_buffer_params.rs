//! update_buffer_params (governance): replaces a buffer pool's parameters,
//! every bound checked. Shares, balances and pending deposits are untouched.
use anchor_lang::prelude::*;

use crate::errors::SluiceError;
use crate::events::BufferParamsUpdated;
use crate::state::{BufferParams, BufferPool, Market};

#[derive(Accounts)]
pub struct UpdateBufferParams<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ SluiceError::Unauthorized)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::BufferMismatch)]
    pub buffer: Box<Account<'info, BufferPool>>,
}

pub fn update_buffer_params(ctx: Context<UpdateBufferParams>, params: BufferParams) -> Result<()> {
    params.validate()?;
    let buffer = &mut ctx.accounts.buffer;
    let old = buffer.params;
    buffer.params = params;
    emit!(BufferParamsUpdated {
        buffer: buffer.key(),
        old,
        new: params,
    });
    Ok(())
}
