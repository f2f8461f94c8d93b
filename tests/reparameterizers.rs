//! Each reparameterizer under the log density, prior sampling and Predictive.

use model_runtime::prelude::*;
use model_runtime::reparam::Bijection;
use model_runtime::site::ModelSites;
use model_suite::{EIGHT_SCHOOLS_SIGMA as SIGMA, EIGHT_SCHOOLS_Y as Y, eight_schools};

fn ln_normal(x: f64, loc: f64, scale: f64) -> f64 {
    Normal::new(loc, scale).unwrap().log_prob(&x)
}

#[test]
fn noncentered_log_density_is_the_standard_normal_form() {
    let model = eight_schools(&Y, &SIGMA).reparam(|r| r.theta(LocScaleReparam::default()));
    let z: Vec<f64> = (0..8).map(|j| -1.0 + 0.3 * j as f64).collect();
    let (u_mu, u_tau) = (1.5, 0.7);
    let mut u = vec![u_mu, u_tau];
    u.extend(&z);
    let tau = u_tau.exp();
    let mut expected =
        ln_normal(u_mu, 0.0, 5.0) + HalfCauchy::new(5.0).unwrap().log_prob(&tau) + u_tau;
    for ((z, y), sigma) in z.iter().zip(Y).zip(SIGMA) {
        let theta = u_mu + tau * z;
        expected += ln_normal(*z, 0.0, 1.0) + ln_normal(y, theta, sigma);
    }
    let lp = model.log_density(&u).unwrap();
    assert!((lp - expected).abs() < 1e-10, "{lp} vs {expected}");

    let draw = model.constrain(&u).unwrap();
    for (theta, z) in draw.theta.iter().zip(&z) {
        assert!((theta - (u_mu + tau * z)).abs() < 1e-12);
    }
    let back = model
        .unconstrain(&eight_schools::Sites::latent_of(&draw))
        .unwrap();
    for (a, b) in back.iter().zip(&u) {
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
    }
}

#[test]
fn partial_centering_matches_its_definition() {
    let c = 0.3;
    let model = eight_schools(&Y, &SIGMA).reparam(|r| r.theta(LocScaleReparam::new(c).unwrap()));
    let mut u = vec![0.5, 1.1];
    u.extend([0.2; 8]);
    let (mu, tau) = (0.5, 1.1f64.exp());
    let mut expected = ln_normal(mu, 0.0, 5.0) + HalfCauchy::new(5.0).unwrap().log_prob(&tau) + 1.1;
    for (y, sigma) in Y.iter().zip(SIGMA) {
        let theta = mu + tau.powf(1.0 - c) * (0.2 - c * mu);
        expected += ln_normal(0.2, c * mu, tau.powf(c)) + ln_normal(*y, theta, sigma);
    }
    let lp = model.log_density(&u).unwrap();
    assert!((lp - expected).abs() < 1e-10, "{lp} vs {expected}");
}

#[test]
fn reparameterized_models_sample_priors_and_predict() {
    let model = eight_schools(&Y, &SIGMA).reparam(|r| r.theta(LocScaleReparam::default()));
    let prior = Predictive::prior(300).seed(5).run(&model).unwrap();
    assert_eq!(prior.theta.len(), 300);
    assert!(prior.theta.iter().all(|t| t.len() == 8));
    let plain = Predictive::prior(300)
        .seed(5)
        .run(&eight_schools(&Y, &SIGMA))
        .unwrap();
    assert_eq!(
        prior, plain,
        "a reparameterizer does not change what the prior draws"
    );
    let post = Predictive::posterior(&prior).seed(6).run(&model).unwrap();
    assert_eq!(post.theta, prior.theta);
    assert_eq!(post.y.len(), 300);
}

#[model]
fn wide(y: f64) {
    let a = sample!("a", Normal::new(0.0, 100.0));
    let s = sample!("s", Exponential::new(2.0));
    sample!("y", Normal::new(a, s), obs = y);
}

#[test]
fn transform_reparam_uses_the_given_bijection_and_its_jacobian() {
    let model = wide(3.0).reparam(|r| {
        r.a(TransformReparam::new(Bijection::Affine {
            loc: 0.0,
            scale: 100.0,
        }))
        .s(TransformReparam::new(Bijection::Exp))
    });
    let u = [0.02, -0.3];
    let (a, s) = (2.0, (-0.3f64).exp());
    let expected = ln_normal(a, 0.0, 100.0)
        + 100f64.ln()
        + Exponential::new(2.0).unwrap().log_prob(&s)
        + (-0.3)
        + ln_normal(3.0, a, s);
    let lp = model.log_density(&u).unwrap();
    assert!((lp - expected).abs() < 1e-10, "{lp} vs {expected}");
    let back = model.unconstrain(&wide::Latent { a, s }).unwrap();
    assert!((back[0] - u[0]).abs() < 1e-12 && (back[1] - u[1]).abs() < 1e-12);
    let prior = Predictive::prior(10).seed(1).run(&model).unwrap();
    assert_eq!(prior.a.len(), 10);
}

#[model]
fn bearing(y: &[Vec<f64>]) {
    let v = sample!("v", ProjectedNormal::new(vec![1.0, -0.5, 2.0]));
    plate!("data", y.len(), |i| {
        sample!(
            "y",
            ProjectedNormal::new(vec![v[0] * 4.0, v[1] * 4.0, v[2] * 4.0]),
            obs = &y[i]
        );
    });
}

const DIRECTIONS: [[f64; 3]; 2] = [[0.0, 0.6, 0.8], [0.48, 0.64, 0.6]];

fn directions() -> Vec<Vec<f64>> {
    DIRECTIONS.iter().map(|v| v.to_vec()).collect()
}

#[test]
fn projected_normal_reparam_explores_the_auxiliary_normal_vector() {
    let y = directions();
    let model = bearing(&y).reparam(|r| r.v(ProjectedNormalReparam));
    assert_eq!(model.unconstrained_dim().unwrap(), 3);
    // The target is the auxiliary vector's Normal(concentration, I) density plus the likelihood
    // at its direction: no Jacobian, since x is explored directly.
    let u = [0.4, -1.5, 2.2];
    let norm = u.iter().map(|x| x * x).sum::<f64>().sqrt();
    let v: Vec<f64> = u.iter().map(|x| x / norm).collect();
    let mut expected = [1.0, -0.5, 2.0]
        .iter()
        .zip(u)
        .map(|(c, x)| ln_normal(x, *c, 1.0))
        .sum::<f64>();
    let likelihood = ProjectedNormal::new(v.iter().map(|x| x * 4.0).collect::<Vec<f64>>()).unwrap();
    for obs in &y {
        expected += likelihood.log_prob(&PooledVec::from_slice(obs));
    }
    let lp = model.log_density(&u).unwrap();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    let draw = model.constrain(&u).unwrap();
    for (a, b) in draw.v.iter().zip(&v) {
        assert!((a - b).abs() < 1e-15);
    }
    // Unconstraining a unit vector takes x = v, which maps back to the same direction.
    let back = model
        .unconstrain(&bearing::Sites::latent_of(&draw))
        .unwrap();
    for (a, b) in back.iter().zip(&v) {
        assert!((a - b).abs() < 1e-15);
    }
    assert_eq!(model.constrain(&back).unwrap().v, draw.v);
    // The prior and predictions sample the distribution itself.
    let prior = Predictive::prior(100).seed(2).run(&model).unwrap();
    assert!(
        prior
            .v
            .iter()
            .all(|v| (v.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-12)
    );
    assert!(prior.y.iter().all(|y| y.len() == 2 && y[0].len() == 3));
}

#[test]
fn a_latent_projected_normal_without_its_reparameterizer_is_an_error_naming_the_site() {
    let y = directions();
    let message = bearing(&y).unconstrained_dim().unwrap_err().to_string();
    assert_eq!(
        message,
        "site `v`: a latent ProjectedNormal site has no unconstrained coordinates of its own; reparameterize it with `.reparam(|r| r.v(ProjectedNormalReparam))`"
    );
    let fit_error = Nuts::default().chains(1).run(&bearing(&y)).unwrap_err();
    assert!(
        fit_error
            .to_string()
            .contains("r.v(ProjectedNormalReparam)"),
        "{fit_error}"
    );
    // Observed projected normal sites need nothing.
    let model = bearing(&y).reparam(|r| r.v(ProjectedNormalReparam));
    assert!(
        model
            .log_joint(&bearing::Latent {
                v: vec![0.0, 0.0, 1.0]
            })
            .unwrap()
            .is_finite()
    );
}

/// A reparameterizer written outside the library: one type and one `Reparameterizer` impl, and
/// the typed setters take it. It explores a real site through `x = k·u`, whose log-Jacobian is
/// `ln k`.
mod user_written {
    use core::fmt;

    use model_runtime::distribution::{DensityError, Distribution, Family, PlainValue, Value};
    use model_runtime::prelude::*;
    use model_runtime::reparam::Reparameterizer;
    use model_runtime::value::Real;

    #[derive(Debug, Clone, Copy)]
    pub struct Stretch(pub f64);

    impl fmt::Display for Stretch {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "Stretch({})", self.0)
        }
    }

    impl<F: Family<Kind = Real>> Reparameterizer<F> for Stretch {
        fn constrain<U: Scalar>(
            &self,
            dist: &F::At<U>,
            coordinates: &[U],
            jacobian: bool,
        ) -> Result<(Value<F::At<U>>, U), DensityError> {
            let x = coordinates[0] * self.0;
            let lp = dist.checked_log_prob(&x)?;
            let log_jacobian = if jacobian { self.0.ln() } else { 0.0 };
            Ok((x, lp + log_jacobian))
        }

        fn unconstrain<U: Scalar>(
            &self,
            _dist: &F::At<U>,
            x: &PlainValue<F::At<U>>,
            out: &mut Vec<f64>,
        ) -> Result<(), f64> {
            out.push(x / self.0);
            Ok(())
        }
    }
}

#[test]
fn a_reparameterizer_written_by_a_user_plugs_into_the_setters() {
    use model_runtime::inference::GradientTarget;
    use model_runtime::results::model_target::ModelTarget;
    use user_written::Stretch;
    let model = eight_schools(&Y, &SIGMA).reparam(|r| r.mu(Stretch(10.0)));
    let plain = eight_schools(&Y, &SIGMA);
    let mut u = vec![0.3, 0.7];
    u.extend([0.1; 8]);
    let mut stretched = u.clone();
    stretched[0] = 3.0;
    // Same point, mu = 10·0.3 = 3: the densities differ by the Jacobian ln 10.
    let lp = model.log_density(&u).unwrap();
    let expected = plain.log_density(&stretched).unwrap() + 10f64.ln();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    let mut gradient = vec![0.0; u.len()];
    ModelTarget::new(&model)
        .unwrap()
        .log_density_and_gradient(&u, &mut gradient)
        .unwrap();
    let mut plain_gradient = vec![0.0; u.len()];
    ModelTarget::new(&plain)
        .unwrap()
        .log_density_and_gradient(&stretched, &mut plain_gradient)
        .unwrap();
    // d/du = k · d/dmu at the same point.
    assert!((gradient[0] - 10.0 * plain_gradient[0]).abs() < 1e-10);
    assert!((gradient[1] - plain_gradient[1]).abs() < 1e-10);
    let draw = model.constrain(&u).unwrap();
    assert!((draw.mu - 3.0).abs() < 1e-15);
    let back = model
        .unconstrain(&eight_schools::Sites::latent_of(&draw))
        .unwrap();
    assert!((back[0] - 0.3).abs() < 1e-15);
    let description = model.describe().unwrap().to_string();
    assert!(description.contains("Stretch(10)"), "{description}");
}
