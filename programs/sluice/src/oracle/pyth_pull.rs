//! Pyth pull oracle: `PriceUpdateV2` accounts posted by the Pyth Receiver.
use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

use super::RawPrice;
use crate::constants::PYTH_RECEIVER_PROGRAM_ID;
use crate::errors::SluiceError;
use crate::state::{OracleConfig, OracleParams};

pub(crate) fn read(
    account: &AccountInfo,
    config: &OracleConfig,
    params: &OracleParams,
) -> Result<RawPrice> {
    require_keys_eq!(
        *account.owner,
        PYTH_RECEIVER_PROGRAM_ID,
        SluiceError::OracleWrongOwner
    );
    if config.oracle != Pubkey::default() {
        require_keys_eq!(
            account.key(),
            config.oracle,
            SluiceError::OracleAccountMismatch
        );
    }
    let data = account.try_borrow_data()?;
    let update = PriceUpdateV2::try_deserialize(&mut &data[..])
        .map_err(|_| error!(SluiceError::OracleInvalidData))?;
    let required = match params.min_signatures {
        0 => VerificationLevel::Full,
        n => VerificationLevel::Partial { num_signatures: n },
    };
    require!(
        update.verification_level.gte(required),
        SluiceError::OracleVerificationInsufficient
    );
    let msg = &update.price_message;
    require!(
        msg.feed_id == config.feed_id,
        SluiceError::OracleFeedMismatch
    );
    Ok(RawPrice {
        price: msg.price,
        conf: msg.conf,
        expo: msg.exponent,
        publish_time: msg.publish_time,
        ema_price: msg.ema_price,
    })
}
