//! Writing fits in the formats other tools read: CmdStan's CSV and ArviZ's JSON.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::fit::{ChainFit, Fit};
use crate::inference::{MassMatrixKind, TransitionStats};
use crate::site::{Columns, ModelSites, Role, write_json_number};

impl<S: ModelSites> Fit<S> {
    /// The fit as ArviZ's JSON (`arviz.from_json(path)` reads it): the `posterior` group with
    /// every latent and deterministic site as an array of shape (chain, draw, *site shape), and
    /// `sample_stats` with `lp`, `acceptance_rate`, `step_size`, `tree_depth`, `n_steps`,
    /// `diverging` and `energy`.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn m() {
    ///     sample!("mu", Normal::new(0.0, 1.0));
    /// }
    ///
    /// fn main() -> Result<(), Box<dyn std::error::Error>> {
    ///     let fit = Nuts::default().warmup(50).samples(5).chains(2).run(&m())?;
    ///     let json = fit.to_arviz_json();
    ///     assert!(json.starts_with("{\"posterior\":{\"mu\":[["));
    ///     Ok(())
    /// }
    /// ```
    pub fn to_arviz_json(&self) -> String {
        let roles = [Role::Latent, Role::Deterministic];
        let per_chain: Vec<Vec<(&'static str, String)>> = self
            .chains()
            .iter()
            .map(|c| c.draws.json_columns(&roles))
            .collect();
        let mut out = String::from("{\"posterior\":{");
        if let Some(first) = per_chain.first() {
            for (k, (name, _)) in first.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let _ = write!(out, "\"{name}\":[");
                for (c, chain) in per_chain.iter().enumerate() {
                    if c > 0 {
                        out.push(',');
                    }
                    out.push_str(&chain[k].1);
                }
                out.push(']');
            }
        }
        out.push_str("},\"sample_stats\":{");
        let stats: [StatColumn; 7] = [
            ("lp", |s| s.log_density),
            ("acceptance_rate", |s| s.acceptance_probability),
            ("step_size", |s| s.step_size),
            ("tree_depth", |s| s.tree_depth as f64),
            ("n_steps", |s| s.leapfrog_steps as f64),
            ("diverging", |s| f64::from(u8::from(s.divergent))),
            ("energy", |s| s.energy),
        ];
        for (k, (name, get)) in stats.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let _ = write!(out, "\"{name}\":[");
            for (c, chain) in self.chains().iter().enumerate() {
                if c > 0 {
                    out.push(',');
                }
                out.push('[');
                for (i, s) in chain.stats.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if *name == "diverging" {
                        out.push_str(if s.divergent { "true" } else { "false" });
                    } else {
                        write_json_number(get(s), &mut out);
                    }
                }
                out.push(']');
            }
            out.push(']');
        }
        out.push_str("}}");
        out
    }

    /// Writes chain `chain` (an index into [`Fit::chains`]) as a CmdStan CSV file: the sampler
    /// columns `lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__,
    /// energy__`, then every scalar of every latent and deterministic site with CmdStan's names
    /// (`theta.3` for `theta[2]`, indices from 1), and the adaptation comments (step size and
    /// inverse metric) that CmdStan writes.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn m() {
    ///     plate!("p", 2, |i| {
    ///         sample!("theta", Normal::new(0.0, 1.0));
    ///     });
    /// }
    ///
    /// fn main() -> Result<(), Box<dyn std::error::Error>> {
    ///     let fit = Nuts::default().warmup(50).samples(5).chains(1).run(&m())?;
    ///     let mut csv = Vec::new();
    ///     fit.write_cmdstan_csv(0, &mut csv)?;
    ///     let csv = String::from_utf8(csv)?;
    ///     assert!(csv.lines().any(|l| l.starts_with("lp__,accept_stat__,") && l.ends_with(",theta.1,theta.2")));
    ///     Ok(())
    /// }
    /// ```
    pub fn write_cmdstan_csv<W: Write>(&self, chain: usize, mut out: W) -> io::Result<()> {
        let Some(fit) = self.chains().get(chain) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "no chain {chain}: the fit has {} chains",
                    self.chains().len()
                ),
            ));
        };
        write_header(&mut out, S::NAME, fit)?;
        let columns = fit
            .draws
            .scalar_columns(&[Role::Latent, Role::Deterministic]);
        let mut header = String::from(
            "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__",
        );
        for (name, _) in &columns {
            header.push(',');
            header.push_str(&cmdstan_name(name));
        }
        writeln!(out, "{header}")?;
        write_adaptation(&mut out, fit)?;
        for (i, s) in fit.stats.iter().enumerate() {
            let mut row = format!(
                "{:?},{:?},{:?},{},{},{},{:?}",
                s.log_density,
                s.acceptance_probability,
                s.step_size,
                s.tree_depth,
                s.leapfrog_steps,
                u8::from(s.divergent),
                s.energy
            );
            for (_, draws) in &columns {
                let _ = write!(row, ",{:?}", draws[i]);
            }
            writeln!(out, "{row}")?;
        }
        Ok(())
    }
}

/// A sampler statistic's name in ArviZ and how to read it.
type StatColumn = (&'static str, fn(&TransitionStats) -> f64);

fn write_header<S: ModelSites, W: Write>(
    out: &mut W,
    model: &str,
    fit: &ChainFit<S>,
) -> io::Result<()> {
    writeln!(out, "# model = {model}")?;
    writeln!(out, "# method = sample (Default)")?;
    writeln!(out, "#   sample")?;
    writeln!(out, "#     num_samples = {}", fit.stats.len())?;
    writeln!(out, "#     num_warmup = {}", fit.warmup_stats.len())?;
    writeln!(out, "#     algorithm = hmc (Default)")?;
    writeln!(out, "#       hmc")?;
    writeln!(out, "#         engine = nuts (Default)")?;
    let metric = match fit.mass_matrix.kind() {
        MassMatrixKind::Diagonal => "diag_e",
        MassMatrixKind::Dense => "dense_e",
        // Not a CmdStan metric: nutpie's low-rank correction of a diagonal.
        MassMatrixKind::LowRank => "low_rank",
    };
    writeln!(out, "#         metric = {metric}")
}

fn write_adaptation<S: ModelSites, W: Write>(out: &mut W, fit: &ChainFit<S>) -> io::Result<()> {
    writeln!(out, "# Adaptation terminated")?;
    writeln!(out, "# Step size = {:?}", fit.step_size)?;
    match fit.mass_matrix.kind() {
        MassMatrixKind::Diagonal => {
            writeln!(out, "# Diagonal elements of inverse mass matrix:")?;
            let row: Vec<String> = fit
                .mass_matrix
                .inverse_diagonal()
                .iter()
                .map(|x| format!("{x:?}"))
                .collect();
            writeln!(out, "# {}", row.join(", "))
        }
        MassMatrixKind::Dense | MassMatrixKind::LowRank => {
            writeln!(out, "# Elements of inverse mass matrix:")?;
            for r in fit.mass_matrix.inverse() {
                let row: Vec<String> = r.iter().map(|x| format!("{x:?}")).collect();
                writeln!(out, "# {}", row.join(", "))?;
            }
            Ok(())
        }
    }
}

/// `theta[2]` -> `theta.3`, `z[0,1]` -> `z.1.2`: CmdStan's names count from 1.
fn cmdstan_name(name: &str) -> String {
    let Some((base, rest)) = name.split_once('[') else {
        return name.to_string();
    };
    let indices = rest.trim_end_matches(']').split(',');
    let mut out = base.to_string();
    for i in indices {
        let i: usize = i.trim().parse().unwrap_or(0);
        let _ = write!(out, ".{}", i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cmdstan_name;

    #[test]
    fn cmdstan_names_count_from_one() {
        assert_eq!(cmdstan_name("mu"), "mu");
        assert_eq!(cmdstan_name("theta[0]"), "theta.1");
        assert_eq!(cmdstan_name("z[1,2]"), "z.2.3");
    }
}
