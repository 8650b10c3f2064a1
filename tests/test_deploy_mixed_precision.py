"""npc.deploy mixed precision: exact solver vs brute force, greedy, plan checking, inputs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc

P3 = ("fp32", "fp16", "int8")


def brute(t, d, budget):
    """Every assignment; the least latency among those with Σdrop <= budget (same float tolerance)."""
    best = math.inf
    for idx in itertools.product(range(t.shape[1]), repeat=t.shape[0]):
        lat = drop = 0.0
        for i, k in enumerate(idx):
            lat += t[i, k]
            drop += d[i, k]
        if drop <= budget + abs(budget) * 1e-9 + 1e-12:
            best = min(best, lat)
    return best


tables = st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.floats(0, 100), min_size=3, max_size=3), min_size=n, max_size=n),
    st.lists(st.lists(st.floats(0, 1), min_size=3, max_size=3), min_size=n, max_size=n),
    st.floats(0, 3)))


@settings(max_examples=150, deadline=None)
@given(tables)
def test_exact_equals_brute_force(tab):
    t, d, budget = np.array(tab[0]), np.array(tab[1]), tab[2]
    want = brute(t, d, budget)
    if math.isinf(want):
        with pytest.raises(ValueError, match="no assignment fits"):
            npc.deploy.solve_exact(t, d, budget)
        return
    p = npc.deploy.solve_exact(t, d, budget)
    assert p.feasible and p.latency_s == pytest.approx(want, rel=1e-12, abs=1e-12)
    g = npc.deploy.solve_greedy(t, d, budget)
    assert g.feasible and g.latency_s >= want - 1e-9  # a heuristic never beats the optimum
    assert npc.deploy.solve_brute_force(t, d, budget).latency_s == pytest.approx(want, abs=1e-12)
    c = npc.deploy.check_plan(p.assignment, t, d, budget, margin=0.0)
    assert c.feasible and c.within_margin and c.gap == pytest.approx(0.0, abs=1e-12)


def test_greedy_is_suboptimal_by_hand():
    # Layer A: INT8 saves 10 s for drop 1.0 (10 s per point). Layer B: FP16 saves 6 s for 0.3,
    # INT8 saves 9 s for 0.4 (22.5 s per point, the best ratio). Budget 1.0.
    # Greedy takes B->INT8 first (drop 0.4, latency 10 + 1 = 11); A->INT8 would then exceed the budget.
    # Optimum: A->INT8, B stays FP32: latency 0 + 10 = 10 at drop exactly 1.0.
    t = np.array([[10.0, 10.0, 0.0], [10.0, 4.0, 1.0]])
    d = np.array([[0.0, 0.0, 1.0], [0.0, 0.3, 0.4]])
    g = npc.deploy.solve_greedy(t, d, 1.0)
    e = npc.deploy.solve_exact(t, d, 1.0)
    assert g.assignment == ("fp32", "int8") and g.latency_s == 11.0
    assert e.assignment == ("int8", "fp32") and e.latency_s == 10.0 and e.drop == 1.0
    c = npc.deploy.check_plan(g.assignment, t, d, 1.0, margin=0.05)
    assert c.feasible and c.gap == pytest.approx(0.1) and not c.within_margin
    assert npc.deploy.check_plan(g.assignment, t, d, 1.0, margin=0.1).within_margin
    bad = npc.deploy.check_plan(("int8", "int8"), t, d, 1.0)  # drop 1.4 > 1.0
    assert not bad.feasible and not bad.within_margin and bad.latency_s == 1.0


def test_roofline_latencies_memory_bound_scale_with_bytes():
    hw = npc.hardware.get("edge-gpu")
    layers = [lambda dt: npc.ops.gemm(1, 4096, 4096, dtype=dt), lambda dt: npc.ops.gemm(1, 1024, 4096, dtype=dt)]
    t = npc.deploy.roofline_latencies(layers, hw)
    # batch-1 GEMV is memory-bound: time = (K + K·N + N)·s / 25.6 GB/s with s = 4, 2, 1
    for row, n in zip(t, (4096, 1024)):
        want = [(4096 + 4096 * n + n) * s / 25.6e9 for s in (4, 2, 1)]
        np.testing.assert_allclose(row, want, rtol=1e-12)


def test_precision_error_by_hand():
    assert npc.deploy.precision_error(np.ones(3), "fp32") == 0.0
    assert npc.deploy.precision_error([0.5, 1.0, 2.0], "fp16") == 0.0  # exactly representable
    # 1 + 2^-12 rounds to 1 in fp16 (10-bit mantissa): relative error 2^-12 / (1 + 2^-12)
    assert npc.deploy.precision_error([1 + 2**-12], "fp16") == pytest.approx(2**-12 / (1 + 2**-12))
    # int8 symmetric, one channel [-1, 0.5, 1]: s = 1/127.5; codes rint(-127.5) = -128, rint(63.75) = 64,
    # rint(127.5) = 128 -> clamp 127. Values -128 s, 64 s, 127 s.
    w = np.array([[-1.0, 0.5, 1.0]])
    s = 1 / 127.5
    err = np.array([-128 * s + 1, 64 * s - 0.5, 127 * s - 1])
    assert npc.deploy.precision_error(w, "int8") == pytest.approx(np.linalg.norm(err) / np.linalg.norm(w))
    drops = npc.deploy.weight_drops([w, 2 * w], coefficient=10.0)
    assert drops.shape == (2, 3) and drops[0, 0] == 0 and drops[0, 2] == pytest.approx(drops[1, 2])


def test_mixed_precision_bad_inputs():
    t, d = np.ones((2, 3)), np.zeros((2, 3))
    with pytest.raises(ValueError, match="shape"):
        npc.deploy.solve_exact(t, np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match="latency"):
        npc.deploy.solve_exact(-t, d, 1.0)
    with pytest.raises(ValueError, match="budget"):
        npc.deploy.solve_exact(t, d, -1.0)
    with pytest.raises(ValueError, match="precisions"):
        npc.deploy.solve_exact(t, d, 1.0, precisions=("fp32", "fp16"))
    with pytest.raises(ValueError, match="no assignment fits"):
        npc.deploy.solve_greedy(t, np.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match="one precision per layer"):
        npc.deploy.check_plan(("fp32",), t, d, 1.0)
    with pytest.raises(ValueError, match="allowed precisions"):
        npc.deploy.check_plan(("fp32", "fp8"), t, d, 1.0)
    with pytest.raises(ValueError, match="refused"):
        npc.deploy.solve_brute_force(np.ones((13, 3)), np.zeros((13, 3)), 1.0)
    with pytest.raises(ValueError, match="fp16 range"):
        npc.deploy.precision_error([1e6], "fp16")
    with pytest.raises(KeyError, match="fp7"):
        npc.deploy.precision_error([1.0], "fp7")
    with pytest.raises(ValueError, match="not a Cost"):
        npc.deploy.roofline_latencies([lambda dt: 1.0], npc.hardware.get("edge-gpu"))
