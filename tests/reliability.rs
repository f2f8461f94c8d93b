//! Bad data get a clear error before sampling: the site, the element (plate indices included)
//! and the value; circular observations may be any real angle.

use model_runtime::prelude::*;

#[model]
fn proportions(y: &[f64]) {
    let a = sample!("a", Gamma::new(2.0, 1.0));
    plate!("data", y.len(), |i| {
        sample!("y", Beta::new(a, a), obs = y[i]);
    });
}

#[model]
fn scales(y: &[f64]) {
    let s = sample!("s", HalfNormal::new(1.0));
    sample!("y", batch::HalfNormal::new(s), obs = y);
}

#[model]
fn grouped_counts(k: &[Vec<f64>]) {
    let mu = sample!("mu", Normal::new(0.0, 1.0));
    plate!("groups", k.len(), |g| {
        plate!("members", k[g].len(), |m| {
            sample!("k", Normal::new(mu, 1.0), obs = k[g][m]);
        });
    });
}

#[model]
fn directions(y: &[f64]) {
    let m = sample!("m", VonMises::new(0.0, 0.5));
    sample!("y", batch::VonMises::new(m, 2.0), obs = y);
}

fn fit_error<M>(model: &M) -> String
where
    M: Model + Body<f64> + Body<model_runtime::autodiff::Var> + Sync,
    <M::Sites as model_runtime::site::ModelSites>::LatentSites: model_runtime::site::AllContinuous,
{
    Nuts::default()
        .warmup(50)
        .samples(50)
        .chains(1)
        .run(model)
        .map(|_| ())
        .unwrap_err()
        .to_string()
}

#[test]
fn an_observation_outside_the_support_names_site_element_value_and_support() {
    assert_eq!(
        fit_error(&proportions(&[0.2, 0.7, 1.5, 0.4])),
        "site `y[2]`: observed value 1.5 is outside the support of Beta (0, 1)"
    );
    assert_eq!(
        fit_error(&scales(&[0.5, 1.0, -1.0])),
        "site `y[2]`: observed value -1 is outside the support of HalfNormal (0, ∞)"
    );
}

#[test]
fn non_finite_data_name_the_element_inside_nested_plates() {
    let k = vec![vec![0.1, 0.2], vec![0.3, f64::NAN, 0.5]];
    assert_eq!(
        fit_error(&grouped_counts(&k)),
        "site `k[1][1]`: observed value NaN is not a finite number"
    );
    assert_eq!(
        fit_error(&scales(&[0.5, f64::INFINITY])),
        "site `y[1]`: observed value inf is not a finite number"
    );
}

#[test]
fn angles_may_be_any_real_number() {
    let d = VonMises::new(0.5, 2.0).unwrap();
    for x in [4.0, -7.5, 30.0] {
        let wrapped = model_runtime::special::wrap_angle(x);
        assert!((d.log_prob(&x) - d.log_prob(&wrapped)).abs() < 1e-12, "{x}");
    }
    // The same data, wrapped or not, give the same log density everywhere, and a fit of
    // unwrapped angles runs.
    let raw = [0.3, 4.0, -2.9, 7.0];
    let wrapped: Vec<f64> = raw
        .iter()
        .map(|x| model_runtime::special::wrap_angle(*x))
        .collect();
    let (a, b) = (directions(&raw), directions(&wrapped));
    for u in [-2.0, -0.3, 0.0, 0.8, 1.9] {
        let (la, lb) = (a.log_density(&[u]).unwrap(), b.log_density(&[u]).unwrap());
        assert!((la - lb).abs() < 1e-12, "at {u}: {la} vs {lb}");
    }
    let fit = Nuts::default()
        .warmup(200)
        .samples(100)
        .chains(1)
        .seed(3)
        .run(&a)
        .unwrap();
    assert_eq!(fit.m.len(), 100);
}

#[model]
fn mismatched(x: &[f64], y: &[f64]) {
    let b = sample!("b", Normal::new(0.0, 1.0));
    plate!("data", x.len(), |i| {
        sample!("y", Normal::new(b * x[i], 1.0), obs = y[i]);
    });
}

static EVALUATIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[model]
fn panics_once() {
    sample!("mu", Normal::new(0.0, 1.0));
    // Plain Rust in the body: the 100th evaluation of this model, whichever chain makes it,
    // panics; every other evaluation is fine.
    let calls = EVALUATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    assert!(calls != 100, "evaluation {calls} failed");
}

#[test]
fn a_panic_in_model_code_is_an_error_not_a_crash() {
    let x = [0.1, 0.2, 0.3, 0.4];
    let y = [1.0, 2.0, 3.0];
    let error = Nuts::default()
        .chains(2)
        .run(&mismatched(&x, &y))
        .map(|_| ())
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("index out of bounds: the len is 3 but the index is 3"),
        "{message}"
    );
    assert!(message.contains("plate"), "{message}");
}

#[test]
fn chains_that_do_not_panic_keep_their_draws() {
    // On one thread the chains run in order, so the 100th evaluation falls in chain 0's warmup.
    let fit = Nuts::default()
        .warmup(100)
        .samples(50)
        .chains(3)
        .threads(1)
        .seed(5)
        .run(&panics_once())
        .unwrap();
    let failures: Vec<usize> = fit.failures().iter().map(|(c, _)| *c).collect();
    assert_eq!(failures, [0]);
    let message = fit.failures()[0].1.to_string();
    assert!(message.contains("evaluation 100 failed"), "{message}");
    assert_eq!(fit.chains().len(), 2);
    assert_eq!(fit.mu.len(), 100);
    assert!(
        fit.warnings()
            .iter()
            .any(|w| w.to_string().contains("chain 0 failed"))
    );
}

#[test]
fn a_panic_in_predictive_names_the_draw() {
    let x = [0.1, 0.2, 0.3, 0.4];
    let y = [1.0, 2.0, 3.0];
    let error = Predictive::prior(5)
        .seed(1)
        .run(&mismatched(&x, &y))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(error.draw(), 0);
    assert!(error.error().is_none());
    assert_eq!(
        error.to_string(),
        "predictive draw 0: the model panicked: index out of bounds: the len is 3 but the index is 3"
    );
}

#[model]
fn rows(x: &[Vec<f64>], y: &[f64]) {
    let beta = plate!("coefficients", 2, |_k| sample!(
        "beta",
        Normal::new(0.0, 1.0)
    ));
    plate!("data", y.len(), |i| {
        let mu = model_runtime::linalg::dot(&x[i], &beta);
        sample!("y", Normal::new(mu, 1.0), obs = y[i]);
    });
}

#[test]
fn a_dot_product_of_different_lengths_is_reported_not_truncated() {
    let x = vec![vec![1.0, 2.0, 3.0], vec![0.5, 0.1, 0.2]];
    let error = Nuts::default()
        .chains(1)
        .run(&rows(&x, &[1.0, 2.0]))
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "dot product of a data vector of length 3 and a parameter vector of length 2"
        ),
        "{error}"
    );
}

#[model]
fn flat() {
    sample!("x", ImproperUniform::new(Support::Real));
}

#[test]
fn an_improper_posterior_is_reported_as_stan_reports_it() {
    let error = Nuts::default()
        .chains(2)
        .run(&flat())
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(error.contains("the posterior looks improper"), "{error}");
}

#[model]
fn standard(n: usize) {
    plate!("k", n, |_k| {
        sample!("x", Normal::new(0.0, 1.0));
    });
}

#[test]
fn a_cancelled_fit_keeps_the_draws_it_made() {
    use model_runtime::results::mcmc::Cancel;
    let model = standard(3);
    let cancel = Cancel::new();
    let nuts = Nuts::default()
        .warmup(20)
        .samples(10_000_000)
        .chains(2)
        .seed(5)
        .progress(false);
    let fit = std::thread::scope(|scope| {
        let stopper = cancel.clone();
        scope.spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            stopper.cancel();
        });
        nuts.clone().cancel_on(&cancel).run(&model)
    })
    .expect("the chains were sampling when cancelled");
    assert!(fit.interrupted());
    assert!(
        fit.warnings()
            .iter()
            .any(|w| w.to_string().contains("cancelled"))
    );
    // Each chain's draws are the start of the same chain run without interruption.
    for (c, chain) in fit.chains().iter().enumerate() {
        let kept = chain.draws.x.len();
        assert!(kept > 0 && kept < 10_000_000, "chain {c} kept {kept}");
        assert!(chain.interrupted);
        let full = nuts.clone().samples(kept).run(&model).unwrap();
        assert_eq!(full.chains()[c].draws.x, chain.draws.x, "chain {c}");
    }
}
