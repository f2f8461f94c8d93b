// A latent site inside a subsampled plate: each batch would bring new latent variables, and
// the guide would have to subsample its parameters too.
use model_runtime::prelude::*;

#[model]
fn groups(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    plate!("data", y.len(), subsample = 100, |i| {
        let z = sample!("z", Normal::new(mu, 1.0));
        sample!("y", Normal::new(z, 1.0), obs = y[i]);
    });
}

fn main() {}
