//! A fit as the JSON ArviZ reads (`az.from_dict(json.load(f))` in ArviZ 1.x, `az.from_json`
//! in 0.x): groups of variables, each an array of shape (chain, draw, *site shape), and the
//! named dimensions of sites inside plates. Each group is written by a site visitor.

use serde_json::{Map, Value, json};

use crate::error::ModelError;
use crate::inference::TransitionStats;
use crate::model::{Body, Model};
use crate::results::fit::Fit;
use crate::site::{Columns, Flatten, ModelSites, Role, SampleSite, Site, SiteVisitor, json_number};

/// The groups of an ArviZ export, built from a fit ([`Fit::arviz`]) and written with
/// [`ArvizExport::to_json`].
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn mean(y: &[f64]) {
///     let mu = sample!("mu", Normal::new(0.0, 10.0));
///     plate!("data", y.len(), |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y[i]);
///     });
/// }
///
/// let y = [0.3, -0.5, 1.2];
/// let model = mean(&y);
/// let fit = Nuts::default().warmup(100).samples(20).chains(2).run(&model)?;
/// let predictions = Predictive::posterior(&fit).seed(1).run(&model)?;
/// let json = fit
///     .arviz()
///     .log_likelihood(&model)?
///     .posterior_predictive(&predictions)
///     .to_json();
/// let value: serde_json::Value = serde_json::from_str(&json)?;
/// assert_eq!(value["log_likelihood"]["y"][1][19].as_array().map(Vec::len), Some(3));
/// assert_eq!(value["observed_data"]["y"][2], 1.2);
/// assert_eq!(value["dims"]["y"][0], "data");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ArvizExport<'a, S: ModelSites> {
    fit: &'a Fit<S>,
    groups: Map<String, Value>,
}

impl<S: ModelSites> Fit<S> {
    /// The fit as ArviZ's JSON: the `posterior` group with every latent and deterministic site,
    /// `sample_stats` with `lp`, `acceptance_rate`, `step_size`, `tree_depth`, `n_steps`,
    /// `diverging` and `energy`, the plate names of sites as `dims`, and `warmup_posterior`
    /// and `warmup_sample_stats` when the fit [kept its warmup](crate::results::mcmc::Mcmc::save_warmup). For the
    /// `log_likelihood`, `observed_data`, `posterior_predictive` and prior groups, use
    /// [`Fit::arviz`].
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
    ///     let json: serde_json::Value = serde_json::from_str(&fit.to_arviz_json())?;
    ///     assert_eq!(json["posterior"]["mu"].as_array().map(Vec::len), Some(2));
    ///     Ok(())
    /// }
    /// ```
    pub fn to_arviz_json(&self) -> String {
        self.arviz().to_json()
    }

    /// An ArviZ export of this fit holding `posterior` and `sample_stats`, to which the other
    /// groups can be added.
    pub fn arviz(&self) -> ArvizExport<'_, S> {
        let chains: Vec<&S::Draws> = self.chains().iter().map(|c| &c.draws).collect();
        let mut groups = Map::new();
        groups.insert(
            "posterior".into(),
            group::<S>(&chains, &[Role::Latent, Role::Deterministic]),
        );
        let stats: Vec<Vec<&TransitionStats>> = self
            .chains()
            .iter()
            .map(|c| c.sampler.stats.iter().collect())
            .collect();
        groups.insert("sample_stats".into(), sample_stats(&stats));
        if self.chains().iter().any(|c| !c.warmup_draws.is_empty()) {
            let warmup: Vec<&S::Draws> = self.chains().iter().map(|c| &c.warmup_draws).collect();
            groups.insert(
                "warmup_posterior".into(),
                group::<S>(&warmup, &[Role::Latent, Role::Deterministic]),
            );
            // The statistics of the kept warmup iterations (every `thin`-th, as the draws).
            let stats: Vec<Vec<&TransitionStats>> = self
                .chains()
                .iter()
                .map(|c| {
                    c.sampler
                        .warmup_stats
                        .iter()
                        .step_by(c.thin.max(1))
                        .collect()
                })
                .collect();
            groups.insert("warmup_sample_stats".into(), sample_stats(&stats));
        }
        groups.insert("dims".into(), dims::<S>());
        ArvizExport { fit: self, groups }
    }
}

impl<S: ModelSites> ArvizExport<'_, S> {
    /// Adds `log_likelihood` (every observed site's pointwise log-likelihood at every draw,
    /// [`Fit::log_likelihood`]) and `observed_data` (the observed values), so that `az.loo`
    /// and `az.compare` work on the file.
    pub fn log_likelihood<M>(mut self, model: &M) -> Result<Self, ModelError>
    where
        M: Model<Sites = S> + Body<f64>,
    {
        let log_lik = self.fit.log_likelihood(model)?;
        let mut variables = Map::new();
        let mut observed = Map::new();
        let draw = crate::results::observed_data(model)?;
        let mut visitor = ObservedGroups::<S> {
            log_lik: &log_lik,
            draw: &draw,
            lengths: self.chain_lengths(),
            variables: &mut variables,
            observed: &mut observed,
        };
        S::visit(&mut visitor);
        self.groups
            .insert("log_likelihood".into(), Value::Object(variables));
        self.groups
            .insert("observed_data".into(), Value::Object(observed));
        Ok(self)
    }

    /// Adds `posterior_predictive`: the observed sites of Predictive draws made from this fit
    /// (`Predictive::posterior(&fit)`, one draw per posterior draw, so they split into the
    /// fit's chains).
    pub fn posterior_predictive(mut self, predictions: &S::Draws) -> Self {
        let lengths = self.chain_lengths();
        let chains = split_chains::<S>(predictions, &lengths);
        let refs: Vec<&S::Draws> = chains.iter().collect();
        self.groups.insert(
            "posterior_predictive".into(),
            group::<S>(&refs, &[Role::Observed]),
        );
        self
    }

    /// Adds `prior` (latent and deterministic sites) and `prior_predictive` (observed sites)
    /// from prior draws (`Predictive::prior(n)`), as one chain.
    pub fn prior(mut self, draws: &S::Draws) -> Self {
        let chain = [draws];
        self.groups.insert(
            "prior".into(),
            group::<S>(&chain, &[Role::Latent, Role::Deterministic]),
        );
        self.groups.insert(
            "prior_predictive".into(),
            group::<S>(&chain, &[Role::Observed]),
        );
        self
    }

    /// Adds a variable to `constant_data`: data the model was given that are not observed
    /// (covariates, group indices, known scales), as `az.from_numpyro(..., constant_data=...)`
    /// takes them.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn line(x: &[f64], y: &[f64]) {
    ///     let slope = sample!("slope", Normal::new(0.0, 1.0));
    ///     plate!("data", x.len(), |i| {
    ///         sample!("y", Normal::new(slope * x[i], 1.0), obs = y[i]);
    ///     });
    /// }
    ///
    /// let (x, y) = (vec![0.0, 1.0, 2.0], vec![0.1, 0.9, 2.2]);
    /// let fit = Nuts::default().warmup(50).samples(10).chains(2).run(&line(&x, &y))?;
    /// let json = fit.arviz().constant_data("x", &x).dims("x", &["data"]).to_json();
    /// let value: serde_json::Value = serde_json::from_str(&json)?;
    /// assert_eq!(value["constant_data"]["x"][2], 2.0);
    /// assert_eq!(value["dims"]["x"][0], "data");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn constant_data<T: Flatten>(mut self, name: &str, values: &T) -> Self {
        let group = self
            .groups
            .entry("constant_data")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(variables) = group {
            variables.insert(name.into(), values.to_json());
        }
        self
    }

    /// Names the dimensions of variable `name` after its draw and chain dimensions (as
    /// `az.from_numpyro(..., dims=...)`): for a vectorized site, which has no plate to name
    /// them (`.dims("y", &["children"])`), or for constant data. Sites inside plates are
    /// named after their plates already; this replaces those names.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn mean(y: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 10.0));
    ///     sample!("y", batch::Normal::new(mu, 1.0), obs = y);
    /// }
    ///
    /// let y = [0.3, -0.4, 1.1];
    /// let fit = Nuts::default().warmup(50).samples(10).chains(2).run(&mean(&y))?;
    /// let json = fit.arviz().dims("y", &["trial"]).to_json();
    /// let value: serde_json::Value = serde_json::from_str(&json)?;
    /// assert_eq!(value["dims"]["y"][0], "trial");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dims(mut self, name: &str, dims: &[&str]) -> Self {
        if let Some(Value::Object(all)) = self.groups.get_mut("dims") {
            all.insert(name.into(), json!(dims));
        }
        self
    }

    /// The export as JSON text.
    pub fn to_json(&self) -> String {
        Value::Object(self.groups.clone()).to_string()
    }

    fn chain_lengths(&self) -> Vec<usize> {
        self.fit
            .chains()
            .iter()
            .map(|c| c.sampler.stats.len())
            .collect()
    }
}

/// Each site with one of `roles` as `name: [chain][draw]...`.
fn group<M: ModelSites>(chains: &[&M::Draws], roles: &[Role]) -> Value {
    struct Group<'a, M: ModelSites> {
        chains: &'a [&'a M::Draws],
        roles: &'a [Role],
        variables: Map<String, Value>,
    }
    impl<M: ModelSites> SiteVisitor<M> for Group<'_, M> {
        fn site<S: Site<Model = M>>(&mut self) {
            if !self.roles.contains(&S::ROLE) {
                return;
            }
            let chains = self
                .chains
                .iter()
                .map(|draws| Value::Array(S::column(draws).iter().map(Flatten::to_json).collect()))
                .collect();
            self.variables.insert(S::NAME.into(), Value::Array(chains));
        }
    }
    let mut visitor = Group::<M> {
        chains,
        roles,
        variables: Map::new(),
    };
    M::visit(&mut visitor);
    Value::Object(visitor.variables)
}

/// Writes each observed site's log-likelihood, split into chains, and its observed value.
struct ObservedGroups<'a, M: ModelSites> {
    log_lik: &'a M::LogLikelihood,
    draw: &'a M::Draw,
    lengths: Vec<usize>,
    variables: &'a mut Map<String, Value>,
    observed: &'a mut Map<String, Value>,
}

impl<M: ModelSites> SiteVisitor<M> for ObservedGroups<'_, M> {
    fn site<S: Site<Model = M>>(&mut self) {}

    fn sample<S: SampleSite<Model = M>>(&mut self) {
        let Some(column) = S::log_likelihood(self.log_lik) else {
            return;
        };
        let chains = chain_ranges(&self.lengths, column.len())
            .map(|range| Value::Array(column[range].iter().map(Flatten::to_json).collect()))
            .collect();
        self.variables.insert(S::NAME.into(), Value::Array(chains));
        self.observed
            .insert(S::NAME.into(), S::field(self.draw).to_json());
    }
}

/// The index ranges of consecutive chains of the given lengths in a column of `len` entries
/// (a column shorter than the chains gives shorter or empty ranges).
fn chain_ranges(lengths: &[usize], len: usize) -> impl Iterator<Item = core::ops::Range<usize>> {
    lengths.iter().scan(0, move |start, &n| {
        let range = *start..(*start + n).min(len);
        *start = range.end;
        Some(range)
    })
}

/// Draws in the merged order of a fit, split into its chains.
fn split_chains<M: ModelSites>(draws: &M::Draws, lengths: &[usize]) -> Vec<M::Draws> {
    struct Split<'a, M: ModelSites> {
        draws: &'a M::Draws,
        lengths: &'a [usize],
        chains: Vec<M::Draws>,
    }
    impl<M: ModelSites> SiteVisitor<M> for Split<'_, M> {
        fn site<S: Site<Model = M>>(&mut self) {
            let column = S::column(self.draws);
            let ranges = chain_ranges(self.lengths, column.len());
            for (chain, range) in self.chains.iter_mut().zip(ranges) {
                S::column_mut(chain).extend_from_slice(&column[range]);
            }
        }
    }
    let mut visitor = Split::<M> {
        draws,
        lengths,
        chains: lengths.iter().map(|_| M::Draws::default()).collect(),
    };
    M::visit(&mut visitor);
    visitor.chains
}

/// The plate names of every site inside plates, as ArviZ's `dims`.
fn dims<M: ModelSites>() -> Value {
    struct Dims(Map<String, Value>);
    impl<M: ModelSites> SiteVisitor<M> for Dims {
        fn site<S: Site<Model = M>>(&mut self) {
            if !S::PLATES.is_empty() {
                self.0.insert(S::NAME.into(), json!(S::PLATES));
            }
        }
    }
    let mut visitor = Dims(Map::new());
    M::visit(&mut visitor);
    Value::Object(visitor.0)
}

/// A sampler statistic's name in ArviZ and how to read it.
type StatColumn = (&'static str, fn(&TransitionStats) -> Value);

/// The sampler statistics of each chain, as ArviZ names them.
fn sample_stats(chains: &[Vec<&TransitionStats>]) -> Value {
    let stats: [StatColumn; 7] = [
        ("lp", |s| json_number(s.log_density)),
        ("acceptance_rate", |s| json_number(s.acceptance_probability)),
        ("step_size", |s| json_number(s.step_size)),
        ("tree_depth", |s| json!(s.tree_depth)),
        ("n_steps", |s| json!(s.leapfrog_steps)),
        ("diverging", |s| json!(s.divergent)),
        ("energy", |s| json_number(s.energy)),
    ];
    let mut group = Map::new();
    for (name, get) in stats {
        let per_chain = chains
            .iter()
            .map(|c| Value::Array(c.iter().map(|s| get(s)).collect()))
            .collect();
        group.insert(name.into(), Value::Array(per_chain));
    }
    Value::Object(group)
}
