"""Reference values for model-runtime's special functions and distributions.

Every value is computed with mpmath at 60 significant digits straight from the textbook formula
(so it is exact to double precision however much the formula cancels), then cross-checked against
scipy.stats / scipy.special where scipy is accurate. Writes log_prob.json beside this script:

    {
      "special": {"i0e": [[x, value], ...], "i1e": [...], "ln_i0": [...]},
      "log_prob": [{"distribution": "Gamma", "params": {...}, "x": ..., "log_prob": ...,
                    "class": "typical" | "tail"}, ...],
      "cdf": [{"distribution": "VonMises", "params": {...}, "x": ..., "cdf": ...}, ...]
    }

Parameters use NumPyro's names. "class" is "tail" for far tails, extreme parameters and values
next to support edges; the Rust test allows those a looser tolerance than "typical" cases.
Bernoulli values are booleans; Poisson, Binomial, BetaBinomial, NegativeBinomial2, Geometric and
Categorical values are integers (total_count too); Categorical's and Multinomial's probs and logits
are lists; Dirichlet and Multinomial values are lists (of floats, of integers), as is Dirichlet's
concentration; LKJCholesky values are the D x D factor as a flat row-major list; ProjectedNormal
values are unit vectors (lists) and its concentration a list; a Mixture lists its components, each
with its "family" and that family's parameters, beside "weights" or "logits", and its x is the
components' kind; every other x is a float; TruncatedNormal lists only the bounds it has. Only finite
log densities are listed (values outside the support are tested in Rust).

Run: python3 generate.py   (needs mpmath and scipy)
"""

import json
import math
import os

import mpmath as mp
import numpy as np
from scipy import special as sp
from scipy import stats

mp.mp.dps = 60
M = mp.mpf


def f(v):
    """Double nearest to an mpmath value (mpmath rounds to nearest)."""
    return float(v)


# --- log densities at 60 digits -------------------------------------------------------------


def normal(p, x):
    z = (M(x) - M(p["loc"])) / M(p["scale"])
    return -z * z / 2 - mp.log(M(p["scale"])) - mp.log(2 * mp.pi) / 2


def half_normal(p, x):
    z = M(x) / M(p["scale"])
    return mp.log(2) - z * z / 2 - mp.log(M(p["scale"])) - mp.log(2 * mp.pi) / 2


def cauchy(p, x):
    z = (M(x) - M(p["loc"])) / M(p["scale"])
    return -mp.log(mp.pi * M(p["scale"])) - mp.log1p(z * z)


def half_cauchy(p, x):
    z = M(x) / M(p["scale"])
    return mp.log(2) - mp.log(mp.pi * M(p["scale"])) - mp.log1p(z * z)


def half_student_t(p, x):
    # Twice the centred Student's t density on x >= 0.
    return mp.log(2) + student_t({"df": p["df"], "loc": 0.0, "scale": p["scale"]}, x)


def student_t(p, x):
    nu, s = M(p["df"]), M(p["scale"])
    z = (M(x) - M(p["loc"])) / s
    return (
        mp.loggamma((nu + 1) / 2)
        - mp.loggamma(nu / 2)
        - mp.log(nu * mp.pi) / 2
        - mp.log(s)
        - (nu + 1) / 2 * mp.log1p(z * z / nu)
    )


def exponential(p, x):
    lam = M(p["rate"])
    return mp.log(lam) - lam * M(x)


def gamma(p, x):
    a, b, x = M(p["concentration"]), M(p["rate"]), M(x)
    return a * mp.log(b) + (a - 1) * mp.log(x) - b * x - mp.loggamma(a)


def log_normal(p, x):
    lx = mp.log(M(x))
    z = (lx - M(p["loc"])) / M(p["scale"])
    return -z * z / 2 - lx - mp.log(M(p["scale"])) - mp.log(2 * mp.pi) / 2


def beta(p, x):
    a, b, x = M(p["concentration1"]), M(p["concentration0"]), M(x)
    return (a - 1) * mp.log(x) + (b - 1) * mp.log1p(-x) - mp.log(mp.beta(a, b))


def uniform(p, x):
    return -mp.log(M(p["high"]) - M(p["low"]))


def von_mises(p, x):
    k = M(p["concentration"])
    return k * mp.cos(M(x) - M(p["loc"])) - mp.log(2 * mp.pi) - mp.log(mp.besseli(0, k))


def laplace(p, x):
    return -abs(M(x) - M(p["loc"])) / M(p["scale"]) - mp.log(2 * M(p["scale"]))


def logistic(p, x):
    z = (M(x) - M(p["loc"])) / M(p["scale"])
    return -z - 2 * mp.log1p(mp.exp(-z)) - mp.log(M(p["scale"]))


def gumbel(p, x):
    z = (M(x) - M(p["loc"])) / M(p["scale"])
    return -(z + mp.exp(-z)) - mp.log(M(p["scale"]))


def inverse_gamma(p, x):
    a, b, x = M(p["concentration"]), M(p["rate"]), M(x)
    return a * mp.log(b) - (a + 1) * mp.log(x) - b / x - mp.loggamma(a)


def weibull(p, x):
    lam, k, x = M(p["scale"]), M(p["concentration"]), M(x)
    return mp.log(k / lam) + (k - 1) * mp.log(x / lam) - (x / lam) ** k


def pareto(p, x):
    xm, a, x = M(p["scale"]), M(p["alpha"]), M(x)
    return mp.log(a) + a * mp.log(xm) - (a + 1) * mp.log(x)


def chi2(p, x):
    h, x = M(p["df"]) / 2, M(x)
    return (h - 1) * mp.log(x) - x / 2 - h * mp.log(2) - mp.loggamma(h)


def normal_mass(a, b):
    """Φ(b) - Φ(a) for a < b (either may be ±inf), without cancellation at this precision."""
    with mp.workdps(250):
        r2 = mp.sqrt(2)
        if a is not None and a >= 0:
            upper = 0 if b is None else mp.erfc(b / r2)
            return (mp.erfc(a / r2) - upper) / 2
        lower = 0 if a is None else mp.erfc(-a / r2)
        return ((2 if b is None else mp.erfc(-b / r2)) - lower) / 2


def truncated_normal(p, x):
    loc, scale = M(p["loc"]), M(p["scale"])
    std = lambda v: None if v is None else (M(v) - loc) / scale
    z = (M(x) - loc) / scale
    return -z * z / 2 - mp.log(2 * mp.pi) / 2 - mp.log(scale) - mp.log(
        normal_mass(std(p.get("low")), std(p.get("high"))))


def skew_normal(p, x):
    z = (M(x) - M(p["loc"])) / M(p["scale"])
    return mp.log(2) - z * z / 2 - mp.log(2 * mp.pi) / 2 - mp.log(M(p["scale"])) + ln_ndtr_mp(
        M(p["skewness"]) * z)


def ln_choose(n, k):
    return mp.loggamma(M(n) + 1) - mp.loggamma(M(k) + 1) - mp.loggamma(M(n) - M(k) + 1)


def log_success_failure(p):
    """(ln p, ln(1 - p)) from "probs" or "logits"."""
    if "probs" in p:
        q = M(p["probs"])
        return (mp.log(q) if q > 0 else -mp.inf), (mp.log1p(-q) if q < 1 else -mp.inf)
    l = M(p["logits"])
    return -mp.log1p(mp.exp(-l)), -mp.log1p(mp.exp(l))


def binomial(p, k):
    n = p["total_count"]
    ln_p, ln_q = log_success_failure(p)
    return ln_choose(n, k) + (k * ln_p if k else 0) + ((n - k) * ln_q if n - k else 0)


def beta_binomial(p, k):
    a, b, n = M(p["concentration1"]), M(p["concentration0"]), p["total_count"]
    return ln_choose(n, k) + mp.log(mp.beta(k + a, n - k + b)) - mp.log(mp.beta(a, b))


def negative_binomial2(p, k):
    # 400 digits: with φ = 1e200, ln Γ(φ) ≈ 4.6e202 and ln(φ / (μ + φ)) ≈ -3e-200.
    with mp.workdps(400):
        mu, phi = M(p["mean"]), M(p["concentration"])
        return (mp.loggamma(k + phi) - mp.loggamma(k + 1) - mp.loggamma(phi)
                + k * mp.log(mu / (mu + phi)) + phi * mp.log(phi / (mu + phi)))


def geometric(p, k):
    ln_p, ln_q = log_success_failure(p)
    return ln_p + (k * ln_q if k else 0)


def categorical(p, k):
    if "probs" in p:
        probs = [M(v) for v in p["probs"]]
        return mp.log(probs[k]) - mp.log(mp.fsum(probs))
    logits = [M(v) for v in p["logits"]]
    return logits[k] - mp.log(mp.fsum(mp.exp(l) for l in logits))


def delta(p, x):
    assert x == p["value"]
    return M(0)


def bernoulli(p, x):
    if "probs" in p:
        q = M(p["probs"])
        return mp.log(q) if x else mp.log1p(-q)
    l = M(p["logits"])
    return -mp.log1p(mp.exp(-l)) if x else -mp.log1p(mp.exp(l))


def poisson(p, k):
    lam = M(p["rate"])
    return k * mp.log(lam) - lam - mp.loggamma(k + 1)


def normalized_probs(p):
    """The probabilities of a Categorical or Multinomial case, divided by their exact sum."""
    if "probs" in p:
        probs = [M(v) for v in p["probs"]]
        total = mp.fsum(probs)
        return [v / total for v in probs]
    logits = [M(v) for v in p["logits"]]
    total = mp.fsum(mp.exp(l) for l in logits)
    return [mp.exp(l) / total for l in logits]


def multinomial(p, x):
    # 400 digits: at n = 1e12 the terms n ln n cancel down to about 30.
    with mp.workdps(400):
        n = p["total_count"]
        assert sum(x) == n
        probs = normalized_probs(p)
        return (mp.loggamma(n + 1) - mp.fsum(mp.loggamma(k + 1) for k in x)
                + mp.fsum(k * mp.log(q) for k, q in zip(x, probs) if k > 0))


def lkj_cholesky(p, x):
    # NumPyro's form: the multivariate-gamma normalizer of the onion method (LKJ 2009, 3.2).
    d, eta = p["dimension"], M(p["concentration"])
    assert len(x) == d * d
    unnormalized = mp.fsum((2 * eta - 2 + d - (i + 1)) * mp.log(M(x[i * d + i]))
                           for i in range(1, d))
    dm1 = d - 1
    alpha = eta + M(dm1) / 2
    multigamma = M(dm1 * (dm1 - 1)) / 4 * mp.log(mp.pi) + mp.fsum(
        mp.loggamma(alpha - M(1) / 2 + M(1 - j) / 2) for j in range(1, dm1 + 1))
    normalizer = M(dm1) / 2 * mp.log(mp.pi) + multigamma - dm1 * mp.loggamma(alpha)
    return unnormalized - normalizer


def check_lkj_normalizer():
    """The normalizer against quadrature: for D = 2 the density of the one correlation r is
    (1 - r²)^(η-1); for D = 3 the density over (L21, L31, L32) is L22^(2η-1) L33^(2η-2), whose
    integral splits into one over L21 and one over the unit disk."""
    for eta in [M("0.3"), M(1), M("2.5"), M(40)]:
        two = mp.quad(lambda r: (1 - r * r) ** (eta - 1), [-1, 0, 1])
        three = mp.quad(lambda a: (1 - a * a) ** (eta - M(1) / 2), [-1, 0, 1]) * 2 * mp.pi * mp.quad(
            lambda r: (1 - r * r) ** (eta - 1) * r, [0, 1])
        for d, integral in ((2, two), (3, three)):
            identity = [1.0 if i % (d + 1) == 0 else 0.0 for i in range(d * d)]
            log_c = -lkj_cholesky({"dimension": d, "concentration": eta}, identity)
            # Quadrature of the endpoint singularities (η < 1) is good to about 1e-19.
            assert abs(log_c - mp.log(integral)) < M(10) ** -15, (d, eta, log_c, mp.log(integral))


def correlation_cholesky(d, z):
    """The row-major Cholesky factor with canonical partial correlations z (row by row, as the
    CorrelationCholesky bijector orders them), in double precision."""
    l = [0.0] * (d * d)
    l[0] = 1.0
    k = 0
    for i in range(1, d):
        remaining = 1.0
        for j in range(i):
            l[i * d + j] = z[k] * math.sqrt(remaining)
            remaining -= l[i * d + j] ** 2
            k += 1
        l[i * d + i] = math.sqrt(max(remaining, 0.0))
    return l


def projected_normal_closed_form(c, v):
    """NumPyro's closed form at 60 digits, with the distance from the ray as ‖c - t v‖²."""
    d = len(c)
    t = mp.fsum(a * b for a, b in zip(c, v))
    off_ray = mp.fsum((a - t * b) ** 2 for a, b in zip(c, v))
    if d == 2:
        moment = mp.npdf(t) + t * mp.ncdf(t)
    else:
        moment = t * mp.npdf(t) + (1 + t * t) * mp.ncdf(t)
    return -off_ray / 2 - M(d - 1) / 2 * mp.log(2 * mp.pi) + mp.log(moment)


def projected_normal(p, x):
    with mp.workdps(120):  # M(t) for t = -100 is a difference of numbers 1e4 times larger
        c, v = [M(a) for a in p["concentration"]], [M(b) for b in x]
        value = projected_normal_closed_form(c, v)
        # The closed form against the definition, the density of the direction of x ~ N(c, I)
        # along the ray through v: ∫_0^∞ r^(d-1) φ_d(r v - c) dr, at v normalized exactly.
        norm = mp.sqrt(mp.fsum(b * b for b in v))
        u = [b / norm for b in v]
        d = len(c)
        density = lambda r: r ** (d - 1) * mp.exp(
            -mp.fsum((r * b - a) ** 2 for a, b in zip(c, u)) / 2) / (2 * mp.pi) ** (M(d) / 2)
        t = max(mp.fsum(a * b for a, b in zip(c, u)), 0)
        integral = mp.quad(density, [0, t, t + 10, t + 40, mp.inf])
        exact = projected_normal_closed_form(c, u)
        if integral > M(10) ** -100:
            assert abs(mp.log(integral) - exact) < M(10) ** -25, (p, x, mp.log(integral), exact)
        # x is a unit vector to double precision: the two extensions off the sphere agree.
        assert abs(value - exact) < 1e-13 * max(1, abs(exact)), (p, x)
        return value


def mixture(p, x):
    """ln Σ_k w_k p_k(x) at 60 digits; each component's density from its own entry above."""
    components = p["components"]
    if "weights" in p:
        weights = [M(w) for w in p["weights"]]
        total = mp.fsum(weights)
        log_weights = [mp.log(w / total) if w > 0 else None for w in weights]
    else:
        logits = [M(l) for l in p["logits"]]
        total = mp.log(mp.fsum(mp.exp(l) for l in logits))
        log_weights = [l - total for l in logits]
    terms = [lw + CASES[c["family"]][0]({k: v for k, v in c.items() if k != "family"}, x)
             for lw, c in zip(log_weights, components) if lw is not None]
    top = max(terms)
    return top + mp.log(mp.fsum(mp.exp(t - top) for t in terms))


def dirichlet(p, x):
    # The textbook form at the given components (whose sum may be 1 only to round-off).
    alpha = [M(a) for a in p["concentration"]]
    x = [M(v) for v in x]
    return (sum((a - 1) * mp.log(v) for a, v in zip(alpha, x) if a != 1)
            + mp.loggamma(mp.fsum(alpha)) - mp.fsum(mp.loggamma(a) for a in alpha))


# --- cases ----------------------------------------------------------------------------------

ONE_MINUS = 1.0 - 2.0**-53  # the largest double below 1
PI = math.pi  # the double nearest pi (slightly below it)

CASES = {
    "Normal": (normal, [
        ({"loc": 0.0, "scale": 1.0}, [-2.0, -0.5, 0.0, 0.3, 1.7], [30.0, -37.5]),
        ({"loc": 3.5, "scale": 0.2}, [3.4, 3.9], [13.5]),
        ({"loc": -1e3, "scale": 50.0}, [-950.0, -1100.0], []),
        ({"loc": 0.0, "scale": 1e-10}, [], [2e-10, 0.0, 1e-9]),
        ({"loc": 1.0, "scale": 1e10}, [], [3e10, 1.0]),
        ({"loc": 1e8, "scale": 1.0}, [], [1e8 + 0.5]),
    ]),
    "HalfNormal": (half_normal, [
        ({"scale": 1.0}, [0.0, 0.5, 2.0], [30.0, 1e-300]),
        ({"scale": 3.0}, [1.0, 7.0], []),
        ({"scale": 1e-10}, [], [3e-10, 0.0]),
        ({"scale": 1e10}, [], [1e10, 1.0]),
    ]),
    "Cauchy": (cauchy, [
        ({"loc": 0.0, "scale": 1.0}, [-3.0, 0.0, 0.5, 10.0], [1e8, -1e8, 1e150]),
        ({"loc": 2.0, "scale": 0.5}, [2.1, -1.0], []),
        ({"loc": 0.0, "scale": 1e-10}, [], [1.0, 1e-10]),
        ({"loc": -5.0, "scale": 1e10}, [], [1e10, 0.0]),
    ]),
    "HalfCauchy": (half_cauchy, [
        ({"scale": 1.0}, [0.0, 1.0, 5.0], [1e8, 1e-300]),
        ({"scale": 2.5}, [0.1], []),
        ({"scale": 1e-10}, [], [1.0]),
        ({"scale": 1e10}, [], [3.0, 1e12]),
    ]),
    "HalfStudentT": (half_student_t, [
        ({"df": 3.0, "scale": 10.0}, [0.0, 4.0, 25.0], [1e8, 1e-300]),
        ({"df": 1.0, "scale": 1.0}, [0.5, 2.0], []),
        ({"df": 30.0, "scale": 0.1}, [0.05], []),
        ({"df": 0.5, "scale": 1.0}, [], [3.0, 1e6]),
        ({"df": 1e6, "scale": 2.0}, [], [1.0, 10.0]),
        ({"df": 4.0, "scale": 1e-10}, [], [1e-9]),
        ({"df": 4.0, "scale": 1e10}, [], [1e10]),
    ]),
    "StudentT": (student_t, [
        ({"df": 3.0, "loc": 0.0, "scale": 1.0}, [-2.0, 0.0, 1.5], [1e8, -300.0]),
        ({"df": 10.0, "loc": 1.0, "scale": 2.0}, [4.0, -3.0], []),
        ({"df": 1.0, "loc": 0.0, "scale": 1.0}, [2.0], []),
        ({"df": 2.5, "loc": -1.0, "scale": 0.5}, [0.0], []),
        ({"df": 30.0, "loc": 0.0, "scale": 1.0}, [0.7], []),
        ({"df": 0.5, "loc": 0.0, "scale": 1.0}, [], [0.0, 3.0, 1e6]),
        ({"df": 1e6, "loc": 0.0, "scale": 1.0}, [], [0.0, 2.0, 5.0]),
        ({"df": 1e10, "loc": 0.0, "scale": 1.0}, [], [1.0]),
        ({"df": 4.0, "loc": 0.0, "scale": 1e-10}, [], [1e-9]),
        ({"df": 4.0, "loc": 0.0, "scale": 1e10}, [], [1e10]),
    ]),
    "Exponential": (exponential, [
        ({"rate": 1.0}, [0.0, 0.5, 3.0], [700.0, 1e-300]),
        ({"rate": 2.5}, [0.1], []),
        ({"rate": 1e-10}, [], [1e10, 1.0]),
        ({"rate": 1e10}, [], [1e-10, 5e-9]),
    ]),
    "Gamma": (gamma, [
        ({"concentration": 2.0, "rate": 1.0}, [0.5, 3.0], [500.0, 1e-300]),
        ({"concentration": 0.5, "rate": 2.0}, [0.1, 1.2], []),
        ({"concentration": 7.5, "rate": 0.3}, [20.0], []),
        ({"concentration": 1.0, "rate": 1.0}, [0.3], []),
        ({"concentration": 1e-3, "rate": 1.0}, [], [1e-10, 1e-300, 0.5, 5.0]),
        ({"concentration": 1e4, "rate": 1.0}, [], [1e4, 9900.0, 10500.0]),
        ({"concentration": 1e4, "rate": 1e4}, [], [1.0, 1.01]),
        ({"concentration": 1e6, "rate": 2.0}, [], [5e5, 5.001e5]),
        ({"concentration": 3.0, "rate": 1e-10}, [], [1e10]),
        ({"concentration": 3.0, "rate": 1e10}, [], [1e-10]),
    ]),
    "LogNormal": (log_normal, [
        ({"loc": 0.0, "scale": 1.0}, [0.5, 1.0, 3.0], [1e-20, 1e20]),
        ({"loc": 2.0, "scale": 0.3}, [7.0], []),
        ({"loc": 0.0, "scale": 1e-10}, [], [1.0, 1.0000000001]),
        ({"loc": 0.0, "scale": 10.0}, [], [1e-300]),
        ({"loc": 100.0, "scale": 1.0}, [], [1e43]),
    ]),
    "Beta": (beta, [
        ({"concentration1": 2.0, "concentration0": 3.0}, [0.2, 0.7], [1e-300, ONE_MINUS]),
        ({"concentration1": 0.5, "concentration0": 0.5}, [0.1, 0.999], []),
        ({"concentration1": 1.0, "concentration0": 1.0}, [0.3], []),
        ({"concentration1": 5.0, "concentration0": 1.5}, [0.9], []),
        ({"concentration1": 0.01, "concentration0": 0.01}, [], [1e-10, 0.5, 1.0 - 1e-10]),
        ({"concentration1": 1e3, "concentration0": 1e3}, [], [0.5, 0.52]),
        ({"concentration1": 1e-3, "concentration0": 5.0}, [], [1e-200]),
        ({"concentration1": 3.0, "concentration0": 1e4}, [], [3e-4]),
    ]),
    "Uniform": (uniform, [
        ({"low": 0.0, "high": 1.0}, [0.5], []),
        ({"low": -3.0, "high": 7.0}, [0.0], []),
        ({"low": 0.0, "high": 1e-10}, [], [5e-11]),
        ({"low": -1e10, "high": 1e10}, [], [0.0]),
    ]),
    "VonMises": (von_mises, [
        ({"loc": 0.0, "concentration": 1.0}, [-3.0, 0.0, 1.0, 3.0], []),
        ({"loc": 1.0, "concentration": 4.0}, [1.2, -2.5], []),
        ({"loc": -2.0, "concentration": 0.5}, [3.1], []),
        ({"loc": 0.0, "concentration": 0.0}, [0.7], []),
        ({"loc": 3.1, "concentration": 50.0}, [-3.1, 3.0], [-PI, PI]),
        ({"loc": 10.0, "concentration": 2.0}, [0.5], []),
        ({"loc": 0.0, "concentration": 700.0}, [], [0.0, 0.05, 0.5, 3.0]),
        ({"loc": 0.0, "concentration": 1e4}, [], [0.0, 0.01]),
        ({"loc": 0.5, "concentration": 1e5}, [], [0.5, 0.503, 0.6]),
        ({"loc": 0.0, "concentration": 1e6}, [], [1e-3]),
        ({"loc": 0.0, "concentration": 1e-8}, [], [0.0, 3.0]),
    ]),
    "Laplace": (laplace, [
        ({"loc": 0.0, "scale": 1.0}, [-2.0, -0.5, 0.0, 0.3, 1.7], [700.0, -1e10]),
        ({"loc": 3.5, "scale": 0.2}, [3.4, 3.9], []),
        ({"loc": 0.0, "scale": 1e-10}, [], [2e-10, 0.0]),
        ({"loc": 1.0, "scale": 1e10}, [], [3e10, 1.0]),
        ({"loc": 1e8, "scale": 1.0}, [], [1e8 + 0.5]),
    ]),
    "Logistic": (logistic, [
        ({"loc": 0.0, "scale": 1.0}, [-3.0, -0.5, 0.0, 0.3, 4.0], [40.0, -40.0, 800.0, -800.0, 1e10]),
        ({"loc": 2.0, "scale": 0.5}, [2.1, -1.0], []),
        ({"loc": 0.0, "scale": 1e-10}, [], [1e-10, 1e-8]),
        ({"loc": -5.0, "scale": 1e10}, [], [1e10, -5.0]),
        ({"loc": 1e8, "scale": 1.0}, [], [1e8 + 0.5]),
    ]),
    "Gumbel": (gumbel, [
        ({"loc": 0.0, "scale": 1.0}, [-1.5, 0.0, 0.5, 3.0], [-6.5, 40.0, 700.0, -700.0]),
        ({"loc": 2.0, "scale": 0.5}, [2.3, 0.5], []),
        ({"loc": 0.0, "scale": 1e-10}, [], [1e-10, -1e-9]),
        ({"loc": -5.0, "scale": 1e10}, [], [1e10, -5.0]),
        ({"loc": 1e8, "scale": 1.0}, [], [1e8 + 0.5]),
    ]),
    "InverseGamma": (inverse_gamma, [
        ({"concentration": 3.0, "rate": 2.0}, [0.2, 0.5, 1.0, 4.0], [1e-3, 1e6, 1e-300]),
        ({"concentration": 0.5, "rate": 1.0}, [0.3, 10.0], []),
        ({"concentration": 1.0, "rate": 1.0}, [0.7], []),
        ({"concentration": 1e-3, "rate": 1.0}, [], [1e-2, 1.0, 1e10]),
        ({"concentration": 1e4, "rate": 1e4}, [], [1.0, 1.01, 0.98]),
        ({"concentration": 1e6, "rate": 2.0}, [], [2e-6, 2.001e-6]),
        ({"concentration": 3.0, "rate": 1e-10}, [], [1e-10]),
        ({"concentration": 3.0, "rate": 1e10}, [], [1e10]),
    ]),
    "Weibull": (weibull, [
        ({"scale": 1.0, "concentration": 1.5}, [0.1, 0.8, 2.0], [1e-300, 30.0]),
        ({"scale": 2.0, "concentration": 0.5}, [0.01, 5.0], [1e6]),
        ({"scale": 1.0, "concentration": 1.0}, [0.3], []),
        ({"scale": 3.0, "concentration": 4.0}, [2.5], []),
        ({"scale": 1.0, "concentration": 1e3}, [], [1.0, 0.999, 1.001, 0.99]),
        ({"scale": 1e10, "concentration": 3.0}, [], [1e10, 5e9]),
        ({"scale": 1e-10, "concentration": 2.0}, [], [1e-10]),
        ({"scale": 1.0, "concentration": 1e-3}, [], [1e-100, 1e100]),
    ]),
    "Pareto": (pareto, [
        ({"scale": 1.0, "alpha": 3.0}, [1.0, 1.5, 2.0, 10.0], [1e100, 1.0000000001]),
        ({"scale": 2.5, "alpha": 0.5}, [3.0, 100.0], []),
        ({"scale": 1.0, "alpha": 1e6}, [], [1.0, 1.000001, 1.00001]),
        ({"scale": 1e-10, "alpha": 2.0}, [], [1e-10, 1e10]),
        ({"scale": 1e10, "alpha": 1e-3}, [], [1e300]),
    ]),
    "Chi2": (chi2, [
        ({"df": 3.0}, [0.5, 2.0, 7.0], [1e-300, 300.0]),
        ({"df": 0.5}, [0.1, 1.5], []),
        ({"df": 2.0}, [1.0], []),
        ({"df": 10.0}, [9.0], []),
        ({"df": 1e6}, [], [1e6, 1.002e6]),
        ({"df": 1e-3}, [], [1e-10, 1.0]),
    ]),
    "TruncatedNormal": (truncated_normal, [
        ({"loc": 0.0, "scale": 1.0, "low": -1.0, "high": 2.0}, [-1.0, -0.5, 0.0, 1.5, 2.0], []),
        ({"loc": 1.0, "scale": 2.0, "low": 0.0}, [0.0, 0.5, 3.0, 10.0], [100.0]),
        ({"loc": 1.0, "scale": 2.0, "high": 0.5}, [-3.0, 0.5], [-100.0]),
        ({"loc": 0.0, "scale": 1.0, "low": 2.0, "high": 3.0}, [2.0, 2.5, 3.0], []),
        ({"loc": 0.0, "scale": 1.0, "low": -3.0, "high": -2.0}, [-2.5], []),
        ({"loc": 0.5, "scale": 0.2, "low": 0.0, "high": 1.0}, [0.3, 0.9], []),
        ({"loc": 0.0, "scale": 1.0, "low": 0.3, "high": 1.2}, [0.5], []),
        ({"loc": 0.0, "scale": 1.0, "low": 0.3, "high": 0.9}, [0.5], []),
        ({"loc": 3.0, "scale": 1.0, "low": 3.0}, [3.0, 4.0], []),
        ({"loc": -2.0, "scale": 1.0, "high": -2.0}, [-3.0], []),
        ({"loc": 0.0, "scale": 1.0, "low": -0.5}, [1.0], []),
        ({"loc": 0.0, "scale": 1.0, "high": 0.5}, [-1.0], []),
        # far tails, one- and two-sided, down to intervals 1e-10 wide
        ({"loc": 0.0, "scale": 1.0, "low": 30.0}, [], [30.0, 30.1, 35.0, 100.0]),
        ({"loc": 0.0, "scale": 1.0, "high": -30.0}, [], [-30.0, -31.0]),
        ({"loc": 0.0, "scale": 1.0, "low": 30.0, "high": 31.0}, [], [30.0, 30.5, 31.0]),
        ({"loc": 0.0, "scale": 1.0, "low": -31.0, "high": -30.0}, [], [-30.2]),
        ({"loc": 0.0, "scale": 1.0, "low": 30.0, "high": 30.01}, [], [30.0, 30.005, 30.01]),
        ({"loc": 0.0, "scale": 1.0, "low": 30.0, "high": 30.0000000001}, [], [30.00000000005]),
        ({"loc": 0.0, "scale": 1.0, "low": -1e-10, "high": 1e-10}, [], [0.0, 5e-11]),
        ({"loc": 0.0, "scale": 1.0, "low": 1e6}, [], [1e6, 1.000000000001e6]),
        ({"loc": 0.0, "scale": 1.0, "low": -40.0, "high": 40.0}, [], [0.0, 39.0]),
        ({"loc": 0.0, "scale": 1.0, "low": -50.0}, [], [-49.0, 3.0]),
        ({"loc": 5.0, "scale": 1e-10, "low": 5.0, "high": 5.000000001}, [], [5.0000000005]),
        ({"loc": 0.0, "scale": 1e10, "low": 1e12}, [], [1.0000001e12]),
        ({"loc": 0.0, "scale": 1e-10, "high": -3e-9}, [], [-3.1e-9]),
    ]),
    "SkewNormal": (skew_normal, [
        ({"loc": 0.0, "scale": 1.0, "skewness": 0.0}, [-1.0, 0.0, 1.5], []),
        ({"loc": 1.0, "scale": 2.0, "skewness": 3.0}, [-1.0, 1.0, 2.0, 5.0], [-10.0, 40.0]),
        ({"loc": 0.0, "scale": 1.0, "skewness": -2.0}, [0.5, -1.0], [5.0, 30.0]),
        ({"loc": 0.0, "scale": 1.0, "skewness": 0.7}, [-0.4, 2.2], []),
        ({"loc": 0.0, "scale": 1.0, "skewness": 50.0}, [], [-1.0, 1e-3, 0.5]),
        ({"loc": 0.0, "scale": 1.0, "skewness": 1e-10}, [], [2.0]),
        ({"loc": 0.0, "scale": 1e-10, "skewness": 1.0}, [], [1e-10, -3e-10]),
        ({"loc": 1e8, "scale": 1.0, "skewness": -1.0}, [], [1e8 + 0.5]),
        ({"loc": 0.0, "scale": 1.0, "skewness": 1e6}, [], [-1e-3, 1e-9]),
        ({"loc": 0.0, "scale": 1e10, "skewness": 4.0}, [], [-1e11, 3e10]),
    ]),
    "Binomial": (binomial, [
        ({"total_count": 10, "probs": 0.3}, [0, 1, 3, 7, 10], []),
        ({"total_count": 1, "probs": 0.5}, [0, 1], []),
        ({"total_count": 20, "logits": -1.5}, [0, 5, 20], []),
        ({"total_count": 37, "probs": 0.81}, [30, 36], []),
        ({"total_count": 1000000, "probs": 0.5}, [], [500000, 499000, 0, 1000000]),
        ({"total_count": 1000, "probs": 1e-10}, [], [0, 1, 5, 1000]),
        ({"total_count": 1000, "probs": 0.999999}, [], [1000, 999, 0]),
        ({"total_count": 50, "logits": -800.0}, [], [0, 1, 50]),
        ({"total_count": 50, "logits": 40.0}, [], [50, 49, 0]),
        ({"total_count": 1000000000000, "probs": 0.3}, [], [300000000000, 300001000000]),
        ({"total_count": 1000000000000, "logits": -0.8472978603872037}, [], [300001000000]),
        ({"total_count": 1000000, "logits": 0.3}, [], [574000, 570000]),
        ({"total_count": 0, "probs": 0.3}, [], [0]),
        ({"total_count": 30, "probs": 0.0}, [], [0]),
        ({"total_count": 30, "probs": 1.0}, [], [30]),
    ]),
    "BetaBinomial": (beta_binomial, [
        ({"concentration1": 2.0, "concentration0": 3.0, "total_count": 10}, [0, 3, 10], []),
        ({"concentration1": 0.5, "concentration0": 0.5, "total_count": 5}, [0, 2, 5], []),
        ({"concentration1": 1.0, "concentration0": 1.0, "total_count": 7}, [3], []),
        ({"concentration1": 12.0, "concentration0": 30.0, "total_count": 60}, [10, 17, 40], []),
        ({"concentration1": 1e-3, "concentration0": 1e-3, "total_count": 100}, [], [0, 50, 100]),
        ({"concentration1": 1e6, "concentration0": 1e6, "total_count": 1000}, [], [500, 450, 0]),
        ({"concentration1": 1e6, "concentration0": 1e6, "total_count": 1000000}, [], [500000, 480000]),
        ({"concentration1": 3.0, "concentration0": 1e8, "total_count": 1000000}, [], [0, 30, 100]),
        ({"concentration1": 1e10, "concentration0": 1e10, "total_count": 20}, [], [10, 0]),
        ({"concentration1": 2.5, "concentration0": 4.0, "total_count": 0}, [], [0]),
        ({"concentration1": 1e4, "concentration0": 2.0, "total_count": 5000}, [], [5000, 4990]),
    ]),
    "NegativeBinomial2": (negative_binomial2, [
        ({"mean": 3.5, "concentration": 2.0}, [0, 1, 3, 10], [100]),
        ({"mean": 0.1, "concentration": 0.5}, [0, 2], []),
        ({"mean": 20.0, "concentration": 15.0}, [12, 25], []),
        ({"mean": 10.0, "concentration": 1e10}, [], [10, 0, 30]),
        ({"mean": 1e6, "concentration": 1e3}, [], [1000000, 900000, 0]),
        ({"mean": 5.0, "concentration": 1e-3}, [], [0, 1, 1000]),
        ({"mean": 1e-10, "concentration": 1.0}, [], [0, 1, 3]),
        ({"mean": 1e12, "concentration": 1e12}, [], [1000000000000]),
        ({"mean": 3.0, "concentration": 1e200}, [], [3, 0]),
    ]),
    "Geometric": (geometric, [
        ({"probs": 0.3}, [0, 1, 5], [1000]),
        ({"probs": 0.9}, [0, 2], []),
        ({"probs": 1.0}, [], [0]),
        ({"probs": 1e-10}, [], [0, 10000000000]),
        ({"logits": 0.5}, [0, 3], []),
        ({"logits": -800.0}, [], [0, 1000000]),
        ({"logits": 40.0}, [], [0, 2]),
    ]),
    "Categorical": (categorical, [
        ({"probs": [0.2, 0.3, 0.5]}, [0, 1, 2], []),
        ({"probs": [0.1] * 10}, [3], []),
        ({"logits": [0.5, -1.0, 2.0, 0.0]}, [0, 1, 2, 3], []),
        ({"probs": [1e-300, 1.0]}, [], [0, 1]),
        ({"logits": [-800.0, 0.0, 800.0]}, [], [0, 1, 2]),
        ({"logits": [1e-10, 0.0]}, [], [0]),
        ({"logits": [0.0] * 1000}, [], [999]),
    ]),
    "Delta": (delta, [
        ({"value": 2.5}, [2.5], []),
        ({"value": -1e300}, [], [-1e300]),
    ]),
    "Bernoulli": (bernoulli, [
        ({"probs": 0.3}, [True, False], []),
        ({"probs": 1e-10}, [], [True, False]),
        ({"probs": 0.5}, [True], []),
        ({"logits": 0.0}, [True, False], []),
        ({"logits": 2.5}, [True, False], []),
        ({"logits": 40.0}, [], [True, False]),
        ({"logits": -800.0}, [], [True, False]),
        ({"logits": 1e-10}, [], [True]),
    ]),
    "Dirichlet": (dirichlet, [
        ({"concentration": [1.0, 1.0, 1.0]}, [[0.2, 0.3, 0.5]], []),
        ({"concentration": [2.0, 3.5]}, [[0.3, 0.7], [0.9, 0.1]], []),
        ({"concentration": [0.5, 2.0, 3.5]}, [[0.1, 0.3, 0.6], [0.6, 0.3, 0.1]], []),
        ({"concentration": [0.3, 0.3, 0.3, 0.3, 0.3]}, [[0.05, 0.15, 0.5, 0.25, 0.05]], []),
        ({"concentration": [1.5, 10.0, 25.0]}, [[0.05, 0.3, 0.65], [0.2, 0.2, 0.6]], []),
        ({"concentration": [12.0, 0.7, 31.5, 3.0]}, [[0.25, 0.02, 0.6, 0.13]], []),
        ({"concentration": [2.5]}, [[1.0]], []),
        ({"concentration": [1e3, 1e3, 1e3]}, [], [[0.33, 0.33, 0.34], [0.3, 0.35, 0.35],
                                                    [1 / 3, 1 / 3, 1 / 3]]),
        ({"concentration": [1e4, 2.0, 5e3]}, [], [[0.66, 1e-4, 0.3399], [0.6, 0.01, 0.39]]),
        ({"concentration": [1e-3, 1e-3, 1.0]}, [], [[1e-200, 1e-100, 1.0], [0.5, 0.25, 0.25]]),
        ({"concentration": [0.5, 0.5]}, [], [[1e-300, 1.0]]),
        ({"concentration": [1e6, 2e6]}, [], [[1 / 3, 2 / 3], [0.3334, 0.6666]]),
        ({"concentration": [1.0, 50.0, 1.0]}, [], [[0.0, 0.98, 0.02]]),
        ({"concentration": [0.1] * 20}, [], [[0.05] * 20]),
    ]),
    "Multinomial": (multinomial, [
        ({"total_count": 4, "probs": [0.2, 0.3, 0.5]}, [[1, 1, 2], [0, 0, 4], [4, 0, 0]], []),
        ({"total_count": 10, "probs": [0.1, 0.2, 0.7]}, [[1, 2, 7], [3, 3, 4]], []),
        ({"total_count": 20, "logits": [0.5, -1.0, 2.0, 0.0]}, [[3, 1, 14, 2], [5, 5, 5, 5]], []),
        ({"total_count": 1, "probs": [0.25, 0.25, 0.25, 0.25]}, [[0, 1, 0, 0]], []),
        ({"total_count": 37, "probs": [0.5, 0.5]}, [[18, 19]], []),
        ({"total_count": 1000000, "probs": [0.2, 0.3, 0.5]}, [],
         [[200000, 300000, 500000], [199000, 301000, 500000], [0, 0, 1000000]]),
        ({"total_count": 1000000, "probs": [0.1, 0.2, 0.7]}, [], [[100000, 200000, 700000]]),
        ({"total_count": 1000000000000, "probs": [0.25, 0.25, 0.5]}, [],
         [[250000000000, 250001000000, 499999000000]]),
        ({"total_count": 1000000, "logits": [0.3, -0.2, 1.1]}, [], [[250000, 150000, 600000]]),
        ({"total_count": 1000, "probs": [1e-10, 0.9999999999]}, [], [[0, 1000], [5, 995]]),
        ({"total_count": 50, "logits": [-800.0, 0.0, 800.0]}, [], [[0, 0, 50], [1, 0, 49]]),
        ({"total_count": 50, "probs": [0.0, 0.5, 0.5]}, [], [[0, 25, 25]]),
        ({"total_count": 0, "probs": [0.3, 0.7]}, [], [[0, 0]]),
        ({"total_count": 100, "probs": [0.3333333, 0.3333333, 0.3333334]}, [], [[33, 33, 34]]),
    ]),
    "LKJCholesky": (lkj_cholesky, [
        ({"dimension": 2, "concentration": 1.0}, [correlation_cholesky(2, [0.3])], []),
        ({"dimension": 2, "concentration": 3.0}, [correlation_cholesky(2, [0.6]),
                                                  correlation_cholesky(2, [-0.95])], []),
        ({"dimension": 3, "concentration": 1.0}, [correlation_cholesky(3, [0.2, -0.4, 0.5])], []),
        ({"dimension": 3, "concentration": 0.5}, [correlation_cholesky(3, [0.9, 0.1, -0.8])], []),
        ({"dimension": 3, "concentration": 2.5}, [correlation_cholesky(3, [-0.3, 0.3, 0.0])], []),
        ({"dimension": 4, "concentration": 1.5},
         [correlation_cholesky(4, [0.1, -0.2, 0.3, 0.4, -0.5, 0.6])], []),
        ({"dimension": 5, "concentration": 0.8},
         [correlation_cholesky(5, [0.1 * (-1) ** k * (k % 4) for k in range(10)])], []),
        ({"dimension": 2, "concentration": 1.0}, [], [correlation_cholesky(2, [0.0])]),
        ({"dimension": 3, "concentration": 1e4}, [], [correlation_cholesky(3, [0.01, -0.005, 0.008]),
                                                      correlation_cholesky(3, [0.05, 0.02, -0.03])]),
        ({"dimension": 3, "concentration": 1e6}, [], [correlation_cholesky(3, [1e-3, 0.0, -2e-3])]),
        ({"dimension": 2, "concentration": 1e-3}, [], [correlation_cholesky(2, [0.999999]),
                                                       correlation_cholesky(2, [0.1])]),
        ({"dimension": 4, "concentration": 0.2}, [], [correlation_cholesky(4, [0.99, 0.5, -0.99, 0.3, 0.2, 0.999])]),
        ({"dimension": 10, "concentration": 1.0},
         [], [correlation_cholesky(10, [0.05 * ((k * 7) % 11 - 5) for k in range(45)])]),
        ({"dimension": 8, "concentration": 100.0},
         [], [correlation_cholesky(8, [0.01 * ((k * 3) % 7 - 3) for k in range(28)])]),
    ]),
    "ProjectedNormal": (projected_normal, [
        ({"concentration": [0.0, 0.0]}, [[0.6, 0.8]], []),
        ({"concentration": [1.0, 0.5]}, [[0.6, 0.8], [-0.6, -0.8], [1.0, 0.0], [0.0, -1.0]], []),
        ({"concentration": [3.0, -4.0]}, [[0.6, -0.8], [0.8, 0.6], [-0.6, 0.8]], []),
        ({"concentration": [0.0, 0.0, 0.0]}, [[0.0, 0.0, 1.0]], []),
        ({"concentration": [1.0, 2.0, 2.0]}, [[1 / 3, 2 / 3, 2 / 3], [-2 / 3, 1 / 3, 2 / 3],
                                             [0.0, 0.0, -1.0]], []),
        ({"concentration": [0.5, -0.3, 0.1]}, [[0.48, 0.64, 0.6], [0.0, -0.6, 0.8]], []),
        ({"concentration": [30.0, 40.0]}, [], [[0.6, 0.8], [-0.6, -0.8], [0.8, -0.6]]),
        ({"concentration": [1e3, 0.0]}, [], [[1.0, 0.0], [math.cos(0.01), math.sin(0.01)]]),
        ({"concentration": [2.0000001, 0.0]}, [], [[-1.0, 0.0]]),
        ({"concentration": [1.9999999, 0.0, 0.0]}, [], [[-1.0, 0.0, 0.0]]),
        ({"concentration": [10.0, 0.0]}, [], [[-1.0, 0.0], [-0.6, 0.8]]),
        ({"concentration": [0.0, 10.0, 0.0]}, [], [[0.0, -1.0, 0.0], [0.6, -0.8, 0.0]]),
        ({"concentration": [-100.0, 0.0, 0.0]}, [], [[1.0, 0.0, 0.0]]),
        ({"concentration": [0.0, 0.0, 1e-8]}, [], [[0.0, 0.6, 0.8]]),
        ({"concentration": [5.0, 5.0, 5.0]}, [], [[-1 / math.sqrt(3)] * 3, [1 / math.sqrt(3)] * 3]),
    ]),
    "Poisson": (poisson, [
        ({"rate": 3.5}, [0, 1, 3, 10], [60]),
        ({"rate": 0.1}, [0, 2], []),
        ({"rate": 1e6}, [], [1000000, 999000, 1001000]),
        ({"rate": 1e-10}, [], [0, 1, 5]),
        ({"rate": 1e12}, [], [1000000000000]),
        ({"rate": 5.0}, [], [200]),
    ]),
}

NORMALS = [{"family": "Normal", "loc": -2.0, "scale": 1.0}, {"family": "Normal", "loc": 3.0, "scale": 0.5}]
CASES["Mixture"] = (mixture, [
    ({"weights": [0.3, 0.7], "components": NORMALS}, [-2.0, 0.0, 1.0, 3.2], [-60.0, 40.0, 1e4]),
    ({"logits": [0.5, -1.0], "components": NORMALS}, [0.3, -1.5], []),
    ({"weights": [0.2, 0.5, 0.3], "components": [
        {"family": "Normal", "loc": 0.0, "scale": 1.0}, {"family": "Normal", "loc": 0.5, "scale": 1e-3},
        {"family": "Normal", "loc": -4.0, "scale": 10.0}]}, [0.5, 0.49, -3.0], [0.5001, 300.0]),
    ({"weights": [0.0, 1.0], "components": NORMALS}, [2.0], []),
    ({"weights": [0.6, 0.4], "components": [
        {"family": "Gamma", "concentration": 2.0, "rate": 1.0},
        {"family": "Gamma", "concentration": 50.0, "rate": 5.0}]}, [0.5, 9.0, 12.0], [1e-300, 200.0]),
    ({"logits": [-800.0, 0.0], "components": [
        {"family": "Poisson", "rate": 0.5}, {"family": "Poisson", "rate": 20.0}]}, [], [0, 25]),
    ({"weights": [0.25, 0.75], "components": [
        {"family": "Poisson", "rate": 0.5}, {"family": "Poisson", "rate": 20.0}]}, [0, 1, 18, 40], []),
])

# Cross-checks with scipy (only where scipy's formula is accurate enough to be a useful check).
SCIPY = {
    "Normal": lambda p, x: stats.norm.logpdf(x, p["loc"], p["scale"]),
    "HalfNormal": lambda p, x: stats.halfnorm.logpdf(x, scale=p["scale"]),
    "Cauchy": lambda p, x: stats.cauchy.logpdf(x, p["loc"], p["scale"]),
    "HalfCauchy": lambda p, x: stats.halfcauchy.logpdf(x, scale=p["scale"]),
    "StudentT": lambda p, x: stats.t.logpdf(x, p["df"], p["loc"], p["scale"]),
    "Exponential": lambda p, x: stats.expon.logpdf(x, scale=1 / p["rate"]),
    "Gamma": lambda p, x: stats.gamma.logpdf(x, p["concentration"], scale=1 / p["rate"]),
    "LogNormal": lambda p, x: stats.lognorm.logpdf(x, p["scale"], scale=math.exp(p["loc"])),
    "Beta": lambda p, x: stats.beta.logpdf(x, p["concentration1"], p["concentration0"]),
    "Uniform": lambda p, x: stats.uniform.logpdf(x, p["low"], p["high"] - p["low"]),
    "VonMises": lambda p, x: stats.vonmises.logpdf(x, p["concentration"], loc=p["loc"]),
    "Poisson": lambda p, k: stats.poisson.logpmf(k, p["rate"]),
    "Multinomial": lambda p, x: stats.multinomial.logpmf(
        x, p["total_count"], [float(v) for v in normalized_probs(p)]),
    "Dirichlet": lambda p, x: stats.dirichlet.logpdf(x, p["concentration"]) if min(x) > 0
    else float("nan"),
    "Laplace": lambda p, x: stats.laplace.logpdf(x, p["loc"], p["scale"]),
    "Logistic": lambda p, x: stats.logistic.logpdf(x, p["loc"], p["scale"]),
    "Gumbel": lambda p, x: stats.gumbel_r.logpdf(x, p["loc"], p["scale"]),
    "InverseGamma": lambda p, x: stats.invgamma.logpdf(x, p["concentration"], scale=p["rate"]),
    "Weibull": lambda p, x: stats.weibull_min.logpdf(x, p["concentration"], scale=p["scale"]),
    "Pareto": lambda p, x: stats.pareto.logpdf(x, p["alpha"], scale=p["scale"]),
    "Chi2": lambda p, x: stats.chi2.logpdf(x, p["df"]),
    "Binomial": lambda p, k: stats.binom.logpmf(k, p["total_count"], p["probs"]) if "probs" in p
    else stats.binom.logpmf(k, p["total_count"], sp.expit(p["logits"])),
    "BetaBinomial": lambda p, k: stats.betabinom.logpmf(k, p["total_count"], p["concentration1"],
                                                        p["concentration0"]),
    "NegativeBinomial2": lambda p, k: stats.nbinom.logpmf(
        k, p["concentration"], p["concentration"] / (p["concentration"] + p["mean"])),
    "Geometric": lambda p, k: stats.geom.logpmf(k + 1, p["probs"] if "probs" in p else sp.expit(p["logits"])),
    "SkewNormal": lambda p, x: stats.skewnorm.logpdf(x, p["skewness"], p["loc"], p["scale"]),
    "TruncatedNormal": lambda p, x: stats.truncnorm.logpdf(
        x, (p.get("low", -np.inf) - p["loc"]) / p["scale"],
        (p.get("high", np.inf) - p["loc"]) / p["scale"], p["loc"], p["scale"]),
}


def mixture_scipy(p, x):
    if "weights" in p:
        log_weights = np.log(np.array(p["weights"]) / sum(p["weights"]))
    else:
        log_weights = np.array(p["logits"]) - sp.logsumexp(p["logits"])
    terms = [lw + SCIPY[c["family"]]({k: v for k, v in c.items() if k != "family"}, x)
             for lw, c in zip(log_weights, p["components"])]
    return sp.logsumexp(terms)


SCIPY["Mixture"] = mixture_scipy


def log_prob_cases():
    out = []
    worst = {}
    for name, (density, groups) in CASES.items():
        for params, typical, tail in groups:
            for cls, xs in (("typical", typical), ("tail", tail)):
                for x in xs:
                    v = f(density(params, x))
                    assert math.isfinite(v), (name, params, x)
                    out.append({"distribution": name, "params": params, "x": x,
                                "log_prob": v, "class": cls})
                    if name in SCIPY:
                        with np.errstate(all="ignore"):
                            s = float(SCIPY[name](params, x))
                        if not math.isfinite(s):
                            continue  # scipy's density underflowed before its log was taken
                        err = abs(s - v) / max(1.0, abs(v))
                        if err > worst.get(name, (0,))[0]:
                            worst[name] = (err, params, x)
    print("largest scipy discrepancy per distribution (mpmath is the reference):")
    for name, (err, params, x) in worst.items():
        print(f"  {name:12s} {err:.1e} at {params} x={x}")
    return out


# --- CDFs, to validate the CDFs the Kolmogorov-Smirnov tests compare draws with -------------


def von_mises_cdf(p, x):
    k, mu = M(p["concentration"]), M(p["loc"])
    g = lambda t: mp.exp(k * (mp.cos(t - mu) - 1))
    # Break the range at the mode (and its images 2 pi away) and at multiples of the peak's width,
    # so that the quadrature never has to find a narrow peak inside one interval.
    mode = mu - 2 * mp.pi * mp.floor((mu + mp.pi) / (2 * mp.pi))
    width = 1 / mp.sqrt(k) if k > 1 else mp.mpf(1)
    breaks = [c + j * width for c in (mode - 2 * mp.pi, mode, mode + 2 * mp.pi) for j in range(-12, 13)]

    def integral(lo, hi):
        return mp.quad(g, [lo] + sorted(b for b in breaks if lo < b < hi) + [hi])

    return integral(-mp.pi, M(x)) / integral(-mp.pi, mp.pi)


CDF_CASES = [
    ("VonMises", von_mises_cdf, {"loc": 0.0, "concentration": 0.5}, [-3.0, -1.0, 0.0, 2.0]),
    ("VonMises", von_mises_cdf, {"loc": 3.0, "concentration": 4.0}, [-3.0, -2.0, 0.0, 2.9, 3.1]),
    ("VonMises", von_mises_cdf, {"loc": -3.1, "concentration": 700.0}, [-3.15 + 0.01, -3.1, -3.05, 3.13]),
    ("VonMises", von_mises_cdf, {"loc": 1.0, "concentration": 1e7}, [0.9995, 1.0, 1.0003]),
    ("Gamma", lambda p, x: mp.gammainc(M(p["concentration"]), 0, M(p["rate"]) * M(x), regularized=True),
     {"concentration": 0.05, "rate": 3.0}, [1e-20, 1e-5, 0.01, 0.5]),
    ("Gamma", lambda p, x: mp.gammainc(M(p["concentration"]), 0, M(p["rate"]) * M(x), regularized=True),
     {"concentration": 1e4, "rate": 0.5}, [19800.0, 20000.0, 20100.0]),
    ("Beta", lambda p, x: mp.betainc(M(p["concentration1"]), M(p["concentration0"]), 0, M(x), regularized=True),
     {"concentration1": 0.05, "concentration0": 0.05}, [1e-10, 0.3, 0.5, 0.999]),
    ("StudentT", lambda p, x: mp.betainc(M(p["df"]) / 2, M(1) / 2, 0, M(p["df"]) / (M(p["df"]) + ((M(x) - M(p["loc"])) / M(p["scale"]))**2), regularized=True) / 2
     if x <= p["loc"] else 1 - mp.betainc(M(p["df"]) / 2, M(1) / 2, 0, M(p["df"]) / (M(p["df"]) + ((M(x) - M(p["loc"])) / M(p["scale"]))**2), regularized=True) / 2,
     {"df": 0.5, "loc": 1.0, "scale": 2.0}, [-1e3, -1.0, 1.0, 2.0, 1e4]),
]


def truncated_normal_cdf(p, x):
    loc, scale = M(p["loc"]), M(p["scale"])
    std = lambda v: None if v is None else (M(v) - loc) / scale
    a, b = std(p.get("low")), std(p.get("high"))
    return normal_mass(a, (M(x) - loc) / scale) / normal_mass(a, b)


def skew_normal_cdf(p, x):
    loc, scale, alpha = M(p["loc"]), M(p["scale"]), M(p["skewness"])
    density = lambda t: 2 * mp.npdf(t) * mp.ncdf(alpha * t)
    z = (M(x) - loc) / scale
    return mp.quad(density, [-mp.inf, min(z, 0), z] if z > 0 else [-mp.inf, z])


TRUNCATED_NORMAL_CDF_CASES = [
    ({"loc": 0.5, "scale": 2.0, "low": -1.0, "high": 3.0}, [-0.5, 0.5, 2.9]),
    ({"loc": 0.0, "scale": 1.0, "low": 30.0}, [30.01, 30.05, 30.2]),
    ({"loc": 1.0, "scale": 1.0, "high": -29.0}, [-29.3, -29.01]),
    ({"loc": 0.0, "scale": 1.0, "low": 5.0, "high": 5.0001}, [5.00001, 5.00009]),
    ({"loc": -1.0, "scale": 0.5, "low": 0.0}, [0.01, 0.3]),
    ({"loc": 2.0, "scale": 3.0, "high": 4.0}, [-5.0, 3.5]),
]
SKEW_NORMAL_CDF_CASES = [
    ({"loc": 1.0, "scale": 2.0, "skewness": 3.0}, [0.0, 1.0, 2.5, 6.0]),
    ({"loc": 0.0, "scale": 1.0, "skewness": -8.0}, [-2.0, -0.3, 0.05]),
    ({"loc": -2.0, "scale": 0.5, "skewness": 0.5}, [-2.5, -1.0]),
]


def cdf_cases():
    out = []
    cases = CDF_CASES + [("TruncatedNormal", truncated_normal_cdf, p, xs) for p, xs in TRUNCATED_NORMAL_CDF_CASES] \
        + [("SkewNormal", skew_normal_cdf, p, xs) for p, xs in SKEW_NORMAL_CDF_CASES]
    for name, cdf, params, xs in cases:
        for x in xs:
            out.append({"distribution": name, "params": params, "x": x, "cdf": f(cdf(params, x))})
    # scipy cross-check of the VonMises and Gamma CDFs
    for c in out:
        p, x = c["params"], c["x"]
        if c["distribution"] == "VonMises" and p["concentration"] < 50:
            # scipy uses a normal approximation from 50 on; below, its series is accurate.
            # scipy's vonmises.cdf is for the unwrapped variable on [loc - pi, loc + pi]
            lo = stats.vonmises.cdf(-math.pi, p["concentration"], loc=p["loc"])
            s = (stats.vonmises.cdf(x, p["concentration"], loc=p["loc"]) - lo) % 1.0
            assert abs(s - c["cdf"]) < 1e-9, (c, s)
        if c["distribution"] == "SkewNormal":
            s = stats.skewnorm.cdf(x, p["skewness"], p["loc"], p["scale"])
            assert abs(s - c["cdf"]) < 1e-9, (c, s)
        if c["distribution"] == "Gamma":
            s = sp.gammainc(p["concentration"], p["rate"] * x)
            assert abs(s - c["cdf"]) < 1e-12, (c, s)
    return out


# --- special functions ------------------------------------------------------------------------

SPECIAL_X = [0.0, 1e-10, 1e-5, 0.1, 0.5, 1.0, 1.999, 2.0, 2.5, 5.0, 7.99, 8.0, 8.01, 10.0, 20.0,
             30.0, 50.0, 100.0, 700.0, 1000.0, 1e4, 1e5, 1e6, -3.0, -30.0]


# erfcx and ln_ndtr: both sides of every branch point (0, 0.5, 12 for erfcx; -1 for ln_ndtr), the
# far tails, and where erfc underflows.
ERFCX_X = [0.0, 1e-300, 1e-10, 0.1, 0.4999, 0.5, 0.84, 0.85, 1.0, 1.25, 2.0, 3.7, 5.0, 8.0, 11.99,
           12.0, 12.01, 15.0, 20.0, 26.0, 27.0, 30.0, 100.0, 1e4, 1e8, 1e150, 1e300,
           -1e-10, -0.3, -1.0, -3.0, -10.0, -26.0]
LN_NDTR_X = [-1e8, -1e4, -300.0, -40.0, -37.5, -20.0, -10.0, -5.0, -2.0, -1.0001, -1.0, -0.9999,
             -0.5, -1e-10, 0.0, 1e-10, 0.5, 1.0, 2.0, 5.0, 8.0, 10.0, 30.0, 40.0]


def erfcx_mp(x):
    x = M(x)
    # mpmath's erfc keeps relative precision in the far tail; at 1e150 and beyond use the
    # asymptotic series, whose first omitted term is far below 1e-60 there.
    if x > 1e100:
        return (1 - 1 / (2 * x * x)) / (x * mp.sqrt(mp.pi))
    return mp.exp(x * x) * mp.erfc(x)


def ln_ndtr_mp(x):
    x = M(x)
    if x > 0:
        # ln(1 - Φ(-x)): Φ(x) itself would round to 1 at 60 digits from x ≈ 16 on.
        return mp.log1p(-mp.erfc(x / mp.sqrt(2)) / 2)
    return mp.log(mp.erfc(-x / mp.sqrt(2)) / 2)


def special_cases():
    i0e = [[x, f(mp.exp(-abs(M(x))) * mp.besseli(0, M(x)))] for x in SPECIAL_X]
    i1e = [[x, f(mp.exp(-abs(M(x))) * mp.besseli(1, M(x)))] for x in SPECIAL_X]
    ln_i0 = [[x, f(mp.log(mp.besseli(0, M(x))))] for x in SPECIAL_X]
    for (x, a), (_, b) in zip(i0e, i1e):
        assert abs(sp.i0e(x) - a) <= 1e-15 * a and abs(sp.i1e(x) - b) <= 1e-15 * abs(b), x
    erfcx = [[x, f(erfcx_mp(x))] for x in ERFCX_X]
    ln_ndtr = [[x, f(ln_ndtr_mp(x))] for x in LN_NDTR_X]
    for x, a in erfcx:
        assert abs(sp.erfcx(x) - a) <= 1e-14 * a, (x, sp.erfcx(x), a)
    for x, a in ln_ndtr:
        # scipy is about 6e-14 off at x = 30, where ln Φ(x) ≈ -Φ(-x)
        assert abs(sp.log_ndtr(x) - a) <= 1e-13 * max(abs(a), 1e-300), (x, sp.log_ndtr(x), a)
    return {"i0e": i0e, "i1e": i1e, "ln_i0": ln_i0, "erfcx": erfcx, "ln_ndtr": ln_ndtr}


def main():
    check_lkj_normalizer()
    data = {"special": special_cases(), "log_prob": log_prob_cases(), "cdf": cdf_cases()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "log_prob.json")
    # One case per line, so that a diff shows which values changed.
    with open(path, "w") as out:
        out.write("{\n")
        for i, (key, value) in enumerate(data.items()):
            items = value.items() if isinstance(value, dict) else None
            out.write(f' "{key}": ' + ("{\n" if items else "[\n"))
            rows = [f'  "{k}": {json.dumps(v, allow_nan=False)}' for k, v in items] if items else \
                [f"  {json.dumps(v, allow_nan=False)}" for v in value]
            out.write(",\n".join(rows))
            out.write("\n }" if items else "\n ]")
            out.write(",\n" if i + 1 < len(data) else "\n")
        out.write("}\n")
    print(f"wrote {len(data['log_prob'])} log_prob cases and {len(data['cdf'])} cdf values to {path}")


if __name__ == "__main__":
    main()
