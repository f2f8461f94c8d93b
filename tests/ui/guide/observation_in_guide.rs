//! A guide has no observations: the data belong in the model.
use model_runtime::prelude::*;

#[model]
fn m(y: f64) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    sample!("y", Normal::new(mu, 1.0), obs = y);
}

#[model(guide_for = m)]
fn m_guide(y: f64) {
    let mu = sample!("mu", Normal::new(param!("loc", 0.0), 1.0));
    sample!("y", Normal::new(mu, 1.0), obs = y);
}

fn main() {}
