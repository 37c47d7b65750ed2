//! `sluice user`: lend, borrow, repay and inspect a position.
use super::*;

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
