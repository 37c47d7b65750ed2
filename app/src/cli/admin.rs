//! `sluice admin`: market creation, `apply` of a market file, buffer pools,
//! authority transfer (Squads-printable).
use super::*;

#[derive(Subcommand)]
pub enum AdminCmd {
    /// Create a market governed by `--authority` (the fee payer pays its rent).
    InitMarket {
        #[arg(long)]
        authority: String,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Validate and apply a market configuration (migrations/*.toml):
    /// create its pools, or with `--update` update existing ones.
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
        /// The file's pools exist: update their parameters, depth sources
        /// and adaptive rules instead of creating them.
        #[arg(long)]
        update: bool,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Create (`--init`) or update the buffer pool of a (collateral, debt)
    /// pair: the preset's parameters, each overridable; validated locally
    /// against the program's bounds before anything is sent or printed.
    Buffer {
        #[arg(long)]
        market: String,
        #[arg(long)]
        authority: String,
        #[arg(long)]
        collateral_mint: String,
        #[arg(long)]
        debt_mint: String,
        /// Create the buffer (and its vaults) instead of updating it.
        #[arg(long)]
        init: bool,
        #[arg(long)]
        absorb_discount_bps: Option<u16>,
        #[arg(long)]
        sale_discount_bps: Option<u16>,
        #[arg(long)]
        sale_floor_bps: Option<u16>,
        #[arg(long)]
        activation_delay_slots: Option<u32>,
        #[arg(long)]
        withdrawal_cooldown_slots: Option<u32>,
        #[arg(long)]
        print_only: bool,
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
            update,
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
                let first = if update {
                    ixs::update_pool_params(&auth, &market, &k, p.params)
                } else {
                    ixs::init_pool(&auth, &auth, &market, &k, p.oracle, p.params)
                };
                let depth = ixs::set_depth_sources(&auth, &market, &k, p.depth);
                let mut tx = vec![first, depth];
                if let Some(a) = p.adaptive {
                    tx.push(ixs::update_adaptive_params(&auth, &market, &k, a));
                }
                txs.push(tx);
            }
            for t in txs {
                emit(t, &auth, print_only, &cluster).await?;
            }
            Ok(())
        }
        AdminCmd::Buffer {
            market,
            authority,
            collateral_mint,
            debt_mint,
            init,
            absorb_discount_bps,
            sale_discount_bps,
            sale_floor_bps,
            activation_delay_slots,
            withdrawal_cooldown_slots,
            print_only,
            cluster,
        } => {
            let d = sluice::presets::buffer();
            let params = sluice::state::BufferParams {
                absorb_discount_bps: absorb_discount_bps.unwrap_or(d.absorb_discount_bps),
                sale_discount_bps: sale_discount_bps.unwrap_or(d.sale_discount_bps),
                sale_floor_bps: sale_floor_bps.unwrap_or(d.sale_floor_bps),
                activation_delay_slots: activation_delay_slots.unwrap_or(d.activation_delay_slots),
                withdrawal_cooldown_slots: withdrawal_cooldown_slots
                    .unwrap_or(d.withdrawal_cooldown_slots),
            };
            params
                .validate()
                .map_err(|e| format!("buffer parameters: {e}"))?;
            let (m, a) = (
                pubkey("--market", &market)?,
                pubkey("--authority", &authority)?,
            );
            let key = |field, s: &str| -> Result<PoolKeys, String> {
                let mint = pubkey(field, s)?;
                Ok(PoolKeys::derive(
                    &m,
                    &mint,
                    0,
                    Pubkey::default(),
                    Feed::Pull,
                    [0; 32],
                ))
            };
            let b = sluice_client::BufferKeys::derive(
                &m,
                &key("--collateral-mint", &collateral_mint)?,
                &key("--debt-mint", &debt_mint)?,
            );
            let ix = if init {
                ixs::init_buffer(&a, &a, &b, params)
            } else {
                ixs::update_buffer_params(&a, &b, params)
            };
            eprintln!("buffer {} with {params:?}", b.buffer);
            emit(vec![ix], &a, print_only, &cluster).await
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
