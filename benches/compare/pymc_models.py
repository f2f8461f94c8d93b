"""The comparison's models in PyMC, and the nutpie worker: one model, one run, one JSON line.

    .venv/bin/python pymc_models.py --model logistic --chains 4 --warmup 1000 --samples 1000
    .venv/bin/python pymc_models.py --model logistic --nutpie-default-warmup ...

The models have the priors, parameterizations and variable names of examples/compare.rs (the
anchors) and examples/support/posteriordb.rs (the posteriordb models); `common.load` prepares
the data as compare.rs does. nutpie compiles them with its numba backend
(`nutpie.compile_pymc_model`) and samples with its defaults (diagonal mass matrix adapted from
draws and gradients, target acceptance 0.8, max tree depth 10) and `cores=1`, so chains run on
one core. `--nutpie-default-warmup` keeps nutpie's own number of tuning steps (400 in nutpie
0.16) instead of `--warmup`.

nutpie reports no split of its wall time between tuning and sampling: the sampling time is the
wall time of the sampler (compilation and the conversion of the trace to ArviZ excluded) times
the share of leapfrog steps taken after tuning. That assumes a leapfrog step costs the same in
both phases, which holds when the gradient dominates.
"""

from __future__ import annotations

import os
import sys
import time

from common import arguments, emit, ess_summary, load, median_seconds, since_start

START = time.time()


# -- models -------------------------------------------------------------------------------------


def build(name: str):
    """The PyMC model `name` on its data."""
    import numpy as np
    import pymc as pm
    import pytensor.tensor as pt

    d = load(name)
    with pm.Model() as model:
        if name == "logistic":
            alpha = pm.Normal("alpha", 0.0, 5.0)
            beta = pm.Normal("beta", 0.0, 1.0, shape=d["X"].shape[1])
            pm.Bernoulli("y", logit_p=pt.dot(d["X"], beta) + alpha, observed=d["y"])
        elif name == "hier":
            mu_a = pm.Normal("mu_a", 0.0, 10.0)
            sigma_a = pm.HalfNormal("sigma_a", 5.0)
            a_raw = pm.Normal("a_raw", 0.0, 1.0, shape=d["J"])
            b = pm.Normal("b", 0.0, 10.0)
            sigma_y = pm.HalfNormal("sigma_y", 5.0)
            a = mu_a + sigma_a * a_raw
            pm.Normal("y", a[d["group"]] + b * d["x"], sigma_y, observed=d["y"])
        elif name == "eight_schools":
            mu = pm.Normal("mu", 0.0, 5.0)
            tau = pm.HalfCauchy("tau", 5.0)
            theta_trans = pm.Normal("theta_trans", 0.0, 1.0, shape=d["y"].shape[0])
            pm.Normal("y", mu + tau * theta_trans, d["sigma"], observed=d["y"])
        elif name == "kidscore_momiq":
            beta = pm.Flat("beta", shape=2)
            sigma = pm.HalfCauchy("sigma", 2.5)
            pm.Normal("kid_score", beta[0] + beta[1] * d["mom_iq"], sigma, observed=d["kid_score"])
        elif name in ("log10earn_height", "nes"):
            beta = pm.Flat("beta", shape=d["X"].shape[1])
            sigma = pm.HalfFlat("sigma")
            pm.Normal("y", pt.dot(d["X"], beta), sigma, observed=d["y"])
        elif name == "low_dim_gauss_mix":
            # Stan's `ordered[2] mu; mu ~ normal(0, 2)`: PyMC's ordered transform (the same map
            # and Jacobian as Stan's) on independent normals.
            mu = pm.Normal(
                "mu", 0.0, 2.0, shape=2, transform=pm.distributions.transforms.ordered, initval=np.array([-1.0, 1.0])
            )
            sigma = pm.HalfNormal("sigma", 2.0, shape=2)
            theta = pm.Beta("theta", 5.0, 5.0)
            y = d["y"]
            first = pt.log(theta) + pm.logp(pm.Normal.dist(mu[0], sigma[0]), y)
            second = pt.log1p(-theta) + pm.logp(pm.Normal.dist(mu[1], sigma[1]), y)
            pm.Potential("y", pt.logaddexp(first, second).sum())
        elif name == "diamonds":
            b = pm.Normal("b", 0.0, 1.0, shape=d["Xc"].shape[1])
            intercept = pm.StudentT("Intercept", nu=3.0, mu=8.0, sigma=10.0)
            sigma = pm.HalfStudentT("sigma", nu=3.0, sigma=10.0)
            pm.Normal("Y", pt.dot(d["Xc"], b) + intercept, sigma, observed=d["y"])
        else:
            raise SystemExit(f"unknown model `{name}`")
    return model


# -- the worker ---------------------------------------------------------------------------------


def seconds_per_gradient(compiled, budget: float):
    """The log density and gradient at the point with every unconstrained coordinate 0.1, and
    the median time of one call of the compiled numba function nutpie calls, from a numba loop
    (so without Python's call overhead, as nutpie calls it from Rust)."""
    import numba
    import numpy as np

    logp = compiled.compiled_logp_func
    n = compiled.n_dim
    x = np.full(n, 0.1)
    grad = np.zeros(n)
    value = np.zeros(1)
    user_data = compiled.user_data

    @numba.njit
    def repeat(k, x, grad, value, user_data):
        status = 0
        for _ in range(k):
            status |= logp(numba.uint64(x.size), x.ctypes, grad.ctypes, value.ctypes, user_data.ctypes)
        return status

    status = repeat(1, x, grad, value, user_data)
    if status != 0:
        raise RuntimeError(f"nutpie's logp function returned status {status} at the point 0.1")
    at_point = (float(value[0]), float(np.linalg.norm(grad)), sorted(float(g) for g in grad))
    if budget <= 0:
        return at_point, None
    return at_point, 1e6 * median_seconds(lambda k: repeat(k, x, grad, value, user_data), budget)


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument(
        "--nutpie-default-warmup", action="store_true", help="nutpie's own number of tuning steps instead of --warmup"
    )
    args = parser.parse_args()

    import numpy as np
    import nutpie
    import pymc as pm

    model = build(args.model)
    compile_start = time.perf_counter()
    compiled = nutpie.compile_pymc_model(model, backend="numba")
    compile_s = time.perf_counter() - compile_start

    # Time to first draw: from process start (imports included) until one chain with one tuning step
    # has produced its one draw, compilation included.
    nutpie.sample(compiled, draws=1, tune=1, chains=1, cores=1, seed=args.seed, progress_bar=False)
    first_draw = since_start(args.t0, START)

    tune = None if args.nutpie_default_warmup else args.warmup
    sampler = nutpie.sample(
        compiled,
        draws=args.samples,
        tune=tune,
        chains=args.chains,
        cores=1,
        seed=args.seed,
        progress_bar=False,
        blocking=False,
    )
    # Time the sampler up to the end of sampling, not the conversion of its trace to ArviZ
    # (`_extract`, a private method; if it is gone, the conversion is timed too).
    start = time.perf_counter()
    finished = {}
    extract = getattr(sampler, "_extract", None)
    if extract is not None:

        def timed_extract(results):
            finished["t"] = time.perf_counter()
            return extract(results)

        sampler._extract = timed_extract
    trace = sampler.wait()
    total_s = finished.get("t", time.perf_counter()) - start

    stats, warm = trace["sample_stats"], trace["warmup_sample_stats"]
    grads_sampling = int(np.asarray(stats["n_steps"]).sum())
    grads_warmup = int(np.asarray(warm["n_steps"]).sum())
    warmup_draws = int(np.asarray(warm["n_steps"]).shape[1])
    share = grads_sampling / max(1, grads_sampling + grads_warmup)
    posterior = {name: np.asarray(v) for name, v in trace["posterior"].data_vars.items()}
    diagnostics = ess_summary(posterior)
    (log_density, gradient_norm, gradient_sorted), us_per_grad = seconds_per_gradient(compiled, args.grad_seconds)

    emit(
        {
            "system": "nutpie-default" if args.nutpie_default_warmup else "nutpie",
            "model": args.model,
            "chains": args.chains,
            "warmup": warmup_draws,
            "samples": args.samples,
            "seed": args.seed,
            "dim": int(compiled.n_dim),
            "first_draw_s": first_draw,
            "compile_s": compile_s,
            "warmup_s": total_s * (1 - share),
            "sampling_s": total_s * share,
            "sampling_s_estimated": True,
            **diagnostics,
            "grads_warmup": grads_warmup,
            "grads_sampling": grads_sampling,
            "divergences": int(np.asarray(stats["diverging"]).sum()),
            "us_per_grad": us_per_grad,
            "log_density_at_point": log_density,
            "gradient_norm_at_point": gradient_norm,
            "gradient_sorted_at_point": gradient_sorted,
            "precision": "float64",
            "versions": {"nutpie": nutpie.__version__, "pymc": pm.__version__, "python": sys.version.split()[0]},
            "cpu_affinity": sorted(os.sched_getaffinity(0)),
        }
    )


if __name__ == "__main__":
    main()
