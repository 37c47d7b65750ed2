//! The buffer pool: absorbs what the per-slot cap cannot sell, at a discount
//! never above the conservative price, sells only through the same cap, and
//! treats its depositors fairly (no capture of a known absorb by a late
//! deposit, no escape from a known loss, exact in-kind withdrawals).
use anchor_lang::prelude::Pubkey;
use sluice::errors::SluiceError;
use sluice::math::buffer::pro_rata;
use sluice::math::WAD;
use sluice::state::BufferParams;
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Short waits so the tests can cross them; the bounds allow 10 slots.
fn test_params() -> BufferParams {
    BufferParams {
        activation_delay_slots: 10,
        withdrawal_cooldown_slots: 10,
        ..sluice::presets::buffer()
    }
}

/// The default market (USDC debt, SOL collateral at $100, an AMM of 2,000
/// SOL registered as SOL's depth: about 10 SOL a slot), a keeper, a buffer
/// of the (SOL, USDC) pair with `deposit` USDC active from `depositor`.
struct Scene {
    m: MarketScene,
    keeper: Keypair,
    depositor: Keypair,
    buffer: BufferKeys,
}

impl Scene {
    async fn new(deposit: u64) -> Self {
        let mut m = MarketBuilder::default().build().await;
        let keeper = m.env.user().await;
        m.env
            .mint_to(&m.usdc.mint, &keeper.pubkey(), 1_000_000 * USDC)
            .await;
        let (sol, usdc) = (m.sol, m.usdc);
        let buffer = m.env.init_buffer(&sol, &usdc, test_params()).await;
        let depositor = m.env.user().await;
        let mut s = Scene {
            m,
            keeper,
            depositor,
            buffer,
        };
        for _ in 0..5 {
            s.prices(10, 100.0).await;
        }
        if deposit > 0 {
            let d = s.depositor.insecure_clone();
            s.fund_and_deposit(&d, deposit).await;
            s.prices(10, 100.0).await;
            s.m.env
                .activate_buffer_stake(&s.buffer, &d.pubkey())
                .await
                .expect("activate");
        }
        s
    }

    async fn fund_and_deposit(&mut self, who: &Keypair, amount: u64) {
        let (usdc, b) = (self.m.usdc, self.buffer);
        self.m.env.mint_to(&usdc.mint, &who.pubkey(), amount).await;
        self.m
            .env
            .buffer_deposit(who, &b, amount)
            .await
            .expect("buffer deposit");
    }

    async fn prices(&mut self, slots: u64, sol_usd: f64) {
        let (u, s) = (self.m.usdc, self.m.sol);
        self.m
            .env
            .step_prices(slots, slots as i64 * 2 / 5 + 1, &[(u, 1.0), (s, sol_usd)])
            .await;
    }

    /// A borrower of $7,000 against 100 SOL, then SOL at $85 long enough for
    /// the TWAP to agree: liquidatable, and its liquidation wants more than
    /// one slot's cap.
    async fn liquidatable(&mut self) -> Keypair {
        let b = self.m.borrower(100 * SOL, 7_000 * USDC).await;
        for _ in 0..6 {
            self.prices(10, 85.0).await;
        }
        b
    }

    async fn liquidate(&mut self, owner: &Pubkey) -> TxResult {
        let (s, u, all, k) = (
            self.m.sol,
            self.m.usdc,
            self.m.all(),
            self.keeper.insecure_clone(),
        );
        self.m.env.liquidate(&k, owner, &s, &u, &all).await
    }

    async fn absorb(&mut self, owner: &Pubkey) -> TxResult {
        let (s, u, all, k) = (
            self.m.sol,
            self.m.usdc,
            self.m.all(),
            self.keeper.insecure_clone(),
        );
        let mut ixs = self.m.env.refresh_prices(&all);
        ixs.push(self.m.env.ix_absorb(&k.pubkey(), owner, &s, &u, &[]).await);
        self.m.env.send(&ixs, &[&k]).await
    }

    async fn buffer_take(&mut self, buyer: &Keypair, max: u64) -> TxResult {
        let (all, b) = (self.m.all(), self.buffer);
        let mut ixs = self.m.env.refresh_prices(&all);
        ixs.push(
            self.m
                .env
                .ix_buffer_take(&buyer.pubkey(), &b, max, u128::MAX)
                .await,
        );
        self.m.env.send(&ixs, &[buyer]).await
    }

    async fn books(&mut self) {
        let (s, u, b) = (self.m.sol, self.m.usdc, self.buffer);
        self.m.env.assert_books(&s).await;
        self.m.env.assert_books(&u).await;
        self.m.env.assert_buffer_books(&b).await;
    }

    async fn debt_of(&mut self, owner: &Pubkey) -> u64 {
        let (u, _) = (self.m.usdc, ());
        let pool = self.m.env.pool(&u).await;
        let p = self.m.env.position(owner).await;
        p.debts
            .iter()
            .filter(|d| d.pool == u.pool)
            .map(|d| {
                sluice::math::shares::debt_amount(
                    d.scaled_debt,
                    pool.borrow_index.get(),
                    sluice::math::Rounding::Up,
                )
                .unwrap() as u64
            })
            .sum()
    }
}

#[tokio::test]
async fn absorb_waits_until_the_slots_cap_is_used_up() {
    let mut s = Scene::new(200_000 * USDC).await;
    let b = s.liquidatable().await;
    // the cap has room: the buffer may not jump the queue
    assert_sluice_err(s.absorb(&b.pubkey()).await, SluiceError::SellCapHasRoom);
    // a liquidation takes the slot's whole cap (capped), the rest waits...
    s.liquidate(&b.pubkey()).await.unwrap();
    let debt_after_liquidation = s.debt_of(&b.pubkey()).await;
    // ...unless the buffer absorbs it now, in the same slot
    s.absorb(&b.pubkey()).await.unwrap();
    let debt_after_absorb = s.debt_of(&b.pubkey()).await;
    let buf = s.m.env.buffer(&s.buffer).await;
    assert!(buf.collateral_balance > 0, "{buf:?}");
    assert_eq!(
        debt_after_liquidation - debt_after_absorb,
        buf.total_absorbed_debt,
        "the debt the buffer paid left the position at once"
    );
    assert_eq!(buf.debt_balance, 200_000 * USDC - buf.total_absorbed_debt);
    // the position is back at the target health (sizing view)
    let (sk, uk) = (s.m.sol, s.m.usdc);
    let h =
        s.m.env
            .health(
                &b.pubkey(),
                &[uk, sk],
                sluice::health::HealthType::Maintenance,
            )
            .await
            .unwrap();
    assert!(h.is_healthy(), "{h:?}");
    s.books().await;
}

#[tokio::test]
async fn absorb_refuses_a_healthy_position_even_when_the_cap_is_used_up() {
    let mut s = Scene::new(200_000 * USDC).await;
    let healthy = s.m.borrower(100 * SOL, 3_000 * USDC).await;
    let b = s.liquidatable().await;
    s.liquidate(&b.pubkey()).await.unwrap();
    let before = s.m.env.buffer(&s.buffer).await;
    assert_sluice_err(
        s.absorb(&healthy.pubkey()).await,
        SluiceError::PositionHealthy,
    );
    let after = s.m.env.buffer(&s.buffer).await;
    assert_eq!(before.debt_balance, after.debt_balance);
    s.books().await;
}

#[tokio::test]
async fn an_empty_buffer_absorbs_nothing() {
    let mut s = Scene::new(0).await;
    let b = s.liquidatable().await;
    s.liquidate(&b.pubkey()).await.unwrap();
    assert_sluice_err(s.absorb(&b.pubkey()).await, SluiceError::BufferEmpty);
}

#[tokio::test]
async fn the_buffer_never_pays_above_the_conservative_price() {
    // with no discount at all, and with the preset's
    for discount in [0u16, 300] {
        let mut s = Scene::new(200_000 * USDC).await;
        let auth = s.m.env.authority.insecure_clone();
        let i = sluice_client::ix::update_buffer_params(
            &auth.pubkey(),
            &s.buffer,
            BufferParams {
                absorb_discount_bps: discount,
                ..test_params()
            },
        );
        s.m.env.send(&[i], &[&auth]).await.unwrap();
        let b = s.liquidatable().await;
        // spot falls below the TWAP: the conservative collateral price is spot
        s.prices(1, 80.0).await;
        s.liquidate(&b.pubkey()).await.unwrap();
        s.absorb(&b.pubkey()).await.unwrap();
        let buf = s.m.env.buffer(&s.buffer).await;
        let sol = s.m.env.pool(&s.m.sol).await;
        let conservative = sol.spot_price_wad.get().min(sol.smoothed_price());
        // USDC (6 dp, $1) paid per SOL unit (9 dp) vs the conservative unit price
        let paid_value = u128::from(buf.cost_basis) * (WAD / 1_000_000);
        let got_value = u128::from(buf.collateral_balance) * conservative;
        assert!(paid_value <= got_value, "discount {discount}: {buf:?}");
        if discount > 0 {
            // and the discount is really taken: >= 2.9% below
            assert!(
                paid_value * 10_000 <= got_value * 9_710,
                "discount {discount}: paid {paid_value} for {got_value}"
            );
        }
        s.books().await;
    }
}

#[tokio::test]
async fn a_deposit_just_before_an_absorb_gains_nothing() {
    let mut s = Scene::new(200_000 * USDC).await;
    let b = s.liquidatable().await;
    // the attacker sees the absorb coming and deposits in the same slot
    let attacker = s.m.env.user().await;
    s.fund_and_deposit(&attacker, 100_000 * USDC).await;
    s.liquidate(&b.pubkey()).await.unwrap();
    s.absorb(&b.pubkey()).await.unwrap();
    // its deposit did not back the absorb: only active funds paid
    let buf = s.m.env.buffer(&s.buffer).await;
    assert_eq!(buf.pending_deposits, 100_000 * USDC);
    // after the delay it becomes shares at the post-absorb price
    for _ in 0..2 {
        s.prices(10, 85.0).await;
    }
    s.m.env
        .activate_buffer_stake(&s.buffer, &attacker.pubkey())
        .await
        .unwrap();
    let buf = s.m.env.buffer(&s.buffer).await;
    let a = s.m.env.buffer_stake(&s.buffer, &attacker.pubkey()).await;
    let h = s.m.env.buffer_stake(&s.buffer, &s.depositor.pubkey()).await;
    // the honest depositor's 200,000 shares gained the discount; the
    // attacker's 100,000 USDC bought fewer than 100,000 shares
    assert_eq!(h.shares, 200_000 * USDC);
    assert!(a.shares < 100_000 * USDC, "attacker shares {}", a.shares);
    // valued at the same price, the attacker holds no more than it paid
    let sol = s.m.env.pool(&s.m.sol).await;
    let usdc = s.m.env.pool(&s.m.usdc).await;
    let ratio = sol.high_ratio_wad(&usdc).unwrap();
    let price = buf.share_price_wad(ratio).unwrap();
    let attacker_value = u128::from(a.shares) * price / WAD;
    assert!(
        attacker_value <= u128::from(100_000 * USDC),
        "attacker worth {attacker_value}"
    );
    let honest_value = u128::from(h.shares) * price / WAD;
    assert!(honest_value > u128::from(200_000 * USDC), "{honest_value}");
    s.books().await;
}

#[tokio::test]
async fn a_deposit_cannot_be_activated_before_its_delay() {
    let mut s = Scene::new(0).await;
    let d = s.depositor.insecure_clone();
    s.fund_and_deposit(&d, 1_000 * USDC).await;
    assert_sluice_err(
        s.m.env.activate_buffer_stake(&s.buffer, &d.pubkey()).await,
        SluiceError::BufferActivationTooEarly,
    );
    s.prices(10, 100.0).await;
    s.m.env
        .activate_buffer_stake(&s.buffer, &d.pubkey())
        .await
        .unwrap();
    assert_sluice_err(
        s.m.env.activate_buffer_stake(&s.buffer, &d.pubkey()).await,
        SluiceError::BufferNothingPending,
    );
}

#[tokio::test]
async fn withdrawal_waits_for_its_cooldown_and_pays_exactly_pro_rata_in_kind() {
    let mut s = Scene::new(200_000 * USDC).await;
    let second = s.m.env.user().await;
    s.fund_and_deposit(&second, 100_000 * USDC).await;
    s.prices(10, 100.0).await;
    s.m.env
        .activate_buffer_stake(&s.buffer, &second.pubkey())
        .await
        .unwrap();
    let b = s.liquidatable().await;
    s.liquidate(&b.pubkey()).await.unwrap();
    s.absorb(&b.pubkey()).await.unwrap();

    let d = s.depositor.insecure_clone();
    let buf_key = s.buffer;
    // no request yet
    let w = s.m.env.ix_buffer_withdraw(&d.pubkey(), &buf_key).await;
    assert_sluice_err(
        s.m.env.send(std::slice::from_ref(&w), &[&d]).await,
        SluiceError::BufferNoWithdrawalRequested,
    );
    let hs = s.m.env.buffer_stake(&buf_key, &d.pubkey()).await.shares;
    let r = sluice_client::ix::request_buffer_withdrawal(&d.pubkey(), &buf_key, hs);
    s.m.env.send(&[r], &[&d]).await.unwrap();
    assert_sluice_err(
        s.m.env.send(std::slice::from_ref(&w), &[&d]).await,
        SluiceError::BufferWithdrawalCoolingDown,
    );
    s.prices(10, 85.0).await;
    let before = s.m.env.buffer(&buf_key).await;
    let (usdc_before, sol_before) = (
        s.m.env.balance_of(&d.pubkey(), &buf_key.debt.mint).await,
        s.m.env
            .balance_of(&d.pubkey(), &buf_key.collateral.mint)
            .await,
    );
    s.m.env.send(&[w], &[&d]).await.unwrap();
    let usdc_got = s.m.env.balance_of(&d.pubkey(), &buf_key.debt.mint).await - usdc_before;
    let sol_got =
        s.m.env
            .balance_of(&d.pubkey(), &buf_key.collateral.mint)
            .await
            - sol_before;
    assert_eq!(
        usdc_got,
        pro_rata(before.debt_balance, hs, before.total_shares).unwrap()
    );
    assert_eq!(
        sol_got,
        pro_rata(before.collateral_balance, hs, before.total_shares).unwrap()
    );
    assert!(sol_got > 0, "the absorbed collateral is paid out in kind");
    s.books().await;

    // the last holder takes exactly what is left
    let ss =
        s.m.env
            .buffer_stake(&buf_key, &second.pubkey())
            .await
            .shares;
    let r = sluice_client::ix::request_buffer_withdrawal(&second.pubkey(), &buf_key, ss);
    s.m.env.send(&[r], &[&second]).await.unwrap();
    s.prices(10, 85.0).await;
    let w = s.m.env.ix_buffer_withdraw(&second.pubkey(), &buf_key).await;
    s.m.env.send(&[w], &[&second]).await.unwrap();
    let end = s.m.env.buffer(&buf_key).await;
    assert_eq!(
        (end.total_shares, end.debt_balance, end.collateral_balance),
        (0, 0, 0)
    );
    s.books().await;
}

#[tokio::test]
async fn buffer_collateral_is_sold_only_within_the_cap() {
    let mut s = Scene::new(200_000 * USDC).await;
    let b = s.liquidatable().await;
    s.liquidate(&b.pubkey()).await.unwrap();
    s.absorb(&b.pubkey()).await.unwrap();
    let held = s.m.env.buffer(&s.buffer).await.collateral_balance;
    let buyer = s.m.env.user().await;
    s.m.env
        .mint_to(&s.m.usdc.mint, &buyer.pubkey(), 1_000_000 * USDC)
        .await;
    // the liquidation used this slot's cap: nothing may be sold now
    assert_sluice_err(
        s.buffer_take(&buyer, held).await,
        SluiceError::SellCapExhausted,
    );
    // next slot: the sale takes at most the slot's room, then the cap is used up
    s.prices(1, 85.0).await;
    let cap = {
        let (x, _) = s.m.amm.as_ref().unwrap().reserves(&mut s.m.env).await;
        sluice::math::depth::constant_product_max_sell(
            x,
            sluice::presets::sluice().max_slippage_bps,
        )
        .unwrap()
    };
    s.buffer_take(&buyer, held).await.unwrap();
    let buf = s.m.env.buffer(&s.buffer).await;
    let sold = held - buf.collateral_balance;
    assert!(sold > 0 && sold <= cap, "sold {sold}, cap {cap}");
    assert_sluice_err(
        s.buffer_take(&buyer, held).await,
        SluiceError::SellCapExhausted,
    );
    // the sale paid at least the buffer's cost per unit
    let spent = s.m.env.buffer(&s.buffer).await.total_sale_proceeds;
    assert!(
        u128::from(spent) * u128::from(held)
            >= u128::from(buf.total_absorbed_debt) * u128::from(sold),
        "sold {sold} for {spent}"
    );
    s.books().await;
}

#[tokio::test]
async fn a_buyer_pays_no_more_than_its_limit() {
    let mut s = Scene::new(200_000 * USDC).await;
    let b = s.liquidatable().await;
    s.liquidate(&b.pubkey()).await.unwrap();
    s.absorb(&b.pubkey()).await.unwrap();
    s.prices(1, 85.0).await;
    let buyer = s.m.env.user().await;
    s.m.env
        .mint_to(&s.m.usdc.mint, &buyer.pubkey(), 1_000_000 * USDC)
        .await;
    let all = s.m.all();
    let mut ixs = s.m.env.refresh_prices(&all);
    // $10 per SOL: far below the buffer's floor
    let limit = 10 * WAD / 1_000;
    let bk = s.buffer;
    ixs.push(
        s.m.env
            .ix_buffer_take(&buyer.pubkey(), &bk, SOL, limit)
            .await,
    );
    assert_sluice_err(
        s.m.env.send(&ixs, &[&buyer]).await,
        SluiceError::BufferPriceAboveLimit,
    );
}

#[tokio::test]
async fn governance_bounds_every_buffer_parameter() {
    let mut s = Scene::new(0).await;
    let auth = s.m.env.authority.insecure_clone();
    let bad = [
        BufferParams {
            absorb_discount_bps: 2_001,
            ..test_params()
        },
        BufferParams {
            sale_discount_bps: 2_001,
            ..test_params()
        },
        BufferParams {
            sale_floor_bps: 4_999,
            ..test_params()
        },
        BufferParams {
            activation_delay_slots: 9,
            ..test_params()
        },
        BufferParams {
            withdrawal_cooldown_slots: 1_512_001,
            ..test_params()
        },
    ];
    for p in bad {
        let i = sluice_client::ix::update_buffer_params(&auth.pubkey(), &s.buffer, p);
        assert_sluice_err(
            s.m.env.send(&[i], &[&auth]).await,
            SluiceError::BufferParamsOutOfBounds,
        );
    }
    // not the authority
    let other = s.m.env.user().await;
    let i = sluice_client::ix::update_buffer_params(&other.pubkey(), &s.buffer, test_params());
    assert_sluice_err(
        s.m.env.send(&[i], &[&other]).await,
        SluiceError::Unauthorized,
    );
}
