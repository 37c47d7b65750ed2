//! refresh_price against both Pyth formats, and every oracle rejection.
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use sluice::errors::SluiceError;
use sluice::math::WAD;
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

async fn pools() -> (Env, PoolKeys, PoolKeys) {
    let mut env = Env::new().await;
    let pull = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let legacy = env.add_pool(9, Feed::Legacy, default_params(), 100.0).await;
    (env, pull, legacy)
}

#[tokio::test]
async fn pull_price_is_recorded_as_a_unit_price_and_twap_observation() {
    let (mut env, pull, _) = pools().await;
    env.set_price(&pull, Px::usd(0.9995)).await;
    env.refresh_price(&pull).await.unwrap();
    let p = env.pool(&pull).await;
    // $0.9995 per token of 6 decimals = 0.9995e-6 USD per base unit (WAD)
    assert_eq!(p.spot_price_wad.get(), 999_500_000_000);
    assert_eq!(p.ema_price_wad.get(), 999_500_000_000);
    assert_eq!(p.price_slot, env.clock().await.slot);
    assert_eq!(p.price_publish_time, env.clock().await.unix_timestamp);
    let (obs, len) = p.observations();
    assert_eq!(len, 1);
    assert_eq!(obs[0].time, p.price_publish_time);
    assert_eq!(obs[0].cumulative, 0);
    // one publish time is no average yet: the smoothed price is Pyth's EMA
    assert_eq!(p.smoothed_price(), p.ema_price_wad.get());
}

#[tokio::test]
async fn legacy_price_is_read_from_the_c_layout() {
    let (mut env, _, legacy) = pools().await;
    env.set_price(&legacy, Px::usd(123.45)).await;
    env.refresh_price(&legacy).await.unwrap();
    let p = env.pool(&legacy).await;
    // $123.45 per token of 9 decimals
    // $123.45 / 1e9 base units = 123.45e-9 USD per unit, WAD-scaled
    assert_eq!(p.spot_price_wad.get(), 123_450_000_000);
    assert_eq!(p.spot_price_wad.get() * 1_000_000_000, 12_345 * WAD / 100);
}

#[tokio::test]
async fn twap_weighs_each_price_by_the_seconds_it_stood() {
    let (mut env, pull, _) = pools().await;
    for (i, usd) in [1.0, 1.1, 1.2, 1.3].iter().enumerate() {
        if i > 0 {
            env.advance(10, 4).await;
        }
        env.set_price(&pull, Px::usd(*usd)).await;
        env.refresh_price(&pull).await.unwrap();
    }
    let p = env.pool(&pull).await;
    let (obs, len) = p.observations();
    assert_eq!(len, 4);
    assert!(obs[..4].windows(2).all(|w| w[0].time < w[1].time));
    // window 20 s covers the 12 s of history: $1.0, $1.1 and $1.2 stood 4 s
    // each; $1.3 has not stood yet
    assert_eq!(p.smoothed_price(), 1_100_000_000_000);
    // a second refresh with the same publish time adds no observation
    env.set_price(&pull, Px::usd(1.3)).await;
    env.refresh_price(&pull).await.unwrap();
    assert_eq!(env.pool(&pull).await.observations().1, 4);
}

#[tokio::test]
async fn replaying_one_wick_update_every_slot_leaves_the_twap_at_the_real_price() {
    // attack: one real $70 wick update, re-read every slot for 40 slots
    // (inside max_age), used to fill the TWAP with the wick
    let (mut env, pull, _) = pools().await;
    for _ in 0..30 {
        env.set_price(&pull, Px::usd(1.0)).await;
        env.refresh_price(&pull).await.unwrap();
        env.advance(3, 1).await;
    }
    env.set_price(&pull, Px::usd(0.7)).await;
    for _ in 0..40 {
        env.refresh_price(&pull).await.unwrap();
        env.advance(1, 0).await;
        // the clock moves 0.4 s a slot; the update keeps its publish time
        if env.clock().await.slot % 5 == 0 {
            env.advance(1, 2).await;
        }
    }
    let p = env.pool(&pull).await;
    assert_eq!(p.spot_price_wad.get(), 700_000_000_000);
    // the wick stood for zero seconds of publish time: the average is $1
    assert_eq!(p.smoothed_price(), 1_000_000_000_000);
}

#[tokio::test]
async fn thirty_three_pumped_refreshes_cannot_shrink_a_1000_second_window() {
    // attack: with a 1,000 s window and a 32-entry ring, 33 quick refreshes
    // of a pumped price used to make the ring (and the TWAP) all pump
    let mut env = Env::new().await;
    let mut params = default_params();
    params.oracle.twap_window_secs = 1_000;
    let k = env.add_pool(6, Feed::Pull, params, 1.0).await;
    for _ in 0..=100 {
        env.set_price(&k, Px::usd(1.0)).await;
        env.refresh_price(&k).await.unwrap();
        env.advance(25, 10).await;
    }
    for _ in 0..33 {
        env.set_price(&k, Px::usd(2.5)).await;
        env.refresh_price(&k).await.unwrap();
        env.advance(3, 1).await;
    }
    let p = env.pool(&k).await;
    let (obs, len) = p.observations();
    assert!(len <= 32);
    assert!(
        p.price_publish_time - obs[0].time >= 1_000,
        "the ring spans {} s",
        p.price_publish_time - obs[0].time
    );
    // 32 s of $2.50 in a 1,000 s window: about $1.05, not $2.50
    let twap = p.smoothed_price();
    assert!(
        (1_040_000_000_000..=1_060_000_000_000).contains(&twap),
        "{twap}"
    );
}

#[tokio::test]
async fn wrong_owner_is_rejected_for_both_formats() {
    let (mut env, pull, legacy) = pools().await;
    for k in [pull, legacy] {
        let data = env.account(&k.oracle).await.unwrap().data;
        // same bytes, written by an impostor program
        env.set_account(&k.oracle, &Keypair::new().pubkey(), data);
        assert_sluice_err(env.refresh_price(&k).await, SluiceError::OracleWrongOwner);
    }
    // a legacy account presented to a pull pool (owned by the other Pyth program)
    let legacy_data = env.account(&legacy.oracle).await.unwrap().data;
    env.set_account(
        &pull.oracle,
        &sluice::constants::PYTH_LEGACY_PROGRAM_ID,
        legacy_data,
    );
    assert_sluice_err(
        env.refresh_price(&pull).await,
        SluiceError::OracleWrongOwner,
    );
}

#[tokio::test]
async fn pull_update_for_another_feed_is_rejected() {
    let (mut env, pull, _) = pools().await;
    let mut other = pull;
    other.feed_id = [0xEE; 32];
    env.set_price(&other, Px::usd(1_000.0)).await; // writes pull.oracle with the wrong feed
    assert_sluice_err(
        env.refresh_price(&pull).await,
        SluiceError::OracleFeedMismatch,
    );
}

#[tokio::test]
async fn substituted_legacy_account_is_rejected() {
    let (mut env, _, legacy) = pools().await;
    // a genuine Pyth legacy account, but for another product
    let mut other = legacy;
    other.oracle = Keypair::new().pubkey();
    env.set_price(&other, Px::usd(1_000.0)).await;
    assert_sluice_err(
        env.refresh_price(&other).await,
        SluiceError::OracleAccountMismatch,
    );
}

#[tokio::test]
async fn stale_prices_are_rejected() {
    let (mut env, pull, legacy) = pools().await;
    for k in [pull, legacy] {
        let mut px = Px::usd(1.0);
        px.age = 61; // max age 60 s
        env.set_price(&k, px).await;
        assert_sluice_err(env.refresh_price(&k).await, SluiceError::OracleStale);
        px.age = 60;
        env.set_price(&k, px).await;
        env.refresh_price(&k).await.unwrap();
    }
    // a fresh account that stopped updating goes stale as the clock moves
    env.set_price(&pull, Px::usd(1.0)).await;
    env.refresh_price(&pull).await.unwrap();
    env.advance(200, 61).await;
    assert_sluice_err(env.refresh_price(&pull).await, SluiceError::OracleStale);
}

#[tokio::test]
async fn future_publish_time_is_rejected() {
    let (mut env, pull, _) = pools().await;
    let mut px = Px::usd(1.0);
    px.age = -61;
    env.set_price(&pull, px).await;
    assert_sluice_err(
        env.refresh_price(&pull).await,
        SluiceError::OraclePublishTimeInFuture,
    );
}

#[tokio::test]
async fn wide_confidence_is_rejected() {
    let (mut env, pull, legacy) = pools().await;
    for k in [pull, legacy] {
        let mut px = Px::usd(1.0);
        px.conf = (px.price as u64) * 201 / 10_000; // 2.01% > 2%
        env.set_price(&k, px).await;
        assert_sluice_err(
            env.refresh_price(&k).await,
            SluiceError::OracleConfidenceTooWide,
        );
        px.conf = (px.price as u64) * 200 / 10_000;
        env.set_price(&k, px).await;
        env.refresh_price(&k).await.unwrap();
    }
}

#[tokio::test]
async fn zero_and_negative_prices_are_rejected() {
    let (mut env, pull, legacy) = pools().await;
    for k in [pull, legacy] {
        for price in [0i64, -1, -100_000_000, i64::MIN] {
            let mut px = Px::usd(1.0);
            px.price = price;
            px.conf = 0;
            env.set_price(&k, px).await;
            assert_sluice_err(
                env.refresh_price(&k).await,
                SluiceError::OracleNonPositivePrice,
            );
        }
    }
    // a price so small it rounds to zero per base unit is refused too
    let mut px = Px::usd(1.0);
    px.price = 1;
    px.conf = 0;
    px.expo = -18;
    env.set_price(&legacy, px).await;
    assert_sluice_err(
        env.refresh_price(&legacy).await,
        SluiceError::OracleNonPositivePrice,
    );
}

#[tokio::test]
async fn exponent_outside_supported_range_is_rejected() {
    let (mut env, pull, _) = pools().await;
    for expo in [1, -19, i32::MIN] {
        let mut px = Px::usd(1.0);
        px.expo = expo;
        env.set_price(&pull, px).await;
        assert_sluice_err(
            env.refresh_price(&pull).await,
            SluiceError::OracleExponentOutOfRange,
        );
    }
}

#[tokio::test]
async fn partial_verification_is_rejected_unless_the_pool_accepts_it() {
    let (mut env, pull, _) = pools().await;
    let mut px = Px::usd(1.0);
    px.verification = VerificationLevel::Partial { num_signatures: 13 };
    env.set_price(&pull, px).await;
    assert_sluice_err(
        env.refresh_price(&pull).await,
        SluiceError::OracleVerificationInsufficient,
    );
    // governance accepts >= 13 guardian signatures
    let auth = env.authority.insecure_clone();
    let mut p = default_params();
    p.oracle.min_signatures = 13;
    let ix = env.ix_update_pool_params(&auth.pubkey(), &pull, p);
    env.send(&[ix], &[&auth]).await.unwrap();
    env.refresh_price(&pull).await.unwrap();
    px.verification = VerificationLevel::Partial { num_signatures: 12 };
    env.set_price(&pull, px).await;
    assert_sluice_err(
        env.refresh_price(&pull).await,
        SluiceError::OracleVerificationInsufficient,
    );
    px.verification = VerificationLevel::Full;
    env.set_price(&pull, px).await;
    env.refresh_price(&pull).await.unwrap();
}

#[tokio::test]
async fn legacy_price_not_trading_is_rejected() {
    let (mut env, _, legacy) = pools().await;
    let mut px = Px::usd(100.0);
    px.trading = false;
    env.set_price(&legacy, px).await;
    assert_sluice_err(
        env.refresh_price(&legacy).await,
        SluiceError::OraclePriceNotTrading,
    );
}

#[tokio::test]
async fn undecodable_oracle_data_is_rejected() {
    let (mut env, pull, legacy) = pools().await;
    // truncated PriceUpdateV2
    let mut data = env.account(&pull.oracle).await.unwrap().data;
    data.truncate(50);
    env.set_account(&pull.oracle, &pyth_solana_receiver_sdk::ID, data);
    assert_sluice_err(
        env.refresh_price(&pull).await,
        SluiceError::OracleInvalidData,
    );
    // legacy account with a wrong magic number
    let mut data = env.account(&legacy.oracle).await.unwrap().data;
    data[0] ^= 0xFF;
    env.set_account(
        &legacy.oracle,
        &sluice::constants::PYTH_LEGACY_PROGRAM_ID,
        data,
    );
    assert_sluice_err(
        env.refresh_price(&legacy).await,
        SluiceError::OracleInvalidData,
    );
    // legacy account too short to be a price account
    env.set_account(
        &legacy.oracle,
        &sluice::constants::PYTH_LEGACY_PROGRAM_ID,
        vec![0; 64],
    );
    assert_sluice_err(
        env.refresh_price(&legacy).await,
        SluiceError::OracleInvalidData,
    );
}

#[tokio::test]
async fn publish_time_never_goes_backwards() {
    let (mut env, pull, _) = pools().await;
    env.advance(5, 10).await;
    env.set_price(&pull, Px::usd(1.0)).await;
    env.refresh_price(&pull).await.unwrap();
    // replaying an older (but not yet stale) update
    let mut px = Px::usd(0.5);
    px.age = 5;
    env.set_price(&pull, px).await;
    assert_sluice_err(
        env.refresh_price(&pull).await,
        SluiceError::OraclePublishTimeWentBackwards,
    );
    assert_eq!(
        env.pool(&pull).await.spot_price_wad.get(),
        1_000_000_000_000
    );
}

/// Issue 15's measures, moved by refresh_price: a price spike raises the
/// realized variance (and a re-read of the same update does not), slots
/// that stretch raise the milliseconds per slot, and nothing else a pool
/// does changes because of them (the rules come later, switched off).
#[tokio::test]
async fn refresh_price_measures_volatility_and_seconds_per_slot() {
    let (mut env, pull, _) = pools().await;
    // a calm minute: $1.00 then $1.001 alternately, 2.5 slots a second
    for i in 0..30 {
        let usd = if i % 2 == 0 { 1.0 } else { 1.001 };
        env.set_price(&pull, Px::usd(usd)).await;
        env.refresh_price(&pull).await.unwrap();
        env.advance(5, 2).await;
    }
    let calm = env.pool(&pull).await.risk;
    assert!(calm.var_per_sec_wad.get() > 0);
    // 400 ms a slot, read from the clock (whole seconds over >= 10 s)
    assert_eq!(calm.ms_per_slot, 400);
    // a 10% spike in one second: the variance jumps at once
    env.set_price(&pull, Px::usd(1.1)).await;
    env.refresh_price(&pull).await.unwrap();
    let spiked = env.pool(&pull).await.risk;
    assert!(
        spiked.var_per_sec_wad.get() > 20 * calm.var_per_sec_wad.get(),
        "{} vs {}",
        spiked.var_per_sec_wad.get(),
        calm.var_per_sec_wad.get()
    );
    // re-reading the same update (same publish time) is no new sample
    env.refresh_price(&pull).await.unwrap();
    assert_eq!(
        env.pool(&pull).await.risk.var_per_sec_wad,
        spiked.var_per_sec_wad
    );
    // a congested minute: a slot takes a second
    for _ in 0..6 {
        env.advance(10, 10).await;
        env.set_price(&pull, Px::usd(1.1)).await;
        env.refresh_price(&pull).await.unwrap();
    }
    let slow = env.pool(&pull).await.risk.ms_per_slot;
    assert!(slow > 400 && slow < 1_000, "{slow}");
}
