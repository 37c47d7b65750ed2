use anchor_lang::prelude::*;

use crate::math::MathError;

#[error_code]
pub enum SluiceError {
    // --- arithmetic ---
    #[msg("Arithmetic overflow: an amount or price x amount is too large for the protocol's books; use a smaller amount")]
    MathOverflow,
    #[msg("Division by zero in protocol math: the pool has no liquidity, price or shares for this operation")]
    DivideByZero,

    // --- authority ---
    #[msg("Signer is not the market authority")]
    Unauthorized,
    #[msg("Signer is not the pending authority proposed for this market")]
    NotPendingAuthority,
    #[msg("No authority transfer is pending; the current authority must propose one first")]
    NoPendingAuthority,

    // --- pauses ---
    #[msg("Deposits are paused on this market by governance")]
    DepositsPaused,
    #[msg("Withdrawals are paused on this market by governance")]
    WithdrawalsPaused,
    #[msg("Borrows are paused on this market by governance")]
    BorrowsPaused,
    #[msg("Liquidations are paused on this market by governance")]
    LiquidationsPaused,

    // --- amounts ---
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Deposit is too small: it would mint zero shares at the current share price")]
    DepositTooSmall,
    #[msg("Withdrawal is too small: the shares are worth zero tokens")]
    WithdrawTooSmall,
    #[msg("The owner holds fewer shares than requested")]
    InsufficientShares,
    #[msg("The pool does not have enough unborrowed liquidity for this amount")]
    InsufficientLiquidity,
    #[msg("The position has less collateral in this pool than requested")]
    InsufficientCollateral,
    #[msg("This deposit would take the pool above its deposit cap")]
    DepositCapExceeded,
    #[msg("This borrow would take the pool above its borrow cap")]
    BorrowCapExceeded,
    #[msg("The position owes nothing to this pool")]
    NothingToRepay,
    #[msg("Repayment is too small to retire any debt at the current borrow index")]
    RepayTooSmall,
    #[msg("Signer is not the owner of this position")]
    NotPositionOwner,

    // --- positions ---
    #[msg("The position already uses the maximum number of collateral or debt entries")]
    PositionFull,
    #[msg("The action would leave the position below its loan-to-value limit (collateral at min(spot, TWAP), debt at max(spot, TWAP))")]
    PositionUnhealthy,
    #[msg("The position still holds collateral or debt; repay and withdraw everything before closing it")]
    PositionNotEmpty,

    // --- accounts ---
    #[msg("The pool belongs to a different market")]
    PoolMarketMismatch,
    #[msg("The token vault is not this pool's vault")]
    VaultMismatch,
    #[msg("The share mint is not this pool's share mint")]
    ShareMintMismatch,
    #[msg("The insurance buffer or its vault does not belong to this pool")]
    InsuranceMismatch,
    #[msg("The token account's mint does not match the pool's mint")]
    MintMismatch,
    #[msg("Pass every pool the position uses (collateral and debt) as remaining accounts")]
    MissingPoolAccount,
    #[msg("A remaining account is not a pool of this market")]
    InvalidPoolAccount,
    #[msg("The pool's price was not refreshed in this slot; call refresh_price first in the same transaction")]
    PriceNotRefreshed,
    #[msg("The mint has more decimals than the protocol supports (18)")]
    MintDecimalsOutOfRange,

    // --- oracle ---
    #[msg("Oracle account is not owned by the Pyth program the pool is configured for")]
    OracleWrongOwner,
    #[msg("Oracle account is not the one configured for this pool")]
    OracleAccountMismatch,
    #[msg("Oracle price update is for a different Pyth feed than the pool's")]
    OracleFeedMismatch,
    #[msg("Oracle account data could not be decoded as the configured Pyth format")]
    OracleInvalidData,
    #[msg("Oracle price is older than the pool's maximum age; post a fresh Pyth update")]
    OracleStale,
    #[msg("Oracle confidence interval is wider than the pool allows")]
    OracleConfidenceTooWide,
    #[msg("Oracle price is zero or negative")]
    OracleNonPositivePrice,
    #[msg("Oracle update is not verified by enough Wormhole guardians for this pool")]
    OracleVerificationInsufficient,
    #[msg("Oracle exponent is outside the supported range [-18, 0]")]
    OracleExponentOutOfRange,
    #[msg("Legacy Pyth price is not in Trading status")]
    OraclePriceNotTrading,
    #[msg("Oracle update is older than the one the pool already used; publish time never goes backwards")]
    OraclePublishTimeWentBackwards,
    #[msg("Oracle publish time is in the future relative to the cluster clock")]
    OraclePublishTimeInFuture,

    // --- parameters ---
    #[msg("LTV is out of bounds (0..=9000 bps)")]
    LtvOutOfBounds,
    #[msg("Liquidation threshold must be at least the LTV (strictly above it when LTV > 0) and at most 9500 bps")]
    LiquidationThresholdOutOfBounds,
    #[msg("Liquidation bonus is out of bounds (0..=2500 bps)")]
    LiquidationBonusOutOfBounds,
    #[msg(
        "Liquidation threshold x (1 + bonus) must stay below 1, or liquidations would lower health"
    )]
    ToxicLiquidationParams,
    #[msg("Interest rate model is out of bounds (base <= 10000, kink 100..=9900, slope1 <= 20000, slope2 <= 100000 bps)")]
    RateModelOutOfBounds,
    #[msg("Reserve factor is out of bounds (0..=5000 bps)")]
    ReserveFactorOutOfBounds,
    #[msg("Oracle limits are out of bounds (max age 1..=600 s, confidence 1..=1000 bps, min signatures 0..=19)")]
    OracleParamsOutOfBounds,
    #[msg("TWAP parameters are out of bounds (window 1..=86400 seconds, divergence 1..=5000 bps, guard window <= the TWAP window)")]
    TwapParamsOutOfBounds,
    #[msg("Unknown pause flag bits; use PAUSE_DEPOSITS=1, PAUSE_WITHDRAWALS=2, PAUSE_BORROWS=4, PAUSE_LIQUIDATIONS=8")]
    UnknownPauseFlags,
    #[msg("Unknown oracle kind; use 0 (Pyth PriceUpdateV2) or 1 (Pyth legacy)")]
    UnknownOracleKind,
    #[msg("Keeper incentive is out of bounds (0..=200 bps)")]
    KeeperIncentiveOutOfBounds,
    #[msg("Liquidation parameters are out of bounds (target health 10000..=15000, close factor 1..=10000, sell cap > 0, slippage 1..=5000 bps, seizure window <= 25 slots, sale pacing <= 60 slots)")]
    LiquidationParamsOutOfBounds,
    #[msg("Auction parameters are out of bounds (start buffer <= 5000, floor 1000..=10000 bps, duration/step/time limit 1..=216000 slots, step <= 5000 bps, jitter <= 150 slots, redo tip <= 100 bps)")]
    AuctionParamsOutOfBounds,

    // --- depth ---
    #[msg("Pass the pool's registered depth source accounts first in the remaining accounts, in registration order")]
    MissingDepthAccount,
    #[msg("A depth account is not the one registered for this pool")]
    DepthAccountMismatch,
    #[msg("A depth account has the wrong owner, layout or mint for its registered kind")]
    DepthAccountInvalid,

    // --- liquidation ---
    #[msg("The position is healthy under the liquidation rule (collateral at max(spot, guard), debt at min(spot, guard); the guard is the pool's guard-window extremes, or its TWAP); nothing to liquidate")]
    PositionHealthy,
    #[msg("Spot says unhealthy but the guard (the prices that stood over the guard window, or the TWAP) says healthy and diverges from spot beyond the pool's bound: retry once the fall has lasted the guard window")]
    LiquidationWaitsForTwap,
    #[msg("This pool's seizure cap (its per-slot cap, or its seizure window's bucket) is used up; retry in a later slot")]
    SellCapExhausted,
    #[msg("The market's circuit breaker is tripped: too much collateral value already sits in open auctions")]
    CircuitBreakerTripped,
    #[msg("The liquidation rounds to zero collateral or zero debt; nothing would change")]
    SeizeRoundsToZero,
    #[msg("This pool's collateral is liquidated by the other instruction (liquidate for auction mode, liquidate_instant for instant mode)")]
    WrongLiquidationMode,
    #[msg("The position has no collateral in the given collateral pool")]
    NoCollateralInPool,
    #[msg("The position has no debt in the given debt pool")]
    NoDebtInPool,
    #[msg("A liquidation would have lowered a solvent position's health; refused")]
    LiquidationLoweredHealth,
    #[msg("The position still holds collateral; liquidate it before writing off its debt")]
    PositionHasCollateral,
    #[msg("The position has collateral in open auctions; let them settle first")]
    AuctionsPending,

    // --- auctions ---
    #[msg("The auction has no lot")]
    AuctionNotActive,
    #[msg("The auction is past its time limit; redo it to restart the price")]
    AuctionExpired,
    #[msg("The auction is still live and above its floor; it cannot be redone yet")]
    AuctionNotRedoable,
    #[msg("The auction's current price is above the taker's limit")]
    AuctionPriceAboveLimit,
    #[msg("An account does not belong to this auction (position, pools, vaults or insurance)")]
    AuctionMismatch,

    // --- appended after 7798857; codes above never move ---
    #[msg("A padding field of a parameter struct is not zero; leave padding at zero")]
    NonZeroPadding,
    #[msg("Unknown depth source kind; use 0 (none), 1 (constant product) or 2 (Whirlpool)")]
    UnknownDepthKind,
    #[msg("A position cannot hold collateral and debt in the same pool; use another pool for one of them")]
    SamePoolCollateralAndDebt,
    #[msg("A partial take would leave a dust lot; take the whole lot or leave at least the minimum remainder")]
    AuctionRemainderTooSmall,
    #[msg("The liquidation threshold may fall by at most 500 bps per update and once per 24 hours; lower it in steps")]
    ThresholdCutTooFast,
    #[msg("Tokens moved in or out of a pool vault do not match the pool's books; the transaction was refused")]
    VaultBooksMismatch,
    #[msg("The pool's depth has not been observed yet; register its depth sources with set_depth_sources")]
    DepthNotObserved,
    #[msg("A buffer parameter is outside its governance bounds (see constants::bounds)")]
    BufferParamsOutOfBounds,
    #[msg("The seizure cap still has room: liquidate (auction) first; the buffer absorbs only what the cap cannot take")]
    SellCapHasRoom,
    #[msg("The buffer has no active debt tokens to absorb with")]
    BufferEmpty,
    #[msg("This stake has no pending deposit to activate")]
    BufferNothingPending,
    #[msg("The deposit is still in its activation delay; activate it later")]
    BufferActivationTooEarly,
    #[msg("The deposit buys zero shares at the current share price; deposit more")]
    BufferDepositTooSmall,
    #[msg("The stake holds fewer shares than requested")]
    BufferSharesInsufficient,
    #[msg("No withdrawal was requested; call request_buffer_withdrawal first")]
    BufferNoWithdrawalRequested,
    #[msg("The withdrawal is still in its cooldown; withdraw later")]
    BufferWithdrawalCoolingDown,
    #[msg("The buffer holds no collateral to sell")]
    BufferNothingToSell,
    #[msg("The buffer's price is above the limit: its sale price above the buyer's max_price_wad, or an absorb above the conservative price")]
    BufferPriceAboveLimit,
    #[msg("The buffer account does not belong to these pools or vaults")]
    BufferMismatch,

    // --- adaptive risk (issue 15) ---
    #[msg("Adaptive params: unknown switch bits or non-zero padding; switches are LTV 1, threshold 2, bonus 4, auction 8, cap 16, seconds 32")]
    AdaptiveSwitchUnknown,
    #[msg(
        "Adaptive params: a volatility rule is on, so ref_vol_hourly_bps must be within 1..=5000"
    )]
    AdaptiveReferenceOutOfBounds,
    #[msg("Adaptive LTV: ltv_floor_bps must be at most the pool's LTV, ltv_rise_bps_per_hour within 10..=20000")]
    AdaptiveLtvOutOfBounds,
    #[msg("Adaptive threshold: threshold_floor_bps must lie above the pool's LTV, at most 1000 bps under its threshold; threshold_drift_bps_per_hour within 10..=100")]
    AdaptiveThresholdOutOfBounds,
    #[msg("Adaptive bonus: bonus_ceiling_bps must lie between the pool's bonus and 2500 and stay non-toxic with its threshold; bonus_fall_bps_per_hour within 10..=20000")]
    AdaptiveBonusOutOfBounds,
    #[msg("Adaptive auction: start_buffer_ceiling_bps between the pool's start buffer and 5000, decay_speedup_ceiling_bps within 10000..=40000, auction_relax_bps_per_hour within 10..=20000")]
    AdaptiveAuctionOutOfBounds,
    #[msg(
        "Adaptive cap: cap_floor_bps within 1000..=10000, cap_rise_bps_per_hour within 10..=20000"
    )]
    AdaptiveCapOutOfBounds,
    #[msg("Adaptive seconds: nominal_ms_per_slot within 100..=1000, max_slot_stretch_bps within 10000..=40000")]
    AdaptiveSecondsOutOfBounds,
}

impl From<MathError> for SluiceError {
    fn from(e: MathError) -> Self {
        match e {
            MathError::Overflow => SluiceError::MathOverflow,
            MathError::DivideByZero => SluiceError::DivideByZero,
        }
    }
}

impl From<MathError> for anchor_lang::error::Error {
    fn from(e: MathError) -> Self {
        SluiceError::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::SluiceError;

    /// Error codes are part of the interface (clients, keepers and the IDL
    /// match on them): new errors are appended, none is renumbered. Adding
    /// one means adding its line here; moving one fails the test below.
    const PINNED: [(SluiceError, u32); 103] = [
        (SluiceError::MathOverflow, 6000),
        (SluiceError::DivideByZero, 6001),
        (SluiceError::Unauthorized, 6002),
        (SluiceError::NotPendingAuthority, 6003),
        (SluiceError::NoPendingAuthority, 6004),
        (SluiceError::DepositsPaused, 6005),
        (SluiceError::WithdrawalsPaused, 6006),
        (SluiceError::BorrowsPaused, 6007),
        (SluiceError::LiquidationsPaused, 6008),
        (SluiceError::ZeroAmount, 6009),
        (SluiceError::DepositTooSmall, 6010),
        (SluiceError::WithdrawTooSmall, 6011),
        (SluiceError::InsufficientShares, 6012),
        (SluiceError::InsufficientLiquidity, 6013),
        (SluiceError::InsufficientCollateral, 6014),
        (SluiceError::DepositCapExceeded, 6015),
        (SluiceError::BorrowCapExceeded, 6016),
        (SluiceError::NothingToRepay, 6017),
        (SluiceError::RepayTooSmall, 6018),
        (SluiceError::NotPositionOwner, 6019),
        (SluiceError::PositionFull, 6020),
        (SluiceError::PositionUnhealthy, 6021),
        (SluiceError::PositionNotEmpty, 6022),
        (SluiceError::PoolMarketMismatch, 6023),
        (SluiceError::VaultMismatch, 6024),
        (SluiceError::ShareMintMismatch, 6025),
        (SluiceError::InsuranceMismatch, 6026),
        (SluiceError::MintMismatch, 6027),
        (SluiceError::MissingPoolAccount, 6028),
        (SluiceError::InvalidPoolAccount, 6029),
        (SluiceError::PriceNotRefreshed, 6030),
        (SluiceError::MintDecimalsOutOfRange, 6031),
        (SluiceError::OracleWrongOwner, 6032),
        (SluiceError::OracleAccountMismatch, 6033),
        (SluiceError::OracleFeedMismatch, 6034),
        (SluiceError::OracleInvalidData, 6035),
        (SluiceError::OracleStale, 6036),
        (SluiceError::OracleConfidenceTooWide, 6037),
        (SluiceError::OracleNonPositivePrice, 6038),
        (SluiceError::OracleVerificationInsufficient, 6039),
        (SluiceError::OracleExponentOutOfRange, 6040),
        (SluiceError::OraclePriceNotTrading, 6041),
        (SluiceError::OraclePublishTimeWentBackwards, 6042),
        (SluiceError::OraclePublishTimeInFuture, 6043),
        (SluiceError::LtvOutOfBounds, 6044),
        (SluiceError::LiquidationThresholdOutOfBounds, 6045),
        (SluiceError::LiquidationBonusOutOfBounds, 6046),
        (SluiceError::ToxicLiquidationParams, 6047),
        (SluiceError::RateModelOutOfBounds, 6048),
        (SluiceError::ReserveFactorOutOfBounds, 6049),
        (SluiceError::OracleParamsOutOfBounds, 6050),
        (SluiceError::TwapParamsOutOfBounds, 6051),
        (SluiceError::UnknownPauseFlags, 6052),
        (SluiceError::UnknownOracleKind, 6053),
        (SluiceError::KeeperIncentiveOutOfBounds, 6054),
        (SluiceError::LiquidationParamsOutOfBounds, 6055),
        (SluiceError::AuctionParamsOutOfBounds, 6056),
        (SluiceError::MissingDepthAccount, 6057),
        (SluiceError::DepthAccountMismatch, 6058),
        (SluiceError::DepthAccountInvalid, 6059),
        (SluiceError::PositionHealthy, 6060),
        (SluiceError::LiquidationWaitsForTwap, 6061),
        (SluiceError::SellCapExhausted, 6062),
        (SluiceError::CircuitBreakerTripped, 6063),
        (SluiceError::SeizeRoundsToZero, 6064),
        (SluiceError::WrongLiquidationMode, 6065),
        (SluiceError::NoCollateralInPool, 6066),
        (SluiceError::NoDebtInPool, 6067),
        (SluiceError::LiquidationLoweredHealth, 6068),
        (SluiceError::PositionHasCollateral, 6069),
        (SluiceError::AuctionsPending, 6070),
        (SluiceError::AuctionNotActive, 6071),
        (SluiceError::AuctionExpired, 6072),
        (SluiceError::AuctionNotRedoable, 6073),
        (SluiceError::AuctionPriceAboveLimit, 6074),
        (SluiceError::AuctionMismatch, 6075),
        (SluiceError::NonZeroPadding, 6076),
        (SluiceError::UnknownDepthKind, 6077),
        (SluiceError::SamePoolCollateralAndDebt, 6078),
        (SluiceError::AuctionRemainderTooSmall, 6079),
        (SluiceError::ThresholdCutTooFast, 6080),
        (SluiceError::VaultBooksMismatch, 6081),
        (SluiceError::DepthNotObserved, 6082),
        (SluiceError::BufferParamsOutOfBounds, 6083),
        (SluiceError::SellCapHasRoom, 6084),
        (SluiceError::BufferEmpty, 6085),
        (SluiceError::BufferNothingPending, 6086),
        (SluiceError::BufferActivationTooEarly, 6087),
        (SluiceError::BufferDepositTooSmall, 6088),
        (SluiceError::BufferSharesInsufficient, 6089),
        (SluiceError::BufferNoWithdrawalRequested, 6090),
        (SluiceError::BufferWithdrawalCoolingDown, 6091),
        (SluiceError::BufferNothingToSell, 6092),
        (SluiceError::BufferPriceAboveLimit, 6093),
        (SluiceError::BufferMismatch, 6094),
        (SluiceError::AdaptiveSwitchUnknown, 6095),
        (SluiceError::AdaptiveReferenceOutOfBounds, 6096),
        (SluiceError::AdaptiveLtvOutOfBounds, 6097),
        (SluiceError::AdaptiveThresholdOutOfBounds, 6098),
        (SluiceError::AdaptiveBonusOutOfBounds, 6099),
        (SluiceError::AdaptiveAuctionOutOfBounds, 6100),
        (SluiceError::AdaptiveCapOutOfBounds, 6101),
        (SluiceError::AdaptiveSecondsOutOfBounds, 6102),
    ];

    #[test]
    fn error_codes_are_pinned() {
        for (e, code) in PINNED {
            assert_eq!(u32::from(e), code, "{e:?}");
        }
        // contiguous from 6000: none skipped or pinned twice
        let last = PINNED[PINNED.len() - 1].1;
        assert_eq!(last, 6000 + PINNED.len() as u32 - 1);
    }
}
