"""Batched GEMM: traffic checked against a schedule simulator that walks the loops of each
dataflow and counts every byte it loads or stores, and against hand arithmetic."""

from __future__ import annotations

import importlib

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import npucourse as npc
from npucourse.formulas.registry import REGISTRY
from npucourse.ops.batched import operand_loads


def formula(name):
    """A registered formula, loading only this topic's definitions module (fast, and independent of
    other topics' definitions)."""
    importlib.import_module("npucourse.formulas.defs.batched_gemm")
    return REGISTRY[name]


def simulate(batch, M, N, K, shared, dataflow, k_tile, s=2.0, s_acc=2.0):
    """Walk the schedule; return (bytes read, bytes written)."""
    reads = writes = 0.0
    k_tile = K if (k_tile is None or dataflow == "output") else k_tile
    passes = [(k0, min(k_tile, K - k0)) for k0 in range(0, K, k_tile)]
    if dataflow == "output":
        for _ in range(batch):  # C_i stays on chip until complete
            reads += (M * K + K * N) * s  # a shared operand is streamed again for every item
            writes += M * N * s
        return reads, writes
    for p, (k0, kt) in enumerate(passes):
        stationary_loaded = False
        for _ in range(batch):
            a_tile, b_tile = M * kt * s, kt * N * s
            if dataflow == "weight":
                if shared == "B":
                    if not stationary_loaded:
                        reads += b_tile
                        stationary_loaded = True
                else:
                    reads += b_tile
                reads += a_tile
            else:  # input-stationary
                if shared == "A":
                    if not stationary_loaded:
                        reads += a_tile
                        stationary_loaded = True
                else:
                    reads += a_tile
                reads += b_tile
            if p > 0:
                reads += M * N * s_acc          # reload partial sums
            if p < len(passes) - 1:
                writes += M * N * s_acc         # spill partial sums
            else:
                writes += M * N * s             # final result
    return reads, writes


@pytest.mark.parametrize("shared", ["B", "A", "none"])
@pytest.mark.parametrize("dataflow", ["weight", "input", "output"])
@pytest.mark.parametrize("k_tile", [None, 8, 13, 32])
def test_traffic_matches_schedule_simulation(shared, dataflow, k_tile):
    b, M, N, K = 5, 6, 10, 32
    c = npc.ops.batched_gemm(b, M, N, K, "fp16", shared, dataflow, k_tile=k_tile, acc_dtype="fp32")
    r, w = simulate(b, M, N, K, shared, dataflow, k_tile, s=2.0, s_acc=4.0)
    assert c.reads["dram"] == r
    assert c.writes["dram"] == w
    assert c.macs == b * M * N * K
    assert c.flops == 2 * b * M * N * K
    assert c.out_shape == (b, M, N)


def test_hand_derived():
    # 4 GEMMs of 8×32 @ 32×16, fp16
    ws = npc.ops.batched_gemm(4, 8, 16, 32, "fp16", shared="B", dataflow="weight")
    assert ws.reads["dram"] == (4 * 8 * 32 + 32 * 16) * 2 == 3072
    assert ws.writes["dram"] == 4 * 8 * 16 * 2 == 1024
    assert ws.params == 32 * 16
    none = npc.ops.batched_gemm(4, 8, 16, 32, "fp16", shared="none", dataflow="weight")
    assert none.reads["dram"] == (4 * 8 * 32 + 4 * 32 * 16) * 2 == 6144
    assert none.params == 0
    # K = 32 in passes of 8: 4 passes, 3 spills and 3 reloads of fp32 partial sums
    sp_ = npc.ops.batched_gemm(4, 8, 16, 32, "fp16", "B", "weight", k_tile=8, acc_dtype="fp32")
    assert sp_.writes["dram"] == 4 * 8 * 16 * (2 + 3 * 4)
    assert sp_.reads["dram"] == 3072 + 4 * 8 * 16 * 3 * 4
    os_ = npc.ops.batched_gemm(4, 8, 16, 32, "fp16", "B", "output", k_tile=8)
    assert os_.writes["dram"] == 1024


def test_reuse_of_a_shared_operand_equals_batch():
    b, M, N, K = 16, 64, 256, 128
    shared = npc.ops.batched_gemm(b, M, N, K, shared="B", dataflow="weight")
    unshared = npc.ops.batched_gemm(b, M, N, K, shared="none", dataflow="weight")
    # B read b times without sharing, once with it: Reuse_B = b
    assert (unshared.bytes - shared.bytes) == (b - 1) * K * N * 2
    assert operand_loads(b, K, "B", "weight").b_loads == 1
    assert operand_loads(b, K, "B", "output").b_loads == b   # not stationary: no reuse
    f = formula("bgemm_shared_reuse")
    assert f(b=b) == b


def test_qkv_projection_is_shared_input_not_shared_weights():
    # Q, K, V projections of one X (L = 512, d = 768): three GEMMs sharing A = X.
    L, d = 512, 768
    qkv = npc.ops.batched_gemm(3, L, d, d, shared="A", dataflow="input", weights="B")
    fused = npc.ops.gemm(L, 3 * d, d)
    assert qkv.bytes == fused.bytes == (L * d + 3 * d * d + 3 * L * d) * 2
    assert qkv.params == fused.params == 3 * d * d
    # weight-stationary cannot reuse X: it is read three times
    ws = npc.ops.batched_gemm(3, L, d, d, shared="A", dataflow="weight", weights="B")
    assert ws.bytes - qkv.bytes == 2 * L * d * 2


def test_large_batch_intensity_limit():
    f = formula("bgemm_intensity_shared_b_limit")
    sym = {i.name: i.symbol for i in f.symbols}
    N_, K_, s_ = sym["N"], sym["K"], sym["s"]
    assert sp.simplify(f.expr - 2 * N_ * K_ / ((K_ + N_) * s_)) == 0
    # 768×768 linear layer, fp16, one token per item (M = 1): limit 2·768·768/(1536·2) = 384
    assert f(N=768, K=768, s=2) == 384
    big = npc.ops.batched_gemm(10**7, 1, 768, 768, shared="B", dataflow="weight")
    assert big.intensity == pytest.approx(384, rel=1e-3)
    # ... with batch 1 the same layer is a GEMV: 2·768²/((768 + 768² + 768)·2) ≈ 1
    one = npc.ops.batched_gemm(1, 1, 768, 768, shared="B", dataflow="weight")
    assert one.intensity == pytest.approx(2 * 768 * 768 / ((2 * 768 + 768 * 768) * 2))


def test_vectorised_batch_sweep():
    c = npc.ops.batched_gemm(np.array([1, 2, 4]), 64, 64, 64, shared="B", dataflow="weight")
    np.testing.assert_array_equal(c.bytes, [(b * 64 * 64 * 2 + 64 * 64) * 2 for b in (1, 2, 4)])
    assert c.out_shape is None


@given(b=st.integers(1, 64), M=st.integers(1, 256), N=st.integers(1, 256), K=st.integers(1, 256),
       kt=st.integers(1, 256))
def test_sharing_and_stationarity_never_add_traffic(b, M, N, K, kt):
    none = npc.ops.batched_gemm(b, M, N, K, shared="none", dataflow="weight", k_tile=kt)
    for shared, df in (("B", "weight"), ("A", "input")):
        c = npc.ops.batched_gemm(b, M, N, K, shared=shared, dataflow=df, k_tile=kt)
        assert c.bytes <= none.bytes
        assert c.macs == none.macs
    os_ = npc.ops.batched_gemm(b, M, N, K, shared="none", dataflow="output", k_tile=kt)
    assert os_.writes["dram"] <= none.writes["dram"]
    assert os_.writes["dram"] == b * M * N * 2
    # weight-stationary writes C once per pass over K (n_k − 1 spills + the final write)
    assert none.writes["dram"] == b * M * N * 2 * math.ceil(K / kt)


@pytest.mark.parametrize("kwargs, match", [
    (dict(batch=0), "batch"),
    (dict(M=-1), "M"),
    (dict(N=0), "N"),
    (dict(K=1.5), "K"),
    (dict(shared="C"), "shared"),
    (dict(dataflow="row"), "dataflow"),
    (dict(k_tile=0), "k_tile"),
    (dict(dataflow="output", k_tile=-2), "k_tile"),
    (dict(weights="W"), "weights"),
])
def test_bad_input(kwargs, match):
    args = dict(batch=2, M=4, N=4, K=4)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        npc.ops.batched_gemm(**args)


def test_unknown_dtype():
    with pytest.raises(KeyError, match="fp12"):
        npc.ops.batched_gemm(2, 4, 4, 4, dtype="fp12")
    with pytest.raises(KeyError, match="int24"):
        npc.ops.batched_gemm(2, 4, 4, 4, acc_dtype="int24")
