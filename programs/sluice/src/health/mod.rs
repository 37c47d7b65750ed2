//! Position health, computed once per instruction (mango's health-cache shape).
//!
//! [`HealthCache::new`] reads every pool a position uses exactly once into a
//! small [`PoolInfo`] (prices, weights, borrow index, whether the price is
//! usable) and builds the position's legs. Every view of health (opening
//! risk, liquidation, spot, sizing) is then a loop over at most eight legs
//! with no account access, and a liquidation updates the legs in place
//! ([`HealthCache::apply_seizure`]) instead of re-reading pools.
//!
//! Pools the instruction already holds are passed as `loaded`; every other
//! pool the position uses must be among the remaining accounts, in any order
//! (`remaining` may hold other accounts too; pools are found by key).
//!
//! Prices. Opening risk (`Initial`) needs every pool refreshed in this slot.
//! Liquidation views never fail on a pool the borrower chose. A price within
//! its oracle's `max_age_secs` is used as stored: anyone could re-submit that
//! same update, so it gives a keeper no extra choice. An older one (its
//! oracle failing, or nobody refreshed the pool) prices debt at the higher
//! of its last spot and TWAP; as collateral it counts as zero for sizing a
//! liquidation, and for eligibility it fades linearly to zero between
//! `max_age_secs` and twice that ([`stale_weight_bps`]): a failing oracle
//! cannot block a liquidation for longer than that, and a keeper who skips a
//! quiet pool's refresh cannot make a healthy position liquidatable before.
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

use crate::constants::{MAX_COLLATERAL_ENTRIES, MAX_DEBT_ENTRIES};
use crate::errors::SluiceError;
use crate::math::health::{self as math, Health};
use crate::math::price::{borrow_side, divergence_bps, liquidation_side, stale_weight_bps};
use crate::math::shares::debt_amount;
use crate::math::Rounding;
use crate::state::{Pool, Position};

/// Which prices and weights a health view uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthType {
    /// Opening risk: collateral at min(spot, TWAP) x LTV, debt at max(spot, TWAP).
    Initial,
    /// Liquidation: collateral at max(spot, TWAP) x threshold, debt at min(spot, TWAP)
    /// (spot alone for pools whose preset ignores the TWAP).
    Maintenance,
    /// Spot prices x threshold: what an unguarded protocol would see.
    Spot,
    /// Sizing a liquidation: collateral at min(spot, TWAP), debt at max(spot,
    /// TWAP), x threshold (spot alone for pools that ignore the TWAP).
    Sizing,
}

/// What health needs of one pool, read once.
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolInfo {
    pub key: Pubkey,
    pub spot: u128,
    pub smoothed: u128,
    /// The liquidation guard's (high, low) (`Pool::guard_prices`).
    pub guard: (u128, u128),
    pub borrow_index: u128,
    pub ltv_bps: u16,
    pub threshold_bps: u16,
    pub max_twap_divergence_bps: u16,
    pub use_twap: bool,
    /// Refreshed in this slot.
    pub fresh: bool,
    /// Last price within the oracle's max age (usable for liquidation views).
    pub usable: bool,
    /// Share of its collateral value the eligibility views still count
    /// (bps): 10,000 while usable, fading to 0 at twice the max age.
    pub eligibility_bps: u16,
}

impl PoolInfo {
    pub fn new(key: Pubkey, pool: &Pool, slot: u64, now: i64) -> Self {
        let spot = pool.spot_price_wad.get();
        let max_age = i64::from(pool.params.oracle.max_age_secs);
        PoolInfo {
            key,
            spot,
            smoothed: pool.smoothed_price(),
            guard: pool.guard_prices(),
            borrow_index: pool.borrow_index.get(),
            ltv_bps: pool.effective_ltv_bps(),
            threshold_bps: pool.effective_threshold_bps(),
            max_twap_divergence_bps: pool.params.oracle.max_twap_divergence_bps,
            use_twap: pool.params.liquidation.uses_twap(),
            fresh: pool.price_slot == slot && spot > 0,
            usable: spot > 0 && pool.price_publish_time.saturating_add(max_age) >= now,
            eligibility_bps: if spot > 0 {
                stale_weight_bps(now.saturating_sub(pool.price_publish_time), max_age)
            } else {
                0
            },
        }
    }

    /// (collateral unit price, debt unit price) under `ty`.
    pub fn prices(&self, ty: HealthType) -> (u128, u128) {
        let (spot, smoothed) = (self.spot, self.smoothed);
        let guarded = self.use_twap;
        match ty {
            HealthType::Initial => borrow_side(spot, smoothed),
            HealthType::Spot => (spot, spot),
            HealthType::Maintenance if guarded => liquidation_side(spot, self.guard),
            HealthType::Sizing if guarded => borrow_side(spot, smoothed),
            HealthType::Maintenance | HealthType::Sizing => (spot, spot),
        }
    }

    /// Collateral weight under `ty` (bps); 0: not counted.
    fn weight(&self, ty: HealthType) -> u16 {
        match ty {
            HealthType::Initial => self.ltv_bps,
            HealthType::Sizing if !self.usable => 0,
            HealthType::Sizing => self.threshold_bps,
            HealthType::Maintenance | HealthType::Spot => {
                let w = u32::from(self.threshold_bps) * u32::from(self.eligibility_bps) / 10_000;
                u16::try_from(w).unwrap_or(0)
            }
        }
    }
}

/// Reads a pool passed as a remaining account: owned by this program, a
/// `Pool` (discriminator and size), of `market`. Zero-copy: no copy of the
/// account, only the fields health needs.
pub fn read_remaining_pool(
    info: &AccountInfo,
    market: &Pubkey,
    slot: u64,
    now: i64,
) -> Result<PoolInfo> {
    require_keys_eq!(*info.owner, crate::ID, SluiceError::InvalidPoolAccount);
    let data = info.try_borrow_data()?;
    let size = 8 + core::mem::size_of::<Pool>();
    require!(
        data.len() >= size && data[..8] == *Pool::DISCRIMINATOR,
        SluiceError::InvalidPoolAccount
    );
    let pool: &Pool = bytemuck::try_from_bytes(&data[8..size])
        .map_err(|_| error!(SluiceError::InvalidPoolAccount))?;
    require_keys_eq!(pool.market, *market, SluiceError::InvalidPoolAccount);
    Ok(PoolInfo::new(*info.key, pool, slot, now))
}

#[derive(Clone, Copy, Debug, Default)]
struct CollateralLeg {
    pool: u8,
    amount: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct DebtLeg {
    pool: u8,
    /// Owed, rounded up.
    amount: u128,
}

/// A position's legs with their pools, built once per instruction.
#[derive(Clone, Debug, Default)]
pub struct HealthCache {
    pools: [PoolInfo; MAX_COLLATERAL_ENTRIES + MAX_DEBT_ENTRIES],
    n_pools: usize,
    collateral: [CollateralLeg; MAX_COLLATERAL_ENTRIES],
    n_collateral: usize,
    debts: [DebtLeg; MAX_DEBT_ENTRIES],
    n_debts: usize,
}

impl HealthCache {
    /// Builds the cache for `position` (see the module doc for `loaded` and
    /// `remaining`). Boxed: it is about 1 KB and stack frames are 4 KB.
    pub fn new(
        position: &Position,
        loaded: &[(Pubkey, &Pool)],
        remaining: &[AccountInfo],
        slot: u64,
        now: i64,
    ) -> Result<Box<HealthCache>> {
        let mut cache = Box::<HealthCache>::default();
        for entry in position.collateral.iter().filter(|c| c.amount > 0) {
            let pool = cache.pool_index(&entry.pool, position, loaded, remaining, slot, now)?;
            cache.collateral[cache.n_collateral] = CollateralLeg {
                pool,
                amount: entry.amount,
            };
            cache.n_collateral += 1;
        }
        for entry in position.debts.iter().filter(|d| d.scaled_debt > 0) {
            let pool = cache.pool_index(&entry.pool, position, loaded, remaining, slot, now)?;
            let index = cache.pools[usize::from(pool)].borrow_index;
            cache.debts[cache.n_debts] = DebtLeg {
                pool,
                amount: debt_amount(entry.scaled_debt, index, Rounding::Up)?,
            };
            cache.n_debts += 1;
        }
        Ok(cache)
    }

    fn pool_index(
        &mut self,
        key: &Pubkey,
        position: &Position,
        loaded: &[(Pubkey, &Pool)],
        remaining: &[AccountInfo],
        slot: u64,
        now: i64,
    ) -> Result<u8> {
        if let Some(i) = self.pools[..self.n_pools]
            .iter()
            .position(|p| p.key == *key)
        {
            return Ok(i as u8);
        }
        let info = match loaded.iter().find(|(k, _)| k == key) {
            Some((k, pool)) => PoolInfo::new(*k, pool, slot, now),
            None => {
                let acc = remaining
                    .iter()
                    .find(|a| a.key == key)
                    .ok_or(SluiceError::MissingPoolAccount)?;
                read_remaining_pool(acc, &position.market, slot, now)?
            }
        };
        let i = self.n_pools;
        self.pools[i] = info;
        self.n_pools += 1;
        Ok(i as u8)
    }

    pub fn pool(&self, key: &Pubkey) -> Option<&PoolInfo> {
        self.pools[..self.n_pools].iter().find(|p| p.key == *key)
    }

    pub fn pools(&self) -> &[PoolInfo] {
        &self.pools[..self.n_pools]
    }

    /// Health under `ty`. `Initial` fails unless every pool was refreshed in
    /// this slot; the liquidation views never fail on a price (module doc).
    pub fn health(&self, ty: HealthType) -> Result<Health> {
        let mut col = [math::CollateralLeg::default(); MAX_COLLATERAL_ENTRIES];
        let mut nc = 0;
        for leg in &self.collateral[..self.n_collateral] {
            let p = &self.pools[usize::from(leg.pool)];
            if ty == HealthType::Initial {
                require!(p.fresh, SluiceError::PriceNotRefreshed);
            }
            let weight_bps = p.weight(ty);
            if weight_bps == 0 {
                continue; // no usable price: worth nothing to the borrower
            }
            col[nc] = math::CollateralLeg {
                amount: leg.amount.into(),
                unit_price: p.prices(ty).0,
                weight_bps,
            };
            nc += 1;
        }
        let mut debt = [math::DebtLeg::default(); MAX_DEBT_ENTRIES];
        for (d, leg) in debt.iter_mut().zip(&self.debts[..self.n_debts]) {
            let p = &self.pools[usize::from(leg.pool)];
            let unit_price = if ty == HealthType::Initial {
                require!(p.fresh, SluiceError::PriceNotRefreshed);
                p.prices(ty).1
            } else if p.usable {
                p.prices(ty).1
            } else {
                p.spot.max(p.smoothed) // no usable price: the higher known one
            };
            *d = math::DebtLeg {
                amount: leg.amount,
                unit_price,
            };
        }
        Ok(Health::compute(&col[..nc], &debt[..self.n_debts])?)
    }

    /// Fails with `PositionUnhealthy` unless the position passes the LTV check.
    pub fn require_initial(&self) -> Result<Health> {
        let h = self.health(HealthType::Initial)?;
        require!(h.is_healthy(), SluiceError::PositionUnhealthy);
        Ok(h)
    }

    /// Fails unless the position is liquidatable under the TWAP guard. A
    /// position unhealthy at spot but healthy under the guard (a wick) gets
    /// `LiquidationWaitsForTwap` when some usable pool's spot/TWAP divergence
    /// exceeds its bound, `PositionHealthy` otherwise.
    pub fn require_liquidatable(&self) -> Result<Health> {
        let h = self.health(HealthType::Maintenance)?;
        if !h.is_healthy() {
            return Ok(h);
        }
        if !self.health(HealthType::Spot)?.is_healthy() {
            for p in self.pools().iter().filter(|p| p.usable) {
                let div =
                    divergence_bps(p.spot, p.guard.0)?.max(divergence_bps(p.spot, p.guard.1)?);
                if div > u128::from(p.max_twap_divergence_bps) {
                    return err!(SluiceError::LiquidationWaitsForTwap);
                }
            }
        }
        err!(SluiceError::PositionHealthy)
    }

    /// Collateral of `pool` in the cache.
    pub fn collateral_amount(&self, pool: &Pubkey) -> u64 {
        self.collateral[..self.n_collateral]
            .iter()
            .find(|c| self.pools[usize::from(c.pool)].key == *pool)
            .map_or(0, |c| c.amount)
    }

    /// Debt owed to `pool` in the cache (rounded up).
    pub fn debt_amount(&self, pool: &Pubkey) -> u128 {
        self.debts[..self.n_debts]
            .iter()
            .find(|d| self.pools[usize::from(d.pool)].key == *pool)
            .map_or(0, |d| d.amount)
    }

    /// Updates the legs after a liquidation took `seized` collateral from
    /// `collateral_pool` and left `debt_left` owed to `debt_pool`.
    pub fn apply_seizure(
        &mut self,
        collateral_pool: &Pubkey,
        seized: u64,
        debt_pool: &Pubkey,
        debt_left: u128,
    ) {
        let pools = &self.pools;
        for c in self.collateral[..self.n_collateral].iter_mut() {
            if pools[usize::from(c.pool)].key == *collateral_pool {
                c.amount = c.amount.saturating_sub(seized);
            }
        }
        for d in self.debts[..self.n_debts].iter_mut() {
            if pools[usize::from(d.pool)].key == *debt_pool {
                d.amount = debt_left;
            }
        }
    }

    pub fn has_debt(&self) -> bool {
        self.debts[..self.n_debts].iter().any(|d| d.amount > 0)
    }
}

/// One-shot health of `position` under `ty` (off-chain scanners and tests;
/// instructions keep the [`HealthCache`]). `now` is the cluster time that
/// decides whether a price is usable; `i64::MIN` treats every stored price
/// as usable.
pub fn position_health(
    position: &Position,
    loaded: &[(Pubkey, &Pool)],
    remaining: &[AccountInfo],
    slot: u64,
    now: i64,
    ty: HealthType,
) -> Result<Health> {
    HealthCache::new(position, loaded, remaining, slot, now)?.health(ty)
}
