//! Helpers shared by the examples and integration tests: reading data files, command-line flags
//! and small summaries of draws.

use std::error::Error;
use std::path::Path;

pub mod counting_allocator;
pub mod posteriordb;

/// Eight schools (Rubin 1981), the test model the tests and benches share: the centered form
/// of posteriordb's `eight_schools` (`theta ~ Normal(mu, tau)`); `.reparam(|r|
/// r.theta(LocScaleReparam::default()))` gives the non-centered one.
pub use posteriordb::eight_schools_centered as eight_schools;

/// The eight schools' estimated treatment effects.
pub const EIGHT_SCHOOLS_Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
/// The standard errors of [`EIGHT_SCHOOLS_Y`].
pub const EIGHT_SCHOOLS_SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

/// Reads a JSON file into a value.
pub fn read_json(path: impl AsRef<Path>) -> Result<serde_json::Value, Box<dyn Error>> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read data file {}: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?)
}

/// The array of numbers stored under `key`.
pub fn f64_array(data: &serde_json::Value, key: &str) -> Result<Vec<f64>, Box<dyn Error>> {
    let array = data
        .get(key)
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("data has no array `{key}`"))?;
    array
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_f64()
                .ok_or_else(|| format!("`{key}[{i}]` is not a number: {v}").into())
        })
        .collect()
}

/// The number stored under `key`.
pub fn scalar_field(data: &serde_json::Value, key: &str) -> Result<f64, Box<dyn Error>> {
    data.get(key)
        .and_then(|v| v.as_f64())
        .ok_or_else(|| format!("data has no number `{key}`").into())
}

/// The matrix stored under `key` as a list of rows.
pub fn matrix_rows(data: &serde_json::Value, key: &str) -> Result<Vec<Vec<f64>>, Box<dyn Error>> {
    let rows = data
        .get(key)
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("data has no matrix `{key}`"))?;
    rows.iter()
        .enumerate()
        .map(|(r, row)| {
            let row = row
                .as_array()
                .ok_or_else(|| format!("`{key}` row {r} is not a list"))?;
            row.iter()
                .enumerate()
                .map(|(c, v)| {
                    v.as_f64()
                        .ok_or_else(|| format!("`{key}[{r}][{c}]` is not a number: {v}").into())
                })
                .collect()
        })
        .collect()
}

/// The value of `--flag VALUE` on the command line, if given.
pub fn flag(name: &str) -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == name {
            return args.next();
        }
        if let Some(v) = a.strip_prefix(&format!("{name}=")) {
            return Some(v.to_string());
        }
    }
    None
}

/// Circular mean and mean resultant length of angles.
pub fn circular_mean_and_resultant(angles: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut c, mut s, mut n) = (0.0, 0.0, 0.0);
    for a in angles {
        c += a.cos();
        s += a.sin();
        n += 1.0;
    }
    (s.atan2(c), (c * c + s * s).sqrt() / n)
}

/// Mean, standard deviation and the 5%, 50% and 95% quantiles of draws.
pub fn describe(draws: &[f64]) -> [f64; 5] {
    let n = draws.len() as f64;
    let mean = draws.iter().sum::<f64>() / n;
    let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let mut sorted = draws.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (sorted.len() - 1) as f64;
        let (lo, frac) = (pos.floor() as usize, pos.fract());
        sorted[lo] + frac * (sorted[(lo + 1).min(sorted.len() - 1)] - sorted[lo])
    };
    [mean, var.sqrt(), q(0.05), q(0.5), q(0.95)]
}

/// Prints a table row per named column of draws.
pub fn print_table(rows: &[(&str, &[f64])]) {
    println!(
        "{:>10} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "", "mean", "sd", "5%", "median", "95%"
    );
    for (name, draws) in rows {
        let [mean, sd, q5, q50, q95] = describe(draws);
        println!("{name:>10} {mean:>9.3} {sd:>9.3} {q5:>9.3} {q50:>9.3} {q95:>9.3}");
    }
}

/// The README's code, compiled and run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
