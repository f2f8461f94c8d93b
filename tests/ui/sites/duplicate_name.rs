use model_runtime::prelude::*;

#[model]
fn twice(y: f64) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    let mu2 = sample!("mu", Normal::new(mu, 1.0));
    sample!("y", Normal::new(mu2, 1.0), obs = y);
}

fn main() {}
