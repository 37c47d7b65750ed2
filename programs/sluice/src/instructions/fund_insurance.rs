//! fund_insurance (anyone): tops up a pool's insurance buffer (a treasury or
//! governance contribution). The tokens can only ever leave to pay bad debt.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::SluiceError;
use crate::events::InsuranceFunded;
use crate::instructions::common::transfer_from_user;
use crate::state::{InsuranceBuffer, Pool};

#[derive(Accounts)]
pub struct FundInsurance<'info> {
    pub funder: Signer<'info>,
    #[account(has_one = insurance @ SluiceError::InsuranceMismatch)]
    pub pool: AccountLoader<'info, Pool>,
    #[account(
        mut,
        constraint = insurance.vault == insurance_vault.key() @ SluiceError::InsuranceMismatch,
    )]
    pub insurance: Box<Account<'info, InsuranceBuffer>>,
    #[account(mut)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, constraint = source.mint == pool.load()?.mint @ SluiceError::MintMismatch)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn fund_insurance(ctx: Context<FundInsurance>, amount: u64) -> Result<()> {
    let a = ctx.accounts;
    require!(amount > 0, SluiceError::ZeroAmount);
    transfer_from_user(
        &a.token_program,
        &a.source,
        &a.insurance_vault,
        &a.funder,
        amount,
    )?;
    a.insurance.record_funding(amount)?;
    emit!(InsuranceFunded {
        pool: a.pool.key(),
        insurance: a.insurance.key(),
        amount,
    });
    Ok(())
}
