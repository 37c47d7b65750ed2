//! Default parameters and a two-pool market.
#![allow(deprecated)]
#![allow(clippy::result_large_err)]

use super::*;

/// The pool parameters the tests and the simulator start from: the
/// program's `sluice` preset ([`sluice::presets::Preset::pool_params`]).
pub fn default_params() -> PoolParams {
    sluice::presets::Preset::Sluice.pool_params()
}

/// Market parameters used by the tests: the preset's market defaults.
pub fn default_market_params() -> MarketParams {
    sluice::presets::market()
}

/// A USDC debt pool ($1, pull oracle) and a SOL collateral pool (legacy
/// oracle), a lender's USDC supply, and (by default) a constant-product AMM
/// registered as SOL's depth source. Change what a test is about and keep
/// the rest: `MarketBuilder { sol_params, ..Default::default() }.build()`.
#[derive(Clone, Copy, Debug)]
pub struct MarketBuilder {
    pub usdc_params: PoolParams,
    pub sol_params: PoolParams,
    pub sol_usd: f64,
    /// USDC the lender supplies (base units).
    pub lend_usdc: u64,
    /// AMM reserves (SOL, USDC base units), registered as SOL's depth; None: no AMM.
    pub amm: Option<(u64, u64)>,
}

impl Default for MarketBuilder {
    fn default() -> Self {
        MarketBuilder {
            usdc_params: default_params(),
            sol_params: default_params(),
            sol_usd: 100.0,
            lend_usdc: 1_000_000 * USDC,
            amm: Some((2_000 * SOL, 200_000 * USDC)),
        }
    }
}

/// What [`MarketBuilder::build`] made.
pub struct MarketScene {
    pub env: Env,
    pub usdc: PoolKeys,
    pub sol: PoolKeys,
    pub lender: Keypair,
    pub amm: Option<Amm>,
}

impl MarketBuilder {
    pub async fn build(self) -> MarketScene {
        let mut env = Env::new().await;
        let usdc = env.add_pool(6, Feed::Pull, self.usdc_params, 1.0).await;
        let sol = env
            .add_pool(9, Feed::Legacy, self.sol_params, self.sol_usd)
            .await;
        let lender = env.user().await;
        env.mint_to(&usdc.mint, &lender.pubkey(), self.lend_usdc)
            .await;
        env.deposit(&lender, &usdc, self.lend_usdc)
            .await
            .expect("lend usdc");
        let amm = match self.amm {
            Some((x, y)) => {
                let amm = env.create_amm(&sol, &usdc, x, y).await;
                env.register_amm(&sol, &amm).await;
                Some(amm)
            }
            None => None,
        };
        MarketScene {
            env,
            usdc,
            sol,
            lender,
            amm,
        }
    }
}

impl MarketScene {
    pub fn all(&self) -> [PoolKeys; 2] {
        [self.usdc, self.sol]
    }

    /// A borrower with `sol` collateral who borrowed `usdc` against it.
    pub async fn borrower(&mut self, sol: u64, usdc: u64) -> Keypair {
        let b = self.env.user().await;
        let (sk, uk, all) = (self.sol, self.usdc, self.all());
        self.env.mint_to(&sk.mint, &b.pubkey(), sol).await;
        self.env.open_position(&b).await.expect("open position");
        self.env
            .deposit_collateral(&b, &sk, sol)
            .await
            .expect("deposit collateral");
        self.env.borrow(&b, &uk, usdc, &all).await.expect("borrow");
        b
    }
}

/// Standard scenario: a USDC-like pool (6 decimals, $1, pull oracle) and a
/// SOL-like pool (9 decimals, $100, legacy oracle), each with liquidity from a lender.
pub struct TwoPools {
    pub env: Env,
    pub usdc: PoolKeys,
    pub sol: PoolKeys,
    pub lender: Keypair,
}

pub const USDC: u64 = 1_000_000;
pub const SOL: u64 = 1_000_000_000;

impl TwoPools {
    pub async fn new() -> Self {
        let mut env = Env::new().await;
        let usdc = env.add_pool(6, Feed::Pull, default_params(), 1.0).await;
        let sol = env.add_pool(9, Feed::Legacy, default_params(), 100.0).await;
        let lender = env.user().await;
        env.mint_to(&usdc.mint, &lender.pubkey(), 1_000_000 * USDC)
            .await;
        env.mint_to(&sol.mint, &lender.pubkey(), 10_000 * SOL).await;
        env.deposit(&lender, &usdc, 500_000 * USDC)
            .await
            .expect("lend usdc");
        env.deposit(&lender, &sol, 5_000 * SOL)
            .await
            .expect("lend sol");
        TwoPools {
            env,
            usdc,
            sol,
            lender,
        }
    }

    /// A borrower with an open position and `sol_collateral` SOL deposited as collateral.
    pub async fn borrower(&mut self, sol_collateral: u64) -> Keypair {
        let b = self.env.user().await;
        self.env
            .mint_to(&self.sol.mint, &b.pubkey(), sol_collateral)
            .await;
        self.env.open_position(&b).await.expect("open position");
        if sol_collateral > 0 {
            let sol = self.sol;
            self.env
                .deposit_collateral(&b, &sol, sol_collateral)
                .await
                .expect("deposit collateral");
        }
        b
    }

    pub fn all(&self) -> [PoolKeys; 2] {
        [self.usdc, self.sol]
    }
}
