//! Vectorized sites (`batch::*`): each statement's log density and gradient equal the sum of the
//! scalar family's per-element terms, recorded as one autodiff node; lengths, invalid elements,
//! masks and ordered vectors behave as documented.
//!
//! Its length (about 870 lines) is one check per vectorized family against its scalar family, and
//! the behaviours of lengths, masks and invalid elements.

use model_runtime::autodiff::{Var, gradient, recorded_nodes};
use model_runtime::batch::{self, gather};
use model_runtime::prelude::*;
use model_runtime::value::PooledVec;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

/// Runs `vectorized` and `per_element` on the same inputs and compares values and gradients,
/// and checks how many nodes the vectorized form records (one for the statement, plus any that
/// the test's own argument computations record).
fn check_same(
    name: &str,
    at: &[f64],
    nodes_expected: usize,
    vectorized: impl Fn(&[Var]) -> Var,
    per_element: impl Fn(&[Var]) -> Var,
) {
    let mut g1 = vec![0.0; at.len()];
    let mut g2 = vec![0.0; at.len()];
    let mut nodes = 0;
    let v1 = gradient(at, &mut g1, |x| {
        let before = recorded_nodes();
        let lp = vectorized(x);
        nodes = recorded_nodes() - before;
        Ok::<_, ()>(lp)
    })
    .unwrap();
    let v2 = gradient(at, &mut g2, |x| Ok::<_, ()>(per_element(x))).unwrap();
    assert!(close(v1, v2, 1e-13), "{name}: value {v1} vs {v2}");
    for (k, (a, b)) in g1.iter().zip(&g2).enumerate() {
        assert!(close(*a, *b, 1e-12), "{name}: gradient[{k}] {a} vs {b}");
    }
    assert_eq!(
        nodes, nodes_expected,
        "{name}: the vectorized statement recorded {nodes} nodes"
    );
}

/// Real families, with vector parameters and values all tracked.
#[test]
fn real_families_match_their_scalar_terms() {
    let n = 4;
    // Layout: a[0..n], b[n..2n], value[2n..3n], one extra scalar at 3n.
    let mut at: Vec<f64> = (0..n).map(|i| 0.3 + 0.4 * i as f64).collect();
    at.extend((0..n).map(|i| 1.1 + 0.5 * i as f64));
    at.extend((0..n).map(|i| 0.2 + 0.15 * i as f64));
    at.push(3.5);
    macro_rules! case {
        ($name:literal, |$a:ident, $b:ident, $c:ident| $batch:expr, |$ai:ident, $bi:ident, $ci:ident| $scalar:expr) => {
            check_same(
                $name,
                &at,
                1,
                |x| {
                    let ($a, $b, $c) = (&x[..n], &x[n..2 * n], x[3 * n]);
                    let value = PooledVec::from_slice(&x[2 * n..3 * n]);
                    $batch.checked_log_prob(&value).unwrap()
                },
                |x| {
                    (0..n)
                        .map(|i| {
                            let ($ai, $bi, $ci) = (x[i], x[n + i], x[3 * n]);
                            $scalar.unwrap().log_prob(&x[2 * n + i])
                        })
                        .fold(Var::constant(0.0), |s, t| s + t)
                },
            );
        };
    }
    case!("Normal", |a, b, _c| batch::Normal::new(a, b), |a, b, _c| {
        Normal::new(a, b)
    });
    case!(
        "StudentT",
        |a, b, c| batch::StudentT::new(c, a, b),
        |a, b, c| StudentT::new(c, a, b)
    );
    case!("Cauchy", |a, b, _c| batch::Cauchy::new(a, b), |a, b, _c| {
        Cauchy::new(a, b)
    });
    case!(
        "Laplace",
        |a, b, _c| batch::Laplace::new(a, b),
        |a, b, _c| Laplace::new(a, b)
    );
    case!(
        "Logistic",
        |a, b, _c| batch::Logistic::new(a, b),
        |a, b, _c| Logistic::new(a, b)
    );
    case!("Gumbel", |a, b, _c| batch::Gumbel::new(a, b), |a, b, _c| {
        Gumbel::new(a, b)
    });
    case!(
        "LogNormal",
        |a, b, _c| batch::LogNormal::new(a, b),
        |a, b, _c| LogNormal::new(a, b)
    );
    case!(
        "HalfNormal",
        |_a, b, _c| batch::HalfNormal::new(b),
        |_a, b, _c| HalfNormal::new(b)
    );
    case!(
        "HalfCauchy",
        |_a, b, _c| batch::HalfCauchy::new(b),
        |_a, b, _c| HalfCauchy::new(b)
    );
    case!(
        "HalfStudentT",
        |a, b, _c| batch::HalfStudentT::new(b, a),
        |a, b, _c| HalfStudentT::new(b, a)
    );
    case!(
        "Exponential",
        |_a, b, _c| batch::Exponential::new(b),
        |_a, b, _c| Exponential::new(b)
    );
    case!("Gamma", |a, b, _c| batch::Gamma::new(a, b), |a, b, _c| {
        Gamma::new(a, b)
    });
    case!(
        "InverseGamma",
        |a, b, _c| batch::InverseGamma::new(a, b),
        |a, b, _c| InverseGamma::new(a, b)
    );
    case!("Beta", |a, b, _c| batch::Beta::new(a, b), |a, b, _c| {
        Beta::new(a, b)
    });
    case!(
        "Weibull",
        |a, b, _c| batch::Weibull::new(b, a),
        |a, b, _c| Weibull::new(b, a)
    );
    case!(
        "VonMises",
        |a, b, _c| batch::VonMises::new(a, b),
        |a, b, _c| VonMises::new(a, b)
    );
    case!(
        "Uniform",
        |_a, _b, c| batch::Uniform::new(0.0, c),
        |_a, _b, c| Uniform::new(Var::constant(0.0), c)
    );
}

/// Discrete families: parameters tracked, values are data.
#[test]
fn discrete_families_match_their_scalar_terms() {
    let eta = [-1.2, 0.3, 2.0, 0.7];
    let flips = PooledVec::from(vec![true, false, true, true]);
    let counts = PooledVec::from(vec![0u64, 3, 7, 1]);
    let trials = [2u64, 5, 9, 1];
    let at = [eta.as_slice(), &[1.7]].concat();
    let sum = |terms: Vec<Var>| terms.into_iter().fold(Var::constant(0.0), |s, t| s + t);
    check_same(
        "Bernoulli logits",
        &at,
        1,
        |x| {
            batch::Bernoulli::from_logits(&x[..4])
                .checked_log_prob(&flips)
                .unwrap()
        },
        |x| {
            sum((0..4)
                .map(|i| Bernoulli::from_logits(x[i]).unwrap().log_prob(&flips[i]))
                .collect())
        },
    );
    check_same(
        "Bernoulli probs",
        &at,
        5,
        |x| {
            let p: Vec<Var> = x[..4].iter().map(|v| v.sigmoid()).collect();
            batch::Bernoulli::new(&p).checked_log_prob(&flips).unwrap()
        },
        |x| {
            sum((0..4)
                .map(|i| Bernoulli::new(x[i].sigmoid()).unwrap().log_prob(&flips[i]))
                .collect())
        },
    );
    check_same(
        "Poisson log rate",
        &at,
        1,
        |x| {
            batch::Poisson::from_log_rate(&x[..4])
                .checked_log_prob(&counts)
                .unwrap()
        },
        |x| {
            sum((0..4)
                .map(|i| Poisson::new(x[i].exp()).unwrap().log_prob(&counts[i]))
                .collect())
        },
    );
    check_same(
        "Binomial logits",
        &at,
        1,
        |x| {
            batch::Binomial::from_logits(&trials[..], &x[..4])
                .checked_log_prob(&PooledVec::from(vec![1, 5, 3, 0]))
                .unwrap()
        },
        |x| {
            let obs = [1u64, 5, 3, 0];
            sum((0..4)
                .map(|i| {
                    Binomial::from_logits(trials[i], x[i])
                        .unwrap()
                        .log_prob(&obs[i])
                })
                .collect())
        },
    );
    check_same(
        "NegativeBinomial2",
        &at,
        5,
        |x| {
            let mean: Vec<Var> = x[..4].iter().map(|v| v.exp()).collect();
            batch::NegativeBinomial2::new(&mean, x[4])
                .checked_log_prob(&counts)
                .unwrap()
        },
        |x| {
            sum((0..4)
                .map(|i| {
                    NegativeBinomial2::new(x[i].exp(), x[4])
                        .unwrap()
                        .log_prob(&counts[i])
                })
                .collect())
        },
    );
}

/// Lazy arguments: `X β + α`, `α + X β`, `X β - α`, `s * X β`, and `θ[group]`.
#[test]
fn lazy_arguments_match_explicit_vectors() {
    let x = Matrix::from_rows(&[
        vec![0.5, -1.0, 2.0],
        vec![1.5, 0.2, -0.3],
        vec![-0.7, 0.9, 0.1],
        vec![0.0, 1.0, 1.0],
        vec![2.0, -2.0, 0.5],
    ])
    .unwrap();
    let y = [0.3, -1.0, 0.8, 2.2, -0.5];
    let group = [0usize, 2, 1, 2, 0];
    // Layout: beta[0..3], alpha, sigma, theta[5..8].
    let at = [0.4, -0.2, 0.7, 0.1, 0.9, -0.5, 0.5, 1.5];
    let explicit = |x: &Matrix, xs: &[Var], k: usize| -> Var {
        (0..x.cols()).fold(Var::constant(0.0), |s, j| s + xs[j] * x.row(k)[j])
    };
    let sum = |terms: Vec<Var>| terms.into_iter().fold(Var::constant(0.0), |s, t| s + t);
    check_same(
        "X beta + alpha",
        &at,
        1,
        |v| {
            batch::Normal::new(x.matvec(&v[..3]) + v[3], v[4])
                .checked_log_prob(
                    &y.iter()
                        .map(|&t| Var::constant(t))
                        .collect::<PooledVec<Var>>(),
                )
                .unwrap()
        },
        |v| {
            sum((0..5)
                .map(|k| {
                    Normal::new(explicit(&x, v, k) + v[3], v[4])
                        .unwrap()
                        .log_prob(&Var::constant(y[k]))
                })
                .collect())
        },
    );
    check_same(
        "alpha - s * X beta",
        &at,
        1,
        |v| {
            batch::Normal::new(v[3] - v[4] * x.matvec(&v[..3]), 1.0)
                .checked_log_prob(
                    &y.iter()
                        .map(|&t| Var::constant(t))
                        .collect::<PooledVec<Var>>(),
                )
                .unwrap()
        },
        |v| {
            sum((0..5)
                .map(|k| {
                    Normal::new(v[3] - v[4] * explicit(&x, v, k), Var::constant(1.0))
                        .unwrap()
                        .log_prob(&Var::constant(y[k]))
                })
                .collect())
        },
    );
    check_same(
        "theta[group] + X beta",
        &at,
        1,
        |v| {
            batch::Normal::new(gather(&v[5..8], &group) + x.matvec(&v[..3]), v[4])
                .checked_log_prob(
                    &y.iter()
                        .map(|&t| Var::constant(t))
                        .collect::<PooledVec<Var>>(),
                )
                .unwrap()
        },
        |v| {
            sum((0..5)
                .map(|k| {
                    Normal::new(v[5 + group[k]] + explicit(&x, v, k), v[4])
                        .unwrap()
                        .log_prob(&Var::constant(y[k]))
                })
                .collect())
        },
    );
}

#[model]
fn regression(x: &Matrix, y: Option<&[f64]>) {
    let alpha = sample!("alpha", Normal::new(0.0, 10.0));
    let beta = sample!("beta", batch::Normal::new(0.0, 2.0).iid(x.cols()));
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    sample!(
        "y",
        batch::Normal::new(x.matvec(&beta) + alpha, sigma),
        obs = y
    );
}

#[model]
fn regression_plate(x: &Matrix, y: &[f64]) {
    let alpha = sample!("alpha", Normal::new(0.0, 10.0));
    let beta = plate!("features", x.cols(), |_j| sample!(
        "beta",
        Normal::new(0.0, 2.0)
    ));
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    plate!("data", x.rows(), |i| {
        let mu = alpha + model_runtime::linalg::dot(x.row(i), &beta);
        sample!("y", Normal::new(mu, sigma), obs = y[i]);
    });
}

fn design() -> (Matrix, Vec<f64>) {
    let x = Matrix::from_rows(&[
        vec![0.5, -1.0],
        vec![1.5, 0.2],
        vec![-0.7, 0.9],
        vec![0.0, 1.0],
    ])
    .unwrap();
    (x, vec![0.3, -1.0, 0.8, 2.2])
}

/// The vectorized model and the per-element plate model have the same log density and
/// gradient, and the typed site of the vectorized statement is one `Vec` per draw.
#[test]
fn model_with_vectorized_sites_matches_the_plate_model() {
    let (x, y) = design();
    let vectorized = regression(&x, Some(&y));
    let plate = regression_plate(&x, &y);
    assert_eq!(vectorized.unconstrained_dim().unwrap(), 4);
    let u = [0.3, -0.4, 0.8, -0.2];
    let (mut g1, mut g2) = ([0.0; 4], [0.0; 4]);
    let lp1 = gradient(&u, &mut g1, |v| vectorized.log_density(v)).unwrap();
    let lp2 = gradient(&u, &mut g2, |v| plate.log_density(v)).unwrap();
    assert!(close(lp1, lp2, 1e-13), "{lp1} vs {lp2}");
    for k in 0..4 {
        assert!(
            close(g1[k], g2[k], 1e-12),
            "gradient[{k}]: {} vs {}",
            g1[k],
            g2[k]
        );
    }
    let prior = Predictive::prior(3)
        .seed(1)
        .run(&regression(&x, None))
        .unwrap();
    assert_eq!(prior.y.len(), 3);
    assert!(prior.y.iter().all(|draw| draw.len() == 4));
    assert!(prior.beta.iter().all(|draw| draw.len() == 2));
}

#[model]
fn logistic(x: &Matrix, y: &[bool]) {
    let alpha = sample!("alpha", Normal::new(0.0, 5.0));
    let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
    sample!(
        "y",
        batch::Bernoulli::from_logits(alpha + x.matvec(&beta)),
        obs = y
    );
}

#[model]
fn logistic_plate(x: &Matrix, y: &[bool]) {
    let alpha = sample!("alpha", Normal::new(0.0, 5.0));
    let beta = plate!("features", x.cols(), |_j| sample!(
        "beta",
        Normal::new(0.0, 1.0)
    ));
    plate!("data", x.rows(), |i| {
        let eta = alpha + model_runtime::linalg::dot(x.row(i), &beta);
        sample!("y", Bernoulli::from_logits(eta), obs = y[i]);
    });
}

#[model]
fn counts_glm(x: &Matrix, y: &[u64]) {
    let alpha = sample!("alpha", Normal::new(0.0, 5.0));
    let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
    sample!(
        "y",
        batch::Poisson::from_log_rate(x.matvec(&beta) + alpha),
        obs = y
    );
}

#[model]
fn counts_plate(x: &Matrix, y: &[u64]) {
    let alpha = sample!("alpha", Normal::new(0.0, 5.0));
    let beta = plate!("features", x.cols(), |_j| sample!(
        "beta",
        Normal::new(0.0, 1.0)
    ));
    plate!("data", x.rows(), |i| {
        let eta = alpha + model_runtime::linalg::dot(x.row(i), &beta);
        sample!("y", Poisson::new(eta.exp()), obs = y[i]);
    });
}

/// A design of `rows` rows over several packed panels (the last one partial), with logits
/// large enough to reach both tails of the logistic function.
fn wide_design(rows: usize, cols: usize) -> Matrix {
    let rows: Vec<Vec<f64>> = (0..rows)
        .map(|i| {
            (0..cols)
                .map(|j| (((i * 31 + j * 17) % 23) as f64 - 11.0) * 0.37)
                .collect()
        })
        .collect();
    Matrix::from_rows(&rows).unwrap()
}

/// The fused GLM kernels (Bernoulli-logit, Normal and Poisson-log over `X β + α`, one pass over the packed
/// matrix) agree with the per-element plate models, over several panels and a partial one, and
/// over whole chunks of panels (whose `Xᵀ ∂η` is added for eight panels at once) and a remainder.
#[test]
fn fused_glm_kernels_match_the_plate_models() {
    for rows in [53, 16 * 19 + 5] {
        fused_glm_kernels_match_over(rows);
    }
}

fn fused_glm_kernels_match_over(rows: usize) {
    let x = wide_design(rows, 5);
    let y: Vec<bool> = (0..rows).map(|i| (i * 7) % 3 == 0).collect();
    let u = [0.4, 1.5, -2.0, 0.7, 3.0, -0.9];
    let (mut g1, mut g2) = ([0.0; 6], [0.0; 6]);
    let lp1 = gradient(&u, &mut g1, |v| logistic(&x, &y).log_density(v)).unwrap();
    let lp2 = gradient(&u, &mut g2, |v| logistic_plate(&x, &y).log_density(v)).unwrap();
    assert!(close(lp1, lp2, 1e-13), "logistic: {lp1} vs {lp2}");
    for k in 0..6 {
        assert!(
            close(g1[k], g2[k], 1e-12),
            "logistic gradient[{k}]: {} vs {}",
            g1[k],
            g2[k]
        );
    }
    let y: Vec<f64> = (0..rows).map(|i| ((i * 13) % 7) as f64 - 3.0).collect();
    let u = [0.3, -0.4, 0.8, 0.1, -0.6, 0.25, -0.2];
    let (mut g1, mut g2) = ([0.0; 7], [0.0; 7]);
    let lp1 = gradient(&u, &mut g1, |v| regression(&x, Some(&y)).log_density(v)).unwrap();
    let lp2 = gradient(&u, &mut g2, |v| regression_plate(&x, &y).log_density(v)).unwrap();
    assert!(close(lp1, lp2, 1e-13), "regression: {lp1} vs {lp2}");
    for k in 0..7 {
        assert!(
            close(g1[k], g2[k], 1e-12),
            "regression gradient[{k}]: {} vs {}",
            g1[k],
            g2[k]
        );
    }
    let counts: Vec<u64> = (0..rows).map(|i| (i * 5 % 9) as u64 * 3).collect();
    let u = [0.2, 0.1, -0.15, 0.05, 0.2, -0.1];
    let (mut g1, mut g2) = ([0.0; 6], [0.0; 6]);
    let lp1 = gradient(&u, &mut g1, |v| counts_glm(&x, &counts).log_density(v)).unwrap();
    let lp2 = gradient(&u, &mut g2, |v| counts_plate(&x, &counts).log_density(v)).unwrap();
    assert!(close(lp1, lp2, 1e-13), "poisson: {lp1} vs {lp2}");
    for k in 0..6 {
        assert!(
            close(g1[k], g2[k], 1e-12),
            "poisson gradient[{k}]: {} vs {}",
            g1[k],
            g2[k]
        );
    }
    // A non-finite linear predictor leaves the fused path: the error names the element.
    let u = [f64::INFINITY, 0.0, 0.0, 0.0, 0.0, 0.0];
    let err = gradient(&u, &mut [0.0; 6], |v| {
        logistic(&x, &vec![true; rows]).log_density(v)
    })
    .unwrap_err();
    assert!(err.to_string().contains("`y[0]`"), "{err}");
}

#[model]
fn varying_intercepts(group: &[usize], x: &[f64], y: &[f64], groups: usize) {
    let mu_a = sample!("mu_a", Normal::new(0.0, 10.0));
    let sigma_a = sample!("sigma_a", HalfNormal::new(5.0));
    let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(groups));
    let b = sample!("b", Normal::new(0.0, 10.0));
    sample!(
        "y",
        batch::Normal::new(mu_a + sigma_a * gather(&z, group) - b * vector(x), 0.5),
        obs = y
    );
}

#[model]
fn varying_intercepts_plate(group: &[usize], x: &[f64], y: &[f64], groups: usize) {
    let mu_a = sample!("mu_a", Normal::new(0.0, 10.0));
    let sigma_a = sample!("sigma_a", HalfNormal::new(5.0));
    let z = plate!("groups", groups, |_j| sample!("z", Normal::new(0.0, 1.0)));
    let b = sample!("b", Normal::new(0.0, 10.0));
    plate!("data", y.len(), |i| {
        sample!(
            "y",
            Normal::new(mu_a + sigma_a * z[group[i]] - b * x[i], 0.5),
            obs = y[i]
        );
    });
}

/// Scalar-vector arithmetic over data slices (`b * vector(x)`) and gathered site values is
/// one lazy argument with the gradient of the per-element model.
#[test]
fn scalar_vector_arithmetic_matches_the_plate_model() {
    let group = [0, 2, 1, 2, 0, 1, 1];
    let x = [0.5, -1.0, 2.0, 0.0, 1.5, -0.3, 0.8];
    let y = [1.0, 0.2, -0.4, 2.2, 0.9, 1.1, -1.0];
    let u = [0.3, -0.2, 0.5, -1.1, 0.7, 0.4];
    let (mut g1, mut g2) = ([0.0; 6], [0.0; 6]);
    let lp1 = gradient(&u, &mut g1, |v| {
        varying_intercepts(&group, &x, &y, 3).log_density(v)
    })
    .unwrap();
    let lp2 = gradient(&u, &mut g2, |v| {
        varying_intercepts_plate(&group, &x, &y, 3).log_density(v)
    })
    .unwrap();
    assert!(close(lp1, lp2, 1e-13), "{lp1} vs {lp2}");
    for k in 0..6 {
        assert!(
            close(g1[k], g2[k], 1e-12),
            "gradient[{k}]: {} vs {}",
            g1[k],
            g2[k]
        );
    }
}

/// Invalid elements and wrong lengths are errors that name the site, the element and the value.
#[test]
fn bad_vector_arguments_name_the_site_and_element() {
    #[model]
    fn scales(y: &[f64], s: &[f64]) {
        sample!("y", batch::Normal::new(0.0, s), obs = y);
    }
    let err = scales(&[0.1, 0.2, 0.3], &[1.0, -2.0, 1.0])
        .log_joint(&scales::Latent {})
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("`y[1]`") && msg.contains("-2"), "{msg}");
    let err = scales(&[0.1, 0.2], &[1.0, 2.0, 1.0])
        .log_joint(&scales::Latent {})
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`y`") && msg.contains("`value` has 2 elements but the site has 3"),
        "{msg}"
    );

    #[model]
    fn grouped(y: &[f64], group: &[usize]) {
        let theta = sample!("theta", batch::Normal::new(0.0, 1.0).iid(2));
        sample!("y", batch::Normal::new(gather(&theta, group), 1.0), obs = y);
    }
    let err = grouped(&[0.1, 0.2], &[0, 2])
        .log_density(&[0.0, 0.0])
        .unwrap_err();
    assert!(err.to_string().contains("index 2 is out of range"), "{err}");

    #[model]
    fn two_coefficients(x: &Matrix, y: &[f64]) {
        let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(2));
        sample!("y", batch::Normal::new(x.matvec(&beta), 1.0), obs = y);
    }
    let x = Matrix::from_rows(&[vec![1.0, 2.0, 3.0]]).unwrap();
    let err = two_coefficients(&x, &[1.0])
        .log_density(&[0.0; 2])
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`y`") && msg.contains("has 2 elements but the site has 3"),
        "{msg}"
    );
}

/// A mask removes elements from the log density (NumPyro's `mask`).
#[test]
fn masked_elements_add_nothing() {
    #[model]
    fn masked(y: &[f64], keep: &[bool]) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        sample!("y", batch::Normal::new(mu, 1.0).mask(keep), obs = y);
    }
    let y = [0.5, 1000.0, -0.5];
    let lp = masked(&y, &[true, false, true])
        .log_joint(&masked::Latent { mu: 0.2 })
        .unwrap();
    let n = Normal::new(0.0, 1.0).unwrap();
    let m = Normal::new(0.2, 1.0).unwrap();
    let expected = n.log_prob(&0.2) + m.log_prob(&0.5) + m.log_prob(&-0.5);
    assert!(close(lp, expected, 1e-14), "{lp} vs {expected}");
}

fn normal_lpdf<T: Scalar>(y: f64, mu: T, sigma: T) -> T {
    let z = (scalar::<T>(y) - mu) / sigma;
    z * z * -0.5 - sigma.ln()
}

#[model]
fn two_means(y: &[f64]) {
    let mu = sample!("mu", batch::Normal::new(0.0, 2.0).iid(2).ordered());
    let sigma = sample!("sigma", HalfNormal::new(1.0));
    plate!("data", y.len(), |i| {
        factor!(
            "mixture",
            (normal_lpdf(y[i], mu[0], sigma) + 0.5f64.ln())
                .ln_add_exp(normal_lpdf(y[i], mu[1], sigma) + 0.5f64.ln())
        );
    });
}

/// An ordered latent vector is explored through the ordered transform, its density is that of
/// the order statistics, and its draws are increasing.
#[test]
fn ordered_vectors_use_the_ordered_transform() {
    let y = [-2.1, -1.8, -2.4, 1.9, 2.2, 2.0];
    let model = two_means(&y);
    assert_eq!(model.unconstrained_dim().unwrap(), 3);
    let u = [-1.0, 0.7, -0.3];
    let lp = model.log_density(&u).unwrap();
    let (mu0, mu1, sigma) = (-1.0, -1.0 + 0.7f64.exp(), (-0.3f64).exp());
    let latent = two_means::Latent {
        mu: vec![mu0, mu1],
        sigma,
    };
    // log_density = log_joint + log-Jacobians (0.7 for the ordered step, -0.3 for sigma).
    let joint = model.log_joint(&latent).unwrap();
    assert!(
        close(lp, joint + 0.7 - 0.3, 1e-13),
        "{lp} vs {}",
        joint + 0.4
    );
    let prior_term = 2f64.ln()
        + Normal::new(0.0, 2.0).unwrap().log_prob(&mu0)
        + Normal::new(0.0, 2.0).unwrap().log_prob(&mu1);
    let rest = model
        .log_joint(&two_means::Latent {
            mu: vec![mu0, mu1],
            sigma,
        })
        .unwrap();
    assert!(rest.is_finite() && prior_term.is_finite());
    let back = model.unconstrain(&latent).unwrap();
    for (a, b) in back.iter().zip(&u) {
        assert!(close(*a, *b, 1e-14));
    }
    let fit = Nuts::default()
        .warmup(300)
        .samples(300)
        .chains(2)
        .seed(3)
        .run(&model)
        .unwrap();
    assert!(fit.mu.iter().all(|m| m[0] < m[1]));
    let mean0 = fit.mu.iter().map(|m| m[0]).sum::<f64>() / fit.mu.len() as f64;
    assert!(mean0 < -1.0, "the lower component mean is {mean0}");
    let prior = Predictive::prior(50).seed(2).run(&model).unwrap();
    assert!(prior.mu.iter().all(|m| m[0] < m[1]));
}

/// A vectorized statement inside a plate: one vector per plate element, typed as nested `Vec`s
/// in the draw structs, with the same density as the element-by-element model.
#[test]
fn vectorized_sites_nest_inside_plates() {
    #[model]
    fn groups(ys: &[Vec<f64>]) {
        let tau = sample!("tau", HalfNormal::new(1.0));
        plate!("groups", ys.len(), |g| {
            let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(2));
            sample!(
                "y",
                batch::Normal::new(z[0] * tau + z[1], 1.0),
                obs = &ys[g]
            );
        });
    }
    #[model]
    fn groups_by_element(ys: &[Vec<f64>]) {
        let tau = sample!("tau", HalfNormal::new(1.0));
        plate!("groups", ys.len(), |g| {
            let z = plate!("coordinates", 2, |_k| sample!("z", Normal::new(0.0, 1.0)));
            plate!("data", ys[g].len(), |i| {
                sample!("y", Normal::new(z[0] * tau + z[1], 1.0), obs = ys[g][i]);
            });
        });
    }
    let ys = vec![vec![0.5, 1.5, 1.0], vec![-0.2, 0.1]];
    let (vectorized, plain) = (groups(&ys), groups_by_element(&ys));
    assert_eq!(vectorized.unconstrained_dim().unwrap(), 5);
    let u = [0.2, 0.5, -0.3, 1.1, 0.4];
    let (mut g1, mut g2) = ([0.0; 5], [0.0; 5]);
    let lp1 = gradient(&u, &mut g1, |v| vectorized.log_density(v)).unwrap();
    let lp2 = gradient(&u, &mut g2, |v| plain.log_density(v)).unwrap();
    assert!(close(lp1, lp2, 1e-13), "{lp1} vs {lp2}");
    for k in 0..5 {
        assert!(close(g1[k], g2[k], 1e-12), "gradient[{k}]");
    }
    let draw = vectorized.constrain(&u).unwrap();
    let z: &Vec<Vec<f64>> = &draw.z;
    assert_eq!(z, &vec![vec![0.5, -0.3], vec![1.1, 0.4]]);
    let y: &Vec<Vec<f64>> = &draw.y;
    assert_eq!(y, &ys);
}

#[model]
fn grouped_counts(group: &[usize], x: &[f64], flips: &[bool], counts: &[u64], groups: usize) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    let tau = sample!("tau", HalfNormal::new(1.0));
    let z = sample!("z", batch::Normal::new(mu, tau).iid(groups));
    let b = sample!("b", Normal::new(0.0, 1.0));
    sample!(
        "flips",
        batch::Bernoulli::from_logits(gather(&z, group) - b * vector(x)),
        obs = flips
    );
    sample!(
        "counts",
        batch::Poisson::from_log_rate(mu + tau * gather(&z, group) * vector(x)),
        obs = counts
    );
}

#[model]
fn grouped_counts_plate(group: &[usize], x: &[f64], flips: &[bool], counts: &[u64], groups: usize) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    let tau = sample!("tau", HalfNormal::new(1.0));
    let z = plate!("groups", groups, |_j| sample!("z", Normal::new(mu, tau)));
    let b = sample!("b", Normal::new(0.0, 1.0));
    plate!("data", x.len(), |i| {
        sample!(
            "flips",
            Bernoulli::from_logits(z[group[i]] - b * x[i]),
            obs = flips[i]
        );
        sample!(
            "counts",
            Poisson::new((mu + tau * z[group[i]] * x[i]).exp()),
            obs = counts[i]
        );
    });
}

/// Predictors, responses and flips for `rows` observations of the grouped-rows tests: a few
/// repeated values, both signs, no pattern that lines up with the blocks of the row pass.
fn grouped_rows(rows: usize) -> (Vec<f64>, Vec<f64>, Vec<bool>) {
    let x = (0..rows)
        .map(|i| ((i * 13) % 9) as f64 * 0.25 - 1.0)
        .collect();
    let y = (0..rows)
        .map(|i| ((i * 5) % 11) as f64 * 0.3 - 1.2)
        .collect();
    let flips = (0..rows).map(|i| (i * 3) % 5 < 2).collect();
    (x, y, flips)
}

/// The row pass (one loop that evaluates a lazy first argument, the density and the backward
/// step) over several full blocks of elements and a partial one, for each family that has a
/// lane, with latent values (their own partials) and repeated gather indices; an invalid
/// element inside a block still leaves the fused path and is named.
#[test]
fn row_pass_matches_the_plate_models_over_blocks() {
    let rows = 29;
    let groups = 11;
    let group: Vec<usize> = (0..rows).map(|i| (i * 7 + i / 3) % groups).collect();
    let (x, y, flips) = grouped_rows(rows);
    let counts: Vec<u64> = (0..rows).map(|i| (i * 7 % 6) as u64).collect();
    let mut u = vec![0.2, -0.3];
    u.extend((0..groups).map(|j| 0.15 * j as f64 - 0.7));
    u.push(0.4);
    let check = |name: &str, lp1: f64, g1: &[f64], lp2: f64, g2: &[f64]| {
        assert!(close(lp1, lp2, 1e-13), "{name}: {lp1} vs {lp2}");
        for (k, (a, b)) in g1.iter().zip(g2).enumerate() {
            assert!(close(*a, *b, 1e-12), "{name}: gradient[{k}] {a} vs {b}");
        }
    };
    let (mut g1, mut g2) = (vec![0.0; u.len()], vec![0.0; u.len()]);
    let lp1 = gradient(&u, &mut g1, |v| {
        grouped_counts(&group, &x, &flips, &counts, groups).log_density(v)
    })
    .unwrap();
    let lp2 = gradient(&u, &mut g2, |v| {
        grouped_counts_plate(&group, &x, &flips, &counts, groups).log_density(v)
    })
    .unwrap();
    check("logit and log-rate lanes", lp1, &g1, lp2, &g2);

    // The normal lane, with the hierarchical regression of the benchmarks.
    let mut u = vec![0.3, -0.2];
    u.extend((0..groups).map(|j| 0.1 * j as f64 - 0.5));
    u.push(0.6);
    let (mut g1, mut g2) = (vec![0.0; u.len()], vec![0.0; u.len()]);
    let lp1 = gradient(&u, &mut g1, |v| {
        varying_intercepts(&group, &x, &y, groups).log_density(v)
    })
    .unwrap();
    let lp2 = gradient(&u, &mut g2, |v| {
        varying_intercepts_plate(&group, &x, &y, groups).log_density(v)
    })
    .unwrap();
    check("normal lane", lp1, &g1, lp2, &g2);

    // The normal lane with a scale given as data, one per element (eight schools' standard
    // errors), for observed values and for a latent vector (whose values have partials).
    #[model]
    fn known_scales(group: &[usize], x: &[f64], scale: &[f64], y: &[f64], groups: usize) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        let tau = sample!("tau", HalfNormal::new(1.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(groups));
        let w = sample!("w", batch::Normal::new(mu, scale));
        sample!(
            "y",
            batch::Normal::new(tau * gather(&z, group) - vector(&w) * vector(x), scale),
            obs = y
        );
    }
    #[model]
    fn known_scales_plate(group: &[usize], x: &[f64], scale: &[f64], y: &[f64], groups: usize) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        let tau = sample!("tau", HalfNormal::new(1.0));
        let z = plate!("groups", groups, |_j| sample!("z", Normal::new(0.0, 1.0)));
        let w = plate!("ws", y.len(), |i| sample!("w", Normal::new(mu, scale[i])));
        plate!("data", y.len(), |i| {
            sample!(
                "y",
                Normal::new(tau * z[group[i]] - w[i] * x[i], scale[i]),
                obs = y[i]
            );
        });
    }
    let scale: Vec<f64> = (0..rows)
        .map(|i| 0.4 + ((i * 5) % 7) as f64 * 0.3)
        .collect();
    let mut u = vec![0.3, -0.2];
    u.extend((0..groups).map(|j| 0.1 * j as f64 - 0.5));
    u.extend((0..rows).map(|i| ((i * 3) % 8) as f64 * 0.2 - 0.6));
    let (mut g1, mut g2) = (vec![0.0; u.len()], vec![0.0; u.len()]);
    let lp1 = gradient(&u, &mut g1, |v| {
        known_scales(&group, &x, &scale, &y, groups).log_density(v)
    })
    .unwrap();
    let lp2 = gradient(&u, &mut g2, |v| {
        known_scales_plate(&group, &x, &scale, &y, groups).log_density(v)
    })
    .unwrap();
    check("normal lane, data scales", lp1, &g1, lp2, &g2);
    // An invalid data scale in a whole block or in the partial last one, of a latent vector
    // and of observed values: the general path names the element.
    #[model]
    fn scaled(scale: &[f64], y: &[f64]) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        sample!("y", batch::Normal::new(mu + vector(y), scale), obs = y);
    }
    for (bad, value) in [(13, 0.0), (27, -1.0), (9, f64::INFINITY), (28, f64::NAN)] {
        let mut scale = scale.clone();
        scale[bad] = value;
        let model = known_scales(&group, &x, &scale, &y, groups);
        let err = gradient(&u, &mut g1, |v| model.log_density(v)).unwrap_err();
        assert!(err.to_string().contains(&format!("`w[{bad}]`")), "{err}");
        let err = gradient(&[0.1], &mut [0.0], |v| scaled(&scale, &y).log_density(v)).unwrap_err();
        assert!(err.to_string().contains(&format!("`y[{bad}]`")), "{err}");
    }

    // A non-finite location in the second block: the general path names the element.
    #[model]
    fn shifted(shift: &[f64], y: &[f64]) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        sample!("y", batch::Normal::new(mu + vector(shift), 1.0), obs = y);
    }
    let mut shift = vec![0.5; rows];
    shift[11] = f64::INFINITY;
    let err = shifted(&shift, &y).log_density(&[0.1]).unwrap_err();
    assert!(err.to_string().contains("`y[11]`"), "{err}");
}

/// A vector site of length zero (an empty group, a model run on no data) has no coordinates:
/// its log density is the rest of the model's, with no coordinate read.
#[model]
fn empty_vector(n: usize) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    let _z = sample!("z", batch::Normal::new(mu, 1.0).iid(n));
}

#[test]
fn a_zero_length_vector_site_has_no_coordinates() {
    let model = empty_vector(0);
    let lp = model.log_density(&[0.5]).unwrap();
    let expected = Normal::new(0.0, 1.0).unwrap().log_prob(&0.5);
    assert!(close(lp, expected, 1e-15), "{lp} vs {expected}");
}

/// Observed data that the body does not read (`sample!(..);` as a statement of its own) are
/// scored in place, neither lifted into autodiff variables nor copied into the kernels'
/// columns; the same sites with their values kept (`let _y = sample!(..)`) go the general way.
/// Both give the same log density and gradient through every route a vectorized statement can
/// take (the row pass, a fused GLM kernel with boolean and count data, a fused elementwise
/// kernel, forward-mode duals, a mask, a mixture), and an invalid element is still named.
#[test]
fn observed_data_scored_in_place_match_the_lifted_values() {
    #[model]
    fn in_place(
        x: &Matrix,
        group: &[usize],
        y: &[f64],
        flips: &[bool],
        counts: &[u64],
        keep: &[bool],
    ) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        let tau = sample!("tau", HalfNormal::new(1.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(3));
        let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(2));
        sample!(
            "rows",
            batch::Normal::new(mu + tau * gather(&z, group), 0.7),
            obs = y
        );
        sample!(
            "glm",
            batch::Bernoulli::from_logits(x.matvec(&beta) + mu),
            obs = flips
        );
        sample!(
            "log_rate",
            batch::Poisson::from_log_rate(x.matvec(&beta)),
            obs = counts
        );
        sample!(
            "scales",
            batch::Normal::new(mu, gather(&z, group) * 0.1 + tau),
            obs = y
        );
        sample!("duals", batch::StudentT::new(3.0, mu, tau), obs = y);
        sample!("masked", batch::Normal::new(mu, tau).mask(keep), obs = y);
        sample!(
            "mixed",
            batch::Normal::new(&z, tau)
                .mixture(vec![0.2, 0.3, 0.5])
                .iid(y.len()),
            obs = y
        );
    }
    #[model]
    fn lifted(
        x: &Matrix,
        group: &[usize],
        y: &[f64],
        flips: &[bool],
        counts: &[u64],
        keep: &[bool],
    ) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        let tau = sample!("tau", HalfNormal::new(1.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(3));
        let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(2));
        let _rows = sample!(
            "rows",
            batch::Normal::new(mu + tau * gather(&z, group), 0.7),
            obs = y
        );
        let _glm = sample!(
            "glm",
            batch::Bernoulli::from_logits(x.matvec(&beta) + mu),
            obs = flips
        );
        let _log_rate = sample!(
            "log_rate",
            batch::Poisson::from_log_rate(x.matvec(&beta)),
            obs = counts
        );
        let _scales = sample!(
            "scales",
            batch::Normal::new(mu, gather(&z, group) * 0.1 + tau),
            obs = y
        );
        let _duals = sample!("duals", batch::StudentT::new(3.0, mu, tau), obs = y);
        let _masked = sample!("masked", batch::Normal::new(mu, tau).mask(keep), obs = y);
        let _mixed = sample!(
            "mixed",
            batch::Normal::new(&z, tau)
                .mixture(vec![0.2, 0.3, 0.5])
                .iid(y.len()),
            obs = y
        );
    }
    let rows = 19;
    let x = wide_design(rows, 2);
    let group: Vec<usize> = (0..rows).map(|i| (i * 5) % 3).collect();
    let y: Vec<f64> = (0..rows)
        .map(|i| ((i * 7) % 11) as f64 * 0.3 - 1.4)
        .collect();
    let flips: Vec<bool> = (0..rows).map(|i| i % 3 == 0).collect();
    let counts: Vec<u64> = (0..rows).map(|i| (i * 5 % 4) as u64).collect();
    let keep: Vec<bool> = (0..rows).map(|i| i % 4 != 1).collect();
    let u = [0.2, -0.4, 0.5, -0.3, 0.9, 0.1, -0.2];
    let (mut g1, mut g2) = (vec![0.0; u.len()], vec![0.0; u.len()]);
    let lp1 = gradient(&u, &mut g1, |v| {
        in_place(&x, &group, &y, &flips, &counts, &keep).log_density(v)
    })
    .unwrap();
    let lp2 = gradient(&u, &mut g2, |v| {
        lifted(&x, &group, &y, &flips, &counts, &keep).log_density(v)
    })
    .unwrap();
    assert!(close(lp1, lp2, 1e-14), "{lp1} vs {lp2}");
    for (k, (a, b)) in g1.iter().zip(&g2).enumerate() {
        assert!(close(*a, *b, 1e-13), "gradient[{k}] {a} vs {b}");
    }
    // The plain log density takes the same path at `f64`.
    let plain = in_place(&x, &group, &y, &flips, &counts, &keep)
        .log_density(&u)
        .unwrap();
    assert!(close(plain, lp1, 1e-14), "{plain} vs {lp1}");

    // A scale that is not positive from the first element on, in place and lifted: the same
    // error, naming the first.
    let mut bad = u;
    bad[2] = -30.0;
    let in_place_error = in_place(&x, &group, &y, &flips, &counts, &keep)
        .log_density(&bad)
        .unwrap_err()
        .to_string();
    let lifted_error = lifted(&x, &group, &y, &flips, &counts, &keep)
        .log_density(&bad)
        .unwrap_err()
        .to_string();
    assert_eq!(in_place_error, lifted_error);
    assert!(in_place_error.contains("`scales[0]`"), "{in_place_error}");
}

/// A lazy expression over groups gathered by group (`(mu + tau * vector(&z)).gather(group)`,
/// NumPyro's `alpha[group]`) is evaluated once per group and its partials summed per group:
/// the same log density and gradient as the per-row gather and as the plate model, through the
/// row pass (its sum passed on whole, or under a per-element product), the logit lane, the
/// general path (a vector scale) and forward-mode duals (Student t), at `Var` and at `f64`;
/// one node per statement; and an index out of range is refused by name.
#[test]
fn expressions_gathered_per_group_match_the_per_row_gather() {
    #[model]
    fn per_group(group: &[usize], x: &[f64], y: &[f64], flips: &[bool], groups: usize) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        let tau = sample!("tau", HalfNormal::new(1.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(groups));
        let b = sample!("b", Normal::new(0.0, 1.0));
        let alpha = (mu + tau * vector(&z)).gather(group);
        sample!(
            "rows",
            batch::Normal::new(alpha.clone() + b * vector(x), 0.8),
            obs = y
        );
        sample!(
            "scaled",
            batch::Normal::new(vector(x) * alpha.clone(), 1.3),
            obs = y
        );
        sample!(
            "logit",
            batch::Bernoulli::from_logits(b * vector(x) - alpha.clone()),
            obs = flips
        );
        sample!(
            "scales",
            batch::Normal::new(mu, vector(x) * 0.0 + tau + alpha.clone() * 0.1 + 2.0),
            obs = y
        );
        sample!("duals", batch::StudentT::new(4.0, alpha, 1.1), obs = y);
    }
    #[model]
    fn per_row(group: &[usize], x: &[f64], y: &[f64], flips: &[bool], groups: usize) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        let tau = sample!("tau", HalfNormal::new(1.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(groups));
        let b = sample!("b", Normal::new(0.0, 1.0));
        sample!(
            "rows",
            batch::Normal::new(mu + tau * gather(&z, group) + b * vector(x), 0.8),
            obs = y
        );
        sample!(
            "scaled",
            batch::Normal::new(vector(x) * (mu + tau * gather(&z, group)), 1.3),
            obs = y
        );
        sample!(
            "logit",
            batch::Bernoulli::from_logits(b * vector(x) - (mu + tau * gather(&z, group))),
            obs = flips
        );
        sample!(
            "scales",
            batch::Normal::new(
                mu,
                vector(x) * 0.0 + tau + (mu + tau * gather(&z, group)) * 0.1 + 2.0
            ),
            obs = y
        );
        sample!(
            "duals",
            batch::StudentT::new(4.0, mu + tau * gather(&z, group), 1.1),
            obs = y
        );
    }
    #[model]
    fn plate_form(group: &[usize], x: &[f64], y: &[f64], flips: &[bool], groups: usize) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        let tau = sample!("tau", HalfNormal::new(1.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(groups));
        let b = sample!("b", Normal::new(0.0, 1.0));
        plate!("data", y.len(), |i| {
            let alpha = mu + tau * z[group[i]];
            sample!("rows", Normal::new(alpha + b * x[i], 0.8), obs = y[i]);
            sample!("scaled", Normal::new(alpha * x[i], 1.3), obs = y[i]);
            sample!(
                "logit",
                Bernoulli::from_logits(b * x[i] - alpha),
                obs = flips[i]
            );
            sample!(
                "scales",
                Normal::new(mu, tau + alpha * 0.1 + 2.0),
                obs = y[i]
            );
            sample!("duals", StudentT::new(4.0, alpha, 1.1), obs = y[i]);
        });
    }
    let rows = 29;
    let groups = 5;
    let group: Vec<usize> = (0..rows).map(|i| (i * 3 + i / 4) % groups).collect();
    let (x, y, flips) = grouped_rows(rows);
    let mut u = vec![0.2, -0.3];
    u.extend((0..groups).map(|j| 0.35 * j as f64 - 0.7));
    u.push(0.4);
    let run = |f: &dyn Fn(&[Var]) -> Result<Var, ModelError>| {
        let mut g = vec![0.0; u.len()];
        let mut nodes = 0;
        let lp = gradient(&u, &mut g, |v| {
            let lp = f(v);
            nodes = recorded_nodes();
            lp
        })
        .unwrap();
        (lp, g, nodes)
    };
    let (lp1, g1, nodes1) = run(&|v| per_group(&group, &x, &y, &flips, groups).log_density(v));
    let (lp2, g2, nodes2) = run(&|v| per_row(&group, &x, &y, &flips, groups).log_density(v));
    let (lp3, g3, _) = run(&|v| plate_form(&group, &x, &y, &flips, groups).log_density(v));
    for (name, lp, g) in [("per row", lp2, &g2), ("plate", lp3, &g3)] {
        assert!(close(lp1, lp, 1e-13), "{name}: {lp1} vs {lp}");
        for (k, (a, b)) in g1.iter().zip(g).enumerate() {
            assert!(close(*a, *b, 1e-12), "{name}: gradient[{k}] {a} vs {b}");
        }
    }
    assert_eq!(nodes1, nodes2, "one node per statement either way");
    let plain = per_group(&group, &x, &y, &flips, groups)
        .log_density(&u)
        .unwrap();
    assert!(close(plain, lp1, 1e-13), "{plain} vs {lp1}");

    #[model]
    fn bad(group: &[usize], y: &[f64]) {
        let mu = sample!("mu", Normal::new(0.0, 1.0));
        let z = sample!("z", batch::Normal::new(0.0, 1.0).iid(2));
        sample!(
            "y",
            batch::Normal::new((mu + vector(&z)).gather(group), 1.0),
            obs = y
        );
    }
    let err = bad(&[0, 2], &[0.1, 0.2])
        .log_density(&[0.0; 3])
        .unwrap_err();
    assert!(err.to_string().contains("index 2 is out of range"), "{err}");
}
