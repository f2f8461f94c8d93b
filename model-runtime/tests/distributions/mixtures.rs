//! Mixtures: densities, samplers, moments and constructors.

use model_runtime::Support;
use model_runtime::distributions::*;
use model_runtime::value::PooledVec;
use model_runtime::value::{Count, Real, Reals};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use statrs::distribution::Discrete;

use crate::chi_square::assert_chi_square;
use crate::constructors::kind_is;
use crate::ks::{assert_ks, normal_cdf};
use crate::moments::check_real_moments;
use crate::vector_families::check_round_trips;

#[test]
fn ks_and_chi_square_mixtures() {
    // The mixture CDF is the weighted sum of the components' CDFs.
    let (weights, locs, scales) = ([0.3, 0.5, 0.2], [-2.0, 1.0, 6.0], [1.0, 0.5, 3.0]);
    let components: Vec<Normal> = locs
        .iter()
        .zip(scales)
        .map(|(&l, s)| Normal::new(l, s).unwrap())
        .collect();
    let m = Mixture::<Normal>::new(weights, components).unwrap();
    assert_ks(m, 380, |x| {
        (0..3)
            .map(|k| weights[k] * normal_cdf((x - locs[k]) / scales[k]))
            .sum()
    });
    let logits = Mixture::<Normal>::from_logits(
        [0.0, 2.0],
        vec![
            Normal::new(0.0, 1.0).unwrap(),
            Normal::new(0.0, 10.0).unwrap(),
        ],
    )
    .unwrap();
    let w = 1.0 / (1.0 + 2f64.exp());
    assert_ks(logits, 381, |x| {
        w * normal_cdf(x) + (1.0 - w) * normal_cdf(x / 10.0)
    });
    // Counts: the kind is the components' (u64 values).
    let rates = [0.5, 20.0];
    let poisson = Mixture::<Poisson>::new(
        [0.25, 0.75],
        vec![
            Poisson::new(rates[0]).unwrap(),
            Poisson::new(rates[1]).unwrap(),
        ],
    )
    .unwrap();
    let pmfs = rates.map(|r| statrs::distribution::Poisson::new(r).unwrap());
    assert_chi_square(&poisson, 382, |k| {
        0.25 * pmfs[0].pmf(k) + 0.75 * pmfs[1].pmf(k)
    });
    kind_is::<Mixture<Poisson>, Count>();
    kind_is::<Mixture<Normal>, Real>();
}

#[test]
fn mixture_moments_follow_the_law_of_total_variance() {
    let m = Mixture::<Gamma>::new(
        [0.6, 0.4],
        vec![
            Gamma::new(2.0, 1.0).unwrap(),
            Gamma::new(50.0, 5.0).unwrap(),
        ],
    )
    .unwrap();
    let mean = 0.6 * 2.0 + 0.4 * 10.0;
    let variance =
        0.6 * (2.0 + (2.0 - mean) * (2.0 - mean)) + 0.4 * (2.0 + (10.0 - mean) * (10.0 - mean));
    assert!((m.mean().unwrap() - mean).abs() < 1e-14);
    assert!((m.variance().unwrap() - variance).abs() < 1e-13);
    check_real_moments(m, 383);
    // A component without a mean leaves the mixture without one.
    let cauchy = Mixture::<Cauchy>::new(
        [0.5, 0.5],
        vec![
            Cauchy::new(0.0, 1.0).unwrap(),
            Cauchy::new(1.0, 1.0).unwrap(),
        ],
    )
    .unwrap();
    assert_eq!((cauchy.mean(), cauchy.variance()), (None, None));
}

#[test]
fn mixtures_of_vector_families_use_the_first_components_coordinates() {
    let m = Mixture::<Dirichlet>::new(
        [0.5, 0.5],
        vec![
            Dirichlet::new([1.0, 2.0, 3.0]).unwrap(),
            Dirichlet::new([5.0, 1.0, 0.5]).unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(m.unconstrained_len(), 2);
    check_round_trips(&m, 384, 1e-12);
    let x = vec![0.2, 0.3, 0.5];
    let direct = (0.5 * m.components()[0].log_prob(&PooledVec::from_slice(&x)).exp()
        + 0.5 * m.components()[1].log_prob(&PooledVec::from_slice(&x)).exp())
    .ln();
    assert!((m.log_prob(&PooledVec::from_slice(&x)) - direct).abs() < 1e-14);
    kind_is::<Mixture<Dirichlet>, Reals>();
}

#[test]
fn mixtures_reject_bad_weights_and_components() {
    let two = || {
        vec![
            Normal::new(0.0, 1.0).unwrap(),
            Normal::new(1.0, 1.0).unwrap(),
        ]
    };
    assert_eq!(
        Mixture::<Normal>::new(Vec::<f64>::new(), Vec::<Normal>::new()),
        Err(MixtureError::NoComponents)
    );
    assert_eq!(
        Mixture::<Normal>::new([1.0], two()),
        Err(MixtureError::LengthMismatch {
            weights: 1,
            components: 2
        })
    );
    assert_eq!(
        Mixture::<Normal>::new([-0.1, 1.1], two()),
        Err(MixtureError::WeightOutOfRange {
            index: 0,
            weight: -0.1
        })
    );
    assert!(matches!(
        Mixture::<Normal>::new([0.5, f64::NAN], two()),
        Err(MixtureError::WeightOutOfRange { index: 1, .. })
    ));
    assert_eq!(
        Mixture::<Normal>::new([0.5, 0.6], two()),
        Err(MixtureError::WeightsDoNotSumToOne { sum: 1.1 })
    );
    assert!(matches!(
        Mixture::<Normal>::from_logits([0.0, f64::NEG_INFINITY], two()),
        Err(MixtureError::LogitNotFinite { index: 1, .. })
    ));
    // Constructors' results are accepted, and their errors reported with the index.
    let error = Mixture::<Normal>::new(
        [0.5, 0.5],
        vec![Normal::new(0.0, 1.0), Normal::new(0.0, -1.0)],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Mixture component 1 is invalid: Normal scale must be positive and finite, got -1"
    );
    assert_eq!(
        Mixture::<Uniform>::new(
            [0.5, 0.5],
            vec![Uniform::new(0.0, 1.0), Uniform::new(0.0, 2.0)]
        )
        .unwrap_err()
        .to_string(),
        "Mixture component 1 has another support than component 0; the components of a mixture must share their support"
    );
}

#[test]
fn mixtures_of_unsamplable_families_have_no_draws() {
    let m =
        Mixture::<ImproperUniform>::new([1.0], vec![ImproperUniform::new(Support::Real).unwrap()])
            .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(385);
    assert_eq!(m.sample(&mut rng), None);
    assert_eq!(m.log_prob(&3.0), 0.0);
}
