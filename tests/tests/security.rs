//! Account-validation attacks on every instruction, one per class where the
//! class applies. Each case asserts the exact error and that every account the
//! transaction names is byte-for-byte unchanged afterwards.
//!
//! One table per instruction (`<instruction>_attacks`), each case naming the
//! account it substitutes (by its name in the IDL, so reordering an
//! `Accounts` struct cannot retarget an attack). The tables share one scene
//! (`Cast`, `BufferCast`) and run in one transaction stream.
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::error::InstructionError;
use anchor_lang::solana_program::instruction::Instruction;
use sluice::errors::SluiceError;
use sluice::state::MarketParams;
use sluice_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

use Expect::*;

#[derive(Clone, Debug)]
enum Expect {
    Sluice(SluiceError),
    Anchor(AnchorError),
    /// A custom error from another program.
    #[allow(dead_code)]
    Custom(u32),
    /// A runtime-level instruction error. Re-initialising an existing account
    /// fails in the system program's create; the native CPI stub of
    /// solana-program-test surfaces that as InvalidInstructionData.
    Ix(InstructionError),
}

impl Expect {
    fn code(&self) -> u32 {
        match self {
            Expect::Sluice(e) => u32::from(*e),
            Expect::Anchor(e) => u32::from(*e),
            Expect::Custom(c) => *c,
            Expect::Ix(_) => u32::MAX,
        }
    }
}

struct Case {
    ix: &'static str,
    class: &'static str,
    prefix: Vec<Instruction>,
    attack: Instruction,
    signers: Vec<Keypair>,
    expect: Expect,
}

struct Scene {
    env: Env,
    usdc: PoolKeys,
    sol: PoolKeys,
    amm: Amm,
    b: Keypair,
    h: Keypair,
    keeper: Keypair,
    /// A position of b's market that holds nothing (for re-init and wrong-owner cases).
    empty: Keypair,
    /// Pool data copied to an account owned by another program.
    fake_pool: Pubkey,
    /// A market owned by another program that names the attacker as authority.
    fake_market: Pubkey,
    attacker: Keypair,
}

async fn scene() -> Scene {
    let m = MarketBuilder::default().build().await;
    let (mut env, usdc, sol) = (m.env, m.usdc, m.sol);
    let amm = m.amm.expect("the default market has an AMM");
    let all = [usdc, sol];
    let mut users = Vec::new();
    for debt in [7_000, 1_000] {
        let u = env.user().await;
        env.mint_to(&sol.mint, &u.pubkey(), 100 * SOL).await;
        env.mint_to(&usdc.mint, &u.pubkey(), 10_000 * USDC).await;
        env.open_position(&u).await.unwrap();
        env.deposit_collateral(&u, &sol, 50 * SOL).await.unwrap();
        env.deposit_collateral(&u, &sol, 50 * SOL).await.unwrap();
        env.borrow(&u, &usdc, debt * USDC, &all).await.unwrap();
        users.push(u);
    }
    let (b, h) = (users.remove(0), users.remove(0));
    for _ in 0..6 {
        env.step_prices(10, 4, &[(usdc, 1.0), (sol, 85.0)]).await;
    }
    let keeper = env.user().await;
    env.mint_to(&usdc.mint, &keeper.pubkey(), 100_000 * USDC)
        .await;
    env.mint_to(&sol.mint, &keeper.pubkey(), 10 * SOL).await;
    env.liquidate(&keeper, &b.pubkey(), &sol, &usdc, &all)
        .await
        .unwrap();
    let empty = env.user().await;
    env.open_position(&empty).await.unwrap();
    let attacker = env.user().await;
    env.mint_to(&usdc.mint, &attacker.pubkey(), 1_000 * USDC)
        .await;
    env.mint_to(&sol.mint, &attacker.pubkey(), 10 * SOL).await;
    // fake accounts: real layouts, owned by a program the attacker controls
    let impostor = Keypair::new().pubkey();
    let fake_pool = Keypair::new().pubkey();
    let data = env.account(&usdc.pool).await.unwrap().data;
    env.set_account(&fake_pool, &impostor, data);
    let fake_market = Keypair::new().pubkey();
    let mut m = env.market_state().await;
    m.authority = attacker.pubkey();
    let mut data = Vec::new();
    anchor_lang::AccountSerialize::try_serialize(&m, &mut data).unwrap();
    env.set_account(&fake_market, &impostor, data);
    Scene {
        env,
        usdc,
        sol,
        amm,
        b,
        h,
        keeper,
        empty,
        fake_pool,
        fake_market,
        attacker,
    }
}

/// The IDL, read once for the whole suite.
fn idl() -> &'static serde_json::Value {
    static IDL: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    IDL.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../idl/sluice.json");
        let text = std::fs::read_to_string(path).expect("idl/sluice.json");
        serde_json::from_str(&text).expect("IDL JSON")
    })
}

/// The IDL's account names of `ix` (found by its discriminator), in order.
fn account_names(ix: &Instruction) -> (String, Vec<String>) {
    for i in idl()["instructions"].as_array().expect("instructions") {
        let disc: Vec<u8> = i["discriminator"]
            .as_array()
            .expect("discriminator")
            .iter()
            .filter_map(|b| b.as_u64().map(|b| b as u8))
            .collect();
        if ix.data.starts_with(&disc) {
            let names = i["accounts"]
                .as_array()
                .expect("accounts")
                .iter()
                .filter_map(|a| a["name"].as_str().map(String::from))
                .collect();
            return (i["name"].as_str().unwrap_or("?").to_string(), names);
        }
    }
    panic!("instruction not in the IDL");
}

/// Index of the account named `name` in `ix` (by the IDL, so reordering an
/// `Accounts` struct cannot silently retarget an attack).
fn index_of(ix: &Instruction, name: &str) -> usize {
    let (ix_name, names) = account_names(ix);
    names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("{ix_name} has no account named {name}"))
}

/// `ix` with its account `name` replaced by `key`.
fn with(mut ix: Instruction, name: &str, key: Pubkey) -> Instruction {
    let i = index_of(&ix, name);
    ix.accounts[i].pubkey = key;
    ix
}

/// `ix` with its remaining account `k` (after the named ones) replaced by `key`.
fn with_remaining(mut ix: Instruction, k: usize, key: Pubkey) -> Instruction {
    let i = account_names(&ix).1.len() + k;
    ix.accounts[i].pubkey = key;
    ix
}

/// `ix` with its account `name` no longer a signer.
fn unsigned(mut ix: Instruction, name: &str) -> Instruction {
    let i = index_of(&ix, name);
    ix.accounts[i].is_signer = false;
    ix
}

/// A PDA of `seeds` with a valid but non-canonical bump.
fn non_canonical(seeds: &[&[u8]]) -> Pubkey {
    let (_, canonical) = Pubkey::find_program_address(seeds, &sluice::ID);
    for bump in (0..canonical).rev() {
        let mut s: Vec<&[u8]> = seeds.to_vec();
        let b = [bump];
        s.push(&b);
        if let Ok(k) = Pubkey::create_program_address(&s, &sluice::ID) {
            return k;
        }
    }
    panic!("no non-canonical bump");
}

async fn run(env: &mut Env, cases: Vec<Case>) -> Vec<(String, String)> {
    let mut table = Vec::new();
    for c in cases {
        let mut keys: Vec<Pubkey> = Vec::new();
        for i in c.prefix.iter().chain(std::iter::once(&c.attack)) {
            for a in &i.accounts {
                if !keys.contains(&a.pubkey) {
                    keys.push(a.pubkey);
                }
            }
        }
        let mut before = Vec::new();
        for k in &keys {
            before.push(env.account(k).await);
        }
        let mut ixs = c.prefix.clone();
        ixs.push(c.attack.clone());
        let signers: Vec<&Keypair> = c.signers.iter().collect();
        let res = env.send(&ixs, &signers).await;
        let err = match res {
            Ok(()) => panic!("{} / {}: the attack succeeded", c.ix, c.class),
            Err(e) => e,
        };
        if let Expect::Ix(want) = &c.expect {
            assert_eq!(
                instruction_error(&err).as_ref(),
                Some(want),
                "{} / {}: {err:?}",
                c.ix,
                c.class
            );
        } else {
            assert_eq!(
                custom_code(&err),
                Some(c.expect.code()),
                "{} / {}: expected {:?}, got {err:?}",
                c.ix,
                c.class,
                c.expect
            );
        }
        for (k, b) in keys.iter().zip(before) {
            let after = env.account(k).await;
            // the fee payer pays fees; every other account is untouched
            if *k == env.payer() {
                continue;
            }
            assert_eq!(
                b.as_ref().map(|a| (&a.data, a.lamports, a.owner)),
                after.as_ref().map(|a| (&a.data, a.lamports, a.owner)),
                "{} / {}: account {k} changed",
                c.ix,
                c.class
            );
        }
        table.push((c.ix.to_string(), c.class.to_string()));
    }
    table
}

/// One attack case: `case!(cases, instruction, class, prefix, attack,
/// [signers], expected error)`.
macro_rules! case {
    ($cases:ident, $ix:expr, $class:expr, $prefix:expr, $attack:expr, [$($sg:expr),*], $expect:expr) => {
        $cases.push(Case {
            ix: $ix,
            class: $class,
            prefix: $prefix,
            attack: $attack,
            signers: vec![$($sg.insecure_clone()),*],
            expect: $expect,
        })
    };
}

/// Who and what the attack tables of the lending and liquidation
/// instructions use: b (liquidated, auction open), h (healthy), the keeper,
/// e (an empty position), a (the attacker).
struct Cast {
    usdc: PoolKeys,
    sol: PoolKeys,
    b: Keypair,
    h: Keypair,
    k: Keypair,
    e: Keypair,
    a: Keypair,
    auth: Keypair,
    all: [PoolKeys; 2],
    refresh: Vec<Instruction>,
    sys: Pubkey,
    position_b: Pubkey,
    position_h: Pubkey,
}

impl Cast {
    fn of(s: &mut Scene) -> Self {
        let all = [s.usdc, s.sol];
        Cast {
            usdc: s.usdc,
            sol: s.sol,
            b: s.b.insecure_clone(),
            h: s.h.insecure_clone(),
            k: s.keeper.insecure_clone(),
            e: s.empty.insecure_clone(),
            a: s.attacker.insecure_clone(),
            auth: s.env.authority.insecure_clone(),
            all,
            refresh: s.env.refresh_prices(&all),
            sys: anchor_lang::system_program::ID,
            position_b: s.env.position_key(&s.b.pubkey()),
            position_h: s.env.position_key(&s.h.pubkey()),
        }
    }
}

impl Clone for Cast {
    fn clone(&self) -> Self {
        Cast {
            b: self.b.insecure_clone(),
            h: self.h.insecure_clone(),
            k: self.k.insecure_clone(),
            e: self.e.insecure_clone(),
            a: self.a.insecure_clone(),
            auth: self.auth.insecure_clone(),
            refresh: self.refresh.clone(),
            ..*self
        }
    }
}

/// The buffer pool tables' cast: a (SOL, USDC) buffer with short waits and a
/// depositor (`dep`) holding an active stake and a withdrawal request.
struct BufferCast {
    usdc: PoolKeys,
    sol: PoolKeys,
    k: Keypair,
    a: Keypair,
    auth: Keypair,
    sys: Pubkey,
    params: sluice::state::BufferParams,
    bk: BufferKeys,
    dep: Keypair,
    refresh: Vec<Instruction>,
}

impl BufferCast {
    async fn of(s: &mut Scene) -> Self {
        let env = &mut s.env;
        let (usdc, sol) = (s.usdc, s.sol);
        let params = sluice::state::BufferParams {
            activation_delay_slots: 10,
            withdrawal_cooldown_slots: 10,
            ..sluice::presets::buffer()
        };
        let bk = env.init_buffer(&sol, &usdc, params).await;
        let dep = env.user().await;
        env.mint_to(&usdc.mint, &dep.pubkey(), 50_000 * USDC).await;
        env.buffer_deposit(&dep, &bk, 50_000 * USDC).await.unwrap();
        env.step_prices(10, 4, &[(usdc, 1.0), (sol, 85.0)]).await;
        env.activate_buffer_stake(&bk, &dep.pubkey()).await.unwrap();
        let r = client::ix::request_buffer_withdrawal(&dep.pubkey(), &bk, 1_000);
        env.send(&[r], &[&dep]).await.unwrap();
        env.step_prices(10, 4, &[(usdc, 1.0), (sol, 85.0)]).await;
        BufferCast {
            usdc,
            sol,
            k: s.keeper.insecure_clone(),
            a: s.attacker.insecure_clone(),
            auth: env.authority.insecure_clone(),
            sys: anchor_lang::system_program::ID,
            params,
            bk,
            dep,
            refresh: env.refresh_prices(&[usdc, sol]),
        }
    }
}

impl Clone for BufferCast {
    fn clone(&self) -> Self {
        BufferCast {
            k: self.k.insecure_clone(),
            a: self.a.insecure_clone(),
            auth: self.auth.insecure_clone(),
            dep: self.dep.insecure_clone(),
            refresh: self.refresh.clone(),
            ..*self
        }
    }
}

/// Prints the instruction x class table (`cargo test -- --nocapture`).
fn print_table(table: &[(String, String)]) {
    let mut by_ix: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (ix, class) in table {
        by_ix.entry(ix).or_default().push(class);
    }
    for (ix, classes) in &by_ix {
        println!("| {ix} | {} |", classes.join(", "));
    }
}

#[tokio::test]
async fn every_instruction_rejects_every_applicable_attack() {
    let mut s = scene().await;
    let c = Cast::of(&mut s);
    let mut cases = Vec::new();
    cases.extend(init_market_attacks(&mut s, &c).await);
    cases.extend(init_pool_attacks(&mut s, &c).await);
    cases.extend(deposit_attacks(&mut s, &c).await);
    cases.extend(withdraw_attacks(&mut s, &c).await);
    cases.extend(open_position_and_close_position_attacks(&mut s, &c).await);
    cases.extend(deposit_collateral_attacks(&mut s, &c).await);
    cases.extend(withdraw_collateral_attacks(&mut s, &c).await);
    cases.extend(borrow_attacks(&mut s, &c).await);
    cases.extend(repay_attacks(&mut s, &c).await);
    cases.extend(refresh_pool_and_refresh_price_attacks(&mut s, &c).await);
    cases.extend(update_pool_params_attacks(&mut s, &c).await);
    cases.extend(update_adaptive_params_attacks(&mut s, &c).await);
    cases.extend(update_market_params_attacks(&mut s, &c).await);
    cases.extend(propose_authority_attacks(&mut s, &c).await);
    cases.extend(accept_authority_attacks(&mut s, &c).await);
    cases.extend(set_depth_sources_attacks(&mut s, &c).await);
    cases.extend(fund_insurance_attacks(&mut s, &c).await);
    cases.extend(liquidate_attacks(&mut s, &c).await);
    cases.extend(liquidate_instant_attacks(&mut s, &c).await);
    cases.extend(take_attacks(&mut s, &c).await);
    cases.extend(redo_attacks(&mut s, &c).await);
    cases.extend(settle_bad_debt_attacks(&mut s, &c).await);
    let table = run(&mut s.env, cases).await;
    print_table(&table);
    assert!(table.len() >= 100, "{} cases", table.len());
}

/// The attack table of `init_market`.
async fn init_market_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let m2 = Keypair::new();
    let m3 = Keypair::new();
    let i = env.ix_init_market(&m3.pubkey(), &auth.pubkey(), default_market_params());
    env.send(std::slice::from_ref(&i), &[&m3]).await.unwrap();
    case!(
        cases,
        "init_market",
        "re-initialization",
        vec![],
        i,
        [m3],
        Ix(InstructionError::InvalidInstructionData)
    );
    let i = env.ix_init_market(&m2.pubkey(), &auth.pubkey(), default_market_params());
    case!(
        cases,
        "init_market",
        "arbitrary program in CPI slot",
        vec![],
        with(i, "system_program", spl_token_id()),
        [m2],
        Anchor(AnchorError::InvalidProgramId)
    );
    cases
}

/// The attack table of `init_pool`.
async fn init_pool_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let mint = env.create_mint(6).await;
    let nk = env.pool_keys(&mint, 6, Keypair::new().pubkey(), Feed::Pull, [9; 32]);
    let cfg = env.oracle_config(&nk);
    let ip = env.ix_init_pool(&nk, cfg, default_params());
    case!(
        cases,
        "init_pool",
        "missing signer",
        vec![],
        unsigned(ip.clone(), "authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "init_pool",
        "wrong authority",
        vec![],
        with(ip.clone(), "authority", a.pubkey()),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "init_pool",
        "fake account chain",
        vec![],
        with(
            with(ip.clone(), "market", s.fake_market),
            "authority",
            a.pubkey()
        ),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "init_pool",
        "re-initialization",
        vec![],
        {
            let c = env.oracle_config(&usdc);
            env.ix_init_pool(&usdc, c, default_params())
        },
        [auth],
        Ix(InstructionError::InvalidInstructionData)
    );
    case!(
        cases,
        "init_pool",
        "arbitrary program in CPI slot",
        vec![],
        with(ip.clone(), "token_program", sys),
        [auth],
        Anchor(AnchorError::InvalidProgramId)
    );
    let nc_vault = non_canonical(&[sluice::constants::VAULT_SEED, nk.pool.as_ref()]);
    case!(
        cases,
        "init_pool",
        "non-canonical bump",
        vec![],
        with(ip.clone(), "vault", nc_vault),
        [auth],
        Anchor(AnchorError::ConstraintSeeds)
    );
    case!(
        cases,
        "init_pool",
        "owner/type substitution",
        vec![],
        with(ip.clone(), "market", usdc.pool),
        [auth],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    cases
}

/// The attack table of `deposit`.
async fn deposit_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let d = env.ix_deposit(&a.pubkey(), &usdc, USDC).await;
    case!(
        cases,
        "deposit",
        "missing signer",
        vec![],
        unsigned(d.clone(), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "deposit",
        "owner/type substitution",
        vec![],
        with(d.clone(), "pool", position_b),
        [a],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "deposit",
        "fake account chain",
        vec![],
        with(d.clone(), "pool", s.fake_pool),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "deposit",
        "arbitrary program in CPI slot",
        vec![],
        with(d.clone(), "token_program", sys),
        [a],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "deposit",
        "same account in two mutable roles",
        vec![],
        with(d.clone(), "source", usdc.vault),
        [a],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "deposit",
        "another pool's PDA as vault",
        vec![],
        with(d.clone(), "vault", sol.vault),
        [a],
        Sluice(SluiceError::VaultMismatch)
    );
    cases
}

/// The attack table of `withdraw`.
async fn withdraw_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let w = env.ix_withdraw(&a.pubkey(), &usdc, 1).await;
    case!(
        cases,
        "withdraw",
        "missing signer",
        vec![],
        unsigned(w.clone(), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "withdraw",
        "owner/type substitution",
        vec![],
        with(w.clone(), "market", usdc.pool),
        [a],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "withdraw",
        "fake account chain",
        vec![],
        with(w.clone(), "market", s.fake_market),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "withdraw",
        "arbitrary program in CPI slot",
        vec![],
        with(w.clone(), "token_program", sys),
        [a],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "withdraw",
        "same account in two mutable roles",
        vec![],
        with(w.clone(), "destination", usdc.vault),
        [a],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "withdraw",
        "another pool's PDA as vault",
        vec![],
        with(w.clone(), "vault", sol.vault),
        [a],
        Sluice(SluiceError::VaultMismatch)
    );
    cases
}

/// The attack table of `open_position / close_position`.
async fn open_position_and_close_position_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let o = env.ix_open_position(&e.pubkey());
    case!(
        cases,
        "open_position",
        "re-initialization",
        vec![],
        o.clone(),
        [e],
        Ix(InstructionError::InvalidInstructionData)
    );
    case!(
        cases,
        "open_position",
        "missing signer",
        vec![],
        unsigned(env.ix_open_position(&a.pubkey()), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    let nc_pos = non_canonical(&[
        sluice::constants::POSITION_SEED,
        env.market.as_ref(),
        a.pubkey().as_ref(),
    ]);
    case!(
        cases,
        "open_position",
        "non-canonical bump",
        vec![],
        with(env.ix_open_position(&a.pubkey()), "position", nc_pos),
        [a],
        Anchor(AnchorError::ConstraintSeeds)
    );
    case!(
        cases,
        "open_position",
        "arbitrary program in CPI slot",
        vec![],
        with(
            env.ix_open_position(&a.pubkey()),
            "system_program",
            spl_token_id()
        ),
        [a],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "open_position",
        "fake account chain",
        vec![],
        with(env.ix_open_position(&a.pubkey()), "market", s.fake_market),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    let c = env.ix_close_position(&h.pubkey());
    case!(
        cases,
        "close_position",
        "closing a non-empty position",
        vec![],
        c.clone(),
        [h],
        Sluice(SluiceError::PositionNotEmpty)
    );
    case!(
        cases,
        "close_position",
        "missing signer",
        vec![],
        unsigned(c.clone(), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "close_position",
        "wrong authority",
        vec![],
        with(
            env.ix_close_position(&a.pubkey()),
            "position",
            env.position_key(&e.pubkey())
        ),
        [a],
        Sluice(SluiceError::NotPositionOwner)
    );
    case!(
        cases,
        "close_position",
        "owner/type substitution",
        vec![],
        with(c.clone(), "position", usdc.pool),
        [h],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    cases
}

/// The attack table of `deposit_collateral`.
async fn deposit_collateral_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let dc = env.ix_deposit_collateral(&h.pubkey(), &sol, SOL / 10).await;
    case!(
        cases,
        "deposit_collateral",
        "missing signer",
        vec![],
        unsigned(dc.clone(), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "deposit_collateral",
        "wrong authority",
        vec![],
        with(
            env.ix_deposit_collateral(&a.pubkey(), &sol, SOL).await,
            "position",
            position_h
        ),
        [a],
        Sluice(SluiceError::NotPositionOwner)
    );
    case!(
        cases,
        "deposit_collateral",
        "owner/type substitution",
        vec![],
        with(dc.clone(), "position", sol.pool),
        [h],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "deposit_collateral",
        "fake account chain",
        vec![],
        with(dc.clone(), "pool", s.fake_pool),
        [h],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "deposit_collateral",
        "arbitrary program in CPI slot",
        vec![],
        with(dc.clone(), "token_program", sys),
        [h],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "deposit_collateral",
        "same account in two mutable roles",
        vec![],
        with(dc.clone(), "source", sol.vault),
        [h],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "deposit_collateral",
        "another pool's PDA as vault",
        vec![],
        with(dc.clone(), "vault", usdc.vault),
        [h],
        Sluice(SluiceError::VaultMismatch)
    );
    cases
}

/// The attack table of `withdraw_collateral`.
async fn withdraw_collateral_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let wc = env
        .ix_withdraw_collateral(&h.pubkey(), &sol, SOL, &[usdc])
        .await;
    case!(
        cases,
        "withdraw_collateral",
        "missing signer",
        refresh.clone(),
        unsigned(wc.clone(), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "withdraw_collateral",
        "wrong authority",
        refresh.clone(),
        with(
            env.ix_withdraw_collateral(&a.pubkey(), &sol, SOL, &[usdc])
                .await,
            "position",
            position_h
        ),
        [a],
        Sluice(SluiceError::NotPositionOwner)
    );
    case!(
        cases,
        "withdraw_collateral",
        "owner/type substitution",
        refresh.clone(),
        with(wc.clone(), "pool", position_b),
        [h],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "withdraw_collateral",
        "fake account chain",
        refresh.clone(),
        with_remaining(wc.clone(), 0, s.fake_pool),
        [h],
        Sluice(SluiceError::MissingPoolAccount)
    );
    case!(
        cases,
        "withdraw_collateral",
        "arbitrary program in CPI slot",
        refresh.clone(),
        with(wc.clone(), "token_program", sys),
        [h],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "withdraw_collateral",
        "same account in two mutable roles",
        refresh.clone(),
        with(wc.clone(), "destination", sol.vault),
        [h],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "withdraw_collateral",
        "another pool's PDA as vault",
        refresh.clone(),
        with(wc.clone(), "vault", usdc.vault),
        [h],
        Sluice(SluiceError::VaultMismatch)
    );
    cases
}

/// The attack table of `borrow`.
async fn borrow_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let br = env.ix_borrow(&h.pubkey(), &usdc, USDC, &[sol]).await;
    case!(
        cases,
        "borrow",
        "missing signer",
        refresh.clone(),
        unsigned(br.clone(), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "borrow",
        "wrong authority",
        refresh.clone(),
        with(
            env.ix_borrow(&a.pubkey(), &usdc, USDC, &[sol]).await,
            "position",
            position_h
        ),
        [a],
        Sluice(SluiceError::NotPositionOwner)
    );
    case!(
        cases,
        "borrow",
        "owner/type substitution",
        refresh.clone(),
        with(br.clone(), "position", usdc.pool),
        [h],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "borrow",
        "fake account chain",
        refresh.clone(),
        with_remaining(br.clone(), 0, s.fake_pool),
        [h],
        Sluice(SluiceError::MissingPoolAccount)
    );
    case!(
        cases,
        "borrow",
        "arbitrary program in CPI slot",
        refresh.clone(),
        with(br.clone(), "token_program", sys),
        [h],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "borrow",
        "same account in two mutable roles",
        refresh.clone(),
        with(br.clone(), "destination", usdc.vault),
        [h],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "borrow",
        "another pool's PDA as vault",
        refresh.clone(),
        with(br.clone(), "vault", sol.vault),
        [h],
        Sluice(SluiceError::VaultMismatch)
    );
    cases
}

/// The attack table of `repay`.
async fn repay_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let rp = env.ix_repay(&h.pubkey(), &h.pubkey(), &usdc, USDC).await;
    case!(
        cases,
        "repay",
        "missing signer",
        vec![],
        unsigned(rp.clone(), "payer"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "repay",
        "owner/type substitution",
        vec![],
        with(rp.clone(), "pool", position_b),
        [h],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "repay",
        "fake account chain",
        vec![],
        with(rp.clone(), "pool", s.fake_pool),
        [h],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "repay",
        "arbitrary program in CPI slot",
        vec![],
        with(rp.clone(), "token_program", sys),
        [h],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "repay",
        "same account in two mutable roles",
        vec![],
        with(rp.clone(), "source", usdc.vault),
        [h],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "repay",
        "another pool's PDA as vault",
        vec![],
        with(rp.clone(), "vault", sol.vault),
        [h],
        Sluice(SluiceError::VaultMismatch)
    );
    cases
}

/// The attack table of `refresh_pool / refresh_price`.
async fn refresh_pool_and_refresh_price_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let rpl = env.ix_refresh_pool(&usdc);
    case!(
        cases,
        "refresh_pool",
        "owner/type substitution",
        vec![],
        with(rpl.clone(), "pool", position_b),
        [],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "refresh_pool",
        "fake account chain",
        vec![],
        with(rpl.clone(), "pool", s.fake_pool),
        [],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "refresh_pool",
        "arbitrary program in CPI slot",
        vec![],
        with(rpl.clone(), "token_program", sys),
        [],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "refresh_pool",
        "same account in two mutable roles",
        vec![],
        with(rpl.clone(), "insurance_vault", usdc.vault),
        [],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "refresh_pool",
        "another pool's PDA as vault",
        vec![],
        with(rpl.clone(), "vault", sol.vault),
        [],
        Sluice(SluiceError::VaultMismatch)
    );
    let rpr = env.ix_refresh_price(&sol);
    case!(
        cases,
        "refresh_price",
        "owner/type substitution",
        vec![],
        with(rpr.clone(), "pool", position_b),
        [],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "refresh_price",
        "fake account chain",
        vec![],
        with(rpr.clone(), "pool", s.fake_pool),
        [],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "refresh_price",
        "substituted oracle",
        vec![],
        with(rpr.clone(), "oracle", usdc.oracle),
        [],
        Sluice(SluiceError::OracleWrongOwner)
    );
    cases
}

/// The attack table of `update_pool_params`.
async fn update_pool_params_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let up = env.ix_update_pool_params(&auth.pubkey(), &usdc, default_params());
    case!(
        cases,
        "update_pool_params",
        "missing signer",
        vec![],
        unsigned(up.clone(), "authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "update_pool_params",
        "wrong authority",
        vec![],
        with(up.clone(), "authority", a.pubkey()),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "update_pool_params",
        "fake account chain",
        vec![],
        with(
            with(up.clone(), "authority", a.pubkey()),
            "market",
            s.fake_market
        ),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "update_pool_params",
        "owner/type substitution",
        vec![],
        with(up.clone(), "pool", position_b),
        [auth],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    cases
}

/// The attack table of `update_adaptive_params`.
async fn update_adaptive_params_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let up = env.ix_update_adaptive_params(&auth.pubkey(), &sol, sluice::presets::adaptive());
    case!(
        cases,
        "update_adaptive_params",
        "missing signer",
        vec![],
        unsigned(up.clone(), "authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "update_adaptive_params",
        "wrong authority",
        vec![],
        with(up.clone(), "authority", a.pubkey()),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "update_adaptive_params",
        "fake account chain",
        vec![],
        with(
            with(up.clone(), "authority", a.pubkey()),
            "market",
            s.fake_market
        ),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "update_adaptive_params",
        "owner/type substitution",
        vec![],
        with(up.clone(), "pool", position_b),
        [auth],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    cases
}

/// The attack table of `update_market_params`.
async fn update_market_params_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let um = env.ix_update_market_params(
        &auth.pubkey(),
        MarketParams {
            pause_flags: 15,
            ..default_market_params()
        },
    );
    case!(
        cases,
        "update_market_params",
        "missing signer",
        vec![],
        unsigned(um.clone(), "authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "update_market_params",
        "wrong authority",
        vec![],
        with(um.clone(), "authority", a.pubkey()),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "update_market_params",
        "owner/type substitution",
        vec![],
        with(um.clone(), "market", usdc.pool),
        [auth],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    cases
}

/// The attack table of `propose_authority`.
async fn propose_authority_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let pa = env.ix_propose_authority(&auth.pubkey(), a.pubkey());
    case!(
        cases,
        "propose_authority",
        "missing signer",
        vec![],
        unsigned(pa.clone(), "authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "propose_authority",
        "wrong authority",
        vec![],
        with(pa.clone(), "authority", a.pubkey()),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "propose_authority",
        "owner/type substitution",
        vec![],
        with(pa.clone(), "market", usdc.pool),
        [auth],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    cases
}

/// The attack table of `accept_authority`.
async fn accept_authority_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let aa = env.ix_accept_authority(&a.pubkey());
    case!(
        cases,
        "accept_authority",
        "wrong authority",
        vec![],
        aa.clone(),
        [a],
        Sluice(SluiceError::NoPendingAuthority)
    );
    case!(
        cases,
        "accept_authority",
        "missing signer",
        vec![],
        unsigned(aa.clone(), "new_authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "accept_authority",
        "owner/type substitution",
        vec![],
        with(aa.clone(), "market", usdc.pool),
        [a],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "accept_authority",
        "fake account chain",
        vec![],
        with(aa.clone(), "market", s.fake_market),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    cases
}

/// The attack table of `set_depth_sources`.
async fn set_depth_sources_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let sd = env.ix_set_depth_sources(&auth.pubkey(), &sol, [Default::default(); 2], &[]);
    case!(
        cases,
        "set_depth_sources",
        "missing signer",
        vec![],
        unsigned(sd.clone(), "authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "set_depth_sources",
        "wrong authority",
        vec![],
        with(sd.clone(), "authority", a.pubkey()),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "set_depth_sources",
        "fake account chain",
        vec![],
        with(
            with(sd.clone(), "authority", a.pubkey()),
            "market",
            s.fake_market
        ),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "set_depth_sources",
        "owner/type substitution",
        vec![],
        with(sd.clone(), "pool", position_b),
        [auth],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    cases
}

/// The attack table of `fund_insurance`.
async fn fund_insurance_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let src = env.token_account(&a.pubkey(), &usdc.mint).await;
    let fi = {
        let mut i = env.ix_refresh_pool(&usdc); // replaced below
        i.accounts.clear();
        i.data = anchor_lang::InstructionData::data(&sluice::instruction::FundInsurance {
            amount: USDC,
        });
        i.accounts = anchor_lang::ToAccountMetas::to_account_metas(
            &sluice::accounts::FundInsurance {
                funder: a.pubkey(),
                pool: usdc.pool,
                insurance: usdc.insurance,
                insurance_vault: usdc.insurance_vault,
                source: src,
                token_program: spl_token_id(),
            },
            None,
        );
        i
    };
    case!(
        cases,
        "fund_insurance",
        "missing signer",
        vec![],
        unsigned(fi.clone(), "funder"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "fund_insurance",
        "another pool's PDA as vault",
        vec![],
        with(fi.clone(), "insurance_vault", sol.insurance_vault),
        [a],
        Sluice(SluiceError::InsuranceMismatch)
    );
    case!(
        cases,
        "fund_insurance",
        "arbitrary program in CPI slot",
        vec![],
        with(fi.clone(), "token_program", sys),
        [a],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "fund_insurance",
        "same account in two mutable roles",
        vec![],
        with(fi.clone(), "source", usdc.insurance_vault),
        [a],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "fund_insurance",
        "owner/type substitution",
        vec![],
        with(fi.clone(), "insurance", sol.insurance),
        [a],
        Sluice(SluiceError::InsuranceMismatch)
    );
    cases
}

/// The attack table of `liquidate (auction mode) on the unhealthy-again position b`.
async fn liquidate_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let lq = env
        .ix_liquidate(&k.pubkey(), &b.pubkey(), &sol, &usdc, &[])
        .await;
    // the event CPI's signer must be the program's own event authority, or an
    // attacker could forge liquidation events in an indexer's view
    case!(
        cases,
        "liquidate",
        "substituted event authority",
        refresh.clone(),
        with(lq.clone(), "event_authority", a.pubkey()),
        [k],
        Anchor(AnchorError::ConstraintAddress)
    );
    case!(
        cases,
        "liquidate",
        "missing signer",
        refresh.clone(),
        unsigned(lq.clone(), "keeper"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "liquidate",
        "owner/type substitution",
        refresh.clone(),
        with(lq.clone(), "position", usdc.pool),
        [k],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "liquidate",
        "fake account chain",
        refresh.clone(),
        with(lq.clone(), "debt_pool", s.fake_pool),
        [k],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "liquidate",
        "arbitrary program in CPI slot",
        refresh.clone(),
        with(lq.clone(), "token_program", sys),
        [k],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "liquidate",
        "same account in two mutable roles",
        refresh.clone(),
        with(lq.clone(), "keeper_collateral", sol.vault),
        [k],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "liquidate",
        "another pool's PDA as vault",
        refresh.clone(),
        with(lq.clone(), "collateral_vault", usdc.vault),
        [k],
        Sluice(SluiceError::VaultMismatch)
    );
    let nc_auction = non_canonical(&[
        sluice::constants::AUCTION_SEED,
        position_b.as_ref(),
        sol.pool.as_ref(),
        usdc.pool.as_ref(),
    ]);
    case!(
        cases,
        "liquidate",
        "non-canonical bump",
        refresh.clone(),
        with(lq.clone(), "auction", nc_auction),
        [k],
        Anchor(AnchorError::ConstraintSeeds)
    );
    case!(
        cases,
        "liquidate",
        "spoofed sysvar",
        refresh.clone(),
        with(lq.clone(), "slot_hashes", Keypair::new().pubkey()),
        [k],
        Sluice(SluiceError::AuctionMismatch)
    );
    case!(
        cases,
        "liquidate",
        "substituted depth account",
        refresh.clone(),
        // the first depth account (the AMM's collateral vault) replaced
        with_remaining(lq.clone(), 0, s.amm.vault_quote),
        [k],
        Sluice(SluiceError::DepthAccountMismatch)
    );
    cases
}

/// The attack table of `liquidate_instant`.
async fn liquidate_instant_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let li = env
        .ix_liquidate_instant(&k.pubkey(), &b.pubkey(), &sol, &usdc, &[])
        .await;
    // the event CPI's signer must be the program's own event authority, or an
    // attacker could forge liquidation events in an indexer's view
    case!(
        cases,
        "liquidate_instant",
        "substituted event authority",
        refresh.clone(),
        with(li.clone(), "event_authority", a.pubkey()),
        [k],
        Anchor(AnchorError::ConstraintAddress)
    );
    case!(
        cases,
        "liquidate_instant",
        "missing signer",
        refresh.clone(),
        unsigned(li.clone(), "keeper"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "liquidate_instant",
        "owner/type substitution",
        refresh.clone(),
        with(li.clone(), "collateral_pool", position_b),
        [k],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "liquidate_instant",
        "fake account chain",
        refresh.clone(),
        with(li.clone(), "market", s.fake_market),
        [k],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "liquidate_instant",
        "arbitrary program in CPI slot",
        refresh.clone(),
        with(li.clone(), "token_program", sys),
        [k],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "liquidate_instant",
        "same account in two mutable roles",
        refresh.clone(),
        with(li.clone(), "keeper_source", usdc.vault),
        [k],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "liquidate_instant",
        "another pool's PDA as vault",
        refresh.clone(),
        with(li.clone(), "debt_vault", sol.insurance_vault),
        [k],
        Sluice(SluiceError::VaultMismatch)
    );
    cases
}

/// The attack table of `take on b's open auction`.
async fn take_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let tk = env
        .ix_take(&k.pubkey(), &b.pubkey(), &sol, &usdc, SOL, u128::MAX)
        .await;
    case!(
        cases,
        "take",
        "missing signer",
        vec![],
        unsigned(tk.clone(), "taker"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "take",
        "auction of another position",
        vec![],
        with(tk.clone(), "position", position_h),
        [k],
        Sluice(SluiceError::AuctionMismatch)
    );
    case!(
        cases,
        "take",
        "owner/type substitution",
        vec![],
        with(tk.clone(), "auction", position_b),
        [k],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "take",
        "fake account chain",
        vec![],
        with(tk.clone(), "debt_pool", s.fake_pool),
        [k],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "take",
        "arbitrary program in CPI slot",
        vec![],
        with(tk.clone(), "token_program", sys),
        [k],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "take",
        "same account in two mutable roles",
        vec![],
        with(tk.clone(), "taker_source", usdc.vault),
        [k],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "take",
        "another pool's PDA as vault",
        vec![],
        with(tk.clone(), "debt_vault", sol.insurance_vault),
        [k],
        Sluice(SluiceError::VaultMismatch)
    );
    case!(
        cases,
        "take",
        "substituted insurance",
        vec![],
        with(tk.clone(), "insurance", sol.insurance),
        [k],
        Sluice(SluiceError::InsuranceMismatch)
    );
    cases
}

/// The attack table of `redo`.
async fn redo_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let rd = env.ix_redo(&k.pubkey(), &b.pubkey(), &sol, &usdc).await;
    case!(
        cases,
        "redo",
        "missing signer",
        refresh.clone(),
        unsigned(rd.clone(), "keeper"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "redo",
        "owner/type substitution",
        refresh.clone(),
        with(rd.clone(), "auction", position_b),
        [k],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "redo",
        "fake account chain",
        refresh.clone(),
        with(rd.clone(), "collateral_pool", s.fake_pool),
        [k],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "redo",
        "arbitrary program in CPI slot",
        refresh.clone(),
        with(rd.clone(), "token_program", sys),
        [k],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "redo",
        "same account in two mutable roles",
        refresh.clone(),
        with(rd.clone(), "keeper_collateral", sol.vault),
        [k],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "redo",
        "another pool's PDA as vault",
        refresh.clone(),
        with(rd.clone(), "collateral_vault", usdc.vault),
        [k],
        Sluice(SluiceError::VaultMismatch)
    );
    case!(
        cases,
        "redo",
        "spoofed sysvar",
        refresh.clone(),
        with(rd.clone(), "slot_hashes", Keypair::new().pubkey()),
        [k],
        Sluice(SluiceError::AuctionMismatch)
    );
    case!(
        cases,
        "redo",
        "auction of another position",
        refresh.clone(),
        with(rd.clone(), "debt_pool", sol.pool),
        [k],
        Sluice(SluiceError::AuctionMismatch)
    );
    cases
}

/// The attack table of `settle_bad_debt`.
async fn settle_bad_debt_attacks(s: &mut Scene, c: &Cast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let Cast { usdc, sol, b, h, k, e, a, auth, all, refresh, sys, position_b, position_h } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let sb = env.ix_settle_bad_debt(&k.pubkey(), &e.pubkey(), &usdc);
    // the event CPI's signer must be the program's own event authority, or an
    // attacker could forge liquidation events in an indexer's view
    case!(
        cases,
        "settle_bad_debt",
        "substituted event authority",
        vec![],
        with(sb.clone(), "event_authority", a.pubkey()),
        [k],
        Anchor(AnchorError::ConstraintAddress)
    );
    case!(
        cases,
        "settle_bad_debt",
        "missing signer",
        vec![],
        unsigned(sb.clone(), "keeper"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "settle_bad_debt",
        "owner/type substitution",
        vec![],
        with(sb.clone(), "position", usdc.pool),
        [k],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "settle_bad_debt",
        "fake account chain",
        vec![],
        with(sb.clone(), "debt_pool", s.fake_pool),
        [k],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "settle_bad_debt",
        "arbitrary program in CPI slot",
        vec![],
        with(sb.clone(), "token_program", sys),
        [k],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "settle_bad_debt",
        "same account in two mutable roles",
        vec![],
        with(sb.clone(), "insurance_vault", usdc.vault),
        [k],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "settle_bad_debt",
        "another pool's PDA as vault",
        vec![],
        with(sb.clone(), "debt_vault", sol.vault),
        [k],
        Sluice(SluiceError::VaultMismatch)
    );
    case!(
        cases,
        "settle_bad_debt",
        "substituted insurance",
        vec![],
        with(sb.clone(), "insurance_vault", sol.insurance_vault),
        [k],
        Sluice(SluiceError::InsuranceMismatch)
    );
    cases
}

fn spl_token_id() -> Pubkey {
    anchor_spl::token::ID
}

/// The buffer pool's instructions, attacked the same way: every case names
/// the account it substitutes and the exact error, and every account the
/// transaction names is unchanged.
#[tokio::test]
async fn every_buffer_instruction_rejects_every_applicable_attack() {
    let mut s = scene().await;
    let c = BufferCast::of(&mut s).await;
    let mut cases = Vec::new();
    cases.extend(init_buffer_attacks(&mut s, &c).await);
    cases.extend(update_buffer_params_attacks(&mut s, &c).await);
    cases.extend(buffer_deposit_attacks(&mut s, &c).await);
    cases.extend(activate_buffer_stake_attacks(&mut s, &c).await);
    cases.extend(request_buffer_withdrawal_attacks(&mut s, &c).await);
    cases.extend(buffer_withdraw_attacks(&mut s, &c).await);
    cases.extend(absorb_attacks(&mut s, &c).await);
    cases.extend(buffer_take_attacks(&mut s, &c).await);
    let table = run(&mut s.env, cases).await;
    print_table(&table);
    let names: std::collections::BTreeSet<&str> = table.iter().map(|(i, _)| i.as_str()).collect();
    assert_eq!(names.len(), 8, "{names:?}");
    assert!(table.len() >= 35, "{} cases", table.len());
}

/// The attack table of `init_buffer`.
async fn init_buffer_attacks(s: &mut Scene, c: &BufferCast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let BufferCast { usdc, sol, k, a, auth, sys, params, bk, dep, refresh } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let ib = client::ix::init_buffer(&env.payer(), &auth.pubkey(), &bk, params);
    case!(
        cases,
        "init_buffer",
        "re-initialization",
        vec![],
        ib.clone(),
        [auth],
        Ix(InstructionError::InvalidInstructionData)
    );
    let fresh = BufferKeys::derive(&env.market, &usdc, &sol);
    let ib2 = client::ix::init_buffer(&env.payer(), &auth.pubkey(), &fresh, params);
    case!(
        cases,
        "init_buffer",
        "missing signer",
        vec![],
        unsigned(ib2.clone(), "authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "init_buffer",
        "attacker as authority",
        vec![],
        with(ib2.clone(), "authority", a.pubkey()),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "init_buffer",
        "fake account chain",
        vec![],
        with(
            with(ib2.clone(), "authority", a.pubkey()),
            "market",
            s.fake_market
        ),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "init_buffer",
        "mint of another pool",
        vec![],
        with(ib2.clone(), "collateral_mint", sol.mint),
        [auth],
        Sluice(SluiceError::MintMismatch)
    );
    case!(
        cases,
        "init_buffer",
        "arbitrary program in CPI slot",
        vec![],
        with(ib2.clone(), "token_program", sys),
        [auth],
        Anchor(AnchorError::InvalidProgramId)
    );
    cases
}

/// The attack table of `update_buffer_params`.
async fn update_buffer_params_attacks(s: &mut Scene, c: &BufferCast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let BufferCast { usdc, sol, k, a, auth, sys, params, bk, dep, refresh } = c.clone();
    let mut cases: Vec<Case> = Vec::new();
    let up = client::ix::update_buffer_params(&auth.pubkey(), &bk, params);
    case!(
        cases,
        "update_buffer_params",
        "missing signer",
        vec![],
        unsigned(up.clone(), "authority"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "update_buffer_params",
        "attacker as authority",
        vec![],
        client::ix::update_buffer_params(&a.pubkey(), &bk, params),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "update_buffer_params",
        "attacker's fake market",
        vec![],
        with(
            client::ix::update_buffer_params(&a.pubkey(), &bk, params),
            "market",
            s.fake_market
        ),
        [a],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "update_buffer_params",
        "owner/type substitution",
        vec![],
        with(up.clone(), "buffer", usdc.insurance),
        [auth],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    cases
}

/// The attack table of `buffer_deposit`.
async fn buffer_deposit_attacks(s: &mut Scene, c: &BufferCast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let BufferCast { usdc, sol, k, a, auth, sys, params, bk, dep, refresh } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let bd = env.ix_buffer_deposit(&a.pubkey(), &bk, 100 * USDC).await;
    case!(
        cases,
        "buffer_deposit",
        "missing signer",
        refresh.clone(),
        unsigned(bd.clone(), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "buffer_deposit",
        "owner/type substitution",
        refresh.clone(),
        with(bd.clone(), "buffer", usdc.insurance),
        [a],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "buffer_deposit",
        "buffer's other vault",
        refresh.clone(),
        with(bd.clone(), "debt_vault", bk.collateral_vault),
        [a],
        Sluice(SluiceError::BufferMismatch)
    );
    case!(
        cases,
        "buffer_deposit",
        "pool of another pair",
        refresh.clone(),
        with(bd.clone(), "debt_pool", sol.pool),
        [a],
        Sluice(SluiceError::BufferMismatch)
    );
    case!(
        cases,
        "buffer_deposit",
        "source of another mint",
        refresh.clone(),
        with(
            bd.clone(),
            "source",
            env.token_account(&a.pubkey(), &sol.mint).await
        ),
        [a],
        Sluice(SluiceError::MintMismatch)
    );
    case!(
        cases,
        "buffer_deposit",
        "stake of another owner",
        refresh.clone(),
        with(bd.clone(), "stake", bk.stake(&dep.pubkey())),
        [a],
        Anchor(AnchorError::ConstraintSeeds)
    );
    cases
}

/// The attack table of `activate_buffer_stake`.
async fn activate_buffer_stake_attacks(s: &mut Scene, c: &BufferCast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let BufferCast { usdc, sol, k, a, auth, sys, params, bk, dep, refresh } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let ab = client::ix::activate_buffer_stake(&bk, &dep.pubkey());
    case!(
        cases,
        "activate_buffer_stake",
        "owner/type substitution",
        refresh.clone(),
        with(ab.clone(), "stake", env.position_key(&s.b.pubkey())),
        [],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "activate_buffer_stake",
        "pool of another pair",
        refresh.clone(),
        with(ab.clone(), "collateral_pool", usdc.pool),
        [],
        Sluice(SluiceError::BufferMismatch)
    );
    case!(
        cases,
        "activate_buffer_stake",
        "fake account chain",
        refresh.clone(),
        with(ab.clone(), "debt_pool", s.fake_pool),
        [],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    cases
}

/// The attack table of `request_buffer_withdrawal`.
async fn request_buffer_withdrawal_attacks(_: &mut Scene, c: &BufferCast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let BufferCast { usdc, sol, k, a, auth, sys, params, bk, dep, refresh } = c.clone();
    let mut cases: Vec<Case> = Vec::new();
    let rq = client::ix::request_buffer_withdrawal(&a.pubkey(), &bk, 1_000);
    case!(
        cases,
        "request_buffer_withdrawal",
        "another owner's stake",
        vec![],
        with(rq.clone(), "stake", bk.stake(&dep.pubkey())),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "request_buffer_withdrawal",
        "missing signer",
        vec![],
        unsigned(
            client::ix::request_buffer_withdrawal(&dep.pubkey(), &bk, 1_000),
            "owner"
        ),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    cases
}

/// The attack table of `buffer_withdraw`.
async fn buffer_withdraw_attacks(s: &mut Scene, c: &BufferCast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let BufferCast { usdc, sol, k, a, auth, sys, params, bk, dep, refresh } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let bw = env.ix_buffer_withdraw(&dep.pubkey(), &bk).await;
    let aw = env.ix_buffer_withdraw(&a.pubkey(), &bk).await;
    case!(
        cases,
        "buffer_withdraw",
        "another owner's stake",
        vec![],
        with(aw.clone(), "stake", bk.stake(&dep.pubkey())),
        [a],
        Sluice(SluiceError::Unauthorized)
    );
    case!(
        cases,
        "buffer_withdraw",
        "missing signer",
        vec![],
        unsigned(bw.clone(), "owner"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "buffer_withdraw",
        "pool vault as buffer vault",
        vec![],
        with(bw.clone(), "debt_vault", usdc.vault),
        [dep],
        Sluice(SluiceError::BufferMismatch)
    );
    case!(
        cases,
        "buffer_withdraw",
        "destination of another mint",
        vec![],
        with(
            bw.clone(),
            "debt_destination",
            env.token_account(&a.pubkey(), &sol.mint).await
        ),
        [dep],
        Sluice(SluiceError::MintMismatch)
    );
    case!(
        cases,
        "buffer_withdraw",
        "arbitrary program in CPI slot",
        vec![],
        with(bw.clone(), "token_program", sys),
        [dep],
        Anchor(AnchorError::InvalidProgramId)
    );
    cases
}

/// The attack table of `absorb`.
async fn absorb_attacks(s: &mut Scene, c: &BufferCast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let BufferCast { usdc, sol, k, a, auth, sys, params, bk, dep, refresh } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let abs = env
        .ix_absorb(&k.pubkey(), &s.b.pubkey(), &sol, &usdc, &[])
        .await;
    // the event CPI's signer must be the program's own event authority, or an
    // attacker could forge liquidation events in an indexer's view
    case!(
        cases,
        "absorb",
        "substituted event authority",
        refresh.clone(),
        with(abs.clone(), "event_authority", a.pubkey()),
        [k],
        Anchor(AnchorError::ConstraintAddress)
    );
    case!(
        cases,
        "absorb",
        "missing signer",
        refresh.clone(),
        unsigned(abs.clone(), "keeper"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "absorb",
        "buffer's vault swapped for the attacker's",
        refresh.clone(),
        with(
            abs.clone(),
            "buffer_debt_vault",
            env.token_account(&a.pubkey(), &usdc.mint).await
        ),
        [k],
        Sluice(SluiceError::BufferMismatch)
    );
    case!(
        cases,
        "absorb",
        "another pool's PDA as vault",
        refresh.clone(),
        with(abs.clone(), "collateral_vault", usdc.insurance_vault),
        [k],
        Sluice(SluiceError::VaultMismatch)
    );
    case!(
        cases,
        "absorb",
        "fake account chain",
        refresh.clone(),
        with(abs.clone(), "debt_pool", s.fake_pool),
        [k],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "absorb",
        "owner/type substitution",
        refresh.clone(),
        with(abs.clone(), "buffer", usdc.insurance),
        [k],
        Anchor(AnchorError::AccountDiscriminatorMismatch)
    );
    case!(
        cases,
        "absorb",
        "same account in two mutable roles",
        refresh.clone(),
        with(abs.clone(), "buffer_collateral_vault", sol.vault),
        [k],
        Anchor(AnchorError::ConstraintDuplicateMutableAccount)
    );
    case!(
        cases,
        "absorb",
        "arbitrary program in CPI slot",
        refresh.clone(),
        with(abs.clone(), "token_program", sys),
        [k],
        Anchor(AnchorError::InvalidProgramId)
    );
    case!(
        cases,
        "absorb",
        "keeper reward to another mint",
        refresh.clone(),
        with(
            abs.clone(),
            "keeper_collateral",
            env.token_account(&k.pubkey(), &usdc.mint).await
        ),
        [k],
        Sluice(SluiceError::MintMismatch)
    );
    case!(
        cases,
        "absorb",
        "spoofed depth account",
        refresh.clone(),
        with_remaining(abs.clone(), 0, s.amm.vault_quote),
        [k],
        Sluice(SluiceError::DepthAccountMismatch)
    );
    cases
}

/// The attack table of `buffer_take`.
async fn buffer_take_attacks(s: &mut Scene, c: &BufferCast) -> Vec<Case> {
    #[rustfmt::skip]
    #[allow(unused_variables)]
    let BufferCast { usdc, sol, k, a, auth, sys, params, bk, dep, refresh } = c.clone();
    let env = &mut s.env;
    let mut cases: Vec<Case> = Vec::new();
    let bt = env.ix_buffer_take(&k.pubkey(), &bk, SOL, u128::MAX).await;
    case!(
        cases,
        "buffer_take",
        "missing signer",
        refresh.clone(),
        unsigned(bt.clone(), "buyer"),
        [],
        Anchor(AnchorError::AccountNotSigner)
    );
    case!(
        cases,
        "buffer_take",
        "pool vault as buffer vault",
        refresh.clone(),
        with(bt.clone(), "collateral_vault", sol.vault),
        [k],
        Sluice(SluiceError::BufferMismatch)
    );
    case!(
        cases,
        "buffer_take",
        "destination of another mint",
        refresh.clone(),
        with(
            bt.clone(),
            "buyer_destination",
            env.token_account(&a.pubkey(), &usdc.mint).await
        ),
        [k],
        Sluice(SluiceError::MintMismatch)
    );
    case!(
        cases,
        "buffer_take",
        "fake account chain",
        refresh.clone(),
        with(bt.clone(), "collateral_pool", s.fake_pool),
        [k],
        Anchor(AnchorError::AccountOwnedByWrongProgram)
    );
    case!(
        cases,
        "buffer_take",
        "arbitrary program in CPI slot",
        refresh.clone(),
        with(bt.clone(), "token_program", sys),
        [k],
        Anchor(AnchorError::InvalidProgramId)
    );
    cases
}
