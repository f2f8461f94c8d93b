//! A model's sites as a table, read from its typed sites and one run of its prior
//! ([`Model::describe`](crate::model::Model::describe)): what a user checks before fitting.

use core::fmt;

use crate::distribution::Distribution;
use crate::error::ModelError;
use crate::handler::{DeterministicMsg, Handler, SampleMsg, forward_handler};
use crate::scalar::Scalar;
use crate::site::{DeterministicSite, Flatten, ModelSites, Role, SampleSite, Site, SiteVisitor};

/// One site of a [`Description`].
#[derive(Debug, Clone, PartialEq)]
pub struct SiteDescription {
    /// The site's name.
    pub name: &'static str,
    /// Its role.
    pub role: Role,
    /// Its distribution family (`None` for a deterministic site).
    pub distribution: Option<&'static str>,
    /// Its support, as printed (`(0, ∞)`), from the distribution of its first element.
    pub support: Option<String>,
    /// Its shape in one draw: one length per plate, outermost first, then the length of a
    /// vector value; empty for a scalar.
    pub shape: Vec<usize>,
    /// Its reparameterizer (`None` when the site is explored as it is).
    pub reparam: Option<String>,
}

/// The sites of a model with their roles, distributions, supports, shapes and
/// reparameterizers, in program order. Its [`Display`](fmt::Display) form is a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// The model's name.
    pub model: &'static str,
    /// One entry per site, in program order.
    pub sites: Vec<SiteDescription>,
}

/// What a sample site's first message says: its distribution, support and reparameterizer.
#[derive(Debug, Clone)]
struct Seen {
    distribution: &'static str,
    support: String,
    reparam: Option<String>,
}

/// Records, for each site, what its first message says.
pub(crate) struct Describe<H> {
    inner: H,
    seen: Vec<Option<Seen>>,
}

impl<H> Describe<H> {
    pub(crate) fn new(inner: H, sites: usize) -> Self {
        Describe {
            inner,
            seen: vec![None; sites],
        }
    }
}

impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for Describe<H> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        self.inner.sample::<S, D>(msg)?;
        let entry = &mut self.seen[S::INDEX];
        if entry.is_none() {
            let reparam = msg.reparam.map(|r| r.to_string());
            *entry = Some(Seen {
                distribution: D::NAME,
                support: msg.dist.support().to_string(),
                reparam,
            });
        }
        Ok(())
    }

    forward_handler!(factor);

    fn deterministic<S>(&mut self, msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        self.inner.deterministic::<S>(msg)
    }
    forward_handler!(subsample, param, enter, enumeration);
}

impl Description {
    /// The description of the sites of `M`, from what [`Describe`] saw and a traced draw.
    pub(crate) fn of<M: ModelSites, H>(describe: Describe<H>, draw: &M::Draw) -> Self {
        struct Rows<'a, M: ModelSites> {
            seen: Vec<Option<Seen>>,
            draw: &'a M::Draw,
            sites: Vec<SiteDescription>,
        }
        impl<M: ModelSites> SiteVisitor<M> for Rows<'_, M> {
            fn site<S: Site<Model = M>>(&mut self) {
                let seen = self.seen[S::INDEX].take();
                let (distribution, support, reparam) = match seen {
                    Some(seen) => (Some(seen.distribution), Some(seen.support), seen.reparam),
                    None => (None, None, None),
                };
                let mut shape = Vec::new();
                S::field(self.draw).dims_into(0, &mut shape);
                self.sites.push(SiteDescription {
                    name: S::NAME,
                    role: S::ROLE,
                    distribution,
                    support,
                    shape,
                    reparam,
                });
            }
        }
        let mut rows = Rows::<M> {
            seen: describe.seen,
            draw,
            sites: Vec::new(),
        };
        M::visit(&mut rows);
        Description {
            model: M::NAME,
            sites: rows.sites,
        }
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dash = || "-".to_string();
        let rows: Vec<[String; 6]> = self
            .sites
            .iter()
            .map(|s| {
                let role = match s.role {
                    Role::Latent => "latent",
                    Role::Observed => "observed",
                    Role::Deterministic => "deterministic",
                };
                let shape = if s.shape.is_empty() {
                    "scalar".to_string()
                } else {
                    let dims: Vec<String> = s.shape.iter().map(usize::to_string).collect();
                    format!("[{}]", dims.join(", "))
                };
                [
                    s.name.to_string(),
                    role.to_string(),
                    s.distribution.map_or_else(dash, str::to_string),
                    s.support.clone().unwrap_or_else(dash),
                    shape,
                    s.reparam.clone().unwrap_or_else(dash),
                ]
            })
            .collect();
        let headings = [
            "site",
            "role",
            "distribution",
            "support",
            "shape",
            "reparam",
        ];
        let widths: Vec<usize> = (0..6)
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].chars().count())
                    .chain([headings[c].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        writeln!(f, "model `{}`: {} sites", self.model, self.sites.len())?;
        let line = |cells: &[&str]| -> String {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            format!("  {}", padded.join("  ").trim_end())
        };
        writeln!(f, "{}", line(&headings))?;
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            writeln!(f, "{}", line(&cells))?;
        }
        Ok(())
    }
}
