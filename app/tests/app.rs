//! The keeper against the in-process runtime, the configuration validator,
//! and a short end-to-end simulation.
use anchor_lang::prelude::Pubkey;
use sluice_app::config;
use sluice_app::keeper::{Keeper, MarketKeeper, OracleOnly, TickReport};
use sluice_app::sim::{self, scenario, SimConfig};
use sluice_client::chain::Chain;
use sluice_client::local::*;
use sluice_client::{Feed, PoolKeys};
use solana_signer::Signer;

/// The default market with a borrower of 100 SOL per debt in `debts`
/// (USDC), and a keeper of the SOL/USDC pair tracking them in that order.
async fn keeper_over(debts: &[u64]) -> (Env, PoolKeys, PoolKeys, Vec<Pubkey>, Keeper) {
    let mut m = MarketBuilder::default().build().await;
    let mut owners = Vec::new();
    for debt in debts {
        owners.push(m.borrower(100 * SOL, debt * USDC).await.pubkey());
    }
    let (mut env, usdc, sol) = (m.env, m.usdc, m.sol);
    let kp = env.user().await;
    let keeper_debt = env.mint_to(&usdc.mint, &kp.pubkey(), 100_000 * USDC).await;
    let keeper_collateral = env.token_account(&kp.pubkey(), &sol.mint).await;
    let mut keeper = Keeper::new(env.market, (sol, usdc), kp, keeper_collateral, keeper_debt);
    keeper.track(&mut env, &owners).await.unwrap();
    (env, usdc, sol, owners, keeper)
}

/// No venue: lots taken at a 1% discount to the oracle, collateral held.
fn oracle_venue() -> OracleOnly {
    OracleOnly {
        oracle_price_wad: 0,
        min_discount_bps: 100,
    }
}

/// SOL to $85, long enough for the TWAP and the guard to agree, then a
/// fresh slot at that price.
async fn fall_to_85(env: &mut Env, usdc: PoolKeys, sol: PoolKeys) {
    for _ in 0..6 {
        env.step_prices(10, 4, &[(usdc, 1.0), (sol, 85.0)]).await;
    }
    env.advance(1, 1).await;
    env.set_price(&usdc, Px::usd(1.0)).await;
    env.set_price(&sol, Px::usd(85.0)).await;
}

#[tokio::test]
async fn keeper_liquidates_the_unhealthy_position_and_skips_the_healthy_one() {
    let (mut env, usdc, sol, owners, mut keeper) = keeper_over(&[3_000, 7_000]).await;
    let mut venue = oracle_venue();

    // healthy market: nothing to do
    let r = keeper.tick(&mut env, &mut venue).await.unwrap();
    assert_eq!(r.scanned, 2);
    assert_eq!(r.liquidations, 0);
    fall_to_85(&mut env, usdc, sol).await;
    let r = keeper.tick(&mut env, &mut venue).await.unwrap();
    assert_eq!(r.liquidations, 1, "{r:?}");
    let unhealthy = env.position_key(&owners[1]);
    let healthy = env.position_key(&owners[0]);
    assert_eq!(r.positions_liquidated, vec![unhealthy]);
    assert!(!r.positions_liquidated.contains(&healthy));
    assert_eq!(
        env.position(&owners[0]).await.collateral[0].amount,
        100 * SOL
    );
    assert!(env.position(&owners[1]).await.collateral[0].amount < 100 * SOL);
    assert!(keeper.positions[1].auction_open);
    env.assert_books(&sol).await;
    env.assert_books(&usdc).await;
    let _ = Pubkey::default();
}

/// Under the per-slot cap the keeper's order is its policy: the position
/// nearest insolvency gets the cap, not the one tracked first.
#[tokio::test]
async fn keeper_gives_the_cap_to_the_worst_position_first() {
    // tracked first: the milder one
    let (mut env, usdc, sol, owners, mut keeper) = keeper_over(&[7_000, 7_400]).await;
    let mut venue = oracle_venue();
    fall_to_85(&mut env, usdc, sol).await;
    let r = keeper.tick(&mut env, &mut venue).await.unwrap();
    // both are liquidatable; one slot's cap takes one of them
    assert_eq!(r.liquidations, 1, "{r:?}");
    assert_eq!(r.skipped_cap, 1, "{r:?}");
    assert_eq!(r.positions_liquidated, vec![env.position_key(&owners[1])]);
    assert_eq!(
        env.position(&owners[0]).await.collateral[0].amount,
        100 * SOL
    );
}

/// Lots opened before the keeper started (another keeper's, or its own
/// before a restart) are worked too; and when the slot's sale room is short
/// of the lots, the cheapest one, the furthest down its curve, is bought
/// first: the lot of the position tracked first, opened later, waits.
#[tokio::test]
async fn keeper_buys_the_cheapest_lot_first_including_lots_it_did_not_open() {
    let mut m = MarketBuilder {
        // the preset's sale pacing: two lots' backlog leaves room for
        // less than one lot a slot
        sol_params: preset_params(),
        amm: Some((20_000 * SOL, 2_000_000 * USDC)),
        ..Default::default()
    }
    .build()
    .await;
    let newer = m.borrower(100 * SOL, 7_000 * USDC).await.pubkey();
    let older = m.borrower(100 * SOL, 7_000 * USDC).await.pubkey();
    let all = m.all();
    let (mut env, usdc, sol) = (m.env, m.usdc, m.sol);
    fall_to_85(&mut env, usdc, sol).await;
    // another keeper liquidates `older`, and five slots later `newer`
    let other = env.user().await;
    env.liquidate(&other, &older, &sol, &usdc, &all)
        .await
        .expect("older liquidated");
    env.step_prices(5, 2, &[(usdc, 1.0), (sol, 85.0)]).await;
    env.liquidate(&other, &newer, &sol, &usdc, &all)
        .await
        .expect("newer liquidated");
    env.step_prices(5, 2, &[(usdc, 1.0), (sol, 85.0)]).await;
    let lot_older = env.auction(&older, &sol, &usdc).await;
    let lot_newer = env.auction(&newer, &sol, &usdc).await;
    let slot = Chain::slot(&mut env).await.unwrap();
    assert!(lot_older.price_at(slot).unwrap() < lot_newer.price_at(slot).unwrap());

    // a keeper that starts now, tracking `newer` first
    let kp = env.user().await;
    let keeper_debt = env.mint_to(&usdc.mint, &kp.pubkey(), 100_000 * USDC).await;
    let keeper_collateral = env.token_account(&kp.pubkey(), &sol.mint).await;
    let mut keeper = Keeper::new(env.market, (sol, usdc), kp, keeper_collateral, keeper_debt);
    keeper.track(&mut env, &[newer, older]).await.unwrap();
    let mut venue = keeper.oracle_venue(&mut env, 100).await.unwrap();
    let r = keeper.tick(&mut env, &mut venue).await.unwrap();
    assert_eq!(r.liquidations, 0, "{r:?}");
    assert_eq!((r.takes, r.skipped_cap), (1, 1), "{r:?}");
    assert!(r.errors.is_empty(), "{r:?}");
    let after_older = env.auction(&older, &sol, &usdc).await;
    let after_newer = env.auction(&newer, &sol, &usdc).await;
    assert!(after_older.total_sold > 0, "the cheaper lot is bought");
    assert_eq!(after_newer.total_sold, 0, "the dearer lot waits");
    assert_eq!(after_newer.lot, lot_newer.lot);
    env.assert_books(&sol).await;
    env.assert_books(&usdc).await;
}

#[test]
fn devnet_configuration_validates() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/devnet.toml"
    ))
    .unwrap();
    let plan = config::validate(&text).unwrap();
    assert_eq!(plan.pools.len(), 2);
    assert_eq!(plan.name, "sluice-devnet");
    // the file's adaptive section is the program's preset
    assert_eq!(plan.pools[0].adaptive, Some(sluice::presets::adaptive()));
    assert_eq!(plan.pools[1].adaptive, None);
}

#[test]
fn configuration_errors_name_the_problem() {
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/devnet.toml"
    ))
    .unwrap();
    let cases: Vec<(String, &str)> = vec![
        ("not toml [".into(), "invalid TOML"),
        (good.replace("authority = \"9Wz", "authority = \"!!"), "market.authority"),
        (good.replace("keeper_incentive_bps = 50", "keeper_incentive_bps = 900"), "Keeper incentive"),
        (good.replace("ltv_bps = 7500", "ltv_bps = 9500"), "pool SOL: LTV is out of bounds"),
        (good.replace("liquidation_bonus_bps = 500", "liquidation_bonus_bps = 2500"), "pool SOL: Liquidation threshold x (1 + bonus)"),
        (good.replace("preset = \"sluice\"", "preset = \"yolo\""), "preset \"yolo\""),
        (good.replace("oracle = \"pyth-pull\"", "oracle = \"chainlink\""), "is not pyth-pull"),
        (good.replace("ef0d8b6f", "zz0d8b6f"), "feed id must be 32 bytes"),
        (good.replace("kind = \"whirlpool\"", "kind = \"orderbook\""), "depth kind"),
        (good.replace("4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU", "So11111111111111111111111111111111111111112"), "appears in two pools"),
        (good.replace("max_age_secs = 30", "max_age_secs = 3000"), "Oracle limits are out of bounds"),
        (good.replace("twap_window_secs = 60", "twap_window_secs = 0"), "TWAP parameters"),
        (good.replace("[[pool.depth]]\nkind = \"whirlpool\"\n# Orca SOL/USDC whirlpool\naccount_a = \"Czfq3xZZDmsdGdUyrNLtRhGc47cXcZtLG4crryfu44zE\"\n", ""), "needs at least one depth source"),
        (good.replace("symbol = \"SOL\"", "symbol = \"SOL\"\ncolour = \"red\""), "unknown field"),
        (good.replace("threshold_floor_bps = 7600", "threshold_floor_bps = 7400"), "pool SOL: adaptive: Adaptive threshold"),
        (good.replace("kind = \"whirlpool\"\n# Orca SOL/USDC whirlpool\naccount_a = \"Czfq3xZZDmsdGdUyrNLtRhGc47cXcZtLG4crryfu44zE\"", "kind = \"openbook-v2\"\naccount_a = \"Czfq3xZZDmsdGdUyrNLtRhGc47cXcZtLG4crryfu44zE\""), "account_b (the bids) is required for openbook-v2"),
        (good.replace("ltv_bps = 7500", "ltv_bps = 7500\nltv_max_bps = 8000"), "unknown field `ltv_max_bps`"),
        (good.replace("[pool.rates]\nbase_rate_bps = 0\noptimal_utilization_bps = 8000", "[pool.rates]\nbase_rate_bps = 0"), "missing field `optimal_utilization_bps`"),
    ];
    for (text, want) in cases {
        let e = config::validate(&text).unwrap_err();
        assert!(e.contains(want), "wanted {want:?} in: {e}");
    }
}

#[tokio::test]
async fn short_simulation_runs_both_presets_end_to_end() {
    let mut path = scenario::builtin("crash").unwrap();
    path.truncate(160);
    for preset in sluice::presets::PRESETS {
        let mut cfg = SimConfig::new(preset, path.clone(), 40);
        cfg.amm_sol = 3_000;
        let r = sim::run(&cfg, |_| {}).await.unwrap();
        assert_eq!(r.slots, 160);
        assert_eq!(r.series.amm.len(), 160);
        assert!(r.min_exogenous_price < 100.0);
        assert!(
            r.positions_liquidated > 0,
            "{preset}: nobody liquidated in a 40% crash"
        );
        assert!(r.collateral_sold_sol > 0.0);
        assert!(r.bad_debt_usd >= r.bad_debt_realized_usd);
    }
}

/// When the oracle sees the exogenous price (pass-through 0), the built-in
/// wick (-30% for two slots) reaches it: `instant` liquidates on it, and the
/// `sluice` guard window (2 s) liquidates nobody. With the thin calibration
/// (pass-through 1) the bounded arbitrage hides the wick from both.
#[tokio::test]
async fn a_wick_the_oracle_sees_liquidates_under_instant_and_nobody_under_sluice() {
    let path = scenario::builtin("wick").unwrap();
    let run = |preset: &str, pass_through: f64| {
        let mut cfg = SimConfig::new(preset, path.clone(), 40);
        cfg.amm_sol = 3_000;
        cfg.pass_through = pass_through;
        cfg
    };
    let instant = sim::run(&run("instant", 0.0), |_| {}).await.unwrap();
    assert!(instant.positions_liquidated > 0, "{instant:?}");
    let sluice = sim::run(&run("sluice", 0.0), |_| {}).await.unwrap();
    assert_eq!(sluice.positions_liquidated, 0);
    let thin = sim::run(&run("instant", 1.0), |_| {}).await.unwrap();
    assert_eq!(thin.positions_liquidated, 0);
    // the default calibration (its AMM scaled to this 40-borrower book): the
    // wick reaches the oracle, `instant` liquidates on it, `sluice` nobody
    let calibrated = |preset: &str| {
        let mut cfg = SimConfig::new(preset, path.clone(), 40);
        sim::Calibration::DEFAULT.apply(&mut cfg);
        cfg.amm_sol = sim::Calibration::DEFAULT.amm_sol * 40 / 1_000;
        cfg
    };
    let instant = sim::run(&calibrated("instant"), |_| {}).await.unwrap();
    assert!(instant.positions_liquidated > 0, "{instant:?}");
    let sluice = sim::run(&calibrated("sluice"), |_| {}).await.unwrap();
    assert_eq!(sluice.positions_liquidated, 0);
}

/// `--calibration` names each preset, `thin` reproduces the model the
/// earlier figures used, and an unknown name is refused with the names.
#[test]
fn calibrations_are_named_and_thin_is_the_old_market() {
    // issue 12's figures were measured under this market
    let thin = sim::Calibration::named("thin").unwrap();
    let mut cfg = SimConfig::new("sluice", vec![100.0; 2], 1);
    sim::Calibration::SOL_2025.apply(&mut cfg);
    thin.apply(&mut cfg);
    assert_eq!(
        (
            cfg.amm_sol,
            cfg.pass_through,
            cfg.arb_bps,
            cfg.rational_instant
        ),
        (60_000, 1.0, 50, false)
    );
    assert_eq!(cfg.arb_usd_per_sec, None);
    let sol = sim::Calibration::named("sol-2025").unwrap();
    assert_eq!(sim::Calibration::DEFAULT, sol);
    assert!(sol.pass_through < 1.0 && sol.rational_instant);
    assert!(sim::Calibration::named("thick").is_none());
}

/// An `instant` liquidator that minds its money stops when the AMM pays
/// less than the oracle price less the bonus: with an oracle that does not
/// follow the AMM (pass-through 0) it no longer drives the AMM far under
/// the path, as one that sells at any price does.
#[tokio::test]
async fn a_rational_instant_liquidator_stops_selling_below_its_cost() {
    let run = |rational: bool| {
        short_crash("instant", move |c| {
            c.pass_through = 0.0;
            c.rational_instant = rational;
        })
    };
    let reckless = run(false).await;
    let rational = run(true).await;
    assert!(rational.positions_liquidated > 0);
    // the bonus is 5%, plus what one liquidation's sale moves this small
    // AMM (3,000 SOL) once the margin still pays
    assert!(
        rational.liquidation_drawdown_pct > -10.0,
        "{}",
        rational.liquidation_drawdown_pct
    );
    assert!(
        reckless.liquidation_drawdown_pct < rational.liquidation_drawdown_pct - 5.0,
        "{} vs {}",
        reckless.liquidation_drawdown_pct,
        rational.liquidation_drawdown_pct
    );
}

/// The simulator's runtime shortcuts (slots move the Clock within one
/// bank, transactions unsigned, the AMM's swaps written as balances, reads
/// answered from a cache the runtime's writes invalidate) change nothing a
/// program does: a run with a bank per slot, signed transactions, swaps
/// sent as token transfers and every read from the bank reports the same
/// figures, with fewer transactions (the swaps).
#[tokio::test]
async fn runtime_shortcuts_change_no_result() {
    for preset in sluice::presets::PRESETS {
        let fast = short_crash(preset, |c| c.runtime_shortcuts = true).await;
        let faithful = short_crash(preset, |c| c.runtime_shortcuts = false).await;
        assert!(fast.positions_liquidated > 0, "{preset}");
        assert_same_figures(&fast, &faithful, preset);
        assert!(fast.collateral_sold_sol > 0.0, "{preset}: no swap to write");
        assert!(
            fast.transactions < faithful.transactions,
            "{preset}: {} vs {}",
            fast.transactions,
            faithful.transactions
        );
    }
}

/// Replacing the runtime with a fresh one holding the same accounts (what
/// keeps a long path's memory bounded) changes nothing: a short crash with
/// a restart every 20 transactions (more than ten, in the cascade too)
/// reports the same figures as one runtime throughout.
#[tokio::test]
async fn restarting_the_runtime_changes_no_result() {
    for preset in sluice::presets::PRESETS {
        let restarted = short_crash(preset, |c| c.restart_every_tx = 20).await;
        let one = short_crash(preset, |c| c.restart_every_tx = 0).await;
        assert!(restarted.positions_liquidated > 0, "{preset}");
        assert!(one.transactions > 10 * 20, "{preset}: {}", one.transactions);
        assert_same_figures(&restarted, &one, preset);
    }
}

/// `preset` on the built-in crash cut to 200 slots, 40 borrowers, a
/// 3,000-SOL AMM, with `tweak` applied to the configuration.
async fn short_crash(preset: &str, tweak: impl FnOnce(&mut SimConfig)) -> sim::SimResult {
    let mut path = scenario::builtin("crash").unwrap();
    path.truncate(200);
    let mut cfg = SimConfig::new(preset, path, 40);
    cfg.amm_sol = 3_000;
    tweak(&mut cfg);
    sim::run(&cfg, |_| {}).await.unwrap()
}

/// Two runs report the same figures: byte-identical JSON.
fn assert_same_figures(a: &sim::SimResult, b: &sim::SimResult, preset: &str) {
    assert_eq!(
        sim::report::json("crash", std::slice::from_ref(a)),
        sim::report::json("crash", std::slice::from_ref(b)),
        "{preset}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeper_over_json_rpc_liquidates_and_shrugs_off_a_lost_race() {
    use sluice_app::chain::rpc::RpcChain;
    use sluice_client::local::rpc_server::{serve, SharedEnv};
    use std::sync::Arc;

    let mut m = MarketBuilder::default().build().await;
    // two positions that $85 makes liquidatable
    let mut owners = Vec::new();
    for _ in 0..2 {
        owners.push(m.borrower(100 * SOL, 7_000 * USDC).await);
    }
    let all = m.all();
    let (mut env, usdc, sol) = (m.env, m.usdc, m.sol);
    let kp = env.user().await;
    let keeper_debt = env.mint_to(&usdc.mint, &kp.pubkey(), 100_000 * USDC).await;
    let keeper_collateral = env.token_account(&kp.pubkey(), &sol.mint).await;
    let rival = env.user().await;
    let market = env.market;
    let shared: SharedEnv = Arc::new(tokio::sync::Mutex::new(env));
    let url = serve(shared.clone()).await.unwrap();

    // the keeper finds the positions through getProgramAccounts
    let mut chain = RpcChain::new(&url, kp.insecure_clone());
    let found = chain.positions(&market).await.unwrap();
    let mut found_owners: Vec<_> = found.iter().map(|(_, p)| p.owner).collect();
    found_owners.sort();
    let mut expected: Vec<_> = owners.iter().map(|o| o.pubkey()).collect();
    expected.sort();
    assert_eq!(found_owners, expected);
    let mut keeper = Keeper::new(market, (sol, usdc), kp, keeper_collateral, keeper_debt);
    let order: Vec<_> = owners.iter().map(|o| o.pubkey()).collect();
    keeper.track(&mut chain, &order).await.unwrap();
    let mut venue = OracleOnly {
        oracle_price_wad: 0,
        min_discount_bps: 100,
    };

    // SOL to $85; a rival keeper liquidates the first position (and uses
    // the slot's cap) before ours acts
    {
        let mut env = shared.lock().await;
        for _ in 0..6 {
            env.step_prices(10, 4, &[(usdc, 1.0), (sol, 85.0)]).await;
        }
        env.advance(1, 1).await;
        env.set_price(&usdc, Px::usd(1.0)).await;
        env.set_price(&sol, Px::usd(85.0)).await;
        env.liquidate(&rival, &owners[0].pubkey(), &sol, &usdc, &all)
            .await
            .unwrap();
    }
    let r = keeper.tick(&mut chain, &mut venue).await.unwrap();
    assert_eq!(r.liquidations, 0, "{r:?}");
    // it tried the rival's position (still unhealthy: the rival's lot was
    // capped) and the program refused it the exhausted cap
    assert_eq!(r.skipped_cap, 1, "{r:?}");
    assert!(r.errors.is_empty(), "a lost race is not an error: {r:?}");

    // next slot: the keeper liquidates over RPC (one position: the cap
    // admits one lot per slot here)
    let before = {
        let mut env = shared.lock().await;
        env.advance(1, 1).await;
        env.set_price(&usdc, Px::usd(1.0)).await;
        env.set_price(&sol, Px::usd(85.0)).await;
        env.pool(&sol).await.total_collateral
    };
    let r = keeper.tick(&mut chain, &mut venue).await.unwrap();
    assert!(r.errors.is_empty(), "{r:?}");
    assert_eq!(r.liquidations, 1, "{r:?}");
    let keys: Vec<_> = owners
        .iter()
        .map(|o| sluice_client::pda::position(&market, &o.pubkey()))
        .collect();
    assert!(keys.contains(&r.positions_liquidated[0]), "{r:?}");
    let mut env = shared.lock().await;
    assert_eq!(
        env.pool(&sol).await.total_collateral,
        before - r.seized,
        "the seizure the keeper reports happened on chain"
    );
    env.assert_books(&sol).await;
    env.assert_books(&usdc).await;
}

/// One keeper process serves every pair of a market: SOL/USDC (auction
/// preset, depth from the AMM) and ETH/USDC (instant preset). A position
/// that borrows against both is liquidated through a leg of one pair with
/// the other pool passed along (each pair knows the market's other pools),
/// and no pair trips over another pair's positions (no errors).
#[tokio::test]
async fn one_keeper_process_serves_every_pair_of_a_market() {
    const ETH: u64 = 100_000_000; // 8 decimals
    let mut m = MarketBuilder::default().build().await;
    let (usdc, sol) = (m.usdc, m.sol);
    let eth_params = sluice::presets::Preset::Instant.pool_params();
    let eth = m.env.add_pool(8, Feed::Legacy, eth_params, 2_000.0).await;
    let all = [usdc, sol, eth];
    let sol_only = m.borrower(100 * SOL, 7_000 * USDC).await.pubkey();
    let eth_only = open(&mut m.env, &all, &[(eth, 10 * ETH)], 14_000).await;
    let both = open(&mut m.env, &all, &[(sol, 50 * SOL), (eth, 5 * ETH)], 10_500).await;
    let mut env = m.env;
    let kp = env.user().await;
    let keeper_debt = env.mint_to(&usdc.mint, &kp.pubkey(), 100_000 * USDC).await;
    let keeper_sol = env.token_account(&kp.pubkey(), &sol.mint).await;
    let keeper_eth = env.token_account(&kp.pubkey(), &eth.mint).await;
    let pair = |c: PoolKeys, kc, others| {
        Keeper::new(env.market, (c, usdc), kp.insecure_clone(), kc, keeper_debt)
            .with_other_pools(others)
    };
    let mut keeper = MarketKeeper {
        pairs: vec![
            pair(sol, keeper_sol, vec![eth]),
            pair(eth, keeper_eth, vec![sol]),
        ],
        min_discount_bps: 100,
    };
    let owners = [sol_only, eth_only, both];
    assert_eq!(keeper.track_new(&mut env, &owners).await.unwrap(), 3);

    // calm: every pair scans its own positions, nobody is liquidated
    let r = keeper.tick(&mut env).await;
    let r: Vec<TickReport> = r.into_iter().map(Result::unwrap).collect();
    assert_eq!((r[0].scanned, r[1].scanned), (2, 2), "{r:?}");
    assert_eq!(r[0].liquidations + r[1].liquidations, 0);

    // both assets fall 15%, long enough for the TWAP to agree
    for _ in 0..6 {
        env.step_prices(10, 4, &[(usdc, 1.0), (sol, 85.0), (eth, 1_700.0)])
            .await;
    }
    let r = keeper.tick(&mut env).await;
    let r: Vec<TickReport> = r.into_iter().map(Result::unwrap).collect();
    let key = |o: &Pubkey| env.position_key(o);
    assert!(r[0].errors.is_empty() && r[1].errors.is_empty(), "{r:?}");
    // SOL pair: the SOL-only position, then the AMM's per-slot cap is used up
    assert_eq!(r[0].positions_liquidated, vec![key(&sol_only)], "{r:?}");
    // ETH pair (instant): the ETH-only position, and the position that holds
    // both, through its ETH leg with the SOL pool passed along
    assert_eq!(
        r[1].positions_liquidated,
        vec![key(&eth_only), key(&both)],
        "{r:?}"
    );
    let eth_left = |p: sluice::state::Position| {
        p.collateral
            .iter()
            .find(|e| e.pool == eth.pool)
            .map_or(0, |e| e.amount)
    };
    assert!(eth_left(env.position(&eth_only).await) < 10 * ETH);
    assert!(eth_left(env.position(&both).await) < 5 * ETH);
    for k in all {
        env.assert_books(&k).await;
    }
}

/// A position with these collateral deposits that borrowed `debt` USDC
/// (`all[0]` is the USDC pool).
async fn open(
    env: &mut Env,
    all: &[PoolKeys],
    collateral: &[(PoolKeys, u64)],
    debt: u64,
) -> Pubkey {
    let b = env.user().await;
    env.open_position(&b).await.unwrap();
    for (k, amount) in collateral {
        env.mint_to(&k.mint, &b.pubkey(), *amount).await;
        env.deposit_collateral(&b, k, *amount).await.unwrap();
    }
    env.borrow(&b, &all[0], debt * USDC, all).await.unwrap();
    b.pubkey()
}

/// Reproducible: the same flags and seed print the same JSON, byte for byte
/// (borrower book and auction jitter seeded; timings are not in the JSON).
/// A different seed gives a different run.
#[tokio::test]
async fn the_same_flags_print_the_same_json() {
    let mut path = scenario::builtin("crash").unwrap();
    path.truncate(140);
    let run = |seed: u64| {
        let path = path.clone();
        async move {
            let mut out = Vec::new();
            for preset in ["sluice", "instant"] {
                let mut cfg = SimConfig::new(preset, path.clone(), 30);
                cfg.amm_sol = 2_000;
                cfg.seed = seed;
                out.push(sim::run(&cfg, |_| {}).await.unwrap());
            }
            sluice_app::sim::report::json("crash", &out)
        }
    };
    let (a, b) = (run(7).await, run(7).await);
    assert!(a.contains("\"takes\""), "{a}");
    assert_eq!(a, b);
    assert_ne!(a, run(8).await);
}

#[tokio::test]
async fn sluice_adaptive_runs_the_programs_rules_and_costs_the_crash_under_one_percent() {
    let fixed = short_crash("sluice", |_| {}).await;
    let adaptive = short_crash("sluice-adaptive", |_| {}).await;
    assert_eq!(adaptive.preset, "sluice-adaptive");
    assert!(adaptive.positions_liquidated > 0);
    // the bound: adaptation never worsens bad debt (beyond ideal,
    // % of the initial debt) or the drawdown by more than one point
    assert!(
        adaptive.bad_debt_beyond_ideal_pct <= fixed.bad_debt_beyond_ideal_pct + 1.0,
        "{} vs {}",
        adaptive.bad_debt_beyond_ideal_pct,
        fixed.bad_debt_beyond_ideal_pct
    );
    assert!(adaptive.liquidation_drawdown_pct >= fixed.liquidation_drawdown_pct - 1.0);
    // an instant pool has no adaptive preset in the simulator
    assert!(sim::parse_preset("instant-adaptive").is_none());
    assert_eq!(
        sim::parse_preset("sluice-adaptive"),
        Some((sluice::presets::Preset::Sluice, true))
    );
}

#[tokio::test]
async fn risk_replays_the_book_chooses_rules_and_writes_a_valid_apply_file() {
    use sluice_app::risk;
    use std::sync::Arc;
    let mut crash = scenario::builtin("crash").unwrap();
    crash.truncate(200);
    let paths = vec![
        (
            "wick".to_string(),
            Arc::new(scenario::PricePath::from(
                scenario::builtin("wick").unwrap(),
            )),
        ),
        (
            "crash".to_string(),
            Arc::new(scenario::PricePath::from(crash)),
        ),
    ];
    let mut base = SimConfig::new("sluice", paths[0].1.as_ref(), 40);
    base.amm_sol = 3_000;
    let book = sim::borrower_book(&base, 100.0);
    base.book = Some(Arc::new(book.clone()));
    let cands = risk::candidates();
    let evidence = risk::evaluate(&base, &paths, &cands[..2]).await.unwrap();
    assert_eq!(evidence.len(), 4);
    // the static candidate is the simulator's `sluice` on the same book
    let mut plain = base.clone();
    plain.path = paths[1].1.clone();
    let direct = sim::run(&plain, |_| {}).await.unwrap();
    let row = &evidence[1];
    assert_eq!(
        (row.candidate.as_str(), row.path.as_str()),
        ("static", "crash")
    );
    assert_eq!(row.liquidated, direct.positions_liquidated);
    assert_eq!(row.bad_debt_usd, direct.bad_debt_usd);

    // choosing: under the target the fewest wick liquidations, then the
    // lowest worst path, then the simpler rules
    let e = |c: &str, p: &str, pct: f64, liq: usize| risk::Evidence {
        candidate: c.into(),
        path: p.into(),
        beyond_ideal_pct: pct,
        bad_debt_usd: 0.0,
        drawdown_pct: 0.0,
        liquidated: liq,
    };
    let ev = vec![
        e("static", "crash", 0.9, 10),
        e("static", "wick", 0.0, 0),
        e("threshold", "crash", 0.3, 12),
        e("threshold", "wick", 0.0, 0),
        e("threshold+cap", "crash", 0.2, 12),
        e("threshold+cap", "wick", 0.0, 3),
        e("preset", "crash", 0.3, 12),
        e("preset", "wick", 0.0, 0),
    ];
    let c = risk::choose(&ev, &cands, 0.5).unwrap();
    assert_eq!((c.candidate.name, c.met), ("threshold", true));
    let none = risk::choose(&ev, &cands, 0.1).unwrap();
    assert_eq!((none.candidate.name, none.met), ("threshold+cap", false));
    // a candidate that was not replayed is never chosen
    let some: Vec<_> = ev
        .iter()
        .filter(|e| e.candidate != "threshold")
        .cloned()
        .collect();
    let c2 = risk::choose(&some, &cands, 0.5).unwrap();
    assert_eq!(c2.candidate.name, "preset");

    // the apply file: the template's pool gets the rules, and validates
    let template = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/devnet.toml"
    ))
    .unwrap();
    let sol_params = config::validate(&template).unwrap().pools[0].params;
    let chosen = risk::candidate_params(&c.candidate, &sol_params);
    let file = risk::apply_file(&template, "SOL", chosen, "evidence\n| a | b |").unwrap();
    assert!(file.starts_with("# evidence\n# | a | b |\n"));
    let plan = config::validate(&file).unwrap();
    assert_eq!(plan.pools[0].adaptive, chosen);
    assert_eq!(
        plan.pools[0].adaptive.unwrap().switches,
        sluice::state::rule::THRESHOLD
    );
    let off = risk::apply_file(&template, "SOL", None, "").unwrap();
    assert_eq!(config::validate(&off).unwrap().pools[0].adaptive, None);
    assert!(risk::apply_file(&template, "BONK", chosen, "").is_err());

    // the liquidity cliff: positions at 74.5% LTV are liquidatable after a
    // 7% fall (0.745 / 0.8), every position by -56% (0.35 / 0.8)
    let cliff = risk::liquidity_cliff(&book, 100.0, 8_000, 3_000, 100);
    assert_eq!(cliff.len(), 10);
    assert_eq!(cliff[0].total_sol, 0.0);
    assert!(cliff[1].total_sol > 0.0);
    assert!(cliff.windows(2).all(|w| w[1].total_sol >= w[0].total_sol));
    let all: f64 = book.iter().map(|b| b.0 as f64 / 1e9).sum();
    let steps: f64 = cliff.iter().map(|r| r.step_sol).sum();
    assert!((steps - cliff[9].total_sol).abs() < 1e-6 && cliff[9].total_sol < all + 1e-6);
    // a deeper venue absorbs more a minute, and more as the price falls
    assert!(cliff[0].absorb_sol_per_min > 0.0);
    assert!(cliff[9].absorb_sol_per_min > cliff[0].absorb_sol_per_min);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risk_reads_a_markets_book_over_json_rpc() {
    use sluice_app::chain::rpc::RpcChain;
    use sluice_client::local::rpc_server::{serve, SharedEnv};
    use std::sync::Arc;

    let mut m = MarketBuilder::default().build().await;
    let a = m.borrower(100 * SOL, 7_000 * USDC).await;
    let b = m.borrower(50 * SOL, 1_000 * USDC).await;
    let _collateral_only = m.holder(3 * SOL).await;
    let (env, usdc, sol) = (m.env, m.usdc, m.sol);
    let market = env.market;
    let shared: SharedEnv = Arc::new(tokio::sync::Mutex::new(env));
    let url = serve(shared.clone()).await.unwrap();
    let mut chain = RpcChain::new(&url, solana_keypair::Keypair::new());
    let m = sluice_app::risk::read_book(&mut chain, &market, &sol.pool, &usdc.pool, 9)
        .await
        .unwrap();
    let (mut book, price) = (m.book.clone(), m.price);
    book.sort();
    // debts read at the pool's index (accrued since the borrow: rounded up,
    // never under what was borrowed)
    // (the collateral-only position has nothing to replay)
    assert_eq!(book.len(), 2);
    assert_eq!(book[0].0, 50 * SOL);
    assert_eq!(book[1].0, 100 * SOL);
    assert!(book[0].1 >= 1_000 * USDC && book[0].1 < 1_001 * USDC);
    assert!(book[1].1 >= 7_000 * USDC && book[1].1 < 7_001 * USDC);
    assert!((price - 100.0).abs() < 1e-9, "{price}");
    // the collateral pool as it stands: its parameters, and a venue as deep
    // at the bound as its registered AMM (2,000 SOL) was when observed
    let pool = shared.lock().await.pool(&sol).await;
    assert_eq!(m.collateral.params, pool.params);
    let depth = m
        .collateral
        .observed_depth(m.collateral.depth_slot + 1)
        .unwrap();
    let venue =
        sluice_app::risk::venue_for_depth(depth, pool.params.liquidation.max_slippage_bps, 9);
    assert!(venue.abs_diff(2_000) <= 1, "{venue}");
    let _ = (a, b);
}

#[tokio::test]
async fn a_markets_own_collateral_parameters_drive_the_replay_and_its_ideal() {
    let fixed = short_crash("sluice", |_| {}).await;
    let mut own = sluice::presets::Preset::Sluice.pool_params();
    // a market that liquidates earlier: threshold 70% (LTV 65%)
    own.risk.ltv_bps = 6_500;
    own.risk.liquidation_threshold_bps = 7_000;
    let early = short_crash("sluice", |c| c.sol_params = Some(own)).await;
    assert!(
        early.positions_liquidated > fixed.positions_liquidated,
        "{} vs {}",
        early.positions_liquidated,
        fixed.positions_liquidated
    );
    // the adaptive preset fits itself to those parameters (its threshold
    // floor under 70%, not the preset's 76%)
    let adapted = short_crash("sluice-adaptive", |c| c.sol_params = Some(own)).await;
    assert!(adapted.positions_liquidated >= early.positions_liquidated);
    // the frictionless reference reads the same threshold
    let mut cfg = SimConfig::new("sluice", scenario::builtin("crash").unwrap(), 40);
    let book = sim::borrower_book(&cfg, 100.0);
    let at_80 = sim::ideal(&cfg, &book).positions_liquidated;
    cfg.sol_params = Some(own);
    let at_70 = sim::ideal(&cfg, &book).positions_liquidated;
    assert!(at_70 > at_80, "{at_70} vs {at_80}");
}
