//! Test harness: the `sluice` program on solana-program-test's native
//! processor, the real SPL Token program, and Pyth price accounts written
//! byte-for-byte in their on-chain layouts, owned by the real Pyth program ids.
#![allow(clippy::result_large_err)]
// solana-program-test 3.x marks its whole API "unstable" with deprecation warnings.
#![allow(deprecated)]

use std::collections::HashMap;

use anchor_lang::prelude::{AccountInfo, Clock, Pubkey, Rent};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::solana_program::instruction::error::InstructionError;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use anchor_lang::{AccountDeserialize, AccountSerialize, InstructionData, ToAccountMetas};
use anchor_spl::token::spl_token;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_account::{Account, AccountSharedData};
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub use sluice;
use sluice::constants::*;
use sluice::state::{
    Auction, DepthKind, DepthSource, InsuranceBuffer, Market, MarketParams, OracleConfig,
    OracleParams, Pool, PoolParams, Position, RateParams, RiskParams,
};

pub type TxResult = Result<(), BanksClientError>;

/// Native entry for the program. Anchor 1.x ties program id, accounts and
/// data to one `'info`; the runtime keeps all three alive for the whole call,
/// so widening the borrows to `'static` here (test harness only) is sound.
fn entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let program_id: &'static Pubkey = unsafe { std::mem::transmute(program_id) };
    let accounts: &'static [AccountInfo<'static>] = unsafe { std::mem::transmute(accounts) };
    let data: &'static [u8] = unsafe { std::mem::transmute(data) };
    sluice::entry(program_id, accounts, data)
}

pub fn program_test() -> ProgramTest {
    // program-test logs every instruction at debug level; keep test output
    // readable unless the caller asks for logs with RUST_LOG.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        if std::env::var_os("RUST_LOG").is_none() {
            std::env::set_var("RUST_LOG", "error");
        }
    });
    let pt = if sbf() {
        // the real SBPF ELF ($SBF_OUT_DIR/sluice.so) in the VM: 4 KB stack
        // frames, 32 KB heap, compute metering
        let mut pt = ProgramTest::new("sluice", sluice::ID, None);
        pt.prefer_bpf(true);
        pt
    } else {
        ProgramTest::new("sluice", sluice::ID, processor!(entry))
    };
    // no `set_compute_max_units`: each transaction gets the limit it
    // requests (`Env::send`), as on a cluster
    pt
}

/// True when the suite runs on the SBF build (`SLUICE_SBF=1`, with
/// `SBF_OUT_DIR` holding `sluice.so`); false for the native processor.
pub fn sbf() -> bool {
    std::env::var_os("SLUICE_SBF").is_some_and(|v| v != "0" && !v.is_empty())
}

/// Compute units one top-level Sluice instruction consumed (SBF mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CuRecord {
    pub name: &'static str,
    pub consumed: u64,
    pub budget: u32,
}

/// Reads "Program <sluice> consumed N of M compute units" for each top-level
/// Sluice instruction of a successful transaction, in order.
pub fn cu_records(ixs: &[Instruction], logs: &[String]) -> Vec<CuRecord> {
    let id = sluice::ID.to_string();
    let mut ours = ixs.iter().filter(|i| i.program_id == sluice::ID);
    let mut depth = 0usize;
    let mut out = Vec::new();
    for l in logs {
        let Some(rest) = l.strip_prefix("Program ") else {
            continue;
        };
        let mut it = rest.splitn(2, ' ');
        let (pid, tail) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
        if tail.starts_with("invoke [") {
            depth += 1;
        } else if tail == "success" || tail.starts_with("failed") {
            depth = depth.saturating_sub(1);
        } else if depth == 1 && pid == id && tail.starts_with("consumed ") {
            let consumed = tail.split(' ').nth(1).and_then(|n| n.parse().ok());
            let budget = ours.next().and_then(|i| sluice::budgets::budget(&i.data));
            if let (Some(consumed), Some((name, budget))) = (consumed, budget) {
                out.push(CuRecord {
                    name,
                    consumed,
                    budget,
                });
            }
        }
    }
    out
}

/// Appends `test<TAB>instruction<TAB>consumed` lines to `$SLUICE_CU_LOG`.
fn record_cu(records: &[CuRecord]) {
    use std::io::Write;
    let Some(path) = std::env::var_os("SLUICE_CU_LOG") else {
        return;
    };
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let mut out = String::new();
    for r in records {
        out.push_str(&format!("{test}\t{}\t{}\n", r.name, r.consumed));
    }
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(out.as_bytes()); // allow: best-effort measurement log
    }
}

const COMPUTE_BUDGET_ID: Pubkey =
    anchor_lang::prelude::pubkey!("ComputeBudget111111111111111111111111111111");

/// Default, sane pool parameters used by the tests (all within bounds).
pub fn default_params() -> PoolParams {
    PoolParams {
        risk: RiskParams {
            ltv_bps: 7_500,
            liquidation_threshold_bps: 8_000,
            liquidation_bonus_bps: 500,
        },
        rates: RateParams {
            base_rate_bps: 100,
            optimal_utilization_bps: 8_000,
            slope1_bps: 400,
            slope2_bps: 30_000,
            reserve_factor_bps: 1_000,
            ..Default::default()
        },
        oracle: OracleParams {
            max_age_secs: 60,
            max_conf_bps: 200,
            min_signatures: 0,
            twap_window_secs: 20,
            max_twap_divergence_bps: 500,
            ..Default::default()
        },
        deposit_cap: 1_000_000_000_000_000,
        borrow_cap: 1_000_000_000_000_000,
        liquidation: sluice::presets::sluice(),
        ..Default::default()
    }
}

/// Market parameters used by the tests: the preset's market defaults.
pub fn default_market_params() -> MarketParams {
    sluice::presets::market()
}

/// The Pyth format a test pool reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    Pull,
    Legacy,
}

/// Everything a test needs to address one pool.
#[derive(Clone, Copy, Debug)]
pub struct PoolKeys {
    pub mint: Pubkey,
    pub decimals: u8,
    pub pool: Pubkey,
    pub vault: Pubkey,
    pub share_mint: Pubkey,
    pub insurance: Pubkey,
    pub insurance_vault: Pubkey,
    pub oracle: Pubkey,
    pub feed: Feed,
    pub feed_id: [u8; 32],
}

/// A Pyth price as a test writes it: mantissa, confidence, exponent.
#[derive(Clone, Copy, Debug)]
pub struct Px {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    /// Seconds before the current clock the update was published.
    pub age: i64,
    pub ema: i64,
    pub verification: VerificationLevel,
    /// Legacy only: the aggregate status (1 = Trading).
    pub trading: bool,
}

impl Px {
    /// `usd` dollars per whole token, 8-decimal exponent, tight confidence.
    pub fn usd(usd: f64) -> Self {
        let price = (usd * 1e8).round() as i64;
        Px {
            price,
            conf: (price / 10_000).unsigned_abs(),
            expo: -8,
            age: 0,
            ema: price,
            verification: VerificationLevel::Full,
            trading: true,
        }
    }
}

pub struct Env {
    pub ctx: ProgramTestContext,
    pub authority: Keypair,
    pub market: Pubkey,
    nonce: u32,
    feed_counter: u8,
    pub pools: Vec<PoolKeys>,
    /// (owner, mint) -> token account
    pub token_accounts: HashMap<(Pubkey, Pubkey), Pubkey>,
    mint_authority: Keypair,
}

impl Env {
    /// A started validator with a market whose authority is a fresh keypair.
    pub async fn new() -> Self {
        Self::with_program_test(program_test()).await
    }

    pub async fn with_program_test(pt: ProgramTest) -> Self {
        let ctx = pt.start_with_context().await;
        let mut env = Env {
            ctx,
            authority: Keypair::new(),
            market: Pubkey::default(),
            nonce: 0,
            feed_counter: 0,
            pools: Vec::new(),
            token_accounts: HashMap::new(),
            mint_authority: Keypair::new(),
        };
        let auth = env.authority.pubkey();
        env.airdrop(&auth, 10_000_000_000).await;
        let market = Keypair::new();
        env.send(
            &[env.ix_init_market(&market.pubkey(), &auth, default_market_params())],
            &[&market],
        )
        .await
        .expect("init_market");
        env.market = market.pubkey();
        env
    }

    /// The mint authority of every mint this harness creates.
    pub fn mint_authority(&self) -> Keypair {
        self.mint_authority.insecure_clone()
    }

    pub fn payer(&self) -> Pubkey {
        self.ctx.payer.pubkey()
    }

    // ---------------------------------------------------------------- sending

    /// Sends `ixs` in one transaction paid by the context payer and signed by
    /// `signers`, with the compute-unit limit its Sluice instructions'
    /// budgets add up to (`sluice::budgets`), as a keeper would request. A
    /// priority fee carrying a counter makes every transaction unique, so
    /// identical retries are not deduplicated. On the SBF VM every Sluice
    /// instruction's consumption is checked against its budget (a test
    /// fails when one grows past it) and appended to `$SLUICE_CU_LOG`.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> TxResult {
        self.nonce += 1;
        let limit = sluice::budgets::transaction_limit(ixs);
        let mut set_limit = vec![2u8];
        set_limit.extend_from_slice(&limit.to_le_bytes());
        let mut set_price = vec![3u8];
        set_price.extend_from_slice(&u64::from(self.nonce).to_le_bytes());
        let mut all = vec![
            Instruction {
                program_id: COMPUTE_BUDGET_ID,
                accounts: vec![],
                data: set_limit,
            },
            Instruction {
                program_id: COMPUTE_BUDGET_ID,
                accounts: vec![],
                data: set_price,
            },
        ];
        all.extend_from_slice(ixs);
        let blockhash = self
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("blockhash");
        let mut keys: Vec<&Keypair> = vec![&self.ctx.payer];
        keys.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(
            &all,
            Some(&self.ctx.payer.pubkey()),
            &keys,
            blockhash,
        );
        if !sbf() {
            return self.ctx.banks_client.process_transaction(tx).await;
        }
        let r = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await?;
        if let (Ok(()), Some(meta)) = (&r.result, &r.metadata) {
            let records = cu_records(&all, &meta.log_messages);
            record_cu(&records);
            for rec in &records {
                assert!(
                    rec.consumed <= u64::from(rec.budget),
                    "{} used {} CU, over its budget of {} (sluice::budgets)",
                    rec.name,
                    rec.consumed,
                    rec.budget
                );
            }
        }
        r.result.map_err(BanksClientError::TransactionError)
    }

    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) {
        let ix = system_instruction::transfer(&self.payer(), to, lamports);
        self.send(&[ix], &[]).await.expect("airdrop");
    }

    // ---------------------------------------------------------------- clock

    pub async fn clock(&mut self) -> Clock {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("clock")
    }

    /// Moves the cluster forward by `slots` slots and `secs` seconds.
    pub async fn advance(&mut self, slots: u64, secs: i64) {
        let mut clock = self.clock().await;
        let slot = clock.slot + slots.max(1);
        self.ctx.warp_to_slot(slot).expect("warp");
        clock.slot = slot;
        clock.unix_timestamp += secs;
        self.ctx.set_sysvar(&clock);
    }

    // ---------------------------------------------------------------- accounts

    pub async fn rent(&mut self) -> Rent {
        self.ctx.banks_client.get_rent().await.expect("rent")
    }

    pub async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(*key).await.expect("rpc")
    }

    pub async fn lamports(&mut self, key: &Pubkey) -> u64 {
        self.account(key).await.map(|a| a.lamports).unwrap_or(0)
    }

    pub async fn anchor_account<T: AccountDeserialize>(&mut self, key: &Pubkey) -> T {
        let acc = self.account(key).await.expect("account exists");
        T::try_deserialize(&mut &acc.data[..]).expect("deserialize")
    }

    pub async fn pool(&mut self, keys: &PoolKeys) -> Pool {
        self.anchor_account(&keys.pool).await
    }

    pub async fn market_state(&mut self) -> Market {
        let m = self.market;
        self.anchor_account(&m).await
    }

    pub async fn position(&mut self, owner: &Pubkey) -> Position {
        let p = self.position_key(owner);
        self.anchor_account(&p).await
    }

    pub async fn insurance(&mut self, keys: &PoolKeys) -> InsuranceBuffer {
        self.anchor_account(&keys.insurance).await
    }

    /// Overwrites an account (used for oracles and for tampering tests).
    pub fn set_account(&mut self, key: &Pubkey, owner: &Pubkey, data: Vec<u8>) {
        let lamports = 1_000_000_000;
        let acc = Account {
            lamports,
            data,
            owner: *owner,
            executable: false,
            rent_epoch: 0,
        };
        self.ctx.set_account(key, &AccountSharedData::from(acc));
    }

    // ---------------------------------------------------------------- tokens

    pub async fn create_mint(&mut self, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let rent = self
            .rent()
            .await
            .minimum_balance(spl_token::state::Mint::LEN);
        let ixs = [
            system_instruction::create_account(
                &self.payer(),
                &mint.pubkey(),
                rent,
                spl_token::state::Mint::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_mint2(
                &spl_token::ID,
                &mint.pubkey(),
                &self.mint_authority.pubkey(),
                None,
                decimals,
            )
            .expect("ix"),
        ];
        self.send(&ixs, &[&mint]).await.expect("create mint");
        mint.pubkey()
    }

    /// Creates a token account for (owner, mint), remembered for `token_account`.
    pub async fn create_token_account(&mut self, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
        let acc = Keypair::new();
        let rent = self
            .rent()
            .await
            .minimum_balance(spl_token::state::Account::LEN);
        let ixs = [
            system_instruction::create_account(
                &self.payer(),
                &acc.pubkey(),
                rent,
                spl_token::state::Account::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_account3(&spl_token::ID, &acc.pubkey(), mint, owner)
                .expect("ix"),
        ];
        self.send(&ixs, &[&acc])
            .await
            .expect("create token account");
        self.token_accounts.insert((*owner, *mint), acc.pubkey());
        acc.pubkey()
    }

    /// The remembered token account of (owner, mint), created on first use.
    pub async fn token_account(&mut self, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
        if let Some(a) = self.token_accounts.get(&(*owner, *mint)) {
            return *a;
        }
        self.create_token_account(owner, mint).await
    }

    pub async fn mint_to(&mut self, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
        let dest = self.token_account(owner, mint).await;
        let ix = spl_token::instruction::mint_to(
            &spl_token::ID,
            mint,
            &dest,
            &self.mint_authority.pubkey(),
            &[],
            amount,
        )
        .expect("ix");
        let auth = self.mint_authority.insecure_clone();
        self.send(&[ix], &[&auth]).await.expect("mint_to");
        dest
    }

    pub async fn balance(&mut self, token_account: &Pubkey) -> u64 {
        let acc = self.account(token_account).await.expect("token account");
        spl_token::state::Account::unpack(&acc.data)
            .expect("token account")
            .amount
    }

    pub async fn balance_of(&mut self, owner: &Pubkey, mint: &Pubkey) -> u64 {
        let a = self.token_account(owner, mint).await;
        self.balance(&a).await
    }

    pub async fn mint_supply(&mut self, mint: &Pubkey) -> u64 {
        let acc = self.account(mint).await.expect("mint");
        spl_token::state::Mint::unpack(&acc.data)
            .expect("mint")
            .supply
    }

    /// A funded wallet.
    pub async fn user(&mut self) -> Keypair {
        let kp = Keypair::new();
        self.airdrop(&kp.pubkey(), 5_000_000_000).await;
        kp
    }

    // ---------------------------------------------------------------- oracles

    /// Writes the pool's oracle account with `px` (its real layout and owner).
    pub async fn set_price(&mut self, keys: &PoolKeys, px: Px) {
        let now = self.clock().await.unix_timestamp;
        let slot = self.clock().await.slot;
        let (owner, data) = match keys.feed {
            Feed::Pull => (
                pyth_solana_receiver_sdk::ID,
                pull_price_data(keys.feed_id, px, now, slot),
            ),
            Feed::Legacy => (PYTH_LEGACY_PROGRAM_ID, legacy_price_data(px, now, slot)),
        };
        self.set_account(&keys.oracle, &owner, data);
    }

    // ---------------------------------------------------------------- pools

    pub fn pool_keys(
        &self,
        mint: &Pubkey,
        decimals: u8,
        oracle: Pubkey,
        feed: Feed,
        feed_id: [u8; 32],
    ) -> PoolKeys {
        let pda = |seeds: &[&[u8]]| Pubkey::find_program_address(seeds, &sluice::ID).0;
        let pool = pda(&[POOL_SEED, self.market.as_ref(), mint.as_ref()]);
        PoolKeys {
            mint: *mint,
            decimals,
            pool,
            vault: pda(&[VAULT_SEED, pool.as_ref()]),
            share_mint: pda(&[SHARE_MINT_SEED, pool.as_ref()]),
            insurance: pda(&[INSURANCE_SEED, pool.as_ref()]),
            insurance_vault: pda(&[INSURANCE_VAULT_SEED, pool.as_ref()]),
            oracle,
            feed,
            feed_id,
        }
    }

    /// Creates a mint and a pool for it with `params`, priced at `usd`.
    pub async fn add_pool(
        &mut self,
        decimals: u8,
        feed: Feed,
        params: PoolParams,
        usd: f64,
    ) -> PoolKeys {
        let mint = self.create_mint(decimals).await;
        self.feed_counter += 1;
        let feed_id = [self.feed_counter; 32];
        let oracle = Keypair::new().pubkey();
        let keys = self.pool_keys(&mint, decimals, oracle, feed, feed_id);
        let config = self.oracle_config(&keys);
        let ix = self.ix_init_pool(&keys, config, params);
        let auth = self.authority.insecure_clone();
        self.send(&[ix], &[&auth]).await.expect("init_pool");
        self.set_price(&keys, Px::usd(usd)).await;
        self.pools.push(keys);
        keys
    }

    pub fn oracle_config(&self, keys: &PoolKeys) -> OracleConfig {
        match keys.feed {
            Feed::Pull => OracleConfig::pyth_pull(keys.feed_id),
            Feed::Legacy => OracleConfig::pyth_legacy(keys.oracle),
        }
    }

    pub fn position_key(&self, owner: &Pubkey) -> Pubkey {
        Pubkey::find_program_address(
            &[POSITION_SEED, self.market.as_ref(), owner.as_ref()],
            &sluice::ID,
        )
        .0
    }

    // ---------------------------------------------------------------- instructions

    pub fn ix_init_market(
        &self,
        market: &Pubkey,
        authority: &Pubkey,
        params: MarketParams,
    ) -> Instruction {
        ix(
            sluice::accounts::InitMarket {
                payer: self.payer(),
                market: *market,
                system_program: anchor_lang::system_program::ID,
            },
            sluice::instruction::InitMarket {
                authority: *authority,
                params,
            },
        )
    }

    pub fn ix_init_pool(
        &self,
        k: &PoolKeys,
        oracle: OracleConfig,
        params: PoolParams,
    ) -> Instruction {
        ix(
            sluice::accounts::InitPool {
                payer: self.payer(),
                authority: self.authority.pubkey(),
                market: self.market,
                mint: k.mint,
                pool: k.pool,
                vault: k.vault,
                share_mint: k.share_mint,
                insurance: k.insurance,
                insurance_vault: k.insurance_vault,
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            sluice::instruction::InitPool { oracle, params },
        )
    }

    pub async fn ix_deposit(&mut self, owner: &Pubkey, k: &PoolKeys, amount: u64) -> Instruction {
        let source = self.token_account(owner, &k.mint).await;
        let shares_destination = self.token_account(owner, &k.share_mint).await;
        ix(
            sluice::accounts::Deposit {
                owner: *owner,
                market: self.market,
                pool: k.pool,
                vault: k.vault,
                share_mint: k.share_mint,
                source,
                shares_destination,
                token_program: spl_token::ID,
            },
            sluice::instruction::Deposit { amount },
        )
    }

    pub async fn ix_withdraw(&mut self, owner: &Pubkey, k: &PoolKeys, shares: u64) -> Instruction {
        let destination = self.token_account(owner, &k.mint).await;
        let shares_source = self.token_account(owner, &k.share_mint).await;
        ix(
            sluice::accounts::Withdraw {
                owner: *owner,
                market: self.market,
                pool: k.pool,
                vault: k.vault,
                share_mint: k.share_mint,
                shares_source,
                destination,
                token_program: spl_token::ID,
            },
            sluice::instruction::Withdraw { shares },
        )
    }

    pub fn ix_open_position(&self, owner: &Pubkey) -> Instruction {
        ix(
            sluice::accounts::OpenPosition {
                owner: *owner,
                market: self.market,
                position: self.position_key(owner),
                system_program: anchor_lang::system_program::ID,
            },
            sluice::instruction::OpenPosition {},
        )
    }

    pub fn ix_close_position(&self, owner: &Pubkey) -> Instruction {
        ix(
            sluice::accounts::ClosePosition {
                owner: *owner,
                position: self.position_key(owner),
            },
            sluice::instruction::ClosePosition {},
        )
    }

    pub async fn ix_deposit_collateral(
        &mut self,
        owner: &Pubkey,
        k: &PoolKeys,
        amount: u64,
    ) -> Instruction {
        let source = self.token_account(owner, &k.mint).await;
        ix(
            sluice::accounts::DepositCollateral {
                owner: *owner,
                market: self.market,
                position: self.position_key(owner),
                pool: k.pool,
                vault: k.vault,
                source,
                token_program: spl_token::ID,
            },
            sluice::instruction::DepositCollateral { amount },
        )
    }

    /// `others`: the other pools the position uses (remaining accounts).
    pub async fn ix_withdraw_collateral(
        &mut self,
        owner: &Pubkey,
        k: &PoolKeys,
        amount: u64,
        others: &[PoolKeys],
    ) -> Instruction {
        let destination = self.token_account(owner, &k.mint).await;
        let mut i = ix(
            sluice::accounts::WithdrawCollateral {
                owner: *owner,
                market: self.market,
                position: self.position_key(owner),
                pool: k.pool,
                vault: k.vault,
                destination,
                token_program: spl_token::ID,
            },
            sluice::instruction::WithdrawCollateral { amount },
        );
        i.accounts.extend(
            others
                .iter()
                .map(|p| AccountMeta::new_readonly(p.pool, false)),
        );
        i
    }

    pub async fn ix_borrow(
        &mut self,
        owner: &Pubkey,
        k: &PoolKeys,
        amount: u64,
        others: &[PoolKeys],
    ) -> Instruction {
        let destination = self.token_account(owner, &k.mint).await;
        let mut i = ix(
            sluice::accounts::Borrow {
                owner: *owner,
                market: self.market,
                position: self.position_key(owner),
                pool: k.pool,
                vault: k.vault,
                destination,
                token_program: spl_token::ID,
            },
            sluice::instruction::Borrow { amount },
        );
        i.accounts.extend(
            others
                .iter()
                .map(|p| AccountMeta::new_readonly(p.pool, false)),
        );
        i
    }

    pub async fn ix_repay(
        &mut self,
        payer: &Pubkey,
        position_owner: &Pubkey,
        k: &PoolKeys,
        amount: u64,
    ) -> Instruction {
        let source = self.token_account(payer, &k.mint).await;
        ix(
            sluice::accounts::Repay {
                payer: *payer,
                market: self.market,
                position: self.position_key(position_owner),
                pool: k.pool,
                vault: k.vault,
                source,
                token_program: spl_token::ID,
            },
            sluice::instruction::Repay { amount },
        )
    }

    pub fn ix_refresh_pool(&self, k: &PoolKeys) -> Instruction {
        ix(
            sluice::accounts::RefreshPool {
                pool: k.pool,
                vault: k.vault,
                insurance: k.insurance,
                insurance_vault: k.insurance_vault,
                token_program: spl_token::ID,
            },
            sluice::instruction::RefreshPool {},
        )
    }

    pub fn ix_refresh_price(&self, k: &PoolKeys) -> Instruction {
        ix(
            sluice::accounts::RefreshPrice {
                pool: k.pool,
                oracle: k.oracle,
            },
            sluice::instruction::RefreshPrice {},
        )
    }

    pub fn ix_update_pool_params(
        &self,
        authority: &Pubkey,
        k: &PoolKeys,
        params: PoolParams,
    ) -> Instruction {
        ix(
            sluice::accounts::UpdatePoolParams {
                authority: *authority,
                market: self.market,
                pool: k.pool,
            },
            sluice::instruction::UpdatePoolParams { params },
        )
    }

    pub fn ix_update_market_params(&self, authority: &Pubkey, params: MarketParams) -> Instruction {
        ix(
            sluice::accounts::UpdateMarketParams {
                authority: *authority,
                market: self.market,
            },
            sluice::instruction::UpdateMarketParams { params },
        )
    }

    pub fn ix_propose_authority(&self, authority: &Pubkey, new_authority: Pubkey) -> Instruction {
        ix(
            sluice::accounts::ProposeAuthority {
                authority: *authority,
                market: self.market,
            },
            sluice::instruction::ProposeAuthority { new_authority },
        )
    }

    pub fn ix_accept_authority(&self, new_authority: &Pubkey) -> Instruction {
        ix(
            sluice::accounts::AcceptAuthority {
                new_authority: *new_authority,
                market: self.market,
            },
            sluice::instruction::AcceptAuthority {},
        )
    }

    /// refresh_price for each pool (a health check needs every price from this slot).
    pub fn refresh_prices(&self, pools: &[PoolKeys]) -> Vec<Instruction> {
        pools.iter().map(|p| self.ix_refresh_price(p)).collect()
    }

    // ---------------------------------------------------------------- flows

    pub async fn deposit(&mut self, user: &Keypair, k: &PoolKeys, amount: u64) -> TxResult {
        let i = self.ix_deposit(&user.pubkey(), k, amount).await;
        self.send(&[i], &[user]).await
    }

    pub async fn withdraw(&mut self, user: &Keypair, k: &PoolKeys, shares: u64) -> TxResult {
        let i = self.ix_withdraw(&user.pubkey(), k, shares).await;
        self.send(&[i], &[user]).await
    }

    pub async fn open_position(&mut self, user: &Keypair) -> TxResult {
        let i = self.ix_open_position(&user.pubkey());
        self.send(&[i], &[user]).await
    }

    pub async fn deposit_collateral(
        &mut self,
        user: &Keypair,
        k: &PoolKeys,
        amount: u64,
    ) -> TxResult {
        let i = self.ix_deposit_collateral(&user.pubkey(), k, amount).await;
        self.send(&[i], &[user]).await
    }

    /// Refreshes every pool in `all` then borrows from `k` (others as remaining).
    pub async fn borrow(
        &mut self,
        user: &Keypair,
        k: &PoolKeys,
        amount: u64,
        all: &[PoolKeys],
    ) -> TxResult {
        let mut ixs = self.refresh_prices(all);
        let others: Vec<PoolKeys> = all.iter().filter(|p| p.pool != k.pool).copied().collect();
        ixs.push(self.ix_borrow(&user.pubkey(), k, amount, &others).await);
        self.send(&ixs, &[user]).await
    }

    pub async fn withdraw_collateral(
        &mut self,
        user: &Keypair,
        k: &PoolKeys,
        amount: u64,
        all: &[PoolKeys],
    ) -> TxResult {
        let mut ixs = self.refresh_prices(all);
        let others: Vec<PoolKeys> = all.iter().filter(|p| p.pool != k.pool).copied().collect();
        ixs.push(
            self.ix_withdraw_collateral(&user.pubkey(), k, amount, &others)
                .await,
        );
        self.send(&ixs, &[user]).await
    }

    pub async fn repay(
        &mut self,
        payer: &Keypair,
        owner: &Pubkey,
        k: &PoolKeys,
        amount: u64,
    ) -> TxResult {
        let i = self.ix_repay(&payer.pubkey(), owner, k, amount).await;
        self.send(&[i], &[payer]).await
    }

    pub async fn refresh_price(&mut self, k: &PoolKeys) -> TxResult {
        let i = self.ix_refresh_price(k);
        self.send(&[i], &[]).await
    }

    pub async fn refresh_pool(&mut self, k: &PoolKeys) -> TxResult {
        let i = self.ix_refresh_pool(k);
        self.send(&[i], &[]).await
    }

    /// The position's health as the program computes it, from the pools'
    /// current on-chain state (their prices must be from the current slot).
    pub async fn health(
        &mut self,
        owner: &Pubkey,
        pools: &[PoolKeys],
        mode: sluice::health::HealthType,
    ) -> Result<sluice::math::health::Health, anchor_lang::error::Error> {
        let position = self.position(owner).await;
        let mut states = Vec::with_capacity(pools.len());
        for p in pools {
            states.push((p.pool, self.pool(p).await));
        }
        let loaded: Vec<(Pubkey, &Pool)> = states.iter().map(|(k, p)| (*k, p)).collect();
        let clock = self.clock().await;
        sluice::health::position_health(
            &position,
            &loaded,
            &[],
            clock.slot,
            clock.unix_timestamp,
            mode,
        )
    }

    // ---------------------------------------------------------------- liquidation

    pub fn auction_key(&self, owner: &Pubkey, c: &PoolKeys, d: &PoolKeys) -> Pubkey {
        let position = self.position_key(owner);
        Pubkey::find_program_address(
            &[
                AUCTION_SEED,
                position.as_ref(),
                c.pool.as_ref(),
                d.pool.as_ref(),
            ],
            &sluice::ID,
        )
        .0
    }

    pub async fn auction(&mut self, owner: &Pubkey, c: &PoolKeys, d: &PoolKeys) -> Auction {
        let k = self.auction_key(owner, c, d);
        self.anchor_account(&k).await
    }

    /// The depth accounts of `c` as registered, in order.
    pub async fn depth_accounts(&mut self, c: &PoolKeys) -> Vec<Pubkey> {
        let pool = self.pool(c).await;
        let mut out = Vec::new();
        for s in pool.depth_sources.iter() {
            match DepthKind::from_u8(s.kind) {
                Some(DepthKind::ConstantProduct) => {
                    out.push(s.account_a);
                    out.push(s.account_b);
                }
                Some(DepthKind::Whirlpool) => out.push(s.account_a),
                _ => {}
            }
        }
        out
    }

    /// refresh_price of `k` with its depth accounts: also records the depth
    /// read now for later slots' liquidation caps.
    pub async fn ix_refresh_price_observing_depth(&mut self, k: &PoolKeys) -> Instruction {
        let mut i = self.ix_refresh_price(k);
        let depth = self.depth_accounts(k).await;
        i.accounts.extend(
            depth
                .into_iter()
                .map(|a| AccountMeta::new_readonly(a, false)),
        );
        i
    }

    pub fn ix_set_depth_sources(
        &self,
        authority: &Pubkey,
        k: &PoolKeys,
        sources: [DepthSource; 2],
        accounts: &[Pubkey],
    ) -> Instruction {
        let mut i = ix(
            sluice::accounts::SetDepthSources {
                authority: *authority,
                market: self.market,
                pool: k.pool,
            },
            sluice::instruction::SetDepthSources { sources },
        );
        i.accounts.extend(
            accounts
                .iter()
                .map(|a| AccountMeta::new_readonly(*a, false)),
        );
        i
    }

    /// Registers a constant-product pair as `k`'s only depth source.
    pub async fn register_amm(&mut self, k: &PoolKeys, amm: &Amm) {
        let sources = [
            DepthSource::constant_product(amm.vault_collateral, amm.vault_quote),
            DepthSource::default(),
        ];
        let auth = self.authority.insecure_clone();
        let i = self.ix_set_depth_sources(
            &auth.pubkey(),
            k,
            sources,
            &[amm.vault_collateral, amm.vault_quote],
        );
        self.send(&[i], &[&auth]).await.expect("set_depth_sources");
    }

    /// A constant-product pool: two real SPL token accounts holding reserves.
    pub async fn create_amm(
        &mut self,
        collateral: &PoolKeys,
        quote: &PoolKeys,
        x: u64,
        y: u64,
    ) -> Amm {
        let authority = Keypair::new();
        let vault_collateral = self
            .create_token_account(&authority.pubkey(), &collateral.mint)
            .await;
        let vault_quote = self
            .create_token_account(&authority.pubkey(), &quote.mint)
            .await;
        self.mint_to(&collateral.mint, &authority.pubkey(), x).await;
        self.mint_to(&quote.mint, &authority.pubkey(), y).await;
        Amm {
            authority,
            vault_collateral,
            vault_quote,
            collateral_mint: collateral.mint,
            quote_mint: quote.mint,
        }
    }

    /// Remaining accounts for a liquidation: depth accounts, then other pools.
    async fn liquidation_remaining(
        &mut self,
        c: &PoolKeys,
        others: &[PoolKeys],
    ) -> Vec<AccountMeta> {
        let mut metas: Vec<AccountMeta> = self
            .depth_accounts(c)
            .await
            .into_iter()
            .map(|a| AccountMeta::new_readonly(a, false))
            .collect();
        metas.extend(
            others
                .iter()
                .map(|p| AccountMeta::new_readonly(p.pool, false)),
        );
        metas
    }

    pub async fn ix_liquidate(
        &mut self,
        keeper: &Pubkey,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        others: &[PoolKeys],
    ) -> Instruction {
        let keeper_collateral = self.token_account(keeper, &c.mint).await;
        let mut i = ix(
            sluice::accounts::Liquidate {
                keeper: *keeper,
                market: self.market,
                position: self.position_key(owner),
                collateral_pool: c.pool,
                debt_pool: d.pool,
                collateral_vault: c.vault,
                keeper_collateral,
                auction: self.auction_key(owner, c, d),
                slot_hashes: SLOT_HASHES_ID,
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            sluice::instruction::Liquidate {},
        );
        i.accounts
            .extend(self.liquidation_remaining(c, others).await);
        i
    }

    pub async fn ix_liquidate_instant(
        &mut self,
        keeper: &Pubkey,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        others: &[PoolKeys],
    ) -> Instruction {
        let keeper_source = self.token_account(keeper, &d.mint).await;
        let keeper_destination = self.token_account(keeper, &c.mint).await;
        let mut i = ix(
            sluice::accounts::LiquidateInstant {
                keeper: *keeper,
                market: self.market,
                position: self.position_key(owner),
                collateral_pool: c.pool,
                debt_pool: d.pool,
                collateral_vault: c.vault,
                debt_vault: d.vault,
                keeper_source,
                keeper_destination,
                token_program: spl_token::ID,
            },
            sluice::instruction::LiquidateInstant {},
        );
        i.accounts
            .extend(self.liquidation_remaining(c, others).await);
        i
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn ix_take(
        &mut self,
        taker: &Pubkey,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        max_amount: u64,
        max_price_wad: u128,
    ) -> Instruction {
        let taker_source = self.token_account(taker, &d.mint).await;
        let taker_destination = self.token_account(taker, &c.mint).await;
        ix(
            sluice::accounts::Take {
                taker: *taker,
                market: self.market,
                auction: self.auction_key(owner, c, d),
                position: self.position_key(owner),
                collateral_pool: c.pool,
                debt_pool: d.pool,
                collateral_vault: c.vault,
                debt_vault: d.vault,
                insurance: d.insurance,
                insurance_vault: d.insurance_vault,
                taker_source,
                taker_destination,
                token_program: spl_token::ID,
            },
            sluice::instruction::Take {
                max_amount,
                max_price_wad,
            },
        )
    }

    pub async fn ix_redo(
        &mut self,
        keeper: &Pubkey,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
    ) -> Instruction {
        let keeper_collateral = self.token_account(keeper, &c.mint).await;
        ix(
            sluice::accounts::Redo {
                keeper: *keeper,
                market: self.market,
                auction: self.auction_key(owner, c, d),
                collateral_pool: c.pool,
                debt_pool: d.pool,
                collateral_vault: c.vault,
                keeper_collateral,
                slot_hashes: SLOT_HASHES_ID,
                token_program: spl_token::ID,
            },
            sluice::instruction::Redo {},
        )
    }

    pub fn ix_settle_bad_debt(&self, keeper: &Pubkey, owner: &Pubkey, d: &PoolKeys) -> Instruction {
        ix(
            sluice::accounts::SettleBadDebt {
                keeper: *keeper,
                market: self.market,
                position: self.position_key(owner),
                debt_pool: d.pool,
                debt_vault: d.vault,
                insurance: d.insurance,
                insurance_vault: d.insurance_vault,
                token_program: spl_token::ID,
            },
            sluice::instruction::SettleBadDebt {},
        )
    }

    pub async fn fund_insurance(
        &mut self,
        funder: &Keypair,
        k: &PoolKeys,
        amount: u64,
    ) -> TxResult {
        let source = self.token_account(&funder.pubkey(), &k.mint).await;
        let i = ix(
            sluice::accounts::FundInsurance {
                funder: funder.pubkey(),
                pool: k.pool,
                insurance: k.insurance,
                insurance_vault: k.insurance_vault,
                source,
                token_program: spl_token::ID,
            },
            sluice::instruction::FundInsurance { amount },
        );
        self.send(&[i], &[funder]).await
    }

    /// Refreshes `all` prices, then liquidates (auction mode) in one transaction.
    pub async fn liquidate(
        &mut self,
        keeper: &Keypair,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        all: &[PoolKeys],
    ) -> TxResult {
        let mut ixs = self.refresh_prices(all);
        let others: Vec<PoolKeys> = all
            .iter()
            .filter(|p| p.pool != c.pool && p.pool != d.pool)
            .copied()
            .collect();
        ixs.push(
            self.ix_liquidate(&keeper.pubkey(), owner, c, d, &others)
                .await,
        );
        self.send(&ixs, &[keeper]).await
    }

    pub async fn liquidate_instant(
        &mut self,
        keeper: &Keypair,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        all: &[PoolKeys],
    ) -> TxResult {
        let mut ixs = self.refresh_prices(all);
        let others: Vec<PoolKeys> = all
            .iter()
            .filter(|p| p.pool != c.pool && p.pool != d.pool)
            .copied()
            .collect();
        ixs.push(
            self.ix_liquidate_instant(&keeper.pubkey(), owner, c, d, &others)
                .await,
        );
        self.send(&ixs, &[keeper]).await
    }

    /// Sets prices for every pool and moves the clock forward one step.
    pub async fn step_prices(&mut self, slots: u64, secs: i64, prices: &[(PoolKeys, f64)]) {
        self.advance(slots, secs).await;
        for (k, usd) in prices {
            self.set_price(k, Px::usd(*usd)).await;
        }
        let keys: Vec<PoolKeys> = prices.iter().map(|(k, _)| *k).collect();
        let r = self.refresh_prices(&keys);
        self.send(&r, &[]).await.expect("refresh prices");
    }

    // ---------------------------------------------------------------- invariants

    /// The pool's books reconcile with its token accounts: the vault holds
    /// exactly the unborrowed supply plus the collateral, the share mint's
    /// supply equals the pool's shares, and the insurance vault holds what
    /// the buffer says was funded and not paid out.
    pub async fn assert_books(&mut self, k: &PoolKeys) {
        let pool = self.pool(k).await;
        let vault = self.balance(&k.vault).await;
        assert_eq!(
            u128::from(vault),
            pool.expected_vault_balance().unwrap(),
            "vault balance != available liquidity + collateral + collateral in auctions"
        );
        let supply = self.mint_supply(&k.share_mint).await;
        assert_eq!(
            supply, pool.total_shares,
            "share mint supply != pool shares"
        );
        let ins = self.insurance(k).await;
        let ins_vault = self.balance(&k.insurance_vault).await;
        assert_eq!(
            u128::from(ins_vault),
            u128::from(ins.total_funded) - u128::from(ins.total_paid),
            "insurance vault != funded - paid"
        );
    }
}

/// A constant-product pool whose reserves are two real SPL token accounts.
/// `swap_*` move tokens between a trader and the reserves at the x*y=k price.
pub struct Amm {
    pub authority: Keypair,
    pub vault_collateral: Pubkey,
    pub vault_quote: Pubkey,
    pub collateral_mint: Pubkey,
    pub quote_mint: Pubkey,
}

impl Amm {
    pub async fn reserves(&self, env: &mut Env) -> (u64, u64) {
        (
            env.balance(&self.vault_collateral).await,
            env.balance(&self.vault_quote).await,
        )
    }

    /// Sells `dx` collateral from `trader` into the pool; returns quote received.
    pub async fn sell_collateral(&self, env: &mut Env, trader: &Keypair, dx: u64) -> u64 {
        let (x, y) = self.reserves(env).await;
        let dy = (u128::from(y) * u128::from(dx) / (u128::from(x) + u128::from(dx))) as u64;
        self.transfer(env, trader, dx, dy, true).await;
        dy
    }

    /// Buys collateral with `dy` quote from `trader`; returns collateral received.
    pub async fn buy_collateral(&self, env: &mut Env, trader: &Keypair, dy: u64) -> u64 {
        let (x, y) = self.reserves(env).await;
        let dx = (u128::from(x) * u128::from(dy) / (u128::from(y) + u128::from(dy))) as u64;
        self.transfer(env, trader, dx, dy, false).await;
        dx
    }

    async fn transfer(&self, env: &mut Env, trader: &Keypair, dx: u64, dy: u64, sell: bool) {
        let ixs = self.swap_ixs(env, &trader.pubkey(), dx, dy, sell).await;
        let auth = self.authority.insecure_clone();
        env.send(&ixs, &[trader, &auth]).await.expect("amm swap");
    }

    /// The two transfers of a swap (trader -> pool, pool -> trader), to put
    /// inside another transaction; it must be signed by `trader` and
    /// `self.authority`. `sell`: `dx` collateral in, `dy` quote out.
    pub async fn swap_ixs(
        &self,
        env: &mut Env,
        trader: &Pubkey,
        dx: u64,
        dy: u64,
        sell: bool,
    ) -> Vec<Instruction> {
        let t_col = env.token_account(trader, &self.collateral_mint).await;
        let t_quote = env.token_account(trader, &self.quote_mint).await;
        let auth = self.authority.pubkey();
        let transfer = |from: &Pubkey, to: &Pubkey, owner: &Pubkey, amount: u64| {
            spl_token::instruction::transfer(&spl_token::ID, from, to, owner, &[], amount)
                .expect("transfer ix")
        };
        if sell {
            vec![
                transfer(&t_col, &self.vault_collateral, trader, dx),
                transfer(&self.vault_quote, &t_quote, &auth, dy),
            ]
        } else {
            vec![
                transfer(&t_quote, &self.vault_quote, trader, dy),
                transfer(&self.vault_collateral, &t_col, &auth, dx),
            ]
        }
    }

    /// `middle` wrapped in a round trip by `trader`: sell `dx` collateral into
    /// the pool first, buy the same collateral back after, so the reserves
    /// end where they started (an attacker's in-transaction depth
    /// inflation). Signers: `trader` and `self.authority`.
    pub async fn sandwich(
        &self,
        env: &mut Env,
        trader: &Pubkey,
        dx: u64,
        middle: Vec<Instruction>,
    ) -> Vec<Instruction> {
        let (x, y) = self.reserves(env).await;
        let dy = (u128::from(y) * u128::from(dx) / (u128::from(x) + u128::from(dx))) as u64;
        let mut ixs = self.swap_ixs(env, trader, dx, dy, true).await;
        ixs.extend(middle);
        ixs.extend(self.swap_ixs(env, trader, dx, dy, false).await);
        ixs
    }

    /// Spot price of one collateral base unit in quote base units.
    pub async fn price(&self, env: &mut Env) -> f64 {
        let (x, y) = self.reserves(env).await;
        y as f64 / x as f64
    }
}

/// An Orca Whirlpool account in its real layout (653 bytes, Anchor
/// discriminator), to be owned by the Whirlpool program.
pub fn whirlpool_data(
    liquidity: u128,
    sqrt_price_x64: u128,
    mint_a: &Pubkey,
    mint_b: &Pubkey,
) -> Vec<u8> {
    let mut d = vec![0u8; WHIRLPOOL_ACCOUNT_LEN];
    d[..8].copy_from_slice(&WHIRLPOOL_DISCRIMINATOR);
    d[41..43].copy_from_slice(&64u16.to_le_bytes()); // tick spacing
    d[49..65].copy_from_slice(&liquidity.to_le_bytes());
    d[65..81].copy_from_slice(&sqrt_price_x64.to_le_bytes());
    d[101..133].copy_from_slice(mint_a.as_ref());
    d[181..213].copy_from_slice(mint_b.as_ref());
    d
}

fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: sluice::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// A `PriceUpdateV2` account as the Pyth Receiver writes it
/// (Anchor discriminator + borsh).
pub fn pull_price_data(feed_id: [u8; 32], px: Px, now: i64, slot: u64) -> Vec<u8> {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::new_unique(),
        verification_level: px.verification,
        price_message: PriceFeedMessage {
            feed_id,
            price: px.price,
            conf: px.conf,
            exponent: px.expo,
            publish_time: now - px.age,
            prev_publish_time: now - px.age - 1,
            ema_price: px.ema,
            ema_conf: px.conf,
        },
        posted_slot: slot,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update.try_serialize(&mut data).expect("serialize");
    data
}

/// A legacy Pyth price account in its C layout (as read by pyth-sdk-solana).
pub fn legacy_price_data(px: Px, now: i64, slot: u64) -> Vec<u8> {
    use pyth_sdk_solana::state::{
        AccountType, PriceInfo, PriceStatus, PriceType, Rational, SolanaPriceAccount,
    };
    let mut acc: SolanaPriceAccount = bytemuck::Zeroable::zeroed();
    acc.magic = pyth_sdk_solana::state::MAGIC;
    acc.ver = pyth_sdk_solana::state::VERSION_2;
    acc.atype = AccountType::Price as u32;
    acc.size = std::mem::size_of::<SolanaPriceAccount>() as u32;
    acc.ptype = PriceType::Price;
    acc.expo = px.expo;
    acc.num = 1;
    acc.num_qt = 1;
    acc.last_slot = slot;
    acc.valid_slot = slot;
    acc.ema_price = Rational {
        val: px.ema,
        numer: px.ema,
        denom: 1,
    };
    acc.timestamp = now - px.age;
    acc.agg = PriceInfo {
        price: px.price,
        conf: px.conf,
        status: if px.trading {
            PriceStatus::Trading
        } else {
            PriceStatus::Halted
        },
        corp_act: pyth_sdk_solana::state::CorpAction::NoCorpAct,
        pub_slot: slot,
    };
    bytemuck::bytes_of(&acc).to_vec()
}

// -------------------------------------------------------------------- errors

/// The custom program error code a failed transaction carries, if any.
pub fn custom_code(err: &BanksClientError) -> Option<u32> {
    let tx_err = match err {
        BanksClientError::TransactionError(e) => e,
        BanksClientError::SimulationError { err, .. } => err,
        _ => return None,
    };
    match tx_err {
        TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
        _ => None,
    }
}

/// The instruction error a failed transaction carries, if any.
pub fn instruction_error(err: &BanksClientError) -> Option<InstructionError> {
    let tx_err = match err {
        BanksClientError::TransactionError(e) => e,
        BanksClientError::SimulationError { err, .. } => err,
        _ => return None,
    };
    match tx_err {
        TransactionError::InstructionError(_, e) => Some(e.clone()),
        _ => None,
    }
}

/// Asserts the transaction failed with this Sluice error.
#[track_caller]
pub fn assert_sluice_err(res: TxResult, expected: sluice::errors::SluiceError) {
    let code = u32::from(expected);
    match res {
        Ok(()) => panic!("expected {expected:?} ({code}), the transaction succeeded"),
        Err(e) => assert_eq!(
            custom_code(&e),
            Some(code),
            "expected {expected:?} ({code}), got {e:?}"
        ),
    }
}

/// Asserts the transaction failed with this Anchor framework error.
#[track_caller]
pub fn assert_anchor_err(res: TxResult, expected: anchor_lang::error::ErrorCode) {
    let code = u32::from(expected);
    match res {
        Ok(()) => panic!("expected {expected:?} ({code}), the transaction succeeded"),
        Err(e) => assert_eq!(
            custom_code(&e),
            Some(code),
            "expected {expected:?} ({code}), got {e:?}"
        ),
    }
}

/// Asserts the transaction failed (any reason other than success); returns the error.
#[track_caller]
pub fn assert_failed(res: TxResult) -> BanksClientError {
    match res {
        Ok(()) => panic!("expected failure, the transaction succeeded"),
        Err(e) => e,
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
