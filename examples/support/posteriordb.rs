//! The posteriordb models, written as a user would write them, with the same priors,
//! constraints and parameter names as `data/posteriordb/MODELS.md` describes (0-based indices).
//!
//! [`fit`] reads a model's data file, fits it with the given sampler settings and returns a
//! [`Report`] with the summary and the convergence figures.
//!
//! Its length (about 1,190 lines) is the 22 posteriordb models, each written once as a user would
//! write it, with the fitting and reporting code they share.

use std::error::Error;
use std::time::Duration;

use model_runtime::autodiff::Var;
use model_runtime::diagnostics::Summary;
use model_runtime::hmm::hmm_marginal;
use model_runtime::inference::{Adaptation, MassMatrixKind};
use model_runtime::linalg::{Matrix, cholesky, dot};
use model_runtime::ode::{self, OdeSystem, Tolerances};
use model_runtime::prelude::*;
use model_runtime::site::ModelSites;
use model_runtime::{Fit, FitError};

use crate::{f64_array, matrix_rows, scalar_field};

/// The models this module has, by posteriordb name, with their data file.
pub const MODELS: &[(&str, &str)] = &[
    (
        "eight_schools_noncentered",
        "eight_schools-eight_schools_noncentered.data.json",
    ),
    (
        "eight_schools_centered",
        "eight_schools-eight_schools_centered.data.json",
    ),
    ("kidscore_momiq", "kidiq-kidscore_momiq.data.json"),
    (
        "kidscore_interaction",
        "kidiq-kidscore_interaction.data.json",
    ),
    ("log10earn_height", "earnings-log10earn_height.data.json"),
    ("logmesquite", "mesquite-logmesquite.data.json"),
    ("nes", "nes1976-nes.data.json"),
    ("arK", "arK-arK.data.json"),
    ("arma11", "arma-arma11.data.json"),
    ("garch11", "garch-garch11.data.json"),
    ("blr", "sblrc-blr.data.json"),
    ("kilpisjarvi", "kilpisjarvi_mod-kilpisjarvi.data.json"),
    ("gp_pois_regr", "gp_pois_regr-gp_pois_regr.data.json"),
    ("gp_regr", "gp_pois_regr-gp_regr.data.json"),
    (
        "low_dim_gauss_mix",
        "low_dim_gauss_mix-low_dim_gauss_mix.data.json",
    ),
    ("diamonds", "diamonds-diamonds.data.json"),
    ("hmm_example", "hmm_example-hmm_example.data.json"),
    ("hmm_drive_0", "bball_drive_event_0-hmm_drive_0.data.json"),
    ("hmm_drive_1", "bball_drive_event_1-hmm_drive_1.data.json"),
    (
        "lotka_volterra",
        "hudson_lynx_hare-lotka_volterra.data.json",
    ),
    (
        "one_comp_mm_elim_abs",
        "one_comp_mm_elim_abs-one_comp_mm_elim_abs.data.json",
    ),
    ("accel_gp", "mcycle_gp-accel_gp.data.json"),
];

/// Regressions on uncentred predictors have posteriors with correlations near ±1 between the
/// intercept and the slopes (condition numbers of the posterior correlation from 24 to 2.7e5,
/// `--settings`), which a diagonal mass matrix cannot undo: with Stan's windowed diagonal
/// estimate they take 0.2 to 7.6 ESS per 1000 gradients. These models are fitted with a
/// low-rank-plus-diagonal mass matrix estimated from draws and gradients (nutpie's adaptation,
/// [`MassMatrixKind::LowRank`] with [`Adaptation::GradientBased`]): 78 to 239 ESS per 1000
/// gradients, where Stan's windowed dense estimate gave 0.5 to 87.
///
/// [`MassMatrixKind::LowRank`]: model_runtime::inference::MassMatrixKind::LowRank
/// [`Adaptation::GradientBased`]: model_runtime::inference::Adaptation::GradientBased
pub fn wants_low_rank_metric(name: &str) -> bool {
    matches!(
        name,
        "kidscore_momiq"
            | "kidscore_interaction"
            | "log10earn_height"
            | "nes"
            | "kilpisjarvi"
            | "logmesquite"
            | "blr"
            | "diamonds"
    )
}

/// `accel_gp` (66 parameters, a funnel between the GP scales and the basis coefficients) is
/// fitted with Stan's windowed dense mass matrix: 1 divergence at target acceptance 0.99, 47
/// with the defaults.
pub fn wants_dense_metric(name: &str) -> bool {
    name == "accel_gp"
}

/// Eight schools, non-centered: `theta` is derived from `theta_trans`.
#[model]
pub fn eight_schools_noncentered(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta_trans = sample!("theta_trans", Normal::new(0.0, 1.0));
        let theta = deterministic!("theta", mu + tau * theta_trans);
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

/// Eight schools, centered (the funnel).
#[model]
pub fn eight_schools_centered(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta = sample!("theta", Normal::new(mu, tau));
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

/// Child's test score on the mother's IQ; flat priors on `beta`.
#[model]
pub fn kidscore_momiq(kid_score: &[f64], mom_iq: &[f64]) {
    let beta = plate!("coefficients", 2, |k| sample!(
        "beta",
        ImproperUniform::new(Support::Real)
    ));
    let sigma = sample!("sigma", HalfCauchy::new(2.5));
    plate!("children", kid_score.len(), |i| {
        let mu = beta[0] + beta[1] * mom_iq[i];
        sample!("kid_score", Normal::new(mu, sigma), obs = kid_score[i]);
    });
}

/// [`kidscore_momiq`] as NumPyro's side writes it: one vectorized likelihood over the lazy
/// mean `beta0 + beta1 · mom_iq` (the side-by-side comparison's model, and a gradient bench).
#[model]
pub fn kidscore_momiq_vectorized(kid_score: &[f64], mom_iq: &[f64]) {
    let beta0 = sample!("beta0", ImproperUniform::new(Support::Real));
    let beta1 = sample!("beta1", ImproperUniform::new(Support::Real));
    let sigma = sample!("sigma", HalfCauchy::new(2.5));
    sample!(
        "kid_score",
        batch::Normal::new(beta0 + beta1 * vector(mom_iq), sigma),
        obs = kid_score
    );
}

/// Child's test score on the mother's schooling, IQ and their interaction.
#[model]
pub fn kidscore_interaction(kid_score: &[f64], mom_hs: &[f64], mom_iq: &[f64]) {
    let beta = plate!("coefficients", 4, |k| sample!(
        "beta",
        ImproperUniform::new(Support::Real)
    ));
    let sigma = sample!("sigma", HalfCauchy::new(2.5));
    plate!("children", kid_score.len(), |i| {
        let inter = mom_hs[i] * mom_iq[i];
        let mu = beta[0] + beta[1] * mom_hs[i] + beta[2] * mom_iq[i] + beta[3] * inter;
        sample!("kid_score", Normal::new(mu, sigma), obs = kid_score[i]);
    });
}

/// A linear regression `y ~ Normal(X beta, sigma)` with flat priors, over a design matrix whose
/// first column is the intercept (earnings, mesquite, nes).
#[model]
pub fn flat_regression(x: &Matrix, y: &[f64]) {
    let beta = plate!("coefficients", x.cols(), |k| sample!(
        "beta",
        ImproperUniform::new(Support::Real)
    ));
    let sigma = sample!("sigma", ImproperUniform::new(Support::Positive));
    sample!("y", batch::Normal::new(x.matvec(&beta), sigma), obs = y);
}

/// Autoregression of order `k`, conditional on the first `k` observations.
#[model]
pub fn ar_k(y: &[f64], k: usize) {
    let alpha = sample!("alpha", Normal::new(0.0, 10.0));
    let beta = plate!("lags", k, |l| sample!("beta", Normal::new(0.0, 10.0)));
    let sigma = sample!("sigma", HalfCauchy::new(2.5));
    plate!("time", y.len() - k, |i| {
        let t = i + k;
        let mut mu = alpha;
        for (lag, b) in beta.iter().enumerate() {
            mu += *b * y[t - lag - 1];
        }
        sample!("y", Normal::new(mu, sigma), obs = y[t]);
    });
}

/// ARMA(1, 1): the errors of one-step predictions are normal, written as `y[t]` normal around
/// its prediction (the same density; the error must not be made data, or its dependence on the
/// parameters would be lost).
#[model]
pub fn arma11(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 10.0));
    let phi = sample!("phi", Normal::new(0.0, 2.0));
    let theta = sample!("theta", Normal::new(0.0, 2.0));
    let sigma = sample!("sigma", HalfCauchy::new(2.5));
    let mut error = scalar(0.0);
    plate!("time", y.len(), |t| {
        let previous = if t == 0 { mu } else { scalar(y[t - 1]) };
        let nu = mu + phi * previous + theta * error;
        error = y[t] - nu;
        sample!("y", Normal::new(nu, sigma), obs = y[t]);
    });
}

/// GARCH(1, 1): a flat prior on the region where `beta1 < 1 - alpha1`.
#[model]
pub fn garch11(y: &[f64], sigma1: f64) {
    let mu = sample!("mu", ImproperUniform::new(Support::Real));
    let alpha0 = sample!("alpha0", ImproperUniform::new(Support::Positive));
    let alpha1 = sample!("alpha1", ImproperUniform::new(Support::interval(0.0, 1.0)));
    let beta1 = sample!(
        "beta1",
        ImproperUniform::new(Support::interval(0.0, 1.0 - alpha1))
    );
    let mut sigma = scalar(sigma1);
    plate!("time", y.len(), |t| {
        if t > 0 {
            let shock = y[t - 1] - mu;
            sigma = (alpha0 + alpha1 * shock * shock + beta1 * sigma * sigma).sqrt();
        }
        sample!("y", Normal::new(mu, sigma), obs = y[t]);
    });
}

/// Bayesian linear regression with correlated predictors and no intercept.
#[model]
pub fn blr(x: &Matrix, y: &[f64]) {
    let beta = sample!("beta", batch::Normal::new(0.0, 10.0).iid(x.cols()));
    let sigma = sample!("sigma", HalfNormal::new(10.0));
    sample!("y", batch::Normal::new(x.matvec(&beta), sigma), obs = y);
}

/// A two-component normal mixture: `mu` is an ordered vector (Stan's `ordered[2]`), and `theta`
/// is the weight of the component with the smaller mean. The component indicator is summed out
/// in each observation's log-likelihood, all observations in one vectorized statement.
#[model]
pub fn low_dim_gauss_mix(y: &[f64]) {
    let mu = sample!("mu", batch::Normal::new(0.0, 2.0).iid(2).ordered());
    let sigma = sample!("sigma", batch::HalfNormal::new(2.0).iid(2));
    let theta = sample!("theta", Beta::new(5.0, 5.0));
    sample!(
        "y",
        batch::Normal::new(&mu, &sigma)
            .mixture(vec![theta, 1.0 - theta])
            .iid(y.len()),
        obs = y
    );
}

/// The normal log density `ln N(y | mu, sigma)`, for mixture likelihoods written by hand.
fn normal_ln_pdf<T: Scalar>(y: f64, mu: T, sigma: T) -> T {
    let z = (scalar::<T>(y) - mu) / sigma;
    z * z * -0.5 - sigma.ln() - model_runtime::distribution::LN_SQRT_2PI
}

/// A two-state hidden Markov model with normal emissions of sd 1, the states summed out by
/// the forward algorithm. `theta1` and `theta2` are the rows of the transition matrix (flat on
/// the simplex); `mu` is a positive ordered vector, built element by element as Stan's
/// `positive_ordered` transform does (`mu[0] > 0`, `mu[1] > mu[0]`), with normal priors
/// restricted to that region. The first state is uniform.
#[model]
pub fn hmm_example(y: &[f64]) {
    let theta1 = sample!("theta1", Dirichlet::new(vec![1.0, 1.0]));
    let theta2 = sample!("theta2", Dirichlet::new(vec![1.0, 1.0]));
    let prior_means = [3.0, 10.0];
    let mut floor = scalar(0.0);
    let mu = plate!("mu_states", 2, |k| {
        let m = sample!("mu", ImproperUniform::new(Support::greater_than(floor)));
        floor = m;
        factor!("mu_prior", normal_ln_pdf(prior_means[k], m, scalar(1.0)));
        m
    });
    let log_omega: Vec<Vec<_>> = mu
        .iter()
        .map(|&m| {
            y.iter()
                .map(|&yt| normal_ln_pdf(yt, m, scalar(1.0)))
                .collect()
        })
        .collect();
    let rho = [scalar(0.5), scalar(0.5)];
    let log_likelihood =
        hmm_marginal(&log_omega, &[&theta1[..], &theta2[..]], &rho).map_err(|e| e.at("y"))?;
    factor!("y", log_likelihood);
}

/// A basketball player's movement as a two-state hidden Markov model ("no drive", "drive"):
/// in state `k`, the inverse speed `u[t]` is Exponential(`phi[k]`) and the distance to the hoop
/// `v[t]` is Exponential(`lambda[k]`). Transition rows have Dirichlet priors (rows of `alpha`);
/// `phi` and `lambda` are positive ordered with normal priors restricted to that region.
///
/// The posterior is multimodal (posteriordb tags it so): besides the reference mode there is a
/// minor one where the second state is almost never occupied, so that its parameters follow
/// their priors, reached through a funnel. Chains started at Stan's random inits sometimes
/// settle there in warmup: with the example's 4 chains of 1000 + 1000, seeds 1 to 10 left one
/// chain there for 4 seeds at target acceptance 0.8 and 1 seed at 0.9; at 0.99 (what [`fit`]
/// uses, see [`wants_small_steps`]) none, and one chain of one seed visited it briefly (59
/// divergences).
#[model]
pub fn hmm_drive_0(u: &[f64], v: &[f64], alpha: &[Vec<f64>]) {
    let theta1 = sample!("theta1", Dirichlet::new(alpha[0].clone()));
    let theta2 = sample!("theta2", Dirichlet::new(alpha[1].clone()));
    let prior_means = [0.0, 3.0];
    let mut floor = scalar(0.0);
    let phi = plate!("phi_states", 2, |k| {
        let x = sample!("phi", ImproperUniform::new(Support::greater_than(floor)));
        floor = x;
        factor!("phi_prior", normal_ln_pdf(prior_means[k], x, scalar(1.0)));
        x
    });
    let mut floor = scalar(0.0);
    let lambda = plate!("lambda_states", 2, |k| {
        let x = sample!("lambda", ImproperUniform::new(Support::greater_than(floor)));
        floor = x;
        factor!(
            "lambda_prior",
            normal_ln_pdf(prior_means[k], x, scalar(1.0))
        );
        x
    });
    let log_omega: Vec<Vec<_>> = (0..2)
        .map(|k| {
            let (ln_phi, ln_lambda) = (phi[k].ln(), lambda[k].ln());
            (0..u.len())
                .map(|t| ln_phi - phi[k] * u[t] + ln_lambda - lambda[k] * v[t])
                .collect()
        })
        .collect();
    let rho = [scalar(0.5), scalar(0.5)];
    let log_likelihood =
        hmm_marginal(&log_omega, &[&theta1[..], &theta2[..]], &rho).map_err(|e| e.at("uv"))?;
    factor!("uv", log_likelihood);
}

/// The model of [`hmm_drive_0`](fn@hmm_drive_0) for another event, with normal emissions of
/// known sds: in state `k`, `u[t]` ~ Normal(`phi[k]`, `tau`) and `v[t]` ~ Normal(`lambda[k]`,
/// `rho`). `phi` and `lambda` are ordered (any sign).
#[model]
pub fn hmm_drive_1(u: &[f64], v: &[f64], alpha: &[Vec<f64>], tau: f64, rho: f64) {
    let theta1 = sample!("theta1", Dirichlet::new(alpha[0].clone()));
    let theta2 = sample!("theta2", Dirichlet::new(alpha[1].clone()));
    let prior_means = [0.0, 3.0];
    let mut previous = scalar(0.0);
    let phi = plate!("phi_states", 2, |k| {
        let support = if k == 0 {
            Support::Real
        } else {
            Support::greater_than(previous)
        };
        let x = sample!("phi", ImproperUniform::new(support));
        previous = x;
        factor!("phi_prior", normal_ln_pdf(prior_means[k], x, scalar(1.0)));
        x
    });
    let mut previous = scalar(0.0);
    let lambda = plate!("lambda_states", 2, |k| {
        let support = if k == 0 {
            Support::Real
        } else {
            Support::greater_than(previous)
        };
        let x = sample!("lambda", ImproperUniform::new(support));
        previous = x;
        factor!(
            "lambda_prior",
            normal_ln_pdf(prior_means[k], x, scalar(1.0))
        );
        x
    });
    let log_omega: Vec<Vec<_>> = (0..2)
        .map(|k| {
            (0..u.len())
                .map(|t| {
                    normal_ln_pdf(u[t], phi[k], scalar(tau))
                        + normal_ln_pdf(v[t], lambda[k], scalar(rho))
                })
                .collect()
        })
        .collect();
    let initial = [scalar(0.5), scalar(0.5)];
    let log_likelihood =
        hmm_marginal(&log_omega, &[&theta1[..], &theta2[..]], &initial).map_err(|e| e.at("uv"))?;
    factor!("uv", log_likelihood);
}

/// The Lotka–Volterra equations for prey `p` and predator `q`:
/// `p' = (α − β q) p`, `q' = (−γ + δ p) q`, with `θ = (α, β, γ, δ)`.
pub struct LotkaVolterra;

impl OdeSystem for LotkaVolterra {
    fn rhs<S: Scalar>(&self, _t: S, z: &[S], theta: &[S], dzdt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        let (p, q) = (z[0], z[1]);
        dzdt[0] = (theta[0] - theta[1] * q) * p;
        dzdt[1] = (theta[3] * p - theta[2]) * q;
    }
}

/// Lotka–Volterra fitted to the Hudson's Bay Company lynx and hare pelts: the populations
/// `z_init` at time 0 and the rates `theta` (α, β, γ, δ, positive, with normal priors restricted
/// to that region) determine the solution at the measurement times `ts`; counts are lognormal
/// around it with one scale `sigma[k]` per species. `y_init` and the rows of `y` are
/// (hare, lynx).
///
/// Stan solved the ODE with `ode_rk45_tol(..., 1e-5, 1e-3, 500)`; this uses the same solver
/// with tighter tolerances (`1e-6` relative and absolute, still at most 500 steps between
/// measurements), so that its error is negligible against the posterior's scale as
/// posteriordb's note asks.
#[model]
pub fn lotka_volterra(ts: &[f64], y_init: &[f64], y: &[Vec<f64>]) {
    let prior = [(1.0, 0.5), (0.05, 0.05), (1.0, 0.5), (0.05, 0.05)];
    let theta = plate!("rates", 4, |k| {
        let x = sample!("theta", ImproperUniform::new(Support::Positive));
        factor!(
            "theta_prior",
            normal_ln_pdf(prior[k].0, x, scalar(prior[k].1))
        );
        x
    });
    let z_init = plate!("species_init", 2, |_k| sample!(
        "z_init",
        LogNormal::new(10f64.ln(), 1.0)
    ));
    let sigma = plate!("species_scale", 2, |_k| sample!(
        "sigma",
        LogNormal::new(-1.0, 1.0)
    ));
    let tol = Tolerances::new(1e-6, 1e-6, 500);
    let z = ode::rk45_tol(&LotkaVolterra, &z_init, 0.0, ts, &theta, tol).map_err(|e| e.at("y"))?;
    plate!("species", 2, |k| {
        sample!(
            "y_init",
            LogNormal::new(z_init[k].ln(), sigma[k]),
            obs = y_init[k]
        );
    });
    plate!("times", y.len(), |n| {
        plate!("species_at_time", 2, |k| {
            sample!("y", LogNormal::new(z[n][k].ln(), sigma[k]), obs = y[n][k]);
        });
    });
}

/// One compartment with first-order absorption of a dose `dose` into volume `volume` and
/// Michaelis–Menten elimination: `C' = (D k_a / V) e^(−k_a t) − (V_m / V) C / (K_m + C)` for
/// `θ = (k_a, K_m, V_m)`, the input taken as 0 at exactly `t = 0` as posteriordb's model does.
pub struct OneCompartmentMm {
    /// The total dose `D`.
    pub dose: f64,
    /// The compartment volume `V`.
    pub volume: f64,
}

impl OneCompartmentMm {
    /// `D / V`. Outside `rhs`, whose bound `f64: FloatOps<S>` would make Rust read the `/` of
    /// two `f64` as `f64 / S`.
    fn concentration_of_dose(&self) -> f64 {
        self.dose / self.volume
    }
}

impl OdeSystem for OneCompartmentMm {
    fn rhs<S: Scalar>(&self, t: S, c: &[S], theta: &[S], dcdt: &mut [S])
    where
        f64: FloatOps<S>,
    {
        let (k_a, k_m, v_m) = (theta[0], theta[1], theta[2]);
        let input = if t > 0.0 {
            k_a * self.concentration_of_dose() * (-k_a * t).exp()
        } else {
            scalar(0.0)
        };
        dcdt[0] = input - v_m / self.volume * c[0] / (k_m + c[0]);
    }
}

/// The one-compartment pharmacokinetic model with Michaelis–Menten elimination: the
/// concentration starts at 0 at `t0` and is solved at `times`; measurements `c_hat` are
/// lognormal around it. All four parameters have Half-Cauchy(0, 1) priors.
///
/// Stan solved it with its BDF solver at tolerances `1e-10`. The system is stiff only briefly:
/// near `t0` the concentration passes `K_m` (which the posterior allows as small as `1e-4`)
/// within about `1e-5` days, while `C < K_m` makes the elimination rate `V_m / (V K_m)` large;
/// after that it is smooth. The explicit solver ([`ode::rk45_tol`]) at `1e-8` takes a few small
/// steps there and long ones after, and with its error near the tolerance (far below the
/// measurement scale `sigma ≈ 0.13`) it is the fastest choice. Measured on one machine, 4 chains
/// of 500 + 500 at target acceptance 0.99, the same posterior each time (means within 2.1
/// standard errors of the reference): `rk45_tol` at `1e-8` 5.5 s; the stiff solvers at the same
/// tolerances [`ode::rosenbrock23_tol`] 47 s and [`ode::ros34pw2_tol`] 64 s (about as many
/// steps at typical parameter values, four evaluations of the right-hand side each against
/// two); `ros34pw2_tol` at `1e-6`, where its error is already below `rosenbrock23_tol`'s at
/// `1e-8` (at typical parameter values, in the concentration at `t = 10`: `8e-7` against
/// `3e-5`), 15 s.
#[model]
pub fn one_comp_mm_elim_abs(t0: f64, dose: f64, volume: f64, times: &[f64], c_hat: &[f64]) {
    let k_a = sample!("k_a", HalfCauchy::new(1.0));
    let k_m = sample!("K_m", HalfCauchy::new(1.0));
    let v_m = sample!("V_m", HalfCauchy::new(1.0));
    let sigma = sample!("sigma", HalfCauchy::new(1.0));
    let system = OneCompartmentMm { dose, volume };
    let tol = Tolerances::new(1e-8, 1e-8, 100_000);
    let c = ode::rk45_tol(&system, &[scalar(0.0)], t0, times, &[k_a, k_m, v_m], tol)
        .map_err(|e| e.at("C_hat"))?;
    plate!("times", times.len(), |n| {
        sample!("C_hat", LogNormal::new(c[n][0].ln(), sigma), obs = c_hat[n]);
    });
}

/// The brms regression of diamond prices: centred predictors `xc`, `Intercept` on the centred
/// scale, and brms's default Student-t priors.
#[model]
pub fn diamonds(xc: &Matrix, y: &[f64]) {
    let b = sample!("b", batch::Normal::new(0.0, 1.0).iid(xc.cols()));
    let intercept = sample!("Intercept", StudentT::new(3.0, 8.0, 10.0));
    let sigma = sample!("sigma", HalfStudentT::new(3.0, 10.0));
    sample!(
        "Y",
        batch::Normal::new(xc.matvec(&b) + intercept, sigma),
        obs = y
    );
}

/// Summer temperature on the (uncentred) year, with informative priors given as data.
#[model]
pub fn kilpisjarvi(x: &[f64], y: &[f64], prior: [f64; 4]) {
    let [pmualpha, psalpha, pmubeta, psbeta] = prior;
    let alpha = sample!("alpha", Normal::new(pmualpha, psalpha));
    let beta = sample!("beta", Normal::new(pmubeta, psbeta));
    let sigma = sample!("sigma", ImproperUniform::new(Support::Positive));
    plate!("years", x.len(), |i| {
        sample!("y", Normal::new(alpha + beta * x[i], sigma), obs = y[i]);
    });
}

/// The squared-exponential covariance `alpha² exp(-(x_i - x_j)² / (2 rho²))` of points `x`,
/// row-major, with `diagonal` added on the diagonal.
fn squared_exponential<T: Scalar>(x: &[f64], alpha: T, rho: T, diagonal: T) -> Vec<T> {
    let n = x.len();
    let mut cov = Vec::with_capacity(n * n);
    let inverse_two_rho_sq = (rho * rho * 2.0).powi(-1);
    for i in 0..n {
        for j in 0..n {
            let d = x[i] - x[j];
            let k = alpha * alpha * (inverse_two_rho_sq * -(d * d)).exp();
            cov.push(if i == j { k + diagonal } else { k });
        }
    }
    cov
}

/// A latent Gaussian process with Poisson counts, non-centred: `f = L f_tilde`.
#[model]
pub fn gp_pois_regr(x: &[f64], k: &[u64]) {
    let rho = sample!("rho", Gamma::new(25.0, 4.0));
    let alpha = sample!("alpha", HalfNormal::new(2.0));
    let f_tilde = plate!("points", x.len(), |i| sample!(
        "f_tilde",
        Normal::new(0.0, 1.0)
    ));
    let n = x.len();
    let l = cholesky(&squared_exponential(x, alpha, rho, scalar(1e-10)), n)?;
    plate!("data", n, |i| {
        let mut f_i = scalar(0.0);
        for j in 0..=i {
            f_i += l[i * n + j] * f_tilde[j];
        }
        let f_i = deterministic!("f", f_i);
        sample!("k", Poisson::new(f_i.exp()), obs = k[i]);
    });
}

/// Gaussian-process regression with the latent function integrated out; `sigma` is the noise
/// variance added to the diagonal.
#[model]
pub fn gp_regr(x: &[f64], y: &[f64]) {
    let rho = sample!("rho", Gamma::new(25.0, 4.0));
    let alpha = sample!("alpha", HalfNormal::new(2.0));
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    let cov = squared_exponential(x, alpha, rho, sigma);
    sample!(
        "y",
        MultivariateNormal::new(vec![scalar(0.0); x.len()], cov),
        obs = y
    );
}

/// The basis-function coefficients `w_m z_m` of a Hilbert-space approximate GP (brms's `gp(...,
/// k = M)`): a squared-exponential kernel with marginal sd `sd` and length-scale `lscale` has
/// spectral density `S(ω) = sd² √(2π) l exp(-l² ω²/2)`, and basis function `m` (frequency
/// `slambda[m]`) gets the weight `w_m = √S(slambda[m])`.
fn hsgp_coefficients<T: Scalar>(sd: T, lscale: T, slambda: &[f64], z: &[T]) -> Vec<T> {
    // √S(ω) = sd (2π)^(1/4) √l exp(-l² ω²/4).
    let scale = sd * lscale.sqrt() * (2.0 * std::f64::consts::PI).powf(0.25);
    slambda
        .iter()
        .zip(z)
        .map(|(&omega, &z)| scale * (lscale * lscale * (-0.25 * omega * omega)).exp() * z)
        .collect()
}

/// The brms heteroscedastic regression of the `mcycle` accelerations: the mean and the log
/// standard deviation are each an intercept plus an approximate Gaussian process over time, in
/// the Hilbert-space basis-function form (basis functions evaluated at the data given as the
/// matrices `x_mean` and `x_sigma`, their frequencies as `slambda` and `slambda_sigma`).
#[model]
pub fn accel_gp(
    y: &[f64],
    x_mean: &Matrix,
    slambda: &[f64],
    x_sigma: &Matrix,
    slambda_sigma: &[f64],
) {
    let intercept = sample!("Intercept", StudentT::new(3.0, -13.0, 36.0));
    let sdgp = sample!("sdgp_1", HalfStudentT::new(3.0, 36.0));
    let lscale = sample!("lscale_1", InverseGamma::new(1.124909, 0.0177));
    let zgp = sample!("zgp_1", batch::Normal::new(0.0, 1.0).iid(slambda.len()));
    let intercept_sigma = sample!("Intercept_sigma", StudentT::new(3.0, 0.0, 10.0));
    let sdgp_sigma = sample!("sdgp_sigma_1", HalfStudentT::new(3.0, 36.0));
    let lscale_sigma = sample!("lscale_sigma_1", InverseGamma::new(1.124909, 0.0177));
    let zgp_sigma = sample!(
        "zgp_sigma_1",
        batch::Normal::new(0.0, 1.0).iid(slambda_sigma.len())
    );
    let mean_coefficients = hsgp_coefficients(sdgp, lscale, slambda, &zgp);
    let sigma_coefficients = hsgp_coefficients(sdgp_sigma, lscale_sigma, slambda_sigma, &zgp_sigma);
    let sigma: Vec<_> = (0..y.len())
        .map(|n| (dot(x_sigma.row(n), &sigma_coefficients) + intercept_sigma).exp())
        .collect();
    sample!(
        "Y",
        batch::Normal::new(x_mean.matvec(&mean_coefficients) + intercept, &sigma[..]),
        obs = y
    );
}

/// How a fit compares with posteriordb's reference ([`Report::against_reference`]).
#[derive(Debug, Clone)]
pub struct Agreement {
    /// The largest deviation of a posterior mean, in standard errors of the difference.
    pub worst_mean: f64,
    /// The largest deviation of a posterior sd, in standard errors of the difference.
    pub worst_sd: f64,
    /// A line for each statistic beyond the tolerance, missing, or NaN.
    pub misses: Vec<String>,
    /// The scalars whose sd was not compared: a tail too heavy for the sd's standard error,
    /// which rests on the fourth moment, to be trusted (see [`Report::against_reference`]).
    pub uncompared_sds: Vec<String>,
}

impl Agreement {
    /// The larger of the two worst deviations.
    pub fn worst(&self) -> f64 {
        self.worst_mean.max(self.worst_sd)
    }

    /// `"; sds not compared: …"` naming [`uncompared_sds`](Agreement::uncompared_sds), or
    /// nothing.
    pub fn uncompared(&self) -> String {
        if self.uncompared_sds.is_empty() {
            String::new()
        } else {
            format!(
                "; sds not compared (heavy tails): {}",
                self.uncompared_sds.join(", ")
            )
        }
    }
}

/// What a fit of a posteriordb model shows.
#[derive(Debug)]
pub struct Report {
    /// The summary table.
    pub summary: Summary,
    /// Divergent transitions after warmup.
    pub divergences: usize,
    /// Largest R-hat over all reported scalars.
    pub max_r_hat: f64,
    /// Smallest bulk ESS over all reported scalars.
    pub min_ess_bulk: f64,
    /// Wall time of warmup (longest chain).
    pub warmup_time: Duration,
    /// Wall time of sampling (longest chain).
    pub sampling_time: Duration,
    /// Wall time of the fit.
    pub wall_time: Duration,
    /// Number of parameters (unconstrained coordinates).
    pub parameters: usize,
    /// Gradient evaluations of warmup and sampling (leapfrog steps), over all chains.
    pub gradients: usize,
    /// Per chain: the adapted step size, divergences after warmup, and mean leapfrog steps
    /// per draw.
    pub chains: Vec<(f64, usize, f64)>,
    /// The condition number of the posterior correlation matrix of the unconstrained
    /// coordinates, over the draws of all chains: the part of the geometry a diagonal mass
    /// matrix leaves (it rescales coordinates but cannot rotate them) and a dense one removes.
    pub correlation_condition: f64,
}

impl Report {
    fn of<S: ModelSites>(fit: &Fit<S>, parameters: usize) -> Result<Self, Box<dyn Error>> {
        // No chain may fail silently: the suite's figures are over every chain asked for.
        if let Some((chain, error)) = fit.failures().first() {
            return Err(format!("chain {chain} failed: {error}").into());
        }
        let summary = fit.summary()?;
        let max_r_hat = summary.rows().iter().map(|r| r.r_hat()).fold(0.0, f64::max);
        let min_ess_bulk = summary
            .rows()
            .iter()
            .map(|r| r.ess_bulk())
            .fold(f64::INFINITY, f64::min);
        Ok(Report {
            summary,
            divergences: fit.divergences(),
            max_r_hat,
            min_ess_bulk,
            warmup_time: fit.warmup_time(),
            sampling_time: fit.sampling_time(),
            wall_time: fit.wall_time(),
            parameters,
            gradients: fit
                .chains()
                .iter()
                .flat_map(|c| c.sampler.warmup_stats.iter().chain(&c.sampler.stats))
                .map(|s| s.leapfrog_steps)
                .sum(),
            chains: fit
                .chains()
                .iter()
                .map(|c| {
                    let steps: usize = c.sampler.stats.iter().map(|s| s.leapfrog_steps).sum();
                    let per_draw = steps as f64 / c.sampler.stats.len().max(1) as f64;
                    (c.sampler.step_size, c.divergences(), per_draw)
                })
                .collect(),
            correlation_condition: correlation_condition(
                fit.chains().iter().flat_map(|c| &c.sampler.draws),
                parameters,
            ),
        })
    }

    /// How far the fit's posterior means and sds are from posteriordb's reference (one
    /// posterior's entry of `data/posteriordb/reference.json`), in standard errors of the
    /// difference: the largest deviation of each, and a line for each statistic off by more than
    /// `tolerance` of them (or missing from the summary, or NaN). Stan's 1-based `beta[1]` is our
    /// `beta[0]`.
    ///
    /// An sd is compared only where the draws' tail has a Pareto shape below 0.25
    /// ([`pareto_khat`](model_runtime::diagnostics::pareto_khat)) and the reference's sd is at
    /// most 1.5 times what its 90% interval gives a normal: a heavier tail has no fourth
    /// moment, or one a short run underestimates, and the sd's standard error means nothing
    /// there.
    ///
    /// For a mean the error is `sqrt(mcse_fit² + mcse_ref²)`, both reported. posteriordb gives
    /// no MCSE for its sds, so the reference's is ours ([`mcse_sd`]) scaled by the square root of
    /// the ratio of the two runs' bulk ESS: the same posterior's fourth moment, from 10,000
    /// nearly independent reference draws instead of ours. The reference's share is small (its
    /// ESS is about 10,000 per scalar), so the approximation hardly moves the result.
    ///
    /// [`mcse_sd`]: model_runtime::diagnostics::mcse_sd
    pub fn against_reference(&self, reference: &serde_json::Value, tolerance: f64) -> Agreement {
        let mut agreement = Agreement {
            worst_mean: 0.0,
            worst_sd: 0.0,
            misses: Vec::new(),
            uncompared_sds: Vec::new(),
        };
        let Some(parameters) = reference["parameters"].as_object() else {
            agreement.worst_mean = f64::NAN;
            agreement.misses.push("no reference parameters".into());
            return agreement;
        };
        for (stan_name, stats) in parameters {
            let ours = match stan_name.trim_end_matches(']').split_once('[') {
                Some((site, index)) => match index.parse::<usize>() {
                    Ok(i) => format!("{site}[{}]", i - 1),
                    Err(_) => stan_name.clone(),
                },
                None => stan_name.clone(),
            };
            let Some(row) = self.summary.row(&ours) else {
                agreement.misses.push(format!("no summary row {ours}"));
                continue;
            };
            let (Some(mean), Some(mcse), Some(sd)) = (
                stats["mean"].as_f64(),
                stats["mcse_mean"].as_f64(),
                stats["sd"].as_f64(),
            ) else {
                agreement
                    .misses
                    .push(format!("{ours}: no reference mean or sd"));
                continue;
            };
            // The sd's standard error rests on the fourth moment. A tail of Pareto shape 0.25
            // or more has none; and a reference sd far above what its 90% interval gives a
            // normal (`(q95 - q05) / 3.29`) is carried by a far tail whose fourth moment a
            // short run underestimates (its own tail shape then looks light): posteriordb's
            // K_m and V_m of one_comp_mm_elim_abs, at 2.8 and 2.2 times, where each of the
            // other 152 scalars with quantiles is at most 1.11. There the difference cannot be
            // scaled, and the sd is left out (listed in `uncompared_sds`).
            let interval = stats["q95"].as_f64().zip(stats["q05"].as_f64());
            let far_tail = interval.is_some_and(|(q95, q05)| sd > 1.5 * (q95 - q05) / 3.29);
            let sd_comparable = row.pareto_k() < 0.25 && !far_tail;
            if !sd_comparable {
                agreement.uncompared_sds.push(format!(
                    "{ours} (tail shape {:.2}, reference sd {:.1}x its interval's)",
                    row.pareto_k(),
                    interval.map_or(f64::NAN, |(q95, q05)| sd / ((q95 - q05) / 3.29))
                ));
            }
            let reference_ess = stats["ess_bulk"].as_f64().unwrap_or(f64::NAN);
            let reference_mcse_sd = row.mcse_sd() * (row.ess_bulk() / reference_ess).sqrt();
            for (statistic, fitted, reference, error, worst) in [
                (
                    "mean",
                    row.mean(),
                    mean,
                    row.mcse_mean().hypot(mcse),
                    &mut agreement.worst_mean,
                ),
                (
                    "sd",
                    row.sd(),
                    sd,
                    if sd_comparable {
                        row.mcse_sd().hypot(reference_mcse_sd)
                    } else {
                        f64::INFINITY
                    },
                    &mut agreement.worst_sd,
                ),
            ] {
                let deviation = (fitted - reference).abs() / error;
                *worst = worst.max(deviation);
                if deviation.is_nan() || deviation > tolerance {
                    agreement.misses.push(format!(
                        "{ours}: {statistic} {fitted:.5} against {reference:.5} ({deviation:.1} standard errors)"
                    ));
                }
            }
        }
        agreement
    }

    /// Whether the fit meets posteriordb's bar: R-hat below 1.01, bulk ESS above 400, no
    /// divergences.
    pub fn converged(&self) -> bool {
        self.max_r_hat < 1.01 && self.min_ess_bulk > 400.0 && self.divergences == 0
    }
}

/// The condition number of the correlation matrix of the `dim` coordinates of `draws` (its
/// largest eigenvalue over its smallest; infinite when it is singular), by power iteration on
/// the matrix and on its inverse.
fn correlation_condition<'a>(draws: impl Iterator<Item = &'a Vec<f64>> + Clone, dim: usize) -> f64 {
    let n = draws.clone().count() as f64;
    let mut mean = vec![0.0; dim];
    for draw in draws.clone() {
        mean.iter_mut().zip(draw).for_each(|(m, x)| *m += x / n);
    }
    let mut covariance = vec![0.0; dim * dim];
    for draw in draws {
        for i in 0..dim {
            let di = draw[i] - mean[i];
            for j in 0..dim {
                covariance[i * dim + j] += di * (draw[j] - mean[j]);
            }
        }
    }
    let sd: Vec<f64> = (0..dim).map(|i| covariance[i * dim + i].sqrt()).collect();
    let correlation: Vec<f64> = (0..dim * dim)
        .map(|e| covariance[e] / (sd[e / dim] * sd[e % dim]))
        .collect();
    let Ok(l) = model_runtime::linalg::cholesky(&correlation, dim) else {
        return f64::INFINITY;
    };
    // R⁻¹ = L⁻ᵀ L⁻¹, with the columns of L⁻¹ solved one unit vector at a time.
    let columns: Vec<Vec<f64>> = (0..dim)
        .map(|j| {
            let unit: Vec<f64> = (0..dim).map(|i| f64::from(u8::from(i == j))).collect();
            model_runtime::linalg::solve_lower(&l, &unit)
        })
        .collect();
    let inverse: Vec<f64> = (0..dim * dim)
        .map(|e| {
            (0..dim)
                .map(|r| columns[e / dim][r] * columns[e % dim][r])
                .sum()
        })
        .collect();
    largest_eigenvalue(&correlation, dim) * largest_eigenvalue(&inverse, dim)
}

/// The largest eigenvalue of the symmetric positive semi-definite row-major `m`, by 500 steps
/// of power iteration (two significant digits are all the table needs).
fn largest_eigenvalue(m: &[f64], dim: usize) -> f64 {
    let mut x = vec![1.0; dim];
    let mut eigenvalue = 0.0;
    for _ in 0..500 {
        let y: Vec<f64> = (0..dim)
            .map(|i| (0..dim).map(|j| m[i * dim + j] * x[j]).sum())
            .collect();
        eigenvalue = y.iter().map(|v| v * v).sum::<f64>().sqrt();
        if eigenvalue == 0.0 {
            return 0.0;
        }
        x = y.iter().map(|v| v / eigenvalue).collect();
    }
    eigenvalue
}

fn run<M>(nuts: &Nuts, model: &M) -> Result<Report, Box<dyn Error>>
where
    M: Body<f64> + Body<Var> + Sync,
    <M::Sites as ModelSites>::LatentSites: model_runtime::site::AllFittable,
{
    let fit = nuts
        .run(model)
        .map_err(|e: FitError| Box::new(e) as Box<dyn Error>)?;
    Report::of(&fit, model.unconstrained_dim()?)
}

/// Fits model `name` on its posteriordb data with `nuts` and compares it with posteriordb's
/// reference (`data/posteriordb/reference.json`): the summary line when the chains agree
/// (R-hat at most 1.05), nothing diverged and every reference mean is within `tolerance`
/// standard errors of the difference ([`Report::against_reference`]); the failures otherwise.
pub fn check_against_reference(
    name: &str,
    nuts: &Nuts,
    tolerance: f64,
) -> Result<String, Vec<String>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/posteriordb");
    let file = MODELS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .ok_or_else(|| vec![format!("unknown model `{name}`")])?;
    let read = |path: String| crate::read_json(path).map_err(|e| vec![e.to_string()]);
    let references = read(format!("{dir}/reference.json"))?;
    let report =
        fit(name, &read(format!("{dir}/{file}"))?, nuts).map_err(|e| vec![e.to_string()])?;
    let agreement = report.against_reference(
        &references["posteriors"][file.trim_end_matches(".data.json")],
        tolerance,
    );
    let line = format!(
        "{name}: {:.2?}, max R-hat {:.3}, min bulk ESS {:.0}, {} divergences, largest deviation from the reference {:.1} standard errors (means), {:.1} (sds){}",
        report.wall_time,
        report.max_r_hat,
        report.min_ess_bulk,
        report.divergences,
        agreement.worst_mean,
        agreement.worst_sd,
        agreement.uncompared()
    );
    let mut failures = agreement.misses;
    if report.max_r_hat > 1.05 || report.divergences > 0 {
        failures.push("chains disagree or diverge".into());
    }
    if failures.is_empty() {
        Ok(line)
    } else {
        failures.insert(0, line);
        Err(failures)
    }
}

/// Models whose posterior has regions of high curvature (eight schools' neck, the Poisson GP's
/// length-scale, the funnel into `hmm_drive_0`'s minor mode, the heavy tail of `K_m` tied to
/// `V_m` in `one_comp_mm_elim_abs`) take a smaller step: target acceptance 0.99 instead of 0.8,
/// what Stan users set as `adapt_delta` when they see divergences. posteriordb ran both ODE
/// models at 0.99, but `lotka_volterra` needs no such: at 0.8 it has no divergences (4 chains
/// of 1000 + 1000), with step sizes about 0.1 where 0.99 gives 0.02 to 0.06 and two to three
/// times the gradients for the same ESS; `one_comp_mm_elim_abs` had 14 divergences at 0.8.
/// `accel_gp`'s GP scales and basis coefficients form a funnel (posteriordb needed 0.999): 47
/// divergences with the defaults (diagonal metric, 0.8), 1 with a dense metric at 0.99 (4
/// chains of 1000 + 1000).
pub fn wants_small_steps(name: &str) -> bool {
    matches!(
        name,
        "eight_schools_noncentered"
            | "gp_pois_regr"
            | "hmm_drive_0"
            | "one_comp_mm_elim_abs"
            | "accel_gp"
    )
}

/// Fits model `name` on the posteriordb data `data` (parsed JSON) with `nuts`, switched to a
/// low-rank mass matrix with gradient-based adaptation where [`wants_low_rank_metric`] says
/// so, to a dense one where [`wants_dense_metric`] does, and to target acceptance 0.99 where
/// [`wants_small_steps`] does.
pub fn fit(name: &str, data: &serde_json::Value, nuts: &Nuts) -> Result<Report, Box<dyn Error>> {
    let mut tuned = nuts.clone();
    if wants_dense_metric(name) {
        tuned = tuned.dense_mass_matrix();
    }
    if wants_low_rank_metric(name) {
        tuned = tuned
            .adaptation(Adaptation::GradientBased)
            .mass_matrix(MassMatrixKind::LowRank);
    }
    if wants_small_steps(name) {
        tuned = tuned.target_acceptance(0.99);
    }
    fit_as_given(name, data, &tuned)
}

/// Fits model `name` on the posteriordb data `data` with `nuts` exactly as given: no per-model
/// choice of mass matrix or target acceptance (what a user who keeps the defaults gets).
pub fn fit_as_given(
    name: &str,
    data: &serde_json::Value,
    nuts: &Nuts,
) -> Result<Report, Box<dyn Error>> {
    match name {
        "eight_schools_noncentered" | "eight_schools_centered" => {
            let (y, sigma) = (f64_array(data, "y")?, f64_array(data, "sigma")?);
            if name == "eight_schools_centered" {
                run(nuts, &eight_schools_centered(&y, &sigma))
            } else {
                run(nuts, &eight_schools_noncentered(&y, &sigma))
            }
        }
        "kidscore_momiq" => {
            let (score, iq) = (f64_array(data, "kid_score")?, f64_array(data, "mom_iq")?);
            run(nuts, &kidscore_momiq(&score, &iq))
        }
        "kidscore_interaction" => {
            let score = f64_array(data, "kid_score")?;
            let (hs, iq) = (f64_array(data, "mom_hs")?, f64_array(data, "mom_iq")?);
            run(nuts, &kidscore_interaction(&score, &hs, &iq))
        }
        "log10earn_height" => {
            let earn = f64_array(data, "earn")?;
            let height = f64_array(data, "height")?;
            let rows: Vec<Vec<f64>> = height.iter().map(|h| vec![1.0, *h]).collect();
            let y: Vec<f64> = earn.iter().map(|e| e.log10()).collect();
            run(nuts, &flat_regression(&Matrix::from_rows(&rows)?, &y))
        }
        "logmesquite" => {
            let columns = ["diam1", "diam2", "canopy_height", "total_height", "density"];
            let logged: Vec<Vec<f64>> = columns
                .iter()
                .map(|c| f64_array(data, c).map(|v| v.iter().map(|x| x.ln()).collect()))
                .collect::<Result<_, _>>()?;
            let group = f64_array(data, "group")?;
            let rows: Vec<Vec<f64>> = (0..group.len())
                .map(|i| {
                    let mut row = vec![1.0];
                    row.extend(logged.iter().map(|c| c[i]));
                    row.push(group[i]);
                    row
                })
                .collect();
            let y: Vec<f64> = f64_array(data, "weight")?.iter().map(|w| w.ln()).collect();
            run(nuts, &flat_regression(&Matrix::from_rows(&rows)?, &y))
        }
        "nes" => {
            let get = |k: &str| f64_array(data, k);
            let (ideo, race, age) = (get("real_ideo")?, get("race_adj")?, get("age_discrete")?);
            let (educ, gender, income) = (get("educ1")?, get("gender")?, get("income")?);
            let indicator = |i: usize, level: f64| f64::from(u8::from(age[i] == level));
            let rows: Vec<Vec<f64>> = (0..ideo.len())
                .map(|i| {
                    vec![
                        1.0,
                        ideo[i],
                        race[i],
                        indicator(i, 2.0),
                        indicator(i, 3.0),
                        indicator(i, 4.0),
                        educ[i],
                        gender[i],
                        income[i],
                    ]
                })
                .collect();
            run(
                nuts,
                &flat_regression(&Matrix::from_rows(&rows)?, &get("partyid7")?),
            )
        }
        "arK" => {
            let y = f64_array(data, "y")?;
            let k = scalar_field(data, "K")? as usize;
            run(nuts, &ar_k(&y, k))
        }
        "arma11" => run(nuts, &arma11(&f64_array(data, "y")?)),
        "garch11" => {
            let y = f64_array(data, "y")?;
            run(nuts, &garch11(&y, scalar_field(data, "sigma1")?))
        }
        "blr" => {
            let x = Matrix::from_rows(&matrix_rows(data, "X")?)?;
            run(nuts, &blr(&x, &f64_array(data, "y")?))
        }
        "kilpisjarvi" => {
            let (x, y) = (f64_array(data, "x")?, f64_array(data, "y")?);
            let prior = [
                scalar_field(data, "pmualpha")?,
                scalar_field(data, "psalpha")?,
                scalar_field(data, "pmubeta")?,
                scalar_field(data, "psbeta")?,
            ];
            run(nuts, &kilpisjarvi(&x, &y, prior))
        }
        "gp_pois_regr" => {
            let x = f64_array(data, "x")?;
            let k: Vec<u64> = f64_array(data, "k")?.iter().map(|v| *v as u64).collect();
            run(nuts, &gp_pois_regr(&x, &k))
        }
        "low_dim_gauss_mix" => run(nuts, &low_dim_gauss_mix(&f64_array(data, "y")?)),
        "diamonds" => {
            // Drop the intercept column and centre the others, as brms's generated code does.
            let rows = matrix_rows(data, "X")?;
            let k = rows.first().map_or(0, Vec::len);
            let n = rows.len() as f64;
            let means: Vec<f64> = (1..k)
                .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n)
                .collect();
            let centred: Vec<Vec<f64>> = rows
                .iter()
                .map(|r| (1..k).map(|j| r[j] - means[j - 1]).collect())
                .collect();
            run(
                nuts,
                &diamonds(&Matrix::from_rows(&centred)?, &f64_array(data, "Y")?),
            )
        }
        "gp_regr" => run(
            nuts,
            &gp_regr(&f64_array(data, "x")?, &f64_array(data, "y")?),
        ),
        "hmm_example" => run(nuts, &hmm_example(&f64_array(data, "y")?)),
        "lotka_volterra" => {
            let (ts, y_init) = (f64_array(data, "ts")?, f64_array(data, "y_init")?);
            run(
                nuts,
                &lotka_volterra(&ts, &y_init, &matrix_rows(data, "y")?),
            )
        }
        "one_comp_mm_elim_abs" => {
            let (times, c_hat) = (f64_array(data, "times")?, f64_array(data, "C_hat")?);
            let (t0, dose) = (scalar_field(data, "t0")?, scalar_field(data, "D")?);
            let volume = scalar_field(data, "V")?;
            run(
                nuts,
                &one_comp_mm_elim_abs(t0, dose, volume, &times, &c_hat),
            )
        }
        "hmm_drive_0" | "hmm_drive_1" => {
            let (u, v) = (f64_array(data, "u")?, f64_array(data, "v")?);
            let alpha = matrix_rows(data, "alpha")?;
            if name == "hmm_drive_0" {
                run(nuts, &hmm_drive_0(&u, &v, &alpha))
            } else {
                let (tau, rho) = (scalar_field(data, "tau")?, scalar_field(data, "rho")?);
                run(nuts, &hmm_drive_1(&u, &v, &alpha, tau, rho))
            }
        }
        "accel_gp" => {
            let column = |key: &str| -> Result<Vec<f64>, Box<dyn Error>> {
                Ok(matrix_rows(data, key)?
                    .into_iter()
                    .map(|row| row[0])
                    .collect())
            };
            run(
                nuts,
                &accel_gp(
                    &f64_array(data, "Y")?,
                    &Matrix::from_rows(&matrix_rows(data, "Xgp_1")?)?,
                    &column("slambda_1")?,
                    &Matrix::from_rows(&matrix_rows(data, "Xgp_sigma_1")?)?,
                    &column("slambda_sigma_1")?,
                ),
            )
        }
        other => Err(format!(
            "unknown model `{other}`; the models are: {}",
            MODELS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        )
        .into()),
    }
}
