//! A chain as CmdStan's CSV file: the sampler columns, every scalar of every latent and
//! deterministic site with CmdStan's names, and the adaptation comments CmdStan writes.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::inference::{MassMatrix, MassMatrixKind, TransitionStats};
use crate::results::fit::Fit;
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
        let config = CsvConfig {
            model: S::NAME,
            chain: fit.chain,
            num_samples: fit.sampler.stats.len(),
            num_warmup: fit.sampler.warmup_stats.len(),
            metric: fit.sampler.mass_matrix.kind(),
            max_tree_depth: fit.max_tree_depth,
        };
        let columns = fit
            .draws
            .scalar_columns(&[Role::Latent, Role::Deterministic], NameStyle::CmdStan);
        config.write_header(&mut out, columns.iter().map(|(name, _)| name.as_str()))?;
        write_adaptation(&mut out, fit.sampler.step_size, &fit.sampler.mass_matrix)?;
        let mut row = String::new();
        for (i, s) in fit.sampler.stats.iter().enumerate() {
            write_row(&mut row, s, columns.iter().map(|(_, draws)| draws[i]));
            out.write_all(row.as_bytes())?;
        }
        write_footer(&mut out, fit.sampler.warmup_time, fit.sampler.sampling_time)
    }
}

/// What CmdStan's header says of a chain's run.
#[derive(Debug, Clone)]
pub(crate) struct CsvConfig {
    pub model: &'static str,
    /// The chain's index from 0 (CmdStan's `id` counts from 1).
    pub chain: usize,
    pub num_samples: usize,
    pub num_warmup: usize,
    pub metric: MassMatrixKind,
    pub max_tree_depth: Option<usize>,
}

/// A chain's CmdStan CSV file written as the chain runs, a line per draw, each line written
/// whole with one `write` call the moment the draw is made: a process killed mid-run leaves a
/// file that holds every draw made before the one in flight (whose line may be cut short,
/// and which readers drop as CmdStan's do). The adaptation comments and the column header
/// come before the first draw (the names need one draw to know the sizes of vector sites);
/// the timing footer comes when the chain ends.
#[derive(Debug)]
pub(crate) struct CsvStream {
    path: PathBuf,
    file: File,
    config: CsvConfig,
    adapted: Option<(f64, MassMatrix)>,
    names_written: bool,
    line: String,
}

impl CsvStream {
    /// Creates (or truncates) `path`, creating its directory if needed.
    pub fn create(path: PathBuf, config: CsvConfig) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = File::create(&path)?;
        Ok(CsvStream {
            path,
            file,
            config,
            adapted: None,
            names_written: false,
            line: String::new(),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Warmup is over: the adaptation comments are written with the column header.
    pub fn adapted(&mut self, step_size: f64, mass_matrix: &MassMatrix) {
        self.adapted = Some((step_size, mass_matrix.clone()));
    }

    /// Writes one draw: `draw` holds exactly one draw of the chain's sites.
    pub fn draw<D: Columns>(&mut self, stats: &TransitionStats, draw: &D) -> io::Result<()> {
        let columns = draw.scalar_columns(&[Role::Latent, Role::Deterministic], NameStyle::CmdStan);
        if !self.names_written {
            let mut head = Vec::new();
            self.config
                .write_header(&mut head, columns.iter().map(|(name, _)| name.as_str()))?;
            if let Some((step_size, mass_matrix)) = &self.adapted {
                write_adaptation(&mut head, *step_size, mass_matrix)?;
            }
            self.file.write_all(&head)?;
            self.names_written = true;
        }
        write_row(&mut self.line, stats, columns.iter().map(|(_, d)| d[0]));
        self.file.write_all(self.line.as_bytes())
    }

    /// The chain ended: the timing footer.
    pub fn finish(mut self, warmup: Duration, sampling: Duration) -> io::Result<()> {
        if !self.names_written {
            self.config
                .write_header(&mut self.file, std::iter::empty())?;
        }
        write_footer(&mut self.file, warmup, sampling)?;
        self.file.sync_data()
    }
}

/// One draw's line: the sampler columns then the site scalars, into `line` (cleared first).
fn write_row(line: &mut String, s: &TransitionStats, values: impl Iterator<Item = f64>) {
    line.clear();
    let _ = write!(
        line,
        "{:?},{:?},{:?},{},{},{},{:?}",
        s.log_density,
        s.acceptance_probability,
        s.step_size,
        s.tree_depth,
        s.leapfrog_steps,
        u8::from(s.divergent),
        s.energy
    );
    for value in values {
        let _ = write!(line, ",{value:?}");
    }
    line.push('\n');
}

/// CmdStan's closing comment: the wall times of warmup and sampling, which `cmdstanpy` reads.
fn write_footer<W: Write>(out: &mut W, warmup: Duration, sampling: Duration) -> io::Result<()> {
    let (warmup, sampling) = (warmup.as_secs_f64(), sampling.as_secs_f64());
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

impl CsvConfig {
    /// The configuration comments CmdStan writes, then the column names.
    fn write_header<'a, W: Write>(
        &self,
        out: &mut W,
        names: impl Iterator<Item = &'a str>,
    ) -> io::Result<()> {
        // Readers of CmdStan's CSV (cmdstanpy) require the Stan version keys; they describe
        // the file format this follows (CmdStan 2.36's), not a Stan run, as the next line
        // says.
        writeln!(out, "# stan_version_major = 2")?;
        writeln!(out, "# stan_version_minor = 36")?;
        writeln!(out, "# stan_version_patch = 0")?;
        writeln!(
            out,
            "# written by model-runtime {} in CmdStan 2.36's format",
            env!("CARGO_PKG_VERSION")
        )?;
        writeln!(out, "# model = {}", self.model)?;
        writeln!(out, "# method = sample (Default)")?;
        writeln!(out, "#   sample")?;
        writeln!(out, "#     num_samples = {}", self.num_samples)?;
        writeln!(out, "#     num_warmup = {}", self.num_warmup)?;
        writeln!(out, "#     algorithm = hmc (Default)")?;
        writeln!(out, "#       hmc")?;
        writeln!(out, "#         engine = nuts (Default)")?;
        let metric = match self.metric {
            MassMatrixKind::Diagonal => "diag_e",
            MassMatrixKind::Dense => "dense_e",
            // Not a CmdStan metric: nutpie's low-rank correction of a diagonal.
            MassMatrixKind::LowRank => "low_rank",
        };
        writeln!(out, "#         metric = {metric}")?;
        if let Some(depth) = self.max_tree_depth {
            writeln!(out, "#           max_depth = {depth}")?;
        }
        writeln!(out, "#     save_warmup = 0")?;
        writeln!(out, "# id = {}", self.chain + 1)?;
        let mut header = String::from(
            "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__",
        );
        for name in names {
            header.push(',');
            header.push_str(name);
        }
        writeln!(out, "{header}")
    }
}

fn write_adaptation<W: Write>(
    out: &mut W,
    step_size: f64,
    mass_matrix: &MassMatrix,
) -> io::Result<()> {
    writeln!(out, "# Adaptation terminated")?;
    writeln!(out, "# Step size = {step_size:?}")?;
    match mass_matrix.kind() {
        MassMatrixKind::Diagonal => {
            writeln!(out, "# Diagonal elements of inverse mass matrix:")?;
            let row: Vec<String> = mass_matrix
                .inverse_diagonal()
                .iter()
                .map(|x| format!("{x:?}"))
                .collect();
            writeln!(out, "# {}", row.join(", "))
        }
        MassMatrixKind::Dense | MassMatrixKind::LowRank => {
            writeln!(out, "# Elements of inverse mass matrix:")?;
            for r in mass_matrix.inverse() {
                let row: Vec<String> = r.iter().map(|x| format!("{x:?}")).collect();
                writeln!(out, "# {}", row.join(", "))?;
            }
            Ok(())
        }
    }
}
