//! Log density and gradient through `#[model]` against hand-written analytic Rust for the same
//! model, in one process, with heap allocations counted per evaluation.
//!
//! Run: `cargo bench --bench gradients`. The ratio of interest is the median time of
//! `*::model_gradient` over `*::hand_written` of the same model.

use divan::{AllocProfiler, Bencher, black_box};
use model_runtime::autodiff::Var;
use model_runtime::inference::GradientTarget;
use model_runtime::linalg::{Matrix, dot};
use model_runtime::prelude::*;
use model_runtime::results::model_target::ModelTarget;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    eight_schools::check_agreement();
    logistic::check_agreement();
    hierarchical::check_agreement();
    gauss_mix::check_agreement();
    regression::check_agreement();
    divan::main();
}

/// Times the target's log density and gradient at `u`, after one evaluation that warms its tape.
fn bench_gradient(bencher: Bencher, target: &mut impl GradientTarget, u: &[f64]) {
    let mut g = vec![0.0; u.len()];
    target.log_density_and_gradient(u, &mut g).unwrap();
    bencher.bench_local(|| {
        target
            .log_density_and_gradient(black_box(u), &mut g)
            .unwrap()
    });
}

/// Asserts that the hand-written and the model's log density and gradient agree, so the
/// benchmark compares like with like.
fn assert_same(name: &str, model: (f64, &[f64]), hand: (f64, &[f64])) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    assert!(
        close(model.0, hand.0),
        "{name}: log density {} vs {}",
        model.0,
        hand.0
    );
    for (i, (a, b)) in model.1.iter().zip(hand.1).enumerate() {
        assert!(close(*a, *b), "{name}: gradient[{i}] {a} vs {b}");
    }
}

mod eight_schools {
    use super::*;

    use model_suite::{EIGHT_SCHOOLS_SIGMA as SIGMA, EIGHT_SCHOOLS_Y as Y};
    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

    /// The shared eight schools, non-centered.
    fn noncentered() -> impl Body<f64> + Body<Var> {
        model_suite::eight_schools(&Y, &SIGMA).reparam(|r| r.theta(LocScaleReparam::default()))
    }

    /// The same model written vectorized, as a NumPyro user writes it: `theta_trans` one
    /// statement, the likelihood over the lazy `mu + tau · theta_trans`.
    #[model]
    fn vectorized(y: &[f64], sigma: &[f64]) {
        let mu = sample!("mu", Normal::new(0.0, 5.0));
        let tau = sample!("tau", HalfCauchy::new(5.0));
        let theta_trans = sample!("theta_trans", batch::Normal::new(0.0, 1.0).iid(y.len()));
        sample!(
            "y",
            batch::Normal::new(mu + tau * vector(&theta_trans), sigma),
            obs = y
        );
    }

    /// Non-centered eight schools at u = [mu, ln tau, z_1..z_8], written out by hand.
    fn hand_written(u: &[f64], g: &mut [f64]) -> f64 {
        let (mu, log_tau) = (u[0], u[1]);
        let tau = log_tau.exp();
        let mut lp = -0.5 * (mu / 5.0).powi(2) - 5f64.ln() - LN_SQRT_2PI;
        let t = tau / 5.0;
        lp += (2.0 / (std::f64::consts::PI * 5.0)).ln() - t.ln_1p_square() + log_tau;
        g[0] = -mu / 25.0;
        g[1] = -2.0 * t * t / (1.0 + t * t) + 1.0;
        for j in 0..8 {
            let z = u[2 + j];
            let r = Y[j] - mu - tau * z;
            let precision = 1.0 / (SIGMA[j] * SIGMA[j]);
            lp += -0.5 * z * z - LN_SQRT_2PI;
            lp += -0.5 * r * r * precision - SIGMA[j].ln() - LN_SQRT_2PI;
            g[0] += r * precision;
            g[1] += r * precision * z * tau;
            g[2 + j] = -z + r * precision * tau;
        }
        lp
    }

    trait Ln1pSquare {
        fn ln_1p_square(self) -> f64;
    }
    impl Ln1pSquare for f64 {
        fn ln_1p_square(self) -> f64 {
            (self * self).ln_1p()
        }
    }

    fn position() -> Vec<f64> {
        let mut u = vec![4.0, 1.2];
        u.extend((0..8).map(|j| -1.0 + 0.3 * j as f64));
        u
    }

    pub fn check_agreement() {
        let model = noncentered();
        let mut target = ModelTarget::new(&model).unwrap();
        let u = position();
        let (mut gm, mut gh) = (vec![0.0; 10], vec![0.0; 10]);
        let lm = target.log_density_and_gradient(&u, &mut gm).unwrap();
        let lh = hand_written(&u, &mut gh);
        assert_same("eight schools", (lm, &gm), (lh, &gh));
        let model = vectorized(&Y, &SIGMA);
        let mut target = ModelTarget::new(&model).unwrap();
        let lm = target.log_density_and_gradient(&u, &mut gm).unwrap();
        assert_same("eight schools, vectorized", (lm, &gm), (lh, &gh));
    }

    #[divan::bench]
    fn model_gradient_vectorized(bencher: Bencher) {
        let model = vectorized(&Y, &SIGMA);
        bench_gradient(bencher, &mut ModelTarget::new(&model).unwrap(), &position());
    }

    #[divan::bench]
    fn model_gradient(bencher: Bencher) {
        let model = noncentered();
        bench_gradient(bencher, &mut ModelTarget::new(&model).unwrap(), &position());
    }

    #[divan::bench]
    fn model_log_density(bencher: Bencher) {
        let model = noncentered();
        let u = position();
        bencher.bench_local(|| model.log_density(black_box(&u[..])).unwrap());
    }

    #[divan::bench]
    fn hand_written_gradient(bencher: Bencher) {
        let u = position();
        let mut g = vec![0.0; u.len()];
        bencher.bench_local(|| hand_written(black_box(&u), &mut g));
    }
}

mod logistic {
    use super::*;

    struct Data {
        x: Vec<Vec<f64>>,
        y: Vec<bool>,
    }

    fn data() -> Data {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/anchors/logistic.json");
        let json = model_suite::read_json(path).unwrap();
        let x = json["X"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect()
            })
            .collect();
        let y = json["y"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap() == 1)
            .collect();
        Data { x, y }
    }

    /// Written naturally with vectorized sites: one statement (and one autodiff node) for the
    /// coefficients and one for the likelihood over `X β + α`.
    #[model]
    fn logistic_vectorized(x: &Matrix, y: &[bool]) {
        let alpha = sample!("alpha", Normal::new(0.0, 5.0));
        let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
        sample!(
            "y",
            batch::Bernoulli::from_logits(x.matvec(&beta) + alpha),
            obs = y
        );
    }

    /// Written element by element in plates.
    #[model]
    fn logistic(x: &[Vec<f64>], y: &[bool]) {
        let alpha = sample!("alpha", Normal::new(0.0, 5.0));
        let mut beta = Vec::with_capacity(x[0].len());
        plate!("features", x[0].len(), |d| {
            beta.push(sample!("beta", Normal::new(0.0, 1.0)));
        });
        plate!("data", x.len(), |i| {
            let eta = x[i]
                .iter()
                .zip(&beta)
                .fold(alpha, |acc, (x, b)| acc + *b * *x);
            sample!("y", Bernoulli::from_logits(eta), obs = y[i]);
        });
    }

    /// The same with the linear predictor as one `dot` node per row over a data `Matrix`.
    #[model]
    fn logistic_dot(x: &Matrix, y: &[bool]) {
        let alpha = sample!("alpha", Normal::new(0.0, 5.0));
        let beta = plate!("features", x.cols(), |d| sample!(
            "beta",
            Normal::new(0.0, 1.0)
        ));
        plate!("data", x.rows(), |i| {
            sample!(
                "y",
                Bernoulli::from_logits(alpha + dot(x.row(i), &beta)),
                obs = y[i]
            );
        });
    }

    fn hand_written(data: &Data, u: &[f64], g: &mut [f64]) -> f64 {
        const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
        let alpha = u[0];
        let beta = &u[1..];
        let mut lp = -0.5 * (alpha / 5.0).powi(2) - 5f64.ln() - LN_SQRT_2PI;
        g[0] = -alpha / 25.0;
        for (d, b) in beta.iter().enumerate() {
            lp += -0.5 * b * b - LN_SQRT_2PI;
            g[1 + d] = -b;
        }
        for (row, &y) in data.x.iter().zip(&data.y) {
            let eta = alpha + row.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>();
            // log sigmoid(eta) if y else log sigmoid(-eta); residual y - sigmoid(eta)
            let s = model_runtime::special::sigmoid(eta);
            lp -= model_runtime::special::ln_1p_exp(if y { -eta } else { eta });
            let residual = if y { 1.0 - s } else { -s };
            g[0] += residual;
            for (gd, x) in g[1..].iter_mut().zip(row) {
                *gd += residual * x;
            }
        }
        lp
    }

    fn position(d: usize) -> Vec<f64> {
        (0..=d).map(|k| 0.05 * (k as f64) - 0.4).collect()
    }

    pub fn check_agreement() {
        let data = data();
        let model = logistic(&data.x, &data.y);
        let mut target = ModelTarget::new(&model).unwrap();
        let u = position(data.x[0].len());
        let (mut gm, mut gh) = (vec![0.0; u.len()], vec![0.0; u.len()]);
        let lm = target.log_density_and_gradient(&u, &mut gm).unwrap();
        let lh = hand_written(&data, &u, &mut gh);
        assert_same("logistic", (lm, &gm), (lh, &gh));
        let x = Matrix::from_rows(&data.x).unwrap();
        let dot_model = logistic_dot(&x, &data.y);
        let mut target = ModelTarget::new(&dot_model).unwrap();
        let ld = target.log_density_and_gradient(&u, &mut gm).unwrap();
        assert_same("logistic with dot", (ld, &gm), (lh, &gh));
        let vectorized = logistic_vectorized(&x, &data.y);
        let mut target = ModelTarget::new(&vectorized).unwrap();
        let lv = target.log_density_and_gradient(&u, &mut gm).unwrap();
        assert_same("vectorized logistic", (lv, &gm), (lh, &gh));
        let packed = simd::pack(&data.x, &data.y);
        let ls = simd::gradient(&packed, &u, &mut gm, &mut Vec::new());
        assert_same("hand-written SIMD logistic", (ls, &gm), (lh, &gh));
    }

    #[divan::bench]
    fn model_gradient_vectorized(bencher: Bencher) {
        let data = data();
        let x = Matrix::from_rows(&data.x).unwrap();
        let model = logistic_vectorized(&x, &data.y);
        bench_gradient(
            bencher,
            &mut ModelTarget::new(&model).unwrap(),
            &position(data.x[0].len()),
        );
    }

    #[divan::bench]
    fn model_gradient(bencher: Bencher) {
        let data = data();
        let model = logistic(&data.x, &data.y);
        bench_gradient(
            bencher,
            &mut ModelTarget::new(&model).unwrap(),
            &position(data.x[0].len()),
        );
    }

    #[divan::bench]
    fn model_gradient_dot(bencher: Bencher) {
        let data = data();
        let x = Matrix::from_rows(&data.x).unwrap();
        let model = logistic_dot(&x, &data.y);
        bench_gradient(
            bencher,
            &mut ModelTarget::new(&model).unwrap(),
            &position(data.x[0].len()),
        );
    }

    #[divan::bench]
    fn hand_written_gradient(bencher: Bencher) {
        let data = data();
        let u = position(data.x[0].len());
        let mut g = vec![0.0; u.len()];
        bencher.bench_local(|| hand_written(&data, black_box(&u), &mut g));
    }

    /// The fastest hand-written version: the rows packed in blocks of `B` (each block column
    /// by column), one pass per block computing `η`, the log density and `Xᵀ ∂η` in
    /// registers, with vectorized `exp`/`ln` at the CPU's widest vector width.
    pub mod simd {
        use model_runtime::vector_math::{Kernel, dispatch, lanes};

        const B: usize = 16;

        pub struct Packed {
            blocks: Vec<[f64; B]>,
            y: Vec<[f64; B]>,
            valid: Vec<[f64; B]>,
            cols: usize,
        }

        pub fn pack(x: &[Vec<f64>], y: &[bool]) -> Packed {
            let cols = x[0].len();
            let nb = x.len().div_ceil(B);
            let mut blocks = vec![[0.0; B]; nb * cols];
            let mut ys = vec![[0.0; B]; nb];
            let mut valid = vec![[0.0; B]; nb];
            for (i, (row, &yi)) in x.iter().zip(y).enumerate() {
                for (j, v) in row.iter().enumerate() {
                    blocks[(i / B) * cols + j][i % B] = *v;
                }
                ys[i / B][i % B] = f64::from(u8::from(yi));
                valid[i / B][i % B] = 1.0;
            }
            Packed {
                blocks,
                y: ys,
                valid,
                cols,
            }
        }

        struct Pass<'a> {
            p: &'a Packed,
            alpha: f64,
            beta: &'a [f64],
            acc: &'a mut [[f64; B]],
        }

        /// Blocks whose share of `Xᵀ r` is added at once, each column's sums kept in registers
        /// across them.
        const CHUNK: usize = 8;

        /// `α + Σ_j β_j column_j` over one block, in four chains of multiply-adds so that their
        /// latencies overlap.
        #[inline(always)]
        fn eta(block: &[[f64; B]], beta: &[f64], alpha: f64) -> [f64; B] {
            let mut chains = [[0.0; B]; 4];
            chains[0] = [alpha; B];
            let (groups, tail) = block.as_chunks::<4>();
            let (beta_groups, beta_tail) = beta[..block.len()].as_chunks::<4>();
            for (group, b) in groups.iter().zip(beta_groups) {
                for c in 0..4 {
                    for k in 0..B {
                        chains[c][k] = group[c][k].mul_add(b[c], chains[c][k]);
                    }
                }
            }
            for (column, &b) in tail.iter().zip(beta_tail) {
                for k in 0..B {
                    chains[0][k] = column[k].mul_add(b, chains[0][k]);
                }
            }
            // A plain loop: a closure passed to `array::from_fn` may be compiled apart, without
            // the vector units' features.
            let mut eta = [0.0; B];
            for k in 0..B {
                eta[k] = (chains[0][k] + chains[1][k]) + (chains[2][k] + chains[3][k]);
            }
            eta
        }

        impl Pass<'_> {
            /// Block `b`'s log densities (added to `lp`) and residuals `y - σ(η)`.
            #[inline(always)]
            fn residuals(&self, b: usize, lp: &mut [f64; B]) -> [f64; B] {
                let cols = self.p.cols;
                let block = &self.p.blocks[b * cols..(b + 1) * cols];
                let (y, valid) = (&self.p.y[b], &self.p.valid[b]);
                let eta = eta(block, self.beta, self.alpha);
                let mut r = [0.0; B];
                for k in 0..B {
                    let e = lanes::exp(-eta[k].abs());
                    let (softplus, inv) = lanes::ln_1p_recip(e);
                    let t = if y[k] > 0.5 { eta[k] } else { -eta[k] };
                    let negative = if t < 0.0 { -t } else { 0.0 };
                    lp[k] -= valid[k] * (negative + softplus);
                    let sigmoid = if eta[k] >= 0.0 { inv } else { e * inv };
                    r[k] = valid[k] * (y[k] - sigmoid);
                }
                r
            }
        }

        /// `acc_j += Σ_q Σ_k column_j(block q)[k] · r[q][k]` over `N` consecutive blocks.
        #[inline(always)]
        fn transpose_times<const N: usize>(
            blocks: &[[f64; B]],
            r: &[[f64; B]],
            acc: &mut [[f64; B]],
        ) {
            let cols = acc.len();
            let r: &[[f64; B]; N] = r[..N].try_into().expect("N residual blocks");
            for (j, acc) in acc.iter_mut().enumerate() {
                let mut a = *acc;
                for q in 0..N {
                    let column = &blocks[q * cols + j];
                    for k in 0..B {
                        a[k] = column[k].mul_add(r[q][k], a[k]);
                    }
                }
                *acc = a;
            }
        }

        impl Kernel for Pass<'_> {
            type Output = ([f64; B], [f64; B]);
            #[inline(always)]
            fn run(self) -> Self::Output {
                let (mut lp, mut d_alpha) = ([0.0; B], [0.0; B]);
                let cols = self.p.cols;
                let blocks = self.p.y.len();
                let mut start = 0;
                while start < blocks {
                    let count = CHUNK.min(blocks - start);
                    let mut r = [[0.0; B]; CHUNK];
                    for (q, r) in r.iter_mut().enumerate().take(count) {
                        *r = self.residuals(start + q, &mut lp);
                        for k in 0..B {
                            d_alpha[k] += r[k];
                        }
                    }
                    let chunk = &self.p.blocks[start * cols..(start + count) * cols];
                    if count == CHUNK {
                        transpose_times::<CHUNK>(chunk, &r, self.acc);
                    } else {
                        for q in 0..count {
                            let block = &chunk[q * cols..(q + 1) * cols];
                            transpose_times::<1>(block, &r[q..], self.acc);
                        }
                    }
                    start += count;
                }
                (lp, d_alpha)
            }
        }

        pub fn gradient(p: &Packed, u: &[f64], g: &mut [f64], acc: &mut Vec<[f64; B]>) -> f64 {
            const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
            let (alpha, beta) = (u[0], &u[1..]);
            acc.clear();
            acc.resize(p.cols, [0.0; B]);
            let (lp, d_alpha) = dispatch(Pass {
                p,
                alpha,
                beta,
                acc,
            });
            let mut total =
                lp.iter().sum::<f64>() - 0.5 * (alpha / 5.0).powi(2) - 5f64.ln() - LN_SQRT_2PI;
            g[0] = d_alpha.iter().sum::<f64>() - alpha / 25.0;
            for (d, b) in beta.iter().enumerate() {
                total += -0.5 * b * b - LN_SQRT_2PI;
                g[1 + d] = acc[d].iter().sum::<f64>() - b;
            }
            total
        }
    }

    #[divan::bench]
    fn hand_written_simd_gradient(bencher: Bencher) {
        let data = data();
        let packed = simd::pack(&data.x, &data.y);
        let u = position(data.x[0].len());
        let mut g = vec![0.0; u.len()];
        let mut acc = Vec::new();
        bencher.bench_local(|| simd::gradient(&packed, black_box(&u), &mut g, &mut acc));
    }
}

mod hierarchical {
    use super::*;

    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

    pub struct Data {
        pub group: Vec<usize>,
        pub x: Vec<f64>,
        pub y: Vec<f64>,
        pub groups: usize,
    }

    pub fn data() -> Data {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/anchors/hier.json");
        let json = model_suite::read_json(path).unwrap();
        let floats = |key: &str| -> Vec<f64> {
            json[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        Data {
            group: json["group"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect(),
            x: floats("x"),
            y: floats("y"),
            groups: json["J"].as_u64().unwrap() as usize,
        }
    }

    /// The anchor's non-centred hierarchical regression, vectorized as a NumPyro user writes
    /// it: `y ~ Normal(mu_a + sigma_a z[group] + b x, sigma_y)`.
    #[model]
    fn hierarchical(group: &[usize], x: &[f64], y: &[f64], groups: usize) {
        let mu_a = sample!("mu_a", Normal::new(0.0, 10.0));
        let sigma_a = sample!("sigma_a", HalfNormal::new(5.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(groups));
        let b = sample!("b", Normal::new(0.0, 10.0));
        let sigma_y = sample!("sigma_y", HalfNormal::new(5.0));
        sample!(
            "y",
            batch::Normal::new(mu_a + sigma_a * gather(&z, group) + b * vector(x), sigma_y),
            obs = y
        );
    }

    /// The same model with the group intercepts gathered as NumPyro writes them
    /// (`alpha = mu_a + sigma_a * z; alpha[group]`): evaluated once per group.
    #[model]
    fn hierarchical_gathered(group: &[usize], x: &[f64], y: &[f64], groups: usize) {
        let mu_a = sample!("mu_a", Normal::new(0.0, 10.0));
        let sigma_a = sample!("sigma_a", HalfNormal::new(5.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(groups));
        let b = sample!("b", Normal::new(0.0, 10.0));
        let sigma_y = sample!("sigma_y", HalfNormal::new(5.0));
        let alpha = (mu_a + sigma_a * vector(&z)).gather(group);
        sample!(
            "y",
            batch::Normal::new(alpha + b * vector(x), sigma_y),
            obs = y
        );
    }

    /// Log density of a half-normal of scale `s` at `v`, and its derivative in `v`.
    fn half_normal(v: f64, s: f64) -> (f64, f64) {
        (
            std::f64::consts::LN_2 - s.ln() - LN_SQRT_2PI - 0.5 * (v / s).powi(2),
            -v / (s * s),
        )
    }

    /// The same log density at u = [mu_a, ln sigma_a, z_1..z_J, b, ln sigma_y], written out
    /// by hand: one pass over the rows with the scale's reciprocal and logarithm hoisted.
    pub fn hand_written(d: &Data, u: &[f64], g: &mut [f64]) -> f64 {
        let j = d.groups;
        let (mu_a, log_sa) = (u[0], u[1]);
        let sa = log_sa.exp();
        let z = &u[2..2 + j];
        let b = u[2 + j];
        let log_sy = u[3 + j];
        let sy = log_sy.exp();
        let mut lp = -0.5 * (mu_a / 10.0).powi(2) - 10f64.ln() - LN_SQRT_2PI;
        g[0] = -mu_a / 100.0;
        let (l, dl) = half_normal(sa, 5.0);
        lp += l + log_sa;
        let mut d_sa = dl;
        for (k, &zk) in z.iter().enumerate() {
            lp += -0.5 * zk * zk - LN_SQRT_2PI;
            g[2 + k] = -zk;
        }
        lp += -0.5 * (b / 10.0).powi(2) - 10f64.ln() - LN_SQRT_2PI;
        let mut d_b = -b / 100.0;
        let (l, dl) = half_normal(sy, 5.0);
        lp += l + log_sy;
        let inv = 1.0 / sy;
        let inv2 = inv * inv;
        let (mut squares, mut d_mu) = (0.0, 0.0);
        for ((&gi, &xi), &yi) in d.group.iter().zip(&d.x).zip(&d.y) {
            let r = yi - (mu_a + sa * z[gi] + b * xi);
            squares += r * r;
            let dr = r * inv2;
            d_mu += dr;
            g[2 + gi] += dr * sa;
            d_sa += dr * z[gi];
            d_b += dr * xi;
        }
        let n = d.y.len() as f64;
        lp += -0.5 * squares * inv2 - n * (log_sy + LN_SQRT_2PI);
        g[0] += d_mu;
        g[1] = d_sa * sa + 1.0;
        g[2 + j] = d_b;
        g[3 + j] = (dl + squares * inv2 * inv - n * inv) * sy + 1.0;
        lp
    }

    /// The fastest hand-written form we know: the group intercepts `mu_a + sigma_a z_k` are
    /// computed once per group instead of once per row, the row pass reads packed `u32` group
    /// indices and keeps four independent partial sums per quantity (so that the additions of
    /// consecutive rows overlap), and the rows' partials are scattered to the groups unscaled,
    /// `sigma_a`'s and `mu_a`'s derivatives then following from the group sums. Scalar code
    /// for the baseline x86-64 (no `mul_add`, which there calls libm's software `fma`): the
    /// same loop dispatched to the vector units, eight rows per block, took 1.2 µs with AVX-512
    /// and 1.6–2.0 µs with AVX2 against 1.0 µs here (2026-12-07), its gathered loads and
    /// scattered stores being one lane at a time either way.
    pub fn hand_written_fast(
        d: &Packed,
        u: &[f64],
        g: &mut [f64],
        work: &mut [Vec<f64>; 2],
    ) -> f64 {
        let j = d.groups;
        let (mu_a, log_sa) = (u[0], u[1]);
        let sa = log_sa.exp();
        let z = &u[2..2 + j];
        let b = u[2 + j];
        let log_sy = u[3 + j];
        let sy = log_sy.exp();
        let inv2 = 1.0 / (sy * sy);
        let [a, da] = work;
        a.clear();
        a.extend(z.iter().map(|&zk| mu_a + sa * zk));
        da.clear();
        da.resize(j, 0.0);
        const L: usize = 4;
        let (mut squares, mut d_b) = ([0.0; L], [0.0; L]);
        let (rows, _) = d.group.as_chunks::<L>();
        let (xs, _) = d.x.as_chunks::<L>();
        let (ys, _) = d.y.as_chunks::<L>();
        for ((gr, xr), yr) in rows.iter().zip(xs).zip(ys) {
            let mut r = [0.0; L];
            for k in 0..L {
                r[k] = yr[k] - (a[gr[k] as usize] + b * xr[k]);
                squares[k] += r[k] * r[k];
                d_b[k] += r[k] * xr[k];
            }
            for k in 0..L {
                da[gr[k] as usize] += r[k];
            }
        }
        for i in rows.len() * L..d.y.len() {
            let (gi, xi) = (d.group[i] as usize, d.x[i]);
            let r = d.y[i] - (a[gi] + b * xi);
            squares[0] += r * r;
            d_b[0] += r * xi;
            da[gi] += r;
        }
        let squares: f64 = squares.iter().sum();
        let d_b = d_b.iter().sum::<f64>() * inv2;
        let n = d.y.len() as f64;
        let mut lp = -0.5 * (mu_a / 10.0).powi(2) - 10f64.ln() - LN_SQRT_2PI;
        let (l, dl_sa) = half_normal(sa, 5.0);
        lp += l + log_sa;
        let (mut d_mu, mut d_sa) = (-mu_a / 100.0, dl_sa);
        for (k, (&zk, &dak)) in z.iter().zip(da.iter()).enumerate() {
            lp += -0.5 * zk * zk - LN_SQRT_2PI;
            let dr = dak * inv2;
            d_mu += dr;
            d_sa += dr * zk;
            g[2 + k] = dr * sa - zk;
        }
        lp += -0.5 * (b / 10.0).powi(2) - 10f64.ln() - LN_SQRT_2PI;
        let (l, dl_sy) = half_normal(sy, 5.0);
        lp += l + log_sy;
        lp += -0.5 * squares * inv2 - n * (log_sy + LN_SQRT_2PI);
        g[0] = d_mu;
        g[1] = d_sa * sa + 1.0;
        g[2 + j] = d_b - b / 100.0;
        g[3 + j] = (dl_sy + squares * inv2 / sy - n / sy) * sy + 1.0;
        lp
    }

    /// The data with `u32` group indices, packed once outside the timed loop.
    pub struct Packed {
        group: Vec<u32>,
        x: Vec<f64>,
        y: Vec<f64>,
        groups: usize,
    }

    pub fn pack(d: &Data) -> Packed {
        Packed {
            group: d.group.iter().map(|&g| u32::try_from(g).unwrap()).collect(),
            x: d.x.clone(),
            y: d.y.clone(),
            groups: d.groups,
        }
    }

    pub fn position(groups: usize) -> Vec<f64> {
        (0..groups + 4)
            .map(|k| 0.3 * ((k * 7 % 11) as f64 / 11.0 - 0.5))
            .collect()
    }

    pub fn check_agreement() {
        let d = data();
        let model = hierarchical(&d.group, &d.x, &d.y, d.groups);
        let mut target = ModelTarget::new(&model).unwrap();
        let u = position(d.groups);
        let (mut gm, mut gh) = (vec![0.0; u.len()], vec![0.0; u.len()]);
        let lm = target.log_density_and_gradient(&u, &mut gm).unwrap();
        let lh = hand_written(&d, &u, &mut gh);
        assert_same("hierarchical", (lm, &gm), (lh, &gh));
        let model = hierarchical_gathered(&d.group, &d.x, &d.y, d.groups);
        let mut target = ModelTarget::new(&model).unwrap();
        let lm = target.log_density_and_gradient(&u, &mut gm).unwrap();
        assert_same("hierarchical, gathered per group", (lm, &gm), (lh, &gh));
        let mut work = [Vec::new(), Vec::new()];
        let lf = hand_written_fast(&pack(&d), &u, &mut gh, &mut work);
        assert_same("hierarchical, fast hand-written", (lm, &gm), (lf, &gh));
    }

    #[divan::bench]
    fn model_gradient(bencher: Bencher) {
        let d = data();
        let model = hierarchical(&d.group, &d.x, &d.y, d.groups);
        bench_gradient(
            bencher,
            &mut ModelTarget::new(&model).unwrap(),
            &position(d.groups),
        );
    }

    #[divan::bench]
    fn model_gradient_gathered(bencher: Bencher) {
        let d = data();
        let model = hierarchical_gathered(&d.group, &d.x, &d.y, d.groups);
        bench_gradient(
            bencher,
            &mut ModelTarget::new(&model).unwrap(),
            &position(d.groups),
        );
    }

    #[divan::bench]
    fn hand_written_gradient(bencher: Bencher) {
        let d = data();
        let u = position(d.groups);
        let mut g = vec![0.0; u.len()];
        bencher.bench_local(|| hand_written(&d, black_box(&u), &mut g));
    }

    #[divan::bench]
    fn hand_written_fast_gradient(bencher: Bencher) {
        let d = pack(&data());
        let u = position(d.groups);
        let mut g = vec![0.0; u.len()];
        let mut work = [Vec::new(), Vec::new()];
        bencher.bench_local(|| hand_written_fast(&d, black_box(&u), &mut g, &mut work));
    }
}

/// posteriordb's `low_dim_gauss_mix`: a two-component normal mixture over 1000 observations,
/// the component indicator summed out, as one vectorized mixture statement.
mod gauss_mix {
    use super::*;
    use model_runtime::vector_math::{Kernel, dispatch, lanes};

    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

    pub fn data() -> Vec<f64> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/posteriordb/low_dim_gauss_mix-low_dim_gauss_mix.data.json"
        );
        model_suite::f64_array(&model_suite::read_json(path).unwrap(), "y").unwrap()
    }

    /// The likelihood's sums over the observations in one pass, eight elements at a time:
    /// `[Σ ln p(y_i), Σ r_0 z_0, Σ r_0 (z_0² - 1), Σ r_1 z_1, Σ r_1 (z_1² - 1), Σ r_0]` with
    /// `z_k = (y - μ_k)/σ_k` and `r_k` the responsibilities.
    struct Likelihood<'a> {
        y: &'a [f64],
        mu: [f64; 2],
        inv: [f64; 2],
        offset: [f64; 2],
    }

    impl Kernel for Likelihood<'_> {
        type Output = [f64; 6];
        #[inline(always)]
        fn run(self) -> [f64; 6] {
            const B: usize = 8;
            let Likelihood { y, mu, inv, offset } = self;
            // Zero-padded to whole blocks; a padded element's terms are computed and dropped.
            let mut acc = [[0.0; B]; 6];
            for (start, chunk) in (0..y.len()).step_by(B).zip(y.chunks(B)) {
                let mut block = [mu[0]; B];
                block[..chunk.len()].copy_from_slice(chunk);
                let keep: [f64; B] = core::array::from_fn(|k| (start + k < y.len()) as u8 as f64);
                let [lp, s1, s2, s3, s4, s5] = &mut acc;
                for k in 0..B {
                    let z0 = (block[k] - mu[0]) * inv[0];
                    let z1 = (block[k] - mu[1]) * inv[1];
                    let a = (-0.5 * z0).mul_add(z0, offset[0]);
                    let b = (-0.5 * z1).mul_add(z1, offset[1]);
                    let d = a - b;
                    let e = lanes::exp(-d.abs());
                    let big = if d > 0.0 { a } else { b };
                    let s = 1.0 / (1.0 + e);
                    let r0 = keep[k] * if d > 0.0 { s } else { e * s };
                    let r1 = keep[k] - r0;
                    lp[k] = keep[k].mul_add(big + lanes::ln_1p(e), lp[k]);
                    s1[k] = r0.mul_add(z0, s1[k]);
                    s2[k] = r0.mul_add(z0.mul_add(z0, -1.0), s2[k]);
                    s3[k] = r1.mul_add(z1, s3[k]);
                    s4[k] = r1.mul_add(z1.mul_add(z1, -1.0), s4[k]);
                    s5[k] += r0;
                }
            }
            acc.map(|lanes| lanes.iter().sum())
        }
    }

    /// The log density at u = [μ_0, ln(μ_1 - μ_0), ln σ_0, ln σ_1, logit θ], by hand: the
    /// priors and Jacobians in closed form, the likelihood in one dispatched SIMD pass.
    pub fn hand_written(y: &[f64], u: &[f64], g: &mut [f64]) -> f64 {
        let gap = u[1].exp();
        let mu = [u[0], u[0] + gap];
        let sigma = [u[2].exp(), u[3].exp()];
        let theta = 1.0 / (1.0 + (-u[4]).exp());
        let ln_w = [theta.ln(), (1.0 - theta).ln()];
        let inv = [1.0 / sigma[0], 1.0 / sigma[1]];
        let offset = [
            ln_w[0] - sigma[0].ln() - LN_SQRT_2PI,
            ln_w[1] - sigma[1].ln() - LN_SQRT_2PI,
        ];
        let [lik, r0z0, r0zz0, r1z1, r1zz1, r0] = dispatch(Likelihood { y, mu, inv, offset });
        let n = y.len() as f64;
        // Priors: ordered Normal(0, 2) pair (ln 2! and the Jacobian u_1), HalfNormal(2) scales
        // (with the Jacobians ln σ), Beta(5, 5) weight (with the Jacobian ln θ(1-θ)).
        let ln_beta_5_5 = -(630.0f64.ln());
        let mut lp = lik + std::f64::consts::LN_2 + u[1];
        for m in mu {
            lp += -0.5 * (m / 2.0).powi(2) - 2f64.ln() - LN_SQRT_2PI;
        }
        for (s, &us) in sigma.iter().zip(&u[2..4]) {
            lp += -0.5 * (s / 2.0).powi(2) - LN_SQRT_2PI + us;
        }
        lp += 4.0 * ln_w[0] + 4.0 * ln_w[1] - ln_beta_5_5 + ln_w[0] + ln_w[1];
        let d_mu = [r0z0 * inv[0] - mu[0] / 4.0, r1z1 * inv[1] - mu[1] / 4.0];
        g[0] = d_mu[0] + d_mu[1];
        g[1] = d_mu[1] * gap + 1.0;
        g[2] = (r0zz0 * inv[0] - sigma[0] / 4.0) * sigma[0] + 1.0;
        g[3] = (r1zz1 * inv[1] - sigma[1] / 4.0) * sigma[1] + 1.0;
        let d_theta = r0 / theta - (n - r0) / (1.0 - theta) + 4.0 / theta - 4.0 / (1.0 - theta);
        g[4] = d_theta * theta * (1.0 - theta) + 1.0 - 2.0 * theta;
        lp
    }

    pub fn position() -> Vec<f64> {
        vec![-2.5, 1.7, 0.05, -0.02, 0.45]
    }

    pub fn check_agreement() {
        let y = data();
        let model = model_suite::posteriordb::low_dim_gauss_mix(&y);
        let mut target = ModelTarget::new(&model).unwrap();
        let u = position();
        let (mut gm, mut gh) = (vec![0.0; 5], vec![0.0; 5]);
        let lm = target.log_density_and_gradient(&u, &mut gm).unwrap();
        let lh = hand_written(&y, &u, &mut gh);
        assert_same("gauss_mix", (lm, &gm), (lh, &gh));
    }

    #[divan::bench]
    fn model_gradient(bencher: Bencher) {
        let y = data();
        let model = model_suite::posteriordb::low_dim_gauss_mix(&y);
        bench_gradient(bencher, &mut ModelTarget::new(&model).unwrap(), &position());
    }

    #[divan::bench]
    fn hand_written_gradient(bencher: Bencher) {
        let y = data();
        let u = position();
        let mut g = vec![0.0; u.len()];
        bencher.bench_local(|| hand_written(&y, black_box(&u), &mut g));
    }
}

/// posteriordb's `kidscore_momiq` written vectorized, as NumPyro's side writes it: a simple
/// regression whose mean `beta0 + beta1 · mom_iq` is a lazy argument of the row pass (434
/// rows). The row pass's block loop once ran as scalar code for this argument (2026-12-08), so
/// the ratio to the hand-written loop is worth watching.
mod regression {
    use super::*;
    use model_runtime::vector_math::{Kernel, dispatch};

    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

    pub struct Data {
        pub score: Vec<f64>,
        pub iq: Vec<f64>,
    }

    pub fn data() -> Data {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/posteriordb/kidiq-kidscore_momiq.data.json"
        );
        let json = model_suite::read_json(path).unwrap();
        Data {
            score: model_suite::f64_array(&json, "kid_score").unwrap(),
            iq: model_suite::f64_array(&json, "mom_iq").unwrap(),
        }
    }

    /// `[Σ r², Σ r, Σ r x]` with `r = y - beta0 - beta1 x`, eight rows at a time in
    /// independent partial sums (dispatched to the widest vector units).
    struct Residuals<'a> {
        x: &'a [f64],
        y: &'a [f64],
        beta: [f64; 2],
    }

    impl Kernel for Residuals<'_> {
        type Output = [f64; 3];
        #[inline(always)]
        fn run(self) -> [f64; 3] {
            const B: usize = 8;
            let Residuals { x, y, beta } = self;
            let mut acc = [[0.0; B]; 3];
            let (xs, x_tail) = x.as_chunks::<B>();
            let (ys, y_tail) = y.as_chunks::<B>();
            for (xb, yb) in xs.iter().zip(ys) {
                for k in 0..B {
                    let r = yb[k] - xb[k].mul_add(beta[1], beta[0]);
                    acc[0][k] = r.mul_add(r, acc[0][k]);
                    acc[1][k] += r;
                    acc[2][k] = r.mul_add(xb[k], acc[2][k]);
                }
            }
            for (&xi, &yi) in x_tail.iter().zip(y_tail) {
                let r = yi - xi.mul_add(beta[1], beta[0]);
                acc[0][0] = r.mul_add(r, acc[0][0]);
                acc[1][0] += r;
                acc[2][0] = r.mul_add(xi, acc[2][0]);
            }
            acc.map(|lanes| lanes.iter().sum())
        }
    }

    /// The log density at u = [beta0, beta1, ln sigma], by hand: the likelihood from its three
    /// sums, the half-Cauchy prior and the log-Jacobian in closed form.
    pub fn hand_written(d: &Data, u: &[f64], g: &mut [f64]) -> f64 {
        let sigma = u[2].exp();
        let [squares, sum_r, sum_rx] = dispatch(Residuals {
            x: &d.iq,
            y: &d.score,
            beta: [u[0], u[1]],
        });
        let n = d.score.len() as f64;
        let inv2 = 1.0 / (sigma * sigma);
        let scale = 2.5;
        let lp = -0.5 * squares * inv2 - n * (u[2] + LN_SQRT_2PI)
            + (2.0 / (std::f64::consts::PI * scale)).ln()
            - (sigma / scale).powi(2).ln_1p()
            + u[2];
        g[0] = sum_r * inv2;
        g[1] = sum_rx * inv2;
        let d_sigma =
            squares * inv2 / sigma - n / sigma - 2.0 * sigma / (scale * scale + sigma * sigma);
        g[2] = d_sigma * sigma + 1.0;
        lp
    }

    pub fn position() -> Vec<f64> {
        vec![26.0, 0.6, 2.9]
    }

    pub fn check_agreement() {
        let d = data();
        let model = model_suite::posteriordb::kidscore_momiq_vectorized(&d.score, &d.iq);
        let mut target = ModelTarget::new(&model).unwrap();
        let u = position();
        let (mut gm, mut gh) = (vec![0.0; 3], vec![0.0; 3]);
        let lm = target.log_density_and_gradient(&u, &mut gm).unwrap();
        let lh = hand_written(&d, &u, &mut gh);
        assert_same("regression", (lm, &gm), (lh, &gh));
    }

    #[divan::bench]
    fn model_gradient(bencher: Bencher) {
        let d = data();
        let model = model_suite::posteriordb::kidscore_momiq_vectorized(&d.score, &d.iq);
        bench_gradient(bencher, &mut ModelTarget::new(&model).unwrap(), &position());
    }

    #[divan::bench]
    fn hand_written_gradient(bencher: Bencher) {
        let d = data();
        let u = position();
        let mut g = vec![0.0; u.len()];
        bencher.bench_local(|| hand_written(&d, black_box(&u), &mut g));
    }
}
