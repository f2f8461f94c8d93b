//! A guide's sites are drawn by reparameterized samplers, so that the ELBO's gradient flows
//! through the draws; `Gamma` has none.
use model_runtime::prelude::*;

#[model]
fn m(y: f64) {
    let rate = sample!("rate", Gamma::new(2.0, 1.0));
    sample!("y", Exponential::new(rate), obs = y);
}

#[model(guide_for = m)]
fn m_guide() {
    let shape = param!("shape", 2.0, constraint = Support::Positive);
    sample!("rate", Gamma::new(shape, 1.0));
}

fn main() {}
