//! Bad data get a clear error before sampling: the site, the element (plate indices included)
//! and the value; circular observations may be any real angle.
//!
//! Its length (about 710 lines) is one test per kind of bad input, each naming the site, element
//! and value it expects.

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
    <M::Sites as model_runtime::site::ModelSites>::LatentSites: model_runtime::site::AllFittable,
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
    assert_eq!(
        fit_error(&proportions(&[0.5, 0.25, f64::NEG_INFINITY])),
        "site `y[2]`: observed value -inf is not a finite number"
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

/// As `mismatched`, reading `y` backwards: an index the plate cannot check before it runs.
#[model]
fn reversed(x: &[f64], y: &[f64]) {
    let b = sample!("b", Normal::new(0.0, 1.0));
    plate!("data", x.len(), |i| {
        sample!("y", Normal::new(b * x[i], 1.0), obs = y[x.len() - 1 - i]);
    });
}

#[test]
fn data_of_another_size_than_their_plate_is_an_error_naming_both() {
    let x = [0.1, 0.2, 0.3, 0.4];
    let y = [1.0, 2.0, 3.0];
    let nuts = Nuts::default().chains(2).progress(false);
    // Shorter data would panic at the last element; longer data would be cut silently.
    for (x, y, size, len) in [(&x[..], &y[..], 4, 3), (&y[..], &x[..], 3, 4)] {
        let message = nuts
            .run(&mismatched(x, y))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            format!(
                "plate `data`: {size} elements, indexing `y` by its element, but `y` has {len} (give data of the plate's size)"
            )
        );
        let error = Predictive::prior(3).run(&mismatched(x, y)).unwrap_err();
        assert!(error.to_string().contains("plate `data`"), "{error}");
    }
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
        .run(&reversed(&x, &y))
        .map(|_| ())
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("index out of bounds: the len is 3 but the index is 3"),
        "{message}"
    );
    assert!(message.contains("plate"), "{message}");
    // The data check finds it, and names the statement and element.
    assert!(message.contains("while evaluating `y[0]`"), "{message}");
}

/// Looks a row of `table` up by a latent value: rows past `table`'s end panic, at whichever
/// draw reaches them, inside the chain rather than in the data check (where u = 1/2).
/// `u` reads rows `i + floor(4u)`: row 5, one past the end, at u >= 3/4.
#[model]
fn lookup(table: &[f64], n: usize) {
    let u = sample!("u", Uniform::new(0.0, 1.0));
    plate!("rows", n, |i| {
        let row = table[i + (u.value() * 4.0) as usize];
        sample!("z", Normal::new(row, 1.0));
    });
}

#[test]
fn a_panic_inside_a_chain_names_the_statement_and_element() {
    let table = [0.0, 1.0, 2.0, 3.0, 4.0];
    let fit = Nuts::default()
        .warmup(200)
        .samples(200)
        .chains(2)
        .seed(1)
        .progress(false)
        .run(&lookup(&table, 3));
    let message = match fit {
        Err(model_runtime::FitError::AllChainsFailed { error, .. }) => error.to_string(),
        Ok(fit) => fit
            .failures()
            .first()
            .map(|(_, e)| e.to_string())
            .expect("a chain reaches u >= 3/4"),
        Err(e) => panic!("{e}"),
    };
    // Row 5 is read at element 5 - floor(4u) of the plate, before its statement `z`: the
    // plate's element is named.
    let named = ["rows[1]", "rows[2]"].map(|at| {
        message.contains(&format!(
            "the model panicked while evaluating `{at}`: index out of bounds: the len is 5 but the index is 5"
        ))
    });
    assert!(named.contains(&true), "{message}");
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
        .run(&reversed(&x, &y))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(error.draw(), 0);
    assert!(error.error().is_none());
    assert_eq!(
        error.to_string(),
        "predictive draw 0: the model panicked while evaluating `y[0]`: index out of bounds: the len is 3 but the index is 3"
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
    // The chains stopped at different lengths; the summary compares their common start.
    let shortest = fit.chains().iter().map(|c| c.draws.x.len()).min().unwrap();
    let summary = fit.summary().expect("a cancelled fit has a summary");
    assert_eq!(summary.rows().len(), 3);
    let elements = fit.chains().iter().map(|c| c.draws.x.len());
    if elements.clone().max() != Some(shortest) {
        let warning = fit
            .warnings()
            .iter()
            .map(ToString::to_string)
            .find(|w| w.contains("cancelled"));
        assert!(
            warning
                .unwrap()
                .contains(&format!("each chain's first {shortest} draws")),
            "{:?}",
            fit.warnings()
        );
    }
    // Each chain's draws are the start of the same chain run without interruption.
    for (c, chain) in fit.chains().iter().enumerate() {
        let kept = chain.draws.x.len();
        assert!(kept > 0 && kept < 10_000_000, "chain {c} kept {kept}");
        assert!(chain.interrupted());
        let full = nuts.clone().samples(kept).run(&model).unwrap();
        assert_eq!(full.chains()[c].draws.x, chain.draws.x, "chain {c}");
    }
}

#[test]
fn a_resumed_fit_makes_the_draws_of_one_longer_run() {
    use model_runtime::results::mcmc::Cancel;
    let model = standard(3);
    let nuts = Nuts::default()
        .warmup(150)
        .chains(3)
        .seed(11)
        .progress(false);
    let long = nuts.clone().samples(400).run(&model).unwrap();
    let first = nuts.clone().samples(100).run(&model).unwrap();
    let rest = nuts.clone().samples(300).resume(&model, &first).unwrap();
    for c in 0..3 {
        let (long, first, rest) = (&long.chains()[c], &first.chains()[c], &rest.chains()[c]);
        assert_eq!(first.draws.x, long.draws.x[..100], "chain {c}");
        assert_eq!(rest.draws.x, long.draws.x[100..], "chain {c}");
        assert_eq!(rest.sampler.stats, long.sampler.stats[100..], "chain {c}");
        assert_eq!(
            (rest.sampler.step_size, rest.chain),
            (long.sampler.step_size, c)
        );
        assert!(rest.sampler.warmup_stats.is_empty());
    }
    // With thinning, over a whole number of periods.
    let thinned = nuts.clone().thin(4);
    let long = thinned.clone().samples(80).run(&model).unwrap();
    let first = thinned.clone().samples(40).run(&model).unwrap();
    let rest = thinned.clone().samples(40).resume(&model, &first).unwrap();
    assert_eq!(rest.chains()[2].draws.x, long.chains()[2].draws.x[10..]);

    // A cancelled fit continues where it stopped: its draws and the continuation's are the
    // start of one uninterrupted run.
    let cancel = Cancel::new();
    let stopped = std::thread::scope(|scope| {
        let stopper = cancel.clone();
        scope.spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            stopper.cancel();
        });
        nuts.clone()
            .samples(10_000_000)
            .cancel_on(&cancel)
            .run(&model)
    })
    .expect("the chains were sampling when cancelled");
    let rest = nuts.clone().samples(100).resume(&model, &stopped).unwrap();
    assert!(!rest.interrupted());
    // Chains cancelled in warmup have no draws to continue from (with 3 chains on 2 threads,
    // the third starts after the cancel); the others continue, keeping their index.
    assert!(!stopped.chains().is_empty());
    for (stopped, rest) in stopped.chains().iter().zip(rest.chains()) {
        let (c, kept) = (stopped.chain, stopped.draws.x.len());
        assert_eq!(rest.chain, c);
        let long = nuts.clone().samples(kept + 100).run(&model).unwrap();
        assert_eq!(rest.draws.x, long.chains()[c].draws.x[kept..], "chain {c}");
    }
}

/// `standard`, whose site values fail to compute from the `fail_from`-th call of its `f64`
/// body on: a deterministic site failing where the log density did not, the case that used to
/// throw a finished chain away.
struct FailsLater<'a> {
    inner: &'a standard::Model<'a>,
    calls: std::sync::atomic::AtomicUsize,
    fail_from: usize,
}

impl Model for FailsLater<'_> {
    type Sites = standard::Sites;
}

impl Body<f64> for FailsLater<'_> {
    fn body<H: model_runtime::handler::Handler<Self::Sites, f64>>(
        &self,
        handler: &mut H,
    ) -> Result<(), ModelError> {
        let call = self
            .calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if call >= self.fail_from {
            return Err(ModelError::new(
                "x",
                &[1],
                ModelErrorKind::NonFinite { value: f64::NAN },
            ));
        }
        self.inner.body(handler)
    }
}

impl Body<model_runtime::autodiff::Var> for FailsLater<'_> {
    fn body<H: model_runtime::handler::Handler<Self::Sites, model_runtime::autodiff::Var>>(
        &self,
        handler: &mut H,
    ) -> Result<(), ModelError> {
        self.inner.body(handler)
    }
}

#[test]
fn a_draw_whose_values_fail_ends_the_chain_keeping_the_draws_before_it() {
    let inner = standard(2);
    let model = FailsLater {
        inner: &inner,
        calls: Default::default(),
        fail_from: 60,
    };
    let nuts = Nuts::default()
        .warmup(100)
        .samples(200)
        .chains(1)
        .seed(4)
        .progress(false);
    let fit = nuts.run(&model).expect("the chain keeps its first draws");
    let chain = &fit.chains()[0];
    let kept = chain.draws.x.len();
    // The f64 body runs a few times before the chain starts (the data check, the start),
    // then once per draw: the 60th call is an early draw.
    assert!(kept > 50 && kept < 60, "{kept}");
    assert_eq!(
        (chain.sampler.draws.len(), chain.sampler.stats.len()),
        (kept, kept)
    );
    assert!(matches!(
        chain.faults[..],
        [model_runtime::results::fit::ChainFault::Draw { draw, .. }] if draw == kept
    ));
    let clean = nuts.samples(kept).run(&inner).unwrap();
    assert_eq!(chain.draws.x, clean.chains()[0].draws.x);
    let warning = fit
        .warnings()
        .iter()
        .map(ToString::to_string)
        .find(|w| w.contains(&format!("draw {kept} could not")))
        .expect("a warning names the draw");
    assert!(warning.contains("site `x[1]`"), "{warning}");
}

/// The environment variable that makes the streaming test's child process sample.
const STREAM_CHILD: &str = "RELIABILITY_STREAM_CHILD";

#[test]
fn a_killed_process_leaves_every_completed_draw_in_its_stream() {
    let nuts = Nuts::default()
        .warmup(100)
        .chains(2)
        .seed(8)
        .progress(false);
    if let Some(dir) = std::env::var_os(STREAM_CHILD) {
        // The child: samples until it is killed.
        let _ = nuts
            .samples(10_000_000)
            .stream_cmdstan_csv(dir)
            .run(&standard(3));
        return;
    }
    let dir = std::env::temp_dir().join(format!("reliability-stream-{}", std::process::id()));
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_killed_process_leaves_every_completed_draw_in_its_stream",
            "--test-threads=1",
        ])
        .env(STREAM_CHILD, &dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let file = |chain: usize| dir.join(format!("standard-{chain}.csv"));
    let lines = |chain: usize| {
        std::fs::read_to_string(file(chain))
            .map(|text| text.matches('\n').count())
            .unwrap_or(0)
    };
    let waited = std::time::Instant::now();
    while (lines(1) < 300 || lines(2) < 300) && waited.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for chain in 1..=2 {
        let text = std::fs::read_to_string(file(chain)).unwrap();
        // A line cut short by the kill has no newline: it is the draw in flight, not a draw.
        let complete = &text[..text.rfind('\n').map_or(0, |end| end + 1)];
        let mut lines = complete.lines().skip_while(|l| l.starts_with('#'));
        assert_eq!(
            lines.next(),
            Some(
                "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,x.1,x.2,x.3"
            )
        );
        let rows: Vec<Vec<f64>> = lines
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
            .collect();
        assert!(rows.len() >= 290, "chain {chain}: {} rows", rows.len());
        assert!(complete.contains("# Step size = "));
        // Every completed draw is there, exactly as the same chain run in process makes it.
        let fit = nuts.clone().samples(rows.len()).run(&standard(3)).unwrap();
        let expected = &fit.chains()[chain - 1];
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), 10);
            assert_eq!(
                row[0], expected.sampler.stats[i].log_density,
                "chain {chain} draw {i}"
            );
            assert_eq!(row[7..], expected.draws.x[i], "chain {chain} draw {i}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The environment variable that makes the Ctrl-C test's child process sample.
const CTRL_C_CHILD: &str = "RELIABILITY_CTRL_C_CHILD";

#[test]
#[cfg(unix)]
fn ctrl_c_ends_a_fit_with_the_draws_it_made() {
    use model_runtime::results::mcmc::Cancel;
    if let Some(dir) = std::env::var_os(CTRL_C_CHILD) {
        // The child: samples until Ctrl-C, then reports what the fit kept. The stream tells
        // the parent when sampling is under way.
        let fit = Nuts::default()
            .warmup(50)
            .samples(10_000_000)
            .chains(2)
            .progress(false)
            .stream_cmdstan_csv(dir)
            .cancel_on(&Cancel::on_ctrl_c().unwrap())
            .run(&standard(2))
            .unwrap();
        println!(
            "interrupted {} draws {} warnings {}",
            fit.interrupted(),
            fit.x.len(),
            fit.warnings().len()
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("reliability-ctrl-c-{}", std::process::id()));
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "ctrl_c_ends_a_fit_with_the_draws_it_made",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CTRL_C_CHILD, &dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let rows = |chain: usize| {
        std::fs::read_to_string(dir.join(format!("standard-{chain}.csv")))
            .map(|text| text.lines().filter(|l| !l.starts_with('#')).count())
            .unwrap_or(0)
    };
    let waited = std::time::Instant::now();
    while (rows(1) < 100 || rows(2) < 100) && waited.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{:?}: {stdout}", output.status);
    // The harness prints the test's name on the line the report starts.
    let line = stdout
        .lines()
        .find_map(|l| l.find("interrupted ").map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("no report in {stdout}"));
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(fields[1], "true", "{line}");
    let draws: usize = fields[3].parse().unwrap();
    assert!((200..20_000_000).contains(&draws), "{line}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The same seed gives the same numbers whatever the thread count, for Predictive, for a
/// resumed fit and for the streamed CSV as for the fit itself
/// (`tests/inference.rs::results_do_not_depend_on_the_number_of_threads`).
#[test]
fn predictive_resume_and_streams_repeat_exactly_on_any_number_of_threads() {
    let y = [0.2, 0.5, 0.7];
    let model = proportions(&y);
    let nuts = Nuts::default()
        .warmup(100)
        .samples(40)
        .chains(3)
        .seed(21)
        .progress(false);
    let fit = nuts.clone().threads(1).run(&model).unwrap();
    let first = Predictive::posterior(&fit).seed(9).run(&model).unwrap();
    let again = Predictive::posterior(&fit).seed(9).run(&model).unwrap();
    assert_eq!(first.y, again.y);
    assert_eq!(first.a, again.a);
    let other_seed = Predictive::posterior(&fit).seed(10).run(&model).unwrap();
    assert_ne!(first.y, other_seed.y);
    let prior = |seed| Predictive::prior(30).seed(seed).run(&model).unwrap().y;
    assert_eq!(prior(3), prior(3));

    let resumed = |threads| nuts.clone().threads(threads).resume(&model, &fit).unwrap();
    let (one, three) = (resumed(1), resumed(3));
    for (a, b) in one.chains().iter().zip(three.chains()) {
        assert_eq!((a.chain, &a.draws.a), (b.chain, &b.draws.a));
    }

    let rows = |threads: usize| {
        let dir = std::env::temp_dir().join(format!(
            "reliability-threads-{}-{threads}",
            std::process::id()
        ));
        nuts.clone()
            .threads(threads)
            .stream_cmdstan_csv(&dir)
            .run(&model)
            .unwrap();
        let files: Vec<Vec<String>> = (1..=3)
            .map(|chain| {
                let text =
                    std::fs::read_to_string(dir.join(format!("proportions-{chain}.csv"))).unwrap();
                // Comment lines hold the elapsed times, which differ from run to run.
                text.lines()
                    .filter(|l| !l.starts_with('#'))
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        files
    };
    let (one, two) = (rows(1), rows(2));
    assert!(
        one.iter().all(|rows| rows.len() == 41),
        "a header and 40 draws"
    );
    assert_eq!(one, two);
}
