//! Once warm, a gradient evaluation through `#[model]` allocates nothing: the tape's buffers are
//! reused and handlers live on the stack. Counted per thread with `model_suite`'s counting
//! allocator.

use model_runtime::autodiff::Var;
use model_runtime::inference::GradientTarget;
use model_runtime::prelude::*;
use model_runtime::results::model_target::ModelTarget;
use model_suite::counting_allocator::{CountingAllocator, allocations};
use model_suite::{EIGHT_SCHOOLS_SIGMA, EIGHT_SCHOOLS_Y, eight_schools};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[model]
fn circular(x: &[f64], y: &[f64]) {
    let phase = sample!("phase", VonMises::new(0.0, 1.0));
    let b = sample!("b", Normal::new(0.0, 1.0));
    let sigma = sample!("sigma", Exponential::new(1.0));
    plate!("data", x.len(), |i| {
        let mu = deterministic!("mu", phase + b * x[i]);
        sample!("obs", VonMises::new(mu, 1.0 / (sigma * sigma)), obs = y[i]);
    });
}

/// Vectorized sites: a latent vector, a lazy `X β + α` and a vector of observations.
#[model]
fn logistic(x: &Matrix, y: &[bool]) {
    let alpha = sample!("alpha", Normal::new(0.0, 5.0));
    let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
    sample!(
        "y",
        batch::Bernoulli::from_logits(x.matvec(&beta) + alpha),
        obs = y
    );
}

/// A vectorized hierarchical model: group effects gathered per observation, and an ordered
/// vector.
#[model]
fn grouped(y: &[f64], group: &[usize]) {
    let tau = sample!("tau", HalfNormal::new(1.0));
    let cut = sample!("cut", batch::Normal::new(0.0, 1.0).iid(2).ordered());
    let theta = sample!("theta", batch::Normal::new(cut[0], tau).iid(3));
    sample!("y", batch::Normal::new(gather(&theta, group), 1.0), obs = y);
}

/// A body that builds a `Vec` each run: the counter must see it.
#[model]
fn collects(n: usize) {
    let mut xs = Vec::with_capacity(n);
    plate!("p", n, |i| {
        xs.push(sample!("x", Normal::new(0.0, 1.0)));
        let _ = i;
    });
}

fn allocations_per_gradient<M: Body<f64> + Body<Var>>(model: &M, u: &[f64]) -> usize {
    let mut target = ModelTarget::new(model).unwrap();
    let mut g = vec![0.0; u.len()];
    target.log_density_and_gradient(u, &mut g).unwrap(); // warm the tape
    let before = allocations();
    for _ in 0..10 {
        target.log_density_and_gradient(u, &mut g).unwrap();
    }
    (allocations() - before) / 10
}

#[test]
fn warm_gradients_do_not_allocate() {
    let (y, sigma) = (EIGHT_SCHOOLS_Y, EIGHT_SCHOOLS_SIGMA);
    let u: Vec<f64> = (0..10).map(|k| 0.1 * k as f64).collect();
    assert_eq!(allocations_per_gradient(&eight_schools(&y, &sigma), &u), 0);
    let noncentered = eight_schools(&y, &sigma).reparam(|r| r.theta(LocScaleReparam::default()));
    assert_eq!(allocations_per_gradient(&noncentered, &u), 0);

    let x = [0.1, -0.5, 0.9];
    let y = [0.3, -1.0, 2.0];
    let model = circular(&x, &y).reparam(|r| r.phase(CircularReparam));
    assert_eq!(allocations_per_gradient(&model, &[0.2, 0.3, -0.1]), 0);
    // Observing a simulated draw (as simulation-based calibration fits) is a handler layer on
    // the stack.
    let simulated = circular::Draw {
        obs: vec![0.1, 0.2, -0.3],
        ..Default::default()
    };
    assert_eq!(
        allocations_per_gradient(&model.observing(&simulated), &[0.2, 0.3, -0.1]),
        0,
        "observing a draw"
    );

    let x = Matrix::from_rows(&[vec![0.5, -1.0], vec![1.5, 0.2], vec![-0.7, 0.9]]).unwrap();
    let flips = [true, false, true];
    assert_eq!(
        allocations_per_gradient(&logistic(&x, &flips), &[0.1, -0.2, 0.3]),
        0,
        "vectorized logistic regression"
    );
    let simulated = logistic::Draw {
        y: vec![false, false, true],
        ..Default::default()
    };
    assert_eq!(
        allocations_per_gradient(
            &logistic(&x, &flips).observing(&simulated),
            &[0.1, -0.2, 0.3]
        ),
        0,
        "observing a draw of a vectorized site"
    );
    let y = [0.3, -1.0, 0.8, 2.2];
    let group = [0, 2, 1, 2];
    assert_eq!(
        allocations_per_gradient(&grouped(&y, &group), &[0.1, -0.2, 0.3, 0.5, 0.1, -0.4]),
        0,
        "vectorized hierarchical model"
    );

    assert_eq!(
        allocations_per_gradient(&collects(3), &[0.0; 3]),
        1,
        "the counter counts"
    );
}
