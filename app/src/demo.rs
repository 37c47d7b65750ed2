//! End-to-end demo of the lending core on the in-process runtime.
use sluice::instructions::common::HealthMode;
use sluice::math::WAD;
use sluice_tests::{default_params, Env, Feed, PoolKeys, Px, SOL, USDC};
use solana_signer::Signer;

fn fmt_factor(f: u128) -> String {
    if f == u128::MAX {
        "no debt".into()
    } else {
        format!("{:.3}", f as f64 / WAD as f64)
    }
}

pub async fn run() -> Result<(), String> {
    let t0 = std::time::Instant::now();
    let mut env = Env::new().await;
    let usdc = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
    let sol = env.add_pool(9, Feed::Legacy, default_params(), 150.0).await;
    let all: [PoolKeys; 2] = [usdc, sol];
    println!(
        "market {} (authority {})",
        env.market,
        env.authority.pubkey()
    );
    println!("  pool USDC {} (Pyth PriceUpdateV2, $1)", usdc.pool);
    println!("  pool SOL  {} (Pyth legacy, $150)", sol.pool);

    let lender = env.user().await;
    env.mint_to(&usdc.mint, &lender.pubkey(), 1_000_000 * USDC)
        .await;
    env.deposit(&lender, &usdc, 1_000_000 * USDC)
        .await
        .map_err(|e| format!("lender deposit: {e:?}"))?;
    println!("lender deposited 1,000,000 USDC");

    // three borrowers, 10 SOL each ($1,500), borrowing 30%, 50% and 70% of it
    let mut borrowers = Vec::new();
    for ltv in [30u64, 50, 70] {
        let b = env.user().await;
        env.mint_to(&sol.mint, &b.pubkey(), 10 * SOL).await;
        env.open_position(&b)
            .await
            .map_err(|e| format!("open: {e:?}"))?;
        env.deposit_collateral(&b, &sol, 10 * SOL)
            .await
            .map_err(|e| format!("collateral: {e:?}"))?;
        let amount = 1_500 * USDC * ltv / 100;
        env.borrow(&b, &usdc, amount, &all)
            .await
            .map_err(|e| format!("borrow: {e:?}"))?;
        println!(
            "borrower {} posted 10 SOL, borrowed {} USDC",
            b.pubkey(),
            amount / USDC
        );
        borrowers.push((ltv, b));
    }

    println!();
    println!(
        "{:>6} {:>9} {:>12} {:>14} {:>14}",
        "slot", "SOL $", "borrower", "health (LTV)", "health (liq.)"
    );
    for usd in [150.0, 140.0, 125.0, 110.0, 100.0, 95.0] {
        env.advance(25, 10).await;
        env.set_price(&usdc, Px::usd(1.0)).await;
        env.set_price(&sol, Px::usd(usd)).await;
        let refresh = env.refresh_prices(&all);
        env.send(&refresh, &[])
            .await
            .map_err(|e| format!("refresh: {e:?}"))?;
        let slot = env.clock().await.slot;
        for (ltv, b) in &borrowers {
            let init = env
                .health(&b.pubkey(), &all, HealthMode::Initial)
                .await
                .map_err(|e| e.to_string())?;
            let maint = env
                .health(&b.pubkey(), &all, HealthMode::Maintenance)
                .await
                .map_err(|e| e.to_string())?;
            let flag = if maint.is_healthy() {
                ""
            } else {
                "  <- liquidatable"
            };
            println!(
                "{slot:>6} {usd:>9.2} {:>11}% {:>14} {:>14}{flag}",
                ltv,
                fmt_factor(init.factor_wad()),
                fmt_factor(maint.factor_wad())
            );
        }
    }
    for k in &all {
        env.assert_books(k).await;
    }
    println!();
    println!(
        "books reconcile (vaults == available liquidity + collateral; share supply == shares)"
    );
    println!("health (LTV): collateral at min(spot, TWAP) x LTV / debt at max(spot, TWAP)");
    println!("health (liq.): collateral at max(spot, TWAP) x threshold / debt at min(spot, TWAP)");
    println!(
        "liquidation itself arrives with issue 3; wall time {:.2?}",
        t0.elapsed()
    );
    Ok(())
}
