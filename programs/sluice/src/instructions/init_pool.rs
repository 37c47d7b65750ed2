use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::*;
use crate::errors::SluiceError;
use crate::events::PoolInitialized;
use crate::math::fixed::SafeMath;
use crate::state::{InsuranceBuffer, Market, OracleConfig, OracleKind, Pool, PoolParams};

#[derive(Accounts)]
pub struct InitPool<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ SluiceError::Unauthorized)]
    pub market: Box<Account<'info, Market>>,
    pub mint: Box<Account<'info, Mint>>,
    #[account(
        init, payer = payer, space = 8 + core::mem::size_of::<Pool>(),
        seeds = [POOL_SEED, market.key().as_ref(), mint.key().as_ref()], bump
    )]
    pub pool: AccountLoader<'info, Pool>,
    #[account(
        init, payer = payer, seeds = [VAULT_SEED, pool.key().as_ref()], bump,
        token::mint = mint, token::authority = pool
    )]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init, payer = payer, seeds = [SHARE_MINT_SEED, pool.key().as_ref()], bump,
        mint::decimals = mint.decimals, mint::authority = pool
    )]
    pub share_mint: Box<Account<'info, Mint>>,
    #[account(
        init, payer = payer, space = 8 + InsuranceBuffer::INIT_SPACE,
        seeds = [INSURANCE_SEED, pool.key().as_ref()], bump
    )]
    pub insurance: Box<Account<'info, InsuranceBuffer>>,
    #[account(
        init, payer = payer, seeds = [INSURANCE_VAULT_SEED, pool.key().as_ref()], bump,
        token::mint = mint, token::authority = pool
    )]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn init_pool(ctx: Context<InitPool>, oracle: OracleConfig, params: PoolParams) -> Result<()> {
    params.validate()?;
    let kind = oracle.kind()?;
    require!(
        ctx.accounts.mint.decimals <= bounds::MAX_DECIMALS,
        SluiceError::MintDecimalsOutOfRange
    );
    if kind == OracleKind::PythLegacy {
        require_keys_neq!(
            oracle.oracle,
            Pubkey::default(),
            SluiceError::OracleAccountMismatch
        );
    }
    let now = Clock::get()?.unix_timestamp;
    let a = ctx.accounts;
    let pool_key = a.pool.key();

    let mut pool = a.pool.load_init()?;
    pool.version = POOL_VERSION;
    pool.bump = ctx.bumps.pool;
    pool.vault_bump = ctx.bumps.vault;
    pool.share_mint_bump = ctx.bumps.share_mint;
    pool.decimals = a.mint.decimals;
    pool.market = a.market.key();
    pool.mint = a.mint.key();
    pool.vault = a.vault.key();
    pool.share_mint = a.share_mint.key();
    pool.insurance = a.insurance.key();
    pool.oracle = oracle;
    pool.params = params;
    pool.borrow_index.set(Pool::initial_index());
    pool.last_accrual_ts = now;
    drop(pool);

    let ins = &mut a.insurance;
    ins.version = POOL_VERSION;
    ins.bump = ctx.bumps.insurance;
    ins.vault_bump = ctx.bumps.insurance_vault;
    ins.pool = pool_key;
    ins.vault = a.insurance_vault.key();

    a.market.pool_count = a.market.pool_count.safe_add(1)?;
    emit!(PoolInitialized {
        market: a.market.key(),
        pool: pool_key,
        mint: a.mint.key(),
        oracle_kind: oracle.kind,
    });
    Ok(())
}
