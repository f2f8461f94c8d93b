//! A fit as ArviZ's JSON (`arviz.from_json`): one visitor writes every latent and deterministic
//! site as an array of shape (chain, draw, *site shape).

use std::fmt::Write as _;

use crate::inference::TransitionStats;
use crate::results::fit::{ChainFit, Fit};
use crate::site::{Flatten, ModelSites, Role, Site, SiteVisitor, write_json_number};

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
        let mut posterior = Posterior {
            chains: self.chains(),
            out: String::from("{\"posterior\":{"),
            first: true,
        };
        S::visit(&mut posterior);
        let mut out = posterior.out;
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
}

/// A sampler statistic's name in ArviZ and how to read it.
type StatColumn = (&'static str, fn(&TransitionStats) -> f64);

/// Writes each latent and deterministic site as `"name":[[draws of chain 0],[chain 1],...]`.
struct Posterior<'a, S: ModelSites> {
    chains: &'a [ChainFit<S>],
    out: String,
    first: bool,
}

impl<M: ModelSites> SiteVisitor<M> for Posterior<'_, M> {
    fn site<S: Site<Model = M>>(&mut self) {
        if S::ROLE == Role::Observed {
            return;
        }
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        let _ = write!(self.out, "\"{}\":[", S::NAME);
        for (c, chain) in self.chains.iter().enumerate() {
            if c > 0 {
                self.out.push(',');
            }
            S::column(&chain.draws).write_json(&mut self.out);
        }
        self.out.push(']');
    }
}
