"""Bad input across the core raises ValueError/KeyError naming the parameter; valid random input
never gives NaN, inf or a negative number."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import npucourse as npc
from npucourse.cost import DRAM, Cost
from npucourse.hardware import Hardware, MemLevel
from npucourse.ops.attention import attention, flash_attention
from npucourse.ops.sparsity import sparse_2to4
from npucourse.roofline import analyze, attainable, evaluate, ridge_point, times

gemm, conv2d = npc.ops.gemm, npc.ops.conv2d


# -- sizes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [0, -1, 2.5, float("nan"), float("inf"), "eight", None])
@pytest.mark.parametrize("param", ["M", "N", "K"])
def test_gemm_sizes(param, bad):
    args = dict(M=8, N=8, K=8)
    args[param] = bad
    with pytest.raises(ValueError, match=param):
        gemm(**args)


@pytest.mark.parametrize("bad", [0, -3])
@pytest.mark.parametrize("param", ["c_in", "c_out", "h", "w", "batch", "groups", "kernel", "stride", "dilation"])
def test_conv_sizes(param, bad):
    args = dict(c_in=8, c_out=8, h=16, w=16)
    args[param] = bad
    with pytest.raises(ValueError, match=param):
        conv2d(**args)


def test_conv_negative_padding_and_inconsistent_shapes():
    with pytest.raises(ValueError, match="padding"):
        conv2d(8, 8, 16, 16, padding=-1)
    with pytest.raises(ValueError, match="groups"):
        conv2d(6, 8, 16, 16, groups=4)  # 4 does not divide 6
    with pytest.raises(ValueError, match="kernel"):
        conv2d(8, 8, 2, 2, kernel=5, padding=0)  # kernel larger than the input
    with pytest.raises(ValueError, match="kernel"):
        conv2d(8, 8, 16, 16, kernel=(3, 3, 3))


@pytest.mark.parametrize("bad", [0, -4, 1.5])
@pytest.mark.parametrize("param", ["seq_q", "seq_kv", "d_head", "heads", "batch", "kv_heads"])
@pytest.mark.parametrize("fn", [attention, flash_attention])
def test_attention_sizes(fn, param, bad):
    args = dict(seq_q=16, seq_kv=16, d_head=64, heads=4)
    args[param] = bad
    with pytest.raises(ValueError, match=param):
        fn(**args)


@pytest.mark.parametrize("fn", [attention, flash_attention])
def test_attention_inconsistent_shapes(fn):
    with pytest.raises(ValueError, match="kv_heads"):
        fn(16, 16, 64, heads=6, kv_heads=4)  # 4 K/V heads cannot serve 6 query heads evenly
    with pytest.raises(ValueError, match="seq_q"):
        fn(32, 16, 64, causal=True)  # more queries than keys under a causal mask
    with pytest.raises(ValueError, match="seq_q.*seq_kv"):
        fn(np.array([8, 16]), np.array([8, 16, 32]), 64)  # arrays that do not broadcast


def test_gemm_inconsistent_array_shapes_name_the_parameters():
    with pytest.raises(ValueError, match="M.*N"):
        gemm(np.array([8, 16]), np.array([8, 16, 32]), 8)


@pytest.mark.parametrize("fn,args", [(gemm, ("8", 8, 8)), (attention, ("8", 8, 8))])
def test_numeric_strings_are_rejected(fn, args):
    with pytest.raises(ValueError):
        fn(*args)


# -- names and numbers of devices -------------------------------------------------------------------

def test_unknown_names():
    with pytest.raises(KeyError, match="fp7"):
        gemm(8, 8, 8, dtype="fp7")
    with pytest.raises(KeyError, match="fp7"):
        conv2d(8, 8, 8, 8, dtype="fp7")
    with pytest.raises(KeyError, match="fp7"):
        attention(8, 8, 8, dtype="fp7")
    with pytest.raises(KeyError, match="fp7"):
        flash_attention(8, 8, 8, dtype="fp7")
    with pytest.raises(KeyError, match="npu-300"):
        npc.hardware.get("npu-300")
    with pytest.raises(KeyError, match="fp64"):
        npc.hardware.get("npu-200").peak_ops("fp64")
    with pytest.raises(KeyError, match="l3"):
        npc.hardware.get("npu-200").bandwidth("l3")


@pytest.mark.parametrize("bad", [0.0, -1e12, float("nan"), float("inf")])
def test_bandwidth_and_peak(bad):
    with pytest.raises(ValueError, match="bandwidth"):
        MemLevel(DRAM, bandwidth=bad)
    with pytest.raises(ValueError, match="bandwidth"):
        attainable(10.0, 1e12, bad)
    with pytest.raises(ValueError, match="bandwidth"):
        ridge_point(1e12, bad)
    with pytest.raises(ValueError, match="bandwidth of dram"):
        times(1.0, {DRAM: 1.0}, 1e12, {DRAM: bad})
    with pytest.raises(ValueError, match="bandwidth of dram"):
        evaluate(1.0, {DRAM: 1.0}, 1e12, {DRAM: np.array([1e12, bad])})
    with pytest.raises(ValueError, match="peak"):
        Hardware("x", peak={"fp16": bad}, levels=(MemLevel(DRAM, 1e12),), source="test")
    with pytest.raises(ValueError, match="peak"):
        attainable(10.0, bad, 1e12)


def test_device_and_traffic_shapes():
    with pytest.raises(ValueError, match="dram"):
        Hardware("x", peak={"fp16": 1e12}, levels=(MemLevel("sram", 1e12),), source="test")
    with pytest.raises(ValueError, match="repeat"):
        Hardware("x", peak={"fp16": 1e12}, levels=(MemLevel(DRAM, 1e12), MemLevel(DRAM, 2e12)), source="test")
    with pytest.raises(ValueError, match="bytes at dram"):
        times(1.0, {DRAM: -1.0}, 1e12, {DRAM: 1e12})
    with pytest.raises(ValueError, match="flops"):
        times(-1.0, {DRAM: 1.0}, 1e12, {DRAM: 1e12})
    with pytest.raises(ValueError, match="intensity"):
        attainable(-1.0, 1e12, 1e12)
    with pytest.raises(ValueError, match="sram_bytes"):
        flash_attention(16, 16, 64, sram_bytes=-1)


# -- fuzz: valid input never gives NaN, inf or negative numbers ---------------------------------------

def finite_nonneg(x) -> bool:
    a = np.asarray(x, dtype=float)
    return bool(np.all(np.isfinite(a)) and np.all(a >= 0))


def check_cost(c: Cost) -> None:
    for f in ("macs", "flops", "params", "weight_bytes", "out_bytes"):
        assert finite_nonneg(getattr(c, f)), (c, f)
    for m in (c.reads, c.writes):
        for lv, q in m.items():
            assert finite_nonneg(q), (c, lv)
    assert c.bytes > 0


def check_analysis(c: Cost, hw) -> None:
    r = analyze(c, hw)
    for f in ("time_s", "compute_time_s", "attainable_flops", "utilization", "intensity", "ridge", "peak"):
        assert finite_nonneg(getattr(r, f)), (c, f)
    assert all(finite_nonneg(t) for t in r.memory_time_s.values())
    assert r.time_s > 0


presets = st.sampled_from(["npu-200", "a100-40gb", "jetson-agx-orin", "edge-gpu"])
dt = st.sampled_from(["fp16", "int8"])
big = st.integers(1, 1 << 16)


@given(m=big, n=big, k=big, dtype=dt, hw=presets)
def test_fuzz_gemm_and_sparse(m, n, k, dtype, hw):
    h = npc.hardware.get(hw)
    c = gemm(m, n, k, dtype=dtype)
    check_cost(c)
    check_analysis(c, h)
    s = sparse_2to4(c)
    check_cost(s)
    check_analysis(s, h)


@given(g=st.integers(1, 8), a=st.integers(1, 64), b=st.integers(1, 64), hw_=st.integers(1, 128),
       kernel=st.integers(1, 7), stride=st.integers(1, 3), dilation=st.integers(1, 2), batch=st.integers(1, 4),
       bias=st.booleans(), dtype=dt, hw=presets)
def test_fuzz_conv(g, a, b, hw_, kernel, stride, dilation, batch, bias, dtype, hw):
    size = hw_ + (kernel - 1) * dilation  # the dilated kernel fits without padding too
    c = conv2d(g * a, g * b, size, size, kernel=kernel, stride=stride, dilation=dilation, groups=g,
               bias=bias, batch=batch, dtype=dtype)
    check_cost(c)
    check_analysis(c, npc.hardware.get(hw))
    check_cost(sparse_2to4(c))


@given(nq=st.integers(1, 4096), extra=st.integers(0, 4096), d=st.sampled_from([1, 8, 64, 80, 128]),
       kv=st.sampled_from([1, 2, 4]), group=st.sampled_from([1, 2, 8]), batch=st.integers(1, 4),
       causal=st.booleans(), sram=st.integers(0, 256 * 1024), dtype=dt, hw=presets)
def test_fuzz_attention(nq, extra, d, kv, group, batch, causal, sram, dtype, hw):
    h = npc.hardware.get(hw)
    args = dict(seq_q=nq, seq_kv=nq + extra, d_head=d, heads=kv * group, kv_heads=kv, batch=batch,
                causal=causal, dtype=dtype)
    c = attention(**args)
    check_cost(c)
    check_analysis(c, h)
    sram_bytes = 4 * d * npc.dtype_bytes(dtype) + sram  # at least 4d elements
    f = flash_attention(sram_bytes=sram_bytes, **args)
    check_cost(f)
    check_analysis(f, h)
    assert f.macs == c.macs
    assert math.isfinite(f.flops / c.flops)
