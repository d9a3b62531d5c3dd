# Sourced by scripts/test and scripts/demo: installs the pinned tools into .tools/venv (once per
# change of tests/requirements.txt) and sets up the environment every build shares.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
REQS="$ROOT/tests/requirements.txt"
STAMP="$TOOLS/venv/.requirements"
if ! cmp -s "$REQS" "$STAMP" 2>/dev/null; then
    echo "pyo3-guard: installing the tools of tests/requirements.txt into .tools/venv ..." >&2
    # Some distributions ship Python without the venv module: fall back to virtualenv from pip.
    if ! python3 -m venv "$TOOLS/venv" 2>/dev/null; then
        python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/virtualenv" virtualenv
        PYTHONPATH="$TOOLS/virtualenv" python3 -m virtualenv --quiet "$TOOLS/venv"
    fi
    "$TOOLS/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
    cp "$REQS" "$STAMP"
fi
export PATH="$TOOLS/venv/bin:$PATH"
# One cargo target dir for every build (cargo, maturin, and uv's own PEP 517 builds), so the
# dependencies compile once; one uv cache that belongs to this checkout.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export UV_CACHE_DIR="${UV_CACHE_DIR:-$TOOLS/uv-cache}"
export UV_NO_PROGRESS=1
unset VIRTUAL_ENV CONDA_PREFIX
