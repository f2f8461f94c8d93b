use model_runtime::prelude::*;

#[model(reparam(rate = LocScaleReparam::default()))]
fn counts(y: &[u64]) {
    let rate = sample!("rate", Gamma::new(2.0, 1.0));
    plate!("data", y.len(), |i| {
        sample!("obs", Poisson::new(rate), obs = y[i]);
    });
}

fn main() {}
