//! init_market, init_pool, update_*_params, pauses and the two-step authority transfer.
use anchor_lang::error::ErrorCode;
use sluice::constants::*;
use sluice::errors::SluiceError;
use sluice::state::{MarketParams, OracleConfig, PoolParams};
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[tokio::test]
async fn init_market_records_authority_and_params() {
    let mut env = Env::new().await;
    let m = env.market_state().await;
    assert_eq!(m.authority, env.authority.pubkey());
    assert_eq!(m.pending_authority, Default::default());
    assert_eq!(m.params, default_market_params());
    assert_eq!(m.pool_count, 0);
    assert_eq!(m.version, MARKET_VERSION);
}

#[tokio::test]
async fn init_market_rejects_unknown_pause_bits() {
    let mut env = Env::new().await;
    let market = Keypair::new();
    let auth = env.authority.pubkey();
    let ix = env.ix_init_market(
        &market.pubkey(),
        &auth,
        MarketParams {
            pause_flags: 0x10,
            ..default_market_params()
        },
    );
    assert_sluice_err(
        env.send(&[ix], &[&market]).await,
        SluiceError::UnknownPauseFlags,
    );
}

#[tokio::test]
async fn init_pool_creates_pda_vaults_owned_by_the_pool() {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let pool = env.pool(&k).await;
    assert_eq!(pool.market, env.market);
    assert_eq!(pool.mint, k.mint);
    assert_eq!(pool.vault, k.vault);
    assert_eq!(pool.share_mint, k.share_mint);
    assert_eq!(pool.insurance, k.insurance);
    assert_eq!(pool.decimals, 6);
    assert_eq!(pool.params, default_params());
    assert_eq!(pool.borrow_index.get(), sluice::math::WAD);
    assert_eq!(env.market_state().await.pool_count, 1);
    // the vaults' token authority is the pool PDA, so only the program moves funds
    for vault in [k.vault, k.insurance_vault] {
        let acc = env.account(&vault).await.unwrap();
        let tok = <anchor_spl::token::spl_token::state::Account as anchor_lang::solana_program::program_pack::Pack>::unpack(&acc.data).unwrap();
        assert_eq!(tok.owner, k.pool);
        assert_eq!(tok.mint, k.mint);
    }
    let ins = env.insurance(&k).await;
    assert_eq!(ins.pool, k.pool);
    assert_eq!(ins.vault, k.insurance_vault);
    env.assert_books(&k).await;
}

#[tokio::test]
async fn init_pool_by_non_authority_is_rejected() {
    let mut env = Env::new().await;
    let mint = env.create_mint(6).await;
    let k = env.pool_keys(&mint, 6, Keypair::new().pubkey(), Feed::Pull, [1; 32]);
    let config = env.oracle_config(&k);
    let mut ix = env.ix_init_pool(&k, config, default_params());
    let mallory = env.user().await;
    ix.accounts[1].pubkey = mallory.pubkey();
    assert_sluice_err(
        env.send(&[ix], &[&mallory]).await,
        SluiceError::Unauthorized,
    );
    assert!(env.account(&k.pool).await.is_none());
}

#[tokio::test]
async fn init_pool_rejects_out_of_bounds_params_and_bad_oracle_config() {
    let mut env = Env::new().await;
    let mint = env.create_mint(6).await;
    let k = env.pool_keys(&mint, 6, Keypair::new().pubkey(), Feed::Legacy, [0; 32]);
    let auth = env.authority.insecure_clone();
    let mut p = default_params();
    p.risk.ltv_bps = 9_100;
    let ix = env.ix_init_pool(&k, env.oracle_config(&k), p);
    assert_sluice_err(env.send(&[ix], &[&auth]).await, SluiceError::LtvOutOfBounds);
    // a legacy oracle must name its price account
    let cfg = OracleConfig::pyth_legacy(Default::default());
    let ix = env.ix_init_pool(&k, cfg, default_params());
    assert_sluice_err(
        env.send(&[ix], &[&auth]).await,
        SluiceError::OracleAccountMismatch,
    );
}

#[tokio::test]
async fn init_pool_twice_for_one_mint_fails() {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let auth = env.authority.insecure_clone();
    let ix = env.ix_init_pool(&k, env.oracle_config(&k), default_params());
    assert_failed(env.send(&[ix], &[&auth]).await);
    assert_eq!(env.market_state().await.pool_count, 1);
}

#[tokio::test]
async fn init_pool_rejects_mints_with_more_than_18_decimals() {
    let mut env = Env::new().await;
    let mint = env.create_mint(19).await;
    let k = env.pool_keys(&mint, 19, Keypair::new().pubkey(), Feed::Pull, [3; 32]);
    let auth = env.authority.insecure_clone();
    let ix = env.ix_init_pool(&k, env.oracle_config(&k), default_params());
    assert_sluice_err(
        env.send(&[ix], &[&auth]).await,
        SluiceError::MintDecimalsOutOfRange,
    );
}

#[tokio::test]
async fn update_pool_params_by_authority_applies() {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let mut p = default_params();
    p.risk.ltv_bps = 6_000;
    p.borrow_cap = 42;
    let auth = env.authority.insecure_clone();
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    env.send(&[ix], &[&auth]).await.unwrap();
    assert_eq!(env.pool(&k).await.params, p);
}

#[tokio::test]
async fn update_pool_params_by_non_authority_is_rejected() {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let mallory = env.user().await;
    let mut p = default_params();
    p.risk.ltv_bps = 9_000;
    p.risk.liquidation_threshold_bps = 9_400;
    p.risk.liquidation_bonus_bps = 0;
    let ix = env.ix_update_pool_params(&mallory.pubkey(), &k, p);
    assert_sluice_err(
        env.send(&[ix], &[&mallory]).await,
        SluiceError::Unauthorized,
    );
    assert_eq!(env.pool(&k).await.params, default_params());
}

#[tokio::test]
async fn update_pool_params_without_signature_is_rejected() {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let auth = env.authority.pubkey();
    let mut ix = env.ix_update_pool_params(&auth, &k, default_params());
    ix.accounts[0].is_signer = false;
    assert_anchor_err(env.send(&[ix], &[]).await, ErrorCode::AccountNotSigner);
}

/// Every hard bound, one value just outside it, each with its own error.
#[tokio::test]
async fn update_pool_params_rejects_every_out_of_bounds_value() {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let auth = env.authority.insecure_clone();
    type Edit = fn(&mut PoolParams);
    let cases: Vec<(Edit, SluiceError)> = vec![
        (|p| p.risk.ltv_bps = 9_001, SluiceError::LtvOutOfBounds),
        (
            |p| p.risk.liquidation_threshold_bps = 7_000,
            SluiceError::LiquidationThresholdOutOfBounds,
        ),
        (
            |p| p.risk.liquidation_threshold_bps = 7_500,
            SluiceError::LiquidationThresholdOutOfBounds,
        ),
        (
            |p| p.risk.liquidation_threshold_bps = 9_501,
            SluiceError::LiquidationThresholdOutOfBounds,
        ),
        (
            |p| p.risk.liquidation_bonus_bps = 2_501,
            SluiceError::LiquidationBonusOutOfBounds,
        ),
        (
            |p| {
                p.risk.ltv_bps = 8_500;
                p.risk.liquidation_threshold_bps = 9_500;
                p.risk.liquidation_bonus_bps = 400; // 0.95 x (1.04 + 0.02 max incentive) > 1
            },
            SluiceError::ToxicLiquidationParams,
        ),
        (
            |p| p.rates.base_rate_bps = 10_001,
            SluiceError::RateModelOutOfBounds,
        ),
        (
            |p| p.rates.optimal_utilization_bps = 99,
            SluiceError::RateModelOutOfBounds,
        ),
        (
            |p| p.rates.optimal_utilization_bps = 9_901,
            SluiceError::RateModelOutOfBounds,
        ),
        (
            |p| p.rates.slope1_bps = 20_001,
            SluiceError::RateModelOutOfBounds,
        ),
        (
            |p| p.rates.slope2_bps = 100_001,
            SluiceError::RateModelOutOfBounds,
        ),
        (
            |p| p.rates.reserve_factor_bps = 5_001,
            SluiceError::ReserveFactorOutOfBounds,
        ),
        (
            |p| p.oracle.max_age_secs = 0,
            SluiceError::OracleParamsOutOfBounds,
        ),
        (
            |p| p.oracle.max_age_secs = 601,
            SluiceError::OracleParamsOutOfBounds,
        ),
        (
            |p| p.oracle.max_conf_bps = 0,
            SluiceError::OracleParamsOutOfBounds,
        ),
        (
            |p| p.oracle.max_conf_bps = 1_001,
            SluiceError::OracleParamsOutOfBounds,
        ),
        (
            |p| p.oracle.min_signatures = 20,
            SluiceError::OracleParamsOutOfBounds,
        ),
        (
            |p| p.oracle.twap_window_secs = 0,
            SluiceError::TwapParamsOutOfBounds,
        ),
        (
            |p| p.oracle.twap_window_secs = 86_401,
            SluiceError::TwapParamsOutOfBounds,
        ),
        (
            |p| p.oracle.max_twap_divergence_bps = 0,
            SluiceError::TwapParamsOutOfBounds,
        ),
        (
            |p| p.oracle.max_twap_divergence_bps = 5_001,
            SluiceError::TwapParamsOutOfBounds,
        ),
        (
            // a guard window longer than the TWAP's ring spans
            |p| {
                p.oracle.twap_window_secs = 20;
                p.oracle.guard_window_secs = 21;
            },
            SluiceError::TwapParamsOutOfBounds,
        ),
        (
            |p| p.seize_window_slots = 26,
            SluiceError::LiquidationParamsOutOfBounds,
        ),
        (
            |p| p.sale_pace_slots = 61,
            SluiceError::LiquidationParamsOutOfBounds,
        ),
    ];
    for (edit, err) in cases {
        let mut p = default_params();
        edit(&mut p);
        let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
        assert_sluice_err(env.send(&[ix], &[&auth]).await, err);
    }
    assert_eq!(env.pool(&k).await.params, default_params());
    // the bounds themselves are accepted
    let mut p = default_params();
    p.risk.ltv_bps = 9_000;
    p.risk.liquidation_threshold_bps = 9_500;
    p.risk.liquidation_bonus_bps = 300; // 0.95 x (1 + 0.03 + 0.02 max incentive) = 0.9975 < 1
    p.rates.reserve_factor_bps = 5_000;
    p.oracle.max_age_secs = 600;
    p.oracle.twap_window_secs = 86_400;
    p.oracle.guard_window_secs = 255;
    p.seize_window_slots = 25;
    p.sale_pace_slots = 60;
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    env.send(&[ix], &[&auth]).await.unwrap();
}

#[tokio::test]
async fn update_pool_params_for_a_pool_of_another_market_is_rejected() {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    // a second market run by mallory
    let mallory = env.user().await;
    let market2 = Keypair::new();
    let ix = env.ix_init_market(
        &market2.pubkey(),
        &mallory.pubkey(),
        default_market_params(),
    );
    env.send(&[ix], &[&market2]).await.unwrap();
    let mut ix = env.ix_update_pool_params(&mallory.pubkey(), &k, default_params());
    ix.accounts[1].pubkey = market2.pubkey();
    assert_sluice_err(
        env.send(&[ix], &[&mallory]).await,
        SluiceError::PoolMarketMismatch,
    );
}

#[tokio::test]
async fn update_market_params_pauses_and_unpauses() {
    let mut t = MarketBuilder::lending().build().await;
    let auth = t.env.authority.insecure_clone();
    let (usdc, sol) = (t.usdc, t.sol);
    let lender = t.lender.insecure_clone();
    let b = t.holder(10 * SOL).await;
    let ix = t.env.ix_update_market_params(
        &auth.pubkey(),
        MarketParams {
            pause_flags: PAUSE_DEPOSITS | PAUSE_WITHDRAWALS,
            ..default_market_params()
        },
    );
    t.env.send(&[ix], &[&auth]).await.unwrap();
    assert_eq!(
        t.env.market_state().await.params.pause_flags,
        PAUSE_DEPOSITS | PAUSE_WITHDRAWALS
    );
    assert_sluice_err(
        t.env.deposit(&lender, &usdc, USDC).await,
        SluiceError::DepositsPaused,
    );
    assert_sluice_err(
        t.env.withdraw(&lender, &usdc, USDC).await,
        SluiceError::WithdrawalsPaused,
    );
    // the pause covers collateral too
    assert_sluice_err(
        t.env.deposit_collateral(&b, &sol, SOL).await,
        SluiceError::DepositsPaused,
    );
    let all = t.all();
    assert_sluice_err(
        t.env.withdraw_collateral(&b, &sol, SOL, &all).await,
        SluiceError::WithdrawalsPaused,
    );
    let ix = t.env.ix_update_market_params(
        &auth.pubkey(),
        MarketParams {
            pause_flags: PAUSE_BORROWS,
            ..default_market_params()
        },
    );
    t.env.send(&[ix], &[&auth]).await.unwrap();
    assert_sluice_err(
        t.env.borrow(&b, &usdc, 10 * USDC, &all).await,
        SluiceError::BorrowsPaused,
    );
    // deposits work again
    t.env.deposit(&lender, &usdc, USDC).await.unwrap();
    let ix = t.env.ix_update_market_params(
        &auth.pubkey(),
        MarketParams {
            pause_flags: 0,
            ..default_market_params()
        },
    );
    t.env.send(&[ix], &[&auth]).await.unwrap();
    t.env.borrow(&b, &usdc, 10 * USDC, &all).await.unwrap();
    t.env.assert_books(&usdc).await;
    t.env.assert_books(&sol).await;
}

#[tokio::test]
async fn update_market_params_rejects_non_authority_and_unknown_flags() {
    let mut env = Env::new().await;
    let mallory = env.user().await;
    let ix = env.ix_update_market_params(
        &mallory.pubkey(),
        MarketParams {
            pause_flags: PAUSE_ALL,
            ..default_market_params()
        },
    );
    assert_sluice_err(
        env.send(&[ix], &[&mallory]).await,
        SluiceError::Unauthorized,
    );
    let auth = env.authority.insecure_clone();
    let ix = env.ix_update_market_params(
        &auth.pubkey(),
        MarketParams {
            pause_flags: 0xF0,
            ..default_market_params()
        },
    );
    assert_sluice_err(
        env.send(&[ix], &[&auth]).await,
        SluiceError::UnknownPauseFlags,
    );
    let ix = env.ix_update_market_params(
        &auth.pubkey(),
        MarketParams {
            keeper_incentive_bps: 201,
            ..default_market_params()
        },
    );
    assert_sluice_err(
        env.send(&[ix], &[&auth]).await,
        SluiceError::KeeperIncentiveOutOfBounds,
    );
    let ix = env.ix_update_market_params(
        &auth.pubkey(),
        MarketParams {
            pause_flags: 0xF0,
            ..default_market_params()
        },
    );
    assert_sluice_err(
        env.send(&[ix], &[&auth]).await,
        SluiceError::UnknownPauseFlags,
    );
    assert_eq!(env.market_state().await.params.pause_flags, 0);
}

#[tokio::test]
async fn authority_transfer_is_two_step() {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let old = env.authority.insecure_clone();
    let new = env.user().await;
    let ix = env.ix_propose_authority(&old.pubkey(), new.pubkey());
    env.send(&[ix], &[&old]).await.unwrap();
    let m = env.market_state().await;
    assert_eq!(m.authority, old.pubkey(), "proposing alone changes nothing");
    assert_eq!(m.pending_authority, new.pubkey());

    let ix = env.ix_accept_authority(&new.pubkey());
    env.send(&[ix], &[&new]).await.unwrap();
    let m = env.market_state().await;
    assert_eq!(m.authority, new.pubkey());
    assert_eq!(m.pending_authority, Default::default());

    // the old authority lost its powers, the new one has them
    let ix = env.ix_update_pool_params(&old.pubkey(), &k, default_params());
    assert_sluice_err(env.send(&[ix], &[&old]).await, SluiceError::Unauthorized);
    let ix = env.ix_update_pool_params(&new.pubkey(), &k, default_params());
    env.send(&[ix], &[&new]).await.unwrap();
}

#[tokio::test]
async fn authority_transfer_rejections() {
    let mut env = Env::new().await;
    let auth = env.authority.insecure_clone();
    let new = env.user().await;
    let mallory = env.user().await;
    // nothing pending yet
    let ix = env.ix_accept_authority(&new.pubkey());
    assert_sluice_err(
        env.send(&[ix], &[&new]).await,
        SluiceError::NoPendingAuthority,
    );
    // only the authority proposes
    let ix = env.ix_propose_authority(&mallory.pubkey(), mallory.pubkey());
    assert_sluice_err(
        env.send(&[ix], &[&mallory]).await,
        SluiceError::Unauthorized,
    );
    let ix = env.ix_propose_authority(&auth.pubkey(), new.pubkey());
    env.send(&[ix], &[&auth]).await.unwrap();
    // only the proposed key accepts
    let ix = env.ix_accept_authority(&mallory.pubkey());
    assert_sluice_err(
        env.send(&[ix], &[&mallory]).await,
        SluiceError::NotPendingAuthority,
    );
    // and it must sign
    let mut ix = env.ix_accept_authority(&new.pubkey());
    ix.accounts[0].is_signer = false;
    assert_anchor_err(env.send(&[ix], &[]).await, ErrorCode::AccountNotSigner);
    assert_eq!(env.market_state().await.authority, auth.pubkey());
}

#[tokio::test]
async fn cutting_the_liquidation_threshold_is_rate_limited() {
    // attack (by a compromised or hasty governance): cut the threshold to
    // near zero in one update and liquidate every position at once
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let auth = env.authority.insecure_clone();
    let mut p = default_params();
    p.risk.ltv_bps = 0;
    p.risk.liquidation_threshold_bps = 7_400; // -600 bps in one step
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    assert_sluice_err(
        env.send(&[ix], &[&auth]).await,
        SluiceError::ThresholdCutTooFast,
    );
    assert_eq!(env.pool(&k).await.params, default_params());
    // 500 bps is allowed, once a day
    p.risk.liquidation_threshold_bps = 7_500;
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    env.send(&[ix], &[&auth]).await.unwrap();
    p.risk.liquidation_threshold_bps = 7_400;
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    assert_sluice_err(
        env.send(&[ix], &[&auth]).await,
        SluiceError::ThresholdCutTooFast,
    );
    // raising it, or any other change, is never limited
    p.risk.liquidation_threshold_bps = 7_600;
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    env.send(&[ix], &[&auth]).await.unwrap();
    env.advance(10, 86_400).await;
    p.risk.liquidation_threshold_bps = 7_100;
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    env.send(&[ix], &[&auth]).await.unwrap();
    assert_eq!(
        env.pool(&k).await.params.risk.liquidation_threshold_bps,
        7_100
    );
}

#[tokio::test]
async fn an_auction_that_starts_at_its_floor_is_out_of_bounds() {
    // attack: start buffer 0 and floor 100% made every lot "at floor", so
    // 120 redos in one slot paid 70% of a lot out as tips
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let auth = env.authority.insecure_clone();
    let mut p = default_params();
    p.liquidation.auction.start_buffer_bps = 0;
    p.liquidation.auction.floor_bps = 10_000;
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    assert_sluice_err(
        env.send(&[ix], &[&auth]).await,
        SluiceError::AuctionParamsOutOfBounds,
    );
    p.liquidation.auction.start_buffer_bps = 1;
    let ix = env.ix_update_pool_params(&auth.pubkey(), &k, p);
    env.send(&[ix], &[&auth]).await.unwrap();
}
