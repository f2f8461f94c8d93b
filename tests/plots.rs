//! The plots draw what they say: every chain, every chosen element, each divergent draw, the
//! observed data against the replications, and a clear error when there is nothing to draw.
//! The checks read the SVG text: plotters writes one `<polyline>` per line series and one
//! `<circle>` per point.

use model_runtime::diagnostics::e_bfmi;
use model_runtime::plots::{self, Plot, PlotError, PpcKind};
use model_runtime::prelude::*;

#[model]
fn two() {
    sample!("a", Normal::new(0.0, 1.0));
    sample!("b", HalfNormal::new(1.0));
}

/// Eight schools, centered: divergent transitions on every seed.
#[model]
fn schools(y: &[f64], sigma: &[f64]) {
    let mu = sample!("mu", Normal::new(0.0, 5.0));
    let tau = sample!("tau", HalfCauchy::new(5.0));
    plate!("schools", y.len(), |j| {
        let theta = sample!("theta", Normal::new(mu, tau));
        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
    });
}

const Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
const SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

#[model]
fn counts(n: usize, k: Option<&[u64]>) {
    let rate = sample!("rate", Gamma::new(2.0, 1.0));
    plate!("days", n, |i| {
        sample!("k", Poisson::new(rate), obs = k.map(|k| k[i]));
    });
}

#[model]
fn heading(y: &[f64]) {
    let mu = sample!("mu", VonMises::new(0.0, 0.1));
    plate!("data", y.len(), |i| {
        sample!("y", VonMises::new(mu, 4.0), obs = y[i]);
    });
}

/// How many times `needle` occurs in `svg`.
fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

/// Lines drawn in `color` (plotters writes colours in upper-case hex).
fn lines_in(svg: &str, color: &str) -> usize {
    svg.lines()
        .filter(|l| l.starts_with("<polyline") && l.contains(&format!("stroke=\"{color}\"")))
        .count()
}

const CHAIN_0: &str = "#1F77B4";
const CHAIN_2: &str = "#2CA02C";

#[test]
fn a_trace_plot_draws_every_chain_of_every_element() -> Result<(), Box<dyn std::error::Error>> {
    let fit = Nuts::default()
        .warmup(200)
        .samples(100)
        .chains(3)
        .seed(1)
        .progress(false)
        .run(&two())?;
    let svg = plots::trace(&fit).to_svg()?;
    assert!(svg.contains(">\na\n<") && svg.contains(">\nb\n<"));
    // Per element, chain 2 has one density line and one trace line.
    assert_eq!(lines_in(&svg, CHAIN_2), 4);
    let only_b = plots::trace(&fit).sites(two::site::b).to_svg()?;
    assert!(!only_b.contains(">\na\n<"));
    assert_eq!(lines_in(&only_b, CHAIN_2), 2);
    // Rank bars: one rectangle per bin and chain, the traces gone.
    let ranks = plots::trace(&fit).sites(two::site::b).rank(true).to_svg()?;
    assert_eq!(lines_in(&ranks, CHAIN_2), 1);
    assert!(count(&ranks, "<rect") >= 3 * 10);
    Ok(())
}

#[test]
fn divergent_draws_are_marked_one_by_one() -> Result<(), Box<dyn std::error::Error>> {
    let fit = Nuts::default()
        .warmup(300)
        .samples(300)
        .chains(2)
        .seed(5)
        .progress(false)
        .run(&schools(&Y, &SIGMA))?;
    let divergent = fit.divergences();
    assert!(divergent > 0, "the centered eight schools model diverges");
    let trace = plots::trace(&fit).sites(schools::site::tau).to_svg()?;
    let ticks = trace
        .lines()
        .filter(|l| l.contains("stroke=\"#000000\" stroke-width=\"2\""))
        .count();
    assert_eq!(ticks, divergent);
    // The pair plot of (mu, tau) has one scatter panel: each divergent draw is one red
    // point, every other draw a blue one.
    let pair = plots::pair(&fit)
        .sites((schools::site::mu, schools::site::tau))
        .to_svg()?;
    let red = pair
        .lines()
        .filter(|l| l.starts_with("<circle") && l.contains("fill=\"#D62728\""))
        .count();
    assert_eq!(red, divergent);
    assert_eq!(count(&pair, "<circle"), 600);
    Ok(())
}

#[test]
fn forest_rows_and_energy_legend() -> Result<(), Box<dyn std::error::Error>> {
    let model = schools(&Y, &SIGMA).reparam(|r| r.theta(LocScaleReparam::default()));
    let fit = Nuts::default()
        .warmup(200)
        .samples(200)
        .chains(2)
        .seed(2)
        .progress(false)
        .run(&model)?;
    let forest = plots::forest(&fit).to_svg()?;
    for name in ["mu", "tau", "theta[0]", "theta[7]"] {
        assert!(forest.contains(&format!(">\n{name}\n<")), "{name}");
    }
    // Ten elements, each a thin and a thick line and a median drawn as two circles.
    assert_eq!(lines_in(&forest, CHAIN_0), 20);
    let per_chain = plots::forest(&fit).per_chain(true).to_svg()?;
    assert_eq!(
        lines_in(&per_chain, CHAIN_0) + lines_in(&per_chain, "#FF7F0E"),
        40
    );

    let energy = plots::energy(&fit).to_svg()?;
    for (c, chain) in fit.chains().iter().enumerate() {
        let energies: Vec<f64> = chain.sampler.stats.iter().map(|s| s.energy).collect();
        let value = e_bfmi(&energies).expect("enough draws");
        assert!(energy.contains(&format!("E-BFMI chain {c}: {value:.2}")));
    }
    Ok(())
}

#[test]
fn predictive_checks_draw_the_data_and_the_replications() -> Result<(), Box<dyn std::error::Error>>
{
    let k: Vec<u64> = vec![1, 3, 2, 0, 4, 2, 2, 5, 1, 3, 2, 2];
    let model = counts(k.len(), Some(&k));
    let fit = Nuts::default()
        .warmup(200)
        .samples(100)
        .chains(2)
        .seed(3)
        .progress(false)
        .run(&model)?;
    let replicated = Predictive::posterior(&fit)
        .seed(4)
        .run(&counts(k.len(), None))?;
    // Counts: one grey bar per value from the smallest to the largest count seen.
    let bars = plots::ppc(&model, &replicated)?.to_svg()?;
    let largest = replicated
        .k
        .iter()
        .flatten()
        .chain(&k)
        .copied()
        .max()
        .unwrap();
    let grey = bars
        .lines()
        .filter(|l| l.starts_with("<rect") && l.contains("#BBBBBB"))
        .count();
    // One bar per value, and one in the legend.
    assert_eq!(grey, largest as usize + 1 + 1);
    // By observation: one 50% and one 90% line and one point per count.
    let intervals = plots::ppc(&model, &replicated)?
        .kind(PpcKind::Intervals)
        .to_svg()?;
    assert_eq!(
        intervals
            .lines()
            .filter(|l| l.starts_with("<circle") && l.contains("#000000"))
            .count(),
        k.len() + 1
    );

    // Real data: the observed density, the replications shown and their mean.
    let y = [0.3, -0.5, 1.2, 0.8, 2.1, -0.2];
    let model = heading(&y);
    let fit = Nuts::default()
        .warmup(200)
        .samples(50)
        .chains(2)
        .seed(3)
        .progress(false)
        .run(&model)?;
    let replicated = Predictive::posterior(&fit).seed(4).run(&model)?;
    let density = plots::ppc(&model, &replicated)?.replicates(30).to_svg()?;
    assert!(density.contains("observed") && density.contains("replicated mean"));
    // 30 replications in light blue, each one line (the legend's sample adds one more).
    let light = density
        .lines()
        .filter(|l| l.starts_with("<polyline") && l.contains(CHAIN_0))
        .count();
    assert_eq!(light, 30 + 1);
    Ok(())
}

#[test]
fn rose_diagrams_are_for_circular_sites() -> Result<(), Box<dyn std::error::Error>> {
    let model = heading(&[3.0, -3.1, 3.05, 2.9, -3.0]);
    let fit = Nuts::default()
        .warmup(200)
        .samples(200)
        .chains(2)
        .seed(6)
        .progress(false)
        .run(&model)?;
    let svg = plots::rose(&fit).to_svg()?;
    assert!(svg.contains(">\nmu\n<") && svg.contains("±π"));
    assert!(count(&svg, "<polygon") >= 1);

    let fit = Nuts::default()
        .warmup(100)
        .samples(20)
        .progress(false)
        .run(&two())?;
    assert!(matches!(
        plots::rose(&fit).to_svg(),
        Err(PlotError::Empty(message)) if message.contains("circular")
    ));
    Ok(())
}

#[test]
fn saving_names_the_file_and_the_format() -> Result<(), Box<dyn std::error::Error>> {
    let fit = Nuts::default()
        .warmup(100)
        .samples(20)
        .progress(false)
        .run(&two())?;
    let dir = std::env::temp_dir().join(format!("plots-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("trace.SVG");
    plots::trace(&fit).save(&path)?;
    assert!(std::fs::read_to_string(&path)?.starts_with("<svg"));
    let error = plots::trace(&fit).save(dir.join("trace.pdf")).unwrap_err();
    assert!(error.to_string().contains("trace.pdf"), "{error}");
    let error = plots::trace(&fit)
        .save(dir.join("missing/trace.svg"))
        .unwrap_err();
    assert!(matches!(error, PlotError::Io { .. }), "{error}");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
