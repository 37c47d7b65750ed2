//! Action-sequence fuzzer: random sequences of deposits, withdrawals, borrows,
//! repays, price moves, slot warps, liquidations, takes, redos and write-offs
//! by several users and a keeper, against the in-process runtime, and an
//! attacker wallet with its own position who extends auctions and takes lots
//! at any slot, swaps into the AMM and back around its liquidations and depth
//! observations inside one transaction, re-reads equal-publish-time price
//! updates, deposits dust into a third pool and breaks that pool's oracle.
//! Depositors (the attacker among them) deposit into, activate, request and
//! withdraw from the (SOL, USDC) buffer pool while the keeper has it absorb
//! positions; every withdrawal must be exactly pro rata and every absorb at
//! or below the conservative price. Seizures and sales to takers in one slot
//! each stay within the depth estimate. The collateral pool runs every
//! adaptive rule (issue 15), so the attacker's price re-reads and swaps act
//! on them too; its liquidation threshold never moves faster than its drift
//! limit.
//! After every step it checks the invariants in `World::check`. Any
//! instruction may fail (most random actions should); none may panic or break
//! an invariant.
//!
//! CI runs `FUZZ_CASES` (default 16) sequences of up to 60 steps. A long campaign:
//! `FUZZ_CASES=3300 FUZZ_SEED=20261124 cargo test --release -p sluice-tests --test fuzz -- --nocapture`
use std::sync::atomic::{AtomicU64, Ordering};

use anchor_lang::solana_program::instruction::Instruction;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sluice::constants::DEPTH_RISE_BPS_PER_SLOT;
use sluice::math::depth::{constant_product_max_sell, rise_limited};
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

static STEPS: AtomicU64 = AtomicU64::new(0);
static OK_STEPS: AtomicU64 = AtomicU64::new(0);
const KINDS: [&str; 25] = [
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
    "attack_liquidate",
    "attack_take",
    "attack_observe_depth",
    "attack_replay_price",
    "attack_dust",
    "attack_oracle",
    "attack_borrow",
    "buffer_deposit",
    "buffer_activate",
    "buffer_request",
    "buffer_withdraw",
    "absorb",
];
static KIND_OK: [AtomicU64; 25] = [const { AtomicU64::new(0) }; 25];

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
        Action::AttackLiquidate { .. } => 13,
        Action::AttackTake { .. } => 14,
        Action::AttackObserveDepth { .. } => 15,
        Action::AttackReplayPrice { .. } => 16,
        Action::AttackDust { .. } => 17,
        Action::AttackOracle { .. } => 18,
        Action::AttackBorrow { .. } => 19,
        Action::BufferDeposit { .. } => 20,
        Action::BufferActivate { .. } => 21,
        Action::BufferRequest { .. } => 22,
        Action::BufferWithdraw { .. } => 23,
        Action::Absorb { .. } => 24,
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
    /// The attacker liquidates position `u` (3: its own) with `swap` SOL
    /// swapped into the AMM before and bought back after, in one transaction.
    AttackLiquidate {
        u: usize,
        swap: u64,
    },
    /// The attacker takes from the auction of position `u` at whatever slot it is.
    AttackTake {
        u: usize,
        amount: u64,
    },
    /// The attacker records a depth observation inside a swap sandwich.
    AttackObserveDepth {
        swap: u64,
    },
    /// The attacker re-reads both (unchanged) price updates `slots` later.
    AttackReplayPrice {
        slots: u64,
    },
    /// The attacker deposits dust collateral into the third pool.
    AttackDust {
        amount: u64,
    },
    /// The third pool's oracle fails (confidence too wide) or recovers.
    AttackOracle {
        broken: bool,
    },
    /// The attacker borrows `frac_bps` of its borrowing power in USDC.
    AttackBorrow {
        frac_bps: u16,
    },
    /// User `u` (3: the attacker) deposits into the (SOL, USDC) buffer pool.
    BufferDeposit {
        u: usize,
        amount: u64,
    },
    BufferActivate {
        u: usize,
    },
    /// User `u` asks `frac_bps` of its buffer shares to leave.
    BufferRequest {
        u: usize,
        frac_bps: u16,
    },
    BufferWithdraw {
        u: usize,
    },
    /// The keeper has the buffer absorb position `u` (3: the attacker's).
    Absorb {
        u: usize,
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
        3 => (0usize..4).prop_map(|u| Action::Liquidate { u }),
        3 => (u.clone(), prop_oneof![amount(), Just(u64::MAX)]).prop_map(|(u, amount)| Action::Take { u, amount }),
        1 => u.clone().prop_map(|u| Action::Redo { u }),
        2 => u.clone().prop_map(|u| Action::Settle { u }),
        1 => pool.prop_map(|pool| Action::RefreshPool { pool }),
        3 => (0usize..4, prop_oneof![Just(0u64), 100 * SOL..4_000 * SOL])
            .prop_map(|(u, swap)| Action::AttackLiquidate { u, swap }),
        2 => (0usize..4, prop_oneof![amount(), Just(u64::MAX)])
            .prop_map(|(u, amount)| Action::AttackTake { u, amount }),
        1 => (100 * SOL..4_000 * SOL).prop_map(|swap| Action::AttackObserveDepth { swap }),
        1 => (1u64..40).prop_map(|slots| Action::AttackReplayPrice { slots }),
        1 => (1u64..1_000).prop_map(|amount| Action::AttackDust { amount }),
        1 => any::<bool>().prop_map(|broken| Action::AttackOracle { broken }),
        2 => (5_000u16..10_500).prop_map(|frac_bps| Action::AttackBorrow { frac_bps }),
        1 => (0usize..4, amount()).prop_map(|(u, amount)| Action::BufferDeposit { u, amount }),
        1 => (0usize..4).prop_map(|u| Action::BufferActivate { u }),
        1 => (0usize..4, 0u16..=10_000).prop_map(|(u, frac_bps)| Action::BufferRequest { u, frac_bps }),
        1 => (0usize..4).prop_map(|u| Action::BufferWithdraw { u }),
        3 => (0usize..4).prop_map(|u| Action::Absorb { u }),
    ]
}

struct World {
    env: Env,
    pools: [PoolKeys; 2],
    users: Vec<Keypair>,
    keeper: Keypair,
    sol_usd: f64,
    /// The AMM's depth cap (its reserves never change: every swap is undone
    /// in the same transaction).
    cap: u64,
    amm: Amm,
    attacker: Keypair,
    /// A third pool the attacker deposits dust into and whose oracle breaks.
    dust: PoolKeys,
    /// Slot of the last check, and of the last honest depth observation.
    last_slot: u64,
    honest_depth_slot: Option<u64>,
    /// Highest depth estimate the rise bound allows now: the AMM's cap after
    /// an honest observation, then 5% more per slot of attacker observations.
    depth_bound: u64,
    /// The (SOL, USDC) buffer pool; users[0] has an active stake in it.
    buffer: BufferKeys,
    /// The collateral pool's liquidation threshold in force at the last
    /// check, and the clock time then.
    threshold_seen: (u16, i64),
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
    // the collateral pool as the preset ships it (a five-slot seizure window)
    let sol = env.add_pool(9, Feed::Pull, preset_params(), 100.0).await;
    let amm = env.create_amm(&sol, &usdc, 500 * SOL, 50_000 * USDC).await;
    env.register_amm(&sol, &amm).await;
    let started = env.clock().await.unix_timestamp;
    // every adaptive rule on (the preset's bounds)
    env.set_adaptive(
        &sol,
        sluice::state::AdaptiveParams {
            switches: sluice::state::rule::ALL,
            ..sluice::presets::adaptive()
        },
    )
    .await
    .unwrap();
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
    // the attacker: a position of its own (SOL collateral), plenty of both tokens
    let dust = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let attacker = env.user().await;
    env.mint_to(&usdc.mint, &attacker.pubkey(), 10_000_000 * USDC)
        .await;
    env.mint_to(&sol.mint, &attacker.pubkey(), 100_000 * SOL)
        .await;
    env.mint_to(&dust.mint, &attacker.pubkey(), 1_000_000).await;
    env.open_position(&attacker).await.unwrap();
    env.deposit_collateral(&attacker, &sol, 50 * SOL)
        .await
        .unwrap();
    env.borrow(&attacker, &usdc, 3_600 * USDC, &all)
        .await
        .unwrap();
    // the buffer pool, with short waits so sequences cross them
    let params = sluice::state::BufferParams {
        activation_delay_slots: 10,
        withdrawal_cooldown_slots: 10,
        ..sluice::presets::buffer()
    };
    let buffer = env.init_buffer(&sol, &usdc, params).await;
    env.buffer_deposit(&l, &buffer, 20_000 * USDC)
        .await
        .unwrap();
    env.step_prices(10, 4, &[(usdc, 1.0), (sol, 100.0)]).await;
    env.activate_buffer_stake(&buffer, &l.pubkey())
        .await
        .unwrap();
    let last_slot = env.clock().await.slot;
    World {
        buffer,
        env,
        pools: [usdc, sol],
        users,
        keeper,
        sol_usd: 100.0,
        cap,
        amm,
        attacker,
        dust,
        last_slot,
        honest_depth_slot: None,
        depth_bound: cap,
        threshold_seen: (preset_params().risk.liquidation_threshold_bps, started),
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
                // the honest keeper refreshes SOL and USDC only; the third pool
                // (the attacker's dust) is passed at its stored price
                let (owner, k) = (self.owner(u), self.keeper.insecure_clone());
                let mut ixs = self.env.refresh_prices(&all);
                let liq = self
                    .env
                    .ix_liquidate(&k.pubkey(), &owner, &sol, &usdc, &[self.dust])
                    .await;
                ixs.push(liq);
                let r = self.env.send(&ixs, &[&k]).await;
                if r.is_ok() {
                    self.honest_depth_slot = Some(self.env.clock().await.slot);
                }
                r
            }
            Action::AttackLiquidate { u, swap } => {
                let (owner, a) = (self.owner(u), self.attacker.insecure_clone());
                let mut ixs = self.env.refresh_prices(&all);
                let liq = self
                    .env
                    .ix_liquidate(&a.pubkey(), &owner, &sol, &usdc, &[self.dust])
                    .await;
                ixs.push(liq);
                self.attack_send(swap, ixs).await
            }
            Action::AttackTake { u, amount } => {
                let (owner, a) = (self.owner(u), self.attacker.insecure_clone());
                let ix = self
                    .env
                    .ix_take(&a.pubkey(), &owner, &sol, &usdc, amount, u128::MAX)
                    .await;
                self.env.send(&[ix], &[&a]).await
            }
            Action::AttackObserveDepth { swap } => {
                let ix = self.env.ix_refresh_price_observing_depth(&sol).await;
                self.attack_send(swap, vec![ix]).await
            }
            Action::AttackReplayPrice { slots } => {
                // the same updates again, later: no TWAP observation may follow
                let before = self.env.pool(&sol).await;
                self.env.advance(slots, (slots * 2 / 5) as i64).await;
                let r = self.env.refresh_prices(&all);
                let res = self.env.send(&r, &[]).await;
                let after = self.env.pool(&sol).await;
                assert_eq!(
                    (
                        before.twap_cumulative.get(),
                        before.price_publish_time,
                        before.twap_head
                    ),
                    (
                        after.twap_cumulative.get(),
                        after.price_publish_time,
                        after.twap_head
                    ),
                    "a replayed price update moved the TWAP"
                );
                res
            }
            Action::AttackDust { amount } => {
                let (a, d) = (self.attacker.insecure_clone(), self.dust);
                self.env.deposit_collateral(&a, &d, amount).await
            }
            Action::AttackOracle { broken } => {
                let d = self.dust;
                let mut px = Px::usd(1.0);
                if broken {
                    px.conf = px.price.unsigned_abs() / 10; // 10% > max_conf 2%
                }
                self.env.set_price(&d, px).await;
                self.env.refresh_price(&d).await
            }
            Action::AttackBorrow { frac_bps } => {
                let (a, d) = (self.attacker.insecure_clone(), self.dust);
                let three = [usdc, sol, d];
                let r = self.env.refresh_prices(&three);
                let _ = self.env.send(&r, &[]).await;
                let room = match self
                    .env
                    .health(&a.pubkey(), &three, sluice::health::HealthType::Initial)
                    .await
                {
                    Ok(h) => h.weighted_collateral.saturating_sub(h.debt_value),
                    Err(_) => 0,
                };
                let price = self.env.pool(&usdc).await.spot_price_wad.get().max(1);
                let amount =
                    (room / price * u128::from(frac_bps) / 10_000).min(u128::from(u64::MAX)) as u64;
                self.env.borrow(&a, &usdc, amount, &three).await
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
            Action::BufferDeposit { u, amount } => {
                let who = self.user_or_attacker(u);
                let b = self.buffer;
                self.env.buffer_deposit(&who, &b, amount).await
            }
            Action::BufferActivate { u } => {
                let (owner, b) = (self.owner(u), self.buffer);
                self.env.activate_buffer_stake(&b, &owner).await
            }
            Action::BufferRequest { u, frac_bps } => {
                let (who, b) = (self.user_or_attacker(u), self.buffer);
                let shares = match self.env.account(&b.stake(&who.pubkey())).await {
                    Some(_) => {
                        let st = self.env.buffer_stake(&b, &who.pubkey()).await;
                        (u128::from(st.shares) * u128::from(frac_bps) / 10_000) as u64
                    }
                    None => 1,
                };
                let i = client::ix::request_buffer_withdrawal(&who.pubkey(), &b, shares);
                self.env.send(&[i], &[&who]).await
            }
            Action::BufferWithdraw { u } => {
                let (who, b) = (self.user_or_attacker(u), self.buffer);
                let i = self.env.ix_buffer_withdraw(&who.pubkey(), &b).await;
                let before = self.env.buffer(&b).await;
                let r = self.env.send(&[i], &[&who]).await;
                if r.is_ok() {
                    let after = self.env.buffer(&b).await;
                    let shares = before.total_shares - after.total_shares;
                    let pr = |bal| {
                        sluice::math::buffer::pro_rata(bal, shares, before.total_shares).unwrap()
                    };
                    assert_eq!(
                        before.debt_balance - after.debt_balance,
                        pr(before.debt_balance),
                        "{a:?}: debt paid beyond pro rata"
                    );
                    assert_eq!(
                        before.collateral_balance - after.collateral_balance,
                        pr(before.collateral_balance),
                        "{a:?}: collateral paid beyond pro rata"
                    );
                }
                r
            }
            Action::Absorb { u } => {
                let (owner, k, b) = (self.owner(u), self.keeper.insecure_clone(), self.buffer);
                let mut ixs = self.env.refresh_prices(&all);
                ixs.push(
                    self.env
                        .ix_absorb(&k.pubkey(), &owner, &sol, &usdc, &[self.dust])
                        .await,
                );
                let before = self.env.buffer(&b).await;
                let r = self.env.send(&ixs, &[&k]).await;
                if r.is_ok() {
                    // the buffer paid no more per unit than the conservative price
                    let after = self.env.buffer(&b).await;
                    let paid = after.total_absorbed_debt - before.total_absorbed_debt;
                    let got = after.total_absorbed_collateral - before.total_absorbed_collateral;
                    let (sp, up) = (self.env.pool(&sol).await, self.env.pool(&usdc).await);
                    let conservative = sp.spot_price_wad.get().min(sp.smoothed_price());
                    let usdc_px = up.spot_price_wad.get().max(up.smoothed_price());
                    assert!(
                        u128::from(paid) * usdc_px <= u128::from(got) * conservative,
                        "{a:?}: the buffer paid {paid} for {got} units above the conservative price"
                    );
                }
                r
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

    fn user_or_attacker(&self, u: usize) -> Keypair {
        self.users.get(u).unwrap_or(&self.attacker).insecure_clone()
    }

    fn owner(&self, u: usize) -> anchor_lang::prelude::Pubkey {
        match self.users.get(u) {
            Some(user) => user.pubkey(),
            None => self.attacker.pubkey(),
        }
    }

    /// Sends the attacker's `ixs`, wrapped in a swap of `swap` SOL into the
    /// AMM and back when `swap` > 0.
    async fn attack_send(&mut self, swap: u64, ixs: Vec<Instruction>) -> TxResult {
        let a = self.attacker.insecure_clone();
        if swap == 0 {
            return self.env.send(&ixs, &[&a]).await;
        }
        let ixs = self
            .amm
            .sandwich(&mut self.env, &a.pubkey(), swap, ixs)
            .await;
        let auth = self.amm.authority.insecure_clone();
        self.env.send(&ixs, &[&a, &auth]).await
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
        // the depth estimate in force rises at most 5% per slot above what an
        // honest observation saw, and seizures stay within it
        let slot = self.env.clock().await.slot;
        if slot > self.last_slot {
            self.depth_bound = if self.honest_depth_slot == Some(self.last_slot) {
                self.cap
            } else {
                rise_limited(self.depth_bound, u64::MAX, DEPTH_RISE_BPS_PER_SLOT)
            };
            self.last_slot = slot;
        }
        let pool = self.env.pool(&self.pools[1]).await;
        let estimate = pool.observed_depth(slot).unwrap_or(0);
        if estimate > self.depth_bound {
            return Err(format!(
                "{a:?}: depth estimate {estimate} above its bound {}",
                self.depth_bound
            ));
        }
        // the adaptive threshold only drifts: at most its hourly limit over
        // the time since the last check (rounded up to the bp)
        let now = self.env.clock().await.unix_timestamp;
        let threshold = pool.effective_threshold_bps();
        let (seen, then) = self.threshold_seen;
        let allowed = u64::from(sluice::presets::adaptive().threshold_drift_bps_per_hour)
            * (now - then).max(0) as u64
            / 3_600
            + 1;
        if u64::from(threshold.abs_diff(seen)) > allowed {
            return Err(format!(
                "{a:?}: threshold {seen} -> {threshold} in {} s",
                now - then
            ));
        }
        self.threshold_seen = (threshold, now);
        // the buffer's vaults match its books, and its shares are its stakes'
        let b = self.buffer;
        self.env.assert_buffer_books(&b).await;
        let state = self.env.buffer(&b).await;
        let mut shares = 0u64;
        let owners: Vec<_> = (0..4).map(|u| self.owner(u)).collect();
        for o in owners {
            if self.env.account(&b.stake(&o)).await.is_some() {
                shares += self.env.buffer_stake(&b, &o).await.shares;
            }
        }
        if shares != state.total_shares {
            return Err(format!(
                "{a:?}: stakes hold {shares} shares, the buffer {}",
                state.total_shares
            ));
        }
        // forced sales to takers in this slot stay within it too
        let sold = pool.sold.in_slot(slot);
        if sold > estimate {
            return Err(format!(
                "{a:?}: sold {sold} in one slot > depth estimate {estimate}"
            ));
        }
        // seizures: at most the seizure window's worth of estimates in one
        // slot, and the bucket never holds more than that either
        let window = u64::from(pool.params.seize_window_slots.max(1));
        let seized = pool.seized_this_slot(slot);
        if seized > window * estimate {
            return Err(format!(
                "{a:?}: seized {seized} > {window} x depth estimate {estimate}"
            ));
        }
        let bucket = pool.seize_bucket;
        if window > 1 && bucket.slot == slot && bucket.amount > window * estimate {
            return Err(format!(
                "{a:?}: seizure bucket {} > {window} x depth estimate {estimate}",
                bucket.amount
            ));
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
