//! Reading a failed transaction's error.
#![allow(deprecated)]
#![allow(clippy::result_large_err)]

use super::*;

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
    assert_code(res, u32::from(expected), &expected);
}

/// Asserts the transaction failed with this Anchor framework error.
#[track_caller]
pub fn assert_anchor_err(res: TxResult, expected: anchor_lang::error::ErrorCode) {
    assert_code(res, u32::from(expected), &expected);
}

#[track_caller]
fn assert_code(res: TxResult, code: u32, expected: &dyn std::fmt::Debug) {
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
