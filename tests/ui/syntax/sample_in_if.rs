use model_runtime::prelude::*;

#[model]
fn branching(flag: bool) {
    if flag {
        sample!("x", Normal::new(0.0, 1.0));
    }
}

fn main() {}
