//! Adaptive risk (issue 15): parameters that follow the pool's measures of
//! volatility, depth and slot time, within governance's bounds. Each test
//! names the rule it checks and the step an attacker or a storm takes.
use anchor_lang::prelude::Pubkey;
use sluice::errors::SluiceError;
use sluice::math::risk::slots_for_same_seconds;
use sluice::presets::adaptive;
use sluice::state::{rule, AdaptiveParams, Auction, Pool};
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The default market (USDC debt, SOL collateral, a 2,000 SOL AMM as SOL's
/// depth) with SOL's adaptive rules set to the preset's, `switches` on.
struct S {
    env: Env,
    usdc: PoolKeys,
    sol: PoolKeys,
    amm: Amm,
    keeper: Keypair,
}

impl S {
    async fn new(switches: u8) -> S {
        let m = MarketBuilder::default().build().await;
        let (mut env, usdc, sol) = (m.env, m.usdc, m.sol);
        let keeper = env.user().await;
        let mut s = S {
            env,
            usdc,
            sol,
            amm: m.amm.expect("the default market has an AMM"),
            keeper,
        };
        s.set_switches(switches).await.expect("set adaptive");
        s
    }

    async fn set_switches(&mut self, switches: u8) -> TxResult {
        let sol = self.sol;
        self.env
            .set_adaptive(
                &sol,
                AdaptiveParams {
                    switches,
                    ..adaptive()
                },
            )
            .await
    }

    fn all(&self) -> [PoolKeys; 2] {
        [self.usdc, self.sol]
    }

    /// `slots` slots over `secs` seconds, then both prices refreshed (SOL
    /// at `sol_usd`, its depth observed) in one transaction.
    async fn step(&mut self, slots: u64, secs: i64, sol_usd: f64) {
        self.env.advance(slots, secs).await;
        self.refresh(sol_usd).await;
    }

    /// Both prices refreshed now (SOL at `sol_usd`, its depth observed).
    async fn refresh(&mut self, sol_usd: f64) {
        let (u, s) = (self.usdc, self.sol);
        self.env.set_price(&u, Px::usd(1.0)).await;
        self.env.set_price(&s, Px::usd(sol_usd)).await;
        let ixs = vec![
            self.env.ix_refresh_price(&u),
            self.env.ix_refresh_price_observing_depth(&s).await,
        ];
        self.env.send(&ixs, &[]).await.expect("refresh");
    }

    /// Three calm minutes at $100 (moves of 0.01%), 2.5 slots a second.
    async fn calm(&mut self) {
        for i in 0..90 {
            self.step(5, 2, if i % 2 == 0 { 100.0 } else { 100.01 })
                .await;
        }
    }

    async fn borrower(&mut self, sol: u64, usdc: u64) -> Keypair {
        let (sk, uk, all) = (self.sol, self.usdc, self.all());
        self.env.borrower((&sk, sol), (&uk, usdc), &all).await
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

    async fn sol_pool(&mut self) -> Pool {
        let k = self.sol;
        self.env.pool(&k).await
    }

    async fn auction(&mut self, owner: &Pubkey) -> Auction {
        let (s, u) = (self.sol, self.usdc);
        self.env.auction(owner, &s, &u).await
    }
}

#[tokio::test]
async fn a_volatility_spike_lowers_borrowing_power_in_its_slot_and_liquidates_nobody() {
    let mut s = S::new(rule::ALL).await;
    s.calm().await;
    let b = s.borrower(100 * SOL, 7_000 * USDC).await;
    let calm = s.sol_pool().await;
    assert_eq!(
        (calm.effective_ltv_bps(), calm.effective_threshold_bps()),
        (7_500, 8_000),
        "calm: the static parameters"
    );
    // the spike: SOL $100 -> $96 in a second. A refresh reads it, and in
    // the same slot the borrower asks for $100 more (70% -> 71% of $9,600;
    // the static 75% LTV allows it)
    s.env.advance(2, 1).await;
    s.refresh(96.0).await;
    let (uk, all) = (s.usdc, s.all());
    let slot = s.env.clock().await.slot;
    assert_sluice_err(
        s.env.borrow(&b, &uk, 100 * USDC, &all).await,
        SluiceError::PositionUnhealthy,
    );
    let spiked = s.sol_pool().await;
    assert_eq!(spiked.effective_ltv_bps(), 5_000, "the LTV's floor at once");
    // existing positions: the threshold has not moved, so the spike alone
    // liquidates nobody ($7,000 against $7,680 of weighted collateral)
    assert_eq!(spiked.effective_threshold_bps(), 8_000);
    assert_sluice_err(s.liquidate(&b.pubkey()).await, SluiceError::PositionHealthy);
    // the same borrow in the same slot with the LTV rule off: the static
    // behaviour, allowed
    s.set_switches(rule::ALL & !rule::LTV).await.unwrap();
    s.env.borrow(&b, &uk, 100 * USDC, &all).await.unwrap();
    assert_eq!(s.env.clock().await.slot, slot, "all in the spike's slot");
}

#[tokio::test]
async fn stretched_slots_keep_an_auction_in_seconds_not_slots() {
    let static_time_limit = default_params().liquidation.auction.time_limit_slots;
    let mut limits = Vec::new();
    for switches in [0, rule::SECONDS] {
        let mut s = S::new(switches).await;
        s.calm().await;
        let b = s.borrower(100 * SOL, 7_000 * USDC).await;
        // ten minutes of one-second slots, then SOL falls to $85 and stays
        for _ in 0..60 {
            s.step(10, 10, 100.0).await;
        }
        for _ in 0..6 {
            s.step(10, 10, 85.0).await;
        }
        let ms = s.sol_pool().await.risk.ms_per_slot;
        assert!(ms > 800, "slots measured at {ms} ms");
        s.liquidate(&b.pubkey()).await.unwrap();
        let a = s.auction(&b.pubkey()).await;
        let slots = a.expires_slot - a.decay_start_slot;
        limits.push((slots, ms));
    }
    let ((static_slots, ms0), (adapted_slots, ms1)) = (limits[0], limits[1]);
    assert_eq!(ms0, ms1, "the two runs saw the same chain");
    // static: the same slots, so 2.5x the seconds at 1 s a slot
    assert_eq!(static_slots, u64::from(static_time_limit));
    // seconds rule: the nominal 60 x 400 ms = 24 s, in the slots now
    assert_eq!(
        adapted_slots,
        slots_for_same_seconds(static_time_limit.into(), 400, ms1, 40_000)
    );
    assert!(adapted_slots < static_slots);
    let secs = adapted_slots * ms1;
    assert!((24_000..24_000 + ms1).contains(&secs), "{secs} ms");
}

/// A storm that moves every rule: SOL swings 4% a second for a minute,
/// the AMM loses two thirds of its SOL, and slots stretch to a second.
async fn storm(s: &mut S) {
    s.calm().await;
    let trader = s.env.user().await;
    let u = s.usdc;
    s.env
        .mint_to(&u.mint, &trader.pubkey(), 1_000_000 * USDC)
        .await;
    s.amm
        .buy_collateral(&mut s.env, &trader, 400_000 * USDC)
        .await;
    for i in 0..60 {
        s.step(1, 1, if i % 2 == 0 { 96.0 } else { 100.0 }).await;
    }
    for _ in 0..30 {
        s.step(10, 10, 100.0).await;
    }
}

/// The parameters a pool applies, read through its effective getters.
fn in_force(p: &Pool) -> (u16, u16, u16, sluice::state::AuctionParams, u64) {
    let slot = p.price_slot;
    (
        p.effective_ltv_bps(),
        p.effective_threshold_bps(),
        p.effective_bonus_bps(),
        p.effective_auction_params(),
        p.sale_room(slot),
    )
}

#[tokio::test]
async fn each_switch_off_restores_the_static_behaviour_exactly() {
    // a twin that never adapted lives through the same storm
    let mut twin = S::new(0).await;
    storm(&mut twin).await;
    let static_pool = twin.sol_pool().await;
    let expected = in_force(&static_pool);
    assert_eq!(expected.0, static_pool.params.risk.ltv_bps);
    assert_eq!(expected.3, static_pool.params.liquidation.auction);

    let mut s = S::new(rule::ALL).await;
    storm(&mut s).await;
    let stormy = in_force(&s.sol_pool().await);
    // every rule holds a value other than the static one
    assert!(stormy.0 < expected.0, "LTV {} vs {}", stormy.0, expected.0);
    assert!(stormy.1 < expected.1, "threshold {}", stormy.1);
    assert!(stormy.2 > expected.2, "bonus {}", stormy.2);
    assert!(stormy.3.step_bps > expected.3.step_bps, "decay");
    assert!(
        stormy.3.time_limit_slots < expected.3.time_limit_slots,
        "seconds"
    );
    assert!(stormy.4 < expected.4, "cap {} vs {}", stormy.4, expected.4);

    // one switch at a time: that rule's parameter is the static one again
    let mut on = rule::ALL;
    for bit in [
        rule::LTV,
        rule::THRESHOLD,
        rule::BONUS,
        rule::AUCTION,
        rule::SECONDS,
        rule::CAP,
    ] {
        on &= !bit;
        s.set_switches(on).await.unwrap();
        let now = in_force(&s.sol_pool().await);
        match bit {
            rule::LTV => assert_eq!(now.0, expected.0),
            rule::THRESHOLD => assert_eq!(now.1, expected.1),
            rule::BONUS => assert_eq!(now.2, expected.2),
            rule::AUCTION => assert_eq!(now.3.step_bps, expected.3.step_bps),
            rule::SECONDS => assert_eq!(now.3, expected.3),
            _ => assert_eq!(now, expected),
        }
    }
    // all off: a liquidation here and in the twin is the same, unit for unit
    let mut auctions = Vec::new();
    for t in [&mut twin, &mut s] {
        let b = t.borrower(100 * SOL, 7_000 * USDC).await;
        for _ in 0..6 {
            t.step(10, 10, 85.0).await;
        }
        t.liquidate(&b.pubkey()).await.unwrap();
        let a = t.auction(&b.pubkey()).await;
        let p = t.env.position(&b.pubkey()).await;
        auctions.push((
            a.lot,
            a.debt_to_raise,
            a.penalty_to_raise,
            a.start_price_wad,
            a.floor_price_wad,
            a.step_bps,
            // (the decay start's jitter is drawn from SlotHashes, which
            // differ between the two runtimes)
            a.expires_slot - a.decay_start_slot,
            p.collateral[0].amount,
        ));
    }
    assert_eq!(auctions[0], auctions[1]);
}

#[tokio::test]
async fn refreshing_every_slot_drifts_the_threshold_no_faster_than_its_hourly_limit() {
    let mut s = S::new(rule::ALL).await;
    s.calm().await;
    // the storm is on; an attacker refreshes in every slot for ten minutes
    // (1,500 refreshes) to walk the threshold down under positions
    let start = s.env.clock().await.unix_timestamp;
    for i in 0..1_500 {
        let secs = if i % 5 == 4 { 2 } else { 0 };
        s.step(1, secs, if i % 10 < 5 { 96.0 } else { 100.0 }).await;
    }
    let elapsed = s.env.clock().await.unix_timestamp - start;
    assert_eq!(elapsed, 600);
    let p = s.sol_pool().await;
    let limit = u64::from(adaptive().threshold_drift_bps_per_hour) * 600 / 3_600;
    let drift = u64::from(8_000 - p.effective_threshold_bps());
    // never past the limit (8.3 bps in ten minutes), and it does drift
    assert!(drift <= limit + 1, "{drift} bps > {limit}");
    assert!(drift >= limit - 1, "{drift} bps: the limit is approached");
    // the LTV met the storm at once
    assert_eq!(p.effective_ltv_bps(), adaptive().ltv_floor_bps);
}

#[tokio::test]
async fn adaptive_params_are_governance_only_and_bounded() {
    let mut s = S::new(0).await;
    let sol = s.sol;
    // a stranger cannot switch the rules
    let mallory = s.env.user().await;
    let ix = s
        .env
        .ix_update_adaptive_params(&mallory.pubkey(), &sol, adaptive());
    assert_sluice_err(
        s.env.send(&[ix], &[&mallory]).await,
        SluiceError::Unauthorized,
    );
    // a threshold floor at the LTV is refused, naming the rule
    let bad = AdaptiveParams {
        threshold_floor_bps: 7_500,
        ..adaptive()
    };
    assert_sluice_err(
        s.env.set_adaptive(&sol, bad).await,
        SluiceError::AdaptiveThresholdOutOfBounds,
    );
    // a pool parameter change the rules no longer fit is refused until the
    // rules are updated
    s.env.set_adaptive(&sol, adaptive()).await.unwrap();
    let mut p = default_params();
    p.risk.ltv_bps = 7_700;
    let auth = s.env.authority.insecure_clone();
    let ix = s.env.ix_update_pool_params(&auth.pubkey(), &sol, p);
    assert_sluice_err(
        s.env.send(&[ix], &[&auth]).await,
        SluiceError::AdaptiveThresholdOutOfBounds,
    );
    assert_eq!(s.sol_pool().await.adaptive, adaptive());
}

#[tokio::test]
async fn a_draining_venue_shrinks_the_cap_below_its_depth_and_it_recovers_rate_limited() {
    let mut s = S::new(rule::CAP).await;
    s.calm().await;
    let slot = s.env.clock().await.slot;
    let calm = s.sol_pool().await;
    let depth = calm.observed_depth(slot + 1).unwrap();
    assert_eq!(
        calm.sale_room(slot + 1),
        depth,
        "calm: the cap is the depth"
    );
    // LPs drain the venue: half its SOL leaves (bought out), observed over
    // the next minute
    let trader = s.env.user().await;
    let u = s.usdc;
    s.env
        .mint_to(&u.mint, &trader.pubkey(), 10_000_000 * USDC)
        .await;
    s.amm
        .buy_collateral(&mut s.env, &trader, 200_000 * USDC)
        .await;
    for _ in 0..30 {
        s.step(5, 2, 100.0).await;
    }
    let p = s.sol_pool().await;
    let slot = s.env.clock().await.slot;
    let drained = p.observed_depth(slot + 1).unwrap();
    assert!(drained < depth * 6 / 10, "{drained} vs {depth}");
    // the cap follows the trend down: under the depth itself, by at least
    // the depth's share of its trend (the share held is the lowest seen,
    // rising only at its hourly limit), never under the floor's share
    let trend = p.risk.depth_trend;
    assert!(trend > drained);
    let cap = p.sale_room(slot + 1);
    let share = u128::from(drained) * u128::from(drained) / u128::from(trend);
    let floor = u128::from(drained) * u128::from(adaptive().cap_floor_bps) / 10_000;
    assert!(
        u128::from(cap) <= share + 1 && u128::from(cap) >= floor,
        "cap {cap}, depth {drained}, trend {trend}"
    );
    // the LPs return at once: the cap comes back at most 20% of the depth
    // an hour, however often it is refreshed
    let bought = s.env.balance_of(&trader.pubkey(), &s.sol.mint).await;
    s.amm.sell_collateral(&mut s.env, &trader, bought).await;
    let before = s.sol_pool().await.adapted;
    for _ in 0..150 {
        s.step(1, 1, 100.0).await;
    }
    let after = s.sol_pool().await.adapted;
    // over the time between its first and last rate-limited step
    let secs = (after.ts - before.ts) as u64;
    let limit = u64::from(adaptive().cap_rise_bps_per_hour) * 100 * secs / 3_600;
    let rose = u64::from(after.cap_scale.saturating_sub(before.cap_scale));
    assert!(secs >= 60 && rose > 0, "{secs} s, {rose}");
    assert!(
        rose <= limit,
        "rose {rose} hundredths of a bp in {secs} s, limit {limit}"
    );
    // and the static cap (rule off) is the depth again at once
    s.set_switches(0).await.unwrap();
    let p = s.sol_pool().await;
    let slot = s.env.clock().await.slot;
    assert_eq!(p.sale_room(slot + 1), p.observed_depth(slot + 1).unwrap());
}
