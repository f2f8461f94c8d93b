use model_runtime::prelude::*;

#[model]
fn hidden_type() {
    let prior = Normal::new(0.0, 1.0);
    sample!("x", prior);
    sample!("z", Normal::new(0.0, 1.0)?);
}

fn main() {}
