//! `sluice keeper`: the liquidation keeper against a JSON-RPC cluster.
use super::*;

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
    /// Also work the pair's buffer pool: absorb what the cap cannot sell and
    /// buy the buffer's collateral when the venue pays more (the buffer must exist).
    #[arg(long)]
    pub buffer: bool,
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
    let (kc, kd) = (
        ata(&signer.pubkey(), &ck.mint),
        ata(&signer.pubkey(), &dk.mint),
    );
    let mut keeper = Keeper::new(market, (ck, dk), signer, kc, kd);
    if a.buffer {
        let b = sluice_client::BufferKeys::derive(&market, &ck, &dk);
        let found = chain
            .account_data(&b.buffer)
            .await
            .map_err(|e| e.to_string())?;
        if found.is_none() {
            return Err(format!(
                "--buffer: no buffer pool at {} for this pair (create it with `sluice admin buffer --init`)",
                b.buffer
            ));
        }
        keeper = keeper.with_buffer(b);
    }
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
                "{{\"event\":\"tick\",\"scanned\":{},\"liquidations\":{},\"takes\":{},\"redos\":{},\"bad_debt_settled\":{},\"capped\":{},\"twap_waits\":{},\"lost_races\":{},\"errors\":{}}}",
                r.scanned, r.liquidations, r.takes, r.redos, r.bad_debt_settled, r.skipped_cap, r.skipped_twap, r.skipped_stale, serde_json::to_string(&r.errors).unwrap_or_default()
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
