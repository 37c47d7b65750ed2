//! Compute units at the worst case the position limits allow: a position
//! with four collateral and four debt entries, borrowed up to its LTV,
//! liquidated (with a registered depth source) and its lot taken. On the SBF
//! VM (`SLUICE_SBF=1`) the harness fails any instruction over its budget in
//! `sluice::budgets` (liquidate and absorb <= 120k, take <= 60k, borrow <= 60k,
//! refresh_price <= 25k, every instruction <= 200k); natively the same
//! sequence checks the behaviour.
use sluice::state::AuctionStatus;
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

struct Wide {
    env: Env,
    collateral: [PoolKeys; 4],
    debt: [PoolKeys; 4],
    keeper: Keypair,
}

impl Wide {
    async fn new() -> Self {
        let mut env = Env::new().await;
        let mut collateral = Vec::new();
        let mut debt = Vec::new();
        for i in 0..4 {
            let feed = if i % 2 == 0 { Feed::Legacy } else { Feed::Pull };
            collateral.push(env.add_pool(9, feed, default_params(), 100.0).await);
            debt.push(env.add_pool(6, Feed::Pull, default_params(), 1.0).await);
        }
        let lender = env.user().await;
        for d in &debt {
            env.mint_to(&d.mint, &lender.pubkey(), 1_000_000 * USDC)
                .await;
            env.deposit(&lender, d, 1_000_000 * USDC).await.unwrap();
        }
        // the first collateral pool's depth: a constant-product pair with the first debt pool
        let amm = env
            .create_amm(&collateral[0], &debt[0], 2_000 * SOL, 200_000 * USDC)
            .await;
        env.register_amm(&collateral[0], &amm).await;
        let keeper = env.user().await;
        env.mint_to(&debt[0].mint, &keeper.pubkey(), 1_000_000 * USDC)
            .await;
        let mut w = Wide {
            env,
            collateral: collateral.try_into().unwrap(),
            debt: debt.try_into().unwrap(),
            keeper,
        };
        for _ in 0..5 {
            w.prices(10, 100.0).await;
        }
        w
    }

    fn all(&self) -> Vec<PoolKeys> {
        self.collateral
            .iter()
            .chain(self.debt.iter())
            .copied()
            .collect()
    }

    /// Moves the clock and refreshes every pool (collateral at `usd`),
    /// four pools per transaction (the legacy transaction size limit).
    async fn prices(&mut self, slots: u64, usd: f64) {
        self.env.advance(slots, slots as i64 * 2 / 5 + 1).await;
        self.refresh(usd).await;
    }

    async fn refresh(&mut self, usd: f64) {
        for (c, d) in self.collateral.into_iter().zip(self.debt) {
            self.env.set_price(&c, Px::usd(usd)).await;
            self.env.set_price(&d, Px::usd(1.0)).await;
            let ixs = self.env.refresh_prices(&[c, d]);
            self.env.send(&ixs, &[]).await.expect("refresh");
        }
    }

    /// A borrower with 10 units ($1,000) in each collateral pool and $700
    /// borrowed from each debt pool: $2,800 of $4,000 (LTV 75% allows $3,000).
    async fn borrower(&mut self) -> Keypair {
        let b = self.env.user().await;
        self.env.open_position(&b).await.unwrap();
        for c in self.collateral {
            self.env.mint_to(&c.mint, &b.pubkey(), 10 * SOL).await;
            self.env.deposit_collateral(&b, &c, 10 * SOL).await.unwrap();
        }
        let all = self.all();
        for d in self.debt {
            self.refresh(100.0).await;
            let ix = self.env.ix_borrow(&b.pubkey(), &d, 700 * USDC, &all).await;
            self.env.send(&[ix], &[&b]).await.expect("borrow");
        }
        b
    }
}

#[tokio::test]
async fn liquidation_and_take_of_a_4x4_position_fit_their_budgets() {
    let mut w = Wide::new().await;
    let b = w.borrower().await;
    let pos = w.env.position(&b.pubkey()).await;
    assert_eq!(pos.collateral.iter().filter(|c| c.amount > 0).count(), 4);
    assert_eq!(pos.debts.iter().filter(|d| d.scaled_debt > 0).count(), 4);

    // a sustained fall to $80: $3,200 of collateral x 80% < $2,800 of debt
    for _ in 0..8 {
        w.prices(10, 80.0).await;
    }
    let (c, d) = (w.collateral[0], w.debt[0]);
    let others: Vec<PoolKeys> = w
        .all()
        .into_iter()
        .filter(|p| p.pool != c.pool && p.pool != d.pool)
        .collect();
    let keeper = w.keeper.insecure_clone();
    let ix = w
        .env
        .ix_liquidate(&keeper.pubkey(), &b.pubkey(), &c, &d, &others)
        .await;
    // 11 accounts + the event authority and program + 2 depth + 6 pools in one instruction
    assert_eq!(ix.accounts.len(), 21);
    w.env.send(&[ix], &[&keeper]).await.expect("liquidate 4x4");
    let auction = w.env.auction(&b.pubkey(), &c, &d).await;
    assert_eq!(auction.status, AuctionStatus::Active);

    // the keeper buys the lot after a few slots of decay
    w.prices(3, 80.0).await;
    let take = w
        .env
        .ix_take(
            &keeper.pubkey(),
            &b.pubkey(),
            &c,
            &d,
            auction.lot,
            u128::MAX,
        )
        .await;
    w.env.send(&[take], &[&keeper]).await.expect("take 4x4");
    for k in w.all() {
        w.env.assert_books(&k).await;
    }
}

/// The buffer pool's absorb at the same worst case: the 4+4 position, the
/// first collateral pool's per-slot cap cut to one unit's worth so the
/// liquidation is capped, then the buffer absorbs the rest in the same slot
/// (12 accounts + 2 depth + 6 pools).
#[tokio::test]
async fn absorb_of_a_4x4_position_fits_its_budget() {
    let mut w = Wide::new().await;
    let (c, d) = (w.collateral[0], w.debt[0]);
    let auth = w.env.authority.insecure_clone();
    let mut p = default_params();
    p.liquidation.sell_cap_per_slot = SOL;
    let ix = w.env.ix_update_pool_params(&auth.pubkey(), &c, p);
    w.env.send(&[ix], &[&auth]).await.unwrap();
    let params = sluice::state::BufferParams {
        activation_delay_slots: 10,
        ..sluice::presets::buffer()
    };
    let bk = w.env.init_buffer(&c, &d, params).await;
    let keeper = w.keeper.insecure_clone();
    w.env
        .buffer_deposit(&keeper, &bk, 100_000 * USDC)
        .await
        .unwrap();
    w.prices(10, 100.0).await;
    w.env
        .activate_buffer_stake(&bk, &keeper.pubkey())
        .await
        .unwrap();
    let b = w.borrower().await;
    for _ in 0..8 {
        w.prices(10, 80.0).await;
    }
    let others: Vec<PoolKeys> = w
        .all()
        .into_iter()
        .filter(|p| p.pool != c.pool && p.pool != d.pool)
        .collect();
    let liq = w
        .env
        .ix_liquidate(&keeper.pubkey(), &b.pubkey(), &c, &d, &others)
        .await;
    w.env
        .send(&[liq], &[&keeper])
        .await
        .expect("capped liquidation");
    let ix = w
        .env
        .ix_absorb(&keeper.pubkey(), &b.pubkey(), &c, &d, &others)
        .await;
    // 12 accounts + the event authority and program + 2 depth + 6 pools
    assert_eq!(ix.accounts.len(), 22);
    w.env.send(&[ix], &[&keeper]).await.expect("absorb 4x4");
    assert!(w.env.buffer(&bk).await.collateral_balance > 0);
    w.env.assert_buffer_books(&bk).await;
    for k in w.all() {
        w.env.assert_books(&k).await;
    }
}
