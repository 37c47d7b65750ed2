//! A constant-product AMM of two real token accounts, and the Whirlpool and
//! OpenBook v2 layouts.
#![allow(deprecated)]
#![allow(clippy::result_large_err)]

use super::*;
pub use sluice::depth::openbook::fixture as openbook;

/// A constant-product pool whose reserves are two real SPL token accounts.
/// `swap_*` move tokens between a trader and the reserves at the x*y=k price.
pub struct Amm {
    pub authority: Keypair,
    pub vault_collateral: Pubkey,
    pub vault_quote: Pubkey,
    pub collateral_mint: Pubkey,
    pub quote_mint: Pubkey,
}

impl Amm {
    pub async fn reserves(&self, env: &mut Env) -> (u64, u64) {
        (
            env.balance(&self.vault_collateral).await,
            env.balance(&self.vault_quote).await,
        )
    }

    /// Sells `dx` collateral from `trader` into the pool; returns quote received.
    pub async fn sell_collateral(&self, env: &mut Env, trader: &Keypair, dx: u64) -> u64 {
        let (x, y) = self.reserves(env).await;
        let dy = (u128::from(y) * u128::from(dx) / (u128::from(x) + u128::from(dx))) as u64;
        self.transfer(env, trader, dx, dy, true).await;
        dy
    }

    /// Buys collateral with `dy` quote from `trader`; returns collateral received.
    pub async fn buy_collateral(&self, env: &mut Env, trader: &Keypair, dy: u64) -> u64 {
        let (x, y) = self.reserves(env).await;
        let dx = (u128::from(x) * u128::from(dy) / (u128::from(y) + u128::from(dy))) as u64;
        self.transfer(env, trader, dx, dy, false).await;
        dx
    }

    async fn transfer(&self, env: &mut Env, trader: &Keypair, dx: u64, dy: u64, sell: bool) {
        if env.writes_venue_swaps() {
            let t_col = env
                .token_account(&trader.pubkey(), &self.collateral_mint)
                .await;
            let t_quote = env.token_account(&trader.pubkey(), &self.quote_mint).await;
            if sell {
                env.move_tokens(&t_col, &self.vault_collateral, dx).await;
                env.move_tokens(&self.vault_quote, &t_quote, dy).await;
            } else {
                env.move_tokens(&t_quote, &self.vault_quote, dy).await;
                env.move_tokens(&self.vault_collateral, &t_col, dx).await;
            }
            return;
        }
        let ixs = self.swap_ixs(env, &trader.pubkey(), dx, dy, sell).await;
        let auth = self.authority.insecure_clone();
        env.send(&ixs, &[trader, &auth]).await.expect("amm swap");
    }

    /// The two transfers of a swap (trader -> pool, pool -> trader), to put
    /// inside another transaction; it must be signed by `trader` and
    /// `self.authority`. `sell`: `dx` collateral in, `dy` quote out.
    pub async fn swap_ixs(
        &self,
        env: &mut Env,
        trader: &Pubkey,
        dx: u64,
        dy: u64,
        sell: bool,
    ) -> Vec<Instruction> {
        let t_col = env.token_account(trader, &self.collateral_mint).await;
        let t_quote = env.token_account(trader, &self.quote_mint).await;
        let auth = self.authority.pubkey();
        let transfer = |from: &Pubkey, to: &Pubkey, owner: &Pubkey, amount: u64| {
            spl_token::instruction::transfer(&spl_token::ID, from, to, owner, &[], amount)
                .expect("transfer ix")
        };
        if sell {
            vec![
                transfer(&t_col, &self.vault_collateral, trader, dx),
                transfer(&self.vault_quote, &t_quote, &auth, dy),
            ]
        } else {
            vec![
                transfer(&t_quote, &self.vault_quote, trader, dy),
                transfer(&self.vault_collateral, &t_col, &auth, dx),
            ]
        }
    }

    /// `middle` wrapped in a round trip by `trader`: sell `dx` collateral into
    /// the pool first, buy the same collateral back after, so the reserves
    /// end where they started (an attacker's in-transaction depth
    /// inflation). Signers: `trader` and `self.authority`.
    pub async fn sandwich(
        &self,
        env: &mut Env,
        trader: &Pubkey,
        dx: u64,
        middle: Vec<Instruction>,
    ) -> Vec<Instruction> {
        let (x, y) = self.reserves(env).await;
        let dy = (u128::from(y) * u128::from(dx) / (u128::from(x) + u128::from(dx))) as u64;
        let mut ixs = self.swap_ixs(env, trader, dx, dy, true).await;
        ixs.extend(middle);
        ixs.extend(self.swap_ixs(env, trader, dx, dy, false).await);
        ixs
    }

    /// Spot price of one collateral base unit in quote base units.
    pub async fn price(&self, env: &mut Env) -> f64 {
        let (x, y) = self.reserves(env).await;
        y as f64 / x as f64
    }
}

impl Env {
    /// An OpenBook v2 market (base: `base`'s mint, quote: `quote`'s) and its
    /// bids account holding `bids` (the fixed-price tree), both in their
    /// real layouts and owned by the OpenBook v2 program. Returns (market,
    /// bids).
    pub fn create_openbook(
        &mut self,
        base: &PoolKeys,
        quote: &PoolKeys,
        lot_sizes: (i64, i64),
        bids: &[openbook::Bid],
    ) -> (Pubkey, Pubkey) {
        let (market, book) = (Keypair::new().pubkey(), Keypair::new().pubkey());
        let data = openbook::market(
            book.to_bytes(),
            base.mint.to_bytes(),
            quote.mint.to_bytes(),
            lot_sizes.0,
            lot_sizes.1,
        );
        self.set_account(&market, &OPENBOOK_V2_PROGRAM_ID, data);
        self.set_openbook_bids(&book, bids);
        (market, book)
    }

    /// Replaces the resting bids of an OpenBook v2 bids account.
    pub fn set_openbook_bids(&mut self, book: &Pubkey, bids: &[openbook::Bid]) {
        self.set_account(book, &OPENBOOK_V2_PROGRAM_ID, openbook::bids(bids));
    }
}

/// An Orca Whirlpool account in its real layout (653 bytes, Anchor
/// discriminator), to be owned by the Whirlpool program.
pub fn whirlpool_data(
    liquidity: u128,
    sqrt_price_x64: u128,
    mint_a: &Pubkey,
    mint_b: &Pubkey,
) -> Vec<u8> {
    let mut d = vec![0u8; WHIRLPOOL_ACCOUNT_LEN];
    d[..8].copy_from_slice(&WHIRLPOOL_DISCRIMINATOR);
    d[41..43].copy_from_slice(&64u16.to_le_bytes()); // tick spacing
    d[49..65].copy_from_slice(&liquidity.to_le_bytes());
    d[65..81].copy_from_slice(&sqrt_price_x64.to_le_bytes());
    d[101..133].copy_from_slice(mint_a.as_ref());
    d[181..213].copy_from_slice(mint_b.as_ref());
    d
}
