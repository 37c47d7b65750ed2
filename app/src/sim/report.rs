//! The comparison table and its JSON form.
use super::SimResult;

pub fn table(scenario: &str, results: &[SimResult]) -> String {
    let mut s = String::new();
    s.push_str(&format!("scenario: {scenario}\n"));
    s.push_str(&format!(
        "| {:<8} | {:>13} | {:>13} | {:>11} | {:>10} | {:>10} | {:>11} | {:>12} | {:>13} | {:>10} | {:>6} | {:>7} |\n",
        "preset",
        "bad debt $",
        "beyond ideal",
        "insurance $",
        "min ext $",
        "min AMM $",
        "drawdown %",
        "SOL sold",
        "penalties $",
        "liquidated",
        "slots",
        "wall s"
    ));
    s.push_str("|----------|---------------|---------------|-------------|------------|------------|-------------|--------------|---------------|------------|--------|---------|\n");
    for r in results {
        s.push_str(&format!(
            "| {:<8} | {:>13.2} | {:>12.3}% | {:>11.2} | {:>10.2} | {:>10.2} | {:>11.2} | {:>12.1} | {:>13.2} | {:>10} | {:>6} | {:>7.1} |\n",
            r.preset,
            r.bad_debt_usd,
            r.bad_debt_beyond_ideal_pct,
            r.buffer_used_usd,
            r.min_exogenous_price,
            r.min_amm_price,
            r.liquidation_drawdown_pct,
            r.collateral_sold_sol,
            r.penalties_usd,
            r.positions_liquidated,
            r.slots,
            r.wall_secs
        ));
    }
    s
}

pub fn json(scenario: &str, results: &[SimResult]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "scenario": scenario,
        "results": results,
    }))
    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
