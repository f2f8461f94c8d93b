use model_runtime::prelude::*;

#[model]
fn regression(y: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    plate!("data", y.len(), |i| {
        sample!("obs", Normal::new(mu, 1.0), obs = y[i]);
    });
}

fn main() {
    let y = [0.5];
    let _model = regression(&y).reparam(|r| r.mu(ProjectedNormalReparam));
}
