#!/usr/bin/env bash
# Builds the Python package (python/, PyO3 + rust-numpy, by maturin) and runs
# its pytest suite against numpy.einsum, in a virtual environment of its own
# (target/py-venv): a fresh machine needs only Rust, Python 3 with pip and
# venv, and a C compiler. Pass pytest arguments through, e.g. `-k errors`.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
venv="$root/target/py-venv"
# The extension's own build directory: its release profile and lockfile
# differ from the workspace's.
export CARGO_TARGET_DIR="${EINSUM_PY_TARGET_DIR:-$root/target/python}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check maturin numpy pytest

wheels="$CARGO_TARGET_DIR/wheels"
rm -rf "$wheels"
"$venv/bin/maturin" build --release --quiet -m python/Cargo.toml -i "$venv/bin/python" -o "$wheels"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/*.whl

# From outside python/, so that the installed package is the one imported.
cd "$root/target"
"$venv/bin/python" -m pytest -q "$root/python/tests" "$@"
