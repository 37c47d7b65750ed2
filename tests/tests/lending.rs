//! Lender deposit / withdraw, interest accrual and the insurance sweep.
use sluice::errors::SluiceError;
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

async fn one_pool() -> (Env, PoolKeys, Keypair) {
    let mut env = Env::new().await;
    let k = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let lender = env.user().await;
    env.mint_to(&k.mint, &lender.pubkey(), 1_000 * USDC).await;
    (env, k, lender)
}

#[tokio::test]
async fn deposit_mints_shares_and_moves_tokens() {
    let (mut env, k, lender) = one_pool().await;
    env.deposit(&lender, &k, 400 * USDC).await.unwrap();
    assert_eq!(env.balance_of(&lender.pubkey(), &k.mint).await, 600 * USDC);
    assert_eq!(env.balance(&k.vault).await, 400 * USDC);
    // first deposit: one share per base unit
    assert_eq!(
        env.balance_of(&lender.pubkey(), &k.share_mint).await,
        400 * USDC
    );
    let pool = env.pool(&k).await;
    assert_eq!(pool.available_liquidity, 400 * USDC);
    assert_eq!(pool.total_shares, 400 * USDC);
    env.assert_books(&k).await;
}

#[tokio::test]
async fn withdraw_returns_every_token_when_no_interest_accrued() {
    let (mut env, k, lender) = one_pool().await;
    env.deposit(&lender, &k, 400 * USDC).await.unwrap();
    env.withdraw(&lender, &k, 150 * USDC).await.unwrap();
    env.withdraw(&lender, &k, 250 * USDC).await.unwrap();
    assert_eq!(
        env.balance_of(&lender.pubkey(), &k.mint).await,
        1_000 * USDC
    );
    assert_eq!(env.balance_of(&lender.pubkey(), &k.share_mint).await, 0);
    assert_eq!(env.balance(&k.vault).await, 0);
    env.assert_books(&k).await;
}

#[tokio::test]
async fn zero_amounts_are_rejected() {
    let (mut env, k, lender) = one_pool().await;
    assert_sluice_err(env.deposit(&lender, &k, 0).await, SluiceError::ZeroAmount);
    env.deposit(&lender, &k, USDC).await.unwrap();
    assert_sluice_err(env.withdraw(&lender, &k, 0).await, SluiceError::ZeroAmount);
}

#[tokio::test]
async fn u64_max_amounts_are_rejected_without_moving_funds() {
    let (mut env, k, lender) = one_pool().await;
    assert_sluice_err(
        env.deposit(&lender, &k, u64::MAX).await,
        SluiceError::DepositCapExceeded,
    );
    env.deposit(&lender, &k, USDC).await.unwrap();
    assert_sluice_err(
        env.withdraw(&lender, &k, u64::MAX).await,
        SluiceError::InsufficientShares,
    );
    assert_eq!(env.balance(&k.vault).await, USDC);
    env.assert_books(&k).await;
}

#[tokio::test]
async fn deposit_above_cap_is_rejected() {
    let mut env = Env::new().await;
    let mut p = default_params();
    p.deposit_cap = 100 * USDC;
    let k = env.add_pool(6, Feed::Pull, p, 1.0).await;
    let lender = env.user().await;
    env.mint_to(&k.mint, &lender.pubkey(), 1_000 * USDC).await;
    env.deposit(&lender, &k, 60 * USDC).await.unwrap();
    env.deposit(&lender, &k, 40 * USDC).await.unwrap(); // exactly at the cap
    assert_sluice_err(
        env.deposit(&lender, &k, 1).await,
        SluiceError::DepositCapExceeded,
    );
}

#[tokio::test]
async fn deposit_more_than_the_wallet_holds_fails_in_token_program() {
    let (mut env, k, lender) = one_pool().await;
    let err = assert_failed(env.deposit(&lender, &k, 1_001 * USDC).await);
    // SPL Token's InsufficientFunds (1)
    assert_eq!(custom_code(&err), Some(1), "{err:?}");
    assert_eq!(env.pool(&k).await.total_shares, 0);
}

#[tokio::test]
async fn deposit_with_substituted_vault_is_rejected() {
    let (mut env, k, lender) = one_pool().await;
    let other = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let mut ix = env.ix_deposit(&lender.pubkey(), &k, USDC).await;
    ix.accounts[3].pubkey = other.vault;
    assert_sluice_err(
        env.send(&[ix], &[&lender]).await,
        SluiceError::VaultMismatch,
    );
    // an attacker-owned token account of the right mint is rejected the same way
    let attacker = Keypair::new().pubkey();
    let fake = env.create_token_account(&attacker, &k.mint).await;
    let mut ix = env.ix_deposit(&lender.pubkey(), &k, USDC).await;
    ix.accounts[3].pubkey = fake;
    assert_sluice_err(
        env.send(&[ix], &[&lender]).await,
        SluiceError::VaultMismatch,
    );
}

#[tokio::test]
async fn deposit_with_substituted_share_mint_is_rejected() {
    let (mut env, k, lender) = one_pool().await;
    let other = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let mut ix = env.ix_deposit(&lender.pubkey(), &k, USDC).await;
    ix.accounts[4].pubkey = other.share_mint;
    assert_sluice_err(
        env.send(&[ix], &[&lender]).await,
        SluiceError::ShareMintMismatch,
    );
}

#[tokio::test]
async fn deposit_from_a_token_account_of_another_mint_is_rejected() {
    let (mut env, k, lender) = one_pool().await;
    let other = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    env.mint_to(&other.mint, &lender.pubkey(), 10 * USDC).await;
    let wrong = env.token_account(&lender.pubkey(), &other.mint).await;
    let mut ix = env.ix_deposit(&lender.pubkey(), &k, USDC).await;
    ix.accounts[5].pubkey = wrong;
    assert_sluice_err(env.send(&[ix], &[&lender]).await, SluiceError::MintMismatch);
}

#[tokio::test]
async fn deposit_from_someone_elses_tokens_fails() {
    let (mut env, k, lender) = one_pool().await;
    let thief = env.user().await;
    let victim_tokens = env.token_account(&lender.pubkey(), &k.mint).await;
    let mut ix = env.ix_deposit(&thief.pubkey(), &k, USDC).await;
    ix.accounts[5].pubkey = victim_tokens;
    let err = assert_failed(env.send(&[ix], &[&thief]).await);
    // SPL Token OwnerMismatch (4): the thief is not the source's owner
    assert_eq!(custom_code(&err), Some(4), "{err:?}");
    assert_eq!(env.balance(&victim_tokens).await, 1_000 * USDC);
}

#[tokio::test]
async fn withdraw_with_someone_elses_shares_fails() {
    let (mut env, k, lender) = one_pool().await;
    env.deposit(&lender, &k, 100 * USDC).await.unwrap();
    let thief = env.user().await;
    let victim_shares = env.token_account(&lender.pubkey(), &k.share_mint).await;
    let mut ix = env.ix_withdraw(&thief.pubkey(), &k, 100 * USDC).await;
    ix.accounts[5].pubkey = victim_shares;
    let err = assert_failed(env.send(&[ix], &[&thief]).await);
    assert_eq!(custom_code(&err), Some(4), "{err:?}");
    assert_eq!(env.balance(&victim_shares).await, 100 * USDC);
    env.assert_books(&k).await;
}

#[tokio::test]
async fn withdraw_to_a_vault_of_another_pool_is_rejected() {
    let (mut env, k, lender) = one_pool().await;
    env.deposit(&lender, &k, 100 * USDC).await.unwrap();
    let other = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let lender2 = env.user().await;
    env.mint_to(&other.mint, &lender2.pubkey(), 100 * USDC)
        .await;
    env.deposit(&lender2, &other, 100 * USDC).await.unwrap();
    // drain the other pool's vault through this pool's books
    let mut ix = env.ix_withdraw(&lender.pubkey(), &k, 100 * USDC).await;
    ix.accounts[3].pubkey = other.vault;
    assert_sluice_err(
        env.send(&[ix], &[&lender]).await,
        SluiceError::VaultMismatch,
    );
    env.assert_books(&k).await;
    env.assert_books(&other).await;
}

#[tokio::test]
async fn pool_paired_with_a_foreign_market_is_rejected() {
    let (mut env, k, lender) = one_pool().await;
    // a market whose pause flags the lender could pick
    let market2 = Keypair::new();
    let ix = env.ix_init_market(&market2.pubkey(), &lender.pubkey(), default_market_params());
    env.send(&[ix], &[&market2]).await.unwrap();
    let mut ix = env.ix_deposit(&lender.pubkey(), &k, USDC).await;
    ix.accounts[1].pubkey = market2.pubkey();
    assert_sluice_err(
        env.send(&[ix], &[&lender]).await,
        SluiceError::PoolMarketMismatch,
    );
}

#[tokio::test]
async fn withdraw_beyond_unborrowed_liquidity_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let b = t.holder(10_000 * SOL).await;
    let (usdc, all, lender) = (t.usdc, t.all(), t.lender.insecure_clone());
    // borrow 400k of the 500k supplied
    t.env.borrow(&b, &usdc, 400_000 * USDC, &all).await.unwrap();
    assert_sluice_err(
        t.env.withdraw(&lender, &usdc, 100_001 * USDC).await,
        SluiceError::InsufficientLiquidity,
    );
    t.env
        .withdraw(&lender, &usdc, 100_000 * USDC)
        .await
        .unwrap();
    t.env.assert_books(&usdc).await;
}

#[tokio::test]
async fn interest_accrues_to_lenders_and_reserve_share_to_insurance() {
    let mut t = MarketBuilder::lending().build().await;
    let b = t.holder(10_000 * SOL).await;
    let (usdc, all, lender) = (t.usdc, t.all(), t.lender.insecure_clone());
    t.env.borrow(&b, &usdc, 400_000 * USDC, &all).await.unwrap();
    let before = t.env.pool(&usdc).await;
    t.env.advance(100, 365 * 24 * 3600).await; // one year
    t.env.refresh_pool(&usdc).await.unwrap();
    let after = t.env.pool(&usdc).await;
    assert!(after.borrow_index.get() > before.borrow_index.get());
    // 80% utilization at the kink: 1% base + 4% slope1 = 5% APR on 400k = 20k
    let debt = after.total_debt(sluice::math::Rounding::Up).unwrap();
    let interest = debt - 400_000 * u128::from(USDC);
    assert!(
        (19_990 * u128::from(USDC)..=20_010 * u128::from(USDC)).contains(&interest),
        "interest {interest}"
    );
    // 10% reserve factor went to the insurance vault
    let ins = t.env.insurance(&usdc).await;
    let expected_ins = interest / 10;
    assert!(
        (u128::from(ins.total_funded) as i128 - expected_ins as i128).abs() <= 2,
        "insurance {} vs {}",
        ins.total_funded,
        expected_ins
    );
    assert_eq!(t.env.balance(&usdc.insurance_vault).await, ins.total_funded);
    t.env.assert_books(&usdc).await;

    // the borrower repays everything; the lender then withdraws more than supplied
    t.env.mint_to(&usdc.mint, &b.pubkey(), 30_000 * USDC).await;
    t.env.repay(&b, &b.pubkey(), &usdc, u64::MAX).await.unwrap();
    assert!(!t.env.position(&b.pubkey()).await.has_debt());
    let shares = t.env.balance_of(&lender.pubkey(), &usdc.share_mint).await;
    let wallet_before = t.env.balance_of(&lender.pubkey(), &usdc.mint).await;
    t.env.withdraw(&lender, &usdc, shares).await.unwrap();
    let got = t.env.balance_of(&lender.pubkey(), &usdc.mint).await - wallet_before;
    assert!(got > 500_000 * USDC + 17_000 * USDC, "lender got {got}");
    assert!(got < 500_000 * USDC + 18_100 * USDC, "lender got {got}");
    t.env.assert_books(&usdc).await;
    // nothing lost: what the pool still holds is only rounding dust in the protocol's favour
    let pool = t.env.pool(&usdc).await;
    assert_eq!(pool.total_shares, 0);
    assert!(
        pool.available_liquidity < 10,
        "dust {}",
        pool.available_liquidity
    );
}

#[tokio::test]
async fn deposit_worth_less_than_one_share_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let b = t.holder(10_000 * SOL).await;
    let (usdc, all, lender) = (t.usdc, t.all(), t.lender.insecure_clone());
    t.env.borrow(&b, &usdc, 400_000 * USDC, &all).await.unwrap();
    t.env.advance(100, 365 * 24 * 3600).await;
    t.env.refresh_pool(&usdc).await.unwrap();
    // a share is now worth more than one base unit: 1 unit mints 0 shares
    assert_sluice_err(
        t.env.deposit(&lender, &usdc, 1).await,
        SluiceError::DepositTooSmall,
    );
    // and one share still redeems for at least one unit (rounded down)
    t.env.withdraw(&lender, &usdc, 1).await.unwrap();
    t.env.assert_books(&usdc).await;
}

#[tokio::test]
async fn refresh_pool_with_substituted_accounts_is_rejected() {
    let mut t = MarketBuilder::lending().build().await;
    let (usdc, sol) = (t.usdc, t.sol);
    let mut ix = t.env.ix_refresh_pool(&usdc);
    ix.accounts[1].pubkey = sol.vault;
    assert_sluice_err(t.env.send(&[ix], &[]).await, SluiceError::VaultMismatch);
    let mut ix = t.env.ix_refresh_pool(&usdc);
    ix.accounts[2].pubkey = sol.insurance;
    assert_sluice_err(t.env.send(&[ix], &[]).await, SluiceError::InsuranceMismatch);
    let mut ix = t.env.ix_refresh_pool(&usdc);
    let thief = t
        .env
        .create_token_account(&Keypair::new().pubkey(), &usdc.mint)
        .await;
    ix.accounts[3].pubkey = thief;
    assert_sluice_err(t.env.send(&[ix], &[]).await, SluiceError::InsuranceMismatch);
}
