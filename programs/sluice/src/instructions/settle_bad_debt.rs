//! settle_bad_debt (anyone): a position with debt in `debt_pool` but no
//! collateral left anywhere (and no auction that could return some) is
//! written off: the insurance buffer pays first, lenders absorb the rest.
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::SluiceError;
use crate::events::EventHeader;
use crate::instructions::common::{pay_bad_debt, VaultBooks};
use crate::state::{InsuranceBuffer, Market, Pool, Position};

#[event_cpi]
#[derive(Accounts)]
pub struct SettleBadDebt<'info> {
    pub keeper: Signer<'info>,
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub position: Box<Account<'info, Position>>,
    #[account(
        mut,
        has_one = market @ SluiceError::PoolMarketMismatch,
        has_one = insurance @ SluiceError::InsuranceMismatch,
        constraint = debt_pool.load()?.vault == debt_vault.key() @ SluiceError::VaultMismatch,
    )]
    pub debt_pool: AccountLoader<'info, Pool>,
    #[account(mut)]
    pub debt_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        constraint = insurance.vault == insurance_vault.key() @ SluiceError::InsuranceMismatch,
    )]
    pub insurance: Box<Account<'info, InsuranceBuffer>>,
    #[account(mut)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn settle_bad_debt(ctx: Context<SettleBadDebt>) -> Result<()> {
    let a = ctx.accounts;
    require!(
        !a.position.has_collateral(),
        SluiceError::PositionHasCollateral
    );
    require!(a.position.open_auctions == 0, SluiceError::AuctionsPending);
    let books = VaultBooks::before(&a.debt_vault, &*a.debt_pool.load()?)?;
    let key = a.debt_pool.key();
    let (bad, signer) = {
        let mut pool = a.debt_pool.load_mut()?;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        let owed = a.position.write_off_debt(&key, &mut pool)?;
        (
            pool.book_bad_debt(owed, a.insurance_vault.amount)?,
            pool.signer(),
        )
    };
    pay_bad_debt(
        &a.token_program,
        &a.insurance_vault,
        &a.debt_vault,
        &a.debt_pool.to_account_info(),
        &signer,
        &mut a.insurance,
        EventHeader::new(a.position.market, a.position.key(), a.keeper.key()),
        &a.event_authority,
        &bad,
    )?;
    books.check(&a.debt_vault.to_account_info(), &*a.debt_pool.load()?)
}
