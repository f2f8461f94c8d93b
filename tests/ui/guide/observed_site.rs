//! A guide draws latent sites only: `y` is observed in the model and cannot be drawn by its
//! guide.
use model_runtime::prelude::*;

#[model]
fn m(y: f64) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    sample!("y", Normal::new(mu, 1.0), obs = y);
}

#[model(guide_for = m)]
fn m_guide() {
    sample!("mu", Normal::new(param!("mu_loc", 0.0), 1.0));
    sample!("y", Normal::new(0.0, 1.0));
}

fn main() {}
