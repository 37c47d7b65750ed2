//! Exogenous price paths: built-in scenarios and CSV files.
use std::path::Path;

/// Seconds per slot when a CSV path is mapped onto slots.
pub const SLOT_SECS: f64 = 0.4;
/// Longest path the simulator accepts.
pub const MAX_SLOTS: usize = 200_000;

pub const SCENARIOS: [&str; 4] = ["wick", "crash", "bleed", "depeg"];

fn ramp(out: &mut Vec<f64>, to: f64, slots: usize) {
    let from = *out.last().unwrap_or(&to);
    for i in 1..=slots {
        out.push(from + (to - from) * i as f64 / slots as f64);
    }
}

fn hold(out: &mut Vec<f64>, slots: usize) {
    let p = *out.last().unwrap_or(&100.0);
    out.extend(std::iter::repeat_n(p, slots));
}

/// A built-in path of USD prices, one per slot, starting at $100.
pub fn builtin(name: &str) -> Result<Vec<f64>, String> {
    let mut p = vec![100.0];
    match name {
        // -30% for two slots, then back
        "wick" => {
            hold(&mut p, 60);
            p.extend([70.0, 70.0]);
            p.push(100.0);
            hold(&mut p, 137);
        }
        // -45% over 48 seconds, then flat
        "crash" => {
            hold(&mut p, 60);
            ramp(&mut p, 55.0, 120);
            hold(&mut p, 120);
        }
        // -50% over four minutes
        "bleed" => {
            hold(&mut p, 30);
            ramp(&mut p, 50.0, 600);
            hold(&mut p, 70);
        }
        // a gap down, a slide, a partial recovery
        "depeg" => {
            hold(&mut p, 60);
            ramp(&mut p, 80.0, 5);
            ramp(&mut p, 65.0, 60);
            ramp(&mut p, 85.0, 100);
            ramp(&mut p, 75.0, 75);
        }
        other => {
            return Err(format!(
                "unknown scenario {other:?}; use one of {}",
                SCENARIOS.join(", ")
            ))
        }
    }
    Ok(p)
}

/// Reads `unix_ts,price` rows (header required) and maps them onto slots of
/// 0.4 s, holding each price until the next row. Any bad row is an error
/// naming its line.
pub fn parse_csv(text: &str) -> Result<Vec<f64>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim().replace(' ', "") == "unix_ts,price" => {}
        Some((_, h)) => {
            return Err(format!(
                "line 1: expected header `unix_ts,price`, found {h:?}"
            ))
        }
        None => return Err("the file is empty; expected header `unix_ts,price`".into()),
    }
    let mut rows: Vec<(f64, f64)> = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split(',');
        let (Some(ts), Some(px), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "line {n}: expected two fields `unix_ts,price`, found {line:?}"
            ));
        };
        let ts: i64 = ts
            .trim()
            .parse()
            .map_err(|_| format!("line {n}: unix_ts {:?} is not an integer", ts.trim()))?;
        let px: f64 = px
            .trim()
            .parse()
            .map_err(|_| format!("line {n}: price {:?} is not a number", px.trim()))?;
        if !(px.is_finite() && px > 0.0) {
            return Err(format!("line {n}: price must be positive, found {px}"));
        }
        if let Some((prev, _)) = rows.last() {
            if (ts as f64) <= *prev {
                return Err(format!("line {n}: unix_ts {ts} does not increase"));
            }
        }
        rows.push((ts as f64, px));
    }
    if rows.len() < 2 {
        return Err("need at least two price rows".into());
    }
    let t0 = rows[0].0;
    let span = rows[rows.len() - 1].0 - t0;
    let slots = (span / SLOT_SECS).ceil() as usize + 1;
    if slots > MAX_SLOTS {
        return Err(format!(
            "the path spans {slots} slots of 0.4 s; the limit is {MAX_SLOTS}"
        ));
    }
    let mut out = Vec::with_capacity(slots);
    let mut j = 0;
    for s in 0..slots {
        let t = t0 + s as f64 * SLOT_SECS;
        while j + 1 < rows.len() && rows[j + 1].0 <= t {
            j += 1;
        }
        out.push(rows[j].1);
    }
    Ok(out)
}

pub fn read_csv(path: &Path) -> Result<Vec<f64>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_csv(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_start_at_100_and_stay_positive() {
        for s in SCENARIOS {
            let p = builtin(s).unwrap();
            assert_eq!(p[0], 100.0);
            assert!(p.iter().all(|x| *x > 0.0));
            assert!(p.len() >= 200);
        }
        assert!(builtin("moon").unwrap_err().contains("unknown scenario"));
    }

    #[test]
    fn csv_maps_rows_onto_slots() {
        let p = parse_csv("unix_ts,price\n0,100\n2,90\n4,80\n").unwrap();
        assert_eq!(p.len(), 11);
        assert_eq!(p[0], 100.0);
        assert_eq!(p[5], 90.0);
        assert_eq!(p[10], 80.0);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases = [
            ("", "empty"),
            ("ts,px\n0,1\n", "line 1: expected header"),
            ("unix_ts,price\n0,100\nabc,90\n", "line 3: unix_ts \"abc\""),
            ("unix_ts,price\n0,100\n1,x\n", "line 3: price \"x\""),
            (
                "unix_ts,price\n0,100\n1,-5\n",
                "line 3: price must be positive",
            ),
            (
                "unix_ts,price\n0,100\n0,90\n",
                "line 3: unix_ts 0 does not increase",
            ),
            (
                "unix_ts,price\n0,100\n1,90,7\n",
                "line 3: expected two fields",
            ),
            ("unix_ts,price\n0,100\n", "at least two"),
            ("unix_ts,price\n0,100\n999999999,90\n", "limit"),
        ];
        for (text, want) in cases {
            let e = parse_csv(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
