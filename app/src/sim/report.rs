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

/// Mean and worst case of one metric over the seeds.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Spread {
    pub mean: f64,
    /// The worst value (highest bad debt, lowest drawdown and depositors' result).
    pub worst: f64,
}

/// One preset over several borrower books.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SeedSummary {
    pub preset: String,
    pub seeds: usize,
    pub bad_debt_usd: Spread,
    pub bad_debt_beyond_ideal_pct: Spread,
    pub liquidation_drawdown_pct: Spread,
    pub buffer_pnl_usd: Spread,
}

fn spread(values: &[f64], worst_is_high: bool) -> Spread {
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let worst =
        values
            .iter()
            .copied()
            .fold(if worst_is_high { f64::MIN } else { f64::MAX }, |w, v| {
                if worst_is_high {
                    w.max(v)
                } else {
                    w.min(v)
                }
            });
    Spread { mean, worst }
}

/// Per preset (in the order of the first run): the mean and worst case over
/// `runs` (one run per seed, each a result per preset).
pub fn seeds_summary(runs: &[Vec<SimResult>]) -> Vec<SeedSummary> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .iter()
        .map(|p| {
            let of = |f: fn(&SimResult) -> f64| -> Vec<f64> {
                runs.iter()
                    .flat_map(|run| run.iter().filter(|r| r.preset == p.preset).map(f))
                    .collect()
            };
            SeedSummary {
                preset: p.preset.clone(),
                seeds: runs.len(),
                bad_debt_usd: spread(&of(|r| r.bad_debt_usd), true),
                bad_debt_beyond_ideal_pct: spread(&of(|r| r.bad_debt_beyond_ideal_pct), true),
                liquidation_drawdown_pct: spread(&of(|r| r.liquidation_drawdown_pct), false),
                buffer_pnl_usd: spread(&of(|r| r.buffer_pnl_usd), false),
            }
        })
        .collect()
}

pub fn seeds_table(scenario: &str, first_seed: u64, summary: &[SeedSummary]) -> String {
    let mut s = format!(
        "scenario: {scenario}, seeds {first_seed} to {}\n",
        first_seed + summary.first().map_or(1, |x| x.seeds as u64) - 1
    );
    s.push_str("| preset | bad debt $ mean | worst | beyond ideal mean | worst | drawdown % mean | worst | depositors $ mean | worst |\n");
    s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for x in summary {
        s.push_str(&format!(
            "| {} | {:.0} | {:.0} | {:.3}% | {:.3}% | {:.2} | {:.2} | {:.0} | {:.0} |\n",
            x.preset,
            x.bad_debt_usd.mean,
            x.bad_debt_usd.worst,
            x.bad_debt_beyond_ideal_pct.mean,
            x.bad_debt_beyond_ideal_pct.worst,
            x.liquidation_drawdown_pct.mean,
            x.liquidation_drawdown_pct.worst,
            x.buffer_pnl_usd.mean,
            x.buffer_pnl_usd.worst,
        ));
    }
    s
}

pub fn seeds_json(scenario: &str, runs: &[Vec<SimResult>], summary: &[SeedSummary]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "scenario": scenario,
        "summary": summary,
        "runs": runs,
    }))
    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_summary_takes_the_mean_and_the_worst_per_preset() {
        let r = |preset: &str, bad: f64, dd: f64| SimResult {
            preset: preset.into(),
            bad_debt_usd: bad,
            bad_debt_beyond_ideal_pct: bad / 100.0,
            liquidation_drawdown_pct: dd,
            ..Default::default()
        };
        let runs = vec![
            vec![r("sluice", 100.0, -1.0), r("instant", 900.0, -80.0)],
            vec![r("sluice", 300.0, -3.0), r("instant", 700.0, -60.0)],
        ];
        let s = seeds_summary(&runs);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].preset, "sluice");
        assert_eq!(
            (s[0].bad_debt_usd.mean, s[0].bad_debt_usd.worst),
            (200.0, 300.0)
        );
        assert_eq!(
            (
                s[0].liquidation_drawdown_pct.mean,
                s[0].liquidation_drawdown_pct.worst
            ),
            (-2.0, -3.0)
        );
        assert_eq!(
            (s[1].bad_debt_usd.mean, s[1].bad_debt_usd.worst),
            (800.0, 900.0)
        );
        assert!(seeds_table("crash", 7, &s).contains("| sluice | 200 | 300 |"));
    }
}
