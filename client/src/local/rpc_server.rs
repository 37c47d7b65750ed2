//! A JSON-RPC endpoint on localhost in front of an [`Env`]: the subset of
//! the Solana JSON-RPC protocol a keeper and the `sluice` CLI use
//! (`getLatestBlockhash`, `isBlockhashValid`, `sendTransaction` with
//! preflight errors in the validator's format, `getSignatureStatuses`,
//! `getAccountInfo`, `getMultipleAccounts`, `getProgramAccounts` with
//! `dataSize` / `memcmp` filters, `getSlot`, `getHealth`), so the standard
//! RPC client (and `RpcChain`) runs unchanged against the in-process runtime.
//! Transactions execute on the runtime's bank at once and are reported
//! finalized. `getProgramAccounts` scans the accounts any transaction sent
//! through the runtime or this endpoint named (BanksClient cannot list
//! accounts by owner).
#![allow(deprecated)]
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use serde_json::{json, Value};
use solana_transaction_status_client_types::UiTransactionError;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use super::*;

/// Shared runtime: the endpoint and the test both lock it.
pub type SharedEnv = Arc<Mutex<Env>>;

/// Serves `env` on 127.0.0.1 (a free port); returns the URL.
pub async fn serve(env: SharedEnv) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let statuses: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (env, statuses) = (env.clone(), statuses.clone());
            tokio::spawn(async move {
                let _ = connection(stream, env, statuses).await;
            });
        }
    });
    Ok(url)
}

/// One keep-alive HTTP/1.1 connection: POSTed JSON-RPC requests, answered in order.
async fn connection(
    stream: tokio::net::TcpStream,
    env: SharedEnv,
    statuses: Arc<Mutex<HashMap<String, u64>>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).await?;
        let reply = match serde_json::from_slice::<Value>(&body) {
            Ok(req) => {
                let id = req.get("id").cloned().unwrap_or(Value::Null);
                let method = req["method"].as_str().unwrap_or("").to_string();
                let params = req.get("params").cloned().unwrap_or(json!([]));
                let mut env = env.lock().await;
                match handle(&mut env, &statuses, &method, &params).await {
                    Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
                    Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
                }
            }
            Err(e) => json!({"jsonrpc": "2.0", "id": null,
                "error": {"code": -32700, "message": format!("parse error: {e}")}}),
        };
        let text = reply.to_string();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            text.len()
        );
        let w = reader.get_mut();
        w.write_all(head.as_bytes()).await?;
        w.write_all(text.as_bytes()).await?;
        w.flush().await?;
    }
}

fn invalid(message: impl Into<String>) -> Value {
    json!({"code": -32602, "message": message.into()})
}

fn key(v: &Value) -> Result<Pubkey, Value> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("not a public key: {v}")))
}

fn ui_account(a: &Account) -> Value {
    json!({
        "data": [base64::engine::general_purpose::STANDARD.encode(&a.data), "base64"],
        "executable": a.executable,
        "lamports": a.lamports,
        "owner": a.owner.to_string(),
        "rentEpoch": a.rent_epoch,
        "space": a.data.len(),
    })
}

/// Whether `data` passes every `getProgramAccounts` filter.
fn passes(data: &[u8], filters: &[Value]) -> Result<bool, Value> {
    for f in filters {
        if let Some(size) = f.get("dataSize").and_then(Value::as_u64) {
            if data.len() as u64 != size {
                return Ok(false);
            }
        } else if let Some(m) = f.get("memcmp") {
            let offset = m["offset"].as_u64().unwrap_or(0) as usize;
            let text = m["bytes"].as_str().unwrap_or("");
            let bytes = match m.get("encoding").and_then(Value::as_str) {
                Some("base64") => base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|e| invalid(e.to_string()))?,
                _ => bs58_decode(text).ok_or_else(|| invalid("bad base58 in memcmp"))?,
            };
            if data.get(offset..offset + bytes.len()) != Some(&bytes[..]) {
                return Ok(false);
            }
        } else {
            return Err(invalid(format!("unsupported filter {f}")));
        }
    }
    Ok(true)
}

/// Base58 (Bitcoin alphabet) decoding, for memcmp filters.
fn bs58_decode(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut out: Vec<u8> = Vec::new();
    for c in s.bytes() {
        let mut carry = ALPHABET.iter().position(|a| *a == c)? as u32;
        for b in out.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|c| *c == b'1').count();
    let mut v = vec![0u8; zeros];
    v.extend(out);
    Some(v)
}

async fn handle(
    env: &mut Env,
    statuses: &Mutex<HashMap<String, u64>>,
    method: &str,
    params: &Value,
) -> Result<Value, Value> {
    let slot = env.clock().await.slot;
    let context = json!({"slot": slot, "apiVersion": "3.1.12"});
    match method {
        "getHealth" => Ok(json!("ok")),
        "getSlot" => Ok(json!(slot)),
        "getLatestBlockhash" => {
            let hash = env
                .ctx
                .banks_client
                .get_latest_blockhash()
                .await
                .map_err(|e| invalid(e.to_string()))?;
            Ok(json!({"context": context,
                "value": {"blockhash": hash.to_string(), "lastValidBlockHeight": slot + 150}}))
        }
        "isBlockhashValid" => Ok(json!({"context": context, "value": true})),
        "getAccountInfo" => {
            let k = key(&params[0])?;
            let value = env.account(&k).await.map(|a| ui_account(&a));
            Ok(json!({"context": context, "value": value}))
        }
        "getMultipleAccounts" => {
            let mut out = Vec::new();
            for k in params[0].as_array().cloned().unwrap_or_default() {
                let k = key(&k)?;
                out.push(env.account(&k).await.map(|a| ui_account(&a)));
            }
            Ok(json!({"context": context, "value": out}))
        }
        "getProgramAccounts" => {
            let program = key(&params[0])?;
            let filters = params[1]["filters"].as_array().cloned().unwrap_or_default();
            let keys: Vec<Pubkey> = env.seen_accounts.iter().copied().collect();
            let mut out = Vec::new();
            for k in keys {
                if let Some(a) = env.account(&k).await {
                    if a.owner == program && passes(&a.data, &filters)? {
                        out.push(json!({"pubkey": k.to_string(), "account": ui_account(&a)}));
                    }
                }
            }
            Ok(json!(out))
        }
        "sendTransaction" => send_transaction(env, statuses, params, slot).await,
        "getSignatureStatuses" => {
            let known = statuses.lock().await;
            let value: Vec<Value> = params[0]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|s| match s.as_str().and_then(|s| known.get(s)) {
                    Some(slot) => json!({"slot": slot, "confirmations": null, "err": null,
                        "status": {"Ok": null}, "confirmationStatus": "finalized"}),
                    None => Value::Null,
                })
                .collect();
            Ok(json!({"context": context, "value": value}))
        }
        other => Err(json!({"code": -32601, "message": format!("Method not found: {other}")})),
    }
}

/// Executes a transaction at once. A failure is reported as the validator
/// reports a failed preflight (-32002, with the error and the logs), which
/// is where a program's custom error code reaches the client.
async fn send_transaction(
    env: &mut Env,
    statuses: &Mutex<HashMap<String, u64>>,
    params: &Value,
    slot: u64,
) -> Result<Value, Value> {
    let text = params[0]
        .as_str()
        .ok_or_else(|| invalid("no transaction"))?;
    let bytes = match params[1].get("encoding").and_then(Value::as_str) {
        Some("base64") => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| invalid(e.to_string()))?,
        _ => bs58_decode(text).ok_or_else(|| invalid("bad base58 transaction"))?,
    };
    let tx: Transaction = bincode::deserialize(&bytes).map_err(|e| invalid(e.to_string()))?;
    let signature = tx
        .signatures
        .first()
        .copied()
        .unwrap_or_default()
        .to_string();
    env.seen_accounts
        .extend(tx.message.account_keys.iter().copied());
    let r = env
        .ctx
        .banks_client
        .process_transaction_with_metadata(tx)
        .await
        .map_err(|e| invalid(e.to_string()))?;
    match r.result {
        Ok(()) => {
            statuses.lock().await.insert(signature.clone(), slot);
            Ok(json!(signature))
        }
        Err(err) => {
            let logs = r.metadata.map(|m| m.log_messages).unwrap_or_default();
            Err(json!({
                "code": -32002,
                "message": format!("Transaction simulation failed: {err}"),
                "data": {
                    "err": UiTransactionError::from(err),
                    "logs": logs,
                    "accounts": null,
                    "unitsConsumed": 0,
                },
            }))
        }
    }
}
