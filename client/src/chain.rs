//! What a keeper needs from a cluster, as a small trait: account data, the
//! slot, and sending a transaction (signed by the chain's fee payer and the
//! given signers) until it is confirmed or fails. Implementations: the
//! in-process runtime (`local::Env`, feature `local`) and a JSON-RPC cluster
//! (`rpc::RpcChain`, feature `rpc`).
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_keypair::Keypair;

/// A failed request or transaction: the program's custom error code when
/// there is one.
#[derive(Debug, Clone)]
pub struct TxError {
    pub code: Option<u32>,
    pub message: String,
}

impl TxError {
    pub fn new(message: impl Into<String>) -> Self {
        TxError {
            code: None,
            message: message.into(),
        }
    }

    /// Whether the program rejected it with `e`.
    pub fn is(&self, e: sluice::errors::SluiceError) -> bool {
        self.code == Some(u32::from(e))
    }
}

impl std::fmt::Display for TxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(c) => write!(f, "custom error {c}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TxError {}

#[allow(async_fn_in_trait)]
pub trait Chain {
    /// Account data (None when the account does not exist).
    async fn account_data(&mut self, key: &Pubkey) -> Result<Option<Vec<u8>>, TxError>;
    /// Signs with the fee payer and `signers`, sends, waits for the result.
    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), TxError>;
    async fn slot(&mut self) -> Result<u64, TxError>;
}

/// The Compute Budget program.
pub const COMPUTE_BUDGET_ID: Pubkey =
    anchor_lang::prelude::pubkey!("ComputeBudget111111111111111111111111111111");

/// `ixs` preceded by a `SetComputeUnitLimit` of what its Sluice
/// instructions' measured budgets add up to (`sluice::budgets`), instead of
/// the 1.4M maximum (the leader schedules it cheaper, and an instruction
/// that grew past its budget fails loudly), and, when
/// `micro_lamports_per_cu` > 0, a `SetComputeUnitPrice` (priority fee).
pub fn with_compute_budget(ixs: &[Instruction], micro_lamports_per_cu: u64) -> Vec<Instruction> {
    let limit = sluice::budgets::transaction_limit(ixs);
    let mut set_limit = vec![2u8];
    set_limit.extend_from_slice(&limit.to_le_bytes());
    let mut all = vec![Instruction {
        program_id: COMPUTE_BUDGET_ID,
        accounts: vec![],
        data: set_limit,
    }];
    if micro_lamports_per_cu > 0 {
        let mut set_price = vec![3u8];
        set_price.extend_from_slice(&micro_lamports_per_cu.to_le_bytes());
        all.push(Instruction {
            program_id: COMPUTE_BUDGET_ID,
            accounts: vec![],
            data: set_price,
        });
    }
    all.extend_from_slice(ixs);
    all
}
