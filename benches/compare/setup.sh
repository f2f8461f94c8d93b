#!/usr/bin/env bash
# Creates benches/compare/.venv with NumPyro, JAX, ArviZ, nutpie and PyMC (numba comes with
# them). Idempotent: an existing venv is reused and pip only installs what is missing.
#
#   bash benches/compare/setup.sh            # create or update the venv
#   PYTHON=/path/to/python3 bash benches/compare/setup.sh
#   WITH_PYSTAN=1 bash benches/compare/setup.sh   # also try PyStan (optional, unused by run.py)
#
# nutpie 0.16.9 and later need Python 3.12 or newer, so a 3.12 interpreter is preferred:
# $PYTHON if set, else pyenv's 3.12.1, else python3.12 on PATH, else python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"

if [[ -z "${PYTHON:-}" ]]; then
    for candidate in /root/.pyenv/versions/3.12.1/bin/python3 "$(command -v python3.12 || true)" \
        "$(command -v python3 || true)"; do
        if [[ -n "$candidate" && -x "$candidate" ]]; then
            PYTHON="$candidate"
            break
        fi
    done
fi
if [[ -z "${PYTHON:-}" ]]; then
    echo "setup.sh: no python3 found; set PYTHON=/path/to/python3" >&2
    exit 1
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv with $("$PYTHON" --version 2>&1) ($PYTHON)"
    "$PYTHON" -m venv "$venv"
fi
py="$venv/bin/python"
"$py" -m pip install --quiet --upgrade pip

# The comparison's own stack. A failure of the nutpie/PyMC half must not stop NumPyro from
# installing: run.py skips a system whose imports fail, and says so.
"$py" -m pip install --quiet numpyro jax arviz psutil matplotlib
if ! "$py" -m pip install --quiet nutpie pymc; then
    echo "setup.sh: nutpie or pymc failed to install; run.py will skip the nutpie system" >&2
fi
if [[ -n "${WITH_PYSTAN:-}" ]]; then
    "$py" -m pip install --quiet pystan || echo "setup.sh: pystan failed to install (optional)" >&2
fi

"$py" - <<'PY'
import importlib, sys
print("python", sys.version.split()[0])
for name in ["jax", "numpyro", "arviz", "nutpie", "pymc", "numba", "pytensor", "stan"]:
    try:
        module = importlib.import_module(name)
        print(f"{name:9s} {getattr(module, '__version__', '?')}")
    except Exception as error:  # noqa: BLE001 - report any import failure
        print(f"{name:9s} not available ({type(error).__name__}: {error})")
PY
