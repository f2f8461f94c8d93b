use model_runtime::prelude::*;

#[model]
fn model_a() {
    sample!("mu", Normal::new(0.0, 1.0));
}

#[model]
fn model_b() {
    sample!("mu", Normal::new(0.0, 1.0));
}

fn main() {
    let posterior_a = model_a::Draws::default();
    let _ = Predictive::posterior(&posterior_a).run(&model_b());
}
