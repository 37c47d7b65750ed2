//! Buffer pool flows on the in-process runtime: creating a pair's buffer,
//! deposits, activation, withdrawals, absorbs and sales, and its books.
use super::*;
use crate::BufferKeys;
use sluice::state::{BufferParams, BufferPool, BufferStake};

impl Env {
    /// Governance creates the buffer of (`c`, `d`) with `params`.
    pub async fn init_buffer(
        &mut self,
        c: &PoolKeys,
        d: &PoolKeys,
        params: BufferParams,
    ) -> BufferKeys {
        let b = self.buffer_keys(c, d);
        let auth = self.authority.insecure_clone();
        let i = cix::init_buffer(&self.payer(), &auth.pubkey(), &b, params);
        self.send(&[i], &[&auth]).await.expect("init buffer");
        b
    }

    pub fn buffer_keys(&self, c: &PoolKeys, d: &PoolKeys) -> BufferKeys {
        BufferKeys::derive(&self.market, c, d)
    }

    pub async fn buffer(&mut self, b: &BufferKeys) -> BufferPool {
        self.anchor_account(&b.buffer).await
    }

    pub async fn buffer_stake(&mut self, b: &BufferKeys, owner: &Pubkey) -> BufferStake {
        self.anchor_account(&b.stake(owner)).await
    }

    pub async fn ix_buffer_deposit(
        &mut self,
        owner: &Pubkey,
        b: &BufferKeys,
        amount: u64,
    ) -> Instruction {
        let source = self.token_account(owner, &b.debt.mint).await;
        cix::buffer_deposit(owner, b, &source, amount)
    }

    /// `owner` deposits `amount` (prices refreshed first, as a buffer
    /// holding collateral needs them).
    pub async fn buffer_deposit(
        &mut self,
        owner: &Keypair,
        b: &BufferKeys,
        amount: u64,
    ) -> TxResult {
        let mut ixs = self.refresh_prices(&[b.collateral, b.debt]);
        ixs.push(self.ix_buffer_deposit(&owner.pubkey(), b, amount).await);
        self.send(&ixs, &[owner]).await
    }

    /// Activates `owner`'s deposit (prices refreshed first).
    pub async fn activate_buffer_stake(&mut self, b: &BufferKeys, owner: &Pubkey) -> TxResult {
        let mut ixs = self.refresh_prices(&[b.collateral, b.debt]);
        ixs.push(cix::activate_buffer_stake(b, owner));
        self.send(&ixs, &[]).await
    }

    pub async fn ix_buffer_withdraw(&mut self, owner: &Pubkey, b: &BufferKeys) -> Instruction {
        let d = self.token_account(owner, &b.debt.mint).await;
        let c = self.token_account(owner, &b.collateral.mint).await;
        cix::buffer_withdraw(owner, b, &d, &c)
    }

    /// `absorb` of `owner`'s (collateral `c`, debt `d`) by their buffer, with
    /// `c`'s depth sources and the keeper's collateral account.
    pub async fn ix_absorb(
        &mut self,
        keeper: &Pubkey,
        owner: &Pubkey,
        c: &PoolKeys,
        d: &PoolKeys,
        others: &[PoolKeys],
    ) -> Instruction {
        self.ix_on_position(cix::absorb, keeper, owner, (c, d), others)
            .await
    }

    /// `buffer_take` by `buyer` of up to `max_amount` at no more than `max_price_wad`.
    pub async fn ix_buffer_take(
        &mut self,
        buyer: &Pubkey,
        b: &BufferKeys,
        max_amount: u64,
        max_price_wad: u128,
    ) -> Instruction {
        let sources = self.pool(&b.collateral).await.depth_sources;
        let src = self.token_account(buyer, &b.debt.mint).await;
        let dst = self.token_account(buyer, &b.collateral.mint).await;
        cix::buffer_take(buyer, b, &sources, &src, &dst, max_amount, max_price_wad)
    }

    /// The buffer's books reconcile with its vaults: the debt vault holds the
    /// active balance plus pending deposits, the collateral vault what was
    /// absorbed and not sold or withdrawn.
    pub async fn assert_buffer_books(&mut self, b: &BufferKeys) {
        let s = self.buffer(b).await;
        let debt = self.balance(&b.debt_vault).await;
        let coll = self.balance(&b.collateral_vault).await;
        assert_eq!(
            debt,
            s.debt_balance + s.pending_deposits,
            "buffer debt vault vs books"
        );
        assert_eq!(
            coll, s.collateral_balance,
            "buffer collateral vault vs books"
        );
    }
}
