"""Ctrl-C during a long call: SIGINT stops it within a block of work and
raises KeyboardInterrupt, and the package stays usable."""

import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

import einsum_static as es

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="os.kill(SIGINT) does not interrupt on Windows"
)

# Products of 32x16384 by 16384x32, batched over broadcast operands: the
# operands take 8 MiB whatever the batch, the output 8 KiB per product
# (deep enough that seconds of work fit under 512 MiB of output on fast
# machines too).
M, K = 32, 16384


@pytest.fixture(autouse=True)
def python_handles_sigint():
    """Python's own SIGINT handler for each test: a runner started in the
    background (as CI may be) inherits SIGINT ignored, and then no signal
    would reach the call."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def batched(batch, a, b):
    return (
        np.broadcast_to(a, (batch, M, K)),
        np.broadcast_to(b, (batch, K, M)),
    )


def test_ctrl_c_interrupts_a_long_call_and_leaves_the_package_usable():
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((M, K)), rng.standard_normal((K, M))
    # Calibrate: a batch large enough for several seconds on this machine
    # (at least 3 s, the output under 512 MiB).
    probe = 256
    es.einsum("bij,bjk->bik", *batched(probe, a, b))  # warm-up: pools, pages
    start = time.perf_counter()
    es.einsum("bij,bjk->bik", *batched(probe, a, b))
    per_product = (time.perf_counter() - start) / probe
    batch = int(min(max(6.0 / per_product, 1000), (512 << 20) // (8 * M * M)))
    expected_s = batch * per_product
    assert expected_s >= 3.0, f"only {expected_s:.2f} s of work fits the memory bound"

    sent = []

    def interrupt():
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(0.3, interrupt)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            es.einsum("bij,bjk->bik", *batched(batch, a, b))
            # Not reached: were the call to finish first, the signal would
            # be raised here, long after it was sent (caught below).
            time.sleep(10)
    finally:
        timer.cancel()
    caught = time.perf_counter()
    assert sent, "the timer did not fire"
    late = caught - sent[0]
    # Honoured within a block of work: well under a second on a quiet
    # machine; a loaded 2-core CI runner gets 1.5 s.
    assert late < 1.5, f"KeyboardInterrupt came {late:.2f} s after SIGINT"
    assert caught - start < 0.6 * expected_s, "the call was not cut short"

    # Pools, caches and plans still work: the same equation, and another.
    small = es.einsum("bij,bjk->bik", *batched(3, a, b))
    np.testing.assert_allclose(small[2], a @ b, rtol=1e-10, atol=1e-9)
    x = rng.standard_normal((5, 6))
    np.testing.assert_allclose(es.einsum("ij,kj->ik", x, x), x @ x.T, rtol=1e-12)


def test_ctrl_c_into_out_leaves_partial_values_and_out_usable():
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((M, K)), rng.standard_normal((K, M))
    batch = 4000
    out = np.full((batch, M, M), np.nan)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            es.einsum("bij,bjk->bik", *batched(batch, a, b), out=out)
            time.sleep(10)
    finally:
        timer.cancel()
    # Partial: the products not started were left as they were (NaN here),
    # as documented; the array is intact and takes the next call.
    es.einsum("bij,bjk->bik", *batched(2, a, b), out=out[:2])
    np.testing.assert_allclose(out[1], a @ b, rtol=1e-10, atol=1e-9)
