// A plate takes one named argument, `subsample`.
use model_runtime::prelude::*;

#[model]
fn mean(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    plate!("data", y.len(), batch = 100, |i| {
        sample!("y", Normal::new(mu, 1.0), obs = y[i]);
    });
}

fn main() {}
