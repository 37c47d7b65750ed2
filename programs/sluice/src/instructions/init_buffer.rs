//! init_buffer (governance): creates the buffer pool of a (collateral pool,
//! debt pool) pair with its two vaults (debt tokens, absorbed collateral).
use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::BufferInitialized;
use crate::state::{BufferParams, BufferPool, Market, Pool};

#[derive(Accounts)]
pub struct InitBuffer<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(has_one = authority @ SluiceError::Unauthorized)]
    pub market: Box<Account<'info, Market>>,
    #[account(
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = collateral_pool.load()?.mint == collateral_mint.key() @ SluiceError::MintMismatch,
        constraint = collateral_pool.key() != debt_pool.key() @ SluiceError::SamePoolCollateralAndDebt,
    )]
    pub collateral_pool: AccountLoader<'info, Pool>,
    #[account(
        has_one = market @ SluiceError::PoolMarketMismatch,
        constraint = debt_pool.load()?.mint == debt_mint.key() @ SluiceError::MintMismatch,
    )]
    pub debt_pool: AccountLoader<'info, Pool>,
    pub collateral_mint: Box<Account<'info, Mint>>,
    pub debt_mint: Box<Account<'info, Mint>>,
    #[account(
        init, payer = payer, space = 8 + BufferPool::INIT_SPACE,
        seeds = [BUFFER_SEED, collateral_pool.key().as_ref(), debt_pool.key().as_ref()], bump
    )]
    pub buffer: Box<Account<'info, BufferPool>>,
    #[account(
        init, payer = payer, seeds = [BUFFER_DEBT_VAULT_SEED, buffer.key().as_ref()], bump,
        token::mint = debt_mint, token::authority = buffer
    )]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init, payer = payer, seeds = [BUFFER_COLLATERAL_VAULT_SEED, buffer.key().as_ref()], bump,
        token::mint = collateral_mint, token::authority = buffer
    )]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn init_buffer(ctx: Context<InitBuffer>, params: BufferParams) -> Result<()> {
    params.validate()?;
    let b = ctx.bumps;
    let a = ctx.accounts;
    let (ckey, dkey) = (a.collateral_pool.key(), a.debt_pool.key());
    a.buffer.init(
        [b.buffer, b.debt_vault, b.collateral_vault],
        a.market.key(),
        ckey,
        dkey,
        a.debt_vault.key(),
        a.collateral_vault.key(),
        params,
    );
    emit!(BufferInitialized {
        buffer: a.buffer.key(),
        collateral_pool: ckey,
        debt_pool: dkey,
        params,
    });
    Ok(())
}
