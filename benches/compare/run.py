#!/usr/bin/env python3
"""Side-by-side comparison of our NUTS with NumPyro's and nutpie's on the same models and data.

    python3 benches/compare/run.py --setup --reps 3 --models all --systems ours,numpyro,nutpie

Each (repetition, model, system) is one fresh process pinned to one CPU, run in the order
rep -> model -> system (the order of the systems rotates from one repetition to the next), so
slow drifts of the machine hit every system alike. Prints a markdown table of medians (with
min-max over repetitions) and of the ratios ours/other, and writes every run's raw numbers to
benches/compare/results/<date>.json. See README.md beside this file for the definitions.

The driver needs only the standard library; the workers run in benches/compare/.venv (made by
setup.sh, or by `--setup`) and our side is `cargo build --release --example compare`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VENV_PYTHON = HERE / ".venv" / "bin" / "python"
ANCHORS = ["logistic", "hier", "eight_schools"]
POSTERIORDB = ["kidscore_momiq", "log10earn_height", "nes", "low_dim_gauss_mix"]
# diamonds (N = 5000, 26 parameters, strongly correlated) saturates the tree depth with a
# diagonal mass matrix: minutes per run. Ask for it by name.
SLOW = ["diamonds"]
SYSTEMS = ["ours", "ours-gradient", "numpyro", "numpyro-f32", "nutpie", "nutpie-default"]
# Every worker is told to use one thread, on top of being pinned to one CPU.
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "JAX_PLATFORMS": "cpu",
    "PYTHONUNBUFFERED": "1",
}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument(
        "--models",
        default="all",
        help="comma list, or `all` (" + ",".join(ANCHORS + POSTERIORDB) + "), `anchors`, `posteriordb`; "
        "also: " + ",".join(SLOW),
    )
    p.add_argument("--systems", default="ours,numpyro,nutpie,nutpie-default", help="comma list of " + ",".join(SYSTEMS))
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1, help="seed of the first repetition; repetition r uses seed + r")
    p.add_argument("--cpu", default="auto", help="CPU to pin every worker to (`auto`: the last one allowed; `none`)")
    p.add_argument("--grad-seconds", type=float, default=0.3, help="time of each gradient micro-benchmark")
    p.add_argument("--timeout", type=float, default=3600, help="seconds before a run is killed")
    p.add_argument("--setup", action="store_true", help="run setup.sh first (creates or updates the venv)")
    p.add_argument("--no-build", action="store_true", help="do not run cargo build first")
    p.add_argument("--check-ess", action="store_true", help="also compute ArviZ's ESS of our draws")
    p.add_argument("--out", type=Path, default=None, help="results file (default results/<date>.json)")
    return p.parse_args()


def expand_models(spec: str) -> list[str]:
    out: list[str] = []
    for part in spec.split(","):
        part = part.strip()
        if part == "all":
            out += ANCHORS + POSTERIORDB
        elif part == "anchors":
            out += ANCHORS
        elif part == "posteriordb":
            out += POSTERIORDB
        elif part in ANCHORS + POSTERIORDB + SLOW:
            out.append(part)
        elif part:
            raise SystemExit(f"unknown model `{part}`; known: {', '.join(ANCHORS + POSTERIORDB + SLOW)}")
    return list(dict.fromkeys(out))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def our_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return target / "release" / "examples" / "compare"


def available_python_systems() -> dict[str, str | None]:
    """Which Python stacks import in the venv: system -> None if usable, else why not."""
    if not VENV_PYTHON.exists():
        why = f"no venv at {VENV_PYTHON} (run setup.sh or pass --setup)"
        return {"numpyro": why, "nutpie": why}
    out = {}
    for system, modules in {"numpyro": "jax, numpyro, arviz", "nutpie": "nutpie, pymc, numba, arviz"}.items():
        r = subprocess.run(
            [str(VENV_PYTHON), "-c", f"import {modules}"], capture_output=True, text=True, env=worker_env(), check=False
        )
        out[system] = None if r.returncode == 0 else (r.stderr.strip().splitlines() or ["import failed"])[-1]
    return out


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(ONE_THREAD)
    return env


def command(system: str, model: str, args: argparse.Namespace, seed: int, draws_file: str | None) -> list[str]:
    common = [
        "--model", model,
        "--chains", str(args.chains),
        "--warmup", str(args.warmup),
        "--samples", str(args.samples),
        "--seed", str(seed),
        "--grad-seconds", str(args.grad_seconds),
    ]  # fmt: skip
    if system.startswith("ours"):
        cmd = [str(our_binary()), *common]
        if system == "ours-gradient":
            cmd += ["--adaptation", "gradient"]
        if draws_file:
            cmd += ["--draws", draws_file]
        return cmd
    if system.startswith("numpyro"):
        cmd = [str(VENV_PYTHON), str(HERE / "numpyro_models.py"), *common]
        return cmd + (["--f32"] if system == "numpyro-f32" else [])
    cmd = [str(VENV_PYTHON), str(HERE / "pymc_models.py"), *common]
    return cmd + (["--nutpie-default-warmup"] if system == "nutpie-default" else [])


def run_once(cmd: list[str], cpu: int | None, timeout: float) -> dict:
    """Runs one worker; returns its JSON line plus its peak resident memory and wall time."""
    t0 = time.time()
    cmd = [*cmd, "--t0", repr(t0)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        preexec = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=worker_env(), cwd=HERE, preexec_fn=preexec)
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.time() - t0 > timeout and not killed:
                proc.kill()
                killed = True
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.time() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        reason = "timed out" if killed else f"exit code {proc.returncode}"
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        return {"error": f"{reason}: {tail}", "command": shlex.join(cmd)}
    result = json.loads(lines[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    result["process_wall_s"] = wall
    result["command"] = shlex.join(cmd)
    return result


def derive(r: dict) -> dict:
    """The table's figures of one run."""
    ess, sampling, grads = r["min_ess_bulk"], r["sampling_s"], r["grads_sampling"]
    return {
        "ess_per_s": ess / sampling if sampling > 0 else float("nan"),
        "ess_per_s_total": ess / (sampling + r["warmup_s"]) if sampling + r["warmup_s"] > 0 else float("nan"),
        "ess_per_grad": ess / grads if grads > 0 else float("nan"),
        "us_per_grad": r.get("us_per_grad") if r.get("us_per_grad") is not None else float("nan"),
        "us_per_grad_sampling": 1e6 * sampling / grads if grads > 0 else float("nan"),
        "first_draw_s": r["first_draw_s"],
        "peak_rss_mb": r["peak_rss_mb"],
        "min_ess_bulk": ess,
        "divergences": r["divergences"],
    }


# (key, header, format, ratio orientation): ratio ours/other; "higher" means >1 favours ours.
COLUMNS = [
    ("ess_per_s", "ESS/s", "{:.4g}", "higher"),
    ("ess_per_s_total", "ESS/s incl. warmup", "{:.4g}", "higher"),
    ("ess_per_grad", "ESS/grad", "{:.3g}", "higher"),
    ("us_per_grad", "µs/grad", "{:.3g}", "lower"),
    ("us_per_grad_sampling", "µs/grad in sampling", "{:.3g}", "lower"),
    ("first_draw_s", "first draw (s)", "{:.3g}", "lower"),
    ("peak_rss_mb", "peak RSS (MB)", "{:.0f}", "lower"),
]


def cell(values: list[float], fmt: str) -> str:
    values = [v for v in values if v == v]  # drop NaN
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def median_of(runs: list[dict], key: str) -> float:
    values = [derive(r)[key] for r in runs]
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def report(results: list[dict], models: list[str], systems: list[str], header: list[str]) -> str:
    ok = [r for r in results if "error" not in r]
    lines = list(header)
    lines.append("")
    lines.append("Medians over repetitions (min–max in parentheses).")
    lines.append("")
    heads = ["model", "system", "runs", "min bulk ESS", "divergences"] + [c[1] for c in COLUMNS]
    lines.append("| " + " | ".join(heads) + " |")
    lines.append("|" + "---|" * len(heads))
    for model in models:
        for system in systems:
            runs = [r for r in ok if r["model"] == model and r["system"] == system]
            failed = [r for r in results if "error" in r and r["model"] == model and r["system"] == system]
            if not runs:
                if failed:
                    lines.append(f"| {model} | {system} | 0 ({len(failed)} failed) |" + " |" * (len(heads) - 3))
                continue
            d = [derive(r) for r in runs]
            row = [
                model,
                system,
                str(len(runs)) + (f" ({len(failed)} failed)" if failed else ""),
                cell([x["min_ess_bulk"] for x in d], "{:.0f}"),
                cell([x["divergences"] for x in d], "{:.0f}"),
            ]
            row += [cell([x[key] for x in d], fmt) for key, _, fmt, _ in COLUMNS]
            lines.append("| " + " | ".join(row) + " |")
    others = [s for s in systems if s != "ours"]
    if "ours" in systems and others:
        lines.append("")
        lines.append(
            "Ratios ours / other of the medians. ESS/s and ESS/grad: above 1 favours ours. "
            "µs/grad, first draw and peak RSS: below 1 favours ours."
        )
        lines.append("")
        heads = ["model", "vs"] + [c[1] for c in COLUMNS]
        lines.append("| " + " | ".join(heads) + " |")
        lines.append("|" + "---|" * len(heads))
        for model in models:
            mine = [r for r in ok if r["model"] == model and r["system"] == "ours"]
            for other in others:
                theirs = [r for r in ok if r["model"] == model and r["system"] == other]
                if not mine or not theirs:
                    continue
                row = [model, other]
                for key, _, _, _ in COLUMNS:
                    a, b = median_of(mine, key), median_of(theirs, key)
                    row.append(f"{a / b:.3g}" if a == a and b == b and b != 0 else "–")
                lines.append("| " + " | ".join(row) + " |")
    # The same model must have the same log density: compare them at u = 0.1.
    lines.append("")
    for model in models:
        lines += fidelity(model, [r for r in ok if r["model"] == model])
    checks = [r for r in ok if "arviz_min_ess_bulk" in r]
    for r in checks:
        lines.append(
            f"- ESS check, {r['model']} seed {r['seed']}: ours {r['min_ess_bulk']:.2f} ({r['min_ess_name']}), "
            f"ArviZ on our draws {r['arviz_min_ess_bulk']:.2f} ({r['arviz_min_ess_name']})"
        )
    failures = [r for r in results if "error" in r]
    for r in failures:
        lines.append(f"- FAILED {r['model']} / {r['system']} (seed {r['seed']}): {r['error']}")
    return "\n".join(lines)


def fidelity(model: str, runs: list[dict]) -> list[str]:
    """Whether every system computes the same log density and gradient at the point where every
    unconstrained coordinate is 0.1 (gradients compared sorted, since systems order their
    coordinates differently). Relative tolerance 1e-6, 1e-3 for a float32 run."""
    first: dict[str, dict] = {}
    for r in runs:
        first.setdefault(r["system"], r)
    if len(first) < 2:
        return []
    ref_system = "ours" if "ours" in first else next(iter(first))
    ref = first[ref_system]
    lp0, g0 = ref["log_density_at_point"], ref.get("gradient_sorted_at_point")
    same_gradient, offsets = [], []
    for system, r in first.items():
        if system == ref_system:
            continue
        tol = 1e-3 if r.get("precision") == "float32" else 1e-6
        g = r.get("gradient_sorted_at_point")
        if g is None or g0 is None or len(g) != len(g0):
            return [f"- **{model}: {system} has {len(g or [])} coordinates, {ref_system} {len(g0 or [])}**"]
        scale = max(1.0, max(abs(v) for v in g0))
        if any(abs(a - b) > tol * scale for a, b in zip(g, g0)):
            return [f"- **{model}: the gradients of {ref_system} and {system} differ at u = 0.1**"]
        same_gradient.append(system)
        lp = r["log_density_at_point"]
        if abs(lp - lp0) > tol * max(1.0, abs(lp0)):
            offsets.append(f"{system} {lp - lp0:+.6g}")
    text = (
        f"- {model}: gradients at u = 0.1 agree across {ref_system}, {', '.join(same_gradient)} "
        f"(log density {lp0:.10g}"
    )
    if offsets:
        text += f"; other systems' log density differs by a constant: {', '.join(offsets)}"
    return [text + ")"]


def main() -> None:
    args = parse_args()
    models = expand_models(args.models)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    for s in systems:
        if s not in SYSTEMS:
            raise SystemExit(f"unknown system `{s}`; known: {', '.join(SYSTEMS)}")
    invocation = "python3 benches/compare/run.py " + shlex.join(sys.argv[1:])

    if args.setup:
        # Its messages go to stderr so that stdout is the table alone.
        subprocess.run(["bash", str(HERE / "setup.sh")], check=True, stdout=sys.stderr)
    if any(s.startswith("ours") for s in systems) and not args.no_build:
        print("building: cargo build --release --example compare", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release", "--example", "compare"], cwd=REPO, check=True, stdout=sys.stderr)
    skipped = {}
    if any(not s.startswith("ours") for s in systems):
        stacks = available_python_systems()
        for s in systems:
            stack = "numpyro" if s.startswith("numpyro") else "nutpie" if s.startswith("nutpie") else None
            if stack and stacks[stack] is not None:
                skipped[s] = stacks[stack]
                print(f"skipping {s}: {stacks[stack]}", file=sys.stderr)
    systems_run = [s for s in systems if s not in skipped]

    if args.cpu == "none":
        cpu = None
    elif args.cpu == "auto":
        cpu = max(os.sched_getaffinity(0))
    else:
        cpu = int(args.cpu)

    started = datetime.datetime.now()
    results: list[dict] = []
    for rep in range(args.reps):
        seed = args.seed + rep
        order = systems_run[rep % len(systems_run) :] + systems_run[: rep % len(systems_run)] if systems_run else []
        for model in models:
            for system in order:
                draws_file = None
                if system == "ours" and args.check_ess:
                    draws_file = str(Path(tempfile.gettempdir()) / f"compare-draws-{os.getpid()}.json")
                cmd = command(system, model, args, seed, draws_file)
                print(f"rep {rep + 1}/{args.reps} {model} {system} ...", file=sys.stderr, flush=True)
                r = run_once(cmd, cpu, args.timeout)
                r.update({"system": system, "model": model, "rep": rep, "seed": seed})
                if draws_file and "error" not in r:
                    check = subprocess.run(
                        [str(VENV_PYTHON), str(HERE / "common.py"), "arviz-ess", draws_file],
                        capture_output=True, text=True, env=worker_env(), check=False,
                    )  # fmt: skip
                    if check.returncode == 0:
                        arviz = json.loads(check.stdout.strip().splitlines()[-1])
                        r["arviz_min_ess_bulk"] = arviz["min_ess_bulk"]
                        r["arviz_min_ess_name"] = arviz["min_ess_name"]
                    Path(draws_file).unlink(missing_ok=True)
                if "error" in r:
                    print(f"  failed: {r['error']}", file=sys.stderr)
                else:
                    d = derive(r)
                    print(
                        f"  ESS/s {d['ess_per_s']:.4g}, ESS/grad {d['ess_per_grad']:.3g}, "
                        f"µs/grad {d['us_per_grad']:.3g}, first draw {d['first_draw_s']:.3g} s, "
                        f"peak {d['peak_rss_mb']:.0f} MB",
                        file=sys.stderr,
                        flush=True,
                    )
                results.append(r)

    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    versions = {}
    for r in results:
        versions.update(r.get("versions", {}))
    header = [
        f"# NUTS comparison, {started:%Y-%m-%d %H:%M}",
        "",
        f"- command: `{invocation}`",
        f"- CPU: {cpu_model()}; every run pinned to CPU {cpu if cpu is not None else '(not pinned)'}, "
        f"one thread, chains one after another (one core per chain, sequentially)",
        f"- settings: {args.chains} chains x ({args.warmup} warmup + {args.samples} draws), target acceptance 0.8, "
        f"max tree depth 10, diagonal mass matrix, float64 (numpyro-f32: float32); ours-gradient: our sampler with nutpie's "
        f"gradient-based adaptation; nutpie-default: nutpie's own tuning length; {args.reps} repetition(s), seeds {args.seed}..{args.seed + args.reps - 1}",
        f"- versions: {rustc}; " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())),
    ]
    for s, why in skipped.items():
        header.append(f"- skipped {s}: {why}")
    table = report(results, models, systems_run, header)
    print(table)

    out = args.out or HERE / "results" / f"{started:%Y-%m-%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "command": invocation,
                "date": started.isoformat(timespec="seconds"),
                "cpu": cpu_model(),
                "pinned_cpu": cpu,
                "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                "skipped": skipped,
                "rustc": rustc,
                "runs": results,
                "table": table,
            },
            indent=1,
        )
    )
    print(f"\nraw results: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
