"""What the Python workers share: the data of each model, read from the repository's `data/`
and prepared exactly as `examples/compare.rs` prepares it, the command line, the ESS and the
JSON line each worker prints.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"

# The order is the one of `MODELS` in examples/compare.rs.
MODELS = [
    "logistic",
    "hier",
    "eight_schools",
    "kidscore_momiq",
    "log10earn_height",
    "nes",
    "low_dim_gauss_mix",
    "diamonds",
]


def _json(path: Path) -> dict:
    with open(path) as f:
        return json.load(f)


def _pdb(name: str) -> dict:
    return _json(DATA / "posteriordb" / name)


def load(model: str) -> dict[str, np.ndarray]:
    """The arrays of `model`, transformed as in examples/compare.rs (and posteriordb)."""
    f = np.asarray
    if model == "logistic":
        d = _json(DATA / "anchors" / "logistic.json")
        return {"X": f(d["X"], dtype=float), "y": f(d["y"], dtype=np.int64)}
    if model == "hier":
        d = _json(DATA / "anchors" / "hier.json")
        return {
            "x": f(d["x"], dtype=float),
            "y": f(d["y"], dtype=float),
            "group": f(d["group"], dtype=np.int64),
            "J": int(d["J"]),
        }
    if model == "eight_schools":
        d = _pdb("eight_schools-eight_schools_noncentered.data.json")
        return {"y": f(d["y"], dtype=float), "sigma": f(d["sigma"], dtype=float)}
    if model == "kidscore_momiq":
        d = _pdb("kidiq-kidscore_momiq.data.json")
        return {"kid_score": f(d["kid_score"], dtype=float), "mom_iq": f(d["mom_iq"], dtype=float)}
    if model == "log10earn_height":
        d = _pdb("earnings-log10earn_height.data.json")
        height = f(d["height"], dtype=float)
        return {
            "X": np.column_stack([np.ones_like(height), height]),
            "y": np.log10(f(d["earn"], dtype=float)),
        }
    if model == "nes":
        d = _pdb("nes1976-nes.data.json")
        age = f(d["age_discrete"], dtype=float)
        columns = [
            np.ones_like(age),
            f(d["real_ideo"], dtype=float),
            f(d["race_adj"], dtype=float),
            (age == 2).astype(float),
            (age == 3).astype(float),
            (age == 4).astype(float),
            f(d["educ1"], dtype=float),
            f(d["gender"], dtype=float),
            f(d["income"], dtype=float),
        ]
        return {"X": np.column_stack(columns), "y": f(d["partyid7"], dtype=float)}
    if model == "low_dim_gauss_mix":
        d = _pdb("low_dim_gauss_mix-low_dim_gauss_mix.data.json")
        return {"y": f(d["y"], dtype=float)}
    if model == "diamonds":
        # Drop the intercept column and centre the others, as brms's generated code does.
        d = _pdb("diamonds-diamonds.data.json")
        X = f(d["X"], dtype=float)[:, 1:]
        return {"Xc": X - X.mean(axis=0), "y": f(d["Y"], dtype=float)}
    raise SystemExit(f"unknown model `{model}`; the models are: {', '.join(MODELS)}")


def arguments(description: str) -> argparse.Namespace:
    """The worker command line; the same flags as examples/compare.rs."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", required=True, choices=MODELS)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--t0", type=float, default=None, help="Unix time at which the driver started this process")
    p.add_argument("--grad-seconds", type=float, default=0.3, help="time for the gradient micro-benchmark (0 skips it)")
    return p


def since_start(t0: float | None, fallback: float) -> float:
    """Seconds since the driver started the process (or since `fallback`, a time.time())."""
    return time.time() - (t0 if t0 is not None else fallback)


def ess_summary(posterior: dict[str, np.ndarray]) -> dict:
    """Min bulk ESS (ArviZ's rank-normalized split ESS) and max R-hat over every scalar of
    `posterior`, a map from name to an array of shape (chains, draws, *shape)."""
    import arviz as az

    best = (math.inf, "")
    max_r_hat = 0.0
    scalars = 0
    for name, values in posterior.items():
        values = np.asarray(values, dtype=float)
        c, d = values.shape[:2]
        flat = values.reshape(c, d, -1)
        ess = np.atleast_1d(np.asarray(az.ess(flat, method="bulk")))
        r_hat = np.atleast_1d(np.asarray(az.rhat(flat)))
        scalars += flat.shape[2]
        k = int(np.argmin(ess))
        if ess[k] < best[0]:
            label = name if flat.shape[2] == 1 else f"{name}[{k}]"
            best = (float(ess[k]), label)
        max_r_hat = max(max_r_hat, float(np.max(r_hat)))
    return {"min_ess_bulk": best[0], "min_ess_name": best[1], "max_r_hat": max_r_hat, "scalars": scalars}


def median_seconds(run_batch, budget: float) -> float:
    """Median seconds per call over five batches of about budget/5 seconds each; `run_batch(k)`
    makes k calls and returns only when they are done."""
    k = 1
    while True:
        start = time.perf_counter()
        run_batch(k)
        elapsed = time.perf_counter() - start
        if elapsed >= budget / 20 or k >= 1 << 30:
            k = max(1, math.ceil(k * min(1e6, (budget / 5) / max(elapsed, 1e-9))))
            break
        k *= 4
    times = []
    for _ in range(5):
        start = time.perf_counter()
        run_batch(k)
        times.append((time.perf_counter() - start) / k)
    return sorted(times)[2]


def emit(result: dict) -> None:
    """Prints the one JSON line the driver reads (the last line of standard output)."""
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    # `python common.py arviz-ess FILE`: ArviZ's min bulk ESS of draws in `Fit::to_arviz_json`'s
    # format (`{"posterior": {name: [chain][draw]...}}`), to check our own diagnostics.
    import sys

    if len(sys.argv) != 3 or sys.argv[1] != "arviz-ess":
        raise SystemExit("usage: python common.py arviz-ess FILE")
    posterior = _json(Path(sys.argv[2]))["posterior"]
    emit(ess_summary({name: np.asarray(v, dtype=float) for name, v in posterior.items()}))
