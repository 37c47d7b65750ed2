//! The runtime with a market: [`Env`].
#![allow(deprecated)]
#![allow(clippy::result_large_err)]

use super::*;

/// Transactions between two [`Env::restart_runtime`] calls of the
/// simulator: about 4 MB of status cache, a restart every 20-60 s of a
/// busy run (the 9-day path's `sluice` held 55-70 MB at this interval).
pub const RESTART_EVERY_TX: u64 = 20_000;

/// The Clock sysvar.
const CLOCK_ID: Pubkey =
    anchor_lang::prelude::pubkey!("SysvarC1ock11111111111111111111111111111111");

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
    /// Every account a transaction sent through this runtime named: the
    /// index the local JSON-RPC endpoint answers `getProgramAccounts` from
    /// (BanksClient has no by-owner scan).
    pub seen_accounts: std::collections::BTreeSet<Pubkey>,
    /// The last transaction's log ([`Env::send_logged`]).
    last_log: Vec<String>,
    /// [`Env::advance`] rewrites the Clock in the working bank instead of
    /// warping to a new bank ([`Env::advance_in_one_bank`]).
    one_bank: bool,
    /// Transactions go without ed25519 signatures ([`Env::skip_signatures`]).
    unsigned: bool,
    /// [`Amm`] swaps write the token balances ([`Env::write_venue_swaps`]).
    direct_swaps: bool,
    /// Accounts as last read, kept until something could change them
    /// ([`Env::cache_reads`]); None: every read asks the bank.
    read_cache: Option<HashMap<Pubkey, Option<Account>>>,
    /// A recent blockhash and when it was read, in one bank: the test
    /// runtime registers a new one every 6.4 ms of wall time and accepts
    /// the last 150, so one read serves a fifth of a second of sends.
    blockhash: Option<(solana_hash::Hash, std::time::Instant)>,
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
            last_log: Vec::new(),
            pools: Vec::new(),
            token_accounts: HashMap::new(),
            mint_authority: Keypair::new(),
            seen_accounts: Default::default(),
            one_bank: false,
            unsigned: false,
            direct_swaps: false,
            read_cache: None,
            blockhash: None,
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
        self.seen_accounts
            .extend(ixs.iter().flat_map(|i| i.accounts.iter().map(|m| m.pubkey)));
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
        let blockhash = match self.blockhash {
            Some((h, at)) if at.elapsed() < std::time::Duration::from_millis(200) => h,
            _ => {
                let h = self
                    .ctx
                    .banks_client
                    .get_latest_blockhash()
                    .await
                    .expect("blockhash");
                if self.one_bank {
                    self.blockhash = Some((h, std::time::Instant::now()));
                }
                h
            }
        };
        // what the transaction may write: any account it names (a program
        // reaches no other), and the fee payer even when it fails
        if let Some(cache) = self.read_cache.as_mut() {
            cache.remove(&self.ctx.payer.pubkey());
            for i in &all {
                cache.remove(&i.program_id);
                for m in &i.accounts {
                    cache.remove(&m.pubkey);
                }
            }
        }
        let tx = if self.unsigned {
            let mut tx = Transaction::new_with_payer(&all, Some(&self.ctx.payer.pubkey()));
            tx.message.recent_blockhash = blockhash;
            // one distinct placeholder per required signer
            for (i, sig) in tx.signatures.iter_mut().enumerate() {
                let mut bytes = [0u8; 64];
                bytes[..4].copy_from_slice(&self.nonce.to_le_bytes());
                bytes[4] = i as u8;
                *sig = solana_transaction::Signature::from(bytes);
            }
            tx
        } else {
            let mut keys: Vec<&Keypair> = vec![&self.ctx.payer];
            keys.extend_from_slice(signers);
            Transaction::new_signed_with_payer(
                &all,
                Some(&self.ctx.payer.pubkey()),
                &keys,
                blockhash,
            )
        };
        // straight onto the working bank: BanksClient's process_transaction
        // would simulate first (running the transaction twice) and then poll
        // for its status with a sleep, which dominated the simulator's time
        self.process_metered(tx, &all).await
    }

    /// Like [`Env::send`], and also returns the transaction's log (on either
    /// VM), for tests that read events or inner invocations from it.
    pub async fn send_logged(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> (TxResult, Vec<String>) {
        let r = self.send(ixs, signers).await;
        (r, std::mem::take(&mut self.last_log))
    }

    /// Processes `tx` keeping its log; on the SBF VM checks each Sluice
    /// instruction's compute units against its budget.
    async fn process_metered(&mut self, tx: Transaction, all: &[Instruction]) -> TxResult {
        let r = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await?;
        let logs = r.metadata.map(|m| m.log_messages).unwrap_or_default();
        if sbf() && r.result.is_ok() {
            let records = cu_records(all, &logs);
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
        self.last_log = logs;
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
        if !self.one_bank {
            self.ctx.warp_to_slot(slot).expect("warp");
            if let Some(cache) = self.read_cache.as_mut() {
                cache.clear();
            }
        }
        clock.slot = slot;
        clock.unix_timestamp += secs;
        self.ctx.set_sysvar(&clock);
        self.forget(&CLOCK_ID);
    }

    /// Transactions sent so far.
    pub fn transactions(&self) -> u64 {
        u64::from(self.nonce)
    }

    /// From now on [`Env::advance`] moves the Clock sysvar (slot and time)
    /// within the working bank instead of warping to a new bank. What a
    /// program reads of time (Clock, and SlotHashes through
    /// [`Env::set_slot_hash`]) moves exactly as before; what does not
    /// happen is the runtime's own bookkeeping per slot: each warp roots a
    /// bank whose account versions the test runtime never cleans, about
    /// 160 KB per active slot, so a long replay grew without bound. Every
    /// transaction carries a nonce, so none is deduplicated in the one
    /// bank. For the simulator's long paths; the test suites keep warping.
    pub fn advance_in_one_bank(&mut self) {
        self.one_bank = true;
    }

    /// From now on transactions are sent without ed25519 signatures (a
    /// distinct placeholder per signer). The runtime behind this harness
    /// does not check them (`Bank::process_transaction_with_metadata`
    /// sanitizes the message; verifying signatures is a validator's
    /// sigverify stage, before the bank), and a program sees its signers
    /// from the message header either way, so nothing a program does
    /// changes; signing was a sixth of the simulator's time. For the
    /// simulator; the test suites keep signing.
    pub fn skip_signatures(&mut self) {
        self.unsigned = true;
    }

    /// From now on an [`Amm`] swap (the venue the simulator's keeper and
    /// arbitrageur trade on, not the program under test) moves its four
    /// token balances by writing the accounts instead of sending two SPL
    /// token transfers: the same balances, without a transaction. Every
    /// instruction of Sluice still moves its tokens through the token
    /// program. For the simulator; the test suites keep sending swaps.
    pub fn write_venue_swaps(&mut self) {
        self.direct_swaps = true;
    }

    pub(crate) fn writes_venue_swaps(&self) -> bool {
        self.direct_swaps
    }

    /// Moves `amount` from token account `from` to token account `to` by
    /// rewriting both (same mint, `from` holding at least `amount`, as an
    /// SPL transfer would require).
    pub async fn move_tokens(&mut self, from: &Pubkey, to: &Pubkey, amount: u64) {
        let mut a = self.account(from).await.expect("token account");
        let mut b = self.account(to).await.expect("token account");
        let mut ta = spl_token::state::Account::unpack(&a.data).expect("token account");
        let mut tb = spl_token::state::Account::unpack(&b.data).expect("token account");
        assert_eq!(ta.mint, tb.mint, "move_tokens across mints");
        ta.amount = ta.amount.checked_sub(amount).expect("insufficient funds");
        tb.amount = tb.amount.checked_add(amount).expect("overflow");
        spl_token::state::Account::pack(ta, &mut a.data).expect("pack");
        spl_token::state::Account::pack(tb, &mut b.data).expect("pack");
        self.ctx.set_account(from, &AccountSharedData::from(a));
        self.ctx.set_account(to, &AccountSharedData::from(b));
        for key in [from, to] {
            self.seen_accounts.insert(*key);
            self.forget(key);
        }
    }

    /// Replaces the SlotHashes sysvar with one entry (this slot, `hash`): a
    /// seeded stand-in for the bank hashes the auction jitter reads (the
    /// runtime's own depend on random keypairs), so a simulation replays
    /// byte for byte. Call after every [`Env::advance`].
    pub async fn set_slot_hash(&mut self, hash: [u8; 32]) {
        use solana_hash::Hash;
        use solana_slot_hashes::SlotHashes;
        let slot = self.clock().await.slot;
        self.ctx
            .set_sysvar(&SlotHashes::new(&[(slot, Hash::new_from_array(hash))]));
        self.forget(&sluice::constants::SLOT_HASHES_ID);
    }

    // ---------------------------------------------------------------- accounts

    pub async fn rent(&mut self) -> Rent {
        self.ctx.banks_client.get_rent().await.expect("rent")
    }

    pub async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        if let Some(hit) = self.read_cache.as_ref().and_then(|c| c.get(key)) {
            return hit.clone();
        }
        let acc = self.ctx.banks_client.get_account(*key).await.expect("rpc");
        if let Some(cache) = self.read_cache.as_mut() {
            cache.insert(*key, acc.clone());
        }
        acc
    }

    /// From now on a read of an account this runtime has not changed since
    /// the last read is answered from memory: every transaction drops the
    /// accounts it names (and the fee payer) from the cache, every account
    /// or sysvar this harness writes is dropped, a warp drops all. Exact as
    /// long as nothing writes to the bank behind this `Env` (the local
    /// JSON-RPC endpoint sends through its own client: not with a cache).
    /// The simulator's keeper reads each open lot and the AMM every slot;
    /// these reads were most of its time.
    pub fn cache_reads(&mut self) {
        self.read_cache.get_or_insert_with(HashMap::new);
    }

    /// Replaces the runtime with a fresh one holding the same accounts at
    /// the same Clock and SlotHashes: every account a transaction or this
    /// harness has named, as it is now (programs, sysvars and accounts that
    /// do not exist are left to the new runtime). What a program sees is
    /// unchanged; what the old runtime kept about the past (the status
    /// cache of every transaction processed, about 200 bytes each, purged
    /// only when banks are rooted, which one bank never does) is dropped.
    /// For a runtime made by [`Env::new`] (the program of [`program_test`]);
    /// the simulator calls it every [`RESTART_EVERY_TX`] transactions so a
    /// path of any length runs in bounded memory.
    pub async fn restart_runtime(&mut self) {
        const SYSVAR_OWNER: Pubkey =
            anchor_lang::prelude::pubkey!("Sysvar1111111111111111111111111111111111111");
        let clock = self.clock().await;
        let slot_hashes = self.account(&SLOT_HASHES_ID).await;
        let mut pt = program_test();
        let keys: Vec<Pubkey> = self.seen_accounts.iter().copied().collect();
        for key in keys {
            let Some(acc) = self.account(&key).await else {
                continue;
            };
            if acc.executable || acc.owner == SYSVAR_OWNER {
                continue;
            }
            pt.add_account(key, acc);
        }
        self.ctx = pt.start_with_context().await;
        self.ctx.set_sysvar(&clock);
        if let Some(hashes) = slot_hashes {
            self.ctx
                .set_account(&SLOT_HASHES_ID, &AccountSharedData::from(hashes));
        }
        self.blockhash = None;
        if let Some(cache) = self.read_cache.as_mut() {
            cache.clear();
        }
    }

    fn forget(&mut self, key: &Pubkey) {
        if let Some(cache) = self.read_cache.as_mut() {
            cache.remove(key);
        }
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
        self.seen_accounts.insert(*key);
        self.forget(key);
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

    /// The two instructions that create `acc` as a token account of `mint`
    /// owned by `owner` (rent paid by the payer; `acc` signs).
    pub async fn create_token_account_ixs(
        &mut self,
        owner: &Pubkey,
        mint: &Pubkey,
        acc: &Keypair,
    ) -> [Instruction; 2] {
        let rent = self
            .rent()
            .await
            .minimum_balance(spl_token::state::Account::LEN);
        [
            system_instruction::create_account(
                &self.payer(),
                &acc.pubkey(),
                rent,
                spl_token::state::Account::LEN as u64,
                &spl_token::ID,
            ),
            spl_token::instruction::initialize_account3(&spl_token::ID, &acc.pubkey(), mint, owner)
                .expect("ix"),
        ]
    }

    /// Creates a token account for (owner, mint), remembered for `token_account`.
    pub async fn create_token_account(&mut self, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
        let acc = Keypair::new();
        let ixs = self.create_token_account_ixs(owner, mint, &acc).await;
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
        PoolKeys::derive(&self.market, mint, decimals, oracle, feed, feed_id)
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
        keys.oracle_config()
    }

    pub fn position_key(&self, owner: &Pubkey) -> Pubkey {
        pda::position(&self.market, owner)
    }

    // ---------------------------------------------------------------- instructions

    pub fn ix_init_market(
        &self,
        market: &Pubkey,
        authority: &Pubkey,
        params: MarketParams,
    ) -> Instruction {
        cix::init_market(&self.payer(), market, authority, params)
    }

    pub fn ix_init_pool(
        &self,
        k: &PoolKeys,
        oracle: OracleConfig,
        params: PoolParams,
    ) -> Instruction {
        let authority = self.authority.pubkey();
        cix::init_pool(&self.payer(), &authority, &self.market, k, oracle, params)
    }

    pub async fn ix_deposit(&mut self, owner: &Pubkey, k: &PoolKeys, amount: u64) -> Instruction {
        let source = self.token_account(owner, &k.mint).await;
        let shares = self.token_account(owner, &k.share_mint).await;
        cix::deposit(owner, &self.market, k, &source, &shares, amount)
    }

    pub async fn ix_withdraw(&mut self, owner: &Pubkey, k: &PoolKeys, shares: u64) -> Instruction {
        let destination = self.token_account(owner, &k.mint).await;
        let source = self.token_account(owner, &k.share_mint).await;
        cix::withdraw(owner, &self.market, k, &source, &destination, shares)
    }

    pub fn ix_open_position(&self, owner: &Pubkey) -> Instruction {
        cix::open_position(owner, &self.market)
    }

    pub fn ix_close_position(&self, owner: &Pubkey) -> Instruction {
        cix::close_position(owner, &self.market)
    }

    pub async fn ix_deposit_collateral(
        &mut self,
        owner: &Pubkey,
        k: &PoolKeys,
        amount: u64,
    ) -> Instruction {
        let source = self.token_account(owner, &k.mint).await;
        cix::deposit_collateral(owner, &self.market, k, &source, amount)
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
        let others: Vec<Pubkey> = others.iter().map(|p| p.pool).collect();
        cix::withdraw_collateral(owner, &self.market, k, &destination, amount, &others)
    }

    pub async fn ix_borrow(
        &mut self,
        owner: &Pubkey,
        k: &PoolKeys,
        amount: u64,
        others: &[PoolKeys],
    ) -> Instruction {
        let destination = self.token_account(owner, &k.mint).await;
        let others: Vec<Pubkey> = others.iter().map(|p| p.pool).collect();
        cix::borrow(owner, &self.market, k, &destination, amount, &others)
    }

    pub async fn ix_repay(
        &mut self,
        payer: &Pubkey,
        position_owner: &Pubkey,
        k: &PoolKeys,
        amount: u64,
    ) -> Instruction {
        let source = self.token_account(payer, &k.mint).await;
        cix::repay(payer, &self.market, position_owner, k, &source, amount)
    }

    pub fn ix_refresh_pool(&self, k: &PoolKeys) -> Instruction {
        cix::refresh_pool(k)
    }

    pub fn ix_refresh_price(&self, k: &PoolKeys) -> Instruction {
        cix::refresh_price(k)
    }

    pub fn ix_update_pool_params(
        &self,
        authority: &Pubkey,
        k: &PoolKeys,
        params: PoolParams,
    ) -> Instruction {
        cix::update_pool_params(authority, &self.market, k, params)
    }

    pub fn ix_update_adaptive_params(
        &self,
        authority: &Pubkey,
        k: &PoolKeys,
        params: AdaptiveParams,
    ) -> Instruction {
        cix::update_adaptive_params(authority, &self.market, k, params)
    }

    /// Governance (the market authority) sets `k`'s adaptive rules.
    pub async fn set_adaptive(&mut self, k: &PoolKeys, params: AdaptiveParams) -> TxResult {
        let auth = self.authority.insecure_clone();
        let ix = self.ix_update_adaptive_params(&auth.pubkey(), k, params);
        self.send(&[ix], &[&auth]).await
    }

    pub fn ix_update_market_params(&self, authority: &Pubkey, params: MarketParams) -> Instruction {
        cix::update_market_params(authority, &self.market, params)
    }

    pub fn ix_propose_authority(&self, authority: &Pubkey, new_authority: Pubkey) -> Instruction {
        cix::propose_authority(authority, &self.market, new_authority)
    }

    pub fn ix_accept_authority(&self, new_authority: &Pubkey) -> Instruction {
        cix::accept_authority(new_authority, &self.market)
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

    /// A new wallet with an open position: `collateral` of `c`'s token
    /// deposited, `amount` of `d`'s borrowed against it (`all`: the pools
    /// refreshed for the borrow).
    pub async fn borrower(
        &mut self,
        (c, collateral): (&PoolKeys, u64),
        (d, amount): (&PoolKeys, u64),
        all: &[PoolKeys],
    ) -> Keypair {
        let b = self.user().await;
        self.mint_to(&c.mint, &b.pubkey(), collateral).await;
        self.open_position(&b).await.expect("open position");
        self.deposit_collateral(&b, c, collateral)
            .await
            .expect("deposit collateral");
        self.borrow(&b, d, amount, all).await.expect("borrow");
        b
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
        pda::auction(&self.position_key(owner), &c.pool, &d.pool)
    }

    pub async fn auction(&mut self, owner: &Pubkey, c: &PoolKeys, d: &PoolKeys) -> Auction {
        let k = self.auction_key(owner, c, d);
        self.anchor_account(&k).await
    }

    /// The depth accounts of `c` as registered, in order.
    pub async fn depth_accounts(&mut self, c: &PoolKeys) -> Vec<Pubkey> {
        let pool = self.pool(c).await;
        cix::depth_metas(&pool).iter().map(|m| m.pubkey).collect()
    }

    /// refresh_price of `k` with its depth accounts: also records the depth
    /// read now for later slots' liquidation caps.
    pub async fn ix_refresh_price_observing_depth(&mut self, k: &PoolKeys) -> Instruction {
        let pool = self.pool(k).await;
        cix::refresh_price_observing_depth(k, &pool.depth_sources)
    }

    pub fn ix_set_depth_sources(
        &self,
        authority: &Pubkey,
        k: &PoolKeys,
        sources: [DepthSource; 2],
        accounts: &[Pubkey],
    ) -> Instruction {
        let mut i = cix::set_depth_sources(authority, &self.market, k, sources);
        // the accounts a caller passes, not necessarily the sources' (attacks)
        let fixed = i.accounts.len() - cix::depth_source_metas(&sources).len();
        i.accounts.truncate(fixed);
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

    pub async fn ix_liquidate(
        &mut self,
        keeper: &Pubkey,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        others: &[PoolKeys],
    ) -> Instruction {
        self.ix_liquidation(false, keeper, owner, (c, d), others)
            .await
    }

    pub async fn ix_liquidate_instant(
        &mut self,
        keeper: &Pubkey,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        others: &[PoolKeys],
    ) -> Instruction {
        self.ix_liquidation(true, keeper, owner, (c, d), others)
            .await
    }

    /// `liquidate` or `liquidate_instant` of `owner`'s (collateral `c`, debt
    /// `d`) with what the chain holds: `c`'s depth sources and the keeper's
    /// token accounts; `others`: the position's other pools.
    async fn ix_liquidation(
        &mut self,
        instant: bool,
        keeper: &Pubkey,
        owner: &Pubkey,
        (c, d): (&PoolKeys, &PoolKeys),
        others: &[PoolKeys],
    ) -> Instruction {
        let build = if instant {
            cix::liquidate_instant
        } else {
            cix::liquidate
        };
        self.ix_on_position(build, keeper, owner, (c, d), others)
            .await
    }

    /// `build` (`liquidate`, `liquidate_instant`, `absorb`) on `owner`'s
    /// (collateral `c`, debt `d`) with what the chain holds: `c`'s depth
    /// sources and the keeper's token accounts; `others`: the position's
    /// other pools.
    pub(super) async fn ix_on_position(
        &mut self,
        build: fn(&cix::LiquidationAccounts) -> Instruction,
        keeper: &Pubkey,
        owner: &Pubkey,
        (c, d): (&PoolKeys, &PoolKeys),
        others: &[PoolKeys],
    ) -> Instruction {
        let sources = self.pool(c).await.depth_sources;
        let others: Vec<Pubkey> = others.iter().map(|p| p.pool).collect();
        let a = cix::LiquidationAccounts {
            market: self.market,
            keeper: *keeper,
            owner: *owner,
            collateral: c,
            depth_sources: &sources,
            debt: d,
            keeper_collateral: self.token_account(keeper, &c.mint).await,
            keeper_debt: self.token_account(keeper, &d.mint).await,
            others: &others,
        };
        build(&a)
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
        let a = self.auction_accounts(taker, owner, c, d).await;
        cix::take(&a, max_amount, max_price_wad)
    }

    async fn auction_accounts<'a>(
        &mut self,
        signer: &Pubkey,
        owner: &Pubkey,
        c: &'a PoolKeys,
        d: &'a PoolKeys,
    ) -> cix::AuctionAccounts<'a> {
        cix::AuctionAccounts {
            market: self.market,
            signer: *signer,
            owner: *owner,
            collateral: c,
            debt: d,
            signer_collateral: self.token_account(signer, &c.mint).await,
            signer_debt: self.token_account(signer, &d.mint).await,
        }
    }

    pub async fn ix_redo(
        &mut self,
        keeper: &Pubkey,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
    ) -> Instruction {
        let a = self.auction_accounts(keeper, owner, c, d).await;
        cix::redo(&a)
    }

    pub fn ix_settle_bad_debt(&self, keeper: &Pubkey, owner: &Pubkey, d: &PoolKeys) -> Instruction {
        cix::settle_bad_debt(keeper, &self.market, owner, d)
    }

    pub async fn fund_insurance(
        &mut self,
        funder: &Keypair,
        k: &PoolKeys,
        amount: u64,
    ) -> TxResult {
        let source = self.token_account(&funder.pubkey(), &k.mint).await;
        let i = cix::fund_insurance(&funder.pubkey(), k, &source, amount);
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
        self.refresh_and_liquidate(false, keeper, owner, (c, d), all)
            .await
    }

    /// Refreshes `all` prices, then liquidates (instant mode) in one transaction.
    pub async fn liquidate_instant(
        &mut self,
        keeper: &Keypair,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        all: &[PoolKeys],
    ) -> TxResult {
        self.refresh_and_liquidate(true, keeper, owner, (c, d), all)
            .await
    }

    async fn refresh_and_liquidate(
        &mut self,
        instant: bool,
        keeper: &Keypair,
        owner: &Pubkey,
        (c, d): (&PoolKeys, &PoolKeys),
        all: &[PoolKeys],
    ) -> TxResult {
        let mut ixs = self.refresh_prices(all);
        let others: Vec<PoolKeys> = all
            .iter()
            .filter(|p| p.pool != c.pool && p.pool != d.pool)
            .copied()
            .collect();
        let liq = self
            .ix_liquidation(instant, &keeper.pubkey(), owner, (c, d), &others)
            .await;
        ixs.push(liq);
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

/// The in-process runtime as a [`crate::chain::Chain`] (the simulator's and
/// the tests' keeper runs on it).
impl crate::chain::Chain for Env {
    async fn account_data(
        &mut self,
        key: &Pubkey,
    ) -> Result<Option<Vec<u8>>, crate::chain::TxError> {
        Ok(self.account(key).await.map(|a| a.data))
    }

    async fn send(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), crate::chain::TxError> {
        Env::send(self, ixs, signers)
            .await
            .map_err(|e| crate::chain::TxError {
                code: custom_code(&e),
                message: format!("{e:?}"),
            })
    }

    async fn slot(&mut self) -> Result<u64, crate::chain::TxError> {
        Ok(self.clock().await.slot)
    }
}
