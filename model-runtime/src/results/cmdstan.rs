//! A chain as CmdStan's CSV file: the sampler columns, every scalar of every latent and
//! deterministic site with CmdStan's names, and the adaptation comments CmdStan writes.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::inference::MassMatrixKind;
use crate::results::fit::{ChainFit, Fit};
use crate::site::{Columns, ModelSites, NameStyle, Role};

impl<S: ModelSites> Fit<S> {
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
        write_header(&mut out, S::NAME, chain, fit)?;
        let columns = fit
            .draws
            .scalar_columns(&[Role::Latent, Role::Deterministic], NameStyle::CmdStan);
        let mut header = String::from(
            "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__",
        );
        for (name, _) in &columns {
            header.push(',');
            header.push_str(name);
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
        write_footer(&mut out, fit)
    }
}

/// CmdStan's closing comment: the wall times of warmup and sampling, which `cmdstanpy` reads.
fn write_footer<S: ModelSites, W: Write>(out: &mut W, fit: &ChainFit<S>) -> io::Result<()> {
    let (warmup, sampling) = (
        fit.warmup_time.as_secs_f64(),
        fit.sampling_time.as_secs_f64(),
    );
    writeln!(out, "# ")?;
    writeln!(out, "#  Elapsed Time: {warmup:.6} seconds (Warm-up)")?;
    writeln!(out, "#                {sampling:.6} seconds (Sampling)")?;
    writeln!(
        out,
        "#                {:.6} seconds (Total)",
        warmup + sampling
    )?;
    writeln!(out, "# ")
}

fn write_header<S: ModelSites, W: Write>(
    out: &mut W,
    model: &str,
    chain: usize,
    fit: &ChainFit<S>,
) -> io::Result<()> {
    // Readers of CmdStan's CSV (cmdstanpy) require the Stan version keys; they describe the
    // file format this follows (CmdStan 2.36's), not a Stan run, as the next line says.
    writeln!(out, "# stan_version_major = 2")?;
    writeln!(out, "# stan_version_minor = 36")?;
    writeln!(out, "# stan_version_patch = 0")?;
    writeln!(
        out,
        "# written by model-runtime {} in CmdStan 2.36's format",
        env!("CARGO_PKG_VERSION")
    )?;
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
    writeln!(out, "#         metric = {metric}")?;
    if let Some(depth) = fit.max_tree_depth {
        writeln!(out, "#           max_depth = {depth}")?;
    }
    writeln!(out, "#     save_warmup = 0")?;
    writeln!(out, "# id = {}", chain + 1)
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
