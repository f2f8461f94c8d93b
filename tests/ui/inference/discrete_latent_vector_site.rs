use model_runtime::prelude::*;

#[model]
fn switches(y: &[f64]) {
    let on = sample!("on", batch::Bernoulli::new(0.5).iid(y.len()));
    plate!("data", y.len(), |i| {
        sample!("y", Normal::new(if on[i] { 1.0 } else { 0.0 }, 1.0), obs = y[i]);
    });
}

fn main() {
    let y = [1.0, 2.0];
    let _ = Nuts::default().run(&switches(&y));
}
