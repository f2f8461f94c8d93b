"""The comparison's models in NumPyro, and the NumPyro worker: one model, one run, one JSON line.

    .venv/bin/python numpyro_models.py --model logistic --chains 4 --warmup 1000 --samples 1000

The models have the priors, parameterizations and site names of examples/compare.rs (the
anchors) and examples/support/posteriordb.rs (the posteriordb models); `common.load` prepares
the data as compare.rs does. Float64 unless `--f32`.

Sampling runs NumPyro's own NUTS kernel (`NUTS.init` and `NUTS.sample`, the functions
`MCMC.run` drives) in two `lax.scan` loops, one of `warmup` and one of `samples` transitions,
compiled ahead of time, so the times below exclude JIT compilation. Chains run one after
another, as `chain_method="sequential"` does. `MCMC.run` itself recompiles its loop on every
call (about 2 s here), which is why it is not timed directly.
"""

from __future__ import annotations

import os
import sys
import time

from common import arguments, emit, ess_summary, load, median_seconds, since_start

START = time.time()


# -- models -------------------------------------------------------------------------------------


def _models():
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from numpyro.distributions import constraints

    def flat(name, shape=()):
        return numpyro.sample(name, dist.ImproperUniform(constraints.real, (), shape))

    def flat_positive(name):
        return numpyro.sample(name, dist.ImproperUniform(constraints.positive, (), ()))

    def logistic(X, y):
        alpha = numpyro.sample("alpha", dist.Normal(0.0, 5.0))
        beta = numpyro.sample("beta", dist.Normal(0.0, 1.0).expand([X.shape[1]]).to_event(1))
        numpyro.sample("y", dist.Bernoulli(logits=X @ beta + alpha), obs=y)

    def hier(x, y, group, J):
        mu_a = numpyro.sample("mu_a", dist.Normal(0.0, 10.0))
        sigma_a = numpyro.sample("sigma_a", dist.HalfNormal(5.0))
        a_raw = numpyro.sample("a_raw", dist.Normal(0.0, 1.0).expand([J]).to_event(1))
        b = numpyro.sample("b", dist.Normal(0.0, 10.0))
        sigma_y = numpyro.sample("sigma_y", dist.HalfNormal(5.0))
        a = mu_a + sigma_a * a_raw
        numpyro.sample("y", dist.Normal(a[group] + b * x, sigma_y), obs=y)

    def eight_schools(y, sigma):
        mu = numpyro.sample("mu", dist.Normal(0.0, 5.0))
        tau = numpyro.sample("tau", dist.HalfCauchy(5.0))
        theta_trans = numpyro.sample("theta_trans", dist.Normal(0.0, 1.0).expand([y.shape[0]]).to_event(1))
        numpyro.sample("y", dist.Normal(mu + tau * theta_trans, sigma), obs=y)

    def kidscore_momiq(kid_score, mom_iq):
        beta = flat("beta", (2,))
        sigma = numpyro.sample("sigma", dist.HalfCauchy(2.5))
        numpyro.sample("kid_score", dist.Normal(beta[0] + beta[1] * mom_iq, sigma), obs=kid_score)

    def flat_regression(X, y):
        beta = flat("beta", (X.shape[1],))
        sigma = flat_positive("sigma")
        numpyro.sample("y", dist.Normal(X @ beta, sigma), obs=y)

    def low_dim_gauss_mix(y):
        # Stan's `ordered[2] mu; mu ~ normal(0, 2)`: an improper uniform on ordered vectors
        # (the ordered transform and its Jacobian) plus the normal terms.
        mu = numpyro.sample("mu", dist.ImproperUniform(constraints.ordered_vector, (), (2,)))
        numpyro.factor("mu_prior", dist.Normal(0.0, 2.0).log_prob(mu).sum())
        sigma = numpyro.sample("sigma", dist.HalfNormal(2.0).expand([2]).to_event(1))
        theta = numpyro.sample("theta", dist.Beta(5.0, 5.0))
        first = jnp.log(theta) + dist.Normal(mu[0], sigma[0]).log_prob(y)
        second = jnp.log1p(-theta) + dist.Normal(mu[1], sigma[1]).log_prob(y)
        numpyro.factor("y", jnp.logaddexp(first, second).sum())

    def diamonds(Xc, y):
        b = numpyro.sample("b", dist.Normal(0.0, 1.0).expand([Xc.shape[1]]).to_event(1))
        intercept = numpyro.sample("Intercept", dist.StudentT(3.0, 8.0, 10.0))
        # brms's half Student-t: the Student-t truncated to (0, inf), normalized by 1/2.
        sigma = numpyro.sample("sigma", dist.TruncatedDistribution(dist.StudentT(3.0, 0.0, 10.0), low=0.0))
        numpyro.sample("Y", dist.Normal(Xc @ b + intercept, sigma), obs=y)

    return {
        "logistic": logistic,
        "hier": hier,
        "eight_schools": eight_schools,
        "kidscore_momiq": kidscore_momiq,
        "log10earn_height": flat_regression,
        "nes": flat_regression,
        "low_dim_gauss_mix": low_dim_gauss_mix,
        "diamonds": diamonds,
    }


def model_and_data(name: str, float_type):
    """The model function and its keyword arguments (arrays as `float_type`)."""
    import jax.numpy as jnp

    data = load(name)
    kwargs = {}
    for key, value in data.items():
        if isinstance(value, int):
            kwargs[key] = value  # a size (static)
        elif value.dtype.kind in "iu":
            kwargs[key] = jnp.asarray(value)
        else:
            kwargs[key] = jnp.asarray(value, dtype=float_type)
    return _models()[name], kwargs


# -- the worker ---------------------------------------------------------------------------------


def main() -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--f32", action="store_true", help="single precision (default: float64)")
    args = parser.parse_args()

    import jax

    jax.config.update("jax_enable_x64", not args.f32)
    import jax.numpy as jnp
    import numpy as np
    import numpyro
    from jax import lax, random
    from jax.flatten_util import ravel_pytree
    from numpyro.infer import MCMC, NUTS
    from numpyro.infer.util import initialize_model

    float_type = jnp.float32 if args.f32 else jnp.float64
    model, kwargs = model_and_data(args.model, float_type)

    # Time to first draw: from process start (imports included) until a one-chain MCMC with one
    # warmup step has produced its one draw, JIT compilation included.
    probe = MCMC(NUTS(model), num_warmup=1, num_samples=1, num_chains=1, progress_bar=False)
    probe.run(random.PRNGKey(args.seed), **kwargs)
    jax.block_until_ready(probe.get_samples())
    first_draw = since_start(args.t0, START)

    kernel = NUTS(model, target_accept_prob=0.8, dense_mass=False, max_tree_depth=10)
    keys = random.split(random.PRNGKey(args.seed), args.chains)
    # One unbatched init per chain (a batched init would vmap the kernel); MCMC splits its key
    # per chain the same way.
    states = [kernel.init(keys[c], args.warmup, model_args=(), model_kwargs=kwargs) for c in range(args.chains)]

    def transitions(state, length, keep_draws):
        def step(s, _):
            s = kernel.sample(s, (), kwargs)
            out = (s.num_steps, s.diverging)
            return s, (out + (s.z,) if keep_draws else out)

        return lax.scan(step, state, None, length=length)

    warmup_loop = jax.jit(transitions, static_argnums=(1, 2)).lower(states[0], args.warmup, False).compile()
    sampling_loop = jax.jit(transitions, static_argnums=(1, 2)).lower(states[0], args.samples, True).compile()

    warmup_s = sampling_s = 0.0
    grads_warmup = grads_sampling = divergences = 0
    draws = []
    for c in range(args.chains):
        state = states[c]
        start = time.perf_counter()
        state, (steps, _) = jax.block_until_ready(warmup_loop(state))
        warmup_s += time.perf_counter() - start
        grads_warmup += int(np.sum(steps))
        start = time.perf_counter()
        state, (steps, diverging, z) = jax.block_until_ready(sampling_loop(state))
        sampling_s += time.perf_counter() - start
        grads_sampling += int(np.sum(steps))
        divergences += int(np.sum(diverging))
        draws.append(z)

    # Constrained values (and any deterministic sites), as MCMC.get_samples() gives them.
    postprocess = jax.jit(jax.vmap(kernel.postprocess_fn((), kwargs)))
    per_chain = [postprocess(z) for z in draws]
    posterior = {name: np.stack([np.asarray(p[name]) for p in per_chain]) for name in per_chain[0]}
    diagnostics = ess_summary(posterior)

    # The log density and gradient at the point with every unconstrained coordinate 0.1, and
    # the time of one value-and-gradient inside compiled code (a fori_loop of k calls, each
    # feeding the next so that none can be hoisted).
    info = initialize_model(random.PRNGKey(0), model, model_kwargs=kwargs)
    flat0, unravel = ravel_pytree(info.param_info.z)
    potential = info.potential_fn
    value_and_grad = jax.jit(jax.value_and_grad(lambda x: potential(unravel(x))))
    point = jnp.full(flat0.shape, 0.1, dtype=flat0.dtype)
    value, grad = value_and_grad(point)

    @jax.jit
    def repeat(x, k):
        def body(_, carry):
            x, total = carry
            v, g = jax.value_and_grad(lambda y: potential(unravel(y)))(x)
            return x + 1e-30 * g, total + v

        return lax.fori_loop(0, k, body, (x, jnp.zeros((), x.dtype)))

    us_per_grad = None
    if args.grad_seconds > 0:
        jax.block_until_ready(repeat(point, 1))
        us_per_grad = 1e6 * median_seconds(lambda k: jax.block_until_ready(repeat(point, k)), args.grad_seconds)

    emit(
        {
            "system": "numpyro",
            "model": args.model,
            "chains": args.chains,
            "warmup": args.warmup,
            "samples": args.samples,
            "seed": args.seed,
            "dim": int(flat0.shape[0]),
            "first_draw_s": first_draw,
            "warmup_s": warmup_s,
            "sampling_s": sampling_s,
            **diagnostics,
            "grads_warmup": grads_warmup,
            "grads_sampling": grads_sampling,
            "divergences": divergences,
            "us_per_grad": us_per_grad,
            "log_density_at_point": -float(value),
            "gradient_norm_at_point": float(jnp.linalg.norm(grad)),
            # The gradient of the log density (minus the potential's), sorted.
            "gradient_sorted_at_point": sorted(float(-g) for g in np.asarray(grad)),
            "precision": "float32" if args.f32 else "float64",
            "versions": {"numpyro": numpyro.__version__, "jax": jax.__version__, "python": sys.version.split()[0]},
            "cpu_affinity": sorted(os.sched_getaffinity(0)),
        }
    )


if __name__ == "__main__":
    main()
