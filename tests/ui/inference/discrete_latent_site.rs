use model_runtime::prelude::*;

#[model]
fn mixture_indicator(y: &[f64]) {
    let rate = sample!("rate", Gamma::new(2.0, 1.0));
    let count = sample!("count", Poisson::new(rate));
    plate!("data", y.len(), |i| {
        sample!("y", Normal::new(count as f64, 1.0), obs = y[i]);
    });
}

fn main() {
    let y = [1.0, 2.0];
    let _ = Nuts::default().run(&mixture_indicator(&y));
}
