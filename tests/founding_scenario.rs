//! The founding scenario (NumPyro issue #1846): a circular model whose latent phase is explored
//! through `CircularReparam`, and whose observed VonMises likelihood is predicted by Predictive.
//! The configuration that crashes NumPyro (the reparameterizer on the observed site) is a
//! compile error: see `tests/ui/reparam/observed_site.rs`.

use std::f64::consts::PI;

use model_runtime::prelude::*;
use model_runtime::reparam::wrap_angle;
use model_runtime::site::ModelSites;

/// Angles `y` around a latent phase shifted by known offsets `t`.
#[model]
fn phase_model(t: &[f64], y: Option<&[f64]>) {
    let phase = sample!("phase", VonMises::new(2.5, 2.0));
    let kappa = sample!("kappa", Gamma::new(4.0, 0.5));
    plate!("data", t.len(), |i| {
        sample!(
            "obs",
            VonMises::new(phase + t[i], kappa),
            obs = y.map(|y| y[i])
        );
    });
}

const T: [f64; 4] = [0.0, 0.3, -0.4, 1.0];
const Y: [f64; 4] = [3.0, -2.9, 2.6, -2.3];

#[test]
fn log_density_is_periodic_in_the_auxiliary_angle() {
    let model = phase_model(&T, Some(&Y)).reparam(|r| r.phase(CircularReparam));
    for &u_phase in &[-7.0, -3.0, -0.5, 0.0, 2.0, 3.1, 3.2, 9.0] {
        let u_kappa = 0.4;
        let lp = model.log_density(&[u_phase, u_kappa]).unwrap();
        for k in [-2.0, 1.0, 3.0] {
            let shifted = model
                .log_density(&[u_phase + k * 2.0 * PI, u_kappa])
                .unwrap();
            assert!(
                (lp - shifted).abs() < 1e-11,
                "u = {u_phase}, k = {k}: {lp} vs {shifted}"
            );
        }
        // Equal to the model's log joint at the wrapped phase, plus the kappa log-Jacobian.
        let latent = phase_model::Latent {
            phase: wrap_angle(u_phase),
            kappa: u_kappa.exp(),
        };
        let expected = model.log_joint(&latent).unwrap() + u_kappa;
        assert!(
            (lp - expected).abs() < 1e-11,
            "u = {u_phase}: {lp} vs {expected}"
        );
        // And the phase term is the VonMises log density at the wrapped value.
        let draw = model.constrain(&[u_phase, u_kappa]).unwrap();
        assert_eq!(draw.phase, wrap_angle(u_phase));
    }
}

#[test]
fn without_reparam_the_phase_uses_the_interval_map() {
    // The default map squeezes the real line onto (-pi, pi): not periodic, Jacobian included.
    let model = phase_model(&T, Some(&Y));
    let a = model.log_density(&[0.3, 0.4]).unwrap();
    let b = model.log_density(&[0.3 + 2.0 * PI, 0.4]).unwrap();
    assert!((a - b).abs() > 1e-3);
    let draw = model.constrain(&[0.3, 0.4]).unwrap();
    let u = model
        .unconstrain(&phase_model::Sites::latent_of(&draw))
        .unwrap();
    assert!((u[0] - 0.3).abs() < 1e-12 && (u[1] - 0.4).abs() < 1e-12);
}

#[test]
fn posterior_predictive_draws_the_observed_site() {
    let model = phase_model(&T, Some(&Y)).reparam(|r| r.phase(CircularReparam));
    // Any typed draws will do here; inference supplies them in practice.
    let latents: Vec<phase_model::Latent> = (0..50)
        .map(|i| phase_model::Latent {
            phase: -PI + 0.12 * i as f64,
            kappa: 5.0,
        })
        .collect();
    let new_t = [0.0, 0.5, 1.5];
    let pred = Predictive::from_latents(&latents)
        .seed(3)
        .run(&phase_model(&new_t, None).reparam(|r| r.phase(CircularReparam)))
        .unwrap();
    assert_eq!(pred.obs.len(), 50);
    for (i, y_rep) in pred.obs.iter().enumerate() {
        assert_eq!(y_rep.len(), 3);
        assert!(y_rep.iter().all(|y| (-PI..PI).contains(y)));
        assert_eq!(
            pred.phase[i], latents[i].phase,
            "latent values are substituted, not redrawn"
        );
    }
    // Reproducible from the seed, different for another seed.
    let again = Predictive::from_latents(&latents)
        .seed(3)
        .run(&model)
        .unwrap();
    let original = Predictive::from_latents(&latents)
        .seed(3)
        .run(&model)
        .unwrap();
    assert_eq!(again, original);
    let other = Predictive::from_latents(&latents)
        .seed(4)
        .run(&model)
        .unwrap();
    assert_ne!(other.obs, original.obs);
}

/// NumPyro 0.22 raises NotImplementedError here: it samples the auxiliary site from
/// ImproperUniform. We sample the site's own VonMises, and its draws must follow it.
#[test]
fn prior_predictive_of_a_reparameterized_site_follows_its_von_mises_prior() {
    let model = phase_model(&T, None).reparam(|r| r.phase(CircularReparam));
    let n = 4000;
    let prior = Predictive::prior(n).seed(11).run(&model).unwrap();
    assert_eq!(prior.phase.len(), n);
    assert_eq!(prior.obs.len(), n);
    assert!(prior.obs.iter().all(|y| y.len() == T.len()));

    let cdf = von_mises_cdf(2.5, 2.0);
    let d = ks_statistic(&prior.phase, &cdf);
    // Critical value of the one-sample KS test at alpha = 0.001.
    let critical = 1.95 / (n as f64).sqrt();
    assert!(d < critical, "KS statistic {d} >= {critical}");

    // The test can fail: the same draws are rejected against a prior with the wrong location.
    let wrong = von_mises_cdf(2.0, 2.0);
    assert!(ks_statistic(&prior.phase, &wrong) > critical);
}

/// The von Mises CDF on [-pi, pi), by Simpson integration of the density on a fine grid.
fn von_mises_cdf(loc: f64, kappa: f64) -> impl Fn(f64) -> f64 {
    let d = VonMises::new(loc, kappa).unwrap();
    let cells = 20_000;
    let h = 2.0 * PI / cells as f64;
    let density = |x: f64| d.log_prob(&x).exp();
    let mut table = vec![0.0; cells + 1];
    for k in 0..cells {
        let a = -PI + k as f64 * h;
        let piece = h / 6.0 * (density(a) + 4.0 * density(a + h / 2.0) + density(a + h));
        table[k + 1] = table[k] + piece;
    }
    move |x: f64| {
        let pos = ((x + PI) / h).clamp(0.0, cells as f64);
        let k = (pos.floor() as usize).min(cells - 1);
        let frac = pos - k as f64;
        table[k] + frac * (table[k + 1] - table[k])
    }
}

fn ks_statistic(draws: &[f64], cdf: &impl Fn(f64) -> f64) -> f64 {
    let mut sorted = draws.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    sorted.iter().enumerate().fold(0.0_f64, |d, (i, &x)| {
        let f = cdf(x);
        d.max(f - i as f64 / n).max((i + 1) as f64 / n - f)
    })
}
