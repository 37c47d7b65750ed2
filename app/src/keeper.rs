//! The keeper bot's core: refresh prices, find unhealthy positions, liquidate
//! them (auction or instant mode, whichever the collateral pool uses), take
//! auction lots when a venue makes it profitable, redo stale lots, and write
//! off debt that no collateral backs. Written against `Chain`, so the same
//! code drives the in-process runtime (`simulate`, tests) and a real cluster.
use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

use sluice::errors::SluiceError;
use sluice::health::{position_health, HealthType};
use sluice::math::health::Health;
use sluice::math::shares::debt_amount;
use sluice::math::Rounding;
use sluice::state::{
    Auction, AuctionStatus, BufferPool, DepthSource, LiquidationMode, Pool, Position,
};
use sluice_client::{BufferKeys, PoolKeys};

use crate::chain::{Chain, TxError};
use sluice_client::ix as ixs;

/// Where a keeper can sell collateral it receives.
#[allow(async_fn_in_trait)]
pub trait Venue<C> {
    /// Largest collateral amount (base units) whose sale still earns at least
    /// `price_wad` debt units per collateral unit (WAD).
    async fn profitable_amount(&mut self, chain: &mut C, price_wad: u128) -> Result<u64, TxError>;
    /// Sells `amount` from `seller`; returns the debt tokens received.
    async fn sell(&mut self, chain: &mut C, seller: &Keypair, amount: u64) -> Result<u64, TxError>;
}

/// No venue: lots are taken only at a discount of `min_discount_bps` to the
/// oracle price, and the collateral is held.
pub struct OracleOnly {
    pub oracle_price_wad: u128,
    pub min_discount_bps: u16,
}

impl<C> Venue<C> for OracleOnly {
    async fn profitable_amount(&mut self, _: &mut C, price_wad: u128) -> Result<u64, TxError> {
        let limit = self.oracle_price_wad * (10_000 - u128::from(self.min_discount_bps)) / 10_000;
        Ok(if price_wad <= limit { u64::MAX } else { 0 })
    }
    async fn sell(&mut self, _: &mut C, _: &Keypair, _: u64) -> Result<u64, TxError> {
        Ok(0)
    }
}

pub struct Tracked {
    pub owner: Pubkey,
    pub key: Pubkey,
    pub position: Position,
    pub auction_open: bool,
}

pub struct Keeper {
    pub market: Pubkey,
    pub collateral: PoolKeys,
    pub debt: PoolKeys,
    pub signer: Keypair,
    pub keeper_collateral: Pubkey,
    pub keeper_debt: Pubkey,
    pub positions: Vec<Tracked>,
    /// The collateral pool's depth sources (from its last fetch): their
    /// accounts go with its refresh_price so the depth estimate follows
    /// rising depth.
    pub collateral_depth: Vec<DepthSource>,
    /// The pair's buffer pool, when it has one: the keeper absorbs what the
    /// cap cannot sell and buys the buffer's collateral when a venue pays
    /// more than its sale price.
    pub buffer: Option<BufferKeys>,
    /// Whether the buffer had debt tokens left, as last read in this tick
    /// (None: read it; an absorb changes it). One read per tick and per
    /// absorb, not one per position.
    buffer_funded: Option<bool>,
    /// The market's other pools: their prices are refreshed with the pair's
    /// and they are loaded for health, so a position that also uses them
    /// is judged and liquidated whole (see [`MarketKeeper`]).
    pub other_pools: Vec<PoolKeys>,
    /// Instant mode: liquidate only while the venue pays at least the
    /// price the liquidator's collateral costs (the oracle price less the
    /// liquidation bonus), as a liquidator who minds its own money would.
    /// Off: liquidate whatever the venue pays.
    pub rational_instant: bool,
}

#[derive(Clone, Debug, Default)]
pub struct TickReport {
    pub scanned: u64,
    pub liquidations: u64,
    pub positions_liquidated: Vec<Pubkey>,
    /// Collateral taken from positions (seized lots and instant sales), base units.
    pub seized: u64,
    /// Collateral the keeper sold into the venue, base units.
    pub sold: u64,
    pub takes: u64,
    pub redos: u64,
    pub bad_debt_settled: u64,
    /// What each liquidation, absorb and settled lot moved on a position:
    /// collateral taken (a leftover returned counts negative) against debt
    /// retired, in base units; whoever reads the report values it.
    pub moved: Vec<Moved>,
    pub skipped_cap: u64,
    pub skipped_twap: u64,
    /// Positions unhealthy in the cache but no longer on chain (another
    /// keeper got there first): skipped without sending.
    pub skipped_stale: u64,
    /// Instant liquidations left because the venue paid less than they cost.
    pub skipped_unprofitable: u64,
    /// Absorbs by the buffer pool: count, debt it repaid (debt units) and
    /// collateral it took (base units); collateral bought from it.
    pub absorbs: u64,
    pub absorbed_debt: u64,
    pub absorbed_collateral: u64,
    pub buffer_bought: u64,
    pub errors: Vec<String>,
}

/// `position`'s health under the liquidation rule on `loaded` pools, as
/// the program judges it (every pool's stored price trusted: the keeper
/// refreshed them this pass).
fn liquidation_health(
    position: &Position,
    loaded: &[(Pubkey, &Pool)],
    slot: u64,
) -> Result<Health, anchor_lang::error::Error> {
    position_health(
        position,
        loaded,
        &[],
        slot,
        i64::MIN,
        HealthType::Maintenance,
    )
}

fn decode<T: AccountDeserialize>(data: Option<Vec<u8>>) -> Result<T, TxError> {
    let data = data.ok_or(TxError {
        code: None,
        message: "account missing".into(),
    })?;
    T::try_deserialize(&mut &data[..]).map_err(|e| TxError {
        code: None,
        message: e.to_string(),
    })
}

impl Keeper {
    /// A keeper for (`collateral`, `debt`) of `market`, signing with
    /// `signer`, whose token accounts of the two mints are given; it tracks
    /// nothing until [`Keeper::track`].
    pub fn new(
        market: Pubkey,
        (collateral, debt): (PoolKeys, PoolKeys),
        signer: Keypair,
        keeper_collateral: Pubkey,
        keeper_debt: Pubkey,
    ) -> Self {
        Keeper {
            market,
            collateral,
            debt,
            signer,
            keeper_collateral,
            keeper_debt,
            positions: Vec::new(),
            collateral_depth: Vec::new(),
            buffer: None,
            buffer_funded: None,
            rational_instant: false,
            other_pools: Vec::new(),
        }
    }

    /// Also refreshes and loads the market's other pools (a position of
    /// this pair may use them too).
    pub fn with_other_pools(mut self, pools: Vec<PoolKeys>) -> Self {
        self.other_pools = pools;
        self
    }

    /// Whether `p` has collateral in this pair's collateral pool and debt in
    /// its debt pool: the positions this pair's keeper works.
    fn in_pair(&self, p: &Position) -> bool {
        let c = p
            .collateral
            .iter()
            .any(|e| e.pool == self.collateral.pool && e.amount > 0);
        let d = p
            .debts
            .iter()
            .any(|e| e.pool == self.debt.pool && e.scaled_debt > 0);
        c && d
    }

    /// Also works the pair's buffer pool (absorbs and purchases).
    pub fn with_buffer(mut self, buffer: BufferKeys) -> Self {
        self.buffer = Some(buffer);
        self
    }

    /// Starts tracking these position owners (on a cluster: from getProgramAccounts).
    pub async fn track<C: Chain>(
        &mut self,
        chain: &mut C,
        owners: &[Pubkey],
    ) -> Result<(), TxError> {
        for owner in owners {
            let key = sluice_client::pda::position(&self.market, owner);
            let position: Position = decode(chain.account_data(&key).await?)?;
            // lots opened before this keeper started (a restart, another
            // keeper) are worked too; a position whose open lot is in
            // another pair costs one read a pass (no auction account here)
            let auction_open = position.open_auctions > 0;
            self.positions.push(Tracked {
                owner: *owner,
                key,
                position,
                auction_open,
            });
        }
        Ok(())
    }

    /// Tracks the owners in `owners` not tracked yet (a periodic rescan);
    /// returns how many were added.
    pub async fn track_new<C: Chain>(
        &mut self,
        chain: &mut C,
        owners: &[Pubkey],
    ) -> Result<usize, TxError> {
        let new: Vec<Pubkey> = owners
            .iter()
            .filter(|o| !self.positions.iter().any(|t| t.owner == **o))
            .copied()
            .collect();
        self.track(chain, &new).await?;
        Ok(new.len())
    }

    async fn pools<C: Chain>(&self, chain: &mut C) -> Result<(Pool, Pool), TxError> {
        Ok((
            decode(chain.account_data(&self.collateral.pool).await?)?,
            decode(chain.account_data(&self.debt.pool).await?)?,
        ))
    }

    async fn balance<C: Chain>(&self, chain: &mut C, account: &Pubkey) -> Result<u64, TxError> {
        let acc: anchor_spl::token::TokenAccount = decode(chain.account_data(account).await?)?;
        Ok(acc.amount)
    }

    /// Collateral units x price and debt units x price of a position (WAD USD).
    fn legs(&self, p: &Position, c: &Pool, d: &Pool) -> (u64, u128) {
        let col = p
            .collateral
            .iter()
            .find(|e| e.pool == self.collateral.pool)
            .map_or(0, |e| e.amount);
        let debt = p
            .debts
            .iter()
            .find(|e| e.pool == self.debt.pool)
            .map_or(0, |e| {
                debt_amount(e.scaled_debt, d.borrow_index.get(), Rounding::Up).unwrap_or(0)
            });
        let _ = c;
        (col, debt)
    }

    /// One pass. `venue` is where received collateral is sold.
    pub async fn tick<C: Chain, V: Venue<C>>(
        &mut self,
        chain: &mut C,
        venue: &mut V,
    ) -> Result<TickReport, TxError> {
        let mut r = TickReport::default();
        let mut refresh = vec![
            ixs::refresh_price(&self.debt),
            ixs::refresh_price_observing_depth(&self.collateral, &self.collateral_depth),
        ];
        refresh.extend(self.other_pools.iter().map(ixs::refresh_price));
        chain.send(&refresh, &[]).await?;
        let slot = chain.slot().await?;
        let (cpool, dpool) = self.pools(chain).await?;
        self.collateral_depth = cpool.depth_sources.to_vec();
        let instant = cpool.params.liquidation.is_mode(LiquidationMode::Instant);
        let mut others = Vec::with_capacity(self.other_pools.len());
        for k in &self.other_pools {
            others.push((k.pool, decode::<Pool>(chain.account_data(&k.pool).await?)?));
        }
        let mut loaded = vec![(self.collateral.pool, &cpool), (self.debt.pool, &dpool)];
        loaded.extend(others.iter().map(|(k, p)| (*k, p)));
        let mut cap_left = true;
        self.buffer_funded = None;
        // whether the venue pays a rational instant liquidator its cost:
        // asked once, again only after a sale of its own moved the venue
        let mut venue_pays: Option<bool> = None;

        for i in self.worst_first(&loaded, slot, &mut r) {
            let t = &self.positions[i];
            if !t.position.has_collateral() {
                if !t.auction_open && t.position.open_auctions == 0 {
                    // a fresh read first: another pair's keeper (same debt
                    // pool) may have written it off already
                    self.refetch(chain, i).await?;
                    let t = &self.positions[i];
                    if !t.position.has_debt() || t.position.has_collateral() {
                        continue;
                    }
                    let ix = ixs::settle_bad_debt(
                        &self.signer.pubkey(),
                        &self.market,
                        &t.owner,
                        &self.debt,
                    );
                    match chain.send(&[ix], &[&self.signer]).await {
                        Ok(()) => r.bad_debt_settled += 1,
                        Err(e) => r.errors.push(format!("settle {}: {e}", t.key)),
                    }
                    self.refetch(chain, i).await?;
                }
                continue;
            }
            if !cap_left && !self.buffer_can_absorb(chain).await? {
                continue;
            }
            if instant && self.rational_instant {
                let pays = match venue_pays {
                    Some(p) => p,
                    None => {
                        let p = self
                            .pays_for_instant(chain, venue, (&cpool, &dpool))
                            .await?;
                        venue_pays = Some(p);
                        p
                    }
                };
                if !pays {
                    r.skipped_unprofitable += 1;
                    continue;
                }
            }
            // planned on the cached state; act only on a fresh read (another
            // keeper may have liquidated it since it was cached)
            self.refetch(chain, i).await?;
            match self.unhealthy(&self.positions[i].position, &loaded, slot) {
                Ok(true) => {}
                _ => {
                    r.skipped_stale += 1;
                    continue;
                }
            }
            let t = &self.positions[i];
            let others: Vec<Pubkey> = t
                .position
                .pools()
                .filter(|p| *p != self.collateral.pool && *p != self.debt.pool)
                .collect();
            let accounts = ixs::LiquidationAccounts {
                market: self.market,
                keeper: self.signer.pubkey(),
                owner: t.owner,
                collateral: &self.collateral,
                depth_sources: &cpool.depth_sources,
                debt: &self.debt,
                keeper_collateral: self.keeper_collateral,
                keeper_debt: self.keeper_debt,
                others: &others,
            };
            let absorb_ix = self.buffer.is_some().then(|| ixs::absorb(&accounts));
            if !cap_left {
                // the cap is used up: the buffer repays now, the rest waits
                if let Some(ix) = absorb_ix {
                    self.absorb(chain, i, ix, (&cpool, &dpool), &mut r).await?;
                }
                continue;
            }
            let ix = if instant {
                ixs::liquidate_instant(&accounts)
            } else {
                ixs::liquidate(&accounts)
            };
            let before = self.legs(&t.position, &cpool, &dpool);
            let bal_before = self.balance(chain, &self.keeper_collateral).await?;
            match chain.send(&[ix], &[&self.signer]).await {
                Ok(()) => {
                    r.liquidations += 1;
                    let key = t.key;
                    if !r.positions_liquidated.contains(&key) {
                        r.positions_liquidated.push(key);
                    }
                    self.refetch(chain, i).await?;
                    let after = self.legs_of(i, &cpool, &dpool);
                    let seized = before.0 - after.0;
                    r.seized += seized;
                    r.moved.push(Moved {
                        collateral: i128::from(seized),
                        debt: before.1 - after.1,
                    });
                    if instant {
                        let got = self.balance(chain, &self.keeper_collateral).await? - bal_before;
                        if got > 0 {
                            venue.sell(chain, &self.signer, got).await?;
                            r.sold += got;
                            venue_pays = None;
                        }
                    } else {
                        self.positions[i].auction_open = true;
                        // a capped liquidation leaves it unhealthy: the
                        // buffer takes what the cap could not (the program
                        // refuses while the cap has room)
                        let still = self.unhealthy(&self.positions[i].position, &loaded, slot);
                        if let (Some(ix), Ok(true)) = (absorb_ix, still) {
                            if self.buffer_can_absorb(chain).await? {
                                self.absorb(chain, i, ix, (&cpool, &dpool), &mut r).await?;
                            }
                        }
                        // the keeper incentive is collateral too: sell it
                        let got = self.balance(chain, &self.keeper_collateral).await? - bal_before;
                        if got > 0 {
                            venue.sell(chain, &self.signer, got).await?;
                            r.sold += got;
                        }
                    }
                }
                Err(e)
                    if e.is(SluiceError::SellCapExhausted)
                        || e.is(SluiceError::CircuitBreakerTripped) =>
                {
                    r.skipped_cap += 1;
                    cap_left = false;
                    if let Some(ix) = absorb_ix {
                        if self.buffer_can_absorb(chain).await? {
                            self.absorb(chain, i, ix, (&cpool, &dpool), &mut r).await?;
                        }
                    }
                }
                Err(e)
                    if e.is(SluiceError::LiquidationWaitsForTwap)
                        || e.is(SluiceError::PositionHealthy) =>
                {
                    r.skipped_twap += 1;
                }
                Err(e) => r
                    .errors
                    .push(format!("liquidate {}: {e}", self.positions[i].key)),
            }
        }

        if !instant {
            self.work_auctions(chain, venue, slot, &cpool, &dpool, &mut r)
                .await?;
            self.buy_from_buffer(chain, venue, (&cpool, &dpool), &mut r)
                .await?;
        }
        Ok(r)
    }

    /// Whether the pair has a buffer with debt tokens left to absorb with
    /// (read once, then again only after an absorb).
    async fn buffer_can_absorb<C: Chain>(&mut self, chain: &mut C) -> Result<bool, TxError> {
        if let Some(funded) = self.buffer_funded {
            return Ok(funded);
        }
        let Some(buffer) = self.read_buffer(chain).await? else {
            return Ok(false);
        };
        let funded = buffer.debt_balance > 0;
        self.buffer_funded = Some(funded);
        Ok(funded)
    }

    /// The pair's buffer pool as it stands now (None: the pair has none).
    async fn read_buffer<C: Chain>(&self, chain: &mut C) -> Result<Option<BufferPool>, TxError> {
        match &self.buffer {
            Some(b) => decode(chain.account_data(&b.buffer).await?).map(Some),
            None => Ok(None),
        }
    }

    /// Whether the venue pays, at the margin, at least the price an instant
    /// liquidator's collateral costs: the oracle price less the bonus.
    async fn pays_for_instant<C: Chain, V: Venue<C>>(
        &self,
        chain: &mut C,
        venue: &mut V,
        (cpool, dpool): (&Pool, &Pool),
    ) -> Result<bool, TxError> {
        let ratio = cpool.price_ratio_wad(dpool).map_err(|e| TxError {
            code: None,
            message: format!("pair price: {e}"),
        })?;
        let bonus = u128::from(cpool.params.risk.liquidation_bonus_bps);
        let cost = ratio.saturating_mul(10_000) / (10_000 + bonus);
        Ok(venue.profitable_amount(chain, cost).await? > 0)
    }

    /// Whether the pair's buffer holds less than a dollar of the debt token
    /// (at the debt pool's price).
    async fn buffer_is_dust<C: Chain>(
        &mut self,
        chain: &mut C,
        dpool: &Pool,
    ) -> Result<bool, TxError> {
        let Some(buffer) = self.read_buffer(chain).await? else {
            return Ok(true);
        };
        let usd_wad = sluice::math::price::value_wad(
            u128::from(buffer.debt_balance),
            dpool.spot_price_wad.get(),
            sluice::math::Rounding::Down,
        )
        .unwrap_or(u128::MAX);
        Ok(usd_wad < sluice::math::WAD)
    }

    /// Sends an absorb of position `i` and books it in the report.
    async fn absorb<C: Chain>(
        &mut self,
        chain: &mut C,
        i: usize,
        ix: anchor_lang::solana_program::instruction::Instruction,
        (cpool, dpool): (&Pool, &Pool),
        r: &mut TickReport,
    ) -> Result<(), TxError> {
        let before = self.legs_of(i, cpool, dpool);
        match chain.send(&[ix], &[&self.signer]).await {
            Ok(()) => {
                self.buffer_funded = None;
                self.refetch(chain, i).await?;
                let after = self.legs_of(i, cpool, dpool);
                let (taken, repaid) = (before.0 - after.0, before.1 - after.1);
                r.absorbs += 1;
                r.absorbed_debt += u64::try_from(repaid).unwrap_or(u64::MAX);
                r.absorbed_collateral += taken;
                r.moved.push(Moved {
                    collateral: i128::from(taken),
                    debt: repaid,
                });
                let key = self.positions[i].key;
                if !r.positions_liquidated.contains(&key) {
                    r.positions_liquidated.push(key);
                }
            }
            Err(e) if e.is(SluiceError::BufferEmpty) => self.buffer_funded = Some(false),
            // the absorb rounds to nothing: the buffer is down to dust (no
            // more absorbs this pass; the next one reads it again), or this
            // position is (a dust position must not stop the buffer for
            // everyone behind it in the queue)
            Err(e) if e.is(SluiceError::SeizeRoundsToZero) => {
                if self.buffer_is_dust(chain, dpool).await? {
                    self.buffer_funded = Some(false);
                }
            }
            // unhealthy only at spot, the cap has room after all, or all of
            // its collateral already in a lot (its debt waits for the lot)
            Err(e)
                if e.is(SluiceError::PositionHealthy)
                    || e.is(SluiceError::LiquidationWaitsForTwap)
                    || e.is(SluiceError::SellCapHasRoom)
                    || e.is(SluiceError::NoCollateralInPool) => {}
            Err(e) => r
                .errors
                .push(format!("absorb {}: {e}", self.positions[i].key)),
        }
        Ok(())
    }

    /// Buys the buffer's collateral when the venue pays more than the
    /// buffer's sale price, within what is left of the slot's cap (the
    /// program enforces it), and sells it into the venue.
    async fn buy_from_buffer<C: Chain, V: Venue<C>>(
        &mut self,
        chain: &mut C,
        venue: &mut V,
        (cpool, dpool): (&Pool, &Pool),
        r: &mut TickReport,
    ) -> Result<(), TxError> {
        let (Some(b), Some(buffer)) = (self.buffer, self.read_buffer(chain).await?) else {
            return Ok(());
        };
        if buffer.collateral_balance == 0 {
            return Ok(());
        }
        // the prices this pass refreshed and loaded
        let reference = cpool.high_ratio_wad(dpool).map_err(|e| TxError {
            code: None,
            message: e.to_string(),
        })?;
        let price = buffer.sale_price_wad(reference).map_err(|e| TxError {
            code: None,
            message: e.to_string(),
        })?;
        let amount = venue
            .profitable_amount(chain, price)
            .await?
            .min(buffer.collateral_balance);
        if amount == 0 {
            return Ok(());
        }
        let bal_before = self.balance(chain, &self.keeper_collateral).await?;
        let ix = ixs::buffer_take(
            &self.signer.pubkey(),
            &b,
            &cpool.depth_sources,
            &self.keeper_debt,
            &self.keeper_collateral,
            amount,
            price,
        );
        match chain.send(&[ix], &[&self.signer]).await {
            Ok(()) => {
                let got = self.balance(chain, &self.keeper_collateral).await? - bal_before;
                r.buffer_bought += got;
                if got > 0 {
                    venue.sell(chain, &self.signer, got).await?;
                    r.sold += got;
                }
            }
            Err(e) if e.is(SluiceError::SellCapExhausted) => {}
            Err(e) => r.errors.push(format!("buffer_take {}: {e}", b.buffer)),
        }
        Ok(())
    }

    /// The positions this pass works, worst first: debt without collateral
    /// (to write off), then the pair's positions that are liquidatable on
    /// the cached state by rising health factor. Under a per-slot cap the
    /// order is the policy: the cap and the buffer go first to the positions
    /// nearest insolvency, not to whichever was tracked first.
    fn worst_first(&self, loaded: &[(Pubkey, &Pool)], slot: u64, r: &mut TickReport) -> Vec<usize> {
        let mut work: Vec<(u128, usize)> = Vec::new();
        for (i, t) in self.positions.iter().enumerate() {
            let debt_here = t
                .position
                .debts
                .iter()
                .any(|e| e.pool == self.debt.pool && e.scaled_debt > 0);
            if !debt_here {
                continue;
            }
            if !t.position.has_collateral() {
                r.scanned += 1;
                work.push((0, i));
                continue;
            }
            if !self.in_pair(&t.position) {
                continue;
            }
            r.scanned += 1;
            match liquidation_health(&t.position, loaded, slot) {
                Ok(h) if !h.is_healthy() => work.push((h.factor_wad(), i)),
                Ok(_) => {}
                Err(e) => r.errors.push(format!("health {}: {e}", t.key)),
            }
        }
        // stable: equal factors keep the tracking order
        work.sort_by_key(|&(factor, _)| factor);
        work.into_iter().map(|(_, i)| i).collect()
    }

    /// Whether `position` is liquidatable (liquidation rule) on `loaded` pools.
    fn unhealthy(
        &self,
        position: &Position,
        loaded: &[(Pubkey, &Pool)],
        slot: u64,
    ) -> Result<bool, anchor_lang::error::Error> {
        Ok(!liquidation_health(position, loaded, slot)?.is_healthy())
    }

    fn legs_of(&self, i: usize, c: &Pool, d: &Pool) -> (u64, u128) {
        self.legs(&self.positions[i].position, c, d)
    }

    async fn refetch<C: Chain>(&mut self, chain: &mut C, i: usize) -> Result<(), TxError> {
        let key = self.positions[i].key;
        self.positions[i].position = decode(chain.account_data(&key).await?)?;
        Ok(())
    }

    async fn work_auctions<C: Chain, V: Venue<C>>(
        &mut self,
        chain: &mut C,
        venue: &mut V,
        slot: u64,
        cpool: &Pool,
        dpool: &Pool,
        r: &mut TickReport,
    ) -> Result<(), TxError> {
        // every open lot and its price this slot, cheapest first, as a
        // taker after the best bargain buys them (every lot is the same
        // collateral; the slot's sale room is first come, first served). In
        // a steady fall the cheapest lot is the one that has waited longest
        // (the furthest down its curve), so the queue clears in order of age
        // instead of leaving the lots of the last positions in the list to
        // wait while the price falls through their debt
        let mut lots = Vec::new();
        for i in 0..self.positions.len() {
            // its own lots, and any another keeper opened (as last read)
            let t = &self.positions[i];
            if !t.auction_open && t.position.open_auctions == 0 {
                continue;
            }
            let akey = self.auction_accounts(i).auction();
            let Some(data) = chain.account_data(&akey).await? else {
                // the position's open lot is in another pair
                self.positions[i].auction_open = false;
                continue;
            };
            let auction: Auction = decode(Some(data))?;
            if auction.status != AuctionStatus::Active {
                self.positions[i].auction_open = false;
                self.refetch(chain, i).await?;
                continue;
            }
            let price = auction.price_at(slot).map_err(|e| TxError {
                code: None,
                message: e.to_string(),
            })?;
            lots.push((price, i, auction));
        }
        lots.sort_by_key(|(price, i, _)| (*price, *i));
        // the sale room is the pool's: once it is used up, the later lots
        // only need their redos
        let mut room_left = true;
        for (price, i, auction) in lots {
            let accounts = self.auction_accounts(i);
            let akey = accounts.auction();
            if slot >= auction.expires_slot || price <= auction.floor_price_wad {
                let wanted = venue.profitable_amount(chain, price).await?;
                if slot >= auction.expires_slot || wanted == 0 {
                    let ix = ixs::redo(&accounts);
                    match chain.send(&[ix], &[&self.signer]).await {
                        Ok(()) => r.redos += 1,
                        Err(e) => r.errors.push(format!("redo {akey}: {e}")),
                    }
                    continue;
                }
            }
            if !room_left {
                r.skipped_cap += 1;
                continue;
            }
            let amount = venue
                .profitable_amount(chain, price)
                .await?
                .min(auction.lot);
            if amount == 0 {
                continue;
            }
            let before = self.legs_of(i, cpool, dpool);
            let bal_before = self.balance(chain, &self.keeper_collateral).await?;
            let ix = ixs::take(&accounts, amount, price);
            match chain.send(&[ix], &[&self.signer]).await {
                Ok(()) => {
                    r.takes += 1;
                    let got = self.balance(chain, &self.keeper_collateral).await? - bal_before;
                    if got > 0 {
                        venue.sell(chain, &self.signer, got).await?;
                        r.sold += got;
                    }
                    self.refetch(chain, i).await?;
                    let after = self.legs_of(i, cpool, dpool);
                    if after.0 > before.0 {
                        // leftover returned to the borrower: not a loss
                        r.moved.push(Moved {
                            collateral: -i128::from(after.0 - before.0),
                            debt: 0,
                        });
                    }
                }
                // this slot's forced sales reached the depth: later
                Err(e) if e.is(SluiceError::SellCapExhausted) => {
                    r.skipped_cap += 1;
                    // none left for anyone, or only none this lot could use
                    // (a clip that would leave less than the smallest lot)
                    let pool: Pool = decode(chain.account_data(&self.collateral.pool).await?)?;
                    room_left = pool.sale_room(slot) > 0;
                }
                Err(e) => r.errors.push(format!("take {akey}: {e}")),
            }
        }
        Ok(())
    }

    /// The accounts of position `i`'s auction, the keeper signing.
    fn auction_accounts(&self, i: usize) -> ixs::AuctionAccounts<'_> {
        ixs::AuctionAccounts {
            market: self.market,
            signer: self.signer.pubkey(),
            owner: self.positions[i].owner,
            collateral: &self.collateral,
            debt: &self.debt,
            signer_collateral: self.keeper_collateral,
            signer_debt: self.keeper_debt,
        }
    }
}

/// Collateral a keeper action took off a position (base units; negative:
/// a settled lot's leftover returned) and the debt it retired (base units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub collateral: i128,
    pub debt: u128,
}

/// Every collateral/debt pair of a market served in one process: one
/// [`Keeper`] per pair (the same signer), each knowing the market's other
/// pools. A pass ticks every pair in turn; a rescan adds new positions to
/// every pair. The venue of each pair is [`OracleOnly`]: lots are taken only
/// at `min_discount_bps` below the oracle.
pub struct MarketKeeper {
    pub pairs: Vec<Keeper>,
    pub min_discount_bps: u16,
}

impl MarketKeeper {
    /// Tracks `owners` not tracked yet in every pair; returns how many were new.
    pub async fn track_new<C: Chain>(
        &mut self,
        chain: &mut C,
        owners: &[Pubkey],
    ) -> Result<usize, TxError> {
        let mut added = 0;
        for k in &mut self.pairs {
            added = added.max(k.track_new(chain, owners).await?);
        }
        Ok(added)
    }

    /// One pass over every pair: each pair's report, or the error that
    /// stopped its pass (the other pairs still run).
    pub async fn tick<C: Chain>(&mut self, chain: &mut C) -> Vec<Result<TickReport, TxError>> {
        let mut out = Vec::with_capacity(self.pairs.len());
        for k in &mut self.pairs {
            let r = match k.oracle_venue(chain, self.min_discount_bps).await {
                Ok(mut venue) => k.tick(chain, &mut venue).await,
                Err(e) => Err(e),
            };
            out.push(r);
        }
        out
    }
}

impl Keeper {
    /// A venue at the pair's oracle price (collateral in debt units, WAD)
    /// that buys lots only at `min_discount_bps` below it.
    pub async fn oracle_venue<C: Chain>(
        &self,
        chain: &mut C,
        min_discount_bps: u16,
    ) -> Result<OracleOnly, TxError> {
        let (c, d) = self.pools(chain).await?;
        Ok(OracleOnly {
            oracle_price_wad: c.price_ratio_wad(&d).map_err(|e| TxError {
                code: None,
                message: format!("pair price: {e}"),
            })?,
            min_discount_bps,
        })
    }
}
