"""Element-wise family: op counts checked against instrumented scalar implementations that count
every elementary operation they perform (and whose results are checked against numpy), traffic
by hand."""

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
from npucourse.ops.elementwise import ACTIVATION_OPS, activation


def formula(name):
    """A registered formula, loading only this topic's definitions module (fast, and independent of
    other topics' definitions)."""
    importlib.import_module("npucourse.formulas.defs.elementwise")
    return REGISTRY[name]


class Counter:
    """Counts elementary operations: each call of ``op`` is one +, −, ×, ÷, max, exp or rsqrt."""

    def __init__(self):
        self.n = 0

    def op(self, value):
        self.n += 1
        return value


def counted_layernorm(row, gamma, beta, eps=1e-5, affine=2):
    c, n = Counter(), len(row)
    acc = row[0]
    for x in row[1:]:
        acc = c.op(acc + x)
    mean = c.op(acc / n)
    diff = [c.op(x - mean) for x in row]
    sq = [c.op(d * d) for d in diff]
    acc = sq[0]
    for q in sq[1:]:
        acc = c.op(acc + q)
    var = c.op(acc / n)
    r = c.op(1.0 / math.sqrt(c.op(var + eps)))  # add ε, rsqrt
    y = [c.op(d * r) for d in diff]
    if affine >= 1:
        y = [c.op(v * g) for v, g in zip(y, gamma)]
    if affine == 2:
        y = [c.op(v + b) for v, b in zip(y, beta)]
    return np.array(y), c.n


def counted_rmsnorm(row, gamma, eps=1e-6):
    c, n = Counter(), len(row)
    sq = [c.op(x * x) for x in row]
    acc = sq[0]
    for q in sq[1:]:
        acc = c.op(acc + q)
    ms = c.op(acc / n)
    r = c.op(1.0 / math.sqrt(c.op(ms + eps)))
    y = [c.op(c.op(x * r) * g) for x, g in zip(row, gamma)]
    return np.array(y), c.n


def counted_softmax(row):
    c = Counter()
    m = row[0]
    for x in row[1:]:
        m = c.op(max(m, x))
    e = [c.op(math.exp(c.op(x - m))) for x in row]
    acc = e[0]
    for v in e[1:]:
        acc = c.op(acc + v)
    return np.array([c.op(v / acc) for v in e]), c.n


def counted_pool(window, kind):
    c = Counter()
    acc = window[0]
    for x in window[1:]:
        acc = c.op(max(acc, x) if kind == "max" else acc + x)
    if kind == "avg":
        acc = c.op(acc / len(window))
    return acc, c.n


RNG = np.random.default_rng(1)


@pytest.mark.parametrize("n", [1, 2, 7, 64])
def test_norm_and_softmax_counts_match_instrumented_code(n):
    x = RNG.standard_normal(n)
    g, b = RNG.standard_normal(n), RNG.standard_normal(n)
    y, ops = counted_layernorm(x, g, b)
    ref = (x - x.mean()) / np.sqrt(x.var() + 1e-5) * g + b
    np.testing.assert_allclose(y, ref, rtol=1e-9, atol=1e-12)
    assert npc.ops.layernorm((3, n)).flops == 3 * ops
    _, ops_noaff = counted_layernorm(x, g, b, affine=0)
    assert npc.ops.layernorm((3, n), elementwise_affine=False).flops == 3 * ops_noaff
    _, ops_nobias = counted_layernorm(x, g, b, affine=1)
    assert npc.ops.layernorm((3, n), bias=False).flops == 3 * ops_nobias

    y, ops = counted_rmsnorm(x, g)
    np.testing.assert_allclose(y, x / np.sqrt(np.mean(x * x) + 1e-6) * g, rtol=1e-9)
    assert npc.ops.rmsnorm((2, n)).flops == 2 * ops

    y, ops = counted_softmax(x)
    np.testing.assert_allclose(y, np.exp(x - x.max()) / np.exp(x - x.max()).sum(), rtol=1e-12)
    assert npc.ops.softmax((5, n)).flops == 5 * ops


def test_layernorm_hand_derived():
    # 512×768 fp16: per row 7·768 + 2 = 5378 ops; params γ, β = 1536
    c = npc.ops.layernorm((512, 768))
    assert c.flops == 512 * 5378
    assert c.macs == 0
    assert c.params == 1536
    assert c.reads["dram"] == (512 * 768 + 1536) * 2
    assert c.writes["dram"] == 512 * 768 * 2
    assert c.intensity == pytest.approx(512 * 5378 / ((2 * 512 * 768 + 1536) * 2))
    # normalised over the last two axes: rows of 4·5 = 20
    assert npc.ops.layernorm((3, 4, 5), normalized_ndim=2).flops == 3 * (7 * 20 + 2)


def test_softmax_axis():
    # shape (2, 3, 5), softmax over axis 1 (n = 3): 10 rows × (5·3 − 2) = 130
    assert npc.ops.softmax((2, 3, 5), axis=1).flops == 130
    assert npc.ops.softmax((2, 3, 5), axis=-1).flops == 6 * 23


def test_elementwise_hand_derived():
    relu = npc.ops.elementwise((2, 3, 4))
    assert (relu.flops, relu.reads["dram"], relu.writes["dram"]) == (24, 48, 48)
    assert relu.intensity == 0.25  # 1 op / (2 tensors · 2 B)
    add = npc.ops.elementwise((2, 3, 4), n_inputs=2, dtype="int8")
    assert add.intensity == 1 / 3
    f = formula("elementwise_intensity")
    assert f(q=1, n_in=2, s=1) == 1 / 3
    assert activation((10,), "silu").flops == 40
    assert activation((10,), "gelu_tanh").flops == 90


def test_batchnorm_hand_derived():
    shape = (1, 64, 160, 160)
    E = 64 * 160 * 160
    raw = npc.ops.batchnorm(shape)
    folded = npc.ops.batchnorm(shape, folded=True)
    assert raw.flops == 2 * E + 5 * 64
    assert folded.flops == 2 * E
    assert raw.params == folded.params == 128       # γ, β (μ, σ² are buffers)
    assert raw.reads["dram"] == (E + 4 * 64) * 2
    assert folded.reads["dram"] == (E + 2 * 64) * 2
    assert raw.out_shape == shape
    # BN on a (N, C) tensor (after a linear layer)
    assert npc.ops.batchnorm((8, 16), folded=True).flops == 2 * 128


def test_pool_counts_and_shapes():
    x = RNG.standard_normal((6, 6))
    c = npc.ops.pool2d((1, 2, 6, 6), "max", 2)
    assert c.out_shape == (1, 2, 3, 3)
    _, ops = counted_pool(x[:2, :2].ravel(), "max")
    assert c.flops == 2 * 9 * ops == 54
    a = npc.ops.pool2d((1, 2, 6, 6), "avg", 3, stride=1)
    val, ops = counted_pool(x[:3, :3].ravel(), "avg")
    assert val == pytest.approx(x[:3, :3].mean())
    assert a.out_shape == (1, 2, 4, 4) and a.flops == 2 * 16 * ops == 2 * 16 * 9
    # YOLOv8 SPPF: MaxPool(5, stride 1, padding 2) keeps 20×20
    sppf = npc.ops.pool2d((1, 256, 20, 20), "max", 5, stride=1, padding=2)
    assert sppf.out_shape == (1, 256, 20, 20)
    assert sppf.flops == 24 * 256 * 400
    assert sppf.intensity == 24 / 4  # 24 compares per element, read + write 2 B each
    # global average pooling
    g = npc.ops.pool2d((2, 8, 7, 7), "avg", (7, 7))
    assert g.out_shape == (2, 8, 1, 1) and g.flops == 16 * 49


def test_intensity_limits_are_derived():
    ln = formula("layernorm_intensity_limit")
    sym = {i.name: i.symbol for i in ln.symbols}
    a, s = sym["a"], sym["s"]
    assert sp.simplify(ln.expr - (5 + a) / (2 * s)) == 0
    assert ln(a=2, s=2) == 1.75
    assert formula("softmax_intensity_limit")(s=2) == 1.25
    assert formula("batchnorm_intensity_limit")(s=2) == 0.5
    assert formula("pool_intensity_large_map")(K_h=2, K_w=2, v=0, S_h=2, S_w=2, s=2) == 3 / 10


@given(shape=st.lists(st.integers(1, 50), min_size=1, max_size=4),
       q=st.integers(1, 20), n_in=st.integers(1, 4), dt=st.sampled_from(["fp16", "int8", "fp32"]))
def test_elementwise_intensity_property(shape, q, n_in, dt):
    c = npc.ops.elementwise(tuple(shape), n_in, q, dt)
    s = npc.dtype_bytes(dt)
    assert c.intensity == pytest.approx(q / ((n_in + 1) * s))
    assert c.macs == 0 and c.out_shape == tuple(shape)


@given(rows=st.integers(1, 64), n=st.integers(1, 512))
def test_norms_stay_far_below_any_ridge(rows, n):
    # every op of this family in fp16 stays below 5 FLOP/B, far below npu-200's ridge
    ridge = npc.hardware.get("npu-200").ridge_point("fp16")
    for c in (npc.ops.layernorm((rows, n)), npc.ops.rmsnorm((rows, n)), npc.ops.softmax((rows, n)),
              npc.ops.batchnorm((1, rows, n), folded=True)):
        assert c.intensity < 5 < ridge


@pytest.mark.parametrize("call, match", [
    (lambda: npc.ops.elementwise((0, 3)), "shape"),
    (lambda: npc.ops.elementwise((2, -1)), "shape"),
    (lambda: npc.ops.elementwise((2.5, 3)), "shape"),
    (lambda: npc.ops.elementwise((2, 3), n_inputs=0), "n_inputs"),
    (lambda: npc.ops.elementwise((2, 3), ops_per_element=0), "ops_per_element"),
    (lambda: npc.ops.batchnorm((8,)), "shape"),
    (lambda: npc.ops.layernorm((4, 8), normalized_ndim=3), "normalized_ndim"),
    (lambda: npc.ops.rmsnorm((4, 8), normalized_ndim=0), "normalized_ndim"),
    (lambda: npc.ops.softmax((4, 8), axis=2), "axis"),
    (lambda: npc.ops.pool2d((1, 2, 6, 6), "median"), "kind"),
    (lambda: npc.ops.pool2d((2, 6, 6), "max"), "shape"),
    (lambda: npc.ops.pool2d((1, 2, 6, 6, 1), "max"), "shape"),
    (lambda: npc.ops.pool2d((1, 2, 6, 6), "max", 3, padding=2), "padding"),
    (lambda: npc.ops.pool2d((1, 2, 4, 4), "max", 5), "does not fit"),
    (lambda: npc.ops.pool2d((1, 2, 4, 4), "max", 2, stride=0), "stride"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_unknown_names():
    with pytest.raises(KeyError, match="bf8"):
        npc.ops.layernorm((2, 4), dtype="bf8")
    with pytest.raises(KeyError, match="relu"):
        activation((2,), "swish2")
    assert set(ACTIVATION_OPS) >= {"relu", "silu", "gelu"}
