"""NumPyro's SVI on the logistic anchor, timed as `examples/svi.rs --speed` times ours.

    .venv/bin/python svi_numpyro.py --steps 5000 --repeats 5

AutoNormal guide, Adam with the rate decaying exponentially from 0.02 by 0.1 over the steps
(as the Rust example), Trace_ELBO with one particle, float64. The loop is `SVI.run`'s body
(`svi.update` under `lax.scan`) compiled once ahead of time, so the times exclude JIT
compilation. Prints one JSON line: steps per second (median and range over the repeats), the
final loss, and the guide's means of alpha and beta[0..3].
"""

from __future__ import annotations

import argparse
import json
import time

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import numpyro  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro.infer import SVI, Trace_ELBO  # noqa: E402
from numpyro.infer.autoguide import AutoNormal  # noqa: E402

from common import load  # noqa: E402


def logistic(X, y):
    alpha = numpyro.sample("alpha", dist.Normal(0.0, 5.0))
    beta = numpyro.sample("beta", dist.Normal(0.0, 1.0).expand([X.shape[1]]).to_event(1))
    numpyro.sample("y", dist.Bernoulli(logits=X @ beta + alpha), obs=y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data = load("logistic")
    X, y = jnp.asarray(data["X"]), jnp.asarray(data["y"])
    steps = args.steps

    def schedule(i):
        return 0.02 * 0.1 ** (i / steps)

    guide = AutoNormal(logistic)
    svi = SVI(logistic, guide, numpyro.optim.Adam(schedule), Trace_ELBO())
    state = svi.init(jax.random.PRNGKey(0), X, y)

    def body(state, _):
        state, loss = svi.update(state, X, y)
        return state, loss

    run = jax.jit(lambda s: jax.lax.scan(body, s, None, length=args.steps)).lower(state).compile()
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        final, losses = run(state)
        losses.block_until_ready()
        rates.append(args.steps / (time.perf_counter() - t0))
    params = svi.get_params(final)
    print(json.dumps({
        "library": "numpyro",
        "steps": args.steps,
        "steps_per_second": float(np.median(rates)),
        "range": [float(min(rates)), float(max(rates))],
        "final_loss": float(losses[-1]),
        "alpha": float(params["alpha_auto_loc"]),
        "beta_0_3": [float(b) for b in params["beta_auto_loc"][:3]],
    }))


if __name__ == "__main__":
    main()
