use model_runtime::prelude::*;

#[model]
fn malformed() {
    let mu = sample!(mu, Normal::new(0.0, 1.0));
    sample!("y", Normal::new(mu, 1.0), observed = 1.0);
}

fn main() {}
