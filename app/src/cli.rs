//! Subcommand implementations.
use std::path::PathBuf;
use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AccountDeserialize;
use anchor_spl::token::spl_token;
use base64::Engine;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use solana_keypair::Keypair;
use solana_signer::Signer;

use sluice::health::{position_health, HealthType};
use sluice::state::{InsuranceBuffer, Pool, Position};
use sluice_app::chain::rpc::RpcChain;
use sluice_app::chain::{Chain, TxError};
use sluice_app::keeper::{Keeper, OracleOnly};
use sluice_app::sim::{self, report, scenario, SimConfig};
use sluice_app::{config, ixs};
use sluice_client::{pda, Feed, PoolKeys};

pub struct SimulateArgs {
    pub borrowers: usize,
    pub scenario: String,
    pub price_path: Option<PathBuf>,
    pub preset: String,
    pub json: bool,
    pub out: Option<PathBuf>,
    pub amm_sol: u64,
    pub seed: u64,
}

/// The program logs through solana-msg, which prints to stdout on the host
/// (every rejected keeper attempt logs an AnchorError). While the simulation
/// runs, stdout points at /dev/null so the report stays clean.
struct QuietStdout {
    #[cfg(unix)]
    saved: i32,
}

impl QuietStdout {
    fn new() -> Self {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        {
            // SAFETY: plain fd syscalls on fds this process owns; on failure
            // `saved` is -1 and Drop leaves stdout alone.
            unsafe {
                let saved = libc::dup(1);
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
                if saved >= 0 && null >= 0 {
                    libc::dup2(null, 1);
                }
                if null >= 0 {
                    libc::close(null);
                }
                QuietStdout { saved }
            }
        }
        #[cfg(not(unix))]
        QuietStdout {}
    }
}

impl Drop for QuietStdout {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        #[cfg(unix)]
        if self.saved >= 0 {
            // SAFETY: restores the descriptor saved in `new`.
            unsafe {
                libc::dup2(self.saved, 1);
                libc::close(self.saved);
            }
        }
    }
}

pub async fn simulate(a: SimulateArgs) -> Result<(), String> {
    let (name, path) = match &a.price_path {
        Some(p) => (p.display().to_string(), scenario::read_csv(p)?),
        None => (a.scenario.clone(), scenario::builtin(&a.scenario)?),
    };
    let presets: Vec<&str> = a
        .preset
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    for p in &presets {
        if sluice::presets::liquidation(p).is_none() {
            return Err(format!(
                "unknown preset {p:?}; use {}",
                sluice::presets::PRESETS.join(",")
            ));
        }
    }
    if a.borrowers == 0 {
        return Err("--borrowers must be at least 1".into());
    }
    let mut results = Vec::new();
    for p in presets {
        let mut cfg = SimConfig::new(p, path.clone(), a.borrowers);
        cfg.amm_sol = a.amm_sol;
        cfg.seed = a.seed;
        let bar = ProgressBar::new(path.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:40}] {pos}/{len} slots {elapsed}")
                .map_err(|e| e.to_string())?
                .progress_chars("=> "),
        );
        bar.set_prefix(p.to_string());
        let quiet = QuietStdout::new();
        let r = sim::run(&cfg, |n| bar.inc(n)).await;
        drop(quiet);
        let r = r?;
        bar.finish_and_clear();
        results.push(r);
    }
    if a.json {
        println!("{}", report::json(&name, &results));
    } else {
        print!("{}", report::table(&name, &results));
        for r in &results {
            println!(
                "{}: {} liquidations, {} takes, {} redos, {:.0} slots/s, {:.0} positions scanned/s",
                r.preset,
                r.liquidations,
                r.takes,
                r.redos,
                r.slots_per_sec,
                r.positions_scanned_per_sec
            );
        }
    }
    if let Some(dir) = &a.out {
        for f in sim::plot::write_all(dir, &results)? {
            eprintln!("wrote {f}");
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ cluster helpers

#[derive(Args, Clone)]
pub struct ClusterArgs {
    /// JSON-RPC URL of the cluster.
    #[arg(long, default_value = "http://127.0.0.1:8899")]
    pub url: String,
    /// Keypair file (a JSON array of 64 bytes, as solana-keygen writes it).
    #[arg(long)]
    pub keypair: Option<PathBuf>,
    /// Priority fee in micro-lamports per compute unit (0: none).
    #[arg(long, default_value_t = 0)]
    pub priority_fee: u64,
}

fn read_keypair(path: &PathBuf) -> Result<Keypair, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes: Vec<u8> = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a keypair file: {e}", path.display()))?;
    Keypair::try_from(&bytes[..]).map_err(|e| format!("{}: {e}", path.display()))
}

fn rpc(c: &ClusterArgs) -> Result<RpcChain, String> {
    let path = c
        .keypair
        .as_ref()
        .ok_or("--keypair is required to send transactions")?;
    let mut chain = RpcChain::new(&c.url, read_keypair(path)?);
    chain.priority_fee = c.priority_fee;
    Ok(chain)
}

fn pubkey(field: &str, s: &str) -> Result<Pubkey, String> {
    Pubkey::from_str(s).map_err(|_| format!("{field}: {s:?} is not a public key"))
}

async fn load<T: AccountDeserialize, C: Chain>(chain: &mut C, key: &Pubkey) -> Result<T, String> {
    let data = chain
        .account_data(key)
        .await
        .map_err(|e| e.to_string())?
        .ok_or(format!("account {key} does not exist"))?;
    T::try_deserialize(&mut &data[..]).map_err(|e| format!("account {key}: {e}"))
}

/// Everything needed to address a pool, from its on-chain state.
async fn pool_keys<C: Chain>(
    chain: &mut C,
    pool: &Pubkey,
    pull_account: Option<Pubkey>,
) -> Result<(PoolKeys, Pool), String> {
    let p: Pool = load(chain, pool).await?;
    let ins: InsuranceBuffer = load(chain, &p.insurance).await?;
    let kind = p.oracle.kind().map_err(|e| e.to_string())?;
    let (feed, oracle) = match kind {
        sluice::state::OracleKind::PythLegacy => (Feed::Legacy, p.oracle.oracle),
        sluice::state::OracleKind::PythPull => (
            Feed::Pull,
            pull_account
                .or((p.oracle.oracle != Pubkey::default()).then_some(p.oracle.oracle))
                .ok_or("this pool reads Pyth pull updates: pass the PriceUpdateV2 account")?,
        ),
    };
    Ok((
        PoolKeys {
            mint: p.mint,
            decimals: p.decimals,
            pool: *pool,
            vault: p.vault,
            share_mint: p.share_mint,
            insurance: p.insurance,
            insurance_vault: ins.vault,
            oracle,
            feed,
            feed_id: p.oracle.feed_id,
        },
        p,
    ))
}

fn ata(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    let ata_program = anchor_lang::prelude::pubkey!("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
    Pubkey::find_program_address(
        &[owner.as_ref(), spl_token::ID.as_ref(), mint.as_ref()],
        &ata_program,
    )
    .0
}

// ------------------------------------------------------------------ keeper

#[derive(Args)]
pub struct KeeperArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(long)]
    pub market: String,
    #[arg(long)]
    pub collateral_pool: String,
    #[arg(long)]
    pub debt_pool: String,
    /// PriceUpdateV2 account for the collateral pool (pull oracles).
    #[arg(long)]
    pub collateral_oracle: Option<String>,
    /// PriceUpdateV2 account for the debt pool (pull oracles).
    #[arg(long)]
    pub debt_oracle: Option<String>,
    /// Take lots only at this discount to the oracle (bps).
    #[arg(long, default_value_t = 100)]
    pub min_discount_bps: u16,
    /// One pass, then exit.
    #[arg(long)]
    pub once: bool,
    #[arg(long, default_value_t = 400)]
    pub interval_ms: u64,
    /// Look for new positions every this many passes.
    #[arg(long, default_value_t = 50)]
    pub rescan_every: u64,
}

pub async fn keeper(a: KeeperArgs) -> Result<(), String> {
    let mut chain = rpc(&a.cluster)?;
    let market = pubkey("--market", &a.market)?;
    let co = a
        .collateral_oracle
        .as_deref()
        .map(|s| pubkey("--collateral-oracle", s))
        .transpose()?;
    let dor = a
        .debt_oracle
        .as_deref()
        .map(|s| pubkey("--debt-oracle", s))
        .transpose()?;
    let (ck, _) = pool_keys(
        &mut chain,
        &pubkey("--collateral-pool", &a.collateral_pool)?,
        co,
    )
    .await?;
    let (dk, _) = pool_keys(&mut chain, &pubkey("--debt-pool", &a.debt_pool)?, dor).await?;
    let owners = position_owners(&chain, &market).await?;
    let signer = chain.payer.insecure_clone();
    let mut keeper = Keeper {
        market,
        collateral: ck,
        debt: dk,
        keeper_collateral: ata(&signer.pubkey(), &ck.mint),
        keeper_debt: ata(&signer.pubkey(), &dk.mint),
        signer,
        positions: Vec::new(),
        collateral_depth: Vec::new(),
    };
    keeper
        .track(&mut chain, &owners)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "{{\"event\":\"start\",\"positions\":{}}}",
        keeper.positions.len()
    );
    for pass in 1u64.. {
        if pass % a.rescan_every.max(1) == 0 {
            // positions opened since the start (or the last rescan)
            match position_owners(&chain, &market).await {
                Ok(owners) => {
                    let added = keeper
                        .track_new(&mut chain, &owners)
                        .await
                        .map_err(|e| e.to_string())?;
                    if added > 0 {
                        eprintln!("{{\"event\":\"rescan\",\"new_positions\":{added}}}");
                    }
                }
                Err(e) => eprintln!(
                    "{{\"event\":\"error\",\"message\":{}}}",
                    serde_json::to_string(&e).unwrap_or_default()
                ),
            }
        }
        let cpool: Pool = load(&mut chain, &ck.pool).await?;
        let mut venue = OracleOnly {
            oracle_price_wad: cpool.spot_price_wad.get() * 1_000_000_000_000_000_000
                / dk_price(&mut chain, &dk).await?,
            min_discount_bps: a.min_discount_bps,
        };
        match keeper.tick(&mut chain, &mut venue).await {
            Ok(r) => eprintln!(
                "{{\"event\":\"tick\",\"scanned\":{},\"liquidations\":{},\"takes\":{},\"redos\":{},\"bad_debt_settled\":{},\"capped\":{},\"twap_waits\":{},\"errors\":{}}}",
                r.scanned, r.liquidations, r.takes, r.redos, r.bad_debt_settled, r.skipped_cap, r.skipped_twap, serde_json::to_string(&r.errors).unwrap_or_default()
            ),
            Err(e) => eprintln!("{{\"event\":\"error\",\"message\":{}}}", serde_json::to_string(&e.to_string()).unwrap_or_default()),
        }
        if a.once {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(a.interval_ms)).await;
    }
    Ok(())
}

async fn dk_price(chain: &mut RpcChain, dk: &PoolKeys) -> Result<u128, String> {
    let p: Pool = load(chain, &dk.pool).await?;
    Ok(p.spot_price_wad.get().max(1))
}

/// Owners of every position of `market` (getProgramAccounts filtered on
/// the `Position` layout).
async fn position_owners(chain: &RpcChain, market: &Pubkey) -> Result<Vec<Pubkey>, String> {
    let positions = chain.positions(market).await.map_err(|e| e.to_string())?;
    Ok(positions.into_iter().map(|(_, p)| p.owner).collect())
}

// ------------------------------------------------------------------ admin

#[derive(Subcommand)]
pub enum AdminCmd {
    /// Create a market governed by `--authority` (the fee payer pays its rent).
    InitMarket {
        #[arg(long)]
        authority: String,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Validate and apply a market configuration (migrations/*.toml).
    Apply {
        file: PathBuf,
        /// Validate only; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the unsigned transactions (base64) for a multisig instead of sending.
        #[arg(long)]
        print_only: bool,
        /// The existing market to add pools to.
        #[arg(long)]
        market: Option<String>,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Propose a new market authority (step 1 of 2).
    ProposeAuthority {
        #[arg(long)]
        market: String,
        #[arg(long)]
        authority: String,
        #[arg(long)]
        new_authority: String,
        #[arg(long)]
        print_only: bool,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Accept a proposed authority (step 2, signed by the new authority).
    AcceptAuthority {
        #[arg(long)]
        market: String,
        #[arg(long)]
        new_authority: String,
        #[arg(long)]
        print_only: bool,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
}

/// An unsigned transaction (fee payer = `payer`), base64 of its wire form.
pub fn unsigned_base64(ixs: &[Instruction], payer: &Pubkey) -> String {
    let msg = solana_transaction::Message::new(ixs, Some(payer));
    let tx = solana_transaction::Transaction::new_unsigned(msg);
    base64::engine::general_purpose::STANDARD.encode(bincode::serialize(&tx).unwrap_or_default())
}

async fn emit(
    ixs: Vec<Instruction>,
    signer_key: &Pubkey,
    print_only: bool,
    cluster: &ClusterArgs,
) -> Result<(), String> {
    if print_only {
        println!("{}", unsigned_base64(&ixs, signer_key));
        return Ok(());
    }
    let mut chain = rpc(cluster)?;
    if chain.payer.pubkey() != *signer_key {
        return Err(format!(
            "the keypair is {}, but {} must sign; use --print-only to hand the transaction to that signer",
            chain.payer.pubkey(),
            signer_key
        ));
    }
    chain
        .send(&ixs, &[])
        .await
        .map_err(|e: TxError| e.to_string())
}

pub async fn admin(cmd: AdminCmd) -> Result<(), String> {
    match cmd {
        AdminCmd::InitMarket { authority, cluster } => {
            let authority = pubkey("--authority", &authority)?;
            let mut chain = rpc(&cluster)?;
            let market = Keypair::new();
            let ix = ixs::init_market(
                &chain.payer.pubkey(),
                &market.pubkey(),
                &authority,
                sluice::presets::market(),
            );
            chain
                .send(&[ix], &[&market])
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", market.pubkey());
            Ok(())
        }
        AdminCmd::Apply {
            file,
            dry_run,
            print_only,
            market,
            cluster,
        } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let plan = config::validate(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            eprintln!(
                "{}: market {:?} with {} pools is valid",
                file.display(),
                plan.name,
                plan.pools.len()
            );
            if dry_run {
                return Ok(());
            }
            let market = pubkey(
                "--market",
                market
                    .as_deref()
                    .ok_or("--market is required (create it with init_market first)")?,
            )?;
            let auth = plan.authority;
            let mut txs = Vec::new();
            for p in &plan.pools {
                // the oracle account is in `p.oracle`; the keys only address the pool
                let k =
                    PoolKeys::derive(&market, &p.mint, 0, Pubkey::default(), Feed::Pull, [0; 32]);
                let init = ixs::init_pool(&auth, &auth, &market, &k, p.oracle, p.params);
                let depth = ixs::set_depth_sources(&auth, &market, &k, p.depth);
                txs.push(vec![init, depth]);
            }
            for t in txs {
                emit(t, &auth, print_only, &cluster).await?;
            }
            Ok(())
        }
        AdminCmd::ProposeAuthority {
            market,
            authority,
            new_authority,
            print_only,
            cluster,
        } => {
            let (m, a, n) = (
                pubkey("--market", &market)?,
                pubkey("--authority", &authority)?,
                pubkey("--new-authority", &new_authority)?,
            );
            let ix = ixs::propose_authority(&a, &m, n);
            emit(vec![ix], &a, print_only, &cluster).await
        }
        AdminCmd::AcceptAuthority {
            market,
            new_authority,
            print_only,
            cluster,
        } => {
            let (m, n) = (
                pubkey("--market", &market)?,
                pubkey("--new-authority", &new_authority)?,
            );
            let ix = ixs::accept_authority(&n, &m);
            emit(vec![ix], &n, print_only, &cluster).await
        }
    }
}

// ------------------------------------------------------------------ user

#[derive(Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub cmd: UserCmd,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(long, global = true)]
    pub market: Option<String>,
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Lend `amount` base units to a pool.
    Deposit { pool: String, amount: u64 },
    /// Redeem `shares` for tokens.
    Withdraw { pool: String, shares: u64 },
    /// Borrow from a pool; `--oracle` pull accounts for each pool as POOL=ACCOUNT.
    Borrow {
        pool: String,
        amount: u64,
        #[arg(long)]
        oracle: Vec<String>,
    },
    /// Repay (u64::MAX repays everything).
    Repay { pool: String, amount: u64 },
    /// Show a position and its health under the borrow rule, the liquidation rule and spot.
    Show {
        owner: Option<String>,
        #[arg(long)]
        oracle: Vec<String>,
    },
}

pub async fn user(a: UserArgs) -> Result<(), String> {
    let market = pubkey(
        "--market",
        a.market.as_deref().ok_or("--market is required")?,
    )?;
    let mut chain = rpc(&a.cluster)?;
    let me = chain.payer.pubkey();
    let position = pda::position(&market, &me);
    let oracles = |list: &[String]| -> Result<Vec<(Pubkey, Pubkey)>, String> {
        list.iter()
            .map(|s| {
                let (p, o) = s
                    .split_once('=')
                    .ok_or(format!("--oracle {s:?}: expected POOL=ACCOUNT"))?;
                Ok((pubkey("--oracle pool", p)?, pubkey("--oracle account", o)?))
            })
            .collect()
    };
    match a.cmd {
        UserCmd::Deposit { pool, amount } => {
            let (k, _) =
                pool_keys(&mut chain, &pubkey("pool", &pool)?, Some(Pubkey::default())).await?;
            let (source, shares) = (ata(&me, &k.mint), ata(&me, &k.share_mint));
            let ix = ixs::deposit(&me, &market, &k, &source, &shares, amount);
            chain.send(&[ix], &[]).await.map_err(|e| e.to_string())
        }
        UserCmd::Withdraw { pool, shares } => {
            let (k, _) =
                pool_keys(&mut chain, &pubkey("pool", &pool)?, Some(Pubkey::default())).await?;
            let (source, destination) = (ata(&me, &k.share_mint), ata(&me, &k.mint));
            let ix = ixs::withdraw(&me, &market, &k, &source, &destination, shares);
            chain.send(&[ix], &[]).await.map_err(|e| e.to_string())
        }
        UserCmd::Repay { pool, amount } => {
            let (k, _) =
                pool_keys(&mut chain, &pubkey("pool", &pool)?, Some(Pubkey::default())).await?;
            let ix = ixs::repay(&me, &market, &me, &k, &ata(&me, &k.mint), amount);
            chain.send(&[ix], &[]).await.map_err(|e| e.to_string())
        }
        UserCmd::Borrow {
            pool,
            amount,
            oracle,
        } => {
            let pos: Position = load(&mut chain, &position).await?;
            let target = pubkey("pool", &pool)?;
            let orc = oracles(&oracle)?;
            let mut pools: Vec<Pubkey> = pos.pools().collect();
            if !pools.contains(&target) {
                pools.push(target);
            }
            let mut ixs_ = Vec::new();
            for p in &pools {
                let acc = orc.iter().find(|(k, _)| k == p).map(|(_, o)| *o);
                let (k, _) = pool_keys(&mut chain, p, acc).await?;
                ixs_.push(ixs::refresh_price(&k));
            }
            let (k, _) = pool_keys(&mut chain, &target, Some(Pubkey::default())).await?;
            let others: Vec<Pubkey> = pools.iter().copied().filter(|p| *p != target).collect();
            let destination = ata(&me, &k.mint);
            ixs_.push(ixs::borrow(&me, &market, &k, &destination, amount, &others));
            chain.send(&ixs_, &[]).await.map_err(|e| e.to_string())
        }
        UserCmd::Show { owner, oracle: _ } => {
            let owner = owner
                .as_deref()
                .map(|o| pubkey("owner", o))
                .transpose()?
                .unwrap_or(me);
            let key = pda::position(&market, &owner);
            let pos: Position = load(&mut chain, &key).await?;
            let mut states = Vec::new();
            for p in pos.pools() {
                states.push((p, load::<Pool, _>(&mut chain, &p).await?));
            }
            println!("position {key} (owner {owner})");
            for c in pos.collateral.iter().filter(|c| c.amount > 0) {
                println!("  collateral {} units in pool {}", c.amount, c.pool);
            }
            for d in pos.debts.iter().filter(|d| d.scaled_debt > 0) {
                let idx = states
                    .iter()
                    .find(|(k, _)| *k == d.pool)
                    .map_or(sluice::math::WAD, |(_, p)| p.borrow_index.get());
                let owed = sluice::math::shares::debt_amount(
                    d.scaled_debt,
                    idx,
                    sluice::math::Rounding::Up,
                )
                .unwrap_or(0);
                println!("  debt {owed} units to pool {}", d.pool);
            }
            let slot = states.iter().map(|(_, p)| p.price_slot).min().unwrap_or(0);
            let loaded: Vec<(Pubkey, &Pool)> = states.iter().map(|(k, p)| (*k, p)).collect();
            for (name, mode) in [
                ("borrow rule (LTV)", HealthType::Initial),
                ("liquidation rule", HealthType::Maintenance),
                ("spot", HealthType::Spot),
            ] {
                match position_health(&pos, &loaded, &[], slot, i64::MIN, mode) {
                    Ok(h) if h.debt_value == 0 => println!("  health ({name}): no debt"),
                    Ok(h) => println!("  health ({name}): {:.4}", h.factor_wad() as f64 / 1e18),
                    Err(_) => println!("  health ({name}): prices are from different slots; refresh them together first"),
                }
            }
            Ok(())
        }
    }
}
