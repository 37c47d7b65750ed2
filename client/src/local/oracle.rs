//! Pyth price updates in their real layouts.
#![allow(deprecated)]
#![allow(clippy::result_large_err)]

use super::*;

/// A Pyth price as a test writes it: mantissa, confidence, exponent.
#[derive(Clone, Copy, Debug)]
pub struct Px {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    /// Seconds before the current clock the update was published.
    pub age: i64,
    pub ema: i64,
    pub verification: VerificationLevel,
    /// Legacy only: the aggregate status (1 = Trading).
    pub trading: bool,
}

impl Px {
    /// `usd` dollars per whole token, 8-decimal exponent, tight confidence.
    pub fn usd(usd: f64) -> Self {
        let price = (usd * 1e8).round() as i64;
        Px {
            price,
            conf: (price / 10_000).unsigned_abs(),
            expo: -8,
            age: 0,
            ema: price,
            verification: VerificationLevel::Full,
            trading: true,
        }
    }
}

/// A `PriceUpdateV2` account as the Pyth Receiver writes it
/// (Anchor discriminator + borsh).
pub fn pull_price_data(feed_id: [u8; 32], px: Px, now: i64, slot: u64) -> Vec<u8> {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::new_unique(),
        verification_level: px.verification,
        price_message: PriceFeedMessage {
            feed_id,
            price: px.price,
            conf: px.conf,
            exponent: px.expo,
            publish_time: now - px.age,
            prev_publish_time: now - px.age - 1,
            ema_price: px.ema,
            ema_conf: px.conf,
        },
        posted_slot: slot,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update.try_serialize(&mut data).expect("serialize");
    data
}

/// A legacy Pyth price account in its C layout (as read by pyth-sdk-solana).
pub fn legacy_price_data(px: Px, now: i64, slot: u64) -> Vec<u8> {
    use pyth_sdk_solana::state::{
        AccountType, PriceInfo, PriceStatus, PriceType, Rational, SolanaPriceAccount,
    };
    let mut acc: SolanaPriceAccount = bytemuck::Zeroable::zeroed();
    acc.magic = pyth_sdk_solana::state::MAGIC;
    acc.ver = pyth_sdk_solana::state::VERSION_2;
    acc.atype = AccountType::Price as u32;
    acc.size = std::mem::size_of::<SolanaPriceAccount>() as u32;
    acc.ptype = PriceType::Price;
    acc.expo = px.expo;
    acc.num = 1;
    acc.num_qt = 1;
    acc.last_slot = slot;
    acc.valid_slot = slot;
    acc.ema_price = Rational {
        val: px.ema,
        numer: px.ema,
        denom: 1,
    };
    acc.timestamp = now - px.age;
    acc.agg = PriceInfo {
        price: px.price,
        conf: px.conf,
        status: if px.trading {
            PriceStatus::Trading
        } else {
            PriceStatus::Halted
        },
        corp_act: pyth_sdk_solana::state::CorpAction::NoCorpAct,
        pub_slot: slot,
    };
    bytemuck::bytes_of(&acc).to_vec()
}
