use anchor_lang::prelude::*;

use crate::constants::{bounds, BUFFER_VERSION};
use crate::errors::SluiceError;
use crate::math::buffer::{
    activation_price_wad, nav, pro_rata, sale_floor_wad, sale_price_wad, share_price_wad,
    shares_for,
};
use crate::math::fixed::SafeMath;

/// Governance parameters of one buffer pool (all bounded in [`Self::validate`]).
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct BufferParams {
    /// Discount to the conservative collateral price at which the buffer
    /// absorbs (never above the collateral pool's liquidation bonus).
    pub absorb_discount_bps: u16,
    /// Discount to the collateral's reference price at which the buffer sells.
    pub sale_discount_bps: u16,
    /// The buffer never sells below its average acquisition cost x this
    /// (10_000: at cost; governance may lower it to cut a loss).
    pub sale_floor_bps: u16,
    /// Slots a deposit waits before it backs absorbs (and earns from them).
    pub activation_delay_slots: u32,
    /// Slots between a withdrawal request and the withdrawal.
    pub withdrawal_cooldown_slots: u32,
}

impl BufferParams {
    pub fn validate(&self) -> Result<()> {
        use bounds::*;
        require!(
            self.absorb_discount_bps <= MAX_BUFFER_ABSORB_DISCOUNT_BPS
                && self.sale_discount_bps <= MAX_BUFFER_SALE_DISCOUNT_BPS
                && (MIN_BUFFER_SALE_FLOOR_BPS..=10_000).contains(&self.sale_floor_bps)
                && (MIN_BUFFER_ACTIVATION_DELAY_SLOTS..=MAX_BUFFER_ACTIVATION_DELAY_SLOTS)
                    .contains(&self.activation_delay_slots)
                && (MIN_BUFFER_COOLDOWN_SLOTS..=MAX_BUFFER_COOLDOWN_SLOTS)
                    .contains(&self.withdrawal_cooldown_slots),
            SluiceError::BufferParamsOutOfBounds
        );
        Ok(())
    }
}

/// A buffer pool for one (collateral pool, debt pool) pair: depositors put in
/// the debt asset for shares; when the per-slot sell cap is exhausted the
/// buffer repays liquidatable debt at once and takes the collateral at a
/// discount, then sells it only through the same cap (or depositors take it
/// in kind). One per pair, so a depositor chooses which collateral risk to
/// back and a share is always a slice of exactly two assets.
#[account]
#[derive(InitSpace, Debug)]
pub struct BufferPool {
    pub version: u8,
    pub bump: u8,
    pub debt_vault_bump: u8,
    pub collateral_vault_bump: u8,
    pub market: Pubkey,
    pub collateral_pool: Pubkey,
    pub debt_pool: Pubkey,
    /// Token accounts (PDAs, authority = this buffer).
    pub debt_vault: Pubkey,
    pub collateral_vault: Pubkey,
    pub params: BufferParams,
    pub total_shares: u64,
    /// Debt tokens backing absorbs (active deposits and sale proceeds).
    pub debt_balance: u64,
    /// Debt tokens deposited and not yet active (in the debt vault too).
    pub pending_deposits: u64,
    /// Absorbed collateral not yet sold or withdrawn.
    pub collateral_balance: u64,
    /// Debt units paid for `collateral_balance` (the sale floor's basis).
    pub cost_basis: u64,
    /// Lifetime totals.
    pub total_absorbed_debt: u64,
    pub total_absorbed_collateral: u64,
    pub total_sold: u64,
    pub total_sale_proceeds: u64,
    pub _reserved: [u8; 64],
}

/// One depositor's stake in a buffer pool.
#[account]
#[derive(InitSpace, Debug)]
pub struct BufferStake {
    pub version: u8,
    pub bump: u8,
    pub buffer: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
    /// Deposit waiting for activation, the slot it (last) arrived and the
    /// share price then (WAD debt units per share).
    pub pending_amount: u64,
    pub pending_slot: u64,
    pub pending_price_wad: u128,
    /// Shares asked to leave and the slot of the request (0: none).
    pub withdraw_shares: u64,
    pub withdraw_slot: u64,
    pub _reserved: [u8; 32],
}

/// What a withdrawal pays out, in kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BufferPayout {
    pub shares: u64,
    pub debt: u64,
    pub collateral: u64,
}

impl BufferPool {
    #[allow(clippy::too_many_arguments)]
    pub fn init(
        &mut self,
        bumps: [u8; 3],
        market: Pubkey,
        collateral_pool: Pubkey,
        debt_pool: Pubkey,
        debt_vault: Pubkey,
        collateral_vault: Pubkey,
        params: BufferParams,
    ) {
        self.version = BUFFER_VERSION;
        self.bump = bumps[0];
        self.debt_vault_bump = bumps[1];
        self.collateral_vault_bump = bumps[2];
        self.market = market;
        self.collateral_pool = collateral_pool;
        self.debt_pool = debt_pool;
        self.debt_vault = debt_vault;
        self.collateral_vault = collateral_vault;
        self.params = params;
    }

    /// Share price (WAD debt units per share) with the collateral valued at
    /// `ratio_wad` (debt units per collateral unit).
    pub fn share_price_wad(&self, ratio_wad: u128) -> Result<u128> {
        let v = nav(self.debt_balance, self.collateral_balance, ratio_wad)?;
        Ok(share_price_wad(v, self.total_shares)?)
    }

    /// Tokens the debt vault must hold.
    pub fn expected_debt_vault(&self) -> Result<u64> {
        Ok(self.debt_balance.safe_add(self.pending_deposits)?)
    }

    /// A deposit of `amount` waits in the stake; a second deposit before
    /// activation restarts the wait and keeps the higher entry price.
    pub fn deposit(
        &mut self,
        stake: &mut BufferStake,
        amount: u64,
        slot: u64,
        price_wad: u128,
    ) -> Result<()> {
        require!(amount > 0, SluiceError::ZeroAmount);
        stake.pending_price_wad = if stake.pending_amount == 0 {
            price_wad
        } else {
            stake.pending_price_wad.max(price_wad)
        };
        stake.pending_amount = stake.pending_amount.safe_add(amount)?;
        stake.pending_slot = slot;
        self.pending_deposits = self.pending_deposits.safe_add(amount)?;
        Ok(())
    }

    /// Turns a stake's matured deposit into shares at the higher of its
    /// entry price and `price_now_wad`. Returns (amount, shares).
    pub fn activate(
        &mut self,
        stake: &mut BufferStake,
        slot: u64,
        price_now_wad: u128,
    ) -> Result<(u64, u64)> {
        let amount = stake.pending_amount;
        require!(amount > 0, SluiceError::BufferNothingPending);
        let ready = stake
            .pending_slot
            .saturating_add(self.params.activation_delay_slots.into());
        require!(slot >= ready, SluiceError::BufferActivationTooEarly);
        let price = activation_price_wad(stake.pending_price_wad, price_now_wad);
        let shares = shares_for(amount, price)?;
        require!(shares > 0, SluiceError::BufferDepositTooSmall);
        self.pending_deposits = self.pending_deposits.safe_sub(amount)?;
        self.debt_balance = self.debt_balance.safe_add(amount)?;
        self.total_shares = self.total_shares.safe_add(shares)?;
        stake.shares = stake.shares.safe_add(shares)?;
        stake.pending_amount = 0;
        stake.pending_price_wad = 0;
        Ok((amount, shares))
    }

    /// Asks for `shares` to leave after the cooldown; they keep backing
    /// absorbs (and bearing their losses) until then. A new request
    /// replaces the old one and restarts the cooldown.
    pub fn request_withdrawal(stake: &mut BufferStake, shares: u64, slot: u64) -> Result<()> {
        require!(shares > 0, SluiceError::ZeroAmount);
        require!(
            shares <= stake.shares,
            SluiceError::BufferSharesInsufficient
        );
        stake.withdraw_shares = shares;
        stake.withdraw_slot = slot;
        Ok(())
    }

    /// Pays a matured request out pro rata in kind: debt tokens and
    /// collateral, each rounded down. No price is involved.
    pub fn withdraw(&mut self, stake: &mut BufferStake, slot: u64) -> Result<BufferPayout> {
        require!(
            stake.withdraw_shares > 0,
            SluiceError::BufferNoWithdrawalRequested
        );
        let ready = stake
            .withdraw_slot
            .saturating_add(self.params.withdrawal_cooldown_slots.into());
        require!(slot >= ready, SluiceError::BufferWithdrawalCoolingDown);
        let shares = stake.withdraw_shares.min(stake.shares);
        require!(shares > 0, SluiceError::BufferSharesInsufficient);
        let debt = pro_rata(self.debt_balance, shares, self.total_shares)?;
        let collateral = pro_rata(self.collateral_balance, shares, self.total_shares)?;
        // the basis leaves with the collateral, rounded down: the floor per
        // unit of what stays never falls
        let basis = pro_rata(self.cost_basis, shares, self.total_shares)?;
        self.debt_balance = self.debt_balance.safe_sub(debt)?;
        self.collateral_balance = self.collateral_balance.safe_sub(collateral)?;
        self.cost_basis = self.cost_basis.safe_sub(basis)?;
        self.total_shares = self.total_shares.safe_sub(shares)?;
        stake.shares = stake.shares.safe_sub(shares)?;
        stake.withdraw_shares = 0;
        stake.withdraw_slot = 0;
        Ok(BufferPayout {
            shares,
            debt,
            collateral,
        })
    }

    /// The buffer paid `repay` debt tokens for `collateral` units.
    pub fn absorb(&mut self, repay: u64, collateral: u64) -> Result<()> {
        self.debt_balance = self.debt_balance.safe_sub(repay)?;
        self.collateral_balance = self.collateral_balance.safe_add(collateral)?;
        self.cost_basis = self.cost_basis.safe_add(repay)?;
        self.total_absorbed_debt = self.total_absorbed_debt.safe_add(repay)?;
        self.total_absorbed_collateral = self.total_absorbed_collateral.safe_add(collateral)?;
        Ok(())
    }

    /// Price of one collateral unit in a sale: `reference` less the sale
    /// discount, never below the floor on the average acquisition cost.
    pub fn sale_price_wad(&self, reference_wad: u128) -> Result<u128> {
        let floor = sale_floor_wad(
            self.cost_basis,
            self.collateral_balance,
            self.params.sale_floor_bps,
        )?;
        Ok(sale_price_wad(
            reference_wad,
            self.params.sale_discount_bps,
            floor,
        )?)
    }

    /// `units` of collateral sold for `paid` debt tokens.
    pub fn sell(&mut self, units: u64, paid: u64) -> Result<()> {
        let basis = pro_rata(self.cost_basis, units, self.collateral_balance)?;
        self.collateral_balance = self.collateral_balance.safe_sub(units)?;
        self.cost_basis = self.cost_basis.safe_sub(basis)?;
        self.debt_balance = self.debt_balance.safe_add(paid)?;
        self.total_sold = self.total_sold.safe_add(units)?;
        self.total_sale_proceeds = self.total_sale_proceeds.safe_add(paid)?;
        Ok(())
    }
}

impl BufferStake {
    pub fn init(&mut self, bump: u8, buffer: Pubkey, owner: Pubkey) {
        self.version = BUFFER_VERSION;
        self.bump = bump;
        self.buffer = buffer;
        self.owner = owner;
    }
}
