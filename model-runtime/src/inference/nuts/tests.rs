//! Unit tests of NUTS: the scaled weight sums, the U-turn criterion across merges, the tree
//! statistics, the multinomial proposal weights, divergence, and transitions checked against an
//! independent implementation of Stan's `base_nuts` (`tests/support/stan_nuts.rs`) with a
//! metric the public API cannot set.

use super::*;
use crate::inference::hamiltonian::copy_reals;
use crate::inference::hamiltonian::tests::Gaussian;
use crate::inference::kernel::sealed::Kernel;
use crate::inference::mass_matrix::{MassMatrix, MassMatrixKind};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

#[test]
fn weight_sums_merge_without_overflow() {
    let (sum, share) = WeightSum::one(0.0).merge(WeightSum::one(0.0));
    assert!((sum.ln() - 2.0_f64.ln()).abs() < 1e-15 && share == 0.5);
    // 1 + e: the share of e either way round.
    let e = WeightSum::one(1.0);
    let (sum, share) = WeightSum::one(0.0).merge(e);
    let total = 1.0 + 1.0_f64.exp();
    assert!((sum.ln() - total.ln()).abs() < 1e-15);
    assert!((share - 1.0_f64.exp() / total).abs() < 1e-15);
    let (_, share) = e.merge(WeightSum::one(0.0));
    assert!((share - 1.0 / total).abs() < 1e-15);
    assert!((e.ratio_to(WeightSum::one(0.0)) - 1.0_f64.exp()).abs() < 1e-15);
    // Energies far beyond the range of exp: sums and shares stay finite.
    let (sum, share) = WeightSum::one(5000.0).merge(WeightSum::one(4999.0));
    assert!((sum.ln() - (5000.0 + (-1.0_f64).exp().ln_1p())).abs() < 1e-12);
    assert!((share - 1.0 / (1.0 + 1.0_f64.exp())).abs() < 1e-15);
    let (sum, share) = WeightSum::one(-900.0).merge(WeightSum::one(-2000.0));
    assert_eq!((sum.ln(), share), (-900.0, 0.0));
    assert_eq!(
        WeightSum::one(2000.0).ratio_to(WeightSum::one(0.0)),
        f64::INFINITY
    );
    // Plain sums (log weights within ±600) meeting scaled ones, either way round.
    let (sum, share) = WeightSum::one(-599.0).merge(WeightSum::one(-601.0));
    let total = (-599.0_f64).exp() + (-601.0_f64).exp();
    assert!((sum.ln() - total.ln()).abs() < 1e-13);
    assert!((share - (-601.0_f64).exp() / total).abs() < 1e-15);
    let (sum, share) = WeightSum::one(650.0).merge(WeightSum::one(599.0));
    assert!((sum.ln() - 650.0).abs() < 1e-15 && share < 1e-22);
    let (sum, _) = sum.merge(WeightSum::one(-700.0));
    assert!((sum.ln() - 650.0).abs() < 1e-15);
    assert!((WeightSum::one(601.0).ratio_to(WeightSum::one(600.0)) - 1.0_f64.exp()).abs() < 1e-14);
}

#[test]
fn acceptance_is_the_capped_weight_of_a_state() {
    for log_weight in [
        -2000.0, -650.0, -600.0, -3.5, -1e-9, 0.0, 1e-9, 2.0, 600.0, 650.0,
    ] {
        let expected = if log_weight > 0.0 {
            1.0
        } else {
            f64::exp(log_weight)
        };
        assert_eq!(
            WeightSum::one(log_weight).acceptance(),
            expected,
            "{log_weight}"
        );
    }
    assert_eq!(WeightSum::one(f64::NEG_INFINITY).acceptance(), 0.0);
}

#[test]
fn merge_criterion_checks_the_whole_and_across_the_merge() {
    // One coordinate and a unit metric: velocities equal momenta.
    let persists = |momenta: [f64; 4], rho_first: f64, rho_second: f64| {
        let [a, b, c, d] = momenta.map(|p| [p]);
        let mut rho = [0.0];
        let persist = merge_persists(
            [&a, &b, &c, &d],
            [&b, &c],
            [&[rho_first], &[rho_second]],
            &mut rho,
        );
        assert_eq!(rho[0], rho_first + rho_second);
        persist
    };
    assert!(persists([1.0, 1.0, 1.0, 1.0], 2.0, 2.0));
    // The far end turned back: ρ = -0.5 points against the start.
    assert!(!persists([1.0, 1.0, 0.5, -3.0], 2.0, -2.5));
    // A turn at the merge point that the merged trajectory hides (ρ = 4.5 and both outer
    // velocities are positive): the first subtree extended by the next point has
    // ρ = 2 - 0.5 = 1.5 against a velocity of -0.5 there.
    assert!(!persists([1.0, 1.0, -0.5, 3.0], 2.0, 2.5));
    // The same turn on the other side of the merge.
    assert!(!persists([3.0, -0.5, 1.0, 1.0], 2.5, 2.0));
}

/// The momentum and velocity at one end of a subtree.
struct Boundary {
    momentum: Vec<f64>,
    velocity: Vec<f64>,
}

#[test]
fn merge_criterion_agrees_with_plain_sums_in_every_dimension() {
    // Each of the six products made the deciding one in turn, in dimensions on both sides of
    // the wide path and with tails of every length, against sums written out in order.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for dim in [1, 2, 7, 63, 64, 65, 71, 100, 129] {
        for trial in 0..40 {
            let mut vector = || -> Vec<f64> {
                (0..dim)
                    .map(|_| rng.random::<f64>() + 0.1 * rng.random::<f64>())
                    .collect()
            };
            let (mut rho_first, rho_second) = (vector(), vector());
            let mut ends: Vec<Boundary> = (0..4)
                .map(|_| Boundary {
                    momentum: vector(),
                    velocity: vector(),
                })
                .collect();
            // Two states of one step each: the three criteria are one, on fewer products.
            if trial < 2 {
                let mut rho = vec![0.0; dim];
                let persist = pair_persists(
                    [&ends[0].momentum, &ends[3].momentum],
                    [&ends[0].velocity, &ends[3].velocity],
                    &mut rho,
                );
                let expected = merge_persists(
                    [
                        &ends[0].velocity,
                        &ends[0].velocity,
                        &ends[3].velocity,
                        &ends[3].velocity,
                    ],
                    [&ends[0].momentum, &ends[3].momentum],
                    [&ends[0].momentum, &ends[3].momentum],
                    &mut vec![0.0; dim],
                );
                assert_eq!(persist, expected, "dimension {dim}, pair {trial}");
                for (i, r) in rho.iter().enumerate() {
                    assert_eq!(*r, ends[0].momentum[i] + ends[3].momentum[i]);
                }
            }
            // Turn one end or sum around, so that some products are negative.
            match trial % 6 {
                0 => ends[0].velocity.iter_mut().for_each(|v| *v = -*v),
                1 => ends[3].velocity.iter_mut().for_each(|v| *v = -*v),
                2 => ends[2].velocity.iter_mut().for_each(|v| *v = -*v),
                3 => ends[1].velocity.iter_mut().for_each(|v| *v = -*v),
                4 => rho_first.iter_mut().for_each(|r| *r *= -3.0),
                _ => {}
            }
            let dot = |v: &[f64], a: &[f64], b: &[f64]| -> f64 {
                (0..dim).map(|i| v[i] * (a[i] + b[i])).sum()
            };
            let [outer_first, inner_first, inner_second, outer_second] =
                [&ends[0], &ends[1], &ends[2], &ends[3]];
            let expected = [
                dot(&outer_first.velocity, &rho_first, &rho_second),
                dot(&outer_second.velocity, &rho_first, &rho_second),
                dot(&outer_first.velocity, &rho_first, &inner_second.momentum),
                dot(&inner_second.velocity, &rho_first, &inner_second.momentum),
                dot(&inner_first.velocity, &rho_second, &inner_first.momentum),
                dot(&outer_second.velocity, &rho_second, &inner_first.momentum),
            ]
            .iter()
            .all(|d| *d > 0.0);
            let velocities = [outer_first, inner_first, inner_second, outer_second]
                .map(|end| end.velocity.as_slice());
            let inner_momenta = [&inner_first.momentum[..], &inner_second.momentum[..]];
            let mut rho = vec![f64::NAN; dim];
            assert_eq!(
                merge_persists(
                    velocities,
                    inner_momenta,
                    [&rho_first, &rho_second],
                    &mut rho
                ),
                expected,
                "dimension {dim}, trial {trial}"
            );
            for (i, r) in rho.iter().enumerate() {
                assert_eq!(
                    *r,
                    rho_first[i] + rho_second[i],
                    "dimension {dim}, trial {trial}"
                );
            }
        }
    }
}

/// Runs NUTS directly on a standard normal with a fixed step size and no adaptation.
fn run(step_size: f64, max_tree_depth: usize, draws: usize) -> (Vec<f64>, Vec<TransitionStats>) {
    let mut target = Gaussian {
        scales: vec![1.0; 3],
    };
    let metric = MassMatrix::identity(MassMatrixKind::Diagonal, 3);
    let mut hamiltonian = Hamiltonian::new(&mut target, metric);
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let mut z = PhasePoint::new(vec![0.5, -0.5, 1.0]);
    hamiltonian.evaluate(&mut z);
    let kernel = NutsKernel::new(max_tree_depth);
    let mut workspace = kernel.workspace(3);
    let mut xs = Vec::new();
    let mut stats = Vec::new();
    for _ in 0..draws {
        stats.push(kernel.transition(
            &mut hamiltonian,
            &mut z,
            &mut workspace,
            step_size,
            &mut rng,
        ));
        xs.push(z.position[0]);
    }
    (xs, stats)
}

#[test]
fn tree_statistics_are_consistent() {
    let (_, stats) = run(0.3, 10, 300);
    for s in &stats {
        let d = s.tree_depth as u32;
        assert!(s.leapfrog_steps >= (1 << d) - 1 && s.leapfrog_steps < 1 << (d + 1));
        assert!((0.0..=1.0).contains(&s.acceptance_probability));
        assert!(!s.divergent);
    }
    // A standard normal with ε = 0.3 U-turns after about π / ε ≈ 10 steps: depth 3-4.
    let mean_depth = stats.iter().map(|s| s.tree_depth as f64).sum::<f64>() / 300.0;
    assert!((2.5..4.5).contains(&mean_depth), "{mean_depth}");
    // Tree depth is capped.
    let (_, capped) = run(0.01, 3, 20);
    assert!(
        capped
            .iter()
            .all(|s| s.tree_depth == 3 && s.leapfrog_steps == 7)
    );
}

#[test]
fn subtree_proposals_follow_the_multinomial_weights() {
    // A deterministic trajectory whose energy error varies along it (the stiff coordinate
    // has ε / σ = 1.2): the proposal from a subtree must be leaf k with probability
    // w_k / Σ w, w_k = exp(H₀ - H_k), whatever the order the leaves were built in.
    let mut target = Gaussian {
        scales: vec![3.0, 0.25],
    };
    let metric = MassMatrix::identity(MassMatrixKind::Diagonal, 2);
    let mut hamiltonian = Hamiltonian::new(&mut target, metric);
    let mut start = PhasePoint::new(vec![0.0, 0.5]);
    hamiltonian.evaluate(&mut start);
    start.momentum = vec![3.0, 1.5];
    let h0 = hamiltonian.energy(&start);
    let (step, depth, leaves) = (0.3, 3, 8);

    let mut z = start.clone();
    let mut positions = Vec::new();
    let mut weights = Vec::new();
    for _ in 0..leaves {
        hamiltonian.leapfrog(&mut z, step);
        positions.push(z.position.clone());
        weights.push((h0 - hamiltonian.energy(&z)).exp());
    }
    let total: f64 = weights.iter().sum();
    let (lightest, heaviest) = weights
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(l, h), w| (l.min(*w), h.max(*w)));
    assert!(heaviest / lightest > 1.5, "{weights:?}");

    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let draws = 40_000;
    let mut counts = vec![0_usize; leaves];
    let mut levels: Vec<Level> = (1..=depth).map(|_| Level::new(2)).collect();
    let mut states = States::new(2);
    states.reserve(Level::states_needed(depth));
    let mut rho = vec![0.0; 2];
    for _ in 0..draws {
        states.reset();
        let from = states.take(1);
        let state = states.state_mut(from);
        copy_reals(state.position, &start.position);
        copy_reals(state.momentum, &start.momentum);
        copy_reals(state.gradient, &start.gradient);
        let mut tree = Tree {
            hamiltonian: &mut hamiltonian,
            rng: &mut rng,
            states: &mut states,
            step_size: step,
            h0,
            leapfrog_steps: 0,
            sum_acceptance: 0.0,
            divergent: false,
        };
        let subtree = tree.build(&mut levels, from, &mut rho).unwrap();
        assert_eq!(tree.leapfrog_steps, leaves);
        assert!((subtree.weight.ln() - total.ln()).abs() < 1e-12);
        assert_eq!(states.position(subtree.end), positions[leaves - 1]);
        let k = positions
            .iter()
            .position(|p| p == states.position(subtree.proposal))
            .unwrap();
        counts[k] += 1;
        // The merges gave back every state but the start, the two ends and the draw.
        let named = [from, subtree.begin, subtree.end, subtree.proposal];
        let mut distinct = named.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(states.free_count(), states.len() - distinct.len());
    }
    // Pearson's chi-square with 7 degrees of freedom: P(χ² > 30) ≈ 1e-4.
    let chi_square: f64 = counts
        .iter()
        .zip(&weights)
        .map(|(c, w)| {
            let expected = draws as f64 * w / total;
            (*c as f64 - expected).powi(2) / expected
        })
        .sum();
    assert!(
        chi_square < 30.0,
        "chi-square {chi_square}: {counts:?} vs {weights:?}"
    );
}

#[test]
fn transitions_match_stan_with_a_diagonal_metric() {
    // A metric that does not match the iid standard normal target, so that the velocities
    // p♯ = M⁻¹ p in the U-turn criteria differ from the momenta (the integration tests can
    // only run the unit metric).
    let inverse = vec![1.0, 4.0, 0.25];
    let start = vec![0.5, -1.0, 1.5];
    let (seed, step_size, max_depth) = (31, 0.3, 10);
    let mut target = Gaussian {
        scales: vec![1.0; 3],
    };
    let metric = MassMatrix::diagonal(inverse.clone()).unwrap();
    let mut hamiltonian = Hamiltonian::new(&mut target, metric);
    let mut z = PhasePoint::new(start.clone());
    hamiltonian.evaluate(&mut z);
    let kernel = NutsKernel::new(max_depth);
    let mut workspace = kernel.workspace(3);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    let mut reference_target = Gaussian {
        scales: vec![1.0; 3],
    };
    let mut reference = super::stan_nuts::Nuts::new(
        |q: &[f64], gradient: &mut [f64]| {
            reference_target.log_density_and_gradient(q, gradient).ok()
        },
        ChaCha8Rng::seed_from_u64(seed),
        step_size,
        max_depth,
        inverse,
        start,
    );
    let mut depths = Vec::new();
    for i in 0..200 {
        let stats = kernel.transition(
            &mut hamiltonian,
            &mut z,
            &mut workspace,
            step_size,
            &mut rng,
        );
        let expected = reference.transition();
        assert_eq!(
            (stats.tree_depth, stats.leapfrog_steps, stats.divergent),
            (expected.depth, expected.n_leapfrog, expected.divergent),
            "transition {i}: (tree depth, leapfrog steps, divergent)"
        );
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
        assert!(
            z.position
                .iter()
                .zip(&expected.q)
                .all(|(a, b)| close(*a, *b)),
            "transition {i}: {:?} vs {:?}",
            z.position,
            expected.q
        );
        assert!(close(stats.energy, expected.energy), "transition {i}");
        assert!(
            close(stats.acceptance_probability, expected.accept_stat),
            "transition {i}"
        );
        depths.push(stats.tree_depth);
    }
    depths.sort_unstable();
    depths.dedup();
    assert!(depths.len() >= 2, "{depths:?}");
}

#[test]
fn the_state_pool_holds_what_the_deepest_tree_names() {
    // The pool grows beyond what `Level::states_needed` reserves only when a transition names
    // more states than it counts; the most are named at the last steps of a full tree, which
    // every tree that doubles to its depth reaches.
    for (step_size, max_tree_depth) in [(0.3, 10), (0.05, 10), (0.01, 4), (1.0, 10)] {
        let mut target = Gaussian {
            scales: vec![1.0, 2.0, 0.5],
        };
        let metric = MassMatrix::identity(MassMatrixKind::Diagonal, 3);
        let mut hamiltonian = Hamiltonian::new(&mut target, metric);
        let mut rng = ChaCha8Rng::seed_from_u64(29);
        let mut z = PhasePoint::new(vec![0.5, -0.5, 1.0]);
        hamiltonian.evaluate(&mut z);
        let kernel = NutsKernel::new(max_tree_depth);
        let mut workspace = kernel.workspace(3);
        for _ in 0..300 {
            kernel.transition(
                &mut hamiltonian,
                &mut z,
                &mut workspace,
                step_size,
                &mut rng,
            );
        }
        let depth = workspace.levels.len();
        assert!(depth >= 2, "step size {step_size}: depth {depth}");
        assert_eq!(
            workspace.states.len(),
            Level::states_needed(depth),
            "step size {step_size}, levels {depth}"
        );
    }
}

#[test]
fn huge_step_size_diverges() {
    let (_, stats) = run(1e4, 10, 10);
    assert!(
        stats
            .iter()
            .all(|s| s.divergent && s.tree_depth == 0 && s.leapfrog_steps == 1)
    );
    assert!(stats.iter().all(|s| s.acceptance_probability < 1e-100));
}
