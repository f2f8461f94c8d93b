//! The guide's draw of a site must have the model site's type: `theta` is one value per plate
//! element in the model, a single value in this guide.
use model_runtime::prelude::*;

#[model]
fn m(y: &[f64]) {
    plate!("data", y.len(), |i| {
        let theta = sample!("theta", Normal::new(0.0, 1.0));
        sample!("y", Normal::new(theta, 1.0), obs = y[i]);
    });
}

#[model(guide_for = m)]
fn m_guide() {
    sample!("theta", Normal::new(param!("loc", 0.0), 1.0));
}

fn main() {}
