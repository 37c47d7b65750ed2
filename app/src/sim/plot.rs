//! SVG plots (plotters): price, per-slot seizures and the unhealthy share, per preset.
use std::path::Path;

use plotters::prelude::*;

use super::SimResult;

const COLORS: [RGBColor; 4] = [BLUE, RED, GREEN, MAGENTA];

fn chart(
    path: &Path,
    title: &str,
    y_label: &str,
    series: &[(String, Vec<f64>)],
    stride: usize,
) -> Result<(), String> {
    let root = SVGBackend::new(path, (900, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let n = series
        .iter()
        .map(|(_, v)| v.len())
        .max()
        .unwrap_or(1)
        .max(2)
        * stride;
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for (_, v) in series {
        for x in v {
            lo = lo.min(*x);
            hi = hi.max(*x);
        }
    }
    if lo >= hi {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    let mut c = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0..n, (lo - pad)..(hi + pad))
        .map_err(|e| e.to_string())?;
    c.configure_mesh()
        .x_desc("slot")
        .y_desc(y_label)
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, (name, v)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        c.draw_series(LineSeries::new(
            v.iter().enumerate().map(|(x, y)| (x * stride, *y)),
            color,
        ))
        .map_err(|e| e.to_string())?
        .label(name.clone())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    c.configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// Writes price.svg, sales.svg and health.svg into `dir` (a long path's
/// series are downsampled: a point per `stride` slots, prices at their low).
pub fn write_all(dir: &Path, results: &[SimResult]) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut price = Vec::new();
    if let Some(r) = results.first() {
        price.push(("exogenous".to_string(), r.series.exogenous.clone()));
    }
    for r in results {
        price.push((format!("AMM ({})", r.preset), r.series.amm.clone()));
    }
    let sales: Vec<_> = results
        .iter()
        .map(|r| (r.preset.clone(), r.series.seized_sol.clone()))
        .collect();
    let health: Vec<_> = results
        .iter()
        .map(|r| (r.preset.clone(), r.series.unhealthy_share.clone()))
        .collect();
    let stride = results.iter().map(|r| r.series.stride).max().unwrap_or(1);
    let sales_title = match stride {
        1 => "Collateral seized per slot".to_string(),
        n => format!("Collateral seized per {n} slots"),
    };
    let files = [
        (
            "price.svg",
            "SOL price: exogenous path vs AMM",
            "USD",
            price,
        ),
        ("sales.svg", sales_title.as_str(), "SOL", sales),
        (
            "health.svg",
            "Share of borrowing positions below health 1 at spot",
            "share",
            health,
        ),
    ];
    let mut written = Vec::new();
    for (name, title, y, s) in files {
        let p = dir.join(name);
        chart(&p, title, y, &s, stride)?;
        written.push(p.display().to_string());
    }
    Ok(written)
}
