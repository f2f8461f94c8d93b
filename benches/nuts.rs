//! NUTS throughput on non-centered eight schools: one chain of 1000 warmup and 1000 draws per
//! iteration, so draws per second = 1000 / median time.
//!
//! Run: `cargo bench --bench nuts`.

use divan::Bencher;
use model_runtime::prelude::*;

fn main() {
    divan::main();
}

const Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
const SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

#[model(reparam(theta = LocScaleReparam::default()))]
fn eight_schools(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta = sample!("theta", Normal::new(mu, tau));
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

#[divan::bench(sample_count = 20)]
fn eight_schools_one_chain_1000_draws(bencher: Bencher) {
    let model = eight_schools(&Y, &SIGMA);
    let nuts = Nuts::default().chains(1).threads(1);
    let mut seed = 0;
    bencher.bench_local(|| {
        seed += 1;
        nuts.clone().seed(seed).run(&model).unwrap().divergences()
    });
}
