//! Exogenous price paths: built-in scenarios and CSV files.
use std::path::Path;

/// Seconds per slot when a CSV path is mapped onto slots.
pub const SLOT_SECS: f64 = 0.4;
/// Longest path the simulator accepts.
pub const MAX_SLOTS: usize = 2_500_000;

pub const SCENARIOS: [&str; 7] = ["wick", "crash", "bleed", "depeg", "storm", "day", "days9"];

/// A price per slot, kept as runs of one price: a path of 1-minute bars
/// costs an entry a minute, not one per 0.4 s slot, so what a long path
/// holds in memory follows its rows (9 days of minutes: 12,960 entries, not
/// 1,944,000 slots).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PricePath {
    /// First slot of each run (strictly increasing, the first 0).
    starts: Vec<usize>,
    prices: Vec<f64>,
    len: usize,
}

impl PricePath {
    /// Appends one slot at `price` (extending the last run when equal).
    pub fn push(&mut self, price: f64) {
        if self.prices.last() != Some(&price) {
            self.starts.push(self.len);
            self.prices.push(price);
        }
        self.len += 1;
    }

    /// Slots in the path.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Runs of one price held.
    pub fn runs(&self) -> usize {
        self.prices.len()
    }

    /// The price of slot `slot`.
    pub fn get(&self, slot: usize) -> Option<f64> {
        if slot >= self.len {
            return None;
        }
        let run = self.starts.partition_point(|&s| s <= slot) - 1;
        Some(self.prices[run])
    }

    pub fn first(&self) -> Option<f64> {
        self.prices.first().copied()
    }

    /// The lowest price of the path (f64::MAX when empty).
    pub fn min(&self) -> f64 {
        self.prices.iter().copied().fold(f64::MAX, f64::min)
    }

    /// (first slot, price) of each run, in order.
    pub fn run_starts(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.starts.iter().copied().zip(self.prices.iter().copied())
    }

    /// Slots from `slot` on (at most `max`) over which the path stays at
    /// the price of slot `slot - 1`.
    pub fn flat_from(&self, slot: usize, max: usize) -> usize {
        let Some(prev) = slot.checked_sub(1) else {
            return 0;
        };
        if slot >= self.len {
            return 0;
        }
        let run = self.starts.partition_point(|&s| s <= prev) - 1;
        let end = self.starts.get(run + 1).copied().unwrap_or(self.len);
        (end - slot).min(max)
    }
}

impl FromIterator<f64> for PricePath {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut p = PricePath::default();
        for price in iter {
            p.push(price);
        }
        p
    }
}

impl From<Vec<f64>> for PricePath {
    fn from(v: Vec<f64>) -> Self {
        v.into_iter().collect()
    }
}

impl From<&[f64]> for PricePath {
    fn from(v: &[f64]) -> Self {
        v.iter().copied().collect()
    }
}

impl From<&PricePath> for PricePath {
    fn from(p: &PricePath) -> Self {
        p.clone()
    }
}

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

/// Slots in a minute of 0.4 s slots.
const SLOTS_PER_MINUTE: usize = 150;

/// A synthetic path of 1-minute prices held for their minute (as a CSV of
/// 1-minute bars maps onto slots): a seeded random walk of `vol` per
/// minute (log returns from the sum of four uniforms, scaled to that
/// deviation), plus `drifts`: (first minute, minutes, total change) each
/// spread evenly over its minutes. Reproducible: the same seed, the same
/// path.
fn minute_walk(
    out: &mut Vec<f64>,
    minutes: usize,
    vol: f64,
    drifts: &[(usize, usize, f64)],
    seed: u64,
) {
    let mut rng = super::Rng(seed.max(1));
    let mut p = *out.last().unwrap_or(&100.0);
    out.clear();
    for m in 0..minutes {
        // four uniforms: mean 2, variance 1/3
        let z = ((0..4).map(|_| rng.next()).sum::<f64>() - 2.0) * 3f64.sqrt();
        let drift: f64 = drifts
            .iter()
            .filter(|(from, len, _)| (*from..from + len).contains(&m))
            .map(|(_, len, change)| (1.0 + change).ln() / *len as f64)
            .sum();
        if m > 0 {
            p *= (drift + vol * z).exp();
        }
        out.extend(std::iter::repeat_n(p, SLOTS_PER_MINUTE));
    }
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
        // calm, then a storm that breaks (the shape of 2025-10-10: hours of
        // selling, then a flash crash): an hour of 1-minute prices at 0.05%
        // a minute, six hours at 0.4% a minute sliding 15%, then a 40%
        // crash over 48 seconds (the `crash` path's speed), held ten minutes
        "storm" => {
            minute_walk(&mut p, 60, 0.0005, &[], 15);
            let mut storm = vec![*p.last().unwrap_or(&100.0)];
            minute_walk(&mut storm, 360, 0.004, &[(0, 360, -0.15)], 16);
            p.extend(storm);
            let broke = *p.last().unwrap_or(&100.0) * 0.6;
            ramp(&mut p, broke, 120);
            hold(&mut p, 1_500);
        }
        // 22 hours of 1-minute prices (1,321 minutes): 0.15% a minute,
        // with a 25% slide over two hours from hour 10 (`sluice bench`'s
        // long path)
        "day" => minute_walk(&mut p, 1_321, 0.0015, &[(600, 120, -0.25)], 22),
        // nine days of 1-minute prices: 0.12% a minute, a 30% slide over
        // six hours on day 5, a 15% recovery over day 7
        "days9" => minute_walk(
            &mut p,
            9 * 1_440,
            0.0012,
            &[(5 * 1_440, 360, -0.30), (6 * 1_440, 1_440, 0.15)],
            9,
        ),
        other => {
            return Err(format!(
                "unknown scenario {other:?}; use one of {}",
                SCENARIOS.join(", ")
            ))
        }
    }
    Ok(p)
}

/// A CSV price path mapped onto slots, and what the mapping had to assume.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvPath {
    /// One USD price per 0.4 s slot.
    pub prices: Vec<f64>,
    /// Gaps longer than [`GAP_WARN_FACTOR`] x the median row spacing (the
    /// price is held across them), one line each.
    pub warnings: Vec<String>,
}

/// A gap between rows longer than this many median spacings is reported.
pub const GAP_WARN_FACTOR: f64 = 5.0;

/// Header names accepted for the time column, and for the price column.
const TIME_COLUMNS: [&str; 7] = [
    "unix_ts",
    "timestamp",
    "time",
    "date",
    "datetime",
    "open_time",
    "ts",
];
const PRICE_COLUMNS: [&str; 2] = ["price", "close"];

/// Reads a price path as people have it: a header naming a time column
/// (`unix_ts`, `timestamp`, `time`, `date`, `datetime`, `open_time`, `ts`) and a
/// price column (`price`, or `close` of an OHLC file; other columns are
/// ignored). Times are unix seconds, unix milliseconds (any value of 10^11 or
/// more) or ISO-8601 (`2022-11-08T14:05:00Z`, an offset, a space for `T`,
/// or a date alone). Each price holds until the next row; the last row holds
/// for as long as the interval before it. Rows map onto slots of 0.4 s. Any
/// bad row is an error naming its line.
pub fn parse_csv(text: &str) -> Result<CsvPath, String> {
    let mut lines = text.lines().enumerate();
    let header = match lines.next() {
        Some((_, h)) => h,
        None => return Err("the file is empty; expected a header such as `unix_ts,price`".into()),
    };
    let names: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let col = |wanted: &[&str]| {
        wanted
            .iter()
            .find_map(|w| names.iter().position(|n| n == w))
    };
    let (Some(tc), Some(pc)) = (col(&TIME_COLUMNS), col(&PRICE_COLUMNS)) else {
        return Err(format!(
            "line 1: expected a header with a time column ({}) and a price column ({}), found {header:?}",
            TIME_COLUMNS.join(", "),
            PRICE_COLUMNS.join(" or ")
        ));
    };
    let mut rows: Vec<(f64, f64, usize)> = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        if fields.len() != names.len() {
            return Err(format!(
                "line {n}: expected {} fields like the header, found {} in {line:?}",
                names.len(),
                fields.len()
            ));
        }
        let ts = parse_time(fields[tc]).map_err(|e| format!("line {n}: {e}"))?;
        let px: f64 = fields[pc]
            .parse()
            .map_err(|_| format!("line {n}: {} {:?} is not a number", names[pc], fields[pc]))?;
        if !(px.is_finite() && px > 0.0) {
            return Err(format!("line {n}: price must be positive, found {px}"));
        }
        if let Some((prev, _, _)) = rows.last() {
            if ts <= *prev {
                return Err(format!("line {n}: time {:?} does not increase", fields[tc]));
            }
        }
        rows.push((ts, px, n));
    }
    if rows.len() < 2 {
        return Err("need at least two price rows".into());
    }
    let mut spacing: Vec<f64> = rows.windows(2).map(|w| w[1].0 - w[0].0).collect();
    let last_interval = spacing[spacing.len() - 1];
    spacing.sort_by(f64::total_cmp);
    let median = spacing[spacing.len() / 2];
    let mut warnings = Vec::new();
    for w in rows.windows(2) {
        let gap = w[1].0 - w[0].0;
        if gap > GAP_WARN_FACTOR * median {
            warnings.push(format!(
                "line {}: {gap:.0} s since the previous row (median spacing {median:.0} s); the price is held across the gap",
                w[1].2
            ));
        }
    }
    let t0 = rows[0].0;
    let span = rows[rows.len() - 1].0 + last_interval - t0;
    let slots = (span / SLOT_SECS).ceil() as usize;
    if slots > MAX_SLOTS {
        return Err(format!(
            "the path spans {slots} slots of 0.4 s; the limit is {MAX_SLOTS}"
        ));
    }
    let mut prices = Vec::with_capacity(slots);
    let mut j = 0;
    for s in 0..slots {
        let t = t0 + s as f64 * SLOT_SECS;
        while j + 1 < rows.len() && rows[j + 1].0 <= t {
            j += 1;
        }
        prices.push(rows[j].1);
    }
    Ok(CsvPath { prices, warnings })
}

/// Unix seconds from unix seconds, unix milliseconds or ISO-8601.
fn parse_time(s: &str) -> Result<f64, String> {
    if let Ok(v) = s.parse::<f64>() {
        if !v.is_finite() || v < 0.0 {
            return Err(format!("time {s:?} is not a unix time"));
        }
        // 10^11 s is the year 5138: such a number is milliseconds
        return Ok(if v >= 1e11 { v / 1000.0 } else { v });
    }
    parse_iso8601(s).ok_or(format!(
        "time {s:?} is neither unix seconds, unix milliseconds nor ISO-8601 (2022-11-08T14:05:00Z)"
    ))
}

/// `YYYY-MM-DD`, then optionally `T` or a space and `HH:MM[:SS[.fff]]`, then
/// optionally `Z` or an offset `+HH:MM` / `-HHMM`.
fn parse_iso8601(s: &str) -> Option<f64> {
    let num = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok())?
    };
    let (date, rest) = s.split_at(s.len().min(10));
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = days_from_civil(y, m, day) as f64 * 86_400.0;
    let rest = rest.strip_prefix(['T', ' ']).unwrap_or(rest);
    if rest.is_empty() {
        return Some(secs);
    }
    let (clock, offset) = match rest.find(['Z', '+', '-']) {
        Some(k) => rest.split_at(k),
        None => (rest, ""),
    };
    let mut c = clock.split(':');
    let (h, mi) = (num(c.next()?)?, num(c.next()?)?);
    let sec: f64 = match c.next() {
        Some(x) => x.parse().ok().filter(|v: &f64| (0.0..61.0).contains(v))?,
        None => 0.0,
    };
    if c.next().is_some() || h > 23 || mi > 59 {
        return None;
    }
    secs += (h * 3_600 + mi * 60) as f64 + sec;
    match offset {
        "" | "Z" => {}
        o => {
            let sign = if o.starts_with('-') { -1.0 } else { 1.0 };
            let digits: String = o[1..].chars().filter(|ch| *ch != ':').collect();
            if digits.len() != 4 {
                return None;
            }
            let (oh, om) = (num(&digits[..2])?, num(&digits[2..])?);
            secs -= sign * (oh * 3_600 + om * 60) as f64;
        }
    }
    Some(secs)
}

/// Days from 1970-01-01 to the civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn read_csv(path: &Path) -> Result<CsvPath, String> {
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

    /// The long built-ins are minute bars held for 150 slots each, the
    /// same on every call, and carry their slide: the day's hour 12 stands
    /// well under its hour 10.
    #[test]
    fn a_price_path_keeps_runs_and_answers_per_slot() {
        let slots = vec![1.0, 1.0, 2.0, 2.0, 2.0, 1.0, 3.0];
        let p = PricePath::from(slots.clone());
        assert_eq!((p.len(), p.runs()), (7, 4));
        for (i, &want) in slots.iter().enumerate() {
            assert_eq!(p.get(i), Some(want));
        }
        assert_eq!(p.get(7), None);
        assert_eq!((p.first(), p.min()), (Some(1.0), 1.0));
        // from slot 3, slot 2's price (2.0) holds for slots 3 and 4
        assert_eq!(p.flat_from(3, 25), 2);
        assert_eq!(p.flat_from(3, 1), 1);
        assert_eq!(p.flat_from(5, 25), 0);
        assert_eq!(p.flat_from(0, 25), 0);
        let day = PricePath::from(builtin("day").unwrap());
        assert_eq!(day.runs() * 150, day.len());
    }

    #[test]
    fn minute_paths_hold_each_minute_and_replay() {
        let day = builtin("day").unwrap();
        assert_eq!(day.len(), 1_321 * SLOTS_PER_MINUTE);
        assert!(day
            .chunks(SLOTS_PER_MINUTE)
            .all(|m| m.iter().all(|x| *x == m[0])));
        assert_eq!(day, builtin("day").unwrap());
        let at = |minute: usize| day[minute * SLOTS_PER_MINUTE];
        assert!(at(720) < 0.85 * at(600), "{} vs {}", at(720), at(600));
        assert_eq!(
            builtin("days9").unwrap().len(),
            9 * 1_440 * SLOTS_PER_MINUTE
        );
    }

    #[test]
    fn csv_maps_rows_onto_slots_and_holds_the_last_row_for_its_interval() {
        let p = parse_csv("unix_ts,price\n0,100\n2,90\n4,80\n").unwrap();
        // 0-2 s: 100, 2-4 s: 90, 4-6 s: 80 (the last row lasts as long as the one before)
        assert_eq!(p.prices.len(), 15);
        assert_eq!(p.prices[0], 100.0);
        assert_eq!(p.prices[5], 90.0);
        assert_eq!(p.prices[10], 80.0);
        assert_eq!(p.prices[14], 80.0);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn csv_reads_milliseconds_iso_8601_and_ohlc_close() {
        let secs = parse_csv("unix_ts,price\n1668000000,20\n1668000060,18\n").unwrap();
        let millis = parse_csv("timestamp,price\n1668000000000,20\n1668000060000,18\n").unwrap();
        let iso = parse_csv("time,price\n2022-11-09T13:20:00Z,20\n2022-11-09 14:21:00+01:00,18\n")
            .unwrap();
        let ohlc = parse_csv(
            "open_time,open,high,low,close,volume\n\
             1668000000,21,22,19,20,1000\n\
             1668000060,20,20,17,18,900\n",
        )
        .unwrap();
        assert_eq!(secs.prices.len(), 300);
        assert_eq!(millis, secs);
        assert_eq!(iso, secs);
        assert_eq!(ohlc, secs);
        assert_eq!(parse_time("1970-01-01").unwrap(), 0.0);
        assert_eq!(
            parse_time("2000-03-01T00:00:00-0500").unwrap(),
            951_886_800.0
        );
    }

    #[test]
    fn csv_reports_gaps_and_holds_the_price_across_them() {
        let p = parse_csv("unix_ts,price\n0,100\n60,99\n120,98\n3720,50\n3780,51\n").unwrap();
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert!(
            p.warnings[0].starts_with("line 5: 3600 s"),
            "{:?}",
            p.warnings
        );
        // the hour of the gap is held at $98
        assert_eq!(p.prices[(1800.0 / SLOT_SECS) as usize], 98.0);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases = [
            ("", "empty"),
            ("ts_x,px\n0,1\n", "line 1: expected a header"),
            ("unix_ts,price\n0,100\nabc,90\n", "line 3: time \"abc\""),
            ("unix_ts,price\n0,100\n1,x\n", "line 3: price \"x\""),
            (
                "unix_ts,price\n0,100\n1,-5\n",
                "line 3: price must be positive",
            ),
            (
                "unix_ts,price\n0,100\n0,90\n",
                "line 3: time \"0\" does not increase",
            ),
            (
                "unix_ts,price\n0,100\n1,90,7\n",
                "line 3: expected 2 fields",
            ),
            (
                "time,price\n2022-13-01,100\n",
                "line 2: time \"2022-13-01\"",
            ),
            ("unix_ts,price\n0,100\n", "at least two"),
            ("unix_ts,price\n0,100\n99999999,90\n", "limit"),
        ];
        for (text, want) in cases {
            let e = parse_csv(text).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
