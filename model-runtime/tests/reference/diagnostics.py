"""Reference values for `model_runtime::diagnostics`, computed by ArviZ.

Writes `diagnostics.json` beside this file: for each case, a fixed array of draws (chains x
draws, from numpy with a fixed seed, rounded to 6 decimals so that the JSON stays small and both
sides read exactly the same doubles) and what ArviZ (and numpy, for quantiles) computes on it.

The algorithms are those of Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021),
"Rank-normalization, folding, and localization: An improved R-hat for assessing convergence of
MCMC", Bayesian Analysis 16(2), as implemented by ArviZ.

Run from the repository root:

    python -m venv /tmp/azvenv && /tmp/azvenv/bin/pip install arviz
    /tmp/azvenv/bin/python model-runtime/tests/reference/diagnostics.py
"""

import json
import math
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy

warnings.filterwarnings("ignore", category=FutureWarning)
import arviz as az  # noqa: E402
from arviz.stats.diagnostics import (  # noqa: E402
    _rhat,
    _split_chains,
    _z_scale,
)

OUT = Path(__file__).with_name("diagnostics.json")

QUANTILE_PROBS = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0]
TAIL_PROBS = [0.05, 0.5, 0.95]
HDI_PROBS = [0.5, 0.9]


def ar1(rng, phi, chains, draws, scale=1.0):
    """Stationary AR(1) chains: x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t."""
    x = np.empty((chains, draws))
    x[:, 0] = rng.standard_normal(chains)
    innovation = math.sqrt(1.0 - phi * phi)
    for t in range(1, draws):
        x[:, t] = phi * x[:, t - 1] + innovation * rng.standard_normal(chains)
    return scale * x


def sticky(rng, chains, draws, accept):
    """A random-walk chain that moves with probability `accept`: long runs of tied draws."""
    x = np.empty((chains, draws))
    x[:, 0] = rng.standard_normal(chains)
    for t in range(1, draws):
        move = rng.random(chains) < accept
        x[:, t] = np.where(move, x[:, t - 1] + rng.standard_normal(chains), x[:, t - 1])
    return x


def cases():
    yield "iid_normal", "independent standard normal draws", ar1(
        np.random.default_rng(1), 0.0, 4, 500
    )
    yield "ar1_phi_0.5", "AR(1) chains, phi = 0.5", ar1(np.random.default_rng(2), 0.5, 4, 500)
    yield "ar1_phi_0.9", "AR(1) chains, phi = 0.9", ar1(np.random.default_rng(3), 0.9, 4, 500)
    yield "ar1_phi_0.99", "AR(1) chains, phi = 0.99 (very slow mixing)", ar1(
        np.random.default_rng(4), 0.99, 4, 500
    )
    yield "ar1_phi_-0.6", "antithetic AR(1) chains, phi = -0.6 (ESS above S)", ar1(
        np.random.default_rng(5), -0.6, 4, 500
    )
    shifted = ar1(np.random.default_rng(6), 0.3, 4, 500) + np.array([[0.0], [0.0], [0.8], [1.5]])
    yield "shifted_means", "AR(1) phi = 0.3 with chain means 0, 0, 0.8, 1.5", shifted
    scales = ar1(np.random.default_rng(7), 0.2, 4, 500) * np.array([[1.0], [1.0], [1.0], [4.0]])
    yield "different_scales", "same mean, one chain four times wider (caught by folding)", scales
    drift = ar1(np.random.default_rng(8), 0.5, 4, 500) + np.linspace(0.0, 2.0, 500)
    yield "within_chain_drift", "every chain drifts upward (caught by splitting)", drift
    yield "cauchy", "independent standard Cauchy draws (heavy tails)", np.random.default_rng(
        9
    ).standard_cauchy((4, 500))
    yield "sticky", "random walk that moves 10% of the time (runs of ties)", sticky(
        np.random.default_rng(10), 4, 500, 0.1
    )
    yield "poisson", "independent Poisson(3) draws (discrete, many ties)", np.random.default_rng(
        11
    ).poisson(3.0, (4, 500)).astype(float)
    # The 5% quantile falls inside the block of draws equal to -0.234, where ArviZ's threshold
    # arithmetic gives -0.23400000000000004 and so counts none of them as below it.
    yield "ties_at_tail_quantile", "iid draws of -1, -0.234, 0.3, 0.9 (ties at the 5% quantile)", (
        np.random.default_rng(14).choice(
            [-1.0, -0.234, 0.3, 0.9], size=(4, 500), p=[0.02, 0.2, 0.5, 0.28]
        )
    )
    yield "odd_draws", "3 chains x 501 draws, AR(1) phi = 0.7 (split drops the middle draw)", ar1(
        np.random.default_rng(12), 0.7, 3, 501
    )
    yield "single_chain", "1 chain x 1000 draws, AR(1) phi = 0.8", ar1(
        np.random.default_rng(13), 0.8, 1, 1000
    )
    yield "constant", "every draw equal", np.full((4, 500), 1.25)


def number(x):
    """A float for JSON; NaN (undefined) becomes null."""
    x = float(x)
    return None if math.isnan(x) else x


def scalar(result):
    """ArviZ's answer for one variable: a bare number for ndarray input, else a Dataset."""
    return number(result["x"].values if hasattr(result, "data_vars") else result)


def expected(draws):
    flat = draws.ravel()
    chains = draws.shape[0]
    out = {
        "mean": number(np.mean(flat)),
        "sd": number(np.std(flat, ddof=1)),
        "median": number(np.median(flat)),
        "quantiles": [[p, number(np.quantile(flat, p))] for p in QUANTILE_PROBS],
        "hdi": [[p, [number(v) for v in az.hdi(flat, hdi_prob=p)]] for p in HDI_PROBS],
        "ess_bulk": scalar(az.ess(draws, method="bulk")),
        "ess_tail": scalar(az.ess(draws, method="tail")),
        "ess_mean": scalar(az.ess(draws, method="mean")),
        "ess_quantile": [
            [p, scalar(az.ess(draws, method="quantile", prob=p))] for p in TAIL_PROBS
        ],
        "mcse_mean": scalar(az.mcse(draws, method="mean")),
        "mcse_quantile": [
            [p, scalar(az.mcse(draws, method="quantile", prob=p))] for p in TAIL_PROBS
        ],
    }
    if chains >= 2:
        out["r_hat"] = scalar(az.rhat(draws, method="rank"))
        out["r_hat_bulk"] = scalar(az.rhat(draws, method="z_scale"))
        out["r_hat_tail"] = scalar(az.rhat(draws, method="folded"))
        table = az.summary(draws, round_to="none", stat_focus="mean")
        row = table.iloc[0]
        out["summary"] = {
            key: number(row[key])
            for key in ["mean", "sd", "mcse_mean", "ess_bulk", "ess_tail", "r_hat"]
        }
    else:
        # ArviZ returns NaN for R-hat of one chain; the library (like Stan and NumPyro) splits
        # the chain in two and computes it. These are ArviZ's own steps without that guard.
        split = _split_chains(draws)
        bulk = _rhat(_z_scale(split))
        tail = _rhat(_z_scale(np.abs(split - np.median(split))))
        out["r_hat_one_chain_unguarded"] = {
            "r_hat": number(max(bulk, tail)),
            "r_hat_bulk": number(bulk),
            "r_hat_tail": number(tail),
        }
    return out


def main():
    records = []
    for name, description, draws in cases():
        draws = np.round(np.asarray(draws, dtype=float), 6)
        records.append(
            {
                "name": name,
                "description": description,
                "draws": draws.tolist(),
                "expected": expected(draws),
            }
        )
    document = {
        "generator": {
            "script": "model-runtime/tests/reference/diagnostics.py",
            "python": platform.python_version(),
            "arviz": az.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "cases": records,
    }
    OUT.write_text(json.dumps(document, allow_nan=False, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(records)} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
