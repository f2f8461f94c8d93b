//! A guide must draw every latent site of its model: `tau` is not drawn here.
use model_runtime::prelude::*;

#[model]
fn m(y: f64) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    let tau = sample!("tau", HalfNormal::new(1.0));
    sample!("y", Normal::new(mu, tau), obs = y);
}

#[model(guide_for = m)]
fn m_guide() {
    sample!("mu", Normal::new(param!("mu_loc", 0.0), 1.0));
}

fn main() {}
