//! The generated items and the handlers, on small models with known answers.

use model_runtime::handlers::{LogJoint, Seed, Substitute, Trace};
use model_runtime::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// Linear regression with a deterministic mean and nested plates.
#[model]
fn regression(x: &[f64], y: Option<&[f64]>, groups: usize) {
    let slope = sample!("slope", Normal::new(0.0, 1.0));
    let intercept = sample!("intercept", Normal::new(0.0, 10.0));
    plate!("groups", groups, |g| {
        let offset = sample!("offset", Normal::new(0.0, 1.0));
        plate!("members", 2, |k| {
            sample!("z", Normal::new(offset, 1.0));
            let _ = k;
        });
        let _ = g;
    });
    plate!("data", x.len(), |i| {
        let mu = deterministic!("mu", intercept + slope * x[i]);
        sample!("y", Normal::new(mu, 0.5), obs = y.map(|y| y[i]));
    });
}

#[test]
fn prior_draw_has_typed_fields_of_the_right_shapes() {
    let x = [0.0, 1.0, 2.0];
    let model = regression(&x, None, 2);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let draw: regression::Draw = model.sample_prior(&mut rng).unwrap();
    assert_eq!(draw.offset.len(), 2);
    assert_eq!(draw.z.len(), 2);
    assert_eq!(draw.z[1].len(), 2);
    assert_eq!(draw.y.len(), 3);
    for (mu, x) in draw.mu.iter().zip(x) {
        assert_eq!(*mu, draw.intercept + draw.slope * x);
    }
    assert_eq!(model.unconstrained_dim().unwrap(), 2 + 2 + 4);
}

#[test]
fn log_joint_is_the_sum_of_the_log_densities() {
    let x = [0.0, 1.0];
    let y = [0.3, 1.2];
    let model = regression(&x, Some(&y), 1);
    let latent = regression::Latent {
        slope: 0.7,
        intercept: -0.2,
        offset: vec![0.1],
        z: vec![vec![0.5, -0.5]],
    };
    let lp = model.log_joint(&latent).unwrap();
    let n = |m: f64, s: f64, v: f64| Normal::new(m, s).unwrap().log_prob(&v);
    let expected = n(0.0, 1.0, 0.7)
        + n(0.0, 10.0, -0.2)
        + n(0.0, 1.0, 0.1)
        + n(0.1, 1.0, 0.5)
        + n(0.1, 1.0, -0.5)
        + n(-0.2, 0.5, 0.3)
        + n(-0.2 + 0.7, 0.5, 1.2);
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");

    // The same through explicit handlers.
    let mut h = Substitute::new(&latent, LogJoint::new());
    model.run::<f64, _>(&mut h).unwrap();
    assert_eq!(h.into_inner().log_joint(), lp);
}

#[test]
fn unconstrain_and_constrain_are_inverse() {
    let x = [0.0, 1.0];
    let y = [0.3, 1.2];
    let model = regression(&x, Some(&y), 2);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let draw = model.sample_prior(&mut rng).unwrap();
    let latent = <regression::Sites as model_runtime::site::ModelSites>::latent_of(&draw);
    let u = model.unconstrain(&latent).unwrap();
    let back = model.constrain(&u).unwrap();
    assert_eq!(
        <regression::Sites as model_runtime::site::ModelSites>::latent_of(&back),
        latent
    );
    // Observed values in the constrained draw are the data.
    assert_eq!(back.y, y.to_vec());
    let lp = model.log_density(&u).unwrap();
    assert!(
        (lp - model.log_joint(&latent).unwrap()).abs() < 1e-12,
        "real sites have no Jacobian"
    );
}

#[test]
fn invalid_parameter_names_the_site_and_index() {
    #[model]
    fn bad(scales: &[f64]) {
        plate!("p", scales.len(), |i| {
            sample!("x", Normal::new(0.0, scales[i]));
        });
    }
    let scales = [1.0, -2.0];
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let err = bad(&scales).sample_prior(&mut rng).unwrap_err();
    assert_eq!(err.site(), "x");
    assert_eq!(err.index(), &[1]);
    assert!(err.to_string().contains("-2"), "{err}");
}

#[test]
fn trace_of_seed_is_reproducible() {
    let x = [1.0];
    let model = regression(&x, None, 1);
    let run = |seed| {
        let mut h = Trace::new(Seed::new(ChaCha8Rng::seed_from_u64(seed)));
        model.run::<f64, _>(&mut h).unwrap();
        h.into_draw()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn scalar_columns_name_every_element() {
    use model_runtime::site::{Columns, NameStyle, Role};
    let x = [0.0, 1.0];
    let prior = Predictive::prior(5)
        .seed(2)
        .run(&regression(&x, None, 2))
        .unwrap();
    let columns = prior.scalar_columns(&[Role::Latent, Role::Deterministic], NameStyle::Brackets);
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "slope",
            "intercept",
            "offset[0]",
            "offset[1]",
            "z[0,0]",
            "z[0,1]",
            "z[1,0]",
            "z[1,1]",
            "mu[0]",
            "mu[1]"
        ]
    );
    assert!(columns.iter().all(|(_, draws)| draws.len() == 5));
    assert_eq!(columns[5].1[3], prior.z[3][0][1]);
}

/// Data arguments may have the user's own types: the generated module sees the user's scope.
pub struct Design {
    pub rows: Vec<Vec<f64>>,
}

#[model]
fn with_user_type(design: &Design) {
    let b = sample!("b", Normal::new(0.0, 1.0));
    plate!("rows", design.rows.len(), |i| {
        deterministic!("fitted", b * design.rows[i][0]);
    });
}

#[test]
fn data_arguments_can_have_user_types() {
    let design = Design {
        rows: vec![vec![2.0], vec![3.0]],
    };
    let prior = Predictive::prior(3)
        .seed(1)
        .run(&with_user_type(&design))
        .unwrap();
    assert_eq!(prior.fitted[2][1], prior.b[2] * 3.0);
}

/// A flat prior on a region whose bound depends on another parameter (garch's beta1 < 1 - alpha1):
/// the log density is the log-Jacobian of the parameter-dependent interval map.
#[model]
fn dependent_bound() {
    let alpha1 = sample!("alpha1", ImproperUniform::new(Support::interval(0.0, 1.0)));
    sample!(
        "beta1",
        ImproperUniform::new(Support::interval(0.0, 1.0 - alpha1))
    );
}

#[test]
fn parameter_dependent_bounds_are_exact() {
    use model_runtime::inference::GradientTarget;
    let model = dependent_bound();
    let sigmoid = |u: f64| 1.0 / (1.0 + (-u).exp());
    let log_jacobian = |u: f64| sigmoid(u).ln() + sigmoid(-u).ln();
    let log_density = |a: f64, b: f64| {
        let alpha1 = sigmoid(a);
        log_jacobian(a) + (1.0 - alpha1).ln() + log_jacobian(b)
    };
    let (a, b) = (0.4, -1.1);
    let lp = model.log_density(&[a, b]).unwrap();
    assert!((lp - log_density(a, b)).abs() < 1e-12);
    let draw = model.constrain(&[a, b]).unwrap();
    assert!((draw.beta1 - (1.0 - sigmoid(a)) * sigmoid(b)).abs() < 1e-15);
    // The gradient includes the dependence of beta1's bound on alpha1.
    let mut target = model_runtime::results::model_target::ModelTarget::new(&model).unwrap();
    let mut g = [0.0; 2];
    target.log_density_and_gradient(&[a, b], &mut g).unwrap();
    let h = 1e-6;
    let fd = (log_density(a + h, b) - log_density(a - h, b)) / (2.0 * h);
    assert!((g[0] - fd).abs() < 1e-7, "{} vs {fd}", g[0]);
}

/// Data-only arithmetic inside a body (`mom_hs[i] * mom_iq[i]`) compiles next to mixed
/// arithmetic: the body is compiled per scalar type, with no `f64: Mul<T>` bound to confuse
/// inference; `scalar` starts a recursion in the body's scalar type.
#[model]
fn data_arithmetic(a: &[f64], b: &[f64], y: &[f64]) {
    let slope = sample!("slope", Normal::new(0.0, 1.0));
    let mut level = scalar(0.5);
    plate!("data", a.len(), |i| {
        let product = a[i] * b[i];
        let scaled = 2.0 * product + a[i].ln();
        level = level * 0.5 + slope;
        sample!(
            "y",
            Normal::new(slope * scaled + level, 1.0 / (1.0 + slope * slope)),
            obs = y[i]
        );
    });
}

#[test]
fn data_arithmetic_compiles_and_differentiates() {
    use model_runtime::inference::GradientTarget;
    let (a, b, y) = ([1.0, 2.0], [3.0, 0.5], [0.2, 0.4]);
    let model = data_arithmetic(&a, &b, &y);
    let mut target = model_runtime::results::model_target::ModelTarget::new(&model).unwrap();
    let mut g = [0.0];
    let lp = target.log_density_and_gradient(&[0.3], &mut g).unwrap();
    assert_eq!(lp, model.log_density(&[0.3]).unwrap());
    let h = 1e-6;
    let fd = (model.log_density(&[0.3 + h]).unwrap() - model.log_density(&[0.3 - h]).unwrap())
        / (2.0 * h);
    assert!((g[0] - fd).abs() < 1e-6, "{} vs {fd}", g[0]);
}

/// Integer literals given to constructors take the count or dimension type the constructor
/// asks for (`u64` for a binomial's trials, `usize` for a dimension).
#[test]
fn integer_literals_are_counts_and_dimensions() {
    #[model]
    fn counts(successes: u64) {
        let p = sample!("p", Beta::new(1.0, 1.0));
        let _l = sample!("l", LKJCholesky::new(2, 1.5));
        sample!("k", Binomial::new(10, p), obs = successes);
    }
    let model = counts(3);
    assert_eq!(model.unconstrained_dim().unwrap(), 2);
    let lp = model
        .log_joint(&counts::Latent {
            p: 0.4,
            l: vec![1.0, 0.0, 0.6, 0.8],
        })
        .unwrap();
    let expected = Binomial::new(10, 0.4).unwrap().log_prob(&3)
        + LKJCholesky::new(2, 1.5)
            .unwrap()
            .log_prob(&PooledVec::from(vec![1.0, 0.0, 0.6, 0.8]));
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
}

#[model]
fn described(x: &[f64], y: &[f64], k: &[u64]) {
    let a = sample!("a", Normal::new(0.0, 1.0));
    let w = sample!("w", Dirichlet::new(vec![1.0, 1.0, 1.0]));
    deterministic!("twice", a * 2.0);
    sample!("y", batch::Normal::new(a * batch::vector(x), 1.0), obs = y);
    plate!("groups", 2, |_g| {
        plate!("members", 3, |_m| {
            sample!("z", Normal::new(a, 1.0));
        });
    });
    sample!(
        "k",
        batch::Poisson::from_log_rate(a * batch::vector(x)),
        obs = k
    );
    let _ = w;
}

#[test]
fn describe_lists_every_site_with_role_distribution_support_shape_and_reparam() {
    use model_runtime::site::Role;
    let x = [0.1, 0.2, 0.3, 0.4];
    let model = described(&x, &[1.0, 2.0, 3.0, 4.0], &[1, 2, 3, 4])
        .reparam(|r| r.z(LocScaleReparam::new(0.5).unwrap()));
    let description = model.describe().unwrap();
    let rows: Vec<_> = description
        .sites
        .iter()
        .map(|s| {
            (
                s.name,
                s.role,
                s.distribution,
                s.support.as_deref(),
                s.shape.clone(),
                s.reparam.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "a",
                Role::Latent,
                Some("Normal"),
                Some("real"),
                vec![],
                None
            ),
            (
                "w",
                Role::Latent,
                Some("Dirichlet"),
                Some("(0, 1)"),
                vec![3],
                None
            ),
            ("twice", Role::Deterministic, None, None, vec![], None),
            (
                "y",
                Role::Observed,
                Some("batch::Normal"),
                Some("real"),
                vec![4],
                None
            ),
            (
                "z",
                Role::Latent,
                Some("Normal"),
                Some("real"),
                vec![2, 3],
                Some("LocScaleReparam(centered = 0.5)")
            ),
            (
                "k",
                Role::Observed,
                Some("batch::Poisson"),
                Some("{0, 1, 2, ...}"),
                vec![4],
                None
            ),
        ]
    );
    let table = description.to_string();
    assert!(table.starts_with("model `described`: 6 sites\n  site   role"));
}
