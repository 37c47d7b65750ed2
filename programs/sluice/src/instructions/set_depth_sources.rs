//! set_depth_sources (authority): registers the on-chain liquidity sources
//! whose depth caps how much of this pool's collateral may be seized per
//! slot. Their accounts are passed as remaining accounts (in order) and
//! checked now; every liquidation checks them again.
use anchor_lang::prelude::*;

use crate::constants::MAX_DEPTH_SOURCES;
use crate::depth::{live_depth, validate_source};
use crate::errors::SluiceError;
use crate::events::DepthSourcesUpdated;
use crate::state::{DepthKind, DepthSource, Market, Pool};

#[derive(Accounts)]
pub struct SetDepthSources<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ SluiceError::Unauthorized)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, has_one = market @ SluiceError::PoolMarketMismatch)]
    pub pool: AccountLoader<'info, Pool>,
}

pub fn set_depth_sources<'info>(
    ctx: Context<'info, SetDepthSources<'info>>,
    sources: [DepthSource; MAX_DEPTH_SOURCES],
) -> Result<()> {
    let remaining = ctx.remaining_accounts;
    let pool_key = ctx.accounts.pool.key();
    let mut pool = ctx.accounts.pool.load_mut()?;
    let mut used = 0usize;
    for s in sources.iter() {
        let n = s.account_count();
        if s.kind()? == DepthKind::None {
            require!(
                s.account_a == Pubkey::default() && s.account_b == Pubkey::default(),
                SluiceError::DepthAccountInvalid
            );
        }
        let accs = remaining
            .get(used..used + n)
            .ok_or(SluiceError::MissingDepthAccount)?;
        validate_source(s, accs, &pool.mint)?;
        used += n;
    }
    pool.depth_sources = sources;
    // the registered depth, read now, is the estimate from this slot on
    let (live, _) = live_depth(&pool, remaining)?;
    let slot = Clock::get()?.slot;
    pool.seed_depth(slot, live.unwrap_or(0));
    emit!(DepthSourcesUpdated {
        pool: pool_key,
        kinds: [sources[0].kind, sources[1].kind],
        depth: live.unwrap_or(0),
    });
    Ok(())
}
