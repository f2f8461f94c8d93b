"""Divergences of nutpie on posteriordb's gp_pois_regr, with its diagonal and its low-rank metric.

Evidence for the choice of our default adaptation (README, "Adaptation"): the low-rank metric
is not our default because on this model it leaves more divergences than Stan's windowed
schedule; this shows what nutpie itself leaves on the same posterior and settings.

    benches/compare/.venv/bin/python benches/compare/gp_pois_regr_nutpie.py

The model is posteriordb's, written in PyMC: `rho ~ Gamma(25, 4)`, `alpha ~ HalfNormal(2)`,
`f_tilde ~ Normal(0, 1)` (N = 11), `f = L f_tilde` with `L` the Cholesky factor of the squared
exponential covariance plus 1e-10 jitter, `k ~ Poisson(exp(f))`. 4 chains of 1000 warmup + 1000
draws, target acceptance 0.8, one core, seeds 1 to 3.
"""

import json
from pathlib import Path

import arviz as az
import numpy as np
import nutpie
import pymc as pm
import pytensor.tensor as pt

DATA = Path(__file__).resolve().parents[2] / "data/posteriordb/gp_pois_regr-gp_pois_regr.data.json"


def min_bulk_ess(posterior, chains, draws):
    worst = np.inf
    for name in ["rho", "alpha", "f_tilde"]:
        values = np.asarray(posterior[name]).reshape(chains, draws, -1)
        for j in range(values.shape[2]):
            worst = min(worst, float(az.ess(values[:, :, j], method="bulk")))
    return worst


def main():
    d = json.loads(DATA.read_text())
    x = np.array(d["x"], float)
    k = np.array(d["k"])
    with pm.Model() as model:
        rho = pm.Gamma("rho", alpha=25, beta=4)
        alpha = pm.HalfNormal("alpha", 2)
        f_tilde = pm.Normal("f_tilde", 0, 1, shape=len(x))
        cov = alpha**2 * pt.exp(-((x[:, None] - x[None, :]) ** 2) / (2 * rho**2))
        chol = pt.linalg.cholesky(cov + 1e-10 * np.eye(len(x)))
        pm.Poisson("k", mu=pt.exp(chol @ f_tilde), observed=k)
    compiled = nutpie.compile_pymc_model(model)
    for low_rank in [False, True]:
        for seed in [1, 2, 3]:
            trace = nutpie.sample(
                compiled,
                chains=4,
                tune=1000,
                draws=1000,
                seed=seed,
                cores=1,
                progress_bar=False,
                low_rank_modified_mass_matrix=low_rank,
            )
            divergences = int(trace.sample_stats.diverging.sum())
            ess = min_bulk_ess(trace.posterior, 4, 1000)
            metric = "low-rank" if low_rank else "diagonal"
            print(f"{metric} seed {seed}: {divergences} divergences, min bulk ESS {ess:.0f}", flush=True)


if __name__ == "__main__":
    main()
