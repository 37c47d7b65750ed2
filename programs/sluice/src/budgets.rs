//! Compute-unit budgets per instruction, measured on the SBF VM (README, "Compute
//! units"). Off-chain code requests `SetComputeUnitLimit` from this table
//! (plus [`OTHER_IX_CU`] per other instruction) instead of the
//! 1.4M maximum, and the test harness fails any instruction that uses more
//! than its budget, so an instruction that grows past it fails a test.
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::Discriminator;

use crate::instruction as ix;

/// Compute units allowed for each non-Sluice instruction of a transaction
/// (SPL Token transfers cost about 4,600, system transfers about 150).
pub const OTHER_IX_CU: u32 = 10_000;

/// (instruction name, budget in CU) for every Sluice instruction.
pub const BUDGETS: &[(&[u8], &str, u32)] = &[
    (ix::InitMarket::DISCRIMINATOR, "init_market", 20_000),
    (ix::InitPool::DISCRIMINATOR, "init_pool", 120_000),
    (ix::Deposit::DISCRIMINATOR, "deposit", 40_000),
    (ix::Withdraw::DISCRIMINATOR, "withdraw", 40_000),
    (ix::OpenPosition::DISCRIMINATOR, "open_position", 40_000),
    (ix::ClosePosition::DISCRIMINATOR, "close_position", 15_000),
    (
        ix::DepositCollateral::DISCRIMINATOR,
        "deposit_collateral",
        35_000,
    ),
    (
        ix::WithdrawCollateral::DISCRIMINATOR,
        "withdraw_collateral",
        60_000,
    ),
    (ix::Borrow::DISCRIMINATOR, "borrow", 60_000),
    (ix::Repay::DISCRIMINATOR, "repay", 45_000),
    (ix::RefreshPool::DISCRIMINATOR, "refresh_pool", 40_000),
    (ix::RefreshPrice::DISCRIMINATOR, "refresh_price", 40_000),
    (
        ix::UpdatePoolParams::DISCRIMINATOR,
        "update_pool_params",
        20_000,
    ),
    (
        ix::UpdateAdaptiveParams::DISCRIMINATOR,
        "update_adaptive_params",
        10_000,
    ),
    (
        ix::UpdateMarketParams::DISCRIMINATOR,
        "update_market_params",
        10_000,
    ),
    (
        ix::ProposeAuthority::DISCRIMINATOR,
        "propose_authority",
        10_000,
    ),
    (
        ix::AcceptAuthority::DISCRIMINATOR,
        "accept_authority",
        10_000,
    ),
    (
        ix::SetDepthSources::DISCRIMINATOR,
        "set_depth_sources",
        40_000,
    ),
    (ix::Liquidate::DISCRIMINATOR, "liquidate", 120_000),
    (
        ix::LiquidateInstant::DISCRIMINATOR,
        "liquidate_instant",
        120_000,
    ),
    (ix::Take::DISCRIMINATOR, "take", 60_000),
    (ix::Redo::DISCRIMINATOR, "redo", 60_000),
    (ix::FundInsurance::DISCRIMINATOR, "fund_insurance", 30_000),
    (ix::SettleBadDebt::DISCRIMINATOR, "settle_bad_debt", 50_000),
    (ix::InitBuffer::DISCRIMINATOR, "init_buffer", 80_000),
    (
        ix::UpdateBufferParams::DISCRIMINATOR,
        "update_buffer_params",
        10_000,
    ),
    (ix::BufferDeposit::DISCRIMINATOR, "buffer_deposit", 50_000),
    (
        ix::ActivateBufferStake::DISCRIMINATOR,
        "activate_buffer_stake",
        20_000,
    ),
    (
        ix::RequestBufferWithdrawal::DISCRIMINATOR,
        "request_buffer_withdrawal",
        10_000,
    ),
    (ix::BufferWithdraw::DISCRIMINATOR, "buffer_withdraw", 40_000),
    (ix::Absorb::DISCRIMINATOR, "absorb", 120_000),
    (ix::BufferTake::DISCRIMINATOR, "buffer_take", 60_000),
];

/// The (name, budget) of the Sluice instruction whose data is `data`.
pub fn budget(data: &[u8]) -> Option<(&'static str, u32)> {
    BUDGETS
        .iter()
        .find(|(d, _, _)| data.len() >= d.len() && data[..d.len()] == **d)
        .map(|(_, name, cu)| (*name, *cu))
}

/// The compute-unit limit for a transaction of `ixs` (without its
/// compute-budget instructions): each Sluice instruction's budget plus
/// [`OTHER_IX_CU`] for every other instruction, at most 1.4M.
pub fn transaction_limit(ixs: &[Instruction]) -> u32 {
    ixs.iter()
        .map(|i| {
            if i.program_id == crate::ID {
                budget(&i.data).map_or(200_000, |(_, cu)| cu)
            } else {
                OTHER_IX_CU
            }
        })
        .fold(0u32, |a, b| a.saturating_add(b))
        .clamp(OTHER_IX_CU, 1_400_000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_budget_fits_the_default_per_instruction_limit() {
        for (_, name, cu) in super::BUDGETS {
            assert!(*cu <= 200_000, "{name}");
        }
        assert_eq!(super::BUDGETS.len(), 32);
    }
}
