//! Legacy Pyth price accounts (the C layout read by pyth-sdk-solana).
use anchor_lang::prelude::*;
use pyth_sdk_solana::state::{load_price_account, PriceStatus, SolanaPriceAccount};

use super::RawPrice;
use crate::constants::PYTH_LEGACY_PROGRAM_ID;
use crate::errors::SluiceError;
use crate::state::OracleConfig;

pub(crate) fn read(account: &AccountInfo, config: &OracleConfig) -> Result<RawPrice> {
    require_keys_eq!(
        *account.owner,
        PYTH_LEGACY_PROGRAM_ID,
        SluiceError::OracleWrongOwner
    );
    require_keys_eq!(
        account.key(),
        config.oracle,
        SluiceError::OracleAccountMismatch
    );
    let data = account.try_borrow_data()?;
    // pyth-sdk-solana casts in place and would panic on misaligned data:
    // refuse it with an error first.
    let align = core::mem::align_of::<SolanaPriceAccount>();
    require!(
        (data.as_ptr() as usize) & (align - 1) == 0
            && data.len() >= core::mem::size_of::<SolanaPriceAccount>(),
        SluiceError::OracleInvalidData
    );
    let acc =
        load_price_account::<32, ()>(&data).map_err(|_| error!(SluiceError::OracleInvalidData))?;
    require!(
        acc.agg.status == PriceStatus::Trading,
        SluiceError::OraclePriceNotTrading
    );
    Ok(RawPrice {
        price: acc.agg.price,
        conf: acc.agg.conf,
        expo: acc.expo,
        publish_time: acc.timestamp,
        ema_price: acc.ema_price.val,
    })
}
