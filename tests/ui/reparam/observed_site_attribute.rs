use model_runtime::prelude::*;

#[model(reparam(obs = CircularReparam))]
fn circular_regression(x: &[f64], y: Option<&[f64]>) {
    let b = sample!("b", Normal::new(0.0, 1.0));
    plate!("data", x.len(), |i| {
        sample!("obs", VonMises::new(b * x[i], 4.0), obs = y.map(|y| y[i]));
    });
}

fn main() {}
