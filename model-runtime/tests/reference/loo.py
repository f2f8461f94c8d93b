"""Reference values for `model_runtime::diagnostics::{loo, waic, compare}`, computed by ArviZ.

Writes `loo.json` beside this file: for each case, a pointwise log-likelihood array (chains x
draws x observations) and a posterior array (chains x draws x parameters), both from numpy with
a fixed seed and rounded to 6 decimals so that both sides read exactly the same doubles, and
what ArviZ 1.x (`arviz_stats`) computes from them: the relative efficiency `r_eff` it derives
from the posterior, `loo` (elpd, se, p, and per observation elpd_i and Pareto k) and `compare`
with stacking weights. WAIC, which ArviZ 1.x no longer has, is computed here with numpy from its
definition (Vehtari, Gelman and Gabry 2017, eq. 11-12), as the loo R package does.

Run from the repository root (the venv of `benches/compare/setup.sh` has ArviZ):

    benches/compare/.venv/bin/python model-runtime/tests/reference/loo.py
"""

import json
import platform
import warnings
from pathlib import Path

import numpy as np
import arviz as az
import arviz_stats
from arviz_stats.loo.loo_helper import _get_r_eff

warnings.filterwarnings("ignore")


def ar1(rng, chains, draws, phi, size):
    """AR(1) chains of unit marginal variance: (chains, draws, size)."""
    out = np.empty((chains, draws, size))
    out[:, 0] = rng.standard_normal((chains, size))
    for t in range(1, draws):
        out[:, t] = phi * out[:, t - 1] + np.sqrt(1 - phi**2) * rng.standard_normal((chains, size))
    return out


def normal_log_lik(y, mu, sigma):
    return -0.5 * np.log(2 * np.pi) - np.log(sigma) - 0.5 * ((y - mu) / sigma) ** 2


def case(name, rng, chains, draws, n, phi, outliers, model_scale=1.0, reff=None):
    """A normal regression's posterior draws (intercept, slope, log sigma) correlated in time,
    the log-likelihood of `n` observations at each draw, some of them outliers."""
    x = np.linspace(-1, 1, n)
    y = 0.5 + 1.5 * x + 0.3 * rng.standard_normal(n)
    y[:outliers] += np.linspace(0.8, 1.6, outliers)
    noise = ar1(rng, chains, draws, phi, 3)
    intercept = 0.5 + 0.06 * noise[..., 0]
    slope = 1.5 + 0.1 * noise[..., 1]
    sigma = model_scale * 0.3 * np.exp(0.08 * noise[..., 2])
    posterior = np.round(np.stack([intercept, slope, sigma], axis=-1), 6)
    mu = posterior[..., 0:1] + posterior[..., 1:2] * x
    log_lik = np.round(normal_log_lik(y, mu, posterior[..., 2:3]), 6)
    data = az.from_dict(
        {
            "posterior": {"intercept": posterior[..., 0], "slope": posterior[..., 1], "sigma": posterior[..., 2]},
            "log_likelihood": {"y": log_lik},
        }
    )
    r_eff = _get_r_eff(data, chains * draws) if reff is None else reff
    result = az.loo(data, pointwise=True, reff=reff)
    s = chains * draws
    flat = log_lik.reshape(s, n)
    lppd_i = np.log(np.exp(flat - flat.max(0)).mean(0)) + flat.max(0)
    p_waic_i = flat.var(0, ddof=1)
    elpd_waic_i = lppd_i - p_waic_i
    return data, {
        "name": name,
        "log_lik": log_lik.tolist(),
        "posterior": posterior.tolist(),
        "r_eff_given": reff,
        "r_eff": float(r_eff),
        "loo": {
            "elpd": float(result.elpd),
            "se": float(result.se),
            "p": float(result.p),
            "good_k": float(result.good_k),
            "elpd_i": result.elpd_i.values.tolist(),
            "k": result.pareto_k.values.tolist(),
        },
        "waic": {
            "elpd": float(elpd_waic_i.sum()),
            "se": float(np.sqrt(n * elpd_waic_i.var(ddof=1))),
            "p": float(p_waic_i.sum()),
        },
    }


def main():
    rng = np.random.default_rng(20261206)
    cases = []
    trees = {}
    for args in [
        dict(name="ar_0.5_two_outliers", chains=4, draws=150, n=15, phi=0.5, outliers=2),
        dict(name="one_chain", chains=1, draws=300, n=8, phi=0.2, outliers=1),
        dict(name="given_r_eff_0.3", chains=4, draws=100, n=10, phi=0.9, outliers=3, reff=0.3),
        dict(name="narrow_model_many_outliers", chains=4, draws=150, n=15, phi=0.7, outliers=5, model_scale=0.7),
    ]:
        tree, entry = case(rng=rng, **args)
        cases.append(entry)
        trees[args["name"]] = tree
    # Compare the two 4 x 250 draw cases on the same 30 observations.
    compared = az.compare(
        {"wide": trees["ar_0.5_two_outliers"], "narrow": trees["narrow_model_many_outliers"]},
        method="stacking",
        round_to="None",
    )
    comparison = [
        {
            "name": name,
            "rank": int(row["rank"]),
            "elpd": float(row["elpd"]),
            "elpd_diff": float(row["elpd_diff"]),
            "dse": float(row["dse"]),
            "p_worse": None if np.isnan(row["p_worse"]) else float(row["p_worse"]),
            "weight": float(row["weight"]),
        }
        for name, row in compared.iterrows()
    ]
    out = {
        "generated_by": "model-runtime/tests/reference/loo.py",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "arviz": az.__version__,
            "arviz_stats": arviz_stats.__version__,
        },
        "cases": cases,
        "compare": {"models": ["ar_0.5_two_outliers", "narrow_model_many_outliers"], "names": ["wide", "narrow"], "rows": comparison},
    }
    path = Path(__file__).with_name("loo.json")
    path.write_text(json.dumps(out))
    print(f"wrote {path} ({path.stat().st_size} bytes)")
    for c in cases:
        print(c["name"], c["r_eff"], c["loo"]["elpd"], np.round(c["loo"]["k"], 2))
    print(compared)


if __name__ == "__main__":
    main()
