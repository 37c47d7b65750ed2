//! A JSON-RPC cluster (devnet, mainnet, a local validator) as a [`Chain`],
//! on the standard Solana RPC client: confirmed commitment, a fresh
//! blockhash and signature per attempt, resends when a blockhash expires or
//! the transport fails, the program's error code decoded from a failed
//! simulation or execution, an optional priority fee, and positions found
//! with `getProgramAccounts` filtered on the `Position` layout.
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::error::InstructionError;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{AccountDeserialize, AccountSerialize, Discriminator, Space};
use sluice::state::Position;
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::Error as ClientError;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use crate::chain::{with_compute_budget, Chain, TxError};

pub struct RpcChain {
    pub client: RpcClient,
    pub payer: Keypair,
    /// Priority fee, micro-lamports per compute unit (0: none).
    pub priority_fee: u64,
    /// Attempts per transaction when the blockhash expires or the
    /// transport fails (a program error is final at once).
    pub attempts: u32,
}

impl RpcChain {
    /// A chain at `url` (confirmed commitment) paying fees from `payer`.
    pub fn new(url: &str, payer: Keypair) -> Self {
        RpcChain {
            client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
            payer,
            priority_fee: 0,
            attempts: 3,
        }
    }

    /// Every position of `market`: program accounts of the `Position` size
    /// whose `market` field is `market` (offset taken from the type itself).
    pub async fn positions(&self, market: &Pubkey) -> Result<Vec<(Pubkey, Position)>, TxError> {
        let filters = vec![
            RpcFilterType::DataSize((8 + Position::INIT_SPACE) as u64),
            RpcFilterType::Memcmp(Memcmp::new_base58_encoded(
                position_market_offset(),
                market.as_ref(),
            )),
        ];
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64),
                ..Default::default()
            },
            ..Default::default()
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(&sluice::ID, config)
            .await
            .map_err(client_error)?;
        accounts
            .into_iter()
            .map(|(key, acc)| {
                let data = acc
                    .data
                    .decode()
                    .ok_or_else(|| TxError::new(format!("position {key}: undecodable data")))?;
                Position::try_deserialize(&mut &data[..])
                    .map(|p| (key, p))
                    .map_err(|e| TxError::new(format!("position {key}: {e}")))
            })
            .collect()
    }
}

/// Byte offset of `Position::market` in the account data (discriminator
/// included), found by serializing a position whose market is a marker.
pub fn position_market_offset() -> usize {
    let marker = Pubkey::new_from_array([0xA5; 32]);
    let mut zero = vec![0u8; 8 + Position::INIT_SPACE];
    zero[..8].copy_from_slice(Position::DISCRIMINATOR);
    let Ok(mut p) = Position::try_deserialize(&mut &zero[..]) else {
        return 0;
    };
    p.market = marker;
    let mut data = Vec::new();
    if p.try_serialize(&mut data).is_err() {
        return 0;
    }
    data.windows(32)
        .position(|w| w == marker.as_ref())
        .unwrap_or(0)
}

/// The error a failed request carries: the program's code when the
/// transaction failed in a Sluice (or any) instruction.
fn client_error(e: ClientError) -> TxError {
    let code = match e.get_transaction_error() {
        Some(TransactionError::InstructionError(_, InstructionError::Custom(c))) => Some(c),
        _ => None,
    };
    TxError {
        code,
        message: e.to_string(),
    }
}

/// Whether sending again (new blockhash) may succeed.
fn retryable(e: &ClientError) -> bool {
    match e.get_transaction_error() {
        Some(TransactionError::BlockhashNotFound) => true,
        Some(_) => false,
        None => true, // transport, timeout, unconfirmed
    }
}

impl Chain for RpcChain {
    async fn account_data(&mut self, key: &Pubkey) -> Result<Option<Vec<u8>>, TxError> {
        let r = self
            .client
            .get_account_with_commitment(key, self.client.commitment())
            .await
            .map_err(client_error)?;
        Ok(r.value.map(|a| a.data))
    }

    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), TxError> {
        let all = with_compute_budget(ixs, self.priority_fee);
        let mut keys: Vec<&Keypair> = vec![&self.payer];
        keys.extend_from_slice(signers);
        let mut last = TxError::new("no attempt made");
        for attempt in 0..self.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            let hash = self
                .client
                .get_latest_blockhash()
                .await
                .map_err(client_error)?;
            let tx =
                Transaction::new_signed_with_payer(&all, Some(&self.payer.pubkey()), &keys, hash);
            match self.client.send_and_confirm_transaction(&tx).await {
                Ok(_) => return Ok(()),
                Err(e) if retryable(&e) => last = client_error(e),
                Err(e) => return Err(client_error(e)),
            }
        }
        Err(last)
    }

    async fn slot(&mut self) -> Result<u64, TxError> {
        self.client.get_slot().await.map_err(client_error)
    }
}
