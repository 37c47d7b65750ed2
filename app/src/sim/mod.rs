//! The crash simulator: the real program on the in-process runtime, a
//! constant-product AMM whose reserves are real SPL token accounts (and the
//! registered depth source), an oracle (Pyth PriceUpdateV2) that follows the
//! AMM, an arbitrageur pulling the AMM toward an exogenous price path with a
//! bounded trade per slot, and a keeper (the `sluice keeper` core) that
//! liquidates, takes lots and sells what it gets into the same AMM: its
//! sales move the price, so a cascade is possible.
pub mod plot;
pub mod report;
pub mod scenario;

use std::sync::Arc;
use std::time::Instant;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::token::spl_token;
use solana_keypair::Keypair;
use solana_signer::Signer;

use sluice::presets::Preset;
use sluice::state::{Pool, PoolParams};
use sluice_client::local::{Amm, Env, Px, SOL, USDC};
use sluice_client::{BufferKeys, Feed, PoolKeys};

use crate::chain::{Chain, TxError};
use crate::keeper::{Keeper, TickReport, Venue};

#[derive(Clone, Debug)]
pub struct SimConfig {
    pub borrowers: usize,
    pub preset: String,
    /// USD per SOL per slot, kept as runs ([`scenario::PricePath`]).
    pub path: Arc<scenario::PricePath>,
    /// AMM reserves at the start (SOL, at the path's first price).
    pub amm_sol: u64,
    /// Largest arbitrage trade per slot, bps of the AMM's SOL reserve
    /// (when `arb_usd_per_sec` is None).
    pub arb_bps: u64,
    /// Arbitrage capacity in USD per second (0.4 s a slot); None: `arb_bps`.
    pub arb_usd_per_sec: Option<f64>,
    /// Share of the AMM's deviation from the exogenous price that reaches
    /// the oracle: 1 = the oracle publishes the AMM price (the thin
    /// calibration), 0 = the exogenous price alone.
    pub pass_through: f64,
    /// `instant`'s keeper liquidates only while the AMM pays at least the
    /// oracle price less the bonus ([`Keeper::rational_instant`]).
    pub rational_instant: bool,
    /// Slots move the Clock within one bank, transactions go unsigned, the
    /// AMM's swaps write their balances and reads come from a cache
    /// ([`Env::advance_in_one_bank`], [`Env::skip_signatures`],
    /// [`Env::write_venue_swaps`], [`Env::cache_reads`]); false: a bank per
    /// slot, signed transactions, swaps sent as token transfers, every read
    /// from the bank, as the test suites run (slower, and memory grows per
    /// slot; the results must be the same).
    pub runtime_shortcuts: bool,
    /// With the shortcuts, the runtime is replaced by a fresh one holding
    /// the same accounts every this many transactions
    /// ([`Env::restart_runtime`]; 0: never), so memory does not grow with
    /// the path.
    pub restart_every_tx: u64,
    pub seed: u64,
    /// USDC in the (SOL, USDC) buffer pool (auction presets only). None:
    /// [`DEFAULT_BUFFER_SHARE`] of the initial debt; Some(0.0): no buffer.
    pub buffer_usd: Option<f64>,
    /// Overrides the preset's depth slippage bound (the per-slot seizure
    /// cap and sale room), bps.
    pub max_slippage_bps: Option<u16>,
    /// Overrides the collateral pool's TWAP window, seconds.
    pub twap_window_secs: Option<u32>,
    /// Overrides the collateral pool's liquidation guard window, seconds.
    pub guard_window_secs: Option<u8>,
    /// Overrides the collateral pool's seizure window, slots.
    pub seize_window_slots: Option<u8>,
    /// Overrides the collateral pool's sale pacing, slots.
    pub sale_pace_slots: Option<u8>,
    /// Overrides the collateral pool's target health, bps.
    pub target_health_bps: Option<u16>,
    /// Overrides the adaptive rules' switches of an `-adaptive` preset
    /// (`sluice::state::rule` bits).
    pub adaptive_switches: Option<u8>,
    /// The book to replay, (SOL, USDC) base units per position (`sluice
    /// risk` replays a market's positions); None: the seeded book of
    /// `borrowers` positions.
    pub book: Option<Arc<Vec<(u64, u64)>>>,
    /// The collateral pool's parameters (a market's own, read by `sluice
    /// risk`; caps lifted); None: the preset's. The flags above still
    /// override parts of them.
    pub sol_params: Option<PoolParams>,
}

/// A named market model: how deep the on-chain venue is against the book,
/// how much of its dislocation reaches the oracle, how fast arbitrage
/// refills it, and which `instant` liquidator is the baseline. Each field
/// can still be overridden on the command line; the sources and the
/// arithmetic behind each are in the README ("Calibrations").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibration {
    pub name: &'static str,
    /// AMM reserves at the start, SOL (the book holds 122,550 SOL).
    pub amm_sol: u64,
    /// [`SimConfig::pass_through`].
    pub pass_through: f64,
    /// [`SimConfig::arb_bps`].
    pub arb_bps: u64,
    /// [`SimConfig::rational_instant`].
    pub rational_instant: bool,
}

impl Calibration {
    /// The stress case the earlier figures use: the oracle publishes the
    /// AMM's price and the AMM holds about half the book's collateral.
    pub const THIN: Calibration = Calibration {
        name: "thin",
        amm_sol: 60_000,
        pass_through: 1.0,
        arb_bps: 50,
        rational_instant: false,
    };
    /// SOL in late 2025, the book standing for a Kamino-sized lender's SOL
    /// collateral: on-chain depth a fifth of SOL's 2% depth (the DEX to CEX
    /// spot volume ratio), the oracle carrying that fifth of an on-chain
    /// dislocation, and a liquidator that does not sell at a loss.
    pub const SOL_2025: Calibration = Calibration {
        name: "sol-2025",
        amm_sol: 94_000,
        pass_through: 0.2,
        arb_bps: 50,
        rational_instant: true,
    };
    pub const ALL: [Calibration; 2] = [Calibration::THIN, Calibration::SOL_2025];
    /// What `sluice simulate` uses unless told otherwise.
    pub const DEFAULT: Calibration = Calibration::SOL_2025;

    pub fn named(name: &str) -> Option<Calibration> {
        Calibration::ALL.into_iter().find(|c| c.name == name)
    }

    /// Sets the market model of `cfg` to this calibration's.
    pub fn apply(&self, cfg: &mut SimConfig) {
        cfg.amm_sol = self.amm_sol;
        cfg.pass_through = self.pass_through;
        cfg.arb_bps = self.arb_bps;
        cfg.arb_usd_per_sec = None;
        cfg.rational_instant = self.rational_instant;
    }
}

/// Borrowers set up per transaction.
const SETUP_BATCH: usize = 4;

/// The default buffer pool: 15% of the borrowers' initial debt, the
/// smallest share that keeps the built-in crash's bad debt within 1% of the
/// debt beyond the ideal liquidator's under the thin market (README).
pub const DEFAULT_BUFFER_SHARE: f64 = 0.15;

impl SimConfig {
    /// A configuration under the thin calibration ([`Calibration::THIN`];
    /// the command line applies [`Calibration::DEFAULT`]).
    pub fn new(preset: &str, path: impl Into<scenario::PricePath>, borrowers: usize) -> Self {
        SimConfig {
            borrowers,
            preset: preset.to_string(),
            path: Arc::new(path.into()),
            amm_sol: Calibration::THIN.amm_sol,
            arb_bps: Calibration::THIN.arb_bps,
            arb_usd_per_sec: None,
            pass_through: Calibration::THIN.pass_through,
            rational_instant: Calibration::THIN.rational_instant,
            runtime_shortcuts: true,
            restart_every_tx: sluice_client::local::RESTART_EVERY_TX,
            seed: 7,
            buffer_usd: None,
            max_slippage_bps: None,
            twap_window_secs: None,
            guard_window_secs: None,
            seize_window_slots: None,
            sale_pace_slots: None,
            target_health_bps: None,
            adaptive_switches: None,
            book: None,
            sol_params: None,
        }
    }

    /// The collateral pool's liquidation threshold: the market's own, or
    /// the preset's (both presets share it).
    pub fn threshold_bps(&self) -> u16 {
        self.sol_params
            .unwrap_or_else(|| Preset::Sluice.pool_params())
            .risk
            .liquidation_threshold_bps
    }
}

/// What one preset did on one path.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SimResult {
    pub preset: String,
    pub borrowers: usize,
    pub slots: usize,
    /// Bad debt realized (insurance paid + socialized) plus debt still not
    /// covered by collateral at the end, USD.
    pub bad_debt_usd: f64,
    pub bad_debt_realized_usd: f64,
    pub buffer_used_usd: f64,
    pub socialized_usd: f64,
    pub min_exogenous_price: f64,
    pub min_amm_price: f64,
    /// (min AMM / min exogenous - 1): how far liquidations pushed the price below the path.
    pub liquidation_drawdown_pct: f64,
    pub collateral_sold_sol: f64,
    pub penalties_usd: f64,
    pub positions_liquidated: usize,
    pub liquidations: u64,
    pub takes: u64,
    pub redos: u64,
    /// The borrowers' debt at the start, USD.
    pub initial_debt_usd: f64,
    /// Bad debt of the frictionless `ideal` liquidator on the same path and
    /// book, and this preset's bad debt beyond it (USD, % of initial debt).
    pub ideal_bad_debt_usd: f64,
    pub bad_debt_beyond_ideal_usd: f64,
    pub bad_debt_beyond_ideal_pct: f64,
    /// Buffer pool: its size, absorbs, debt it retired, SOL it took, SOL it
    /// sold through the cap, SOL still held at the end, and its depositors'
    /// result (end value at the final AMM price less the deposit), USD.
    pub buffer_usd: f64,
    pub absorbs: u64,
    pub absorbed_debt_usd: f64,
    pub absorbed_sol: f64,
    pub buffer_sold_sol: f64,
    pub buffer_held_sol: f64,
    pub buffer_pnl_usd: f64,
    /// Timings are left out of the JSON so two runs of the same flags print
    /// the same bytes (`--json` prints them on stderr).
    #[serde(skip)]
    pub wall_secs: f64,
    #[serde(skip)]
    pub slots_per_sec: f64,
    #[serde(skip)]
    pub positions_scanned_per_sec: f64,
    /// Transactions the run sent (setup included).
    #[serde(skip)]
    pub transactions: u64,
    /// Slots crossed one at a time (the keeper's pass, the arbitrage) and
    /// in quiet warps, and the seconds each took.
    #[serde(skip)]
    pub stepped: (u64, f64),
    #[serde(skip)]
    pub warped: (u64, f64),
    /// Keeper transactions refused for a reason the keeper does not plan
    /// for, and the first of them (stderr; a sound run has none).
    #[serde(skip)]
    pub keeper_errors: u64,
    #[serde(skip)]
    pub first_keeper_error: Option<String>,
    /// Per-slot series for plots.
    #[serde(skip)]
    pub series: Series,
}

/// Series for plots, downsampled as they are produced so a path of any
/// length keeps between [`SERIES_POINTS`] and twice as many points: one
/// point per `stride` slots, `stride` doubling (pairs of points merged)
/// whenever the series fills. A point holds its slots' lowest prices, their
/// seizures summed and their highest unhealthy share. Paths shorter than
/// [`SERIES_POINTS`] slots keep one point per slot.
#[derive(Clone, Debug)]
pub struct Series {
    /// Slots per point.
    pub stride: usize,
    /// Slots already in the last point (< `stride`).
    filling: usize,
    pub exogenous: Vec<f64>,
    pub amm: Vec<f64>,
    pub seized_sol: Vec<f64>,
    /// Share of positions with debt whose liquidation-view health is below 1.
    pub unhealthy_share: Vec<f64>,
}

/// Points a plot series keeps at least (at most twice as many).
pub const SERIES_POINTS: usize = 10_000;

impl Default for Series {
    fn default() -> Self {
        Series {
            stride: 1,
            filling: 0,
            exogenous: Vec::new(),
            amm: Vec::new(),
            seized_sol: Vec::new(),
            unhealthy_share: Vec::new(),
        }
    }
}

impl Series {
    /// How two points (or a point and a slot) merge, field by field in
    /// [`Series::fields`] order: prices keep their low, seizures add up,
    /// the unhealthy share keeps its high.
    const MERGE: [fn(f64, f64) -> f64; 4] = [f64::min, f64::min, |a, b| a + b, f64::max];

    fn fields(&mut self) -> [&mut Vec<f64>; 4] {
        [
            &mut self.exogenous,
            &mut self.amm,
            &mut self.seized_sol,
            &mut self.unhealthy_share,
        ]
    }

    /// One slot's values.
    pub fn push(&mut self, exogenous: f64, amm: f64, seized_sol: f64, unhealthy_share: f64) {
        let open = self.filling > 0;
        let values = [exogenous, amm, seized_sol, unhealthy_share];
        for ((v, x), merge) in self.fields().into_iter().zip(values).zip(Self::MERGE) {
            match v.last_mut() {
                Some(last) if open => *last = merge(*last, x),
                _ => v.push(x),
            }
        }
        self.filling += 1;
        if self.filling == self.stride {
            self.filling = 0;
            if self.exogenous.len() >= 2 * SERIES_POINTS {
                self.halve();
            }
        }
    }

    /// Merges pairs of (whole) points: twice the slots per point.
    fn halve(&mut self) {
        for (v, merge) in self.fields().into_iter().zip(Self::MERGE) {
            *v = v
                .chunks(2)
                .map(|c| c.iter().copied().reduce(merge).unwrap_or(0.0))
                .collect();
        }
        self.stride *= 2;
    }
}

struct AmmVenue<'a> {
    amm: &'a Amm,
}

impl Venue<Env> for AmmVenue<'_> {
    async fn profitable_amount(&mut self, env: &mut Env, price_wad: u128) -> Result<u64, TxError> {
        // sell dx while the marginal price x*y/(x+dx)^2 stays >= price
        let (x, y) = self.amm.reserves(env).await;
        let p = price_wad as f64 / 1e18; // USDC units per SOL unit
        if p <= 0.0 {
            return Ok(0);
        }
        let target = ((x as f64) * (y as f64) / p).sqrt();
        Ok(if target > x as f64 {
            ((target - x as f64) * 0.98) as u64
        } else {
            0
        })
    }

    async fn sell(&mut self, env: &mut Env, seller: &Keypair, amount: u64) -> Result<u64, TxError> {
        Ok(self.amm.sell_collateral(env, seller, amount).await)
    }
}

fn err(e: impl std::fmt::Debug) -> String {
    format!("{e:?}")
}

/// Deterministic xorshift, so runs are reproducible (also the built-in
/// minute paths' walk).
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        out
    }

    pub(crate) fn next(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn usd_per_sol(amm_reserves: (u64, u64)) -> f64 {
    (amm_reserves.1 as f64 / 1e6) / (amm_reserves.0 as f64 / 1e9)
}

/// A simulator preset name with this suffix (`sluice-adaptive`) runs the
/// preset with the program's adaptive rules ([`sluice::presets::adaptive`])
/// switched on for the collateral pool; auction presets only.
pub const ADAPTIVE_SUFFIX: &str = "-adaptive";

/// The program preset a simulator preset name runs, and whether its
/// adaptive rules are on.
pub fn parse_preset(name: &str) -> Option<(Preset, bool)> {
    match name.strip_suffix(ADAPTIVE_SUFFIX) {
        Some(base) => Preset::from_name(base)
            .filter(|p| {
                p.liquidation()
                    .is_mode(sluice::state::LiquidationMode::Auction)
            })
            .map(|p| (p, true)),
        None => Preset::from_name(name).map(|p| (p, false)),
    }
}

/// Runs one preset on `cfg.path`. `progress` is ticked once per slot.
pub async fn run(cfg: &SimConfig, progress: impl Fn(u64)) -> Result<SimResult, String> {
    let started = Instant::now();
    let (preset, adaptive) = parse_preset(&cfg.preset).ok_or_else(|| {
        format!(
            "unknown preset {:?}; use sluice, sluice{ADAPTIVE_SUFFIX} or instant",
            cfg.preset
        )
    })?;
    let p0 = cfg.path.first().ok_or("empty price path")?;
    let mut env = Env::new().await;
    // slots move the Clock, not the bank: memory stays flat over any path;
    // the runtime does not verify signatures, so none are made; the AMM's
    // swaps (the venue, not the program) write their balances
    if cfg.runtime_shortcuts {
        env.advance_in_one_bank();
        env.skip_signatures();
        env.write_venue_swaps();
        env.cache_reads();
    }
    // caps are the simulator's choice of market size, not a constraint under test
    let uncapped = PoolParams {
        deposit_cap: u64::MAX,
        borrow_cap: u64::MAX,
        ..Preset::Sluice.pool_params()
    };
    let usdc = env.add_pool(6, Feed::Pull, uncapped, 1.0).await;
    let mut sol_params = PoolParams {
        deposit_cap: u64::MAX,
        borrow_cap: u64::MAX,
        ..cfg.sol_params.unwrap_or_else(|| preset.pool_params())
    };
    // the command line's overrides, held to the program's own bounds
    if let Some(bps) = cfg.max_slippage_bps {
        sol_params.liquidation.max_slippage_bps = bps;
    }
    if let Some(secs) = cfg.twap_window_secs {
        sol_params.oracle.twap_window_secs = secs;
    }
    if let Some(secs) = cfg.guard_window_secs {
        sol_params.oracle.guard_window_secs = secs;
    }
    if let Some(slots) = cfg.seize_window_slots {
        sol_params.seize_window_slots = slots;
    }
    if let Some(slots) = cfg.sale_pace_slots {
        sol_params.sale_pace_slots = slots;
    }
    if let Some(bps) = cfg.target_health_bps {
        sol_params.liquidation.target_health_bps = bps;
    }
    sol_params.validate().map_err(|e| {
        format!(
            "--max-slippage-bps {:?} / --twap-window-secs {:?} / --guard-window-secs {:?} / \
             --seize-window-slots {:?} / --sale-pace-slots {:?} / --target-health-bps {:?}: {e}",
            cfg.max_slippage_bps,
            cfg.twap_window_secs,
            cfg.guard_window_secs,
            cfg.seize_window_slots,
            cfg.sale_pace_slots,
            cfg.target_health_bps
        )
    })?;
    // a market's own parameters: its positions are opened under an LTV just
    // short of its threshold (some stand over its LTV after a fall), and
    // its LTV is restored before the path starts
    let setup_params = match cfg.sol_params {
        Some(_) => PoolParams {
            risk: sluice::state::RiskParams {
                ltv_bps: sol_params
                    .risk
                    .liquidation_threshold_bps
                    .saturating_sub(1)
                    .min(sluice::constants::bounds::MAX_LTV_BPS),
                ..sol_params.risk
            },
            ..sol_params
        },
        None => sol_params,
    };
    let sol = env.add_pool(9, Feed::Pull, setup_params, p0).await;

    // lenders: supply for every borrower's debt and a quarter more, so the
    // market works at any start price (debt scales with it)
    let book = borrower_book(cfg, p0);
    let debt: u64 = book.iter().map(|b| b.1).sum();
    let lender = env.user().await;
    let supply = debt.saturating_add(debt / 4).max(1_000_000 * USDC);
    env.mint_to(&usdc.mint, &lender.pubkey(), supply).await;
    env.deposit(&lender, &usdc, supply).await.map_err(err)?;

    // the AMM and its arbitrageur
    let amm_sol = cfg.amm_sol * SOL;
    let amm_usdc = (cfg.amm_sol as f64 * p0 * 1e6) as u64;
    let amm = env.create_amm(&sol, &usdc, amm_sol, amm_usdc).await;
    if preset
        .liquidation()
        .is_mode(sluice::state::LiquidationMode::Auction)
    {
        env.register_amm(&sol, &amm).await;
    }
    let arb = env.user().await;
    env.mint_to(&sol.mint, &arb.pubkey(), 10_000_000 * SOL)
        .await;
    env.mint_to(&usdc.mint, &arb.pubkey(), 10_000_000_000 * USDC)
        .await;

    // the borrowers, a few to a transaction (the runtime processes a batch
    // exactly as the same instructions one borrower at a time; setup was
    // two thousand transactions, a fifth of the default run)
    let mint_auth = env.mint_authority();
    let mut owners = Vec::with_capacity(cfg.borrowers);
    for batch in book.chunks(SETUP_BATCH) {
        let mut wallets = Vec::with_capacity(batch.len());
        let mut ixs = Vec::new();
        let mut accounts = Vec::new();
        for &(col, _) in batch {
            let b = Keypair::new();
            let sol_acc = Keypair::new();
            let usdc_acc = Keypair::new();
            ixs.push(system_instruction::transfer(
                &env.payer(),
                &b.pubkey(),
                100_000_000,
            ));
            ixs.extend(
                env.create_token_account_ixs(&b.pubkey(), &sol.mint, &sol_acc)
                    .await,
            );
            ixs.extend(
                env.create_token_account_ixs(&b.pubkey(), &usdc.mint, &usdc_acc)
                    .await,
            );
            ixs.push(
                spl_token::instruction::mint_to(
                    &spl_token::ID,
                    &sol.mint,
                    &sol_acc.pubkey(),
                    &mint_auth.pubkey(),
                    &[],
                    col,
                )
                .expect("ix"),
            );
            env.token_accounts
                .insert((b.pubkey(), sol.mint), sol_acc.pubkey());
            env.token_accounts
                .insert((b.pubkey(), usdc.mint), usdc_acc.pubkey());
            accounts.push(sol_acc);
            accounts.push(usdc_acc);
            wallets.push(b);
        }
        let mut signers: Vec<&Keypair> = accounts.iter().collect();
        signers.push(&mint_auth);
        Chain::send(&mut env, &ixs, &signers)
            .await
            .map_err(|e| e.to_string())?;
        let mut ixs = env.refresh_prices(&[usdc, sol]);
        for (b, &(col, debt)) in wallets.iter().zip(batch) {
            ixs.push(env.ix_open_position(&b.pubkey()));
            ixs.push(env.ix_deposit_collateral(&b.pubkey(), &sol, col).await);
            ixs.push(env.ix_borrow(&b.pubkey(), &usdc, debt, &[sol]).await);
        }
        let signers: Vec<&Keypair> = wallets.iter().collect();
        Chain::send(&mut env, &ixs, &signers)
            .await
            .map_err(|e| format!("borrower setup: {e}"))?;
        owners.extend(wallets.iter().map(|b| b.pubkey()));
    }
    if setup_params != sol_params {
        let auth = env.authority.insecure_clone();
        let ix = env.ix_update_pool_params(&auth.pubkey(), &sol, sol_params);
        Chain::send(&mut env, &[ix], &[&auth])
            .await
            .map_err(|e| format!("restoring the market's LTV: {e}"))?;
    }
    if adaptive {
        // the preset's rules, fitted to the pool's own parameters
        let mut rules = sluice::presets::adaptive_for(&sol_params);
        if let Some(s) = cfg.adaptive_switches {
            rules.switches = s;
        }
        env.set_adaptive(&sol, rules)
            .await
            .map_err(|e| format!("adaptive rules: {e}"))?;
    }

    // the keeper, funded to buy lots and repay debt
    let kp = env.user().await;
    // lamports for the rent of the auction accounts its liquidations open
    // (returned when a lot settles); 10,000 borrowers keep thousands open
    env.airdrop(&kp.pubkey(), 1_000 * SOL).await;
    let keeper_debt = env
        .mint_to(&usdc.mint, &kp.pubkey(), 1_000_000_000 * USDC)
        .await;
    let keeper_collateral = env.token_account(&kp.pubkey(), &sol.mint).await;
    let mut keeper = Keeper::new(env.market, (sol, usdc), kp, keeper_collateral, keeper_debt);
    keeper.rational_instant = cfg.rational_instant;
    let initial_debt_usd = book.iter().map(|b| b.1 as f64 / 1e6).sum::<f64>();
    let buffer_usd = match preset
        .liquidation()
        .is_mode(sluice::state::LiquidationMode::Auction)
    {
        true => cfg
            .buffer_usd
            .unwrap_or(DEFAULT_BUFFER_SHARE * initial_debt_usd),
        false => 0.0,
    };
    let buffer = if buffer_usd >= 1.0 {
        Some(open_buffer(&mut env, (&sol, &usdc), buffer_usd).await?)
    } else {
        None
    };
    // every preset starts after the buffer's activation delay (whether it
    // has a buffer or not), so all see the same clock and interest
    let warmup = sluice::presets::buffer().activation_delay_slots;
    env.advance(u64::from(warmup), i64::from(warmup) * 2 / 5)
        .await;
    env.set_price(&usdc, Px::usd(1.0)).await;
    env.set_price(&sol, Px::usd(p0)).await;
    let buffer = match buffer {
        Some((b, depositor)) => {
            env.activate_buffer_stake(&b, &depositor)
                .await
                .map_err(|e| format!("buffer activation: {e}"))?;
            keeper = keeper.with_buffer(b);
            Some(b)
        }
        None => None,
    };
    keeper
        .track(&mut env, &owners)
        .await
        .map_err(|e| e.to_string())?;

    let mut res = SimResult {
        preset: cfg.preset.clone(),
        borrowers: cfg.borrowers,
        slots: cfg.path.len(),
        initial_debt_usd,
        buffer_usd,
        min_exogenous_price: f64::MAX,
        min_amm_price: f64::MAX,
        ..Default::default()
    };
    let mut total = TickReport::default();
    let mut penalty_wad: i128 = 0;
    let mut liquidated: std::collections::HashSet<Pubkey> = Default::default();
    let loop_start = Instant::now();
    let mut hashes = Rng(cfg.seed.max(1) ^ 0x5eed_51a7_4a5e_u64);
    let mut i = 0usize;
    let mut quiet = false;
    let mut restarted_at = env.transactions();
    while i < cfg.path.len() {
        let p_ext = cfg.path.get(i).unwrap_or(p0);
        // a quiet stretch (nothing to do last slot, no lot open, nobody
        // within 1% of liquidation, the AMM on the path, the path flat
        // ahead) is crossed in one warp of up to QUIET_WARP_SLOTS: the clock,
        // the seeded slot hashes and the oracle move as slot by slot, the
        // keeper has nothing to send
        let skip = if quiet {
            cfg.path.flat_from(i, QUIET_WARP_SLOTS)
        } else {
            0
        };
        if cfg.runtime_shortcuts
            && cfg.restart_every_tx > 0
            && env.transactions() >= restarted_at + cfg.restart_every_tx
        {
            env.restart_runtime().await;
            restarted_at = env.transactions();
            // hand the old runtime's freed pages back, so a long run's
            // resident memory does not creep with the allocator's arenas
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            // SAFETY: malloc_trim only releases free heap memory
            unsafe {
                libc::malloc_trim(0);
            }
        }
        let slot_started = Instant::now();
        if skip > 1 {
            env.advance(skip as u64, clock_secs(i, skip)).await;
            for _ in 1..skip {
                hashes.bytes32();
            }
            env.set_slot_hash(hashes.bytes32()).await;
            let amm_px =
                publish_oracles(&mut env, &amm, (&sol, &usdc), p_ext, cfg.pass_through).await;
            for _ in 0..skip {
                res.series.push(p_ext, amm_px, 0.0, 0.0);
            }
            res.min_exogenous_price = res.min_exogenous_price.min(p_ext);
            res.min_amm_price = res.min_amm_price.min(amm_px);
            progress(skip as u64);
            i += skip;
            quiet = false;
            res.warped.0 += skip as u64;
            res.warped.1 += slot_started.elapsed().as_secs_f64();
            continue;
        }
        env.advance(1, clock_secs(i, 1)).await;
        // the auction jitter reads SlotHashes: seeded, so a run replays exactly
        env.set_slot_hash(hashes.bytes32()).await;
        arbitrage(&mut env, &amm, &arb, p_ext, cfg).await;
        let amm_px = publish_oracles(&mut env, &amm, (&sol, &usdc), p_ext, cfg.pass_through).await;
        let mut venue = AmmVenue { amm: &amm };
        let r = keeper
            .tick(&mut env, &mut venue)
            .await
            .map_err(|e| format!("slot {i}: {e}"))?;
        let amm_after = usd_per_sol(amm.reserves(&mut env).await);
        res.min_exogenous_price = res.min_exogenous_price.min(p_ext);
        res.min_amm_price = res.min_amm_price.min(amm_after).min(amm_px);
        // the pools as the tick left them, read once: the health pass (for
        // the plot and the quiet check), the penalties and the quiet check
        let (cp, dp) = (env.pool(&sol).await, env.pool(&usdc).await);
        let slot = env.clock().await.slot;
        let health = spot_health_factors(&keeper, (sol.pool, &cp), (usdc.pool, &dp), slot);
        res.series.push(
            p_ext,
            amm_after,
            r.seized as f64 / 1e9,
            unhealthy_share(&health),
        );
        // a keeper transaction that failed for a reason the keeper does not
        // expect (not a lost race, a cap or the guard): counted and shown,
        // never silent (a keeper out of rent lamports once looked like bad debt)
        res.keeper_errors += r.errors.len() as u64;
        if res.first_keeper_error.is_none() {
            res.first_keeper_error = r.errors.first().map(|e| format!("slot {i}: {e}"));
        }
        liquidated.extend(r.positions_liquidated.iter().copied());
        total.scanned += r.scanned;
        total.liquidations += r.liquidations;
        total.sold += r.sold;
        total.takes += r.takes;
        total.redos += r.redos;
        // what borrowers lost this slot: collateral out at the oracle price
        // minus the debt it retired (prices of this slot, refreshed by the tick)
        for m in &r.moved {
            penalty_wad += m.collateral * cp.spot_price_wad.get() as i128
                - (m.debt * dp.spot_price_wad.get()) as i128;
        }
        total.absorbs += r.absorbs;
        total.absorbed_debt += r.absorbed_debt;
        total.absorbed_collateral += r.absorbed_collateral;
        total.buffer_bought += r.buffer_bought;
        quiet = r.moved.is_empty()
            && r.seized == 0
            && r.sold == 0
            && r.redos == 0
            && r.bad_debt_settled == 0
            && (amm_after / p_ext - 1.0).abs() < 1e-9
            && cp.auction_collateral == 0
            && buffer_empty_of_collateral(&mut env, buffer.as_ref()).await
            && health.iter().all(|&f| f > 1.01);
        progress(1);
        i += 1;
        res.stepped.0 += 1;
        res.stepped.1 += slot_started.elapsed().as_secs_f64();
    }
    let loop_secs = loop_start.elapsed().as_secs_f64();

    // books at the end
    let dpool = env.pool(&usdc).await;
    let ins = env.insurance(&usdc).await;
    let cpool = env.pool(&sol).await;
    env.assert_books(&usdc).await;
    env.assert_books(&sol).await;
    let final_px = usd_per_sol(amm.reserves(&mut env).await);
    let mut underwater = 0.0;
    for t in &keeper.positions {
        let p: sluice::state::Position = env.position(&t.owner).await;
        let col: u64 = p.collateral.iter().map(|c| c.amount).sum();
        let debt: f64 = p
            .debts
            .iter()
            .map(|d| {
                sluice::math::shares::debt_amount(
                    d.scaled_debt,
                    dpool.borrow_index.get(),
                    sluice::math::Rounding::Up,
                )
                .unwrap_or(0) as f64
                    / 1e6
            })
            .sum();
        let value = col as f64 / 1e9 * final_px;
        if debt > value && p.open_auctions == 0 {
            underwater += debt - value;
        }
    }
    // debt still in auctions is counted at what their lots are worth now
    let auction_gap = (dpool.auction_debt as f64 / 1e6
        - cpool.auction_collateral as f64 / 1e9 * final_px)
        .max(0.0);
    res.bad_debt_realized_usd = dpool.total_bad_debt as f64 / 1e6;
    res.bad_debt_usd = res.bad_debt_realized_usd + underwater + auction_gap;
    res.buffer_used_usd = ins.total_paid as f64 / 1e6;
    res.socialized_usd = dpool.total_socialized as f64 / 1e6;
    res.liquidation_drawdown_pct = (res.min_amm_price / res.min_exogenous_price - 1.0) * 100.0;
    res.collateral_sold_sol = total.sold as f64 / 1e9;
    res.penalties_usd = penalty_wad as f64 / sluice::math::WAD as f64;
    res.positions_liquidated = liquidated.len();
    res.liquidations = total.liquidations;
    res.takes = total.takes;
    res.redos = total.redos;
    res.absorbs = total.absorbs;
    res.absorbed_debt_usd = total.absorbed_debt as f64 / 1e6;
    res.absorbed_sol = total.absorbed_collateral as f64 / 1e9;
    res.buffer_sold_sol = total.buffer_bought as f64 / 1e9;
    if let Some(b) = &buffer {
        let state: sluice::state::BufferPool = env.anchor_account(&b.buffer).await;
        env.assert_buffer_books(b).await;
        res.buffer_held_sol = state.collateral_balance as f64 / 1e9;
        res.buffer_pnl_usd = state.debt_balance as f64 / 1e6
            + state.collateral_balance as f64 / 1e9 * final_px
            - buffer_usd.floor();
    }
    let ideal = ideal(cfg, &book);
    res.ideal_bad_debt_usd = ideal.bad_debt_usd;
    res.bad_debt_beyond_ideal_usd = (res.bad_debt_usd - ideal.bad_debt_usd).max(0.0);
    res.bad_debt_beyond_ideal_pct =
        100.0 * res.bad_debt_beyond_ideal_usd / initial_debt_usd.max(1e-9);
    res.wall_secs = started.elapsed().as_secs_f64();
    res.transactions = env.transactions();
    res.slots_per_sec = cfg.path.len() as f64 / loop_secs.max(1e-9);
    res.positions_scanned_per_sec = total.scanned as f64 / loop_secs.max(1e-9);
    Ok(res)
}

/// The borrowers of a run: (collateral SOL units, debt USDC units) each,
/// collateral 20..220 SOL at LTV 35%..74.5% of the starting price, drawn from
/// the seeded generator (the same book for every preset and for `ideal`).
pub fn borrower_book(cfg: &SimConfig, p0: f64) -> Vec<(u64, u64)> {
    let book = match &cfg.book {
        Some(book) => book.to_vec(),
        None => {
            let mut rng = Rng(cfg.seed.max(1));
            (0..cfg.borrowers)
                .map(|_| {
                    let col = ((20.0 + 200.0 * rng.next()) * 1e9) as u64;
                    let ltv = 0.35 + 0.395 * rng.next();
                    let debt = ((col as f64 / 1e9) * p0 * ltv * 1e6) as u64;
                    (col, debt)
                })
                .collect()
        }
    };
    // positions already past the liquidation threshold at the start cannot
    // be opened (a keeper would liquidate them in the first slot): a given
    // book, or a market's own threshold under the seeded one (the default
    // book's 74.5% never reaches the preset's 80%)
    let threshold = cfg.threshold_bps().saturating_sub(1) as f64 / 1e4;
    book.into_iter()
        .filter(|&(col, debt)| (debt as f64 / 1e6) < (col as f64 / 1e9) * p0 * threshold * 0.9999)
        .collect()
}

/// The `ideal` reference: a frictionless liquidator that closes each
/// position at the exogenous price, with no market impact, in the first slot
/// its liquidation threshold is crossed. Its bad debt (a position whose
/// collateral is already worth less than its debt in that slot) is what no
/// design can avoid on this path. Interest over the path is ignored.
pub fn ideal(cfg: &SimConfig, book: &[(u64, u64)]) -> SimResult {
    let threshold = cfg.threshold_bps() as f64 / 1e4;
    let mut res = SimResult {
        preset: "ideal".into(),
        borrowers: cfg.borrowers,
        slots: cfg.path.len(),
        min_exogenous_price: cfg.path.min(),
        initial_debt_usd: book.iter().map(|b| b.1 as f64 / 1e6).sum(),
        ..Default::default()
    };
    res.min_amm_price = res.min_exogenous_price;
    // the path's running low, run by run: a position is first liquidatable
    // in the run where the low first falls under its liquidation price (a
    // binary search, so a path of millions of slots costs a log per
    // borrower); that run's price is the new low
    let lows: Vec<(f64, f64)> = cfg
        .path
        .run_starts()
        .scan(f64::MAX, |low, (_, p)| {
            *low = low.min(p);
            Some((*low, p))
        })
        .collect();
    for &(col, debt) in book {
        let (col, debt) = (col as f64 / 1e9, debt as f64 / 1e6);
        let first = lows.partition_point(|&(low, _)| col * low * threshold >= debt);
        if let Some(&(_, p)) = lows.get(first) {
            res.positions_liquidated += 1;
            res.liquidations += 1;
            res.collateral_sold_sol += (debt / p).min(col);
            res.bad_debt_usd += (debt - col * p).max(0.0);
        }
    }
    res.bad_debt_realized_usd = res.bad_debt_usd;
    res.ideal_bad_debt_usd = res.bad_debt_usd;
    res
}

/// Creates the (SOL, USDC) buffer pool with the preset's parameters and a
/// depositor's `usd` (active after the activation delay); returns the
/// buffer and the depositor.
async fn open_buffer(
    env: &mut Env,
    (sol, usdc): (&PoolKeys, &PoolKeys),
    usd: f64,
) -> Result<(sluice_client::BufferKeys, Pubkey), String> {
    let b = env.init_buffer(sol, usdc, sluice::presets::buffer()).await;
    let depositor = env.user().await;
    let amount = (usd * 1e6) as u64;
    env.mint_to(&usdc.mint, &depositor.pubkey(), amount).await;
    env.buffer_deposit(&depositor, &b, amount)
        .await
        .map_err(|e| format!("buffer deposit: {e}"))?;
    Ok((b, depositor.pubkey()))
}

/// Moves the AMM toward `p_ext`, trading at most the slot's arbitrage
/// capacity: `cfg.arb_usd_per_sec` over a slot, or else `cfg.arb_bps` of
/// the AMM's SOL reserve.
async fn arbitrage(env: &mut Env, amm: &Amm, arb: &Keypair, p_ext: f64, cfg: &SimConfig) {
    let (x, y) = amm.reserves(env).await;
    let target_units = p_ext * 1e6 / 1e9; // USDC units per SOL unit
    let k = x as f64 * y as f64;
    let x_target = (k / target_units).sqrt();
    let max_dx = match cfg.arb_usd_per_sec {
        Some(usd) => usd * scenario::SLOT_SECS / p_ext * 1e9,
        None => x as f64 * cfg.arb_bps as f64 / 10_000.0,
    };
    if x_target > x as f64 * 1.000_01 {
        // AMM too expensive: sell SOL into it
        let dx = (x_target - x as f64).min(max_dx) as u64;
        if dx > 0 {
            amm.sell_collateral(env, arb, dx).await;
        }
    } else if x_target < x as f64 * 0.999_99 {
        let dx = (x as f64 - x_target).min(max_dx);
        // quote needed to take dx out: y * dx / (x - dx)
        let dy = (y as f64 * dx / (x as f64 - dx)) as u64;
        if dy > 0 {
            amm.buy_collateral(env, arb, dy).await;
        }
    }
}

/// Seconds the clock moves over `n` slots from slot `i` of the path: one
/// slot is 0.4 s, so the clock (whole seconds) moves 2 s every 5 slots.
fn clock_secs(i: usize, n: usize) -> i64 {
    ((i + n) * 2 / 5 - i * 2 / 5) as i64
}

/// Publishes this slot's oracle prices (SOL at the exogenous price plus
/// `pass_through` of the AMM's deviation from it: the AMM's own price in the
/// thin calibration; USDC at $1) and returns the AMM's SOL price.
async fn publish_oracles(
    env: &mut Env,
    amm: &Amm,
    (sol, usdc): (&PoolKeys, &PoolKeys),
    p_ext: f64,
    pass_through: f64,
) -> f64 {
    let amm_px = usd_per_sol(amm.reserves(env).await);
    // the exogenous price plus the share of the AMM's deviation that
    // arbitrage carries to the venues the oracle reads
    let oracle_px = if pass_through >= 1.0 {
        amm_px
    } else {
        p_ext + pass_through * (amm_px - p_ext)
    };
    env.set_price(usdc, Px::usd(1.0)).await;
    env.set_price(sol, Px::usd(oracle_px)).await;
    amm_px
}

/// Whether the pair's buffer pool (if any) holds no collateral to sell.
async fn buffer_empty_of_collateral(env: &mut Env, buffer: Option<&BufferKeys>) -> bool {
    match buffer {
        Some(b) => {
            let state: sluice::state::BufferPool = env.anchor_account(&b.buffer).await;
            state.collateral_balance == 0
        }
        None => true,
    }
}

/// Most slots a quiet stretch is crossed in at once (10 s, well within the
/// oracle's 60 s age limit).
const QUIET_WARP_SLOTS: usize = 25;

/// Health factors at spot prices of the keeper's positions with debt, on
/// the (collateral, debt) pools given (0 where health cannot be computed).
/// Spot, not the guard: after a fall the guard still values collateral
/// higher.
fn spot_health_factors(
    keeper: &Keeper,
    collateral: (Pubkey, &Pool),
    debt: (Pubkey, &Pool),
    slot: u64,
) -> Vec<f64> {
    let loaded = [collateral, debt];
    keeper
        .positions
        .iter()
        .filter(|t| t.position.has_debt())
        .map(|t| {
            sluice::health::position_health(
                &t.position,
                &loaded,
                &[],
                slot,
                i64::MIN,
                sluice::health::HealthType::Spot,
            )
            .map_or(0.0, |h| h.factor_wad() as f64 / sluice::math::WAD as f64)
        })
        .collect()
}

/// The share of positions with debt that are unhealthy at spot, from
/// their [`spot_health_factors`].
fn unhealthy_share(factors: &[f64]) -> f64 {
    if factors.is_empty() {
        return 0.0;
    }
    let bad = factors.iter().filter(|&&f| f < 1.0).count();
    bad as f64 / factors.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path of any length keeps between SERIES_POINTS and twice as many
    /// points, and what a plot reads off it survives the merging: the low,
    /// the total seized, the worst unhealthy share.
    #[test]
    fn series_stays_bounded_and_keeps_lows_totals_and_highs() {
        let mut s = Series::default();
        let n = 5 * SERIES_POINTS + 123;
        for i in 0..n {
            let px = 100.0 - (i % 977) as f64 * 0.01;
            let crash = if i == 31_337 { 1.0 } else { 0.0 };
            s.push(px, px - crash, 0.5, crash * 0.25);
        }
        assert!(s.stride > 1);
        assert!(s.exogenous.len() >= SERIES_POINTS && s.exogenous.len() < 2 * SERIES_POINTS + 1);
        assert_eq!(s.exogenous.len(), n.div_ceil(s.stride));
        let px = |i: usize| 100.0 - (i % 977) as f64 * 0.01;
        let low = (0..n)
            .map(|i| px(i) - f64::from(u8::from(i == 31_337)))
            .fold(f64::MAX, f64::min);
        assert_eq!(s.amm.iter().copied().fold(f64::MAX, f64::min), low);
        assert!(s.amm[31_337 / s.stride] <= px(31_337) - 1.0);
        assert!((s.seized_sol.iter().sum::<f64>() - 0.5 * n as f64).abs() < 1e-6);
        assert_eq!(s.unhealthy_share.iter().copied().fold(0.0, f64::max), 0.25);
        assert_eq!(s.unhealthy_share[31_337 / s.stride], 0.25);

        // a short path keeps one point per slot
        let mut short = Series::default();
        for i in 0..301 {
            short.push(i as f64, 0.0, 0.0, 0.0);
        }
        assert_eq!((short.stride, short.exogenous.len()), (1, 301));
        assert_eq!(short.exogenous[300], 300.0);
    }
}
