use model_runtime::prelude::*;

fn not_a_model() -> f64 {
    sample!("mu", Normal::new(0.0, 1.0))
}

fn main() {
    let _ = not_a_model();
}
