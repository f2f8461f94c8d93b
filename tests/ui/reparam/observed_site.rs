// The configuration that crashes NumPyro's Predictive: CircularReparam on the observed VonMises
// likelihood. Here it does not compile.
use model_runtime::prelude::*;

#[model]
fn circular_regression(x: &[f64], y: Option<&[f64]>) {
    let b = sample!("b", Normal::new(0.0, 1.0));
    let sigma = sample!("sigma", Exponential::new(1.0));
    let kappa = 1.0 / (sigma * sigma);
    plate!("data", x.len(), |i| {
        sample!("obs", VonMises::new(b * x[i], kappa), obs = y.map(|y| y[i]));
    });
}

fn main() {
    let (x, y) = ([0.1, 0.2], [1.0, 1.1]);
    let _model = circular_regression(&x, Some(&y)).reparam(|r| r.obs(CircularReparam));
}
