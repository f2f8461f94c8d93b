//! A guide may only draw sites its model has: `sigma` is not a site of `m`.
use model_runtime::prelude::*;

#[model]
fn m(y: f64) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    sample!("y", Normal::new(mu, 1.0), obs = y);
}

#[model(guide_for = m)]
fn m_guide() {
    sample!("mu", Normal::new(param!("mu_loc", 0.0), 1.0));
    sample!("sigma", LogNormal::new(0.0, 1.0));
}

fn main() {}
