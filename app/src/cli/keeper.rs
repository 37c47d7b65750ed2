//! `sluice keeper`: the liquidation keeper against a JSON-RPC cluster.
use super::*;

#[derive(Args)]
pub struct KeeperArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[arg(long)]
    pub market: String,
    /// A collateral/debt pair to serve, `COLLATERAL_POOL:DEBT_POOL`; repeat
    /// for every pair of the market (one process serves them all).
    #[arg(long = "pair", required = true)]
    pub pairs: Vec<String>,
    /// `POOL=ACCOUNT`: the PriceUpdateV2 account of a pool that reads Pyth
    /// pull updates without a fixed account; repeat per pool.
    #[arg(long = "pull-oracle")]
    pub pull_oracles: Vec<String>,
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
    /// Also work each pair's buffer pool: absorb what the cap cannot sell and
    /// buy the buffer's collateral when the venue pays more (every pair
    /// served must have one).
    #[arg(long)]
    pub buffer: bool,
}

/// `A:B` as two keys.
fn pair(s: &str) -> Result<(Pubkey, Pubkey), String> {
    let (c, d) = s
        .split_once(':')
        .ok_or(format!("--pair {s:?}: expected COLLATERAL_POOL:DEBT_POOL"))?;
    Ok((pubkey("--pair", c)?, pubkey("--pair", d)?))
}

pub async fn keeper(a: KeeperArgs) -> Result<(), String> {
    let mut chain = rpc(&a.cluster)?;
    let market = pubkey("--market", &a.market)?;
    let mut pull = std::collections::HashMap::new();
    for o in &a.pull_oracles {
        let (pool, account) = o
            .split_once('=')
            .ok_or(format!("--pull-oracle {o:?}: expected POOL=ACCOUNT"))?;
        pull.insert(
            pubkey("--pull-oracle", pool)?,
            pubkey("--pull-oracle", account)?,
        );
    }
    let pairs = a
        .pairs
        .iter()
        .map(|s| pair(s))
        .collect::<Result<Vec<_>, _>>()?;
    // every pool named in a pair, addressed once
    let mut pools: Vec<PoolKeys> = Vec::new();
    for key in pairs.iter().flat_map(|(c, d)| [*c, *d]) {
        if !pools.iter().any(|k| k.pool == key) {
            pools.push(
                pool_keys(&mut chain, &key, pull.get(&key).copied())
                    .await?
                    .0,
            );
        }
    }
    let find = |key: &Pubkey| pools.iter().find(|k| k.pool == *key).copied();
    let signer = chain.payer.insecure_clone();
    let mut keepers = Vec::new();
    for (c, d) in &pairs {
        let loaded = |k: &Pubkey| find(k).ok_or(format!("--pair: pool {k} was not loaded"));
        let (ck, dk) = (loaded(c)?, loaded(d)?);
        let others = pools
            .iter()
            .filter(|k| k.pool != *c && k.pool != *d)
            .copied()
            .collect();
        let (kc, kd) = (
            ata(&signer.pubkey(), &ck.mint),
            ata(&signer.pubkey(), &dk.mint),
        );
        let mut k =
            Keeper::new(market, (ck, dk), signer.insecure_clone(), kc, kd).with_other_pools(others);
        if a.buffer {
            let b = sluice_client::BufferKeys::derive(&market, &ck, &dk);
            let found = chain
                .account_data(&b.buffer)
                .await
                .map_err(|e| e.to_string())?;
            if found.is_none() {
                return Err(format!(
                    "--buffer: no buffer pool at {} for the pair {c}:{d} (create it with `sluice admin buffer --init`)",
                    b.buffer
                ));
            }
            k = k.with_buffer(b);
        }
        keepers.push(k);
    }
    let mut keeper = MarketKeeper {
        pairs: keepers,
        min_discount_bps: a.min_discount_bps,
    };
    let owners = position_owners(&chain, &market).await?;
    let tracked = keeper
        .track_new(&mut chain, &owners)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "{{\"event\":\"start\",\"pairs\":{},\"positions\":{tracked}}}",
        keeper.pairs.len()
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
        let reports = keeper.tick(&mut chain).await;
        for (k, r) in keeper.pairs.iter().zip(reports) {
            let pair = format!("{}:{}", k.collateral.pool, k.debt.pool);
            match r {
                Ok(r) => eprintln!(
                    "{{\"event\":\"tick\",\"pair\":\"{pair}\",\"scanned\":{},\"liquidations\":{},\"takes\":{},\"redos\":{},\"absorbs\":{},\"bad_debt_settled\":{},\"capped\":{},\"twap_waits\":{},\"lost_races\":{},\"errors\":{}}}",
                    r.scanned, r.liquidations, r.takes, r.redos, r.absorbs, r.bad_debt_settled, r.skipped_cap, r.skipped_twap, r.skipped_stale, serde_json::to_string(&r.errors).unwrap_or_default()
                ),
                Err(e) => eprintln!("{{\"event\":\"error\",\"pair\":\"{pair}\",\"message\":{}}}", serde_json::to_string(&e.to_string()).unwrap_or_default()),
            }
        }
        if a.once {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(a.interval_ms)).await;
    }
    Ok(())
}

/// Owners of every position of `market` (getProgramAccounts filtered on
/// the `Position` layout).
async fn position_owners(chain: &RpcChain, market: &Pubkey) -> Result<Vec<Pubkey>, String> {
    let positions = chain.positions(market).await.map_err(|e| e.to_string())?;
    Ok(positions.into_iter().map(|(_, p)| p.owner).collect())
}
