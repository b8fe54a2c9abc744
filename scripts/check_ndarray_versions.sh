#!/usr/bin/env bash
# Builds and tests a user crate on each older ndarray einsum-static supports
# (tests/ndarray-compat/v0.15, v0.16: each lockfile pins that version for
# einsum-static too). The main workspace tests the newest (0.17).
set -euo pipefail
cd "$(dirname "$0")/.."
for crate in tests/ndarray-compat/v0.15 tests/ndarray-compat/v0.16; do
    echo "== $crate"
    (cd "$crate" && CARGO_TARGET_DIR="$PWD/../../../target/ndarray-compat" cargo test --locked)
done
