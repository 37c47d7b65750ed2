//! Plumbing shared by instructions: token moves, the bad-debt waterfall and
//! the auction jitter. Health lives in `crate::health`.
use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, MintTo, Token, TokenAccount, Transfer};

use crate::errors::SluiceError;
use crate::events::EventHeader;
use crate::state::{BadDebt, BufferPool, InsuranceBuffer, Pool, PoolSigner};

/// Moves `amount` from a user's token account into a pool-owned account.
pub fn transfer_from_user<'info>(
    token_program: &Program<'info, Token>,
    from: &Account<'info, TokenAccount>,
    to: &Account<'info, TokenAccount>,
    authority: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    token::transfer(
        CpiContext::new(
            token_program.key(),
            Transfer {
                from: from.to_account_info(),
                to: to.to_account_info(),
                authority: authority.to_account_info(),
            },
        ),
        amount,
    )
}

/// Moves `amount` out of an account whose authority is the pool PDA. The
/// pool's data must not be borrowed mutably during the call (copy its
/// [`PoolSigner`] first).
pub fn transfer_from_pool<'info>(
    token_program: &Program<'info, Token>,
    from: &Account<'info, TokenAccount>,
    to: &Account<'info, TokenAccount>,
    pool: &AccountInfo<'info>,
    signer: &PoolSigner,
    amount: u64,
) -> Result<()> {
    transfer_signed(token_program, from, to, pool, &signer.seeds(), amount)
}

/// Moves `amount` out of an account whose authority is the PDA `authority`
/// of `seeds` (a pool or a buffer pool).
fn transfer_signed<'info>(
    token_program: &Program<'info, Token>,
    from: &Account<'info, TokenAccount>,
    to: &Account<'info, TokenAccount>,
    authority: &AccountInfo<'info>,
    seeds: &[&[u8]],
    amount: u64,
) -> Result<()> {
    token::transfer(
        CpiContext::new_with_signer(
            token_program.key(),
            Transfer {
                from: from.to_account_info(),
                to: to.to_account_info(),
                authority: authority.clone(),
            },
            &[seeds],
        ),
        amount,
    )
}

pub fn mint_shares<'info>(
    token_program: &Program<'info, Token>,
    share_mint: &Account<'info, Mint>,
    to: &Account<'info, TokenAccount>,
    pool: &AccountInfo<'info>,
    signer: &PoolSigner,
    amount: u64,
) -> Result<()> {
    let seeds = signer.seeds();
    token::mint_to(
        CpiContext::new_with_signer(
            token_program.key(),
            MintTo {
                mint: share_mint.to_account_info(),
                to: to.to_account_info(),
                authority: pool.clone(),
            },
            &[&seeds],
        ),
        amount,
    )
}

pub fn burn_shares<'info>(
    token_program: &Program<'info, Token>,
    share_mint: &Account<'info, Mint>,
    from: &Account<'info, TokenAccount>,
    owner: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    token::burn(
        CpiContext::new(
            token_program.key(),
            Burn {
                mint: share_mint.to_account_info(),
                from: from.to_account_info(),
                authority: owner.to_account_info(),
            },
        ),
        amount,
    )
}

/// Emits `event` through a self-CPI signed by the program's event authority
/// (Anchor's `emit_cpi!` wire format: `EVENT_IX_TAG_LE` then the event's
/// discriminator and data, decoded from the transaction's inner
/// instructions). Logs may be truncated by an RPC node; inner instructions
/// are not. Used for liquidation and bad-debt events. Unlike the macro it
/// needs no `ctx` in scope, so a handler's emitting helper can call it.
pub fn emit_cpi_event<E: anchor_lang::Event>(
    event_authority: &AccountInfo<'_>,
    event: &E,
) -> Result<()> {
    let mut data = anchor_lang::event::EVENT_IX_TAG_LE.to_vec();
    data.extend_from_slice(&event.data());
    let ix = anchor_lang::solana_program::instruction::Instruction::new_with_bytes(
        crate::ID,
        &data,
        vec![AccountMeta::new_readonly(event_authority.key(), true)],
    );
    anchor_lang::solana_program::program::invoke_signed(
        &ix,
        std::slice::from_ref(event_authority),
        &[&[
            crate::constants::EVENT_AUTHORITY_SEED,
            &[crate::EVENT_AUTHORITY_AND_BUMP.1],
        ]],
    )
    .map_err(Into::into)
}

/// Pays the insurance buffer's part of a bad debt booked by
/// [`Pool::book_bad_debt`]: moves `covered` from the buffer's vault into the
/// debt pool's vault and emits the waterfall's events.
#[allow(clippy::too_many_arguments)]
pub fn pay_bad_debt<'info>(
    token_program: &Program<'info, Token>,
    insurance_vault: &Account<'info, TokenAccount>,
    debt_vault: &Account<'info, TokenAccount>,
    debt_pool: &AccountInfo<'info>,
    signer: &PoolSigner,
    insurance: &mut InsuranceBuffer,
    header: EventHeader,
    event_authority: &AccountInfo<'info>,
    bad: &BadDebt,
) -> Result<()> {
    if bad.shortfall == 0 {
        return Ok(());
    }
    if bad.covered > 0 {
        transfer_from_pool(
            token_program,
            insurance_vault,
            debt_vault,
            debt_pool,
            signer,
            bad.covered,
        )?;
        insurance.record_payment(bad.covered)?;
    }
    emit_cpi_event(
        event_authority,
        &crate::events::BadDebtCovered {
            header,
            pool: *debt_pool.key,
            shortfall: bad.shortfall,
            from_insurance: bad.covered,
        },
    )?;
    if bad.socialized > 0 {
        emit_cpi_event(
            event_authority,
            &crate::events::BadDebtSocialized {
                header,
                pool: *debt_pool.key,
                amount: bad.socialized,
            },
        )?;
    }
    Ok(())
}

/// The books check klend runs after every transfer: an instruction may move
/// tokens in and out of a pool's vault only as its books say, so the vault's
/// surplus over what the books require (`vault - expected_vault_balance`) is
/// the same after the instruction as before it. Any transaction nobody
/// thought of that breaks the match fails with `VaultBooksMismatch`.
#[derive(Clone, Copy, Debug)]
pub struct VaultBooks {
    surplus: i128,
}

impl VaultBooks {
    /// Records the surplus at the start (vault as deserialized, books before any change).
    pub fn before(vault: &TokenAccount, pool: &Pool) -> Result<Self> {
        Self::before_expected(vault, pool.expected_vault_balance()?)
    }

    /// Checks the surplus after the transfers (the vault's amount read from
    /// its data: no re-deserialization).
    pub fn check(&self, vault: &AccountInfo, pool: &Pool) -> Result<()> {
        self.check_expected(vault, pool.expected_vault_balance()?)
    }

    /// The same check for any vault whose books say it must hold `expected`
    /// (a buffer pool's vaults).
    pub fn before_expected(vault: &TokenAccount, expected: u128) -> Result<Self> {
        Ok(VaultBooks {
            surplus: i128::from(vault.amount) - to_i128(expected)?,
        })
    }

    pub fn check_expected(&self, vault: &AccountInfo, expected: u128) -> Result<()> {
        let data = vault.try_borrow_data()?;
        let amount: [u8; 8] = data
            .get(64..72)
            .and_then(|b| b.try_into().ok())
            .ok_or(SluiceError::VaultBooksMismatch)?;
        let after = i128::from(u64::from_le_bytes(amount)) - to_i128(expected)?;
        require!(after == self.surplus, SluiceError::VaultBooksMismatch);
        Ok(())
    }
}

/// Seeds of a buffer pool PDA, the authority of its vaults.
#[derive(Clone, Copy, Debug)]
pub struct BufferSigner {
    pub collateral_pool: Pubkey,
    pub debt_pool: Pubkey,
    pub bump: [u8; 1],
}

impl BufferSigner {
    pub fn of(buffer: &BufferPool) -> Self {
        BufferSigner {
            collateral_pool: buffer.collateral_pool,
            debt_pool: buffer.debt_pool,
            bump: [buffer.bump],
        }
    }

    pub fn seeds(&self) -> [&[u8]; 4] {
        [
            crate::constants::BUFFER_SEED,
            self.collateral_pool.as_ref(),
            self.debt_pool.as_ref(),
            &self.bump,
        ]
    }
}

/// Moves `amount` out of a buffer pool's vault.
pub fn transfer_from_buffer<'info>(
    token_program: &Program<'info, Token>,
    from: &Account<'info, TokenAccount>,
    to: &Account<'info, TokenAccount>,
    buffer: &AccountInfo<'info>,
    signer: &BufferSigner,
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    transfer_signed(token_program, from, to, buffer, &signer.seeds(), amount)
}

/// The books check of a buffer pool's two vaults (see [`VaultBooks`]): the
/// debt vault holds the active balance plus pending deposits, the
/// collateral vault the collateral held.
#[derive(Clone, Copy, Debug)]
pub struct BufferBooks {
    debt: VaultBooks,
    collateral: VaultBooks,
}

impl BufferBooks {
    pub fn before(
        buffer: &BufferPool,
        debt_vault: &TokenAccount,
        collateral_vault: &TokenAccount,
    ) -> Result<Self> {
        Ok(BufferBooks {
            debt: VaultBooks::before_expected(debt_vault, buffer.expected_debt_vault()?.into())?,
            collateral: VaultBooks::before_expected(
                collateral_vault,
                buffer.collateral_balance.into(),
            )?,
        })
    }

    pub fn check(
        &self,
        buffer: &BufferPool,
        debt_vault: &AccountInfo,
        collateral_vault: &AccountInfo,
    ) -> Result<()> {
        self.debt
            .check_expected(debt_vault, buffer.expected_debt_vault()?.into())?;
        self.collateral
            .check_expected(collateral_vault, buffer.collateral_balance.into())
    }
}

/// Collateral valued for a buffer share's entry price: one unit of `cpool`'s
/// token in `dpool`'s units at the higher of spot and TWAP (WAD, rounded up),
/// so a dumped spot cannot sell buffer shares cheap. Needs both prices
/// refreshed this slot; an empty collateral side needs no price (0).
pub fn buffer_entry_ratio(
    cpool: &Pool,
    dpool: &Pool,
    collateral_held: u64,
    slot: u64,
) -> Result<u128> {
    if collateral_held == 0 {
        return Ok(0);
    }
    cpool.require_fresh_price(slot)?;
    dpool.require_fresh_price(slot)?;
    cpool.high_ratio_wad(dpool)
}

fn to_i128(x: u128) -> Result<i128> {
    i128::try_from(x).map_err(|_| error!(SluiceError::MathOverflow))
}

/// Pseudo-random 0..=max drawn from the most recent SlotHashes entry.
pub fn slot_hash_jitter(slot_hashes: &AccountInfo, max: u16) -> Result<u64> {
    require_keys_eq!(
        slot_hashes.key(),
        crate::constants::SLOT_HASHES_ID,
        SluiceError::AuctionMismatch
    );
    if max == 0 {
        return Ok(0);
    }
    let data = slot_hashes.try_borrow_data()?;
    // layout: u64 count, then (u64 slot, [u8; 32] hash) newest first
    let word: [u8; 8] = data
        .get(16..24)
        .and_then(|b| b.try_into().ok())
        .unwrap_or([0; 8]);
    Ok(u64::from_le_bytes(word) % (u64::from(max) + 1))
}
