//! What the keeper needs from a cluster, as a small trait with two
//! implementations: the in-process runtime (solana-program-test's
//! BanksClient, used by `simulate` and the tests) and a JSON-RPC cluster.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use sluice_client::local::{custom_code, Env};
use solana_keypair::Keypair;

/// A failed transaction: the program's custom error code when there is one.
#[derive(Debug, Clone)]
pub struct TxError {
    pub code: Option<u32>,
    pub message: String,
}

impl TxError {
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

#[allow(async_fn_in_trait)]
pub trait Chain {
    /// Account data (None when the account does not exist).
    async fn account_data(&mut self, key: &Pubkey) -> Result<Option<Vec<u8>>, TxError>;
    /// Signs with the fee payer and `signers`, sends, waits for the result.
    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), TxError>;
    async fn slot(&mut self) -> Result<u64, TxError>;
}

/// The in-process runtime.
impl Chain for Env {
    async fn account_data(&mut self, key: &Pubkey) -> Result<Option<Vec<u8>>, TxError> {
        Ok(self.account(key).await.map(|a| a.data))
    }

    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), TxError> {
        Env::send(self, ixs, signers).await.map_err(|e| TxError {
            code: custom_code(&e),
            message: format!("{e:?}"),
        })
    }

    async fn slot(&mut self) -> Result<u64, TxError> {
        Ok(self.clock().await.slot)
    }
}

const COMPUTE_BUDGET_ID: Pubkey =
    anchor_lang::prelude::pubkey!("ComputeBudget111111111111111111111111111111");

/// `ixs` preceded by a `SetComputeUnitLimit` of what its Sluice
/// instructions' measured budgets add up to (`sluice::budgets`), instead of
/// the 1.4M maximum: the leader schedules it cheaper, and an instruction
/// that grew past its budget fails loudly.
pub fn with_compute_limit(ixs: &[Instruction]) -> Vec<Instruction> {
    let limit = sluice::budgets::transaction_limit(ixs);
    let mut data = vec![2u8];
    data.extend_from_slice(&limit.to_le_bytes());
    let mut all = vec![Instruction {
        program_id: COMPUTE_BUDGET_ID,
        accounts: vec![],
        data,
    }];
    all.extend_from_slice(ixs);
    all
}

pub mod rpc {
    //! A JSON-RPC cluster (devnet, mainnet, a local validator): the same
    //! trait over HTTP, with a fee-payer keypair.
    use super::*;
    use base64::Engine;
    use solana_signer::Signer;

    pub struct RpcChain {
        pub url: String,
        pub payer: Keypair,
    }

    impl RpcChain {
        fn call(
            &self,
            method: &str,
            params: serde_json::Value,
        ) -> Result<serde_json::Value, TxError> {
            let body =
                serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
            let out = std::process::Command::new("curl")
                .args([
                    "-sS",
                    "-X",
                    "POST",
                    "-H",
                    "Content-Type: application/json",
                    "--data",
                ])
                .arg(body.to_string())
                .arg(&self.url)
                .output()
                .map_err(|e| TxError {
                    code: None,
                    message: format!("cannot run curl: {e}"),
                })?;
            let v: serde_json::Value =
                serde_json::from_slice(&out.stdout).map_err(|e| TxError {
                    code: None,
                    message: format!("bad RPC reply from {}: {e}", self.url),
                })?;
            if let Some(err) = v.get("error") {
                let code = err
                    .pointer("/data/err/InstructionError/1/Custom")
                    .and_then(|c| c.as_u64())
                    .map(|c| c as u32);
                return Err(TxError {
                    code,
                    message: err.to_string(),
                });
            }
            Ok(v["result"].clone())
        }
    }

    impl Chain for RpcChain {
        async fn account_data(&mut self, key: &Pubkey) -> Result<Option<Vec<u8>>, TxError> {
            let r = self.call(
                "getAccountInfo",
                serde_json::json!([key.to_string(), {"encoding": "base64"}]),
            )?;
            let Some(data) = r.pointer("/value/data/0").and_then(|d| d.as_str()) else {
                return Ok(None);
            };
            base64::engine::general_purpose::STANDARD
                .decode(data)
                .map(Some)
                .map_err(|e| TxError {
                    code: None,
                    message: format!("bad base64: {e}"),
                })
        }

        async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), TxError> {
            let r = self.call(
                "getLatestBlockhash",
                serde_json::json!([{"commitment": "confirmed"}]),
            )?;
            let hash = r
                .pointer("/value/blockhash")
                .and_then(|h| h.as_str())
                .ok_or(TxError {
                    code: None,
                    message: "no blockhash".into(),
                })?;
            let hash: solana_hash::Hash = hash.parse().map_err(|_| TxError {
                code: None,
                message: "bad blockhash".into(),
            })?;
            let mut keys: Vec<&Keypair> = vec![&self.payer];
            keys.extend_from_slice(signers);
            let all = with_compute_limit(ixs);
            let tx = solana_transaction::Transaction::new_signed_with_payer(
                &all,
                Some(&self.payer.pubkey()),
                &keys,
                hash,
            );
            let bytes = bincode::serialize(&tx).map_err(|e| TxError {
                code: None,
                message: e.to_string(),
            })?;
            let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
            self.call(
                "sendTransaction",
                serde_json::json!([b64, {"encoding": "base64", "preflightCommitment": "confirmed"}]),
            )?;
            Ok(())
        }

        async fn slot(&mut self) -> Result<u64, TxError> {
            self.call("getSlot", serde_json::json!([]))?
                .as_u64()
                .ok_or(TxError {
                    code: None,
                    message: "bad slot".into(),
                })
        }
    }
}
