//! The `sluice` subcommands, one file each, and the cluster helpers they share.
mod admin;
mod bench;
mod keeper;
mod risk;
mod simulate;
mod user;

pub use admin::{admin, AdminCmd};
pub use bench::{bench, BenchArgs};
pub use keeper::{keeper, KeeperArgs};
pub use risk::{risk, RiskArgs};
pub use simulate::{simulate, SimulateArgs};
pub use user::{user, UserArgs};

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
use sluice_app::keeper::{Keeper, MarketKeeper};
use sluice_app::sim::{self, report, scenario, SimConfig};
use sluice_app::{config, ixs};
use sluice_client::{pda, Feed, PoolKeys};

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
