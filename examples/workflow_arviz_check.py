"""Checks the files `examples/workflow.rs` writes against ArviZ (run by hand; CI has no Python).

    cargo run --release --example workflow -- --out target/workflow
    benches/compare/.venv/bin/python examples/workflow_arviz_check.py target/workflow

For each model it loads `<model>/fit.json` with ArviZ 1.x (`az.from_dict`), checks that the
groups ArviZ knows are there, computes `az.loo` and compares elpd_loo, p_loo, its standard
error and every Pareto k with ours (`loo.json`) to 1e-6, checks that plate names arrive as
dimension names, runs `az.summary`, and draws a
posterior predictive check (`plot_ppc_dist`) into `ppc_<model>_arviz.png` when matplotlib is
installed.
"""

import json
import sys
from pathlib import Path

import arviz as az
import numpy as np

TOLERANCE = 1e-6


def load(path):
    """A JSON export as an ArviZ DataTree: every variable as a numpy array, `dims` as dims."""
    data = json.loads(path.read_text())
    dims = data.pop("dims", {})
    groups = {
        group: {name: np.asarray(values, dtype=float) for name, values in variables.items()}
        for group, variables in data.items()
    }
    return az.from_dict(groups, dims=dims, save_warmup=True)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "target/workflow")
    ours = json.loads((out / "loo.json").read_text())
    failures = 0
    for model, expected in ours.items():
        tree = load(out / model / "fit.json")
        groups = sorted(tree.children)
        print(f"{model}: groups {groups}")
        for group in ["posterior", "sample_stats", "log_likelihood", "observed_data",
                      "constant_data", "posterior_predictive", "prior", "prior_predictive",
                      "warmup_posterior", "warmup_sample_stats"]:
            if group not in groups:
                print(f"  missing group {group}")
                failures += 1
        # Plate names reach ArviZ as dimension names.
        for group, name in [("observed_data", "kid_score"), ("constant_data", "mom_iq")]:
            dims = tree[group][name].dims
            if dims != ("children",) and dims[-1:] != ("children",):
                print(f"  {group}/{name} has dims {dims}, not ('children',)")
                failures += 1
        loo = az.loo(tree, pointwise=True)
        worst = max(
            abs(loo.elpd - expected["elpd"]),
            abs(loo.p - expected["p"]),
            abs(loo.se - expected["se"]),
            float(np.max(np.abs(loo.pareto_k.values.ravel() - np.array(expected["k"])))),
            float(np.max(np.abs(loo.elpd_i.values.ravel() - np.array(expected["elpd_i"])))),
        )
        ok = worst <= TOLERANCE
        failures += not ok
        print(f"  az.loo elpd {loo.elpd:.6f} (ours {expected['elpd']:.6f}), p {loo.p:.6f} "
              f"(ours {expected['p']:.6f}); largest difference {worst:.1e}: {'ok' if ok else 'FAIL'}")
        print(az.summary(tree).to_string())
        try:
            import arviz_plots as azp
            import matplotlib

            matplotlib.use("Agg")
            plot = azp.plot_ppc_dist(tree)
            path = out / f"ppc_{model}_arviz.png"
            plot.savefig(path)
            print(f"  wrote {path}")
        except ImportError as e:
            print(f"  no plot ({e.name} is not installed)")
    print("all checks passed" if failures == 0 else f"{failures} checks FAILED")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
