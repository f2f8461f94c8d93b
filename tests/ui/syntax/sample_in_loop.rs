use model_runtime::prelude::*;

#[model]
fn looped(y: &[f64]) {
    for i in 0..y.len() {
        sample!("y", Normal::new(0.0, 1.0), obs = y[i]);
    }
}

fn main() {}
