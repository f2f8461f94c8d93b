//! The cost of turning one sampler position into a stored typed draw, as a fit does after
//! sampling: mapping to constrained values (`Model::constrain`) and appending to the columns,
//! keeping the latent and deterministic sites.
//!
//! Run: `cargo bench --bench collect`. `push_*` times the append alone on a model with many
//! sites, where a per-site lookup shows most.

use divan::{Bencher, black_box};
use model_runtime::prelude::*;
use model_runtime::site::{Columns, ModelSites, Role, SiteSet};
use model_suite::posteriordb::eight_schools_noncentered;
use model_suite::{EIGHT_SCHOOLS_SIGMA, EIGHT_SCHOOLS_Y};

fn main() {
    divan::main();
}

/// Sixteen scalar sites and one observed plate: the append's cost per site.
#[model]
fn many_sites(y: &[f64]) {
    let a0 = sample!("a0", Normal::new(0.0, 1.0));
    let a1 = sample!("a1", Normal::new(0.0, 1.0));
    let a2 = sample!("a2", Normal::new(0.0, 1.0));
    let a3 = sample!("a3", Normal::new(0.0, 1.0));
    let a4 = sample!("a4", Normal::new(0.0, 1.0));
    let a5 = sample!("a5", Normal::new(0.0, 1.0));
    let a6 = sample!("a6", Normal::new(0.0, 1.0));
    let a7 = sample!("a7", Normal::new(0.0, 1.0));
    let s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    deterministic!("d0", s);
    deterministic!("d1", s * 2.0);
    deterministic!("d2", s * 3.0);
    deterministic!("d3", s * 4.0);
    deterministic!("d4", a0 - a1);
    deterministic!("d5", a2 - a3);
    deterministic!("d6", a4 - a5);
    deterministic!("d7", a6 - a7);
    plate!("data", y.len(), |i| {
        sample!("y", Normal::new(s, 1.0), obs = y[i]);
    });
}

const DRAWS: usize = 1000;

#[divan::bench]
fn eight_schools_constrain_and_push(bencher: Bencher) {
    let model = eight_schools_noncentered(&EIGHT_SCHOOLS_Y, &EIGHT_SCHOOLS_SIGMA);
    let positions: Vec<Vec<f64>> = (0..DRAWS)
        .map(|d| {
            (0..10)
                .map(|j| ((d * 10 + j) as f64 * 0.37).sin())
                .collect()
        })
        .collect();
    bencher.bench_local(|| {
        let mut columns = eight_schools_noncentered::Draws::default();
        for u in &positions {
            let draw = model.constrain(black_box(u)).expect("finite");
            collect::<eight_schools_noncentered::Sites>(&mut columns, draw);
        }
        black_box(columns)
    });
}

#[divan::bench]
fn push_many_sites(bencher: Bencher) {
    let y = [0.5; 4];
    let model = many_sites(&y);
    let draw = model
        .constrain(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
        .expect("finite");
    bencher.bench_local(|| {
        let mut columns = many_sites::Draws::default();
        for _ in 0..DRAWS {
            collect::<many_sites::Sites>(&mut columns, black_box(draw.clone()));
        }
        black_box(columns)
    });
}

/// Appends a draw keeping its latent and deterministic sites, as a fit does.
fn collect<M: ModelSites>(columns: &mut M::Draws, draw: M::Draw) {
    let keep = SiteSet::<M>::with_roles(&[Role::Latent, Role::Deterministic]);
    columns.push_selected(draw, &keep);
}
