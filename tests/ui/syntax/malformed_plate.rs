use model_runtime::prelude::*;

#[model]
fn malformed(y: &[f64]) {
    plate!("data", y.len(), {
        sample!("y", Normal::new(0.0, 1.0));
    });
}

fn main() {}
