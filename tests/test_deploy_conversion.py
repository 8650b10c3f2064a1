"""npc.deploy conversion models: ONNX Conv semantics, BatchNorm folding, GELU values and cost."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc
from npucourse.deploy import conv_semantics as cs
G = importlib.import_module("npucourse.deploy.gelu")  # the package attribute `gelu` is the function

# ---------------------------------------------------------------------------------------------
# ONNX Conv
# ---------------------------------------------------------------------------------------------


def loop_conv(x, w, b, strides, pads, dilations, group):
    """The ONNX Conv definition as explicit loops (out-of-range input reads zero)."""
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    top, left, bottom, right = pads
    # output size by brute force: the last window start that still fits in the padded input
    ho = 0
    while ho * sh + (kh - 1) * dh <= h + top + bottom - 1:
        ho += 1
    wo = 0
    while wo * sw + (kw - 1) * dw <= wd + left + right - 1:
        wo += 1
    y = np.zeros((n, m, ho, wo))
    per_group = m // group
    for ni in range(n):
        for mi in range(m):
            g = mi // per_group
            for oy in range(ho):
                for ox in range(wo):
                    acc = 0.0 if b is None else b[mi]
                    for ci in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                iy = oy * sh + i * dh - top
                                ix = ox * sw + j * dw - left
                                if 0 <= iy < h and 0 <= ix < wd:
                                    acc += x[ni, g * cg + ci, iy, ix] * w[mi, ci, i, j]
                    y[ni, mi, oy, ox] = acc
    return y


CASES = [
    # (x shape, w shape, strides, pads, dilations, group)
    ((1, 1, 5, 5), (1, 1, 3, 3), (1, 1), (0, 0, 0, 0), (1, 1), 1),
    ((2, 3, 7, 6), (4, 3, 3, 3), (2, 1), (1, 0, 2, 1), (1, 1), 1),      # asymmetric pads
    ((1, 4, 8, 8), (6, 2, 3, 3), (1, 2), (1, 1, 1, 1), (2, 1), 2),      # groups + dilation
    ((1, 4, 6, 6), (4, 1, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 4),      # depthwise
    ((1, 2, 9, 7), (3, 2, 2, 4), (3, 2), (0, 2, 1, 0), (2, 1), 1),      # even kernel, big stride
]


@pytest.mark.parametrize("xs,ws,strides,pads,dil,group", CASES)
def test_reference_equals_loop_definition(xs, ws, strides, pads, dil, group):
    rng = np.random.default_rng(sum(xs) + sum(ws))
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    want = loop_conv(x, w, b, strides, pads, dil, group)
    got = npc.deploy.conv2d_reference(x, w, b, strides=strides, pads=pads, dilations=dil, group=group)
    assert got.shape == want.shape
    assert npc.deploy.conv_output_shape(xs, ws, strides, pads, dil, group) == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    nob = npc.deploy.conv2d_reference(x, w, None, strides=strides, pads=pads, dilations=dil, group=group)
    np.testing.assert_allclose(nob, loop_conv(x, w, None, strides, pads, dil, group), rtol=1e-12, atol=1e-12)


# ONNX docs/Operators.md, Conv examples (onnx/onnx backend test data): x = 0..24 (5×5) or
# 0..34 (7×5), W = ones(3×3). Values copied from the published expected outputs.
X55 = np.arange(25.0).reshape(1, 1, 5, 5)
X75 = np.arange(35.0).reshape(1, 1, 7, 5)
ONES = np.ones((1, 1, 3, 3))


def test_onnx_published_examples():
    # test_conv_with_autopad_same: SAME_LOWER, strides 2
    y = npc.deploy.conv2d_reference(X55, ONES, strides=2, auto_pad="SAME_LOWER")
    np.testing.assert_array_equal(y[0, 0], [[12, 27, 24], [63, 108, 81], [72, 117, 84]])
    # test_conv_with_strides_padding: pads 1, strides 2 -> 4×3
    y = npc.deploy.conv2d_reference(X75, ONES, strides=2, pads=(1, 1, 1, 1))
    np.testing.assert_array_equal(y[0, 0], [[12, 27, 24], [63, 108, 81], [123, 198, 141], [112, 177, 124]])
    # test_conv_with_strides_no_padding -> 3×2
    y = npc.deploy.conv2d_reference(X75, ONES, strides=2)
    np.testing.assert_array_equal(y[0, 0], [[54, 72], [144, 162], [234, 252]])
    # test_conv_with_strides_and_asymmetric_padding: pads = [1, 0, 1, 0] = (top, left, bottom, right)
    y = npc.deploy.conv2d_reference(X75, ONES, strides=2, pads=(1, 0, 1, 0))
    np.testing.assert_array_equal(y[0, 0], [[21, 33], [99, 117], [189, 207], [171, 183]])
    # test_basic_conv_without_padding
    y = npc.deploy.conv2d_reference(X55, ONES)
    np.testing.assert_array_equal(y[0, 0], [[54, 63, 72], [99, 108, 117], [144, 153, 162]])


def test_same_padding_split_by_hand():
    # H = 8, K = 3, S = 2: H_out = ceil(8/2) = 4, total pad = (4-1)·2 + 3 - 8 = 1 -> odd element
    # at the end for SAME_UPPER, at the beginning for SAME_LOWER.
    assert cs.resolve_pads((8, 8), (3, 3), 2, auto_pad="SAME_UPPER") == (0, 0, 1, 1)
    assert cs.resolve_pads((8, 8), (3, 3), 2, auto_pad="SAME_LOWER") == (1, 1, 0, 0)
    # H = 7: total = (4-1)·2 + 3 - 7 = 2 -> 1 each side for both.
    assert cs.resolve_pads((7, 7), (3, 3), 2, auto_pad="SAME_UPPER") == (1, 1, 1, 1)
    # Dilation 2 makes the effective kernel 5: H = 10, S = 1 -> total = 9 + 5 - 10 = 4.
    assert cs.resolve_pads((10, 10), (3, 3), 1, dilations=2, auto_pad="SAME_LOWER") == (2, 2, 2, 2)
    # Stride larger than the kernel: H = 5, K = 1, S = 3 -> out 2, (2-1)·3 + 1 - 5 = -1 -> 0.
    assert cs.resolve_pads((5, 5), (1, 1), 3, auto_pad="SAME_UPPER") == (0, 0, 0, 0)
    assert cs.resolve_pads((5, 5), (3, 3), 1, pads=(9, 9, 9, 9), auto_pad="VALID") == (0, 0, 0, 0)
    assert npc.deploy.conv_output_shape((1, 1, 5, 5), (1, 1, 3, 3), auto_pad="VALID") == (1, 1, 3, 3)


@settings(max_examples=40, deadline=None)
@given(h=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 5), d=st.integers(1, 3),
       mode=st.sampled_from(["SAME_UPPER", "SAME_LOWER"]))
def test_same_output_is_ceil_h_over_s(h, k, s, d, mode):
    pads = cs.resolve_pads((h, h), (k, k), s, dilations=d, auto_pad=mode)
    ho = npc.deploy.conv_output_shape((1, 1, h, h), (1, 1, k, k), s, dilations=d, auto_pad=mode)[2]
    assert ho == -(-h // s)
    assert abs(pads[0] - pads[2]) <= 1 and pads[0] >= 0 and pads[2] >= 0
    # SAME_UPPER never puts more padding at the beginning than at the end
    assert (pads[0] <= pads[2]) if mode == "SAME_UPPER" else (pads[0] >= pads[2])


def test_symmetric_shape_matches_ops_conv2d():
    c = npc.ops.conv2d(16, 32, 56, 56, kernel=3, stride=2, padding=1)
    assert npc.deploy.conv_output_shape((1, 16, 56, 56), (32, 16, 3, 3), 2, 1) == c.out_shape


def test_conv_bad_inputs():
    x, w = np.zeros((1, 4, 5, 5)), np.zeros((2, 2, 3, 3))
    with pytest.raises(ValueError, match="C/group"):
        npc.deploy.conv2d_reference(x, w, group=1)
    with pytest.raises(ValueError, match="divide"):
        npc.deploy.conv_output_shape((1, 4, 5, 5), (3, 1, 3, 3), group=4)
    with pytest.raises(ValueError, match="auto_pad"):
        npc.deploy.conv_output_shape((1, 2, 5, 5), (2, 2, 3, 3), auto_pad="SAME")
    with pytest.raises(ValueError, match="pads must not"):
        npc.deploy.conv_output_shape((1, 2, 5, 5), (2, 2, 3, 3), pads=1, auto_pad="SAME_UPPER")
    with pytest.raises(ValueError, match="pads must have 4"):
        npc.deploy.conv_output_shape((1, 2, 5, 5), (2, 2, 3, 3), pads=(1, 1))
    with pytest.raises(ValueError, match="does not fit"):
        npc.deploy.conv_output_shape((1, 2, 2, 2), (2, 2, 3, 3), pads=(0, 0, 1, 0))
    with pytest.raises(ValueError, match="4-D"):
        npc.deploy.conv_output_shape((2, 5, 5), (2, 2, 3, 3))
    with pytest.raises(ValueError, match="B must"):
        npc.deploy.conv2d_reference(np.zeros((1, 2, 5, 5)), np.zeros((2, 2, 3, 3)), b=np.zeros(3))
    with pytest.raises(ValueError, match="strides"):
        npc.deploy.conv_output_shape((1, 2, 5, 5), (2, 2, 3, 3), strides=0)


# ---------------------------------------------------------------------------------------------
# BatchNorm folding
# ---------------------------------------------------------------------------------------------


def bn(y, gamma, beta, mean, var, eps):
    """BatchNorm at inference, written out (channel axis 1)."""
    r = lambda a: np.asarray(a)[None, :, None, None]  # noqa: E731
    return r(gamma) * (y - r(mean)) / np.sqrt(r(var) + eps) + r(beta)


def test_fold_bn_hand_values():
    # w = 2, γ = 3, σ² = 3, ε = 1: γ/√(σ²+ε) = 3/2. w' = 3; b' = (1 - 0.5)·1.5 + 1 = 1.75.
    wf, bf = npc.deploy.fold_bn([[[[2.0]]]], [1.0], [3.0], [1.0], [0.5], [3.0], eps=1.0)
    assert wf.shape == (1, 1, 1, 1) and wf.item() == 3.0
    assert bf.tolist() == [1.75]


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("group", [1, 2])
def test_fold_bn_equals_conv_then_bn(with_bias, group):
    rng = np.random.default_rng(7 + group)
    x = rng.standard_normal((2, 4, 9, 9))
    w = rng.standard_normal((6, 4 // group, 3, 3))
    b = rng.standard_normal(6) if with_bias else None
    gamma, beta, mean = rng.standard_normal(6), rng.standard_normal(6), rng.standard_normal(6)
    var = rng.uniform(0.1, 4.0, 6)
    want = bn(npc.deploy.conv2d_reference(x, w, b, pads=1, group=group), gamma, beta, mean, var, 1e-5)
    wf, bf = npc.deploy.fold_bn(w, b, gamma, beta, mean, var)
    got = npc.deploy.conv2d_reference(x, wf, bf, pads=1, group=group)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_fold_bn_linear_weight_and_zero_variance():
    w = np.array([[1.0, -2.0], [0.5, 4.0]])
    wf, bf = npc.deploy.fold_bn(w, None, [1.0, 2.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0], eps=0.25)
    # γ/√(0 + 0.25) = 2 and 4: rows scaled by 2 and 4; b' = -μ·(γ/√ε) = 0 and -4
    np.testing.assert_array_equal(wf, [[2.0, -4.0], [2.0, 16.0]])
    np.testing.assert_array_equal(bf, [0.0, -4.0])


def test_fold_bn_bad_inputs():
    w = np.ones((2, 1, 1, 1))
    ok = dict(gamma=[1, 1], beta=[0, 0], mean=[0, 0], var=[1, 1])
    with pytest.raises(ValueError, match="gamma"):
        npc.deploy.fold_bn(w, None, [1, 1, 1], [0, 0], [0, 0], [1, 1])
    with pytest.raises(ValueError, match="var"):
        npc.deploy.fold_bn(w, None, **{**ok, "var": [1, -1]})
    with pytest.raises(ValueError, match="eps"):
        npc.deploy.fold_bn(w, None, **ok, eps=0)
    with pytest.raises(ValueError, match="b must"):
        npc.deploy.fold_bn(w, [1, 2, 3], **ok)
    with pytest.raises(ValueError, match="empty"):
        npc.deploy.fold_bn(np.ones((0, 3)), None, [], [], [], [])


# ---------------------------------------------------------------------------------------------
# GELU
# ---------------------------------------------------------------------------------------------

# Standard normal CDF values (Abramowitz & Stegun, Table 26.1; tail value from 26.2.12).
PHI = {1.0: 0.8413447460685429, -1.0: 0.15865525393145707, 1.96: 0.9750021048517795,
       3.0: 0.9986501019683699, -3.0: 0.0013498980316300946}


def test_exact_gelu_known_values():
    for x, phi in PHI.items():
        assert npc.deploy.normal_cdf(x) == pytest.approx(phi, rel=1e-14)
        assert npc.deploy.gelu(x) == pytest.approx(x * phi, rel=1e-14)
    # ONNX Gelu / mindspore.ops.gelu doc example: gelu([1, 2, 3]) = [0.8413447, 1.9544997, 2.9959505] (fp32)
    np.testing.assert_allclose(npc.deploy.gelu([1.0, 2.0, 3.0]), [0.8413447, 1.9544997, 2.9959505], atol=5e-7)
    # far tail keeps relative accuracy: Φ(-10) = 7.619853024160527e-24
    assert npc.deploy.normal_cdf(-10.0) == pytest.approx(7.619853024160527e-24, rel=1e-12)
    assert npc.deploy.gelu(0.0) == 0.0


def test_approximations_by_hand():
    # x = 1: tanh form 0.5(1 + tanh(√(2/π)·1.044715)); sigmoid form 1/(1 + e^-1.702)
    t = 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * 1.044715))
    s = 1 / (1 + math.exp(-1.702))
    assert npc.deploy.gelu(1.0, approx="tanh") == pytest.approx(t, rel=1e-14)
    assert npc.deploy.gelu(1.0, approx="sigmoid") == pytest.approx(s, rel=1e-14)
    # no overflow warning at extreme inputs, and the right limits
    big = np.array([-1e200, -1e3, 1e3, 1e200])
    np.testing.assert_array_equal(npc.deploy.gelu(big, "tanh"), [-0.0, -0.0, 1e3, 1e200])
    np.testing.assert_array_equal(npc.deploy.gelu(big, "sigmoid"), [-0.0, -0.0, 1e3, 1e200])


@settings(max_examples=60, deadline=None)
@given(x=st.floats(-50, 50))
def test_gelu_identity_and_bounds(x):
    # GELU(x) - GELU(-x) = x·(Φ(x) + Φ(-x)) = x (exact form; both approximations keep it too)
    for a in (None, "tanh", "sigmoid"):
        assert npc.deploy.gelu(x, a) - npc.deploy.gelu(-x, a) == pytest.approx(x, abs=1e-12 * max(1, abs(x)))
    g = npc.deploy.gelu(x)
    assert min(0.0, x) <= g <= max(0.0, x)  # x·Φ(x) with 0 < Φ < 1
    assert g >= -0.1701  # global minimum of GELU: about -0.16997 at x = -0.7518


def test_gelu_error_against_brute_force():
    # Brute force on an independent grid with math.erf: max |approx - exact| on [-3, 3].
    xs = np.linspace(-3, 3, 60001)
    exact = np.array([x * 0.5 * (1 + math.erf(x / math.sqrt(2))) for x in xs])
    sig = xs / (1 + np.exp(-1.702 * xs))
    tnh = 0.5 * xs * (1 + np.tanh(math.sqrt(2 / math.pi) * (xs + 0.044715 * xs**3)))
    e_sig = npc.deploy.gelu_error("sigmoid", interval=(-3, 3), n=60001)
    e_tnh = npc.deploy.gelu_error("tanh", interval=(-3, 3), n=60001)
    assert e_sig.max_abs == pytest.approx(np.max(np.abs(sig - exact)), rel=1e-9)
    assert e_tnh.max_abs == pytest.approx(np.max(np.abs(tnh - exact)), rel=1e-9)
    # the draft's "< 0.1%" is wrong for the sigmoid form by any reading: 0.02 absolute,
    # > 100 % relative at x = -3 (exact -0.00405 vs sigmoid -0.0181)
    assert 0.02 < e_sig.max_abs < 0.021 and abs(e_sig.x_max_abs) == pytest.approx(2.27, abs=0.01)
    assert 4.6e-4 < e_tnh.max_abs < 4.8e-4
    rel_at_m3 = abs(sig[0] - exact[0]) / abs(exact[0])
    assert e_sig.max_rel == pytest.approx(rel_at_m3, rel=1e-9) and rel_at_m3 > 3


def test_gelu_error_normal_weighting():
    # Mean |error| under N(0,1) by brute-force Monte Carlo with a fixed seed (1e6 samples:
    # standard error ~ 0.006/1000 = 6e-6 for the sigmoid form).
    x = np.random.default_rng(0).standard_normal(1_000_000)
    mc = np.mean(np.abs(npc.deploy.gelu(x, "sigmoid") - npc.deploy.gelu(x)))
    e = npc.deploy.gelu_error("sigmoid", distribution="normal")
    assert e.mean_abs == pytest.approx(mc, abs=3e-5)
    assert e.rms >= e.mean_abs  # RMS >= mean absolute value


def test_gelu_ops_match_activation_table():
    from npucourse.ops.elementwise import ACTIVATION_OPS

    assert G.gelu_ops_per_element(None) == ACTIVATION_OPS["gelu"] == 5
    assert G.gelu_ops_per_element("tanh") == ACTIVATION_OPS["gelu_tanh"] == 9
    # Mul(1.702) + Sigmoid (4: negate, exp, add, divide) + Mul(x) = 6
    assert G.gelu_ops_per_element("sigmoid") == 1 + ACTIVATION_OPS["sigmoid"] + 1 == 6


def test_gelu_cost_fused_vs_decomposed_by_hand():
    shape, E, s = (1, 64, 1024), 64 * 1024, 4  # fp32
    for a in (None, "tanh", "sigmoid"):
        fused = npc.deploy.gelu_cost(shape, a, "fp32", fused=True)
        assert fused.macs == 0 and fused.bytes == 2 * E * s  # read x, write y
        assert fused.flops == G.gelu_ops_per_element(a) * E
    # decomposed, each node its own kernel: erf form 5 nodes, 6 tensor reads + 5 writes
    dec = npc.deploy.gelu_cost(shape, None, "fp32", fused=False)
    assert dec.bytes == (6 + 5) * E * s and dec.flops == 5 * E
    # tanh form 8 nodes, 10 reads + 8 writes; sigmoid 3 nodes, 4 reads + 3 writes
    assert npc.deploy.gelu_cost(shape, "tanh", "fp32", fused=False).bytes == 18 * E * s
    assert npc.deploy.gelu_cost(shape, "sigmoid", "fp32", fused=False).bytes == 7 * E * s
    # all memory-bound on edge-gpu (ridge 39 FLOP/B): 9 ops / 8 B is ~1 FLOP/B
    hw = npc.hardware.get("edge-gpu")
    times = {a: npc.roofline.analyze(npc.deploy.gelu_cost(shape, a, "fp32"), hw) for a in (None, "tanh", "sigmoid")}
    assert {r.bound for r in times.values()} == {"memory"}
    assert len({r.time_s for r in times.values()}) == 1  # fused: same bytes, same time


def test_gelu_bad_inputs():
    with pytest.raises(ValueError, match="approx"):
        npc.deploy.gelu(1.0, approx="fast")
    with pytest.raises(ValueError, match="finite"):
        npc.deploy.gelu([1.0, np.nan])
    with pytest.raises(ValueError, match="tanh' or 'sigmoid"):
        npc.deploy.gelu_error(None)
    with pytest.raises(ValueError, match="not both"):
        npc.deploy.gelu_error("tanh", interval=(-1, 1), distribution="normal")
    with pytest.raises(ValueError, match="distribution"):
        npc.deploy.gelu_error("tanh", distribution="uniform")
    with pytest.raises(ValueError, match="lo < hi"):
        npc.deploy.gelu_error("tanh", interval=(2, 1))
    with pytest.raises(ValueError, match="n must"):
        npc.deploy.gelu_error("tanh", n=10)
    with pytest.raises(ValueError, match="rel_floor"):
        npc.deploy.gelu_error("tanh", rel_floor=0)
