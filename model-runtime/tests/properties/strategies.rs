//! The inputs: parameters and values mixing random finite numbers with the special ones, and
//! the proptest configuration (fixed seed, no failure files).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};

/// The numbers every property is tried at: NaN, both infinities, both zeros, the extremes of
/// the normal and subnormal ranges, and ordinary values on both sides of 0 and 1.
pub const SPECIAL: [f64; 24] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    -2.5,
    5e-324,
    -5e-324,
    f64::MIN_POSITIVE,
    1e-300,
    1e-16,
    1e-8,
    1e8,
    1e16,
    1e300,
    1e308,
    -1e308,
    f64::MAX,
    f64::MIN,
    1.0 - f64::EPSILON / 2.0,
];

/// A deterministic configuration: a fixed seed (the same inputs on every run and machine),
/// failure persistence off (nothing is written next to the sources), and few shrink steps so a
/// failure is reported quickly. The environment variables `PROPERTY_SEED` and
/// `PROPERTY_CASES` replace the seed and the number of cases, to search further by hand.
pub fn config(cases: u32) -> Config {
    Config {
        cases: from_env("PROPERTY_CASES").unwrap_or(cases),
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(from_env("PROPERTY_SEED").unwrap_or(0x5eed_0012)),
        max_shrink_iters: 256,
        ..Config::default()
    }
}

/// A number from the environment variable `name`, if it is set and parses.
fn from_env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok()?.parse().ok()
}

/// Any parameter: a special value, an ordinary number, a number of any magnitude, or any bit
/// pattern (NaNs and subnormals included).
pub fn extreme() -> BoxedStrategy<f64> {
    prop_oneof![
        4 => prop::sample::select(SPECIAL.to_vec()),
        3 => -10.0..10.0f64,
        3 => wide(),
        1 => any::<f64>(),
    ]
    .boxed()
}

/// A finite number of any magnitude from 1e-320 to 1e308, of either sign.
pub fn wide() -> BoxedStrategy<f64> {
    (any::<bool>(), -320.0..308.0f64, 1.0..10.0f64)
        .prop_map(|(negative, exponent, mantissa)| {
            let x = mantissa * 10f64.powf(exponent);
            let x = if x.is_finite() { x } else { f64::MAX };
            if negative { -x } else { x }
        })
        .boxed()
}

/// A moderate real number, `|x| <= 1e3`.
pub fn moderate_real() -> BoxedStrategy<f64> {
    prop_oneof![-1e3..1e3f64, -3.0..3.0f64].boxed()
}

/// A moderate positive number in `[1e-3, 1e3]`, log-uniform.
pub fn moderate_positive() -> BoxedStrategy<f64> {
    (-3.0..3.0f64).prop_map(|e| 10f64.powf(e)).boxed()
}

/// A probability in `[1e-3, 1 - 1e-3]`.
pub fn moderate_probability() -> BoxedStrategy<f64> {
    (1e-3..1.0 - 1e-3).boxed()
}

/// A count: small ones, the edges of `u64`, and random ones.
pub fn count() -> BoxedStrategy<u64> {
    prop_oneof![
        3 => 0u64..12,
        1 => prop::sample::select(vec![100u64, 1 << 31, 1 << 53, (1 << 53) + 1, 1 << 62, u64::MAX - 1, u64::MAX]),
        1 => any::<u64>(),
    ]
    .boxed()
}

/// A moderate count, at most 1000.
pub fn moderate_count() -> BoxedStrategy<u64> {
    (0u64..1000).boxed()
}

/// The values a scalar density is tried at for one parameter set: the special numbers, the
/// parameters themselves and their floating-point neighbours (support bounds are parameters),
/// and one random value.
pub fn real_values(params: &[f64], random: f64) -> Vec<f64> {
    let mut values = SPECIAL.to_vec();
    for &p in params {
        values.extend([p, p.next_up(), p.next_down(), -p]);
    }
    values.extend([random, std::f64::consts::PI, -std::f64::consts::PI]);
    values
}

/// The counts a discrete density is tried at, around `n` (a number of trials).
pub fn count_values(n: u64, random: u64) -> Vec<u64> {
    vec![
        0,
        1,
        2,
        3,
        17,
        1000,
        n.saturating_sub(1),
        n,
        n.saturating_add(1),
        1 << 53,
        u64::MAX,
        random,
    ]
}
