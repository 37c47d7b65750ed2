//! Default parameters and the two-pool market every test scene starts from.
#![allow(deprecated)]
#![allow(clippy::result_large_err)]

use super::*;

/// The pool parameters the tests start from: the program's `sluice` preset
/// ([`sluice::presets::Preset::pool_params`]) with a one-slot seizure
/// window and unpaced sales, so a slot's seizures and sales are each
/// bounded by exactly one slot's cap: the suites pin the cap down slot by
/// slot (a liquidation capped in its slot, the buffer absorbing the rest, a
/// take clipped to the cap). The preset's window and pacing are tested on
/// their own ([`preset_params`]; `liquidation.rs`) and run in the fuzzer.
pub fn default_params() -> PoolParams {
    PoolParams {
        seize_window_slots: 1,
        sale_pace_slots: 0,
        ..preset_params()
    }
}

/// The `sluice` preset's pool parameters as they ship.
pub fn preset_params() -> PoolParams {
    sluice::presets::Preset::Sluice.pool_params()
}

/// Market parameters used by the tests: the preset's market defaults.
pub fn default_market_params() -> MarketParams {
    sluice::presets::market()
}

/// A USDC debt pool ($1, pull oracle) and a SOL collateral pool (legacy
/// oracle), a lender's USDC supply, and (by default) a constant-product AMM,
/// registered as SOL's depth source when SOL's preset sells by auction. Change what a test is about and keep
/// the rest: `MarketBuilder { sol_params, ..Default::default() }.build()`.
#[derive(Clone, Copy, Debug)]
pub struct MarketBuilder {
    pub usdc_params: PoolParams,
    pub sol_params: PoolParams,
    pub sol_usd: f64,
    /// USDC and SOL the lender supplies (base units).
    pub lend_usdc: u64,
    pub lend_sol: u64,
    /// USDC and SOL the lender keeps in its wallet besides.
    pub lender_wallet: (u64, u64),
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
            lend_sol: 0,
            lender_wallet: (0, 0),
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
    /// The lending tests' market: both pools supplied (500,000 USDC and 5,000
    /// SOL, as much again in the lender's wallet), no AMM.
    pub fn lending() -> Self {
        MarketBuilder {
            lend_usdc: 500_000 * USDC,
            lend_sol: 5_000 * SOL,
            lender_wallet: (500_000 * USDC, 5_000 * SOL),
            amm: None,
            ..Default::default()
        }
    }

    pub async fn build(self) -> MarketScene {
        let mut env = Env::new().await;
        let usdc = env.add_pool(6, Feed::Pull, self.usdc_params, 1.0).await;
        let sol = env
            .add_pool(9, Feed::Legacy, self.sol_params, self.sol_usd)
            .await;
        let lender = env.user().await;
        let (spare_usdc, spare_sol) = self.lender_wallet;
        for (k, lend, spare) in [
            (usdc, self.lend_usdc, spare_usdc),
            (sol, self.lend_sol, spare_sol),
        ] {
            if lend + spare > 0 {
                env.mint_to(&k.mint, &lender.pubkey(), lend + spare).await;
            }
            if lend > 0 {
                env.deposit(&lender, &k, lend).await.expect("lend");
            }
        }
        let amm = match self.amm {
            Some((x, y)) => {
                let amm = env.create_amm(&sol, &usdc, x, y).await;
                let auction = self
                    .sol_params
                    .liquidation
                    .is_mode(sluice::state::LiquidationMode::Auction);
                if auction {
                    env.register_amm(&sol, &amm).await;
                }
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

    /// A user with an open position and `sol_collateral` SOL deposited as
    /// collateral, no debt yet.
    pub async fn holder(&mut self, sol_collateral: u64) -> Keypair {
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

    /// A borrower with `sol` collateral who borrowed `usdc` against it.
    pub async fn borrower(&mut self, sol: u64, usdc: u64) -> Keypair {
        let (sk, uk, all) = (self.sol, self.usdc, self.all());
        self.env.borrower((&sk, sol), (&uk, usdc), &all).await
    }
}

pub const USDC: u64 = 1_000_000;
pub const SOL: u64 = 1_000_000_000;
