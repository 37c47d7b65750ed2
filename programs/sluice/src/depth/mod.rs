//! On-chain liquidity readers (constant-product vault pairs, Orca Whirlpool) -> max sell size for a slippage bound. Filled in by the liquidation engine.
