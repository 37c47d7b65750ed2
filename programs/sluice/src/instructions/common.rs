//! Plumbing shared by instructions: token moves and the position health check.
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, MintTo, Token, TokenAccount, Transfer};

use crate::errors::SluiceError;
use crate::math::health::{CollateralLeg, DebtLeg, Health};
use crate::math::shares::debt_amount;
use crate::math::Rounding;
use crate::state::{Pool, Position};

/// Moves `amount` from a user's token account into a pool-owned account.
pub fn transfer_from_user<'info>(
    token_program: &Program<'info, Token>,
    from: &Account<'info, TokenAccount>,
    to: &Account<'info, TokenAccount>,
    authority: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    token::transfer(
        CpiContext::new(
            token_program.key(),
            Transfer {
                from: from.to_account_info(),
                to: to.to_account_info(),
                authority: authority.to_account_info(),
            },
        ),
        amount,
    )
}

/// Moves `amount` out of an account whose authority is the pool PDA.
pub fn transfer_from_pool<'info>(
    token_program: &Program<'info, Token>,
    from: &Account<'info, TokenAccount>,
    to: &Account<'info, TokenAccount>,
    pool: &Account<'info, Pool>,
    amount: u64,
) -> Result<()> {
    let seeds = pool.signer_seeds();
    token::transfer(
        CpiContext::new_with_signer(
            token_program.key(),
            Transfer {
                from: from.to_account_info(),
                to: to.to_account_info(),
                authority: pool.to_account_info(),
            },
            &[&seeds],
        ),
        amount,
    )
}

pub fn mint_shares<'info>(
    token_program: &Program<'info, Token>,
    share_mint: &Account<'info, Mint>,
    to: &Account<'info, TokenAccount>,
    pool: &Account<'info, Pool>,
    amount: u64,
) -> Result<()> {
    let seeds = pool.signer_seeds();
    token::mint_to(
        CpiContext::new_with_signer(
            token_program.key(),
            MintTo {
                mint: share_mint.to_account_info(),
                to: to.to_account_info(),
                authority: pool.to_account_info(),
            },
            &[&seeds],
        ),
        amount,
    )
}

pub fn burn_shares<'info>(
    token_program: &Program<'info, Token>,
    share_mint: &Account<'info, Mint>,
    from: &Account<'info, TokenAccount>,
    owner: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    token::burn(
        CpiContext::new(
            token_program.key(),
            Burn {
                mint: share_mint.to_account_info(),
                from: from.to_account_info(),
                authority: owner.to_account_info(),
            },
        ),
        amount,
    )
}

/// Which prices and weights a health check uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthMode {
    /// Opening risk: collateral at min(spot, TWAP) x LTV, debt at max(spot, TWAP).
    Initial,
    /// Liquidation: collateral at max(spot, TWAP) x threshold, debt at min(spot, TWAP)
    /// (spot alone for pools whose preset ignores the TWAP).
    Maintenance,
    /// Spot prices x threshold: what an unguarded protocol would see.
    Spot,
    /// Sizing a liquidation: collateral at min(spot, TWAP), debt at max(spot,
    /// TWAP), x threshold (spot alone for pools that ignore the TWAP). The lot
    /// is priced where it can actually be sold.
    Sizing,
}

/// Loads a pool passed as a remaining account: owned by this program, a Pool,
/// of `market`.
pub fn load_remaining_pool(info: &AccountInfo, market: &Pubkey) -> Result<Box<Pool>> {
    require_keys_eq!(*info.owner, crate::ID, SluiceError::InvalidPoolAccount);
    let data = info.try_borrow_data()?;
    let pool = Pool::try_deserialize(&mut &data[..])
        .map_err(|_| error!(SluiceError::InvalidPoolAccount))?;
    require_keys_eq!(pool.market, *market, SluiceError::InvalidPoolAccount);
    Ok(Box::new(pool))
}

/// Health of `position`. Pools the instruction already holds (and may have
/// changed in memory) are passed in `loaded`; every other pool the position
/// uses must be among `remaining`. Every pool's price must be from this slot.
pub fn position_health(
    position: &Position,
    loaded: &[(Pubkey, &Pool)],
    remaining: &[AccountInfo],
    slot: u64,
    mode: HealthMode,
) -> Result<Health> {
    let find = |key: &Pubkey| -> Result<Box<Pool>> {
        if let Some((_, p)) = loaded.iter().find(|(k, _)| k == key) {
            return Ok(Box::new((*p).clone()));
        }
        let info = remaining
            .iter()
            .find(|a| a.key == key)
            .ok_or(SluiceError::MissingPoolAccount)?;
        load_remaining_pool(info, &position.market)
    };
    let mut col = [CollateralLeg {
        amount: 0,
        unit_price: 0,
        weight_bps: 0,
    }; crate::constants::MAX_COLLATERAL_ENTRIES];
    let mut debt = [DebtLeg {
        amount: 0,
        unit_price: 0,
    }; crate::constants::MAX_DEBT_ENTRIES];
    let (mut nc, mut nd) = (0, 0);
    for entry in position.collateral.iter().filter(|c| c.amount > 0) {
        let pool = find(&entry.pool)?;
        pool.require_fresh_price(slot)?;
        let (price, _) = prices(&pool, slot, mode)?;
        let weight = match mode {
            HealthMode::Initial => pool.params.risk.ltv_bps,
            HealthMode::Maintenance | HealthMode::Spot | HealthMode::Sizing => {
                pool.params.risk.liquidation_threshold_bps
            }
        };
        col[nc] = CollateralLeg {
            amount: entry.amount.into(),
            unit_price: price,
            weight_bps: weight,
        };
        nc += 1;
    }
    for entry in position.debts.iter().filter(|d| d.scaled_debt > 0) {
        let pool = find(&entry.pool)?;
        pool.require_fresh_price(slot)?;
        let (_, price) = prices(&pool, slot, mode)?;
        let amount = debt_amount(entry.scaled_debt, pool.borrow_index, Rounding::Up)?;
        debt[nd] = DebtLeg {
            amount,
            unit_price: price,
        };
        nd += 1;
    }
    Ok(Health::compute(&col[..nc], &debt[..nd])?)
}

fn prices(pool: &Pool, slot: u64, mode: HealthMode) -> Result<(u128, u128)> {
    match mode {
        HealthMode::Initial => pool.borrow_prices(slot),
        HealthMode::Maintenance => pool.liquidation_prices(slot),
        HealthMode::Spot => Ok((pool.spot_price_wad, pool.spot_price_wad)),
        HealthMode::Sizing => {
            if pool.params.liquidation.use_twap {
                pool.borrow_prices(slot)
            } else {
                Ok((pool.spot_price_wad, pool.spot_price_wad))
            }
        }
    }
}

/// Fails unless the position is liquidatable under the TWAP guard. A
/// position unhealthy at spot but healthy under the guard (a wick) gets
/// `LiquidationWaitsForTwap` when some pool's spot/TWAP divergence exceeds its
/// bound, `PositionHealthy` otherwise.
pub fn require_liquidatable(
    position: &Position,
    loaded: &[(Pubkey, &Pool)],
    remaining: &[AccountInfo],
    slot: u64,
) -> Result<Health> {
    let h = position_health(position, loaded, remaining, slot, HealthMode::Maintenance)?;
    if !h.is_healthy() {
        return Ok(h);
    }
    let spot = position_health(position, loaded, remaining, slot, HealthMode::Spot)?;
    if !spot.is_healthy() {
        for key in position.pools() {
            let pool = match loaded.iter().find(|(k, _)| *k == key) {
                Some((_, p)) => Box::new((*p).clone()),
                None => {
                    let info = remaining
                        .iter()
                        .find(|a| *a.key == key)
                        .ok_or(SluiceError::MissingPoolAccount)?;
                    load_remaining_pool(info, &position.market)?
                }
            };
            let bound = u128::from(pool.params.oracle.max_twap_divergence_bps);
            if pool.twap_divergence_bps(slot)? > bound {
                return err!(SluiceError::LiquidationWaitsForTwap);
            }
        }
    }
    err!(SluiceError::PositionHealthy)
}

/// Pays `shortfall` of bad debt owed to `debt_pool`: the insurance buffer
/// first (tokens move from its vault into the pool's vault), the rest is
/// socialized to the pool's lenders. Books the pool's liquidity and the
/// buffer's totals; the caller removes the debt itself. Returns (covered, socialized).
#[allow(clippy::too_many_arguments)]
pub fn cover_bad_debt<'info>(
    token_program: &Program<'info, Token>,
    debt_pool: &mut Account<'info, Pool>,
    debt_vault: &Account<'info, TokenAccount>,
    insurance: &mut Account<'info, crate::state::InsuranceBuffer>,
    insurance_vault: &Account<'info, TokenAccount>,
    position: Pubkey,
    shortfall: u64,
) -> Result<(u64, u64)> {
    if shortfall == 0 {
        return Ok((0, 0));
    }
    let covered = shortfall.min(insurance_vault.amount);
    if covered > 0 {
        transfer_from_pool(
            token_program,
            insurance_vault,
            debt_vault,
            debt_pool,
            covered,
        )?;
        debt_pool.available_liquidity = debt_pool
            .available_liquidity
            .checked_add(covered)
            .ok_or(SluiceError::MathOverflow)?;
        insurance.total_paid = insurance
            .total_paid
            .checked_add(covered)
            .ok_or(SluiceError::MathOverflow)?;
    }
    let socialized = shortfall - covered;
    debt_pool.total_bad_debt = debt_pool.total_bad_debt.saturating_add(shortfall);
    debt_pool.total_socialized = debt_pool.total_socialized.saturating_add(socialized);
    emit!(crate::events::BadDebtCovered {
        pool: debt_pool.key(),
        position,
        shortfall,
        from_insurance: covered,
    });
    if socialized > 0 {
        emit!(crate::events::BadDebtSocialized {
            pool: debt_pool.key(),
            position,
            amount: socialized,
        });
    }
    Ok((covered, socialized))
}

/// Pseudo-random 0..=max drawn from the most recent SlotHashes entry.
pub fn slot_hash_jitter(slot_hashes: &AccountInfo, max: u16) -> Result<u64> {
    require_keys_eq!(
        slot_hashes.key(),
        crate::constants::SLOT_HASHES_ID,
        SluiceError::AuctionMismatch
    );
    if max == 0 {
        return Ok(0);
    }
    let data = slot_hashes.try_borrow_data()?;
    // layout: u64 count, then (u64 slot, [u8; 32] hash) newest first
    let word: [u8; 8] = data
        .get(16..24)
        .and_then(|b| b.try_into().ok())
        .unwrap_or([0; 8]);
    Ok(u64::from_le_bytes(word) % (u64::from(max) + 1))
}

/// Fails with `PositionUnhealthy` unless the position passes the initial (LTV) check.
pub fn require_initial_health(
    position: &Position,
    loaded: &[(Pubkey, &Pool)],
    remaining: &[AccountInfo],
    slot: u64,
) -> Result<Health> {
    let h = position_health(position, loaded, remaining, slot, HealthMode::Initial)?;
    require!(h.is_healthy(), SluiceError::PositionUnhealthy);
    Ok(h)
}
