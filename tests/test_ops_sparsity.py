"""2:4 structured sparsity: a numpy compression of real 2:4 weights as brute force, hand-derived
speed-ups on npu-200, and the speed-up regions (Mishra et al., arXiv 2104.08378)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import npucourse as npc
from npucourse.cost import DRAM
from npucourse.ops.sparsity import sparse_2to4, speedup_2to4, weight_ratio

NPU = npc.hardware.get("npu-200")


def compress_2to4(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep the 2 largest of every 4 consecutive values along K; return (values, 2-bit indices)."""
    k, n = w.shape
    groups = w.T.reshape(n, k // 4, 4)
    idx = np.sort(np.argsort(-np.abs(groups), axis=-1)[..., :2], axis=-1)
    vals = np.take_along_axis(groups, idx, axis=-1)
    return vals, idx


def test_compressed_weights_and_macs_by_brute_force():
    rng = np.random.default_rng(0)
    m, n, k = 8, 12, 16
    w = rng.standard_normal((k, n)).astype(np.float16)
    x = rng.standard_normal((m, k)).astype(np.float16)
    vals, idx = compress_2to4(w)
    value_bytes = vals.nbytes                      # fp16 kept values
    meta_bytes = idx.size * 2 / 8                  # 2 bits per kept value
    # sparse product, counting MACs over the kept values only
    macs = 0
    y = np.zeros((m, n))
    for j in range(n):
        for g in range(k // 4):
            for t in range(2):
                kk = 4 * g + idx[j, g, t]
                y[:, j] += x[:, kk].astype(float) * float(vals[j, g, t])
                macs += m
    pruned = np.zeros_like(w, dtype=float)
    for j in range(n):
        for g in range(k // 4):
            pruned[4 * g + idx[j, g], j] = vals[j, g]
    assert np.allclose(y, x.astype(float) @ pruned)
    c = sparse_2to4((m, n, k), "fp16")
    assert c.weight_bytes == value_bytes + meta_bytes == k * n * 2 * 9 / 16
    assert c.macs == macs == m * n * k / 2
    assert c.params == vals.size
    dense = npc.ops.gemm(m, n, k, dtype="fp16")
    assert c.reads[DRAM] == dense.reads[DRAM] - (k * n * 2 - (value_bytes + meta_bytes))
    assert c.writes[DRAM] == dense.writes[DRAM]


def test_weight_ratio_hand_derived():
    assert weight_ratio("fp16") == (16 + 2) / 32 == 9 / 16   # 1/8 metadata on the kept values
    assert weight_ratio("int8") == (8 + 2) / 16 == 5 / 8     # 2/8 on the kept values
    assert weight_ratio("int4") == (4 + 2) / 8


def test_exercise_2_3_gemm_speedup_by_hand():
    # 512×768×256 fp16 on npu-200 (fp16: 100 TFLOP/s, 1 TB/s, ridge 100):
    # dense F = 201,326,592, Q = 1,441,792 B (I = 139.6: compute-bound, 2.013 µs);
    # sparse: weights 393,216 B -> 9/16, Q' = 1,441,792 - 393,216·7/16 = 1,269,760 B (1.270 µs)
    # and F/2 at 100 T = 1.007 µs: memory-bound; S = 2.013/1.270 = 1.5855.
    s = speedup_2to4((512, 768, 256), NPU, "fp16")
    assert s == pytest.approx((201_326_592 / 100e12) / (1_269_760 / 1e12), rel=1e-12)
    assert 1.5 < s < 2  # although I = 1.4·ridge < 2·ridge (the draft's condition for any gain)


def test_memory_bound_gemv_speedup_by_hand():
    # Decoding GEMV 1×4096×4096: Q = (4096 + 4096² + 4096)·s; weights shrink to r.
    n = 4096
    for dt, s, r in (("fp16", 2, 9 / 16), ("int8", 1, 5 / 8)):
        dense_q = (n + n * n + n) * s
        sparse_q = dense_q - n * n * s * (1 - r)
        assert speedup_2to4((1, n, n), NPU, dt) == pytest.approx(dense_q / sparse_q, rel=1e-12)
    # the draft's 1/(0.5 + 0.25) = 1.33 is neither: fp16 gives 1.777, int8 1.600
    assert speedup_2to4((1, n, n), NPU, "fp16") == pytest.approx(1.7771, abs=1e-4)


def test_large_gemm_gets_exactly_two():
    assert speedup_2to4((4096, 4096, 4096), NPU, "fp16") == 2.0


def test_without_sparse_math_only_traffic_shrinks():
    c = sparse_2to4((4096, 4096, 4096), "fp16", sparse_math=False)
    assert c.macs == 4096**3
    assert speedup_2to4((4096, 4096, 4096), NPU, "fp16", sparse_math=False) == 1.0
    assert speedup_2to4((1, 4096, 4096), NPU, "fp16", sparse_math=False) == \
        speedup_2to4((1, 4096, 4096), NPU, "fp16")


def test_conv_weights_compress_too():
    dense = npc.ops.conv2d(64, 128, 56, 56, kernel=3, dtype="int8")
    c = sparse_2to4(dense)
    n_w = 128 * 64 * 9
    assert c.weight_bytes == n_w * 5 / 8
    assert c.reads[DRAM] == dense.reads[DRAM] - n_w * 3 / 8
    assert c.flops == dense.flops / 2


# -- the speed-up formula and its regions -------------------------------------------------------

def f(name):
    return npc.formulas.get(name)


def test_speedup_regions_are_derived():
    assert f("sparse_speedup_memory_bound")(q=0.8) == 1 / 0.8
    assert f("sparse_speedup_mixed")(I=150.0, R=100.0, q=0.8) == 150 / 80
    assert f("sparse_speedup_max")() == 2
    assert f("sparse_full_speedup_intensity")(q=0.8, R=100.0) == 160.0  # I/(2R) = q
    assert f("sparse_traffic_ratio")(w=1.0, b=16, b_m=2) == 9 / 16
    assert f("sparse_intensity")(I=150.0, q=0.75) == 100.0


r_min = 9 / 16  # fp16; any b_m > 0 gives r > 1/2


@given(i=st.floats(1e-3, 1e4), ridge=st.floats(1.0, 1e3), q=st.floats(r_min, 1.0))
def test_speedup_regions_and_conditions(i, ridge, q):
    s = f("sparse_speedup")(I=i, R=ridge, q=q)
    assert 1 - 1e-12 <= s <= 2 + 1e-12
    if i <= ridge:
        assert s == pytest.approx(1 / q, rel=1e-12)
    elif i <= 2 * q * ridge:
        assert s == pytest.approx(i / (q * ridge), rel=1e-12)
    else:
        assert s == pytest.approx(2.0, rel=1e-12)
    # S > 1 exactly when the dense op is compute-bound or the traffic shrinks
    assert (s > 1) == (i > ridge or q < 1)
    # full 2x from I >= 2qR, which is below 2R whenever weights are compressed
    assert (s == pytest.approx(2.0, rel=1e-12)) == (i >= 2 * q * ridge * (1 - 1e-12))


gemm_dims = st.tuples(st.integers(1, 1 << 14), st.integers(1, 1 << 14), st.integers(1, 1 << 14))


@given(dims=gemm_dims, dt=st.sampled_from(["fp16", "int8", "bf16", "int4"]),
       hw=st.sampled_from(["npu-200", "a100-40gb", "jetson-agx-orin", "edge-gpu"]))
def test_speedup_between_one_and_two(dims, dt, hw):
    h = npc.hardware.get(hw)
    if dt not in h.peak:
        dt = "int8"
    s = speedup_2to4(dims, h, dt)
    assert 1.0 <= s <= 2.0
    # and equals the closed form from intensity, ridge and traffic ratio
    dense = npc.ops.gemm(*dims, dtype=dt)
    sparse = sparse_2to4(dense)
    q = sparse.bytes / dense.bytes
    assert s == pytest.approx(f("sparse_speedup")(I=dense.intensity, R=h.ridge_point(dt), q=q), rel=1e-9)
    # without sparse tensor cores the gain is at most the traffic ratio
    assert 1.0 <= speedup_2to4(dims, h, dt, sparse_math=False) <= 1 / weight_ratio(dt) + 1e-12


@given(dims=gemm_dims, dt=st.sampled_from(["fp16", "int8"]))
def test_time_formula_matches_the_analysis(dims, dt):
    dense = npc.ops.gemm(*dims, dtype=dt)
    t = f("sparse_time")(F=dense.flops, P=NPU.peak_ops(dt), B=NPU.bandwidth(DRAM), Q=dense.bytes,
                         Q_w=dense.weight_bytes, b=npc.units.dtype(dt).bits, b_m=2.0)
    assert t == pytest.approx(npc.roofline.analyze(sparse_2to4(dense), NPU, levels="dram").time_s, rel=1e-12)


def test_vectorised_sparse_equals_scalar():
    ms = np.array([1, 16, 256, 4096])
    v = speedup_2to4((ms, 4096, 4096), NPU, "int8")
    for k, m in enumerate(ms):
        assert v[k] == speedup_2to4((int(m), 4096, 4096), NPU, "int8")


def test_bad_input():
    with pytest.raises(ValueError, match="params"):
        sparse_2to4(npc.ops.gemm(8, 8, 8, weights="none"))
    with pytest.raises(ValueError, match="dtype"):
        sparse_2to4(npc.ops.gemm(8, 8, 8, dtype="fp16"), "int8")
    with pytest.raises(ValueError, match="dense"):
        sparse_2to4((8, 8))
    with pytest.raises(ValueError, match="dense"):
        sparse_2to4("gemm")
    with pytest.raises(ValueError, match="sparse_math"):
        sparse_2to4((8, 8, 8), sparse_math=1)
    with pytest.raises(ValueError, match="metadata_bits"):
        sparse_2to4((8, 8, 8), metadata_bits=-2)
    with pytest.raises(ValueError, match="weight_bytes"):
        sparse_2to4(npc.Cost("w", macs=1, flops=2, params=4, weight_bytes=8, reads={DRAM: 4}, dtype="fp16"))
    with pytest.raises(KeyError, match="fp7"):
        sparse_2to4((8, 8, 8), "fp7")
