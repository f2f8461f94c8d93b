use model_runtime::prelude::*;

#[model]
fn improper(y: f64) {
    sample!("y", ImproperUniform::new(Support::Real), obs = y);
}

fn main() {}
