use model_runtime::prelude::*;

#[model(reparam(phse = CircularReparam))]
fn phase_model(y: &[f64]) {
    let phase = sample!("phase", VonMises::new(0.0, 1.0));
    plate!("data", y.len(), |i| {
        sample!("obs", VonMises::new(phase, 4.0), obs = y[i]);
    });
}

fn main() {}
