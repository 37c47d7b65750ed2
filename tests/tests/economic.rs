//! Economic attacks: self-liquidation (one scenario, and a proptest over
//! every phase of an auction), overpaying, dust seizures, price x amount overflow.
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sluice::errors::SluiceError;
use sluice::math::shares::debt_amount;
use sluice::math::Rounding;
use sluice::state::{AuctionStatus, PoolParams};
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

struct S {
    env: Env,
    usdc: PoolKeys,
    sol: PoolKeys,
}

async fn market(sol_decimals: u8, sol_usd: f64, sol_params: PoolParams) -> S {
    let mut env = Env::new().await;
    let usdc = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let sol = env
        .add_pool(sol_decimals, Feed::Pull, sol_params, sol_usd)
        .await;
    let lender = env.user().await;
    env.mint_to(&usdc.mint, &lender.pubkey(), 1_000_000 * USDC)
        .await;
    env.deposit(&lender, &usdc, 1_000_000 * USDC).await.unwrap();
    S { env, usdc, sol }
}

impl S {
    async fn history(&mut self, sol_usd: f64) {
        let (u, s) = (self.usdc, self.sol);
        for _ in 0..6 {
            self.env.step_prices(10, 4, &[(u, 1.0), (s, sol_usd)]).await;
        }
    }
    fn all(&self) -> [PoolKeys; 2] {
        [self.usdc, self.sol]
    }
    /// `slots` slots (0.4 s each) at an unchanged price, refreshed.
    async fn hold(&mut self, slots: u64, sol_usd: f64) {
        if slots > 0 {
            let (u, s) = (self.usdc, self.sol);
            let secs = (slots * 2 / 5) as i64;
            self.env
                .step_prices(slots, secs, &[(u, 1.0), (s, sol_usd)])
                .await;
        }
    }
}

/// Value (USD) of everything an actor controls: wallets of both mints and a
/// position (collateral - debt), at `sol_usd`.
async fn net_worth(
    env: &mut Env,
    wallets: &[&Keypair],
    owner: &Keypair,
    usdc: &PoolKeys,
    sol: &PoolKeys,
    sol_usd: f64,
) -> f64 {
    let mut v = 0.0;
    for w in wallets {
        v += env.balance_of(&w.pubkey(), &usdc.mint).await as f64 / 1e6;
        v += env.balance_of(&w.pubkey(), &sol.mint).await as f64 / 1e9 * sol_usd;
    }
    let p = env.position(&owner.pubkey()).await;
    let pool = env.pool(usdc).await;
    v += p.collateral.iter().map(|c| c.amount).sum::<u64>() as f64 / 1e9 * sol_usd;
    for d in p.debts.iter().filter(|d| d.scaled_debt > 0) {
        v -= sluice::math::shares::debt_amount(
            d.scaled_debt,
            pool.borrow_index.get(),
            sluice::math::Rounding::Up,
        )
        .unwrap() as f64
            / 1e6;
    }
    v
}

/// A borrower of $7,000 against 100 SOL, liquidatable at $85 (with a TWAP
/// there), SOL's depth from an AMM of 2,000 SOL, and the borrower's second
/// wallet holding $20,000.
async fn self_liquidation_scene() -> (S, Keypair, Keypair) {
    let mut s = market(9, 100.0, default_params()).await;
    let (usdc, sol, all) = (s.usdc, s.sol, s.all());
    let amm = s
        .env
        .create_amm(&sol, &usdc, 2_000 * SOL, 200_000 * USDC)
        .await;
    s.env.register_amm(&sol, &amm).await;
    let b = s.env.user().await;
    let w2 = s.env.user().await;
    s.env.mint_to(&sol.mint, &b.pubkey(), 100 * SOL).await;
    s.env.mint_to(&usdc.mint, &w2.pubkey(), 20_000 * USDC).await;
    s.env.open_position(&b).await.unwrap();
    s.env.deposit_collateral(&b, &sol, 100 * SOL).await.unwrap();
    s.env.borrow(&b, &usdc, 7_000 * USDC, &all).await.unwrap();
    s.history(85.0).await;
    (s, b, w2)
}

#[tokio::test]
async fn self_liquidation_from_a_second_wallet_yields_nothing() {
    let (mut s, b, w2) = self_liquidation_scene().await;
    let (usdc, sol, all) = (s.usdc, s.sol, s.all());
    // the second wallet liquidates its owner's position and buys the lot back,
    // round after round (the depth cap makes each round partial): every round loses
    let mut worth = net_worth(&mut s.env, &[&b, &w2], &b, &usdc, &sol, 85.0).await;
    let mut rounds = 0;
    for _ in 0..5 {
        match s.env.liquidate(&w2, &b.pubkey(), &sol, &usdc, &all).await {
            Ok(()) => {}
            Err(e) => {
                assert_eq!(
                    custom_code(&e),
                    Some(u32::from(SluiceError::PositionHealthy)),
                    "{e:?}"
                );
                break;
            }
        }
        let ix = s
            .env
            .ix_take(&w2.pubkey(), &b.pubkey(), &sol, &usdc, u64::MAX, u128::MAX)
            .await;
        s.env.send(&[ix], &[&w2]).await.unwrap();
        let after = net_worth(&mut s.env, &[&b, &w2], &b, &usdc, &sol, 85.0).await;
        assert!(
            after < worth,
            "round {rounds}: self-liquidation gained {worth} -> {after}"
        );
        worth = after;
        rounds += 1;
        s.env.advance(1, 1).await;
        s.env.set_price(&usdc, Px::usd(1.0)).await;
        s.env.set_price(&sol, Px::usd(85.0)).await;
    }
    assert!(rounds >= 1);
    s.env.assert_books(&usdc).await;
    s.env.assert_books(&sol).await;
}

#[tokio::test]
async fn overpaying_an_auction_is_clipped_to_its_tab() {
    let mut s = market(9, 100.0, default_params()).await;
    let (usdc, sol, all) = (s.usdc, s.sol, s.all());
    let amm = s
        .env
        .create_amm(&sol, &usdc, 2_000 * SOL, 200_000 * USDC)
        .await;
    s.env.register_amm(&sol, &amm).await;
    let b = s.env.user().await;
    s.env.mint_to(&sol.mint, &b.pubkey(), 100 * SOL).await;
    s.env.open_position(&b).await.unwrap();
    s.env.deposit_collateral(&b, &sol, 100 * SOL).await.unwrap();
    s.env.borrow(&b, &usdc, 7_000 * USDC, &all).await.unwrap();
    s.history(85.0).await;
    let k = s.env.user().await;
    s.env
        .mint_to(&usdc.mint, &k.pubkey(), 1_000_000 * USDC)
        .await;
    s.env
        .liquidate(&k, &b.pubkey(), &sol, &usdc, &all)
        .await
        .unwrap();
    let a = s.env.auction(&b.pubkey(), &sol, &usdc).await;
    let before = s.env.balance_of(&k.pubkey(), &usdc.mint).await;
    let sol_before = s.env.balance_of(&k.pubkey(), &sol.mint).await;
    let ix = s
        .env
        .ix_take(&k.pubkey(), &b.pubkey(), &sol, &usdc, u64::MAX, u128::MAX)
        .await;
    s.env.send(&[ix], &[&k]).await.unwrap();
    let paid = before - s.env.balance_of(&k.pubkey(), &usdc.mint).await;
    let tab = a.debt_to_raise + a.penalty_to_raise;
    // never more than the tab plus the last unit's rounding
    assert!(paid >= tab && paid <= tab + 1, "paid {paid}, tab {tab}");
    // and never more collateral than the lot
    assert!(s.env.balance_of(&k.pubkey(), &sol.mint).await - sol_before <= a.lot);
}

#[tokio::test]
async fn a_liquidation_that_seizes_zero_units_is_rejected() {
    // a 0-decimal collateral worth $100 a unit: one unit backs a $70 loan
    let mut p = default_params();
    p.liquidation.sell_cap_per_slot = u64::MAX;
    let mut s = market(0, 100.0, p).await;
    let (usdc, sol, all) = (s.usdc, s.sol, s.all());
    let b = s.env.user().await;
    s.env.mint_to(&sol.mint, &b.pubkey(), 1).await;
    s.env.open_position(&b).await.unwrap();
    s.env.deposit_collateral(&b, &sol, 1).await.unwrap();
    s.env.borrow(&b, &usdc, 70 * USDC, &all).await.unwrap();
    s.history(80.0).await;
    // restoring the target needs ~0.6 of a unit: it rounds to zero and is refused
    let k = s.env.user().await;
    assert_sluice_err(
        s.env.liquidate(&k, &b.pubkey(), &sol, &usdc, &all).await,
        SluiceError::SeizeRoundsToZero,
    );
    assert_eq!(s.env.position(&b.pubkey()).await.collateral[0].amount, 1);
}

#[tokio::test]
async fn price_times_amount_overflow_is_a_named_error() {
    // 0 decimals, the largest price Pyth can express at exponent 0
    let mut p = default_params();
    p.deposit_cap = u64::MAX;
    let mut s = market(0, 1.0, p).await;
    let (usdc, sol, all) = (s.usdc, s.sol, s.all());
    let mut px = Px::usd(1.0);
    px.price = i64::MAX;
    px.ema = i64::MAX;
    px.conf = 0;
    px.expo = 0;
    s.env.set_price(&sol, px).await;
    s.env.refresh_price(&sol).await.unwrap();
    let b = s.env.user().await;
    s.env.mint_to(&sol.mint, &b.pubkey(), u64::MAX / 2).await;
    s.env.open_position(&b).await.unwrap();
    s.env
        .deposit_collateral(&b, &sol, u64::MAX / 2)
        .await
        .unwrap();
    let mut ixs = s.env.refresh_prices(&[usdc]);
    ixs.push(s.env.ix_refresh_price(&sol));
    ixs.push(s.env.ix_borrow(&b.pubkey(), &usdc, USDC, &[sol]).await);
    assert_sluice_err(s.env.send(&ixs, &[&b]).await, SluiceError::MathOverflow);
    let _ = all;
    let _ = Keypair::new();
}

/// One self-liquidation plan: the second wallet opens the auction, lets it
/// decay `first_wait` slots, optionally extends it after `extend_wait` more,
/// then takes in up to three parts (slots waited, share of the lot in bps;
/// 10,000 = all of it).
#[derive(Clone, Debug)]
struct SelfLiquidation {
    first_wait: u64,
    extend_wait: Option<u64>,
    takes: Vec<(u64, u16)>,
}

fn self_liquidation() -> impl Strategy<Value = SelfLiquidation> {
    (
        0u64..80,
        proptest::option::of(0u64..60),
        // half the takes buy what is left of the lot, half a random share
        proptest::collection::vec((0u64..40, prop_oneof![Just(10_000u16), 1u16..10_000]), 1..4),
    )
        .prop_map(|(first_wait, extend_wait, takes)| SelfLiquidation {
            first_wait,
            extend_wait,
            takes,
        })
}

/// What the borrower and the second wallet own together at the oracle price
/// ($85), in thousandths of a USDC base unit: wallets, the position's
/// collateral, and an open lot (it returns to the position unless sold),
/// minus the debt at the starting borrow index (interest is not a gain) and
/// the debt the lot still has to raise.
async fn group_worth(s: &mut S, b: &Keypair, w2: &Keypair, index: u128) -> i128 {
    let (usdc, sol) = (s.usdc, s.sol);
    let sol_value = |units: u64| i128::from(units) * 85;
    let mut v = 0i128;
    for w in [b, w2] {
        v += i128::from(s.env.balance_of(&w.pubkey(), &usdc.mint).await) * 1_000;
        v += sol_value(s.env.balance_of(&w.pubkey(), &sol.mint).await);
    }
    let p = s.env.position(&b.pubkey()).await;
    v += sol_value(p.collateral.iter().map(|c| c.amount).sum::<u64>());
    for d in p.debts.iter().filter(|d| d.scaled_debt > 0) {
        // in thousandths of a unit, so the valuation itself rounds by at most 0.001
        let owed = debt_amount(d.scaled_debt, index * 1_000, Rounding::Up).unwrap();
        v -= i128::try_from(owed).unwrap();
    }
    let key = s.env.auction_key(&b.pubkey(), &sol, &usdc);
    if s.env.account(&key).await.is_some() {
        let a = s.env.auction(&b.pubkey(), &sol, &usdc).await;
        if a.status == AuctionStatus::Active {
            v += sol_value(a.lot);
            v -= i128::from(a.debt_to_raise) * 1_000;
        }
    }
    v
}

async fn run_self_liquidation(plan: SelfLiquidation) -> Result<(), TestCaseError> {
    let (mut s, b, w2) = self_liquidation_scene().await;
    let (usdc, sol, all) = (s.usdc, s.sol, s.all());
    let index = s.env.pool(&usdc).await.borrow_index.get();
    let before = group_worth(&mut s, &b, &w2, index).await;
    s.env
        .liquidate(&w2, &b.pubkey(), &sol, &usdc, &all)
        .await
        .unwrap();
    s.hold(plan.first_wait, 85.0).await;
    if let Some(w) = plan.extend_wait {
        s.hold(w, 85.0).await;
        // may be refused (healthy again, cap used up): any named error is fine
        let r = s.env.liquidate(&w2, &b.pubkey(), &sol, &usdc, &all).await;
        if let Err(e) = r {
            prop_assert!(custom_code(&e).is_some(), "{e:?}");
        }
    }
    for (w, share) in plan.takes {
        s.hold(w, 85.0).await;
        let lot = s.env.auction(&b.pubkey(), &sol, &usdc).await.lot;
        let amount = if share == 10_000 {
            u64::MAX
        } else {
            (u128::from(lot) * u128::from(share) / 10_000) as u64
        };
        let ix = s
            .env
            .ix_take(&w2.pubkey(), &b.pubkey(), &sol, &usdc, amount, u128::MAX)
            .await;
        if let Err(e) = s.env.send(&[ix], &[&w2]).await {
            prop_assert!(custom_code(&e).is_some(), "{e:?}");
        }
    }
    let after = group_worth(&mut s, &b, &w2, index).await;
    prop_assert!(
        after <= before,
        "self-liquidation gained {} (thousandths of a USDC unit)",
        after - before
    );
    s.env.assert_books(&usdc).await;
    s.env.assert_books(&sol).await;
    Ok(())
}

/// Self-liquidation from a second wallet never gains, whatever the slot of
/// the take (fresh lot to floor to expiry), whether the auction was extended
/// and when, and however the lot is split into partial takes.
#[test]
fn self_liquidation_loses_at_every_phase_of_an_auction() {
    let cases: u32 = std::env::var("SELF_LIQUIDATION_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut config = Config::with_cases(cases);
    config.failure_persistence = None;
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7u8; 32]));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runner.run(&self_liquidation(), |plan| {
        rt.block_on(run_self_liquidation(plan))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
