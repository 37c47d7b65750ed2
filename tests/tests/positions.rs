//! Positions: open/close, collateral in and out, borrow and repay, health.
use anchor_lang::error::ErrorCode;
use sluice::errors::SluiceError;
use sluice::math::Rounding;
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

#[tokio::test]
async fn open_and_close_position_refunds_rent() {
    let mut env = Env::new().await;
    let u = env.user().await;
    let before = env.lamports(&u.pubkey()).await;
    env.open_position(&u).await.unwrap();
    let pos = env.position(&u.pubkey()).await;
    assert_eq!(pos.owner, u.pubkey());
    assert_eq!(pos.market, env.market);
    assert!(pos.is_empty());
    let ix = env.ix_close_position(&u.pubkey());
    env.send(&[ix], &[&u]).await.unwrap();
    assert!(env.account(&env.position_key(&u.pubkey())).await.is_none());
    // the payer of the transactions is the context payer: the owner got its rent back
    assert_eq!(env.lamports(&u.pubkey()).await, before);
}

#[tokio::test]
async fn open_position_twice_fails() {
    let mut env = Env::new().await;
    let u = env.user().await;
    env.open_position(&u).await.unwrap();
    assert_failed(env.open_position(&u).await);
}

#[tokio::test]
async fn close_position_rejects_non_owner_and_non_empty() {
    let mut t = MarketBuilder::lending().build().await;
    let b = t.holder(SOL).await;
    let mallory = t.env.user().await;
    let mut ix = t.env.ix_close_position(&mallory.pubkey());
    ix.accounts[1].pubkey = t.env.position_key(&b.pubkey());
    assert_sluice_err(
        t.env.send(&[ix], &[&mallory]).await,
        SluiceError::NotPositionOwner,
    );
    let ix = t.env.ix_close_position(&b.pubkey());
    assert_sluice_err(
        t.env.send(&[ix], &[&b]).await,
        SluiceError::PositionNotEmpty,
    );
}

#[tokio::test]
async fn deposit_and_withdraw_collateral_round_trip() {
    let mut t = MarketBuilder::lending().build().await;
    let sol = t.sol;
    let b = t.holder(10 * SOL).await;
    let pos = t.env.position(&b.pubkey()).await;
    assert_eq!(pos.collateral[0].pool, sol.pool);
    assert_eq!(pos.collateral[0].amount, 10 * SOL);
    assert_eq!(t.env.pool(&sol).await.total_collateral, 10 * SOL);
    t.env.assert_books(&sol).await;
    // no debt: withdrawing needs no prices
    let ix = t
        .env
        .ix_withdraw_collateral(&b.pubkey(), &sol, 4 * SOL, &[])
        .await;
    t.env.send(&[ix], &[&b]).await.unwrap();
    let all = t.all();
    t.env
        .withdraw_collateral(&b, &sol, 6 * SOL, &all)
        .await
        .unwrap();
    assert_eq!(t.env.balance_of(&b.pubkey(), &sol.mint).await, 10 * SOL);
    assert!(t.env.position(&b.pubkey()).await.is_empty());
    t.env.assert_books(&sol).await;
    let ix = t.env.ix_close_position(&b.pubkey());
    t.env.send(&[ix], &[&b]).await.unwrap();
}

#[tokio::test]
async fn collateral_amount_rejections() {
    let mut t = MarketBuilder::lending().build().await;
    let (sol, usdc, all) = (t.sol, t.usdc, t.all());
    let b = t.holder(10 * SOL).await;
    t.env.mint_to(&sol.mint, &b.pubkey(), SOL).await;
    assert_sluice_err(
        t.env.deposit_collateral(&b, &sol, 0).await,
        SluiceError::ZeroAmount,
    );
    assert_failed(t.env.deposit_collateral(&b, &sol, u64::MAX).await);
    assert_sluice_err(
        t.env.withdraw_collateral(&b, &sol, 0, &all).await,
        SluiceError::ZeroAmount,
    );
    assert_sluice_err(
        t.env
            .withdraw_collateral(&b, &sol, 10 * SOL + 1, &all)
            .await,
        SluiceError::InsufficientCollateral,
    );
    assert_sluice_err(
        t.env.withdraw_collateral(&b, &sol, u64::MAX, &all).await,
        SluiceError::InsufficientCollateral,
    );
    // collateral never deposited in this pool
    assert_sluice_err(
        t.env.withdraw_collateral(&b, &usdc, 1, &all).await,
        SluiceError::InsufficientCollateral,
    );
    t.env.assert_books(&sol).await;
    assert_eq!(
        t.env.position(&b.pubkey()).await.collateral[0].amount,
        10 * SOL
    );
}

#[tokio::test]
async fn collateral_cannot_be_moved_by_a_non_owner() {
    let mut t = MarketBuilder::lending().build().await;
    let sol = t.sol;
    let b = t.holder(10 * SOL).await;
    let mallory = t.env.user().await;
    t.env.mint_to(&sol.mint, &mallory.pubkey(), SOL).await;
    // mallory withdraws from b's position to her own wallet
    let mut ix = t
        .env
        .ix_withdraw_collateral(&mallory.pubkey(), &sol, SOL, &[])
        .await;
    ix.accounts[2].pubkey = t.env.position_key(&b.pubkey());
    assert_sluice_err(
        t.env.send(&[ix], &[&mallory]).await,
        SluiceError::NotPositionOwner,
    );
    // deposits into someone else's position are refused too (no griefing of entry slots)
    let mut ix = t
        .env
        .ix_deposit_collateral(&mallory.pubkey(), &sol, SOL)
        .await;
    ix.accounts[2].pubkey = t.env.position_key(&b.pubkey());
    assert_sluice_err(
        t.env.send(&[ix], &[&mallory]).await,
        SluiceError::NotPositionOwner,
    );
    // and the owner's signature is required
    let mut ix = t
        .env
        .ix_withdraw_collateral(&b.pubkey(), &sol, SOL, &[])
        .await;
    ix.accounts[0].is_signer = false;
    assert_anchor_err(t.env.send(&[ix], &[]).await, ErrorCode::AccountNotSigner);
    assert_eq!(
        t.env.position(&b.pubkey()).await.collateral[0].amount,
        10 * SOL
    );
}

#[tokio::test]
async fn withdraw_collateral_into_another_pools_vault_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (sol, usdc) = (t.sol, t.usdc);
    let b = t.holder(10 * SOL).await;
    let mut ix = t
        .env
        .ix_withdraw_collateral(&b.pubkey(), &sol, SOL, &[])
        .await;
    ix.accounts[4].pubkey = usdc.vault;
    assert_sluice_err(t.env.send(&[ix], &[&b]).await, SluiceError::VaultMismatch);
    // destination of the wrong mint
    let mut ix = t
        .env
        .ix_withdraw_collateral(&b.pubkey(), &sol, SOL, &[])
        .await;
    ix.accounts[5].pubkey = t.env.token_account(&b.pubkey(), &usdc.mint).await;
    assert_sluice_err(t.env.send(&[ix], &[&b]).await, SluiceError::MintMismatch);
}

#[tokio::test]
async fn position_holds_four_collateral_entries_and_refuses_a_fifth() {
    let mut env = Env::new().await;
    let mut pools = Vec::new();
    for i in 0..5 {
        pools.push(
            env.add_pool(6, Feed::Pull, default_params(), 1.0 + i as f64)
                .await,
        );
    }
    let u = env.user().await;
    env.open_position(&u).await.unwrap();
    for p in &pools {
        env.mint_to(&p.mint, &u.pubkey(), 10 * USDC).await;
    }
    for p in &pools[..4] {
        env.deposit_collateral(&u, p, USDC).await.unwrap();
    }
    assert_sluice_err(
        env.deposit_collateral(&u, &pools[4], USDC).await,
        SluiceError::PositionFull,
    );
    // topping up an existing entry is fine
    env.deposit_collateral(&u, &pools[0], USDC).await.unwrap();
    let pos = env.position(&u.pubkey()).await;
    assert_eq!(pos.collateral[0].amount, 2 * USDC);
    // freeing an entry makes room
    let ix = env
        .ix_withdraw_collateral(&u.pubkey(), &pools[1], USDC, &[])
        .await;
    env.send(&[ix], &[&u]).await.unwrap();
    env.deposit_collateral(&u, &pools[4], USDC).await.unwrap();
}

#[tokio::test]
async fn borrow_records_debt_and_pays_out() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, all) = (t.usdc, t.all());
    let b = t.holder(10 * SOL).await;
    let vault_before = t.env.balance(&usdc.vault).await;
    t.env.borrow(&b, &usdc, 500 * USDC, &all).await.unwrap();
    assert_eq!(t.env.balance_of(&b.pubkey(), &usdc.mint).await, 500 * USDC);
    assert_eq!(t.env.balance(&usdc.vault).await, vault_before - 500 * USDC);
    let pos = t.env.position(&b.pubkey()).await;
    let pool = t.env.pool(&usdc).await;
    assert_eq!(pos.debts[0].pool, usdc.pool);
    let owed = sluice::math::shares::debt_amount(
        pos.debts[0].scaled_debt,
        pool.borrow_index.get(),
        Rounding::Up,
    )
    .unwrap();
    assert_eq!(owed, 500 * u128::from(USDC));
    assert_eq!(pool.total_scaled_debt.get(), pos.debts[0].scaled_debt);
    t.env.assert_books(&usdc).await;
}

#[tokio::test]
async fn borrow_up_to_ltv_and_not_one_unit_more() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, all) = (t.usdc, t.all());
    // 10 SOL at $100 = $1000, LTV 75%: $750 of USDC at $1
    let b = t.holder(10 * SOL).await;
    assert_sluice_err(
        t.env.borrow(&b, &usdc, 750 * USDC + 1, &all).await,
        SluiceError::PositionUnhealthy,
    );
    t.env.borrow(&b, &usdc, 750 * USDC, &all).await.unwrap();
    assert_sluice_err(
        t.env.borrow(&b, &usdc, 1, &all).await,
        SluiceError::PositionUnhealthy,
    );
    t.env.assert_books(&usdc).await;
}

#[tokio::test]
async fn borrow_amount_rejections() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, all) = (t.usdc, t.all());
    let b = t.holder(10 * SOL).await;
    assert_sluice_err(
        t.env.borrow(&b, &usdc, 0, &all).await,
        SluiceError::ZeroAmount,
    );
    assert_sluice_err(
        t.env.borrow(&b, &usdc, u64::MAX, &all).await,
        SluiceError::InsufficientLiquidity,
    );
    // a borrower with no collateral at all
    let broke = t.holder(0).await;
    assert_sluice_err(
        t.env.borrow(&broke, &usdc, 1, &all).await,
        SluiceError::PositionUnhealthy,
    );
    assert_eq!(t.env.pool(&usdc).await.total_scaled_debt.get(), 0);
}

#[tokio::test]
async fn borrow_above_cap_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, all) = (t.usdc, t.all());
    let auth = t.env.authority.insecure_clone();
    let mut p = default_params();
    p.borrow_cap = 100 * USDC;
    let ix = t.env.ix_update_pool_params(&auth.pubkey(), &usdc, p);
    t.env.send(&[ix], &[&auth]).await.unwrap();
    let b = t.holder(10 * SOL).await;
    t.env.borrow(&b, &usdc, 100 * USDC, &all).await.unwrap();
    assert_sluice_err(
        t.env.borrow(&b, &usdc, 1, &all).await,
        SluiceError::BorrowCapExceeded,
    );
}

#[tokio::test]
async fn borrow_requires_prices_refreshed_in_the_same_slot() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol) = (t.usdc, t.sol);
    let b = t.holder(10 * SOL).await;
    // no refresh at all
    let ix = t.env.ix_borrow(&b.pubkey(), &usdc, USDC, &[sol]).await;
    assert_sluice_err(
        t.env.send(&[ix], &[&b]).await,
        SluiceError::PriceNotRefreshed,
    );
    // refreshed, but in an earlier slot
    let r = t.env.refresh_prices(&[usdc, sol]);
    t.env.send(&r, &[]).await.unwrap();
    t.env.advance(1, 1).await;
    t.env.set_price(&usdc, Px::usd(1.0)).await;
    t.env.set_price(&sol, Px::usd(100.0)).await;
    let ix = t.env.ix_borrow(&b.pubkey(), &usdc, USDC, &[sol]).await;
    assert_sluice_err(
        t.env.send(&[ix], &[&b]).await,
        SluiceError::PriceNotRefreshed,
    );
    // only the collateral pool refreshed
    let mut ixs = vec![t.env.ix_refresh_price(&sol)];
    ixs.push(t.env.ix_borrow(&b.pubkey(), &usdc, USDC, &[sol]).await);
    assert_sluice_err(
        t.env.send(&ixs, &[&b]).await,
        SluiceError::PriceNotRefreshed,
    );
}

#[tokio::test]
async fn borrow_without_the_collateral_pool_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol) = (t.usdc, t.sol);
    let b = t.holder(10 * SOL).await;
    let mut ixs = t.env.refresh_prices(&[usdc, sol]);
    ixs.push(t.env.ix_borrow(&b.pubkey(), &usdc, USDC, &[]).await);
    assert_sluice_err(
        t.env.send(&ixs, &[&b]).await,
        SluiceError::MissingPoolAccount,
    );
}

#[tokio::test]
async fn borrow_with_a_forged_pool_in_remaining_accounts_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol) = (t.usdc, t.sol);
    let b = t.holder(10 * SOL).await;
    // a copy of the SOL pool with a 1000x price, owned by another program
    let mut data = t.env.account(&sol.pool).await.unwrap().data;
    let mut forged: sluice::state::Pool =
        anchor_lang::AccountDeserialize::try_deserialize(&mut &data[..]).unwrap();
    forged
        .spot_price_wad
        .set(forged.spot_price_wad.get() * 1000);
    data[8..].copy_from_slice(bytemuck::bytes_of(&forged));
    let fake = Keypair::new().pubkey();
    t.env.set_account(&fake, &Keypair::new().pubkey(), data);
    let mut ixs = t.env.refresh_prices(&[usdc, sol]);
    let mut borrow = t.env.ix_borrow(&b.pubkey(), &usdc, 5_000 * USDC, &[]).await;
    borrow
        .accounts
        .push(anchor_lang::prelude::AccountMeta::new_readonly(fake, false));
    ixs.push(borrow);
    // the real SOL pool is missing, and the forged one is not a pool of this program
    let err = assert_failed(t.env.send(&ixs, &[&b]).await);
    let code = custom_code(&err).unwrap();
    assert!(
        code == u32::from(SluiceError::MissingPoolAccount)
            || code == u32::from(SluiceError::InvalidPoolAccount),
        "{err:?}"
    );
    assert_eq!(t.env.balance_of(&b.pubkey(), &usdc.mint).await, 0);
}

#[tokio::test]
async fn borrow_on_someone_elses_position_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol) = (t.usdc, t.sol);
    let b = t.holder(10 * SOL).await;
    let mallory = t.env.user().await;
    let mut ixs = t.env.refresh_prices(&[usdc, sol]);
    let mut ix = t
        .env
        .ix_borrow(&mallory.pubkey(), &usdc, 100 * USDC, &[sol])
        .await;
    ix.accounts[2].pubkey = t.env.position_key(&b.pubkey());
    ixs.push(ix);
    assert_sluice_err(
        t.env.send(&ixs, &[&mallory]).await,
        SluiceError::NotPositionOwner,
    );
}

#[tokio::test]
async fn borrow_with_substituted_vault_or_destination_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol) = (t.usdc, t.sol);
    let b = t.holder(10 * SOL).await;
    let mut ixs = t.env.refresh_prices(&[usdc, sol]);
    let mut ix = t
        .env
        .ix_borrow(&b.pubkey(), &usdc, 100 * USDC, &[sol])
        .await;
    ix.accounts[4].pubkey = sol.vault; // pay out of the SOL vault
    ixs.push(ix);
    assert_sluice_err(t.env.send(&ixs, &[&b]).await, SluiceError::VaultMismatch);
    let mut ixs = t.env.refresh_prices(&[usdc, sol]);
    let mut ix = t
        .env
        .ix_borrow(&b.pubkey(), &usdc, 100 * USDC, &[sol])
        .await;
    ix.accounts[5].pubkey = t.env.token_account(&b.pubkey(), &sol.mint).await;
    ixs.push(ix);
    assert_sluice_err(t.env.send(&ixs, &[&b]).await, SluiceError::MintMismatch);
    t.env.assert_books(&usdc).await;
    t.env.assert_books(&sol).await;
}

#[tokio::test]
async fn withdraw_collateral_that_would_make_the_position_unhealthy_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol, all) = (t.usdc, t.sol, t.all());
    let b = t.holder(10 * SOL).await;
    t.env.borrow(&b, &usdc, 600 * USDC, &all).await.unwrap();
    // 600 / 0.75 = $800 of SOL must stay: 2 SOL may leave, not more
    assert_sluice_err(
        t.env.withdraw_collateral(&b, &sol, 2 * SOL + 1, &all).await,
        SluiceError::PositionUnhealthy,
    );
    t.env
        .withdraw_collateral(&b, &sol, 2 * SOL, &all)
        .await
        .unwrap();
    t.env
        .repay(&b, &b.pubkey(), &usdc, 100 * USDC)
        .await
        .unwrap();
    // without prices refreshed in this slot nothing leaves
    t.env.advance(1, 0).await;
    let ix = t
        .env
        .ix_withdraw_collateral(&b.pubkey(), &sol, 1, &[usdc])
        .await;
    assert_sluice_err(
        t.env.send(&[ix], &[&b]).await,
        SluiceError::PriceNotRefreshed,
    );
    // without the debt pool nothing leaves
    let mut ixs = t.env.refresh_prices(&all);
    ixs.push(
        t.env
            .ix_withdraw_collateral(&b.pubkey(), &sol, 1, &[])
            .await,
    );
    assert_sluice_err(
        t.env.send(&ixs, &[&b]).await,
        SluiceError::MissingPoolAccount,
    );
    t.env.assert_books(&sol).await;
}

#[tokio::test]
async fn price_drop_shrinks_borrowing_power() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol, all) = (t.usdc, t.sol, t.all());
    let b = t.holder(10 * SOL).await;
    t.env.borrow(&b, &usdc, 300 * USDC, &all).await.unwrap();
    t.env.advance(10, 4).await;
    t.env.set_price(&usdc, Px::usd(1.0)).await;
    t.env.set_price(&sol, Px::usd(50.0)).await;
    // collateral counts at min(spot, TWAP) = spot = $50: $500 x 75% = $375 of
    // debt, 300 of it (plus 4 seconds of interest) already taken
    assert_sluice_err(
        t.env.borrow(&b, &usdc, 75 * USDC, &all).await,
        SluiceError::PositionUnhealthy,
    );
    t.env.borrow(&b, &usdc, 74 * USDC, &all).await.unwrap();
}

#[tokio::test]
async fn pump_in_spot_price_does_not_raise_borrowing_power_until_the_twap_follows() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol, all) = (t.usdc, t.sol, t.all());
    let b = t.holder(10 * SOL).await;
    // a few observations at $100
    for _ in 0..3 {
        t.env.advance(10, 4).await;
        t.env.set_price(&usdc, Px::usd(1.0)).await;
        t.env.set_price(&sol, Px::usd(100.0)).await;
        let r = t.env.refresh_prices(&all);
        t.env.send(&r, &[]).await.unwrap();
    }
    // spot jumps to $1000 (a manipulated or flash move)
    t.env.advance(1, 1).await;
    t.env.set_price(&usdc, Px::usd(1.0)).await;
    t.env.set_price(&sol, Px::usd(1_000.0)).await;
    // spot would allow $7500; the TWAP (about $100) keeps it near $750
    assert_sluice_err(
        t.env.borrow(&b, &usdc, 1_000 * USDC, &all).await,
        SluiceError::PositionUnhealthy,
    );
    t.env.borrow(&b, &usdc, 700 * USDC, &all).await.unwrap();
}

#[tokio::test]
async fn multiple_collateral_and_debt_entries_count_together() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol) = (t.usdc, t.sol);
    // two more pools to borrow from: ETH-like ($100, 9 decimals) and USDT
    let eth = t.env.add_pool(9, Feed::Pull, default_params(), 100.0).await;
    let usdt = t.env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let lender = t.lender.insecure_clone();
    t.env
        .mint_to(&eth.mint, &lender.pubkey(), 1_000 * SOL)
        .await;
    t.env
        .mint_to(&usdt.mint, &lender.pubkey(), 100_000 * USDC)
        .await;
    t.env.deposit(&lender, &eth, 1_000 * SOL).await.unwrap();
    t.env.deposit(&lender, &usdt, 100_000 * USDC).await.unwrap();
    let all = [usdc, sol, eth, usdt];
    let b = t.holder(10 * SOL).await; // $1000
    t.env.mint_to(&usdc.mint, &b.pubkey(), 1_000 * USDC).await;
    t.env
        .deposit_collateral(&b, &usdc, 1_000 * USDC)
        .await
        .unwrap(); // + $1000
                   // $2000 x 75% = $1500: borrow ETH and USDT together
    t.env.borrow(&b, &eth, 5 * SOL, &all).await.unwrap(); // $500
    t.env.borrow(&b, &usdt, 1_000 * USDC, &all).await.unwrap(); // $1000
    assert_sluice_err(
        t.env.borrow(&b, &usdt, 1, &all).await,
        SluiceError::PositionUnhealthy,
    );
    let pos = t.env.position(&b.pubkey()).await;
    assert_eq!(pos.collateral.iter().filter(|c| c.amount > 0).count(), 2);
    assert_eq!(pos.debts.iter().filter(|d| d.scaled_debt > 0).count(), 2);
    // repay the ETH leg and the power comes back
    t.env.repay(&b, &b.pubkey(), &eth, u64::MAX).await.unwrap();
    t.env.borrow(&b, &usdt, 375 * USDC, &all).await.unwrap();
    for k in all {
        t.env.assert_books(&k).await;
    }
}

#[tokio::test]
async fn collateral_and_debt_in_the_same_pool_are_refused_both_ways() {
    // a position borrowing from its own collateral pool could never be
    // liquidated (liquidate takes the two pools as distinct accounts)
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol, all) = (t.usdc, t.sol, t.all());
    let b = t.holder(10 * SOL).await;
    let before = t.env.position(&b.pubkey()).await;
    assert_sluice_err(
        t.env.borrow(&b, &sol, SOL, &all).await,
        SluiceError::SamePoolCollateralAndDebt,
    );
    assert_eq!(t.env.position(&b.pubkey()).await, before);
    // and the other way round: no collateral into a pool the position owes
    t.env.borrow(&b, &usdc, 100 * USDC, &all).await.unwrap();
    t.env.mint_to(&usdc.mint, &b.pubkey(), 10 * USDC).await;
    assert_sluice_err(
        t.env.deposit_collateral(&b, &usdc, 10 * USDC).await,
        SluiceError::SamePoolCollateralAndDebt,
    );
    t.env.assert_books(&usdc).await;
    t.env.assert_books(&sol).await;
}

#[tokio::test]
async fn repay_partial_then_full_with_overpay_clipped() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, all) = (t.usdc, t.all());
    let b = t.holder(10 * SOL).await;
    t.env.borrow(&b, &usdc, 500 * USDC, &all).await.unwrap();
    t.env.mint_to(&usdc.mint, &b.pubkey(), 100 * USDC).await; // wallet: 600
    t.env
        .repay(&b, &b.pubkey(), &usdc, 200 * USDC)
        .await
        .unwrap();
    assert_eq!(t.env.balance_of(&b.pubkey(), &usdc.mint).await, 400 * USDC);
    let pos = t.env.position(&b.pubkey()).await;
    let pool = t.env.pool(&usdc).await;
    let owed = sluice::math::shares::debt_amount(
        pos.debts[0].scaled_debt,
        pool.borrow_index.get(),
        Rounding::Up,
    )
    .unwrap();
    assert_eq!(owed, 300 * u128::from(USDC));
    // asking to repay 10x the debt takes only what is owed
    t.env
        .repay(&b, &b.pubkey(), &usdc, 3_000 * USDC)
        .await
        .unwrap();
    assert_eq!(t.env.balance_of(&b.pubkey(), &usdc.mint).await, 100 * USDC);
    assert!(!t.env.position(&b.pubkey()).await.has_debt());
    assert_eq!(t.env.pool(&usdc).await.total_scaled_debt.get(), 0);
    t.env.assert_books(&usdc).await;
    assert_sluice_err(
        t.env.repay(&b, &b.pubkey(), &usdc, USDC).await,
        SluiceError::NothingToRepay,
    );
    assert_sluice_err(
        t.env.repay(&b, &b.pubkey(), &usdc, 0).await,
        SluiceError::ZeroAmount,
    );
}

#[tokio::test]
async fn anyone_may_repay_a_position() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, all) = (t.usdc, t.all());
    let b = t.holder(10 * SOL).await;
    t.env.borrow(&b, &usdc, 500 * USDC, &all).await.unwrap();
    let friend = t.env.user().await;
    t.env
        .mint_to(&usdc.mint, &friend.pubkey(), 500 * USDC)
        .await;
    t.env
        .repay(&friend, &b.pubkey(), &usdc, u64::MAX)
        .await
        .unwrap();
    assert!(!t.env.position(&b.pubkey()).await.has_debt());
    assert_eq!(t.env.balance_of(&friend.pubkey(), &usdc.mint).await, 0);
    assert_eq!(t.env.balance_of(&b.pubkey(), &usdc.mint).await, 500 * USDC);
}

#[tokio::test]
async fn repay_into_a_substituted_vault_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol, all) = (t.usdc, t.sol, t.all());
    let b = t.holder(10 * SOL).await;
    t.env.borrow(&b, &usdc, 500 * USDC, &all).await.unwrap();
    let attacker_acc = t
        .env
        .create_token_account(&Keypair::new().pubkey(), &usdc.mint)
        .await;
    let mut ix = t
        .env
        .ix_repay(&b.pubkey(), &b.pubkey(), &usdc, 500 * USDC)
        .await;
    ix.accounts[4].pubkey = attacker_acc;
    assert_sluice_err(t.env.send(&[ix], &[&b]).await, SluiceError::VaultMismatch);
    // repaying a USDC debt with SOL tokens
    t.env.mint_to(&sol.mint, &b.pubkey(), SOL).await;
    let mut ix = t
        .env
        .ix_repay(&b.pubkey(), &b.pubkey(), &usdc, 500 * USDC)
        .await;
    ix.accounts[5].pubkey = t.env.token_account(&b.pubkey(), &sol.mint).await;
    assert_sluice_err(t.env.send(&[ix], &[&b]).await, SluiceError::MintMismatch);
    assert!(t.env.position(&b.pubkey()).await.has_debt());
}

#[tokio::test]
async fn debt_grows_with_interest_and_repay_needs_the_accrued_amount() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, all) = (t.usdc, t.all());
    let b = t.holder(100 * SOL).await;
    t.env.borrow(&b, &usdc, 1_000 * USDC, &all).await.unwrap();
    t.env.advance(100, 30 * 24 * 3600).await;
    t.env.mint_to(&usdc.mint, &b.pubkey(), 100 * USDC).await;
    t.env.repay(&b, &b.pubkey(), &usdc, u64::MAX).await.unwrap();
    let paid = 1_100 * USDC - t.env.balance_of(&b.pubkey(), &usdc.mint).await;
    assert!(paid > 1_000 * USDC, "interest must be paid, paid {paid}");
    assert!(paid < 1_010 * USDC, "paid {paid}");
    t.env.assert_books(&usdc).await;
}
