//! An in-process Solana runtime with the Sluice program, for the simulator
//! and the tests (feature `local`): solana-program-test running the program
//! natively or, with `SLUICE_SBF=1`, its SBF build on the real VM; the real
//! SPL Token program; Pyth price accounts written byte-for-byte in their
//! on-chain layouts, owned by the real Pyth program ids; a constant-product
//! AMM of two real token accounts.
//!
//! - [`env`]: [`Env`], the runtime with a market: sending (with compute
//!   budgets), clock, accounts, tokens, pools, instruction wrappers, flows.
//! - [`oracle`]: Pyth price updates ([`Px`], PriceUpdateV2 and legacy writers).
//! - [`amm`]: [`Amm`] and the Whirlpool account layout.
//! - [`buffer`]: buffer pool flows and books on [`Env`].
//! - [`scene`]: default parameters and the two-pool market ([`MarketBuilder`]).
//! - [`errors`]: reading a failed transaction's error.
//! - [`rpc_server`]: a JSON-RPC endpoint on localhost in front of an [`Env`].
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
use anchor_lang::{AccountDeserialize, AccountSerialize};
use anchor_spl::token::spl_token;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_account::{Account, AccountSharedData};
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use crate::{ix as cix, pda, Feed, PoolKeys};
use sluice::constants::*;
use sluice::state::{
    AdaptiveParams, Auction, DepthSource, InsuranceBuffer, Market, MarketParams, OracleConfig,
    Pool, PoolParams, Position,
};

pub mod amm;
pub mod buffer;
pub mod env;
pub mod errors;
pub mod oracle;
pub mod rpc_server;
pub mod scene;

pub use amm::*;
pub use env::*;
pub use errors::*;
pub use oracle::*;
pub use scene::*;

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
