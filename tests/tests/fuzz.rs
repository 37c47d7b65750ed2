//! Action-sequence fuzzer: random sequences of deposits, withdrawals, borrows,
//! repays, price moves, slot warps, liquidations, takes, redos and write-offs
//! by several users and a keeper, against the in-process runtime. After every
//! step it checks the invariants below. Any instruction may fail (most random
//! actions should); none may panic or break an invariant.
//!
//! CI runs `FUZZ_CASES` (default 16) sequences of up to 60 steps. A long campaign:
//! `FUZZ_CASES=3300 FUZZ_SEED=20261124 cargo test --release -p sluice-tests --test fuzz -- --nocapture`
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sluice::math::depth::constant_product_max_sell;
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

static STEPS: AtomicU64 = AtomicU64::new(0);
static OK_STEPS: AtomicU64 = AtomicU64::new(0);
const KINDS: [&str; 13] = [
    "deposit",
    "withdraw",
    "deposit_collateral",
    "withdraw_collateral",
    "borrow",
    "repay",
    "price",
    "warp",
    "liquidate",
    "take",
    "redo",
    "settle",
    "refresh_pool",
];
static KIND_OK: [AtomicU64; 13] = [const { AtomicU64::new(0) }; 13];

fn kind(a: &Action) -> usize {
    match a {
        Action::Deposit { .. } => 0,
        Action::Withdraw { .. } => 1,
        Action::DepositCollateral { .. } => 2,
        Action::WithdrawCollateral { .. } => 3,
        Action::Borrow { .. } => 4,
        Action::Repay { .. } => 5,
        Action::Price { .. } => 6,
        Action::Warp { .. } => 7,
        Action::Liquidate { .. } => 8,
        Action::Take { .. } => 9,
        Action::Redo { .. } => 10,
        Action::Settle { .. } => 11,
        Action::RefreshPool { .. } => 12,
    }
}

#[derive(Clone, Debug)]
enum Action {
    Deposit {
        u: usize,
        pool: usize,
        amount: u64,
    },
    Withdraw {
        u: usize,
        pool: usize,
        frac_bps: u16,
    },
    DepositCollateral {
        u: usize,
        pool: usize,
        amount: u64,
    },
    WithdrawCollateral {
        u: usize,
        pool: usize,
        amount: u64,
    },
    /// Borrows `frac_bps` of the position's remaining borrowing power (or a raw amount).
    Borrow {
        u: usize,
        pool: usize,
        frac_bps: u16,
        raw: Option<u64>,
    },
    Repay {
        u: usize,
        pool: usize,
        amount: u64,
    },
    Price {
        pct: i32,
    },
    Warp {
        slots: u64,
        secs: i64,
    },
    Liquidate {
        u: usize,
    },
    Take {
        u: usize,
        amount: u64,
    },
    Redo {
        u: usize,
    },
    Settle {
        u: usize,
    },
    RefreshPool {
        pool: usize,
    },
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        1u64..10,
        10u64..10_000,
        1_000_000u64..1_000_000_000,
        1_000_000_000u64..100_000_000_000,
        Just(u64::MAX),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    let u = 0usize..3;
    let pool = 0usize..2;
    prop_oneof![
        1 => (u.clone(), pool.clone(), amount()).prop_map(|(u, pool, amount)| Action::Deposit { u, pool, amount }),
        1 => (u.clone(), pool.clone(), 0u16..=10_000).prop_map(|(u, pool, frac_bps)| Action::Withdraw { u, pool, frac_bps }),
        1 => (u.clone(), pool.clone(), amount()).prop_map(|(u, pool, amount)| Action::DepositCollateral { u, pool, amount }),
        1 => (u.clone(), pool.clone(), amount()).prop_map(|(u, pool, amount)| Action::WithdrawCollateral { u, pool, amount }),
        4 => (u.clone(), pool.clone(), 1_000u16..11_000, proptest::option::weighted(0.2, amount()))
            .prop_map(|(u, pool, frac_bps, raw)| Action::Borrow { u, pool, frac_bps, raw }),
        1 => (u.clone(), pool.clone(), amount()).prop_map(|(u, pool, amount)| Action::Repay { u, pool, amount }),
        3 => (-35i32..25).prop_map(|pct| Action::Price { pct }),
        1 => (-70i32..-40).prop_map(|pct| Action::Price { pct }),
        2 => (1u64..80, 0i64..100_000).prop_map(|(slots, secs)| Action::Warp { slots, secs }),
        3 => u.clone().prop_map(|u| Action::Liquidate { u }),
        3 => (u.clone(), prop_oneof![amount(), Just(u64::MAX)]).prop_map(|(u, amount)| Action::Take { u, amount }),
        1 => u.clone().prop_map(|u| Action::Redo { u }),
        2 => u.clone().prop_map(|u| Action::Settle { u }),
        1 => pool.prop_map(|pool| Action::RefreshPool { pool }),
    ]
}

struct World {
    env: Env,
    pools: [PoolKeys; 2],
    users: Vec<Keypair>,
    keeper: Keypair,
    sol_usd: f64,
    cap: u64,
}

#[derive(Clone, Copy, Debug)]
struct Snap {
    assets: u128,
    shares: u64,
    socialized: u64,
    ins_balance: u64,
    ins_paid: u64,
}

async fn world() -> World {
    let mut env = Env::new().await;
    let usdc = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let sol = env.add_pool(9, Feed::Pull, default_params(), 100.0).await;
    let amm = env.create_amm(&sol, &usdc, 500 * SOL, 50_000 * USDC).await;
    env.register_amm(&sol, &amm).await;
    let cap =
        constant_product_max_sell(500 * SOL, sluice::presets::sluice().max_slippage_bps).unwrap();
    let mut users = Vec::new();
    for _ in 0..3 {
        let u = env.user().await;
        env.mint_to(&usdc.mint, &u.pubkey(), 1_000_000 * USDC).await;
        env.mint_to(&sol.mint, &u.pubkey(), 10_000 * SOL).await;
        env.token_account(&u.pubkey(), &usdc.share_mint).await;
        env.token_account(&u.pubkey(), &sol.share_mint).await;
        env.open_position(&u).await.unwrap();
        users.push(u);
    }
    // some liquidity and an insurance buffer to start from
    let l = users[0].insecure_clone();
    env.deposit(&l, &usdc, 200_000 * USDC).await.unwrap();
    env.deposit(&l, &sol, 2_000 * SOL).await.unwrap();
    env.fund_insurance(&l, &usdc, 1_000 * USDC).await.unwrap();
    // borrowers already exposed: SOL-backed USDC debt near the limit, and USDC-backed SOL debt
    let all = [usdc, sol];
    let (u1, u2) = (users[1].insecure_clone(), users[2].insecure_clone());
    env.deposit_collateral(&u1, &sol, 100 * SOL).await.unwrap();
    env.borrow(&u1, &usdc, 7_000 * USDC, &all).await.unwrap();
    // (a position never holds collateral and debt in the same pool)
    env.deposit_collateral(&u2, &usdc, 10_000 * USDC)
        .await
        .unwrap();
    env.borrow(&u2, &sol, 60 * SOL, &all).await.unwrap();
    // a small position whose whole collateral leg fits under one slot's cap, so a
    // crash can take it through liquidate -> take -> settle_bad_debt
    env.deposit_collateral(&l, &sol, 2 * SOL).await.unwrap();
    env.borrow(&l, &usdc, 140 * USDC, &all).await.unwrap();
    let keeper = env.user().await;
    env.mint_to(&usdc.mint, &keeper.pubkey(), 10_000_000 * USDC)
        .await;
    env.mint_to(&sol.mint, &keeper.pubkey(), 100_000 * SOL)
        .await;
    World {
        env,
        pools: [usdc, sol],
        users,
        keeper,
        sol_usd: 100.0,
        cap,
    }
}

async fn snap(env: &mut Env, k: &PoolKeys) -> Snap {
    let p = env.pool(k).await;
    let ins = env.insurance(k).await;
    Snap {
        assets: p.total_supply_assets().unwrap(),
        shares: p.total_shares,
        socialized: p.total_socialized,
        ins_balance: env.balance(&k.insurance_vault).await,
        ins_paid: ins.total_paid,
    }
}

impl World {
    async fn step(&mut self, a: &Action) -> bool {
        let [usdc, sol] = self.pools;
        let all = self.pools;
        let env = &mut self.env;
        let res = match a.clone() {
            Action::Deposit { u, pool, amount } => {
                let (k, user) = (self.pools[pool], self.users[u].insecure_clone());
                env.deposit(&user, &k, amount).await
            }
            Action::Withdraw { u, pool, frac_bps } => {
                let (k, user) = (self.pools[pool], self.users[u].insecure_clone());
                let held = env.balance_of(&user.pubkey(), &k.share_mint).await;
                env.withdraw(
                    &user,
                    &k,
                    (u128::from(held) * u128::from(frac_bps) / 10_000) as u64,
                )
                .await
            }
            Action::DepositCollateral { u, pool, amount } => {
                let (k, user) = (self.pools[pool], self.users[u].insecure_clone());
                env.deposit_collateral(&user, &k, amount).await
            }
            Action::WithdrawCollateral { u, pool, amount } => {
                let (k, user) = (self.pools[pool], self.users[u].insecure_clone());
                env.withdraw_collateral(&user, &k, amount, &all).await
            }
            Action::Borrow {
                u,
                pool,
                frac_bps,
                raw,
            } => {
                let (k, user) = (self.pools[pool], self.users[u].insecure_clone());
                let amount = match raw {
                    Some(a) => a,
                    None => {
                        let r = env.refresh_prices(&all);
                        let _ = env.send(&r, &[]).await;
                        let h = env
                            .health(&user.pubkey(), &all, sluice::health::HealthType::Initial)
                            .await;
                        let price = env.pool(&k).await.spot_price_wad.get().max(1);
                        match h {
                            Ok(h) => {
                                let room = h.weighted_collateral.saturating_sub(h.debt_value);
                                (room / price * u128::from(frac_bps) / 10_000)
                                    .min(u128::from(u64::MAX))
                                    as u64
                            }
                            Err(_) => 0,
                        }
                    }
                };
                env.borrow(&user, &k, amount, &all).await
            }
            Action::Repay { u, pool, amount } => {
                let (k, user) = (self.pools[pool], self.users[u].insecure_clone());
                env.repay(&user, &user.pubkey(), &k, amount).await
            }
            Action::Price { pct } => {
                self.sol_usd = (self.sol_usd * (100.0 + pct as f64) / 100.0).clamp(0.5, 100_000.0);
                env.advance(1, 1).await;
                env.set_price(&usdc, Px::usd(1.0)).await;
                env.set_price(&sol, Px::usd(self.sol_usd)).await;
                let r = env.refresh_prices(&all);
                env.send(&r, &[]).await
            }
            Action::Warp { slots, secs } => {
                env.advance(slots, secs).await;
                env.set_price(&usdc, Px::usd(1.0)).await;
                env.set_price(&sol, Px::usd(self.sol_usd)).await;
                let r = env.refresh_prices(&all);
                env.send(&r, &[]).await
            }
            Action::Liquidate { u } => {
                let (owner, k) = (self.users[u].pubkey(), self.keeper.insecure_clone());
                env.liquidate(&k, &owner, &sol, &usdc, &all).await
            }
            Action::Take { u, amount } => {
                let (owner, k) = (self.users[u].pubkey(), self.keeper.insecure_clone());
                let ix = env
                    .ix_take(&k.pubkey(), &owner, &sol, &usdc, amount, u128::MAX)
                    .await;
                env.send(&[ix], &[&k]).await
            }
            Action::Redo { u } => {
                let (owner, k) = (self.users[u].pubkey(), self.keeper.insecure_clone());
                let mut ixs = env.refresh_prices(&all);
                ixs.push(env.ix_redo(&k.pubkey(), &owner, &sol, &usdc).await);
                env.send(&ixs, &[&k]).await
            }
            Action::Settle { u } => {
                let (owner, k) = (self.users[u].pubkey(), self.keeper.insecure_clone());
                let ix = env.ix_settle_bad_debt(&k.pubkey(), &owner, &usdc);
                env.send(&[ix], &[&k]).await
            }
            Action::RefreshPool { pool } => {
                let k = self.pools[pool];
                env.refresh_pool(&k).await
            }
        };
        match res {
            Ok(()) => true,
            Err(e) => {
                // a rejection must be a program or token error, never a crash
                let ie = instruction_error(&e);
                assert!(
                    custom_code(&e).is_some()
                        || matches!(
                            ie,
                            Some(anchor_lang::solana_program::instruction::error::InstructionError::InsufficientFunds)
                        ),
                    "{a:?}: unexpected failure {e:?}"
                );
                false
            }
        }
    }

    async fn check(&mut self, a: &Action, before: &[Snap; 2]) -> Result<(), String> {
        for (i, k) in self.pools.iter().enumerate() {
            self.env.assert_books(k).await;
            let after = snap(&mut self.env, k).await;
            let b = before[i];
            // lenders' share price falls only by an explicit socialized loss; every
            // rounding goes the protocol's way, so there is no tolerance
            if b.shares > 0 && after.shares > 0 {
                let lost = u128::from(after.socialized - b.socialized);
                let lhs = after.assets * u128::from(b.shares);
                let rhs = b.assets.saturating_sub(lost) * u128::from(after.shares);
                if lhs < rhs {
                    return Err(format!(
                        "{a:?}: pool {i} share price fell without socialization: {}/{} -> {}/{}",
                        b.assets, b.shares, after.assets, after.shares
                    ));
                }
            }
            // the buffer only falls to pay bad debt
            if after.ins_balance < b.ins_balance
                && after.ins_paid - b.ins_paid != b.ins_balance - after.ins_balance
            {
                return Err(format!(
                    "{a:?}: pool {i} insurance fell without paying bad debt"
                ));
            }
        }
        // seized per slot never exceeds the cap from the AMM's reserves
        let slot = self.env.clock().await.slot;
        let seized = self.env.pool(&self.pools[1]).await.seized_this_slot(slot);
        if seized > self.cap {
            return Err(format!("{a:?}: seized {seized} > cap {}", self.cap));
        }
        Ok(())
    }
}

async fn run_sequence(actions: Vec<Action>) -> Result<(), String> {
    let mut w = world().await;
    for a in &actions {
        let before = [
            snap(&mut w.env, &w.pools[0]).await,
            snap(&mut w.env, &w.pools[1]).await,
        ];
        if w.step(a).await {
            OK_STEPS.fetch_add(1, Ordering::Relaxed);
            KIND_OK[kind(a)].fetch_add(1, Ordering::Relaxed);
        }
        STEPS.fetch_add(1, Ordering::Relaxed);
        w.check(a, &before).await?;
    }
    Ok(())
}

#[test]
fn random_action_sequences_keep_every_invariant() {
    let cases: u32 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x51u64);
    let mut config = Config::with_cases(cases);
    config.failure_persistence = None;
    config.max_shrink_iters = 200;
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &seed_bytes,
        ),
    );
    let started = std::time::Instant::now();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runner.run(&proptest::collection::vec(action(), 10..60), |actions| {
        rt.block_on(run_sequence(actions))
            .map_err(TestCaseError::fail)
    });
    println!(
        "fuzz: seed {seed}, {cases} sequences, {} steps ({} succeeded), {:.1}s",
        STEPS.load(Ordering::Relaxed),
        OK_STEPS.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    let per_kind: Vec<String> = KINDS
        .iter()
        .zip(KIND_OK.iter())
        .map(|(k, n)| format!("{k} {}", n.load(Ordering::Relaxed)))
        .collect();
    println!("fuzz: succeeded by kind: {}", per_kind.join(", "));
    if let Err(e) = result {
        panic!("{e}");
    }
}
