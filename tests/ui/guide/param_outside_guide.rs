//! `param!` belongs to guides; a model's unknowns are `sample!` sites.
use model_runtime::prelude::*;

#[model]
fn m(y: f64) {
    let mu = param!("mu", 0.0);
    sample!("y", Normal::new(mu, 1.0), obs = y);
}

fn main() {}
