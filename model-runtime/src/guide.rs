//! A guide for users of NumPyro, Stan or PyMC: one model from first line to model comparison.
//! Every block here is a doctest that runs.
//!
//! # 1. A first model
//!
//! A model is a Rust function with `sample!` statements. `#[model]` turns each site into a type,
//! so `fit.mu` is a `Vec<f64>` the compiler knows, not a string lookup.
//!
//! ```
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn mean(y: &[f64]) {
//!     let mu = sample!("mu", Normal::new(0.0, 10.0));
//!     let sigma = sample!("sigma", HalfNormal::new(5.0));
//!     plate!("data", y.len(), |i| {
//!         sample!("y", Normal::new(mu, sigma), obs = y[i]);
//!     });
//! }
//!
//! let y = [2.1, 1.7, 2.5, 1.9, 2.2];
//! let model = mean(&y);
//! println!("{}", model.describe()?); // the sites: role, distribution, support, shape
//! let fit = Nuts::default().seed(1).run(&model)?; // 4 chains, 1000 warmup + 1000 draws
//! fit.print_summary(); // the table, then warnings if any
//! assert_eq!(fit.mu.len(), 4000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `plate!` is NumPyro's `plate`: its body runs once per index and sites inside it get one
//! value per index (`fit.theta[draw][i]`).
//!
//! # 2. Vectorized statements
//!
//! With thousands of rows, write the likelihood as one statement over whole vectors
//! (`batch::`): one autodiff node per statement, the speed of Stan's vectorized functions.
//!
//! ```
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn line(x: &[f64], y: &[f64]) {
//!     let a = sample!("a", Normal::new(0.0, 10.0));
//!     let b = sample!("b", Normal::new(0.0, 10.0));
//!     let sigma = sample!("sigma", HalfNormal::new(5.0));
//!     sample!("y", batch::Normal::new(a + b * batch::vector(x), sigma), obs = y);
//! }
//!
//! let x: Vec<f64> = (0..200).map(|i| i as f64 / 100.0).collect();
//! let y: Vec<f64> = x.iter().map(|x| 1.0 + 2.0 * x + 0.1 * (x * 37.0).sin()).collect();
//! let fit = Nuts::default().warmup(300).samples(300).chains(2).seed(2).run(&line(&x, &y))?;
//! let b = fit.b.iter().sum::<f64>() / fit.b.len() as f64;
//! assert!((b - 2.0).abs() < 0.05);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 3. Reparameterization, and why an observed site cannot be reparameterized
//!
//! Hierarchical scales make funnels that NUTS cannot cross (divergences). The cure is
//! NumPyro's `LocScaleReparam`: sample a standard normal and scale it. It is set per site, by
//! type:
//!
//! ```
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn schools(y: &[f64], sigma: &[f64]) {
//!     let mu = sample!("mu", Normal::new(0.0, 5.0));
//!     let tau = sample!("tau", HalfCauchy::new(5.0));
//!     plate!("schools", y.len(), |j| {
//!         let theta = sample!("theta", Normal::new(mu, tau));
//!         sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
//!     });
//! }
//!
//! let y = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
//! let sigma = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];
//! let model = schools(&y, &sigma).reparam(|r| r.theta(LocScaleReparam::default()));
//! let fit = Nuts::default().seed(3).run(&model)?;
//! assert!(fit.divergences() < 10);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A reparameterizer changes how inference explores a latent site. Put one on an observed site,
//! `r.y(CircularReparam)`, and the program does not compile: the setter requires
//! `LatentSite`, which observed sites do not implement. NumPyro accepts that configuration and
//! crashes later inside `Predictive`. The same holds for a reparameterizer that does not fit a
//! distribution (`LocScaleReparam` on a `Gamma`, `CircularReparam` on a `Normal`).
//!
//! # 4. Predictive
//!
//! Prior and posterior predictive draws are typed like the fit. Pass `None` for the data to
//! predict them:
//!
//! ```
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn counts(n: usize, k: Option<&[u64]>) {
//!     let rate = sample!("rate", Gamma::new(2.0, 1.0));
//!     plate!("days", n, |i| {
//!         sample!("k", Poisson::new(rate), obs = k.map(|k| k[i]));
//!     });
//! }
//!
//! let k = [3, 1, 4, 2, 2];
//! let fit = Nuts::default().warmup(300).samples(300).chains(2).seed(4).run(&counts(5, Some(&k)))?;
//! let replicated = Predictive::posterior(&fit).seed(5).run(&counts(5, None))?;
//! assert_eq!(replicated.k.len(), 600); // one data set per draw
//! assert_eq!(replicated.k[0].len(), 5);
//! let prior = Predictive::prior(100).seed(6).run(&counts(5, None))?;
//! assert_eq!(prior.rate.len(), 100);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 5. Diagnostics and warnings
//!
//! `fit.summary()` gives mean, sd, quantiles, Monte Carlo error, bulk and tail ESS and
//! rank-normalized R-hat per element, equal to ArviZ's; angles (`VonMises`) get circular
//! statistics. `fit.warnings()` returns what Stan and nutpie warn about, as data:
//!
//! ```
//! use model_runtime::prelude::*;
//! use model_runtime::results::warnings::Warning;
//!
//! #[model]
//! fn m() {
//!     sample!("x", Normal::new(0.0, 1.0));
//! }
//!
//! let fit = Nuts::default().warmup(30).samples(20).chains(2).seed(7).run(&m())?;
//! for warning in fit.warnings() {
//!     println!("warning: {warning}");
//! }
//! // 20 draws per chain cannot give 100 effective draws per chain.
//! assert!(fit.warnings().iter().any(|w| matches!(w, Warning::LowEss { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 6. LOO and model comparison
//!
//! `fit.log_likelihood(&model)` scores every observation at every draw; `fit.loo(&model)` is
//! PSIS-LOO with a Pareto k per observation, and `diagnostics::compare` ranks models as
//! `az.compare` does.
//!
//! ```
//! use model_runtime::diagnostics::compare;
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn known_scale(y: &[f64]) {
//!     let mu = sample!("mu", Normal::new(0.0, 10.0));
//!     sample!("y", batch::Normal::new(mu, 1.0), obs = y);
//! }
//!
//! #[model]
//! fn free_scale(y: &[f64]) {
//!     let mu = sample!("mu", Normal::new(0.0, 10.0));
//!     let sigma = sample!("sigma", HalfNormal::new(5.0));
//!     sample!("y", batch::Normal::new(mu, sigma), obs = y);
//! }
//!
//! let y: Vec<f64> = (0..30).map(|i| 3.0 * (i as f64 * 0.77).sin()).collect();
//! let (a, b) = (known_scale(&y), free_scale(&y));
//! let nuts = Nuts::default().warmup(400).samples(400).chains(2).seed(8);
//! let loo_a = nuts.run(&a)?.loo(&a)?;
//! let loo_b = nuts.run(&b)?.loo(&b)?;
//! let table = compare(&[("known_scale", &loo_a), ("free_scale", &loo_b)])?;
//! println!("{table}");
//! assert_eq!(table.rows[0].name, "free_scale");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 7. Reading the output in ArviZ
//!
//! `fit.arviz()` collects the groups ArviZ knows and writes them as JSON:
//!
//! ```
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn mean(y: &[f64]) {
//!     let mu = sample!("mu", Normal::new(0.0, 10.0));
//!     plate!("data", y.len(), |i| {
//!         sample!("y", Normal::new(mu, 1.0), obs = y[i]);
//!     });
//! }
//!
//! let y = [0.3, -0.4, 1.1];
//! let model = mean(&y);
//! let fit = Nuts::default().warmup(100).samples(50).chains(2).run(&model)?;
//! let predictions = Predictive::posterior(&fit).run(&model)?;
//! let json = fit.arviz().log_likelihood(&model)?.posterior_predictive(&predictions).to_json();
//! assert!(json.contains("\"log_likelihood\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! In Python (ArviZ 1.x):
//!
//! ```text
//! import json, numpy as np, arviz as az
//! data = json.load(open("fit.json"))
//! dims = data.pop("dims")
//! tree = az.from_dict({g: {v: np.asarray(x) for v, x in vs.items()} for g, vs in data.items()}, dims=dims)
//! az.loo(tree); az.summary(tree)
//! ```
//!
//! `fit.write_cmdstan_csv(chain, file)` writes one chain as CmdStan's CSV;
//! `Nuts::default().stream_cmdstan_csv("out")` writes every chain's file while it samples, a
//! line per draw, so that a killed process keeps its draws.
//!
//! # 8. Plots
//!
//! [`plots`](crate::plots) draws what ArviZ and bayesplot draw, from the typed fit: trace and
//! rank plots, forest, pair (divergent draws in red), energy, predictive checks and rose
//! diagrams for angles. Sites are chosen by their markers, so a misspelled site does not
//! compile. Files are SVG, or PNG with the `png` feature.
//!
//! ```
//! use model_runtime::plots::{self, Plot};
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn mean(y: &[f64]) {
//!     let mu = sample!("mu", Normal::new(0.0, 10.0));
//!     let sigma = sample!("sigma", HalfNormal::new(5.0));
//!     plate!("data", y.len(), |i| {
//!         sample!("y", Normal::new(mu, sigma), obs = y[i]);
//!     });
//! }
//!
//! let y = [0.3, -0.4, 1.1, 0.9, 2.0];
//! let model = mean(&y);
//! let fit = Nuts::default().warmup(200).samples(100).chains(2).run(&model)?;
//! let out = std::env::temp_dir();
//! plots::trace(&fit).save(out.join("trace.svg"))?;
//! plots::pair(&fit).sites((mean::site::mu, mean::site::sigma)).save(out.join("pair.svg"))?;
//! let replicated = Predictive::posterior(&fit).run(&model)?;
//! plots::ppc(&model, &replicated)?.save(out.join("ppc.svg"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 9. Simulation-based calibration
//!
//! Is the sampler right for this model? Draw parameters and data from the prior, fit each
//! data set, and rank the true values among the posterior draws: with a right sampler the
//! ranks are uniform (Talts et al. 2018). [`Sbc`](crate::Sbc) does it on every thread and
//! tests the ranks with the ECDF bands of Säilynoja, Bürkner and Vehtari (2022). The model must
//! take its observations as `Option`s, with sizes given apart, so that the prior can simulate
//! them.
//!
//! ```
//! use model_runtime::Sbc;
//! use model_runtime::prelude::*;
//!
//! #[model]
//! fn location(n: usize, y: Option<&[f64]>) {
//!     let mu = sample!("mu", Normal::new(0.0, 1.0));
//!     plate!("data", n, |i| {
//!         sample!("y", Normal::new(mu, 1.0), obs = y.map(|y| y[i]));
//!     });
//! }
//!
//! let sampler = Nuts::default().warmup(200).samples(200).thin(2);
//! let calibration = Sbc::new(sampler).replications(50).seed(3).run(&location(3, None))?;
//! println!("{calibration}");
//! assert_eq!(calibration.ranks(location::site::mu)[0].len(), 50);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # 10. Porting from NumPyro and from Stan
//!
//! | NumPyro | Stan | here |
//! |---|---|---|
//! | `numpyro.sample("mu", dist.Normal(0, 1))` | `mu ~ normal(0, 1);` | `sample!("mu", Normal::new(0.0, 1.0))` |
//! | `numpyro.sample("y", d, obs=y)` | `y ~ d;` (data) | `sample!("y", d, obs = y)` |
//! | `with numpyro.plate("data", n):` | a loop, or a vectorized statement | `plate!("data", n, \|i\| { .. })`, or `batch::` |
//! | `numpyro.deterministic("z", x)` | `generated quantities` | `deterministic!("z", x)` |
//! | `numpyro.factor("f", lp)` | `target += lp;` | `factor!("f", lp)` |
//! | `alpha = mu + sigma * z; dist.Normal(alpha[group] + b * x, s)` | `normal(mu + sigma * z[group] + b * x, s)` | `batch::Normal::new((mu + sigma * vector(&z)).gather(group) + b * vector(x), s)` (once per group; [`batch::Gathered`](crate::batch::Gathered)) |
//! | `MixtureSameFamily(Categorical(w), Normal(mu, sigma))` over `y` | `log_mix(w, normal_lpdf(y[n] \| mu[1], sigma[1]), ..)` per `n` | `batch::Normal::new(&mu, &sigma).mixture(w).iid(n)` ([`batch::Mixture`](crate::batch::Mixture)) |
//! | `reparam(config={"theta": LocScaleReparam(0)})` | non-centered by hand | `.reparam(\|r\| r.theta(LocScaleReparam::default()))` |
//! | `MCMC(NUTS(model), num_warmup=1000, num_samples=1000, num_chains=4)` | `sample(iter_warmup=1000, iter_sampling=1000, chains=4)` | `Nuts::default().warmup(1000).samples(1000).chains(4)` |
//! | `target_accept_prob=0.9` | `adapt_delta=0.9` | `.target_acceptance(0.9)` |
//! | `Predictive(model, posterior_samples)` | `generated quantities` | `Predictive::posterior(&fit).run(&model)` |
//! | `mcmc.get_samples()["mu"]` | `fit.stan_variable("mu")` | `fit.mu` |
//! | `mcmc.post_warmup_state = mcmc.last_state; mcmc.run(key)` | (restart with the adapted step size and metric by hand) | `Nuts::default().samples(1000).resume(&model, &fit)` |
//! | Ctrl-C keeps the draws (PyMC, nutpie) | Ctrl-C ends CmdStan | `.cancel_on(&Cancel::on_ctrl_c()?)` |
//! | `output_file` written as CmdStan samples | CmdStan's CSV files | `.stream_cmdstan_csv("out")` |
//! | `az.loo(idata)` | `loo` package | `fit.loo(&model)` |
//! | `az.plot_trace(idata)` | `bayesplot::mcmc_trace` | `plots::trace(&fit).save("trace.svg")` |
//! | `SVI(model, AutoNormal(model), Adam(0.01), Trace_ELBO())` | `variational(algorithm=\"meanfield\")` | `Svi::new(Adam::new(0.01)).run(&model, AutoNormal::new())` |
//! | `numpyro.param("loc", 0.)` in a guide | no user guides | `param!(\"loc\", 0.0)` in a `#[model(guide_for = model)]` function |
//! | `AutoDelta` / `AutoLaplaceApproximation` | `optimize()` / `laplace_sample()` | `AutoDelta`, `AutoLaplaceApproximation` |
//! | `scan` with `infer={"enumerate": "parallel"}` | `target += hmm_marginal(log_omega, Gamma, rho);` | `factor!("y", hmm_marginal(&log_omega, &gamma, &rho)?)` ([`hmm`](crate::hmm)) |
//! | `@config_enumerate` + `TraceEnum_ELBO`, or NUTS with a discrete site of finite support | the sum over the site's values written by hand with `log_sum_exp` | `sample!("z", Categorical::new(w))` in the model as is: NUTS and HMC sum it out (see the README's "Discrete latent sites") |
//! | `infer_discrete(model, temperature=1)` / `temperature=0` | `categorical_rng` of the normalized branch terms in `generated quantities` | the fit's own `z` column (drawn with each draw), `model.infer_discrete(&latent, seed)`, `model.most_probable_discrete(&latent)` |
//! | `infer_discrete` for a hidden Markov model | `hmm_latent_rng`, `hmm_hidden_state_prob` | `hmm_latent_sample`, `hmm_posterior_chain` (in Predictive), `hmm_hidden_state_prob`, `hmm_viterbi` |
//! | `odeint` (JAX, `jax.experimental.ode`) | `ode_rk45_tol(f, y0, t0, ts, rtol, atol, max_num_steps, theta...)` | `ode::rk45_tol(&system, &y0, t0, &ts, &theta, Tolerances::new(rtol, atol, max_num_steps))` ([`ode`](crate::ode)) |
//! | (none) | `ode_bdf_tol(...)` for stiff systems | `ode::ros34pw2_tol(...)`, same arguments (a third-order Rosenbrock W-method; its error, like BDF's, stays near the tolerance) |
//!
//! Stan's constrained parameters (`real<lower=0>`) are distributions with that support here
//! (`HalfNormal`, `Exponential`, `Gamma`, ...), or `ImproperUniform::new(Support::Positive)` for
//! a flat prior: the transform to unconstrained space follows from the distribution. An
//! `ordered` vector of iid elements is `batch::Normal::new(m, s).iid(k).ordered()`; one whose
//! elements have priors of their own (`mu[1] ~ normal(3, 1); mu[2] ~ normal(10, 1);` on a
//! `positive_ordered[2]`) is a plate of `ImproperUniform::new(Support::greater_than(previous))`
//! sites, each bounded by the one before (0 for the first, for `positive_ordered`), with the
//! priors as `factor!`s: the transform is then Stan's (`x_k = x_{k-1} + exp(u_k)`), as the
//! posteriordb HMM models of `examples/support/posteriordb.rs` write it.
