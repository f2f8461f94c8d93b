//! Constructors (parameter validation), supports and value kinds.
//!
//! Its length (about 710 lines) is every family's parameter validation, as tables of accepted and
//! rejected arguments with their messages.

use std::f64::consts::PI;

use model_runtime::Support;
use model_runtime::distributions::*;
use model_runtime::value::{Boolean, Count, Real, ValueKind};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

const NON_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

#[test]
fn constructors_reject_bad_parameters_with_the_right_variant() {
    use std::matches as m;
    for bad in NON_FINITE {
        assert!(m!(
            Normal::new(bad, 1.0),
            Err(NormalError::LocNotFinite { .. })
        ));
        assert!(m!(
            Cauchy::new(bad, 1.0),
            Err(CauchyError::LocNotFinite { .. })
        ));
        assert!(m!(
            StudentT::new(3.0, bad, 1.0),
            Err(StudentTError::LocNotFinite { .. })
        ));
        assert!(m!(
            LogNormal::new(bad, 1.0),
            Err(LogNormalError::LocNotFinite { .. })
        ));
        assert!(m!(
            VonMises::new(bad, 1.0),
            Err(VonMisesError::LocNotFinite { .. })
        ));
        assert!(m!(
            Uniform::new(bad, 1.0),
            Err(UniformError::LowNotFinite { .. })
        ));
        assert!(m!(
            Uniform::new(0.0, bad),
            Err(UniformError::HighNotFinite { .. })
        ));
        assert!(m!(
            Bernoulli::from_logits(bad),
            Err(BernoulliError::LogitsNotFinite { .. })
        ));
        assert!(m!(
            Laplace::new(bad, 1.0),
            Err(LaplaceError::LocNotFinite { .. })
        ));
        assert!(m!(
            Logistic::new(bad, 1.0),
            Err(LogisticError::LocNotFinite { .. })
        ));
        assert!(m!(
            Gumbel::new(bad, 1.0),
            Err(GumbelError::LocNotFinite { .. })
        ));
        assert!(m!(
            Binomial::from_logits(3, bad),
            Err(BinomialError::LogitsNotFinite { .. })
        ));
        assert!(m!(
            Geometric::from_logits(bad),
            Err(GeometricError::LogitsNotFinite { .. })
        ));
        assert!(m!(
            Categorical::from_logits([0.0, bad]),
            Err(CategoricalError::LogitsNotFinite { index: 1, .. })
        ));
        assert!(m!(Delta::new(bad), Err(DeltaError::ValueNotFinite { .. })));
        assert!(m!(
            SkewNormal::new(bad, 1.0, 0.0),
            Err(SkewNormalError::LocNotFinite { .. })
        ));
        assert!(m!(
            SkewNormal::new(0.0, 1.0, bad),
            Err(SkewNormalError::SkewnessNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::new(bad, 1.0, 0.0, 1.0),
            Err(TruncatedNormalError::LocNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::new(0.0, 1.0, bad, 1.0),
            Err(TruncatedNormalError::LowNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::new(0.0, 1.0, 0.0, bad),
            Err(TruncatedNormalError::HighNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::lower(0.0, 1.0, bad),
            Err(TruncatedNormalError::LowNotFinite { .. })
        ));
        assert!(m!(
            TruncatedNormal::upper(0.0, 1.0, bad),
            Err(TruncatedNormalError::HighNotFinite { .. })
        ));
        assert!(m!(
            ImproperUniform::new(Support::GreaterThan(bad)),
            Err(ImproperUniformError::BoundNotFinite { .. })
        ));
        assert!(m!(
            ImproperUniform::new(Support::Interval(0.0, bad)),
            Err(ImproperUniformError::BoundNotFinite { .. })
        ));
    }
    for bad in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        -1.0,
        -1e-300,
    ] {
        assert!(m!(
            Normal::new(0.0, bad),
            Err(NormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            HalfNormal::new(bad),
            Err(HalfNormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Cauchy::new(0.0, bad),
            Err(CauchyError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            HalfCauchy::new(bad),
            Err(HalfCauchyError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            StudentT::new(bad, 0.0, 1.0),
            Err(StudentTError::DfNotPositive { .. })
        ));
        assert!(m!(
            StudentT::new(3.0, 0.0, bad),
            Err(StudentTError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Exponential::new(bad),
            Err(ExponentialError::RateNotPositive { .. })
        ));
        assert!(m!(
            Gamma::new(bad, 1.0),
            Err(GammaError::ConcentrationNotPositive { .. })
        ));
        assert!(m!(
            Gamma::new(1.0, bad),
            Err(GammaError::RateNotPositive { .. })
        ));
        assert!(m!(
            LogNormal::new(0.0, bad),
            Err(LogNormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Beta::new(bad, 1.0),
            Err(BetaError::Concentration1NotPositive { .. })
        ));
        assert!(m!(
            Beta::new(1.0, bad),
            Err(BetaError::Concentration0NotPositive { .. })
        ));
        assert!(m!(
            Poisson::new(bad),
            Err(PoissonError::RateNotPositive { .. })
        ));
        assert!(m!(
            Laplace::new(0.0, bad),
            Err(LaplaceError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Logistic::new(0.0, bad),
            Err(LogisticError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Gumbel::new(0.0, bad),
            Err(GumbelError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            InverseGamma::new(bad, 1.0),
            Err(InverseGammaError::ConcentrationNotPositive { .. })
        ));
        assert!(m!(
            InverseGamma::new(1.0, bad),
            Err(InverseGammaError::RateNotPositive { .. })
        ));
        assert!(m!(
            Weibull::new(bad, 1.0),
            Err(WeibullError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Weibull::new(1.0, bad),
            Err(WeibullError::ConcentrationNotPositive { .. })
        ));
        assert!(m!(
            Pareto::new(bad, 1.0),
            Err(ParetoError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            Pareto::new(1.0, bad),
            Err(ParetoError::AlphaNotPositive { .. })
        ));
        assert!(m!(Chi2::new(bad), Err(Chi2Error::DfNotPositive { .. })));
        assert!(m!(
            BetaBinomial::new(bad, 1.0, 3),
            Err(BetaBinomialError::Concentration1NotPositive { .. })
        ));
        assert!(m!(
            BetaBinomial::new(1.0, bad, 3),
            Err(BetaBinomialError::Concentration0NotPositive { .. })
        ));
        assert!(m!(
            NegativeBinomial2::new(bad, 1.0),
            Err(NegativeBinomial2Error::MeanNotPositive { .. })
        ));
        assert!(m!(
            NegativeBinomial2::new(1.0, bad),
            Err(NegativeBinomial2Error::ConcentrationNotPositive { .. })
        ));
        assert!(m!(
            Geometric::new(bad),
            Err(GeometricError::ProbsOutOfRange { .. })
        ));
        assert!(m!(
            SkewNormal::new(0.0, bad, 1.0),
            Err(SkewNormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            TruncatedNormal::new(0.0, bad, 0.0, 1.0),
            Err(TruncatedNormalError::ScaleNotPositive { .. })
        ));
        assert!(m!(
            TruncatedNormal::lower(0.0, bad, 0.0),
            Err(TruncatedNormalError::ScaleNotPositive { .. })
        ));
    }
    for bad in [f64::NAN, f64::INFINITY, -1.0, -1e-300] {
        assert!(m!(
            VonMises::new(0.0, bad),
            Err(VonMisesError::ConcentrationNotNonNegative { .. })
        ));
    }
    for bad in [f64::NAN, f64::INFINITY, -0.1, 1.0 + 1e-15, -1e-300] {
        assert!(m!(
            Bernoulli::new(bad),
            Err(BernoulliError::ProbsOutOfRange { .. })
        ));
        assert!(m!(
            Binomial::new(4, bad),
            Err(BinomialError::ProbsOutOfRange { .. })
        ));
        assert!(m!(
            Geometric::new(bad),
            Err(GeometricError::ProbsOutOfRange { .. })
        ));
        assert!(m!(
            Categorical::new([0.5, bad, 0.5]),
            Err(CategoricalError::ProbsOutOfRange { index: 1, .. })
        ));
    }
    assert!(m!(
        Uniform::new(1.0, 1.0),
        Err(UniformError::LowNotBelowHigh { .. })
    ));
    assert!(m!(
        Uniform::new(2.0, 1.0),
        Err(UniformError::LowNotBelowHigh { .. })
    ));
    assert!(m!(
        Uniform::new(-1e308, 1e308),
        Err(UniformError::WidthNotFinite { .. })
    ));
    assert!(m!(
        Categorical::<f64>::new(vec![]),
        Err(CategoricalError::NoCategories)
    ));
    assert!(m!(
        Categorical::<f64>::from_logits([]),
        Err(CategoricalError::NoCategories)
    ));
    assert!(m!(
        Categorical::new([0.5, 0.6]),
        Err(CategoricalError::ProbsDoNotSumToOne { .. })
    ));
    assert!(m!(
        Categorical::new([0.5, 0.499]),
        Err(CategoricalError::ProbsDoNotSumToOne { .. })
    ));
    // Rounding in the sum is tolerated: ten times 0.1 is 0.9999999999999999.
    assert!(Categorical::new([0.1; 10]).is_ok());
    assert!(Geometric::new(1.0).is_ok() && Binomial::new(0, 1.0).is_ok());
    assert!(m!(
        TruncatedNormal::new(0.0, 1.0, 2.0, 2.0),
        Err(TruncatedNormalError::LowNotBelowHigh { .. })
    ));
    assert!(m!(
        TruncatedNormal::new(0.0, 1.0, 2.0, -2.0),
        Err(TruncatedNormalError::LowNotBelowHigh { .. })
    ));
    assert!(m!(
        TruncatedNormal::new(0.0, f64::MAX, 1.0, 1.0 + 2e-16),
        Err(TruncatedNormalError::IntervalNegligible { .. })
    ));
    assert!(m!(
        Poisson::new(1e20),
        Err(PoissonError::RateTooLarge { .. })
    ));
    assert!(m!(
        ImproperUniform::new(Support::Interval(1.0, 1.0)),
        Err(ImproperUniformError::EmptyInterval { .. })
    ));
    assert!(m!(
        ImproperUniform::<f64>::new(Support::Boolean),
        Err(ImproperUniformError::DiscreteSupport)
    ));
    assert!(m!(
        ImproperUniform::<f64>::new(Support::NonNegativeInteger),
        Err(ImproperUniformError::DiscreteSupport)
    ));

    // The edges of the valid ranges are accepted.
    assert!(VonMises::new(0.0, 0.0).is_ok());
    assert!(Bernoulli::new(0.0).is_ok() && Bernoulli::new(1.0).is_ok());
    assert!(Poisson::new(Poisson::<f64>::MAX_RATE).is_ok());
    assert!(Gamma::new(f64::MIN_POSITIVE, f64::MAX).is_ok());
}

#[test]
fn errors_name_the_distribution_and_the_parameter() {
    let message = Gamma::new(1.0, -2.0).unwrap_err().to_string();
    assert_eq!(message, "Gamma rate must be positive and finite, got -2");
    let message = VonMises::new(0.0, f64::NAN).unwrap_err().to_string();
    assert_eq!(
        message,
        "VonMises concentration must be non-negative and finite, got NaN"
    );
    let message = Bernoulli::new(1.5).unwrap_err().to_string();
    assert_eq!(message, "Bernoulli probs must be between 0 and 1, got 1.5");
    let message = Categorical::new([0.5, 0.6]).unwrap_err().to_string();
    assert_eq!(
        message,
        "Categorical probs must sum to 1, got a sum of 1.1; to normalize weights, use `Categorical::from_logits` with their logs"
    );
    let message = TruncatedNormal::new(0.0, 1.0, f64::NEG_INFINITY, 1.0)
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "TruncatedNormal low must be finite, got -inf; without a lower bound use `TruncatedNormal::upper`"
    );
}

#[test]
fn location_scale_families_standardize() {
    // For x = loc + scale z: log p(x) = log p₀(z) - ln scale, p₀ the same family at (0, 1).
    fn check<F: LocScale>(d: F::At<f64>) {
        let (loc, scale) = F::loc_scale(&d);
        let standard = F::with_loc_scale(&d, 0.0, 1.0);
        assert_eq!(F::loc_scale(&standard), (0.0, 1.0));
        for z in [-2.5, -0.3, 0.7, 4.0] {
            let x = loc + scale * z;
            let expected = standard.log_prob(&z) - scale.ln();
            assert!(
                (d.log_prob(&x) - expected).abs() < 1e-14 * expected.abs().max(1.0),
                "{d:?} at {x}"
            );
        }
    }
    check::<Normal>(Normal::new(1.5, 0.5).unwrap());
    check::<StudentT>(StudentT::new(3.0, 1.5, 0.5).unwrap());
    check::<Cauchy>(Cauchy::new(1.5, 0.5).unwrap());
    check::<Laplace>(Laplace::new(1.5, 0.5).unwrap());
    check::<Logistic>(Logistic::new(1.5, 0.5).unwrap());
    check::<Gumbel>(Gumbel::new(1.5, 0.5).unwrap());
    check::<SkewNormal>(SkewNormal::new(1.5, 0.5, -3.0).unwrap());
}

pub(crate) fn kind_is<D: Distribution<Kind = K>, K: ValueKind>() {}

#[test]
fn supports_and_value_kinds() {
    kind_is::<Normal, Real>();
    kind_is::<HalfNormal, Real>();
    kind_is::<Cauchy, Real>();
    kind_is::<HalfCauchy, Real>();
    kind_is::<StudentT, Real>();
    kind_is::<Exponential, Real>();
    kind_is::<Gamma, Real>();
    kind_is::<LogNormal, Real>();
    kind_is::<Beta, Real>();
    kind_is::<Uniform, Real>();
    kind_is::<VonMises, Real>();
    kind_is::<ImproperUniform, Real>();
    kind_is::<Bernoulli, Boolean>();
    kind_is::<Poisson, Count>();
    kind_is::<Laplace, Real>();
    kind_is::<Logistic, Real>();
    kind_is::<Gumbel, Real>();
    kind_is::<InverseGamma, Real>();
    kind_is::<Weibull, Real>();
    kind_is::<Pareto, Real>();
    kind_is::<Chi2, Real>();
    kind_is::<TruncatedNormal, Real>();
    kind_is::<SkewNormal, Real>();
    kind_is::<Binomial, Count>();
    kind_is::<BetaBinomial, Count>();
    kind_is::<NegativeBinomial2, Count>();
    kind_is::<Geometric, Count>();
    kind_is::<Categorical, Count>();
    kind_is::<Delta, Real>();

    assert_eq!(HalfNormal::new(1.0).unwrap().support(), Support::Positive);
    assert_eq!(Cauchy::new(0.0, 1.0).unwrap().support(), Support::Real);
    assert_eq!(HalfCauchy::new(1.0).unwrap().support(), Support::Positive);
    assert_eq!(
        StudentT::new(3.0, 0.0, 1.0).unwrap().support(),
        Support::Real
    );
    assert_eq!(Exponential::new(1.0).unwrap().support(), Support::Positive);
    assert_eq!(Gamma::new(2.0, 1.0).unwrap().support(), Support::Positive);
    assert_eq!(
        LogNormal::new(0.0, 1.0).unwrap().support(),
        Support::Positive
    );
    assert_eq!(
        Beta::new(2.0, 2.0).unwrap().support(),
        Support::UnitInterval
    );
    assert_eq!(
        Uniform::new(-1.0, 2.0).unwrap().support(),
        Support::Interval(-1.0, 2.0)
    );
    assert_eq!(
        VonMises::new(0.0, 1.0).unwrap().support(),
        Support::Circular
    );
    let s = Support::GreaterThan(3.0);
    assert_eq!(ImproperUniform::new(s).unwrap().support(), s);
    assert_eq!(Bernoulli::new(0.5).unwrap().support(), Support::Boolean);
    assert_eq!(
        Poisson::new(1.0).unwrap().support(),
        Support::NonNegativeInteger
    );

    assert_eq!(Laplace::new(0.0, 1.0).unwrap().support(), Support::Real);
    assert_eq!(Logistic::new(0.0, 1.0).unwrap().support(), Support::Real);
    assert_eq!(Gumbel::new(0.0, 1.0).unwrap().support(), Support::Real);
    assert_eq!(
        InverseGamma::new(2.0, 1.0).unwrap().support(),
        Support::Positive
    );
    assert_eq!(Weibull::new(1.0, 2.0).unwrap().support(), Support::Positive);
    assert_eq!(
        Pareto::new(2.5, 1.0).unwrap().support(),
        Support::GreaterThan(2.5)
    );
    assert_eq!(Chi2::new(3.0).unwrap().support(), Support::Positive);
    assert_eq!(
        TruncatedNormal::new(0.0, 1.0, -1.0, 2.0).unwrap().support(),
        Support::Interval(-1.0, 2.0)
    );
    assert_eq!(
        TruncatedNormal::lower(0.0, 1.0, 30.0).unwrap().support(),
        Support::GreaterThan(30.0)
    );
    assert_eq!(
        TruncatedNormal::upper(0.0, 1.0, -1.0).unwrap().support(),
        Support::LessThan(-1.0)
    );
    assert_eq!(
        SkewNormal::new(0.0, 1.0, 2.0).unwrap().support(),
        Support::Real
    );
    // Bounded counts report the non-negative integers (Support has no integer interval) and
    // give -∞ beyond their largest value.
    let counts = Support::NonNegativeInteger;
    assert_eq!(Binomial::new(3, 0.5).unwrap().support(), counts);
    assert_eq!(BetaBinomial::new(1.0, 2.0, 3).unwrap().support(), counts);
    assert_eq!(NegativeBinomial2::new(1.0, 2.0).unwrap().support(), counts);
    assert_eq!(Geometric::new(0.5).unwrap().support(), counts);
    assert_eq!(Categorical::new([0.5, 0.5]).unwrap().support(), counts);
    assert_eq!(Delta::new(1.0).unwrap().support(), Support::Real);

    // The site names in messages.
    assert_eq!(<VonMises as Distribution>::NAME, "VonMises");
    assert_eq!(<ImproperUniform as Distribution>::NAME, "ImproperUniform");
}

#[test]
fn log_prob_is_minus_infinity_outside_the_support() {
    let ninf = f64::NEG_INFINITY;
    assert_eq!(HalfNormal::new(1.0).unwrap().log_prob(&-1e-300), ninf);
    assert_eq!(HalfCauchy::new(1.0).unwrap().log_prob(&-1.0), ninf);
    assert_eq!(Exponential::new(1.0).unwrap().log_prob(&-1e-300), ninf);
    assert_eq!(Gamma::new(2.0, 1.0).unwrap().log_prob(&-1.0), ninf);
    assert_eq!(Gamma::new(2.0, 1.0).unwrap().log_prob(&0.0), ninf);
    assert_eq!(LogNormal::new(0.0, 1.0).unwrap().log_prob(&0.0), ninf);
    assert_eq!(LogNormal::new(0.0, 1.0).unwrap().log_prob(&-2.0), ninf);
    assert_eq!(Beta::new(2.0, 2.0).unwrap().log_prob(&-0.1), ninf);
    assert_eq!(Beta::new(2.0, 2.0).unwrap().log_prob(&1.1), ninf);
    assert_eq!(Uniform::new(0.0, 1.0).unwrap().log_prob(&-1e-300), ninf);
    assert_eq!(
        Uniform::new(0.0, 1.0).unwrap().log_prob(&1.0_f64.next_up()),
        ninf
    );
    // VonMises is periodic (any real angle is an angle); only non-finite values have no density.
    let vm = VonMises::new(3.0, 2.0).unwrap();
    assert!((vm.log_prob(&(PI + 2.0 * PI)) - vm.log_prob(&PI)).abs() < 1e-12);
    assert!(vm.log_prob(&PI).is_finite() && vm.log_prob(&-PI).is_finite());
    assert_eq!(vm.log_prob(&f64::INFINITY), ninf);
    assert_eq!(Bernoulli::new(0.0).unwrap().log_prob(&true), ninf);
    assert_eq!(Bernoulli::new(1.0).unwrap().log_prob(&false), ninf);
    let iu = ImproperUniform::new(Support::Interval(-1.0, 1.0)).unwrap();
    assert_eq!(iu.log_prob(&0.5), 0.0);
    assert_eq!(iu.log_prob(&1.5), ninf);
    // Infinite values.
    let inf = f64::INFINITY;
    assert_eq!(Normal::new(0.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(HalfNormal::new(1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Cauchy::new(0.0, 1.0).unwrap().log_prob(&-inf), ninf);
    assert_eq!(HalfCauchy::new(1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(StudentT::new(3.0, 0.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Exponential::new(1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Gamma::new(2.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Gamma::new(0.5, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(LogNormal::new(0.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(Uniform::new(0.0, 1.0).unwrap().log_prob(&inf), ninf);
    assert_eq!(VonMises::new(0.0, 1.0).unwrap().log_prob(&inf), ninf);
    for d in [
        Laplace::new(0.0, 1.0).unwrap().log_prob(&inf),
        Logistic::new(0.0, 1.0).unwrap().log_prob(&-inf),
        Gumbel::new(0.0, 1.0).unwrap().log_prob(&inf),
        Gumbel::new(0.0, 1.0).unwrap().log_prob(&-inf),
        InverseGamma::new(2.0, 1.0).unwrap().log_prob(&inf),
        InverseGamma::new(2.0, 1.0).unwrap().log_prob(&0.0),
        InverseGamma::new(0.5, 1.0).unwrap().log_prob(&-1.0),
        Weibull::new(1.0, 2.0).unwrap().log_prob(&inf),
        Weibull::new(1.0, 2.0).unwrap().log_prob(&-1e-300),
        Weibull::new(1.0, 2.0).unwrap().log_prob(&0.0),
        Pareto::new(1.0, 2.0).unwrap().log_prob(&inf),
        Pareto::new(1.0, 2.0)
            .unwrap()
            .log_prob(&1.0_f64.next_down()),
        Chi2::new(3.0).unwrap().log_prob(&0.0),
        Chi2::new(3.0).unwrap().log_prob(&-1.0),
        TruncatedNormal::new(0.0, 1.0, -1.0, 2.0)
            .unwrap()
            .log_prob(&2.0_f64.next_up()),
        TruncatedNormal::new(0.0, 1.0, -1.0, 2.0)
            .unwrap()
            .log_prob(&(-1.0_f64).next_down()),
        TruncatedNormal::lower(0.0, 1.0, 30.0)
            .unwrap()
            .log_prob(&29.999),
        TruncatedNormal::lower(0.0, 1.0, 30.0)
            .unwrap()
            .log_prob(&inf),
        TruncatedNormal::upper(0.0, 1.0, 30.0)
            .unwrap()
            .log_prob(&30.001),
        TruncatedNormal::upper(0.0, 1.0, 30.0)
            .unwrap()
            .log_prob(&-inf),
        SkewNormal::new(0.0, 1.0, 2.0).unwrap().log_prob(&inf),
        SkewNormal::new(0.0, 1.0, 2.0).unwrap().log_prob(&-inf),
        Binomial::new(3, 0.5).unwrap().log_prob(&4),
        Binomial::from_logits(3, 0.5).unwrap().log_prob(&u64::MAX),
        BetaBinomial::new(1.0, 2.0, 3).unwrap().log_prob(&4),
        Categorical::new([0.5, 0.5]).unwrap().log_prob(&2),
        Categorical::from_logits([0.0, 1.0])
            .unwrap()
            .log_prob(&u64::MAX),
        Categorical::new([0.0, 1.0]).unwrap().log_prob(&0),
        Geometric::new(1.0).unwrap().log_prob(&1),
        Delta::new(1.0).unwrap().log_prob(&1.0_f64.next_up()),
        Delta::new(1.0).unwrap().log_prob(&inf),
    ] {
        assert_eq!(d, ninf);
    }
    // Boundary densities that are finite or unbounded.
    assert_eq!(Gamma::new(1.0, 2.0).unwrap().log_prob(&0.0), 2f64.ln());
    assert_eq!(Gamma::new(0.5, 2.0).unwrap().log_prob(&0.0), f64::INFINITY);
    assert_eq!(Beta::new(0.5, 2.0).unwrap().log_prob(&0.0), f64::INFINITY);
    assert_eq!(Beta::new(2.0, 0.5).unwrap().log_prob(&0.0), ninf);
    assert_eq!(Weibull::new(4.0, 1.0).unwrap().log_prob(&0.0), -(4f64.ln()));
    assert_eq!(
        Weibull::new(1.0, 0.5).unwrap().log_prob(&0.0),
        f64::INFINITY
    );
    assert!((Pareto::new(2.0, 3.0).unwrap().log_prob(&2.0) - 1.5f64.ln()).abs() < 1e-15);
    assert_eq!(Chi2::new(2.0).unwrap().log_prob(&0.0), -(2f64.ln()));
}

#[test]
fn improper_uniform_has_no_sampler() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for s in [
        Support::Real,
        Support::Positive,
        Support::Circular,
        Support::Interval(0.0, 2.0),
    ] {
        assert_eq!(ImproperUniform::new(s).unwrap().sample(&mut rng), None);
    }
}

#[test]
fn samplable_distributions_always_produce_a_draw() {
    // `sample` returns None only for ImproperUniform; extreme but valid parameters still sample.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    assert!(
        Gamma::new(1e-3, f64::MAX)
            .unwrap()
            .sample(&mut rng)
            .is_some()
    );
    assert!(Gamma::new(1e6, 1e-300).unwrap().sample(&mut rng).is_some());
    assert!(Beta::new(1e-3, 1e-3).unwrap().sample(&mut rng).is_some());
    assert!(
        StudentT::new(1e-3, 0.0, 1.0)
            .unwrap()
            .sample(&mut rng)
            .is_some()
    );
    assert!(
        Poisson::new(Poisson::<f64>::MAX_RATE)
            .unwrap()
            .sample(&mut rng)
            .is_some()
    );
    let far = TruncatedNormal::lower(0.0, 1.0, 1e300).unwrap();
    assert!(far.sample(&mut rng).unwrap() >= 1e300);
    let x = SkewNormal::new(0.0, 1e300, -1e300)
        .unwrap()
        .sample(&mut rng)
        .unwrap();
    assert!(x <= 0.0, "{x}");
    // Counts: certain outcomes, and draws too large for a u64 saturate.
    assert_eq!(Binomial::new(7, 1.0).unwrap().sample(&mut rng), Some(7));
    assert_eq!(Binomial::new(7, 0.0).unwrap().sample(&mut rng), Some(0));
    assert_eq!(
        Binomial::from_logits(7, 800.0).unwrap().sample(&mut rng),
        Some(7)
    );
    assert!(
        Binomial::new(Binomial::<f64>::MAX_TOTAL_COUNT, 0.5)
            .unwrap()
            .sample(&mut rng)
            .is_some()
    );
    assert!(matches!(
        Binomial::new(u64::MAX, 0.5),
        Err(BinomialError::TotalCountTooLarge { .. })
    ));
    assert!(
        BetaBinomial::new(1e-3, 1e-3, 10)
            .unwrap()
            .sample(&mut rng)
            .is_some_and(|k| k <= 10)
    );
    for (mean, concentration) in [(1e-300, 1e-3), (1e300, 1.0), (1.0, 1e300)] {
        assert!(
            NegativeBinomial2::new(mean, concentration)
                .unwrap()
                .sample(&mut rng)
                .is_some()
        );
    }
    assert_eq!(
        Geometric::from_logits(-800.0).unwrap().sample(&mut rng),
        Some(u64::MAX)
    );
    assert_eq!(Geometric::new(1.0).unwrap().sample(&mut rng), Some(0));
    assert_eq!(
        Categorical::from_logits([-800.0, 0.0, -900.0])
            .unwrap()
            .sample(&mut rng),
        Some(1)
    );
    // Draws beyond the largest double are clamped to it, never +∞.
    let huge = [
        Pareto::new(1.0, 1e-3).unwrap().sample(&mut rng).unwrap(),
        InverseGamma::new(1e-3, 1.0)
            .unwrap()
            .sample(&mut rng)
            .unwrap(),
        Weibull::new(1.0, 1e-3).unwrap().sample(&mut rng).unwrap(),
        Chi2::new(1e-3).unwrap().sample(&mut rng).unwrap(),
    ];
    assert!(huge.iter().all(|x| x.is_finite() && *x >= 0.0), "{huge:?}");
    let x = Uniform::new(1.0, 1.0 + 1e-15)
        .unwrap()
        .sample(&mut rng)
        .unwrap();
    assert!((1.0..1.0 + 1e-15).contains(&x));
    for kappa in [1e-300, 1e-8, 1e6, 1e6_f64.next_up(), 1e300] {
        let x = VonMises::new(PI.next_down(), kappa)
            .unwrap()
            .sample(&mut rng)
            .unwrap();
        assert!((-PI..PI).contains(&x), "kappa {kappa}: {x}");
    }
}
