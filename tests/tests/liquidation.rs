//! The liquidation engine: TWAP guard, depth-bounded per-slot cap, partial
//! liquidation, Dutch auctions, bad debt and the instant preset.
use anchor_lang::prelude::Pubkey;
use sluice::constants::*;
use sluice::errors::SluiceError;
use sluice::math::depth::{clmm_max_sell, constant_product_max_sell};
use sluice::math::shares::debt_amount;
use sluice::math::Rounding;
use sluice::state::{AuctionStatus, DepthKind, DepthSource, MarketParams, PoolParams};
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// USDC debt pool, SOL collateral pool (its liquidation params given), a
/// lender, an AMM of 2,000 SOL / 200,000 USDC registered as SOL's depth.
struct Scene {
    env: Env,
    usdc: PoolKeys,
    sol: PoolKeys,
    amm: Amm,
    keeper: Keypair,
}

impl Scene {
    async fn new(sol_params: PoolParams) -> Self {
        let m = MarketBuilder {
            sol_params,
            ..Default::default()
        }
        .build()
        .await;
        let (mut env, usdc, sol) = (m.env, m.usdc, m.sol);
        let amm = m.amm.expect("the default market has an AMM");
        let keeper = env.user().await;
        env.mint_to(&usdc.mint, &keeper.pubkey(), 1_000_000 * USDC)
            .await;
        let mut s = Scene {
            env,
            usdc,
            sol,
            amm,
            keeper,
        };
        // a TWAP history at $100
        for _ in 0..5 {
            s.prices(10, 100.0).await;
        }
        s
    }

    fn all(&self) -> [PoolKeys; 2] {
        [self.usdc, self.sol]
    }

    /// The default scene with a borrower of $7,000 against 100 SOL, and SOL
    /// at $85 long enough for the TWAP to agree: liquidatable.
    async fn liquidatable() -> (Self, Keypair) {
        Scene::liquidatable_with(default_params()).await
    }

    /// [`Scene::liquidatable`] on SOL pool parameters `p`.
    async fn liquidatable_with(p: PoolParams) -> (Self, Keypair) {
        let mut s = Scene::new(p).await;
        let b = s.borrower(100 * SOL, 7_000 * USDC).await;
        for _ in 0..6 {
            s.prices(10, 85.0).await;
        }
        (s, b)
    }

    /// Two borrowers of $7,000 against 100 SOL each, then a fall to $80
    /// held long enough for the TWAP to agree: each liquidation wants
    /// (nearly) a whole slot's cap.
    async fn two_liquidatable() -> (Self, Keypair, Keypair) {
        let mut s = Scene::new(default_params()).await;
        let b1 = s.borrower(100 * SOL, 7_000 * USDC).await;
        let b2 = s.borrower(100 * SOL, 7_000 * USDC).await;
        for p in [95.0, 90.0, 85.0, 80.0, 80.0, 80.0, 80.0] {
            s.prices(10, p).await;
        }
        (s, b1, b2)
    }

    async fn prices(&mut self, slots: u64, sol_usd: f64) {
        let (u, s) = (self.usdc, self.sol);
        self.env
            .step_prices(slots, slots as i64 * 2 / 5 + 1, &[(u, 1.0), (s, sol_usd)])
            .await;
    }

    /// A borrower with `sol` collateral borrowing `usdc` against it.
    async fn borrower(&mut self, sol: u64, usdc: u64) -> Keypair {
        let (sk, uk, all) = (self.sol, self.usdc, self.all());
        self.env.borrower((&sk, sol), (&uk, usdc), &all).await
    }

    /// The keeper's refresh-and-liquidate of `owner` with `fake` passed in
    /// place of the registered depth account `real`.
    async fn liquidate_substituting(
        &mut self,
        owner: &Pubkey,
        real: Pubkey,
        fake: Pubkey,
    ) -> TxResult {
        let (sk, uk, all) = (self.sol, self.usdc, self.all());
        let mut ixs = self.env.refresh_prices(&all);
        let k = self.keeper.pubkey();
        let mut ix = self.env.ix_liquidate(&k, owner, &sk, &uk, &[]).await;
        let at = ix
            .accounts
            .iter()
            .position(|m| m.pubkey == real)
            .expect("the registered depth account is passed");
        ix.accounts[at].pubkey = fake;
        ixs.push(ix);
        let keeper = self.keeper.insecure_clone();
        self.env.send(&ixs, &[&keeper]).await
    }

    async fn liquidate(&mut self, owner: &Pubkey) -> TxResult {
        let (s, u, all, k) = (
            self.sol,
            self.usdc,
            self.all(),
            self.keeper.insecure_clone(),
        );
        self.env.liquidate(&k, owner, &s, &u, &all).await
    }

    /// A new wallet holding $1,000,000 of USDC, to take lots with.
    async fn funded_taker(&mut self) -> Keypair {
        let taker = self.env.user().await;
        let uk = self.usdc;
        self.env
            .mint_to(&uk.mint, &taker.pubkey(), 1_000_000 * USDC)
            .await;
        taker
    }

    /// `taker` takes all it may of `owner`'s lot now, at any price.
    async fn take_all(&mut self, taker: &Keypair, owner: &Pubkey) -> TxResult {
        let (sk, uk) = (self.sol, self.usdc);
        let ix = self
            .env
            .ix_take(&taker.pubkey(), owner, &sk, &uk, u64::MAX, u128::MAX)
            .await;
        self.env.send(&[ix], &[taker]).await
    }

    async fn books(&mut self) {
        let (s, u) = (self.sol, self.usdc);
        self.env.assert_books(&s).await;
        self.env.assert_books(&u).await;
    }

    async fn cap_now(&mut self) -> u64 {
        let (x, _) = self.amm.reserves(&mut self.env).await;
        constant_product_max_sell(x, sluice::presets::sluice().max_slippage_bps).unwrap()
    }
}

fn instant_params() -> PoolParams {
    let mut p = default_params();
    p.liquidation = sluice::presets::instant();
    p
}

#[tokio::test]
async fn one_slot_wick_liquidates_nobody() {
    let mut s = Scene::new(default_params()).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await; // 70% LTV, threshold 80%
                                                       // spot falls 30% for one refresh: spot says unhealthy (100 x 70 x 0.8 = 5600 < 7000)
    s.prices(1, 70.0).await;
    assert_sluice_err(
        s.liquidate(&b.pubkey()).await,
        SluiceError::LiquidationWaitsForTwap,
    );
    // and recovers
    s.prices(1, 100.0).await;
    assert_sluice_err(s.liquidate(&b.pubkey()).await, SluiceError::PositionHealthy);
    let pos = s.env.position(&b.pubkey()).await;
    assert_eq!(pos.collateral[0].amount, 100 * SOL);
    assert_eq!(pos.open_auctions, 0);
    assert_eq!(s.env.pool(&s.sol.clone()).await.auction_collateral, 0);
    s.books().await;
}

#[tokio::test]
async fn a_wick_that_stands_a_second_shorter_than_the_guard_window_liquidates_nobody() {
    let mut s = Scene::new(default_params()).await;
    assert_eq!(default_params().oracle.guard_window_secs, 2);
    let b = s.borrower(100 * SOL, 7_000 * USDC).await; // liquidatable under $87.50
                                                       // $70 published, and again a second later: it has stood one whole second
    s.prices(1, 70.0).await;
    s.prices(2, 70.0).await;
    assert_sluice_err(
        s.liquidate(&b.pubkey()).await,
        SluiceError::LiquidationWaitsForTwap,
    );
    s.prices(2, 100.0).await;
    assert_sluice_err(s.liquidate(&b.pubkey()).await, SluiceError::PositionHealthy);
    assert_eq!(
        s.env.position(&b.pubkey()).await.collateral[0].amount,
        100 * SOL
    );
}

/// A step from $100 to $85, published three times a second apart.
async fn fall_that_stands_two_seconds(s: &mut Scene) {
    for _ in 0..3 {
        s.prices(2, 85.0).await; // 2 slots, 1 s
    }
}

#[tokio::test]
async fn a_fall_that_stands_the_guard_window_liquidates_before_the_twap_agrees() {
    let mut s = Scene::new(default_params()).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await; // liquidatable under $87.50
    fall_that_stands_two_seconds(&mut s).await;
    // the 20 s TWAP still says about $97: it alone would keep waiting
    let pool = s.env.pool(&s.sol).await;
    let twap_usd = pool.smoothed_price() as f64 / USD_WAD_PER_SOL_UNIT as f64;
    assert!(twap_usd > 95.0, "TWAP ${twap_usd}");
    // but $85 stood the whole 2 s guard window
    let (high, _) = pool.guard_prices();
    assert_eq!(high, 85 * USD_WAD_PER_SOL_UNIT);
    s.liquidate(&b.pubkey()).await.unwrap();
    s.books().await;
}

#[tokio::test]
async fn without_a_guard_window_the_same_fall_waits_for_the_twap() {
    let mut p = default_params();
    p.oracle.guard_window_secs = 0;
    let mut s = Scene::new(p).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    fall_that_stands_two_seconds(&mut s).await;
    assert_sluice_err(
        s.liquidate(&b.pubkey()).await,
        SluiceError::LiquidationWaitsForTwap,
    );
}

#[tokio::test]
async fn the_same_wick_liquidates_under_the_instant_preset() {
    let mut s = Scene::new(instant_params()).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    s.prices(1, 70.0).await;
    let (sk, uk, all, k) = (s.sol, s.usdc, s.all(), s.keeper.insecure_clone());
    s.env
        .liquidate_instant(&k, &b.pubkey(), &sk, &uk, &all)
        .await
        .unwrap();
    // at $70 the position is so deep that a partial liquidation at a 5.5% bonus
    // would lower its health (0.80 < 1.055 x 0.8): like Aave v3's 100% close factor
    // below HF 0.95, the liquidator takes the whole collateral at the wick price
    let got = s.env.balance_of(&k.pubkey(), &sk.mint).await;
    assert_eq!(got, 100 * SOL);
    assert_eq!(s.env.position(&b.pubkey()).await.collateral[0].amount, 0);
    s.books().await;
}

#[tokio::test]
async fn sustained_fall_liquidates_in_parts_within_the_depth_cap() {
    let mut s = Scene::new(default_params()).await;
    let mut borrowers = Vec::new();
    for _ in 0..3 {
        borrowers.push(s.borrower(100 * SOL, 7_000 * USDC).await);
    }
    let cap = s.cap_now().await;
    assert!(cap > 9 * SOL && cap < 11 * SOL, "cap {cap}");
    let mut liquidations_per_position = [0u32; 3];
    let mut slots_with_seizure = 0;
    let mut price = 100.0;
    for step in 0..30 {
        if price > 60.0 {
            price -= 4.0; // to $60 (-40%) over 10 steps, then hold
        }
        s.prices(5, price).await;
        let slot = s.env.clock().await.slot;
        // keepers reach the positions in a different order each slot
        for j in 0..borrowers.len() {
            let i = (j + step) % borrowers.len();
            let b = &borrowers[i];
            match s.liquidate(&b.pubkey()).await {
                Ok(()) => liquidations_per_position[i] += 1,
                Err(e) => {
                    let code = custom_code(&e).unwrap();
                    assert!(
                        [
                            u32::from(SluiceError::PositionHealthy),
                            u32::from(SluiceError::LiquidationWaitsForTwap),
                            u32::from(SluiceError::SellCapExhausted),
                            u32::from(SluiceError::NoCollateralInPool),
                            // a lot nobody takes in this test expires; it must be redone
                            u32::from(SluiceError::AuctionExpired),
                        ]
                        .contains(&code),
                        "step {step}: {e:?}"
                    );
                }
            }
        }
        let pool = s.env.pool(&s.sol.clone()).await;
        let seized = pool.seized_this_slot(slot);
        assert!(seized <= cap, "slot {slot}: seized {seized} > cap {cap}");
        if seized > 0 {
            slots_with_seizure += 1;
        }
        s.books().await;
    }
    assert!(
        slots_with_seizure >= 3,
        "liquidation spread over {slots_with_seizure} slots"
    );
    for (i, n) in liquidations_per_position.iter().enumerate() {
        assert!(*n >= 2, "position {i} liquidated in {n} parts");
    }
}

/// Seizures are capped per slot, and so are forced sales: lots seized in
/// earlier slots cannot all be dumped into the market in one slot. A taker
/// who tries to buy two whole lots in one slot gets at most the depth
/// observed in earlier slots; the rest waits for the next slot.
#[tokio::test]
async fn lots_from_earlier_slots_cannot_be_dumped_into_the_market_in_one_slot() {
    let (mut s, b1, b2) = Scene::two_liquidatable().await;
    // each liquidation takes (nearly) a whole slot's cap, in its own slot
    s.liquidate(&b1.pubkey()).await.unwrap();
    s.prices(1, 80.0).await;
    s.liquidate(&b2.pubkey()).await.unwrap();
    // the lots decay below the market; then one slot, one taker, both lots
    s.prices(20, 80.0).await;
    let (sk, uk) = (s.sol, s.usdc);
    let lots = s.env.auction(&b1.pubkey(), &sk, &uk).await.lot
        + s.env.auction(&b2.pubkey(), &sk, &uk).await.lot;
    let slot = s.env.clock().await.slot;
    let room = s.env.pool(&sk).await.sale_room(slot);
    assert!(
        lots > room,
        "the test needs more in lots ({lots}) than one slot's room ({room})"
    );
    let taker = s.funded_taker().await;
    let mut sold = 0;
    for owner in [b1.pubkey(), b2.pubkey()] {
        let ix = s
            .env
            .ix_take(&taker.pubkey(), &owner, &sk, &uk, u64::MAX, u128::MAX)
            .await;
        match s.env.send(&[ix], &[&taker]).await {
            Ok(()) => {}
            Err(e) => assert_eq!(
                custom_code(&e),
                Some(u32::from(SluiceError::SellCapExhausted)),
                "{e:?}"
            ),
        }
        sold = s.env.balance_of(&taker.pubkey(), &sk.mint).await;
    }
    assert!(sold <= room, "sold {sold} in one slot, room {room}");
    assert!(sold > 0, "the first lot sells up to the room");
    // the next slot has room again
    s.prices(1, 80.0).await;
    s.take_all(&taker, &b2.pubkey()).await.unwrap();
    assert!(s.env.balance_of(&taker.pubkey(), &sk.mint).await > sold);
    s.books().await;
}

#[tokio::test]
async fn two_keepers_in_one_slot_cannot_exceed_the_cap() {
    let (mut s, b1, b2) = Scene::two_liquidatable().await;
    let cap = s.cap_now().await;
    let keeper2 = s.env.user().await;
    let (sk, uk, all) = (s.sol, s.usdc, s.all());
    // both keepers in the same slot, each on a different position
    s.liquidate(&b1.pubkey()).await.unwrap();
    let second = s
        .env
        .liquidate(&keeper2, &b2.pubkey(), &sk, &uk, &all)
        .await;
    let slot = s.env.clock().await.slot;
    let seized = s.env.pool(&sk).await.seized_this_slot(slot);
    assert!(seized <= cap, "seized {seized} > cap {cap}");
    match second {
        Ok(()) => {}
        Err(e) => assert_eq!(
            custom_code(&e),
            Some(u32::from(SluiceError::SellCapExhausted))
        ),
    }
    // the cap is per slot: the next slot has room again
    s.prices(1, 80.0).await;
    s.env
        .liquidate(&keeper2, &b2.pubkey(), &sk, &uk, &all)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_preset_seizes_several_slots_of_cap_after_quiet_slots_but_sells_one_per_slot() {
    // the shipped preset: up to five slots of cap seized at once, the
    // bucket draining one cap per slot; sales to takers stay per slot
    let p = preset_params();
    assert_eq!(p.seize_window_slots, 5);
    let mut s = Scene::new(p).await;
    let b1 = s.borrower(100 * SOL, 7_000 * USDC).await;
    let b2 = s.borrower(100 * SOL, 7_000 * USDC).await;
    for price in [95.0, 90.0, 85.0, 80.0, 80.0, 80.0, 80.0] {
        s.prices(10, price).await;
    }
    let cap = s.cap_now().await;
    // after quiet slots one liquidation takes five slots' cap (each
    // position wants about six here; a one-slot window gives it one)
    s.liquidate(&b1.pubkey()).await.unwrap();
    let slot = s.env.clock().await.slot;
    let sk = s.sol;
    let pool = s.env.pool(&sk).await;
    let seized = pool.seized_this_slot(slot);
    assert!(
        seized > 4 * cap && seized <= 5 * cap,
        "seized {seized}, cap {cap}"
    );
    // the bucket is full: nothing more this slot
    assert_sluice_err(
        s.liquidate(&b2.pubkey()).await,
        SluiceError::SellCapExhausted,
    );
    // what may reach the market in this slot is still one slot's cap
    let taker = s.funded_taker().await;
    let _ = s.take_all(&taker, &b1.pubkey()).await;
    let sold = s.env.pool(&sk).await.sold.in_slot(slot);
    assert!(sold <= cap, "sold {sold} > one slot's cap {cap}");
    // a slot later the bucket has drained one slot's cap: the next
    // liquidation gets about that much, not five slots' worth
    s.prices(1, 80.0).await;
    let next = s.env.clock().await.slot;
    assert_eq!(next, slot + 1);
    s.liquidate(&b2.pubkey()).await.unwrap();
    let second = s.env.pool(&sk).await.seized_this_slot(next);
    let cap_next = s.cap_now().await;
    assert!(
        second <= cap_next + cap_next / 20,
        "seized {second}, cap {cap_next}"
    );
    s.books().await;
}

#[tokio::test]
async fn the_preset_spreads_a_lot_backlog_over_four_slots_of_sales() {
    // the preset's sale pacing: a slot's sales are at most the backlog / 4,
    // at least a quarter of the cap; here one lot of one slot's cap, so a
    // taker gets a quarter of it per slot instead of all of it at once
    let p = PoolParams {
        seize_window_slots: 1,
        ..preset_params()
    };
    assert_eq!(p.sale_pace_slots, 4);
    let (mut s, b) = Scene::liquidatable_with(p).await;
    s.liquidate(&b.pubkey()).await.unwrap();
    let sk = s.sol;
    let slot = s.env.clock().await.slot;
    let pool = s.env.pool(&sk).await;
    let cap = pool.observed_depth(slot).unwrap();
    let backlog = pool.auction_collateral;
    let paced = cap.min((cap / 4).max(backlog / 4));
    assert!(paced < cap, "pacing binds: {paced} of {cap}");
    assert_eq!(pool.sale_room(slot), paced);
    let taker = s.funded_taker().await;
    s.take_all(&taker, &b.pubkey()).await.unwrap();
    assert_eq!(s.env.pool(&sk).await.sold.in_slot(slot), paced);
    assert_eq!(s.env.balance_of(&taker.pubkey(), &sk.mint).await, paced);
    s.books().await;
}

#[tokio::test]
async fn an_extended_lot_keeps_decaying_from_where_it_stood() {
    // a lot opening 2% above the oracle, extended while the price falls:
    // restarting it at a fresh +2% each time kept it above a falling
    // market; it now restarts at its current price, held within [oracle,
    // fresh start]
    let (mut s, b) = Scene::liquidatable_with(opening_above_oracle()).await;
    s.liquidate(&b.pubkey()).await.unwrap();
    let (sk, uk) = (s.sol, s.usdc);
    let first = s.env.auction(&b.pubkey(), &sk, &uk).await;
    // the price falls to $80 and stands the guard window; the lot decays
    // meanwhile, until it is under a fresh lot's start at $80
    for _ in 0..3 {
        s.prices(2, 80.0).await;
    }
    let oracle = s
        .env
        .pool(&sk)
        .await
        .price_ratio_wad(&s.env.pool(&uk).await)
        .unwrap();
    let fresh = oracle * 10_200 / 10_000;
    while first.price_at(s.env.clock().await.slot).unwrap() >= fresh {
        s.prices(1, 80.0).await;
    }
    let slot = s.env.clock().await.slot;
    let now = first.price_at(slot).unwrap();
    s.liquidate(&b.pubkey()).await.unwrap();
    let extended = s.env.auction(&b.pubkey(), &sk, &uk).await;
    assert!(extended.lot > first.lot);
    assert_eq!(extended.start_price_wad, now.min(fresh).max(oracle));
    assert!(extended.start_price_wad < fresh, "{now} {fresh}");
    s.books().await;
}

#[tokio::test]
async fn partial_liquidation_restores_target_health_and_pays_keeper() {
    let mut p = default_params();
    p.liquidation.sell_cap_per_slot = u64::MAX;
    let mut s = Scene::new(p).await;
    // no depth limit for this test: deregister the AMM
    let auth = s.env.authority.insecure_clone();
    let sk = s.sol;
    let ix = s
        .env
        .ix_set_depth_sources(&auth.pubkey(), &sk, [DepthSource::default(); 2], &[]);
    s.env.send(&[ix], &[&auth]).await.unwrap();
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    s.liquidate(&b.pubkey()).await.unwrap();
    let all = s.all();
    let h = s
        .env
        .health(&b.pubkey(), &all, sluice::health::HealthType::Maintenance)
        .await
        .unwrap();
    let f = h.factor_wad() as f64 / 1e18;
    assert!((1.049..1.06).contains(&f), "health after {f}");
    let pos = s.env.position(&b.pubkey()).await;
    assert!(
        pos.collateral[0].amount > 50 * SOL,
        "partial: {} left",
        pos.collateral[0].amount
    );
    assert!(pos.has_debt());
    // keeper incentive: 0.5% of the debt retired, paid in SOL
    let auction = s
        .env
        .auction(&b.pubkey(), &s.sol.clone(), &s.usdc.clone())
        .await;
    let reward = s.env.balance_of(&s.keeper.pubkey(), &s.sol.mint).await;
    let expected = auction.debt_to_raise as f64 / 1e6 * 0.005 / 85.0 * 1e9;
    assert!(
        (reward as f64 - expected).abs() < 1e6,
        "reward {reward} vs {expected}"
    );
    s.books().await;
}

/// The preset's parameters with lots opening 2% above the oracle (a start
/// buffer governance may set): a lot taken before it decays to the oracle
/// raises its tab with collateral to spare, which goes back to the owner.
fn opening_above_oracle() -> PoolParams {
    let mut p = default_params();
    p.liquidation.auction.start_buffer_bps = 200;
    p
}

#[tokio::test]
async fn auction_take_pays_the_decayed_price_and_returns_leftover() {
    let params = opening_above_oracle();
    let (mut s, b) = Scene::liquidatable_with(params).await;
    s.liquidate(&b.pubkey()).await.unwrap();
    let (sk, uk) = (s.sol, s.usdc);
    let auction = s.env.auction(&b.pubkey(), &sk, &uk).await;
    assert_eq!(auction.status, AuctionStatus::Active);
    let pos_before = s.env.position(&b.pubkey()).await;
    assert_eq!(pos_before.open_auctions, 1);
    // start price = oracle x (1 + start buffer), in debt base units per collateral base unit (WAD)
    let oracle_ratio = 85.0 * 1e6 / 1e9 * 1e18;
    let buffer = 1.0 + params.liquidation.auction.start_buffer_bps as f64 / 1e4;
    assert!(((auction.start_price_wad as f64) / oracle_ratio - buffer).abs() < 1e-6);
    // one decay step past the decay start: still above the oracle, so the lot
    // (sized at the oracle to cover debt + penalty) raises the tab with some left over
    let now = s.env.clock().await.slot;
    s.prices(auction.decay_start_slot - now + 1, 85.0).await;
    let slot = s.env.clock().await.slot;
    let price = auction.price_at(slot).unwrap();
    assert!(price < auction.start_price_wad && price > auction.floor_price_wad);

    let taker = s.funded_taker().await;
    let before = s.env.balance_of(&taker.pubkey(), &uk.mint).await;
    let amount = SOL; // one SOL
    let ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, amount, u128::MAX)
        .await;
    s.env.send(&[ix], &[&taker]).await.unwrap();
    let paid = before - s.env.balance_of(&taker.pubkey(), &uk.mint).await;
    assert_eq!(
        u128::from(paid),
        sluice::math::auction::cost(amount, price).unwrap()
    );
    assert_eq!(s.env.balance_of(&taker.pubkey(), &sk.mint).await, amount);
    let after = s.env.auction(&b.pubkey(), &sk, &uk).await;
    assert_eq!(
        after.debt_to_raise,
        auction.debt_to_raise - paid,
        "proceeds repay the debt"
    );
    assert_eq!(after.lot, auction.lot - amount);
    s.books().await;

    // a taker whose limit is below the price is refused
    let ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, amount, price - 1)
        .await;
    assert_sluice_err(
        s.env.send(&[ix], &[&taker]).await,
        SluiceError::AuctionPriceAboveLimit,
    );

    // buy out the rest of the tab: the leftover lot returns to the position
    s.take_all(&taker, &b.pubkey()).await.unwrap();
    let done = s.env.auction(&b.pubkey(), &sk, &uk).await;
    assert_eq!(done.status, AuctionStatus::Idle);
    let pos = s.env.position(&b.pubkey()).await;
    assert_eq!(pos.open_auctions, 0);
    let bought = s.env.balance_of(&taker.pubkey(), &sk.mint).await;
    let keeper_reward = s.env.balance_of(&s.keeper.pubkey(), &sk.mint).await;
    assert!(
        pos.collateral[0].amount > pos_before.collateral[0].amount,
        "leftover returned"
    );
    assert_eq!(
        pos.collateral[0].amount + bought + keeper_reward,
        100 * SOL,
        "every seized unit is sold, paid to the keeper or returned"
    );
    // the penalty went to the insurance buffer
    let ins = s.env.insurance(&uk).await;
    // (the last unit's price may round the penalty up by one base unit)
    assert!(ins.total_funded.abs_diff(auction.penalty_to_raise) <= 1);
    let pool = s.env.pool(&uk).await;
    assert_eq!(pool.auction_debt, 0);
    assert_eq!(s.env.pool(&sk).await.auction_collateral, 0);
    s.books().await;
}

#[tokio::test]
async fn expired_lot_cannot_be_taken_and_is_redone_with_a_tip() {
    let (mut s, b) = Scene::liquidatable().await;
    s.liquidate(&b.pubkey()).await.unwrap();
    let (sk, uk) = (s.sol, s.usdc);
    let auction = s.env.auction(&b.pubkey(), &sk, &uk).await;
    let redoer = s.env.user().await;
    // too early to redo
    let ix = s.env.ix_redo(&redoer.pubkey(), &b.pubkey(), &sk, &uk).await;
    let mut ixs = s.env.refresh_prices(&s.all());
    ixs.push(ix);
    assert_sluice_err(
        s.env.send(&ixs, &[&redoer]).await,
        SluiceError::AuctionNotRedoable,
    );
    // past the time limit
    let wait = auction.expires_slot - s.env.clock().await.slot;
    s.prices(wait, 85.0).await;
    let taker = s.funded_taker().await;
    let ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, SOL, u128::MAX)
        .await;
    assert_sluice_err(
        s.env.send(&[ix], &[&taker]).await,
        SluiceError::AuctionExpired,
    );
    // a keeper redoes it and is tipped 0.1% of the lot
    let mut ixs = s.env.refresh_prices(&s.all());
    ixs.push(s.env.ix_redo(&redoer.pubkey(), &b.pubkey(), &sk, &uk).await);
    s.env.send(&ixs, &[&redoer]).await.unwrap();
    let redone = s.env.auction(&b.pubkey(), &sk, &uk).await;
    let tip = s.env.balance_of(&redoer.pubkey(), &sk.mint).await;
    assert_eq!(tip, auction.lot / 1_000);
    assert_eq!(redone.lot, auction.lot - tip);
    assert_eq!(redone.redo_count, 1);
    let slot = s.env.clock().await.slot;
    assert!(redone.expires_slot > slot && redone.decay_start_slot >= slot);
    assert!(
        redone.decay_start_slot <= slot + u64::from(sluice::presets::sluice().auction.jitter_slots)
    );
    // and can be taken again
    let ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, SOL, u128::MAX)
        .await;
    s.env.send(&[ix], &[&taker]).await.unwrap();
    s.books().await;
}

#[tokio::test]
async fn liquidation_rejections() {
    let mut s = Scene::new(default_params()).await;
    let healthy = s.borrower(100 * SOL, 3_000 * USDC).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    assert_sluice_err(
        s.liquidate(&healthy.pubkey()).await,
        SluiceError::PositionHealthy,
    );
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    assert_sluice_err(
        s.liquidate(&healthy.pubkey()).await,
        SluiceError::PositionHealthy,
    );
    let (sk, uk, all, k) = (s.sol, s.usdc, s.all(), s.keeper.insecure_clone());

    // a substituted depth account (a deeper-looking pool the attacker controls)
    let fake = s
        .env
        .create_amm(&sk, &uk, 1_000_000 * SOL, 100_000_000 * USDC)
        .await;
    let mut ixs = s.env.refresh_prices(&all);
    let mut ix = s
        .env
        .ix_liquidate(&k.pubkey(), &b.pubkey(), &sk, &uk, &[])
        .await;
    let n = ix.accounts.len();
    ix.accounts[n - 2].pubkey = fake.vault_collateral;
    ixs.push(ix);
    assert_sluice_err(
        s.env.send(&ixs, &[&k]).await,
        SluiceError::DepthAccountMismatch,
    );
    // depth accounts left out
    let mut ixs = s.env.refresh_prices(&all);
    let mut ix = s
        .env
        .ix_liquidate(&k.pubkey(), &b.pubkey(), &sk, &uk, &[])
        .await;
    ix.accounts.truncate(n - 2);
    ixs.push(ix);
    assert_sluice_err(
        s.env.send(&ixs, &[&k]).await,
        SluiceError::MissingDepthAccount,
    );
    // the wrong instruction for the pool's mode
    let mut ixs = s.env.refresh_prices(&all);
    ixs.push(
        s.env
            .ix_liquidate_instant(&k.pubkey(), &b.pubkey(), &sk, &uk, &[])
            .await,
    );
    assert_sluice_err(
        s.env.send(&ixs, &[&k]).await,
        SluiceError::WrongLiquidationMode,
    );
    // prices not refreshed in this slot
    s.env.advance(1, 1).await;
    let ix = s
        .env
        .ix_liquidate(&k.pubkey(), &b.pubkey(), &sk, &uk, &[])
        .await;
    assert_sluice_err(
        s.env.send(&[ix], &[&k]).await,
        SluiceError::PriceNotRefreshed,
    );
    s.env.set_price(&uk, Px::usd(1.0)).await;
    s.env.set_price(&sk, Px::usd(85.0)).await;

    // paused
    let auth = s.env.authority.insecure_clone();
    let pause = MarketParams {
        pause_flags: PAUSE_LIQUIDATIONS,
        ..default_market_params()
    };
    let ix = s.env.ix_update_market_params(&auth.pubkey(), pause);
    s.env.send(&[ix], &[&auth]).await.unwrap();
    assert_sluice_err(
        s.liquidate(&b.pubkey()).await,
        SluiceError::LiquidationsPaused,
    );
    let ix = s
        .env
        .ix_update_market_params(&auth.pubkey(), default_market_params());
    s.env.send(&[ix], &[&auth]).await.unwrap();

    // open an auction on b, then use it with another position's accounts
    s.liquidate(&b.pubkey()).await.unwrap();
    let taker = s.funded_taker().await;
    let mut ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, SOL, u128::MAX)
        .await;
    ix.accounts[3].pubkey = s.env.position_key(&healthy.pubkey()); // leftover would go elsewhere
    assert_sluice_err(
        s.env.send(&[ix], &[&taker]).await,
        SluiceError::AuctionMismatch,
    );
    // the auction account of another position (an idle PDA that is not b's)
    let mut ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, SOL, u128::MAX)
        .await;
    ix.accounts[2].pubkey = s.env.auction_key(&healthy.pubkey(), &sk, &uk);
    assert_failed(s.env.send(&[ix], &[&taker]).await);
    // a liquidate naming b's position with an auction PDA of another position
    let mut ixs = s.env.refresh_prices(&all);
    let mut ix = s
        .env
        .ix_liquidate(&k.pubkey(), &b.pubkey(), &sk, &uk, &[])
        .await;
    ix.accounts[7].pubkey = s.env.auction_key(&healthy.pubkey(), &sk, &uk);
    ixs.push(ix);
    assert_anchor_err(
        s.env.send(&ixs, &[&k]).await,
        anchor_lang::error::ErrorCode::ConstraintSeeds,
    );
    // zero-amount take
    let ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, 0, u128::MAX)
        .await;
    assert_sluice_err(s.env.send(&[ix], &[&taker]).await, SluiceError::ZeroAmount);
    // bad debt cannot be written off while the position still has collateral
    let ix = s.env.ix_settle_bad_debt(&k.pubkey(), &b.pubkey(), &uk);
    assert_sluice_err(
        s.env.send(&[ix], &[&k]).await,
        SluiceError::PositionHasCollateral,
    );
    s.books().await;
}

#[tokio::test]
async fn circuit_breaker_caps_collateral_value_in_auctions() {
    let mut s = Scene::new(default_params()).await;
    let auth = s.env.authority.insecure_clone();
    let ix = s.env.ix_update_market_params(
        &auth.pubkey(),
        MarketParams {
            max_auction_value_usd: 500,
            ..default_market_params()
        },
    );
    s.env.send(&[ix], &[&auth]).await.unwrap();
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    // each liquidation fits in the room left; the breaker trips once it is used up
    let mut tripped = false;
    for _ in 0..10 {
        match s.liquidate(&b.pubkey()).await {
            Ok(()) => {}
            Err(e) => {
                let code = custom_code(&e);
                assert!(
                    code == Some(u32::from(SluiceError::CircuitBreakerTripped))
                        || code == Some(u32::from(SluiceError::SellCapExhausted)),
                    "{e:?}"
                );
                tripped = code == Some(u32::from(SluiceError::CircuitBreakerTripped));
            }
        }
        let m = s.env.market_state().await;
        assert!(
            m.auction_value_open <= 500 * sluice::math::WAD,
            "{}",
            m.auction_value_open
        );
        if tripped {
            break;
        }
        s.prices(1, 85.0).await;
    }
    assert!(tripped, "the breaker never tripped");
    // the position kept everything beyond $500 of seized collateral
    let pos = s.env.position(&b.pubkey()).await;
    assert!(
        pos.collateral[0].amount > 93 * SOL,
        "{}",
        pos.collateral[0].amount
    );
}

#[tokio::test]
async fn whirlpool_depth_source_bounds_the_cap() {
    let mut s = Scene::new(default_params()).await;
    let (sk, uk) = (s.sol, s.usdc);
    // SOL is token A at $100: P = 1e6 * 100 / 1e9 = 0.1 USDC units per SOL unit
    let sqrt_p = ((0.1f64).sqrt() * 18_446_744_073_709_551_616.0) as u128;
    let liquidity = 500_000_000_000u128;
    let wp = Keypair::new().pubkey();
    let data = whirlpool_data(liquidity, sqrt_p, &sk.mint, &uk.mint);
    // an impostor owner is refused at registration
    s.env
        .set_account(&wp, &Keypair::new().pubkey(), data.clone());
    let auth = s.env.authority.insecure_clone();
    let src = [
        DepthSource {
            kind: DepthKind::Whirlpool as u8,
            account_a: wp,
            account_b: Default::default(),
        },
        DepthSource::default(),
    ];
    let ix = s.env.ix_set_depth_sources(&auth.pubkey(), &sk, src, &[wp]);
    assert_sluice_err(
        s.env.send(&[ix], &[&auth]).await,
        SluiceError::DepthAccountInvalid,
    );
    s.env.set_account(&wp, &WHIRLPOOL_PROGRAM_ID, data);
    let ix = s.env.ix_set_depth_sources(&auth.pubkey(), &sk, src, &[wp]);
    s.env.send(&[ix], &[&auth]).await.unwrap();
    // a non-authority cannot change the sources
    let mallory = s.env.user().await;
    let ix = s
        .env
        .ix_set_depth_sources(&mallory.pubkey(), &sk, [DepthSource::default(); 2], &[]);
    assert_sluice_err(
        s.env.send(&[ix], &[&mallory]).await,
        SluiceError::Unauthorized,
    );

    let cap = clmm_max_sell(liquidity, sqrt_p, true, 100).unwrap();
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    s.liquidate(&b.pubkey()).await.unwrap();
    let slot = s.env.clock().await.slot;
    let seized = s.env.pool(&sk).await.seized_this_slot(slot);
    assert!(
        seized <= cap && seized > cap / 2,
        "seized {seized}, cap {cap}"
    );
    // a substituted whirlpool (deeper, same layout and owner) is refused
    let fake = Keypair::new().pubkey();
    s.env.set_account(
        &fake,
        &WHIRLPOOL_PROGRAM_ID,
        whirlpool_data(liquidity * 1000, sqrt_p, &sk.mint, &uk.mint),
    );
    s.prices(1, 85.0).await;
    assert_sluice_err(
        s.liquidate_substituting(&b.pubkey(), wp, fake).await,
        SluiceError::DepthAccountMismatch,
    );
}

async fn underwater(buffer: u64) -> (Scene, Keypair) {
    underwater_at(buffer, 60.0).await
}

/// A position of 100 SOL owing $7,000 with SOL at `sol_usd`, no cap: below
/// about $73.8 its whole SOL leg goes to auction (the toxic path).
async fn underwater_at(buffer: u64, sol_usd: f64) -> (Scene, Keypair) {
    underwater_with(default_params(), buffer, sol_usd).await
}

/// [`underwater_at`] on SOL pool parameters `p`.
async fn underwater_with(mut p: PoolParams, buffer: u64, sol_usd: f64) -> (Scene, Keypair) {
    p.liquidation.sell_cap_per_slot = u64::MAX;
    let mut s = Scene::new(p).await;
    let auth = s.env.authority.insecure_clone();
    let sk = s.sol;
    let ix = s
        .env
        .ix_set_depth_sources(&auth.pubkey(), &sk, [DepthSource::default(); 2], &[]);
    s.env.send(&[ix], &[&auth]).await.unwrap();
    if buffer > 0 {
        let uk = s.usdc;
        let k = s.keeper.insecure_clone();
        s.env.fund_insurance(&k, &uk, buffer).await.unwrap();
    }
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    // a gap down (to $60: collateral $6,000 < debt $7,000)
    for _ in 0..6 {
        s.prices(10, sol_usd).await;
    }
    (s, b)
}

#[tokio::test]
async fn underwater_position_goes_whole_to_auction_and_the_buffer_pays_the_rest() {
    let (mut s, b) = underwater(5_000 * USDC).await;
    let (sk, uk) = (s.sol, s.usdc);
    s.liquidate(&b.pubkey()).await.unwrap();
    let pos = s.env.position(&b.pubkey()).await;
    assert!(!pos.has_collateral(), "toxic path takes the whole leg");
    assert!(pos.has_debt(), "the debt the collateral cannot cover stays");
    // it cannot be written off while its auction may still return collateral
    let k = s.keeper.insecure_clone();
    let ix = s.env.ix_settle_bad_debt(&k.pubkey(), &b.pubkey(), &uk);
    assert_sluice_err(s.env.send(&[ix], &[&k]).await, SluiceError::AuctionsPending);
    // the lot sells at its floor: raises less than the debt moved into it
    let auction = s.env.auction(&b.pubkey(), &sk, &uk).await;
    let wait = auction.decay_start_slot + 30 - s.env.clock().await.slot;
    s.prices(wait, 60.0).await;
    let taker = s.funded_taker().await;
    let ins_before = s.env.balance(&uk.insurance_vault).await;
    let assets_before = s.env.pool(&uk).await.total_supply_assets().unwrap();
    let debt_before = s.env.position(&b.pubkey()).await.debts[0].scaled_debt;
    s.take_all(&taker, &b.pubkey()).await.unwrap();
    // the lot sold out short of its debt: the unpaid part returns to the
    // position (no bad debt is booked while a position could still pay)
    let pool = s.env.pool(&uk).await;
    assert_eq!(pool.total_bad_debt, 0);
    assert_eq!(pool.auction_debt, 0);
    let pos = s.env.position(&b.pubkey()).await;
    assert!(pos.debts[0].scaled_debt > debt_before);
    assert_eq!(pos.open_auctions, 0);
    // with no collateral left anywhere, the whole remainder is written off:
    // the buffer pays first
    let owed = debt_amount(
        pos.debts[0].scaled_debt,
        pool.borrow_index.get(),
        Rounding::Up,
    )
    .unwrap() as u64;
    let ix = s.env.ix_settle_bad_debt(&k.pubkey(), &b.pubkey(), &uk);
    s.env.send(&[ix], &[&k]).await.unwrap();
    let pos = s.env.position(&b.pubkey()).await;
    assert!(pos.is_empty());
    let pool = s.env.pool(&uk).await;
    assert_eq!(pool.total_bad_debt, owed);
    let paid = ins_before - s.env.balance(&uk.insurance_vault).await;
    assert_eq!(paid, owed.min(ins_before));
    assert_eq!(pool.total_socialized, owed - paid);
    // lenders lost only what the buffer could not pay (to rounding)
    let assets_after = pool.total_supply_assets().unwrap();
    assert!(
        assets_after + 1 + u128::from(pool.total_socialized) >= assets_before,
        "{assets_before} -> {assets_after}"
    );
    s.books().await;
}

#[tokio::test]
async fn with_an_empty_buffer_lenders_absorb_exactly_the_shortfall() {
    let (mut s, b) = underwater(0).await;
    let (sk, uk) = (s.sol, s.usdc);
    s.liquidate(&b.pubkey()).await.unwrap();
    // the auction sells out; the unpaid debt returns to the position
    let auction = s.env.auction(&b.pubkey(), &sk, &uk).await;
    let wait = auction.decay_start_slot + 30 - s.env.clock().await.slot;
    s.prices(wait, 60.0).await;
    let taker = s.funded_taker().await;
    let before = s.env.pool(&uk).await;
    s.take_all(&taker, &b.pubkey()).await.unwrap();
    let after = s.env.pool(&uk).await;
    assert_eq!(after.total_socialized, 0);
    assert_eq!(after.total_shares, before.total_shares);
    // then the uncovered debt is written off: lenders absorb exactly it
    let a1 = after.total_supply_assets().unwrap();
    let p = s.env.position(&b.pubkey()).await;
    let owed = debt_amount(
        p.debts[0].scaled_debt,
        after.borrow_index.get(),
        Rounding::Up,
    )
    .unwrap();
    let k = s.keeper.insecure_clone();
    let ix = s.env.ix_settle_bad_debt(&k.pubkey(), &b.pubkey(), &uk);
    s.env.send(&[ix], &[&k]).await.unwrap();
    let end = s.env.pool(&uk).await;
    let drop = a1 - end.total_supply_assets().unwrap();
    assert!(drop.abs_diff(owed) <= 1, "assets fell {drop}, owed {owed}");
    assert_eq!(u128::from(end.total_socialized), owed);
    assert_eq!(end.total_bad_debt, end.total_socialized);
    s.books().await;
}

#[tokio::test]
async fn instant_preset_liquidates_at_a_fixed_bonus_without_a_cap() {
    let mut s = Scene::new(instant_params()).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    let (sk, uk, all, k) = (s.sol, s.usdc, s.all(), s.keeper.insecure_clone());
    let usdc_before = s.env.balance_of(&k.pubkey(), &uk.mint).await;
    // the auction instruction is refused for an instant-mode pool
    assert_sluice_err(
        s.liquidate(&b.pubkey()).await,
        SluiceError::WrongLiquidationMode,
    );
    s.env
        .liquidate_instant(&k, &b.pubkey(), &sk, &uk, &all)
        .await
        .unwrap();
    let repaid = usdc_before - s.env.balance_of(&k.pubkey(), &uk.mint).await;
    let got = s.env.balance_of(&k.pubkey(), &sk.mint).await;
    // close factor 50%: half of the (accrued) debt
    assert!(
        (3_500 * USDC..3_501 * USDC).contains(&repaid),
        "repaid {repaid}"
    );
    let expected = repaid as f64 / 1e6 * 1.055 / 85.0 * 1e9;
    assert!(
        (got as f64 - expected).abs() < 1e6,
        "got {got}, expected {expected}"
    );
    s.books().await;
}

#[tokio::test]
async fn extending_an_open_auction_reprices_the_whole_lot_from_the_oracle() {
    // attack: let a lot decay toward its floor, then extend it with fresh
    // collateral and buy everything at the decayed price (self-liquidation
    // from a second wallet made this a repeatable profit)
    let (mut s, b) = Scene::liquidatable().await;
    s.liquidate(&b.pubkey()).await.unwrap();
    let (sk, uk) = (s.sol, s.usdc);
    let first = s.env.auction(&b.pubkey(), &sk, &uk).await;
    // 50 slots of decay at 1% a slot while the price falls again
    for _ in 0..5 {
        s.prices(10, 80.0).await;
    }
    let slot = s.env.clock().await.slot;
    let decayed = first.price_at(slot).unwrap();
    assert!(decayed < first.start_price_wad * 80 / 100, "{decayed}");
    s.liquidate(&b.pubkey()).await.unwrap();
    let extended = s.env.auction(&b.pubkey(), &sk, &uk).await;
    assert!(extended.lot > first.lot);
    // the whole lot starts again no lower than the oracle (never at the
    // decayed price), and no higher than a fresh lot would
    let oracle_ratio = 80u128 * WAD_PER_USD_PER_SOL_UNIT;
    let buffer = u128::from(default_params().liquidation.auction.start_buffer_bps);
    let fresh = oracle_ratio * (10_000 + buffer) / 10_000;
    assert!(
        extended.start_price_wad >= oracle_ratio
            && extended.start_price_wad <= fresh + fresh / 1_000,
        "{} vs [{oracle_ratio}, {fresh}]",
        extended.start_price_wad
    );
    assert!(extended.decay_start_slot >= slot);
    assert_eq!(extended.price_at(slot).unwrap(), extended.start_price_wad);
    s.books().await;
}

/// WAD USD per SOL base unit for $1 of SOL price (a pool's unit price): 1e18 / 1e9.
const USD_WAD_PER_SOL_UNIT: u128 = 1_000_000_000;

/// USDC base units (WAD) per SOL base unit for $1 of SOL price: 1e6 / 1e9.
const WAD_PER_USD_PER_SOL_UNIT: u128 = 1_000_000_000_000_000;

#[tokio::test]
async fn a_partial_take_cannot_leave_a_dust_lot() {
    let (mut s, b) = Scene::liquidatable().await;
    s.liquidate(&b.pubkey()).await.unwrap();
    let (sk, uk) = (s.sol, s.usdc);
    let lot = s.env.auction(&b.pubkey(), &sk, &uk).await.lot;
    // decayed below the tab: the lot less one unit no longer raises it
    s.prices(12, 85.0).await;
    let taker = s.keeper.insecure_clone();
    let ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, lot - 1, u128::MAX)
        .await;
    assert_sluice_err(
        s.env.send(&[ix], &[&taker]).await,
        SluiceError::AuctionRemainderTooSmall,
    );
    // leaving at least $10 of collateral is fine
    let ix = s
        .env
        .ix_take(&taker.pubkey(), &b.pubkey(), &sk, &uk, lot / 2, u128::MAX)
        .await;
    s.env.send(&[ix], &[&taker]).await.unwrap();
    s.books().await;
}

#[tokio::test]
async fn dust_collateral_behind_a_failing_oracle_cannot_block_liquidation() {
    // attack: one base unit of collateral in a third pool whose oracle then
    // fails (confidence too wide) made every liquidation of the position fail
    let mut s = Scene::new(default_params()).await;
    let broken = s.env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    s.env.mint_to(&broken.mint, &b.pubkey(), 1).await;
    s.env.refresh_price(&broken).await.unwrap();
    s.env.deposit_collateral(&b, &broken, 1).await.unwrap();
    // the oracle fails from now on, and its last price ages past max_age
    let mut wide = Px::usd(1.0);
    wide.conf = wide.price.unsigned_abs() / 10; // 10% > max_conf 2%
    for _ in 0..16 {
        s.prices(10, 80.0).await;
        s.env.set_price(&broken, wide).await;
    }
    assert_sluice_err(
        s.env.refresh_price(&broken).await,
        SluiceError::OracleConfidenceTooWide,
    );
    let (sk, uk, k) = (s.sol, s.usdc, s.keeper.insecure_clone());
    let mut ixs = s.env.refresh_prices(&[uk, sk]);
    ixs.push(
        s.env
            .ix_liquidate(&k.pubkey(), &b.pubkey(), &sk, &uk, &[broken])
            .await,
    );
    s.env.send(&ixs, &[&k]).await.unwrap();
    assert_eq!(
        s.env.auction(&b.pubkey(), &sk, &uk).await.status,
        AuctionStatus::Active
    );
    s.books().await;
}

#[tokio::test]
async fn redo_tips_are_bounded_per_auction_and_need_an_expired_lot() {
    // attack: with every lot "at floor", 120 redos in one slot paid 70% of a
    // lot out as tips
    let mut params = default_params();
    params.liquidation.auction.redo_tip_bps = 100; // the maximum, 1% a redo
    let mut s = Scene::new(params).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    s.liquidate(&b.pubkey()).await.unwrap();
    let (sk, uk) = (s.sol, s.usdc);
    let redoer = s.env.user().await;
    let lot = s.env.auction(&b.pubkey(), &sk, &uk).await.lot;
    // at the floor but before the time limit: not redoable
    let a = s.env.auction(&b.pubkey(), &sk, &uk).await;
    let wait = a.expires_slot - s.env.clock().await.slot - 1;
    s.prices(wait, 85.0).await;
    let mut ixs = s.env.refresh_prices(&s.all());
    ixs.push(s.env.ix_redo(&redoer.pubkey(), &b.pubkey(), &sk, &uk).await);
    assert_sluice_err(
        s.env.send(&ixs, &[&redoer]).await,
        SluiceError::AuctionNotRedoable,
    );
    // three expired rounds: the tips add up to at most 1% of the lot
    for _ in 0..3 {
        let a = s.env.auction(&b.pubkey(), &sk, &uk).await;
        let wait = a.expires_slot - s.env.clock().await.slot;
        s.prices(wait, 85.0).await;
        let mut ixs = s.env.refresh_prices(&s.all());
        ixs.push(s.env.ix_redo(&redoer.pubkey(), &b.pubkey(), &sk, &uk).await);
        s.env.send(&ixs, &[&redoer]).await.unwrap();
    }
    let tips = s.env.balance_of(&redoer.pubkey(), &sk.mint).await;
    assert_eq!(tips, lot / 100);
    assert_eq!(s.env.auction(&b.pubkey(), &sk, &uk).await.redo_count, 3);
    s.books().await;
}

/// A large position liquidatable at $85 (its lot far above the cap), an
/// attacker wallet holding 8,000 SOL and $1M to swap with, and the AMM's
/// honest depth cap.
async fn depth_attack_scene() -> (Scene, Keypair, Keypair, u64) {
    let mut s = Scene::new(default_params()).await;
    let b = s.borrower(1_000 * SOL, 70_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    let cap = s.cap_now().await;
    let w = s.env.user().await;
    let (sk, uk) = (s.sol, s.usdc);
    s.env.mint_to(&sk.mint, &w.pubkey(), 8_000 * SOL).await;
    s.env.mint_to(&uk.mint, &w.pubkey(), 1_000_000 * USDC).await;
    (s, b, w, cap)
}

#[tokio::test]
async fn swapping_into_the_amm_around_a_liquidation_cannot_raise_the_depth_cap() {
    // attack: swap 4x the reserve in, liquidate against the 5x depth, swap
    // back out, all in one transaction (the cap read live reserves)
    let (mut s, b, w, cap) = depth_attack_scene().await;
    let (sk, uk, all) = (s.sol, s.usdc, s.all());
    let mut middle = s.env.refresh_prices(&all);
    middle.push(
        s.env
            .ix_liquidate(&w.pubkey(), &b.pubkey(), &sk, &uk, &[])
            .await,
    );
    let ixs = s
        .amm
        .sandwich(&mut s.env, &w.pubkey(), 8_000 * SOL, middle)
        .await;
    let auth = s.amm.authority.insecure_clone();
    s.env.send(&ixs, &[&w, &auth]).await.unwrap();
    let slot = s.env.clock().await.slot;
    let seized = s.env.pool(&sk).await.seized_this_slot(slot);
    // 7798857 seized about 5x the cap here
    assert!(
        seized <= cap && seized > cap * 9 / 10,
        "seized {seized}, cap {cap}"
    );
    assert_eq!(s.amm.reserves(&mut s.env).await.0, 2_000 * SOL);
    s.books().await;
}

#[tokio::test]
async fn a_sandwiched_depth_observation_lifts_the_next_slots_cap_by_at_most_five_percent() {
    // attack: record an inflated depth in one slot (swap in, refresh with the
    // depth accounts, swap out) to liquidate against it in the next
    let (mut s, b, w, cap) = depth_attack_scene().await;
    let sk = s.sol;
    let observe = vec![s.env.ix_refresh_price_observing_depth(&sk).await];
    let ixs = s
        .amm
        .sandwich(&mut s.env, &w.pubkey(), 8_000 * SOL, observe)
        .await;
    let auth = s.amm.authority.insecure_clone();
    s.env.send(&ixs, &[&w, &auth]).await.unwrap();
    // the inflated reading is not in force in its own slot
    let slot = s.env.clock().await.slot;
    let pool = s.env.pool(&sk).await;
    assert_eq!(pool.observed_depth(slot), Some(cap));
    assert_eq!(
        pool.observed_depth(slot + 1),
        Some(cap + cap * 500 / 10_000)
    );
    // next slot: the inflated depth read inside the liquidating transaction
    // is capped by the estimate, itself at most 5% above the honest depth
    s.prices(1, 85.0).await;
    let (uk, all) = (s.usdc, s.all());
    let mut middle = s.env.refresh_prices(&all);
    middle.push(
        s.env
            .ix_liquidate(&w.pubkey(), &b.pubkey(), &sk, &uk, &[])
            .await,
    );
    let ixs = s
        .amm
        .sandwich(&mut s.env, &w.pubkey(), 8_000 * SOL, middle)
        .await;
    s.env.send(&ixs, &[&w, &auth]).await.unwrap();
    let slot = s.env.clock().await.slot;
    let seized = s.env.pool(&sk).await.seized_this_slot(slot);
    assert!(seized <= cap + cap / 20, "seized {seized}, cap {cap}");
    // an honest observation brings the estimate back down at once
    s.prices(1, 85.0).await;
    let honest = s.env.ix_refresh_price_observing_depth(&sk).await;
    s.env.send(&[honest], &[]).await.unwrap();
    let slot = s.env.clock().await.slot;
    assert_eq!(s.env.pool(&sk).await.observed_depth(slot + 1), Some(cap));
    s.books().await;
}

#[tokio::test]
async fn just_in_time_whirlpool_liquidity_cannot_raise_the_depth_cap() {
    // attack: add concentrated liquidity right before the liquidation (here
    // 1,000x, written into the Whirlpool account) and remove it after
    let mut s = Scene::new(default_params()).await;
    let (sk, uk) = (s.sol, s.usdc);
    let sqrt_p = ((0.085f64).sqrt() * 18_446_744_073_709_551_616.0) as u128;
    let liquidity = 500_000_000_000u128;
    let wp = Keypair::new().pubkey();
    s.env.set_account(
        &wp,
        &WHIRLPOOL_PROGRAM_ID,
        whirlpool_data(liquidity, sqrt_p, &sk.mint, &uk.mint),
    );
    let auth = s.env.authority.insecure_clone();
    let src = [DepthSource::whirlpool(wp), DepthSource::default()];
    let ix = s.env.ix_set_depth_sources(&auth.pubkey(), &sk, src, &[wp]);
    s.env.send(&[ix], &[&auth]).await.unwrap();
    let cap = clmm_max_sell(liquidity, sqrt_p, true, 100).unwrap();
    let b = s.borrower(1_000 * SOL, 70_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    s.env.set_account(
        &wp,
        &WHIRLPOOL_PROGRAM_ID,
        whirlpool_data(liquidity * 1_000, sqrt_p, &sk.mint, &uk.mint),
    );
    s.liquidate(&b.pubkey()).await.unwrap();
    let slot = s.env.clock().await.slot;
    let seized = s.env.pool(&sk).await.seized_this_slot(slot);
    assert!(
        seized <= cap && seized > cap * 9 / 10,
        "seized {seized}, cap {cap}"
    );
    s.books().await;
}

#[tokio::test]
async fn skipping_a_quiet_pools_refresh_cannot_liquidate_a_healthy_position() {
    // attack (keeper): a position is healthy only with its collateral in a
    // quiet pool; the keeper refreshes every other pool, leaves that one
    // alone, and liquidates as soon as its price is past max_age (60 s),
    // when it counted as zero
    let mut s = Scene::new(default_params()).await;
    let quiet = s.env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let (sk, uk) = (s.sol, s.usdc);
    let b = s.env.user().await;
    s.env.mint_to(&sk.mint, &b.pubkey(), 100 * SOL).await;
    s.env.mint_to(&quiet.mint, &b.pubkey(), 5_000 * USDC).await;
    s.env.open_position(&b).await.unwrap();
    s.env.deposit_collateral(&b, &sk, 100 * SOL).await.unwrap();
    s.env
        .deposit_collateral(&b, &quiet, 5_000 * USDC)
        .await
        .unwrap();
    // $9,000 against $10,000 of SOL (x 0.8 = $8,000) and $5,000 of the quiet asset
    s.env
        .borrow(&b, &uk, 9_000 * USDC, &[uk, sk, quiet])
        .await
        .unwrap();
    // 65 s later: the quiet price is past max_age but still counts (92%)
    for _ in 0..13 {
        s.prices(10, 100.0).await;
    }
    assert_sluice_err(
        liquidate_skipping(&mut s, &b.pubkey(), &quiet).await,
        SluiceError::PositionHealthy,
    );
    // anyone may refresh it; then it counts in full again
    s.env.set_price(&quiet, Px::usd(1.0)).await;
    s.env.refresh_price(&quiet).await.unwrap();
    for _ in 0..13 {
        s.prices(10, 100.0).await;
    }
    assert_sluice_err(
        liquidate_skipping(&mut s, &b.pubkey(), &quiet).await,
        SluiceError::PositionHealthy,
    );
    // left alone for twice max_age, it counts as zero: liquidation proceeds
    for _ in 0..11 {
        s.prices(10, 100.0).await;
    }
    liquidate_skipping(&mut s, &b.pubkey(), &quiet)
        .await
        .unwrap();
    s.books().await;
}

/// A keeper's transaction that refreshes SOL and USDC only, leaving `quiet`
/// (passed as the position's other pool) at its stored price.
async fn liquidate_skipping(s: &mut Scene, owner: &Pubkey, quiet: &PoolKeys) -> TxResult {
    let (sk, uk, k) = (s.sol, s.usdc, s.keeper.insecure_clone());
    let mut ixs = s.env.refresh_prices(&[uk, sk]);
    ixs.push(
        s.env
            .ix_liquidate(&k.pubkey(), owner, &sk, &uk, &[*quiet])
            .await,
    );
    s.env.send(&ixs, &[&k]).await
}

#[tokio::test]
async fn an_owner_who_fills_every_collateral_entry_still_gets_the_leftover_back() {
    // attack: once the whole SOL leg was in an auction its entry was freed;
    // the owner filled all four entries with other pools, the leftover had
    // nowhere to go, and neither the take that raised the tab nor
    // settle_bad_debt could complete
    let (mut s, b) = underwater_with(opening_above_oracle(), 0, 73.7).await;
    let (sk, uk) = (s.sol, s.usdc);
    s.liquidate(&b.pubkey()).await.unwrap();
    let pos = s.env.position(&b.pubkey()).await;
    assert!(!pos.has_collateral(), "the whole leg is in the auction");
    // the SOL entry stays pinned while the auction is open: three more fit, not four
    for i in 0..4 {
        let other = s.env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
        s.env.mint_to(&other.mint, &b.pubkey(), 1_000).await;
        let r = s.env.deposit_collateral(&b, &other, 1_000).await;
        if i < 3 {
            r.unwrap();
        } else {
            assert_sluice_err(r, SluiceError::PositionFull);
        }
    }
    // a taker buys at the start price: the tab is raised before the lot runs out
    let lot = s.env.auction(&b.pubkey(), &sk, &uk).await.lot;
    let taker = s.funded_taker().await;
    s.take_all(&taker, &b.pubkey()).await.unwrap();
    let bought = s.env.balance_of(&taker.pubkey(), &sk.mint).await;
    let pos = s.env.position(&b.pubkey()).await;
    let sol_back = pos
        .collateral
        .iter()
        .find(|c| c.pool == sk.pool)
        .map_or(0, |c| c.amount);
    assert!(sol_back > 0, "leftover returned");
    assert_eq!(bought + sol_back, lot);
    assert_eq!(pos.open_auctions, 0);
    let a = s.env.auction(&b.pubkey(), &sk, &uk).await;
    assert_eq!(
        (a.debt_to_raise, a.lot),
        (0, 0),
        "the tab was raised in full"
    );
    s.books().await;
}

#[tokio::test]
async fn a_liquidation_pause_stops_seizures_but_open_lots_still_clear() {
    // incoherent before: take stayed open during a liquidation pause while
    // redo was paused, so lots sat at their floor for the whole pause
    let mut s = Scene::new(default_params()).await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    let b2 = s.borrower(100 * SOL, 7_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    s.liquidate(&b.pubkey()).await.unwrap();
    let auth = s.env.authority.insecure_clone();
    let pause = MarketParams {
        pause_flags: PAUSE_LIQUIDATIONS,
        ..default_market_params()
    };
    let ix = s.env.ix_update_market_params(&auth.pubkey(), pause);
    s.env.send(&[ix], &[&auth]).await.unwrap();
    // no new seizure, from b2 or from b
    s.prices(1, 85.0).await;
    assert_sluice_err(
        s.liquidate(&b2.pubkey()).await,
        SluiceError::LiquidationsPaused,
    );
    assert_sluice_err(
        s.liquidate(&b.pubkey()).await,
        SluiceError::LiquidationsPaused,
    );
    // the open lot expires, is redone at a fresh price, and is taken
    let (sk, uk) = (s.sol, s.usdc);
    let a = s.env.auction(&b.pubkey(), &sk, &uk).await;
    let wait = a.expires_slot - s.env.clock().await.slot;
    s.prices(wait, 85.0).await;
    let k = s.keeper.insecure_clone();
    let mut ixs = s.env.refresh_prices(&s.all());
    ixs.push(s.env.ix_redo(&k.pubkey(), &b.pubkey(), &sk, &uk).await);
    s.env.send(&ixs, &[&k]).await.unwrap();
    let ix = s
        .env
        .ix_take(&k.pubkey(), &b.pubkey(), &sk, &uk, u64::MAX, u128::MAX)
        .await;
    s.env.send(&[ix], &[&k]).await.unwrap();
    assert_ne!(
        s.env.auction(&b.pubkey(), &sk, &uk).await.status,
        AuctionStatus::Active
    );
    s.books().await;
}

/// The events of `E` a transaction logged (`Program data:` lines).
fn logged<E: anchor_lang::Event>(log: &[String]) -> Vec<E> {
    use base64::Engine;
    log.iter()
        .filter_map(|l| l.strip_prefix("Program data: "))
        .filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .filter(|d| d.starts_with(E::DISCRIMINATOR))
        .map(|d| E::deserialize(&mut &d[E::DISCRIMINATOR.len()..]).expect("event decodes"))
        .collect()
}

/// An indexer follows a position and its actors through one header on every
/// position event, and the liquidation's events (Liquidated, AuctionStarted)
/// travel as self-CPIs signed by the event authority: inner instructions,
/// which an RPC node's log truncation cannot drop. A substituted event
/// authority is refused before anything moves (security.rs).
#[tokio::test]
async fn liquidation_events_travel_in_self_cpis_and_every_position_event_names_market_position_signer(
) {
    let mut s = Scene::new(default_params()).await;
    let (sk, uk, all) = (s.sol, s.usdc, s.all());
    let b = s.env.user().await;
    s.env.mint_to(&sk.mint, &b.pubkey(), 100 * SOL).await;
    s.env.open_position(&b).await.unwrap();
    s.env.deposit_collateral(&b, &sk, 100 * SOL).await.unwrap();
    let mut ixs = s.env.refresh_prices(&all);
    ixs.push(s.env.ix_borrow(&b.pubkey(), &uk, 7_000 * USDC, &all).await);
    let (r, log) = s.env.send_logged(&ixs, &[&b]).await;
    r.unwrap();
    // The native harness does not capture program logs (the host prints
    // them); the log checks run on the SBF VM (`scripts/test-all`'s second half).
    let on_vm = sbf();
    let position = s.env.position_key(&b.pubkey());
    if on_vm {
        let borrowed = logged::<sluice::events::Borrowed>(&log);
        assert_eq!(borrowed.len(), 1, "{log:#?}");
        assert_eq!(
            borrowed[0].header,
            sluice::events::EventHeader::new(s.env.market, position, b.pubkey())
        );
        assert_eq!(borrowed[0].amount, 7_000 * USDC);
    }

    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    let keeper = s.keeper.insecure_clone();
    let mut ixs = s.env.refresh_prices(&all);
    ixs.push(
        s.env
            .ix_liquidate(&keeper.pubkey(), &b.pubkey(), &sk, &uk, &all)
            .await,
    );
    let (r, log) = s.env.send_logged(&ixs, &[&keeper]).await;
    r.unwrap();
    assert!(s.env.position(&b.pubkey()).await.open_auctions > 0);
    if !on_vm {
        return;
    }
    let self_cpi = format!("Program {} invoke [2]", sluice::ID);
    assert_eq!(
        log.iter().filter(|l| **l == self_cpi).count(),
        2,
        "Liquidated and AuctionStarted, one self-CPI each: {log:#?}"
    );
    // neither is in the (truncatable) log
    assert!(logged::<sluice::events::Liquidated>(&log).is_empty());
    assert!(logged::<sluice::events::AuctionStarted>(&log).is_empty());
}

#[tokio::test]
async fn openbook_bids_within_the_bound_add_their_depth_to_the_cap() {
    use sluice_tests::openbook::{bids as bids_data, Bid};
    let bid = |price_lots, lots| Bid {
        price_lots,
        lots,
        time_in_force: 0,
        timestamp: 0,
    };
    let mut s = Scene::new(default_params()).await;
    let (sk, uk) = (s.sol, s.usdc);
    // a base lot of 0.001 SOL and a quote lot of 1e-6 USDC: $85 a SOL is
    // 85,000 quote lots a base lot; 20 SOL within 1% of the best bid, and
    // a wall of 1,000 SOL 6% under it that the bound leaves out
    let book = [
        bid(85_000, 12_000),
        bid(84_500, 8_000),
        bid(80_000, 1_000_000),
    ];
    let (market, bids) = s.env.create_openbook(&sk, &uk, (1_000_000, 1), &book);
    let amm = s.env.pool(&sk).await.depth_sources[0];
    let auth = s.env.authority.insecure_clone();
    let register = |b: Pubkey| {
        (
            [amm, DepthSource::openbook_v2(market, b)],
            [amm.account_a, amm.account_b, market, b],
        )
    };
    // a bids account that is not the market's (a deeper book, same owner
    // and layout) is refused at registration
    let other = Keypair::new().pubkey();
    s.env.set_account(
        &other,
        &OPENBOOK_V2_PROGRAM_ID,
        bids_data(&[bid(85_000, 1_000_000)]),
    );
    let (src, accs) = register(other);
    let ix = s.env.ix_set_depth_sources(&auth.pubkey(), &sk, src, &accs);
    assert_sluice_err(
        s.env.send(&[ix], &[&auth]).await,
        SluiceError::DepthAccountInvalid,
    );
    let (src, accs) = register(bids);
    let ix = s.env.ix_set_depth_sources(&auth.pubkey(), &sk, src, &accs);
    s.env.send(&[ix], &[&auth]).await.unwrap();
    let book_depth = 20 * SOL;
    let cp = s.cap_now().await;

    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    s.liquidate(&b.pubkey()).await.unwrap();
    let slot = s.env.clock().await.slot;
    let seized = s.env.pool(&sk).await.seized_this_slot(slot);
    assert!(
        seized > cp && seized <= cp + book_depth,
        "seized {seized}: the AMM alone {cp}, with the book {}",
        cp + book_depth
    );
    // the keeper passing the deeper book in place of the registered one
    s.prices(1, 85.0).await;
    assert_sluice_err(
        s.liquidate_substituting(&b.pubkey(), bids, other).await,
        SluiceError::DepthAccountMismatch,
    );
}

#[tokio::test]
async fn a_book_stuffed_with_orders_costs_refreshes_and_liquidations_bounded_compute() {
    use sluice_tests::openbook::Bid;
    // attack: 500 small bids within the bound, to make every read of the
    // book (each refresh and liquidation) walk the whole tree
    let mut s = Scene::new(default_params()).await;
    let (sk, uk) = (s.sol, s.usdc);
    let stuffed: Vec<Bid> = (0..500)
        .map(|i| Bid {
            price_lots: 85_000 - i,
            lots: 10,
            time_in_force: 0,
            timestamp: 0,
        })
        .collect();
    let (market, bids) = s.env.create_openbook(&sk, &uk, (1_000_000, 1), &stuffed);
    let amm = s.env.pool(&sk).await.depth_sources[0];
    let auth = s.env.authority.insecure_clone();
    let src = [amm, DepthSource::openbook_v2(market, bids)];
    let accs = [amm.account_a, amm.account_b, market, bids];
    let ix = s.env.ix_set_depth_sources(&auth.pubkey(), &sk, src, &accs);
    s.env.send(&[ix], &[&auth]).await.unwrap();
    let cp = s.cap_now().await;
    // the best 16 orders count: 160 lots of 0.001 SOL
    let book = 16 * 10 * 1_000_000;
    let p = s.env.pool(&sk).await;
    assert_eq!(p.observed_depth(s.env.clock().await.slot), Some(cp + book));

    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    for _ in 0..6 {
        s.prices(10, 85.0).await;
    }
    // a refresh reading the book and a liquidation reading it again, each
    // within its compute budget (enforced per instruction on the SBF VM)
    let ix = s.env.ix_refresh_price_observing_depth(&sk).await;
    s.env.send(&[ix], &[]).await.unwrap();
    s.liquidate(&b.pubkey()).await.unwrap();
    let slot = s.env.clock().await.slot;
    assert!(s.env.pool(&sk).await.seized_this_slot(slot) <= cp + book);
}
