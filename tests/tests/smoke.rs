use sluice_tests::*;
use solana_signer::Signer;

#[tokio::test]
async fn borrow_against_sol() {
    let mut t = TwoPools::new().await;
    let b = t.borrower(10 * SOL).await;
    let all = t.all();
    let usdc = t.usdc;
    t.env
        .borrow(&b, &usdc, 500 * USDC, &all)
        .await
        .expect("borrow");
    assert_eq!(t.env.balance_of(&b.pubkey(), &usdc.mint).await, 500 * USDC);
    t.env.assert_books(&usdc).await;
}
