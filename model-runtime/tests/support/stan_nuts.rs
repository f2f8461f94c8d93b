//! A small, independent implementation of Stan's multinomial NUTS with a diagonal metric,
//! transcribed from stan-dev/stan `src/stan/mcmc/hmc/nuts/base_nuts.hpp` (`transition` and
//! `build_tree`, Stan 2.26 and later, with the checks across subtrees of pull request #2800),
//! `integrators/expl_leapfrog.hpp` and `hamiltonians/diag_e_metric.hpp`.
//!
//! It keeps Stan's structure and names, not the library's: fresh vectors at every level of the
//! recursion, `p` and `p_sharp` at the four ends of the backward and forward subtrees, and
//! log-sum-exp weights. It draws random numbers exactly as Stan does, in the same order, with
//! `rand`: the momentum's standard normals, then per doubling a uniform for the direction, per
//! merge inside a subtree a uniform for the multinomial draw, and per accepted doubling a
//! uniform for the biased progressive draw unless the new subtree is the heavier.
//!
//! Shared by `tests/nuts_reference.rs` (unit metric, through the public `Sampler`) and the unit
//! tests of `src/inference/nuts.rs` (any diagonal metric, through the kernel), so it depends on
//! nothing from the library: the target is a closure.

use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

/// Stan's `ps_point`: position, momentum, and the potential `V = -log π` with its gradient.
#[derive(Clone)]
struct PsPoint {
    q: Vec<f64>,
    p: Vec<f64>,
    v: f64,
    g: Vec<f64>,
}

/// What one transition reports, as Stan's sampler parameters and the new position.
pub struct Transition {
    pub depth: usize,
    pub n_leapfrog: usize,
    pub divergent: bool,
    pub accept_stat: f64,
    pub energy: f64,
    pub q: Vec<f64>,
}

/// The sampler's state between transitions. `F` gives the log density at a position and writes
/// its gradient, or `None` where it cannot be computed.
pub struct Nuts<F, R> {
    log_density: F,
    rng: R,
    epsilon: f64,
    max_depth: usize,
    /// The diagonal of the inverse metric `M⁻¹`.
    inv_e_metric: Vec<f64>,
    z: PsPoint,
    depth: usize,
    divergent: bool,
}

/// Stan's `max_deltaH_`.
const MAX_DELTA_H: f64 = 1000.0;

/// `log(exp(a) + exp(b))` (`stan::math::log_sum_exp`).
fn log_sum_exp(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    if a > b {
        a + (b - a).exp().ln_1p()
    } else {
        b + (a - b).exp().ln_1p()
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn add(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn add_assign(a: &mut [f64], b: &[f64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

impl<F, R> Nuts<F, R>
where
    F: FnMut(&[f64], &mut [f64]) -> Option<f64>,
    R: Rng,
{
    pub fn new(
        log_density: F,
        rng: R,
        epsilon: f64,
        max_depth: usize,
        inv_e_metric: Vec<f64>,
        q: Vec<f64>,
    ) -> Self {
        let n = q.len();
        let z = PsPoint {
            q,
            p: vec![0.0; n],
            v: 0.0,
            g: vec![0.0; n],
        };
        let mut nuts = Nuts {
            log_density,
            rng,
            epsilon,
            max_depth,
            inv_e_metric,
            z,
            depth: 0,
            divergent: false,
        };
        nuts.update_potential_gradient();
        nuts
    }

    /// `V` and its gradient at `z.q`; a failed or non-finite evaluation makes `V = +∞`.
    fn update_potential_gradient(&mut self) {
        let mut gradient = vec![0.0; self.z.q.len()];
        self.z.v = match (self.log_density)(&self.z.q, &mut gradient) {
            Some(lp) if lp.is_finite() && gradient.iter().all(|g| g.is_finite()) => -lp,
            _ => f64::INFINITY,
        };
        // Stan stores dV/dq; the target gives d log π / dq.
        self.z.g = gradient.iter().map(|g| -g).collect();
    }

    /// `diag_e_metric::sample_p`: `p ~ N(0, M)`.
    fn sample_p(&mut self) {
        for (p, m) in self.z.p.iter_mut().zip(&self.inv_e_metric) {
            let normal: f64 = self.rng.sample(StandardNormal);
            *p = normal / m.sqrt();
        }
    }

    /// `diag_e_metric::dtau_dp`: `p♯ = M⁻¹ p`.
    fn dtau_dp(&self, p: &[f64]) -> Vec<f64> {
        self.inv_e_metric
            .iter()
            .zip(p)
            .map(|(m, p)| m * p)
            .collect()
    }

    /// `H = V + ½ pᵀ M⁻¹ p`; NaN counts as `+∞`.
    fn hamiltonian(&self, z: &PsPoint) -> f64 {
        let tau = 0.5 * dot(&z.p, &self.dtau_dp(&z.p));
        let h = z.v + tau;
        if h.is_nan() { f64::INFINITY } else { h }
    }

    /// `expl_leapfrog::evolve`: half kick, drift by `dτ/dp`, half kick.
    fn evolve(&mut self, epsilon: f64) {
        for (p, g) in self.z.p.iter_mut().zip(&self.z.g) {
            *p -= 0.5 * epsilon * g;
        }
        let velocity = self.dtau_dp(&self.z.p);
        for (q, v) in self.z.q.iter_mut().zip(&velocity) {
            *q += epsilon * v;
        }
        self.update_potential_gradient();
        // Where the potential failed, H = +∞ whatever the momentum (Stan still kicks, with a
        // stale gradient): the step diverges either way.
        if self.z.v.is_finite() {
            for (p, g) in self.z.p.iter_mut().zip(&self.z.g) {
                *p -= 0.5 * epsilon * g;
            }
        }
    }

    fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// `base_nuts::compute_criterion`.
    fn compute_criterion(p_sharp_minus: &[f64], p_sharp_plus: &[f64], rho: &[f64]) -> bool {
        dot(p_sharp_plus, rho) > 0.0 && dot(p_sharp_minus, rho) > 0.0
    }

    /// `base_nuts::transition`.
    pub fn transition(&mut self) -> Transition {
        self.sample_p();
        let n = self.z.q.len();

        let mut z_fwd = self.z.clone();
        let mut z_bck = z_fwd.clone();
        let mut z_sample = z_fwd.clone();
        let mut z_propose = z_fwd.clone();

        let mut p_fwd_fwd = self.z.p.clone();
        let mut p_sharp_fwd_fwd = self.dtau_dp(&self.z.p);
        let mut p_fwd_bck = self.z.p.clone();
        let mut p_sharp_fwd_bck = p_sharp_fwd_fwd.clone();
        let mut p_bck_fwd = self.z.p.clone();
        let mut p_sharp_bck_fwd = p_sharp_fwd_fwd.clone();
        let mut p_bck_bck = self.z.p.clone();
        let mut p_sharp_bck_bck = p_sharp_fwd_fwd.clone();

        let mut rho = self.z.p.clone();
        let mut log_sum_weight = 0.0;
        let h0 = self.hamiltonian(&self.z);
        let mut n_leapfrog = 0;
        let mut sum_metro_prob = 0.0;

        self.depth = 0;
        self.divergent = false;

        while self.depth < self.max_depth {
            let mut rho_fwd = vec![0.0; n];
            let mut rho_bck = vec![0.0; n];
            let valid_subtree;
            let mut log_sum_weight_subtree = f64::NEG_INFINITY;

            if self.uniform() > 0.5 {
                // Extend the current trajectory forward.
                self.z = z_fwd.clone();
                rho_bck.clone_from(&rho);
                p_bck_fwd.clone_from(&p_fwd_fwd);
                p_sharp_bck_fwd.clone_from(&p_sharp_fwd_fwd);
                valid_subtree = self.build_tree(
                    self.depth,
                    &mut z_propose,
                    &mut p_sharp_fwd_bck,
                    &mut p_sharp_fwd_fwd,
                    &mut rho_fwd,
                    &mut p_fwd_bck,
                    &mut p_fwd_fwd,
                    h0,
                    1.0,
                    &mut n_leapfrog,
                    &mut log_sum_weight_subtree,
                    &mut sum_metro_prob,
                );
                z_fwd = self.z.clone();
            } else {
                // Extend the current trajectory backwards.
                self.z = z_bck.clone();
                rho_fwd.clone_from(&rho);
                p_fwd_bck.clone_from(&p_bck_bck);
                p_sharp_fwd_bck.clone_from(&p_sharp_bck_bck);
                valid_subtree = self.build_tree(
                    self.depth,
                    &mut z_propose,
                    &mut p_sharp_bck_fwd,
                    &mut p_sharp_bck_bck,
                    &mut rho_bck,
                    &mut p_bck_fwd,
                    &mut p_bck_bck,
                    h0,
                    -1.0,
                    &mut n_leapfrog,
                    &mut log_sum_weight_subtree,
                    &mut sum_metro_prob,
                );
                z_bck = self.z.clone();
            }

            if !valid_subtree {
                break;
            }
            self.depth += 1;

            // Sample from the accepted subtree (biased progressive sampling).
            if log_sum_weight_subtree > log_sum_weight {
                z_sample = z_propose.clone();
            } else {
                let accept_prob = (log_sum_weight_subtree - log_sum_weight).exp();
                if self.uniform() < accept_prob {
                    z_sample = z_propose.clone();
                }
            }
            log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);

            // Demand satisfaction around the merged subtrees, and between them.
            rho = add(&rho_bck, &rho_fwd);
            let mut persist_criterion =
                Self::compute_criterion(&p_sharp_bck_bck, &p_sharp_fwd_fwd, &rho);
            let rho_extended = add(&rho_bck, &p_fwd_bck);
            persist_criterion &=
                Self::compute_criterion(&p_sharp_bck_bck, &p_sharp_fwd_bck, &rho_extended);
            let rho_extended = add(&rho_fwd, &p_bck_fwd);
            persist_criterion &=
                Self::compute_criterion(&p_sharp_bck_fwd, &p_sharp_fwd_fwd, &rho_extended);
            if !persist_criterion {
                break;
            }
        }

        let accept_stat = sum_metro_prob / n_leapfrog as f64;
        self.z = z_sample;
        Transition {
            depth: self.depth,
            n_leapfrog,
            divergent: self.divergent,
            accept_stat,
            energy: self.hamiltonian(&self.z),
            q: self.z.q.clone(),
        }
    }

    /// `base_nuts::build_tree`.
    #[allow(clippy::too_many_arguments)]
    fn build_tree(
        &mut self,
        depth: usize,
        z_propose: &mut PsPoint,
        p_sharp_beg: &mut Vec<f64>,
        p_sharp_end: &mut Vec<f64>,
        rho: &mut [f64],
        p_beg: &mut Vec<f64>,
        p_end: &mut Vec<f64>,
        h0: f64,
        sign: f64,
        n_leapfrog: &mut usize,
        log_sum_weight: &mut f64,
        sum_metro_prob: &mut f64,
    ) -> bool {
        // Base case.
        if depth == 0 {
            self.evolve(sign * self.epsilon);
            *n_leapfrog += 1;
            let h = self.hamiltonian(&self.z);
            if h - h0 > MAX_DELTA_H {
                self.divergent = true;
            }
            *log_sum_weight = log_sum_exp(*log_sum_weight, h0 - h);
            if h0 - h > 0.0 {
                *sum_metro_prob += 1.0;
            } else {
                *sum_metro_prob += (h0 - h).exp();
            }
            *z_propose = self.z.clone();
            *p_sharp_beg = self.dtau_dp(&self.z.p);
            p_sharp_end.clone_from(p_sharp_beg);
            add_assign(rho, &self.z.p);
            p_beg.clone_from(&self.z.p);
            p_end.clone_from(p_beg);
            return !self.divergent;
        }

        // General recursion: the initial subtree.
        let n = rho.len();
        let mut log_sum_weight_init = f64::NEG_INFINITY;
        let mut p_init_end = vec![0.0; n];
        let mut p_sharp_init_end = vec![0.0; n];
        let mut rho_init = vec![0.0; n];
        let valid_init = self.build_tree(
            depth - 1,
            z_propose,
            p_sharp_beg,
            &mut p_sharp_init_end,
            &mut rho_init,
            p_beg,
            &mut p_init_end,
            h0,
            sign,
            n_leapfrog,
            &mut log_sum_weight_init,
            sum_metro_prob,
        );
        if !valid_init {
            return false;
        }

        // The final subtree.
        let mut z_propose_final = self.z.clone();
        let mut log_sum_weight_final = f64::NEG_INFINITY;
        let mut p_final_beg = vec![0.0; n];
        let mut p_sharp_final_beg = vec![0.0; n];
        let mut rho_final = vec![0.0; n];
        let valid_final = self.build_tree(
            depth - 1,
            &mut z_propose_final,
            &mut p_sharp_final_beg,
            p_sharp_end,
            &mut rho_final,
            &mut p_final_beg,
            p_end,
            h0,
            sign,
            n_leapfrog,
            &mut log_sum_weight_final,
            sum_metro_prob,
        );
        if !valid_final {
            return false;
        }

        // Multinomial sample from the right subtree.
        let log_sum_weight_subtree = log_sum_exp(log_sum_weight_init, log_sum_weight_final);
        *log_sum_weight = log_sum_exp(*log_sum_weight, log_sum_weight_subtree);
        if log_sum_weight_final > log_sum_weight_subtree {
            *z_propose = z_propose_final;
        } else {
            let accept_prob = (log_sum_weight_final - log_sum_weight_subtree).exp();
            if self.uniform() < accept_prob {
                *z_propose = z_propose_final;
            }
        }

        let rho_subtree = add(&rho_init, &rho_final);
        add_assign(rho, &rho_subtree);

        // Demand satisfaction around the merged subtrees, and between them.
        let mut persist_criterion = Self::compute_criterion(p_sharp_beg, p_sharp_end, &rho_subtree);
        let rho_subtree = add(&rho_init, &p_final_beg);
        persist_criterion &= Self::compute_criterion(p_sharp_beg, &p_sharp_final_beg, &rho_subtree);
        let rho_subtree = add(&rho_final, &p_init_end);
        persist_criterion &= Self::compute_criterion(&p_sharp_init_end, p_sharp_end, &rho_subtree);
        persist_criterion
    }
}
