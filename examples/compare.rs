//! Our side of the comparison with NumPyro and nutpie (`benches/compare/`): one model, one run,
//! one JSON line on standard output. `benches/compare/run.py` drives it; see
//! `benches/compare/README.md` for what is measured and how.
//!
//! ```sh
//! cargo run --release --example compare -- --model logistic --chains 4 --warmup 1000 --samples 1000 --seed 1
//! ```
//!
//! Flags: `--model NAME` (required; see [`MODELS`]), `--chains`, `--warmup`, `--samples`,
//! `--seed` (defaults 4, 1000, 1000, 1), `--t0 SECONDS` (the Unix time at which the driver
//! started this process; time to first draw is measured from it, else from the start of `main`),
//! `--grad-seconds S` (time spent on the gradient micro-benchmark, default 0.3; 0 skips it),
//! `--draws FILE` (also write the draws as ArviZ JSON, for cross-checking the ESS),
//! `--threads N` (threads the chains run on, default 1: how chains scale across cores) and
//! `--adaptation windowed|gradient` (Stan's windowed schedule, the default, or nutpie's
//! gradient-based diagonal metric, [`Adaptation::GradientBased`](model_runtime::inference::Adaptation)).
//!
//! By default chains run one after another on one thread, as every system in the comparison
//! does, so the times are those of one core.

use std::error::Error;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use model_runtime::autodiff::Var;
use model_runtime::inference::{Adaptation, GradientTarget};
use model_runtime::prelude::*;
use model_runtime::results::model_target::ModelTarget;
use model_runtime::site::{AllFittable, ModelSites};
use model_suite::posteriordb::{
    diamonds, flat_regression, kidscore_momiq, kidscore_momiq_vectorized, low_dim_gauss_mix,
};
use model_suite::{f64_array, flag, matrix_rows, read_json};
use serde_json::{Value, json};

/// The models of the comparison: the three anchors, then posteriordb models with more than 100
/// rows of data.
const MODELS: &[&str] = &[
    "logistic",
    "hier",
    "eight_schools",
    "kidscore_momiq",
    "kidscore_momiq_plate",
    "log10earn_height",
    "nes",
    "low_dim_gauss_mix",
    "diamonds",
];

/// Logistic regression (anchor): `y ~ Bernoulli(logits = X beta + alpha)`.
#[model]
fn logistic(x: &Matrix, y: &[bool]) {
    let alpha = sample!("alpha", Normal::new(0.0, 5.0));
    let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
    sample!(
        "y",
        batch::Bernoulli::from_logits(x.matvec(&beta) + alpha),
        obs = y
    );
}

/// Hierarchical linear regression with varying intercepts, non-centered (anchor):
/// `a = mu_a + sigma_a * a_raw`, `y ~ Normal(a[group] + b x, sigma_y)`, written as a NumPyro
/// user writes it: one vectorized likelihood over a lazy mean.
#[model]
fn hier(x: &[f64], group: &[usize], groups: usize, y: &[f64]) {
    let mu_a = sample!("mu_a", Normal::new(0.0, 10.0));
    let sigma_a = sample!("sigma_a", HalfNormal::new(5.0));
    let a_raw = sample!("a_raw", batch::Normal::new(0.0, 1.0).iid(groups));
    let b = sample!("b", Normal::new(0.0, 10.0));
    let sigma_y = sample!("sigma_y", HalfNormal::new(5.0));
    // `a = mu_a + sigma_a * a_raw; a[group]`, as NumPyro's side writes it: once per group.
    let a = (mu_a + sigma_a * vector(&a_raw)).gather(group);
    sample!("y", batch::Normal::new(a + b * vector(x), sigma_y), obs = y);
}

/// Eight schools, non-centered (anchor): `theta = mu + tau * theta_trans`, written as NumPyro's
/// side writes it: the likelihood over the lazy `mu + tau * theta_trans`.
#[model]
fn eight_schools(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    let theta_trans = sample!("theta_trans", batch::Normal::new(0.0, 1.0).iid(y.len()));
    sample!(
        "y",
        batch::Normal::new(mu + tau * vector(&theta_trans), sigma),
        obs = y
    );
}

struct Settings {
    chains: usize,
    warmup: usize,
    samples: usize,
    seed: u64,
    /// When the process started: the driver's Unix time, or the start of `main`.
    started: Result<f64, Instant>,
    grad_seconds: f64,
    draws_file: Option<String>,
    /// Threads the chains run on (default 1, as every system of the comparison).
    threads: usize,
    adaptation: Adaptation,
}

impl Settings {
    fn since_start(&self) -> f64 {
        match self.started {
            Ok(t0) => unix_now() - t0,
            Err(start) => start.elapsed().as_secs_f64(),
        }
    }

    fn nuts(&self) -> Nuts {
        Nuts::default()
            .warmup(self.warmup)
            .samples(self.samples)
            .chains(self.chains)
            .threads(self.threads)
            .seed(self.seed)
            .adaptation(self.adaptation)
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn main() -> Result<(), Box<dyn Error>> {
    let main_start = Instant::now();
    let number = |name: &str, default: f64| -> Result<f64, Box<dyn Error>> {
        flag(name).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| format!("{name} needs a number, got `{v}`").into())
        })
    };
    let settings = Settings {
        chains: number("--chains", 4.0)? as usize,
        warmup: number("--warmup", 1000.0)? as usize,
        samples: number("--samples", 1000.0)? as usize,
        seed: number("--seed", 1.0)? as u64,
        started: flag("--t0")
            .map(|v| v.parse::<f64>())
            .transpose()?
            .ok_or(main_start),
        grad_seconds: number("--grad-seconds", 0.3)?,
        threads: number("--threads", 1.0)? as usize,
        draws_file: flag("--draws"),
        adaptation: match flag("--adaptation").as_deref() {
            None | Some("windowed") => Adaptation::Windowed,
            Some("gradient") => Adaptation::GradientBased,
            Some(other) => {
                return Err(format!("--adaptation is windowed or gradient, not `{other}`").into());
            }
        },
    };
    let name = flag("--model")
        .ok_or_else(|| format!("give --model NAME; the models are: {}", MODELS.join(", ")))?;
    let data_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let pdb = |file: &str| read_json(format!("{data_dir}/posteriordb/{file}"));
    let s = &settings;

    let result = match name.as_str() {
        "logistic" => {
            let data = read_json(format!("{data_dir}/anchors/logistic.json"))?;
            let x = Matrix::from_rows(&matrix_rows(&data, "X")?)?;
            let y: Vec<bool> = f64_array(&data, "y")?.iter().map(|&v| v == 1.0).collect();
            measure(&logistic(&x, &y), s)?
        }
        "hier" => {
            let data = read_json(format!("{data_dir}/anchors/hier.json"))?;
            let group: Vec<usize> = f64_array(&data, "group")?
                .iter()
                .map(|&g| g as usize)
                .collect();
            let groups = model_suite::scalar_field(&data, "J")? as usize;
            let (x, y) = (f64_array(&data, "x")?, f64_array(&data, "y")?);
            measure(&hier(&x, &group, groups, &y), s)?
        }
        "eight_schools" => {
            let data = pdb("eight_schools-eight_schools_noncentered.data.json")?;
            let (y, sigma) = (f64_array(&data, "y")?, f64_array(&data, "sigma")?);
            measure(&eight_schools(&y, &sigma), s)?
        }
        "kidscore_momiq" | "kidscore_momiq_plate" => {
            let data = pdb("kidiq-kidscore_momiq.data.json")?;
            let (score, iq) = (f64_array(&data, "kid_score")?, f64_array(&data, "mom_iq")?);
            if name == "kidscore_momiq" {
                measure(&kidscore_momiq_vectorized(&score, &iq), s)?
            } else {
                measure(&kidscore_momiq(&score, &iq), s)?
            }
        }
        "log10earn_height" => {
            let data = pdb("earnings-log10earn_height.data.json")?;
            let rows: Vec<Vec<f64>> = f64_array(&data, "height")?
                .iter()
                .map(|&h| vec![1.0, h])
                .collect();
            let y: Vec<f64> = f64_array(&data, "earn")?
                .iter()
                .map(|e| e.log10())
                .collect();
            measure(&flat_regression(&Matrix::from_rows(&rows)?, &y), s)?
        }
        "nes" => {
            let data = pdb("nes1976-nes.data.json")?;
            let get = |k: &str| f64_array(&data, k);
            let (ideo, race, age) = (get("real_ideo")?, get("race_adj")?, get("age_discrete")?);
            let (educ, gender, income) = (get("educ1")?, get("gender")?, get("income")?);
            let is = |i: usize, level: f64| f64::from(u8::from(age[i] == level));
            let rows: Vec<Vec<f64>> = (0..ideo.len())
                .map(|i| {
                    vec![
                        1.0,
                        ideo[i],
                        race[i],
                        is(i, 2.0),
                        is(i, 3.0),
                        is(i, 4.0),
                        educ[i],
                        gender[i],
                        income[i],
                    ]
                })
                .collect();
            let x = Matrix::from_rows(&rows)?;
            measure(&flat_regression(&x, &get("partyid7")?), s)?
        }
        "low_dim_gauss_mix" => {
            let data = pdb("low_dim_gauss_mix-low_dim_gauss_mix.data.json")?;
            measure(&low_dim_gauss_mix(&f64_array(&data, "y")?), s)?
        }
        "diamonds" => {
            // Drop the intercept column and centre the others, as brms's generated code does.
            let data = pdb("diamonds-diamonds.data.json")?;
            let rows = matrix_rows(&data, "X")?;
            let k = rows.first().map_or(0, Vec::len);
            let n = rows.len() as f64;
            let means: Vec<f64> = (1..k)
                .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n)
                .collect();
            let centred: Vec<Vec<f64>> = rows
                .iter()
                .map(|r| (1..k).map(|j| r[j] - means[j - 1]).collect())
                .collect();
            let y = f64_array(&data, "Y")?;
            measure(&diamonds(&Matrix::from_rows(&centred)?, &y), s)?
        }
        other => {
            return Err(format!(
                "unknown model `{other}`; the models are: {}",
                MODELS.join(", ")
            )
            .into());
        }
    };
    let mut result = result;
    result["system"] = json!("ours");
    result["model"] = json!(name);
    println!("{result}");
    Ok(())
}

/// Time to first draw, the fit, and the gradient micro-benchmark of one model.
fn measure<M>(model: &M, s: &Settings) -> Result<Value, Box<dyn Error>>
where
    M: Body<f64> + Body<Var> + Sync,
    <M::Sites as ModelSites>::LatentSites: AllFittable,
{
    // Time to first draw: from process start until a one-chain fit with one warmup iteration
    // has produced its one draw (what a user waits for before seeing anything from a model; one
    // warmup iteration because nutpie cannot do with none).
    Nuts::default()
        .warmup(1)
        .samples(1)
        .chains(1)
        .threads(1)
        .seed(s.seed)
        .run(model)?;
    let first_draw = s.since_start();

    let fit = s.nuts().run(model)?;
    if let Some((chain, error)) = fit.failures().first() {
        return Err(format!("chain {chain} failed: {error}").into());
    }
    let summary = fit.summary()?;
    let (min_name, min_ess) = summary
        .rows()
        .iter()
        .map(|r| (r.name().to_string(), r.ess_bulk()))
        .fold((String::new(), f64::INFINITY), |best, row| {
            if row.1 < best.1 { row } else { best }
        });
    let max_r_hat = summary.rows().iter().map(|r| r.r_hat()).fold(0.0, f64::max);
    let steps = |stats: &[model_runtime::inference::TransitionStats]| -> usize {
        stats.iter().map(|t| t.leapfrog_steps).sum()
    };
    let chains = fit.chains();
    let total = |f: fn(&model_runtime::results::fit::ChainFit<M::Sites>) -> Duration| -> f64 {
        chains.iter().map(f).sum::<Duration>().as_secs_f64()
    };
    if let Some(file) = &s.draws_file {
        std::fs::write(file, fit.to_arviz_json())?;
    }

    let mut target = ModelTarget::new(model)?;
    let point = vec![0.1; target.dim()];
    let mut gradient = vec![0.0; target.dim()];
    let log_density = target.log_density_and_gradient(&point, &mut gradient)?;
    let gradient_norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
    // Sorted, so that systems that order their coordinates differently can be compared.
    let mut gradient_sorted = gradient.clone();
    gradient_sorted.sort_by(f64::total_cmp);
    let us_per_grad = if s.grad_seconds > 0.0 {
        json!(seconds_per_gradient(&mut target, &point, s.grad_seconds)? * 1e6)
    } else {
        Value::Null
    };

    Ok(json!({
        "chains": s.chains,
        "warmup": s.warmup,
        "samples": s.samples,
        "seed": s.seed,
        "dim": target.dim(),
        "first_draw_s": first_draw,
        "warmup_s": total(|c| c.sampler.warmup_time),
        "sampling_s": total(|c| c.sampler.sampling_time),
        "min_ess_bulk": min_ess,
        "min_ess_name": min_name,
        "max_r_hat": max_r_hat,
        "scalars": summary.rows().len(),
        "grads_warmup": chains.iter().map(|c| steps(&c.sampler.warmup_stats)).sum::<usize>(),
        "grads_sampling": chains.iter().map(|c| steps(&c.sampler.stats)).sum::<usize>(),
        "divergences": fit.divergences(),
        "us_per_grad": us_per_grad,
        "log_density_at_point": log_density,
        "gradient_norm_at_point": gradient_norm,
        "gradient_sorted_at_point": gradient_sorted,
    }))
}

/// Median time of one log density and gradient at `point`, over five batches each about a
/// fifth of `budget` seconds long.
fn seconds_per_gradient<T: GradientTarget>(
    target: &mut T,
    point: &[f64],
    budget: f64,
) -> Result<f64, Box<dyn Error>> {
    let mut gradient = vec![0.0; point.len()];
    let mut batch = 1usize;
    let per_batch = budget / 5.0;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            std::hint::black_box(target.log_density_and_gradient(point, &mut gradient)?);
        }
        let elapsed = start.elapsed().as_secs_f64();
        if elapsed >= per_batch / 4.0 || batch >= 1 << 30 {
            let scale = (per_batch / elapsed.max(1e-9)).clamp(1.0, 1e6);
            batch = ((batch as f64) * scale).ceil() as usize;
            break;
        }
        batch *= 4;
    }
    let mut times = Vec::with_capacity(5);
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..batch {
            std::hint::black_box(target.log_density_and_gradient(point, &mut gradient)?);
        }
        times.push(start.elapsed().as_secs_f64() / batch as f64);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[2])
}
