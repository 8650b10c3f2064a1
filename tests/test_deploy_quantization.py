"""npc.deploy quantization: PyTorch-formula parameters, calibration (percentile, MSE, TensorRT KL), errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc
from npucourse.deploy import quantization as Q


def test_affine_params_by_hand():
    # PyTorch _calculate_qparams, quint8 [0, 255]: scale = (2 - (-1))/255, zp = 0 - round(-1/scale) = 85
    p = npc.deploy.quant_params([-1.0, 0.5, 2.0])
    assert p.scale == pytest.approx(3 / 255, rel=1e-15) and p.zero_point == 85
    assert (p.qmin, p.qmax) == (0, 255)
    assert p.clip_min == pytest.approx(-1.0) and p.clip_max == pytest.approx(2.0)  # (0-85)·s, (255-85)·s
    # tie: -1/(2/255) = -127.5 rounds half to even -> -128 (torch.round), so zp = 128, not 127
    assert npc.deploy.quant_params([-1.0, 1.0]).zero_point == 128
    # the range is widened to contain 0: all-positive data gets zp 0, all-negative zp 255
    p = npc.deploy.quant_params([0.5, 2.0])
    assert p.scale == pytest.approx(2 / 255) and p.zero_point == 0
    p = npc.deploy.quant_params([-4.0, -1.0])
    assert p.scale == pytest.approx(4 / 255) and p.zero_point == 255
    # constant zero tensor: scale floored at float32 eps (PyTorch), zp 0
    p = npc.deploy.quant_params(np.zeros(5))
    assert p.scale == np.finfo(np.float32).eps and p.zero_point == 0


def test_symmetric_params_by_hand():
    # qint8 [-128, 127]: scale = max|x| / ((127 - (-128))/2) = 2/127.5, zero point 0
    p = npc.deploy.quant_params([-1.0, 0.5, 2.0], symmetric=True)
    assert p.scale == pytest.approx(2 / 127.5, rel=1e-15) and p.zero_point == 0
    assert (p.qmin, p.qmax) == (-128, 127)
    p4 = npc.deploy.quant_params([-3.0, 1.0], bits=4, symmetric=True)  # [-8, 7]: 3/7.5
    assert p4.scale == pytest.approx(0.4) and (p4.qmin, p4.qmax) == (-8, 7)
    assert Q.code_range(2, False) == (0, 3) and Q.code_range(2, True) == (-2, 1)


def test_quantize_dequantize_by_hand():
    p = npc.deploy.quant_params([-1.0, 0.5, 2.0])       # s = 3/255, z = 85
    q = npc.deploy.quantize([-1.0, 0.5, 2.0, 5.0, -9.0], p)
    # -1/s = -85 -> 0; 0.5/s = 42.5 -> 42 (ties to even) -> 127; 2/s = 170 -> 255; saturation
    assert q.tolist() == [0, 127, 255, 255, 0] and q.dtype == np.int64
    np.testing.assert_allclose(npc.deploy.dequantize(q, p), [-1.0, 42 * 3 / 255, 2.0, 2.0, -1.0], rtol=1e-15)
    np.testing.assert_allclose(npc.deploy.fake_quant([0.5], p), [42 * 3 / 255])


def test_per_channel_equals_per_tensor_of_each_channel():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((5, 3, 3, 3)) * np.arange(1, 6)[:, None, None, None]
    for sym in (False, True):
        p = npc.deploy.quant_params(w, symmetric=sym, axis=0)
        assert p.scale.shape == (5,) and p.zero_point.shape == (5,)
        for c in range(5):
            pc = npc.deploy.quant_params(w[c], symmetric=sym)
            assert p.scale[c] == pc.scale and p.zero_point[c] == pc.zero_point
            np.testing.assert_array_equal(npc.deploy.fake_quant(w, p)[c], npc.deploy.fake_quant(w[c], pc))
    # axis = -1 on a (3, 4) matrix: columns
    m = rng.standard_normal((3, 4))
    p = npc.deploy.quant_params(m, symmetric=True, axis=-1)
    np.testing.assert_allclose(p.scale, np.abs(m).max(axis=0) / 127.5)
    # per-channel error is never above per-tensor error for channels of very different scale
    e_c = npc.deploy.quant_error(w, npc.deploy.fake_quant(w, npc.deploy.quant_params(w, symmetric=True, axis=0)))
    e_t = npc.deploy.quant_error(w, npc.deploy.fake_quant(w, npc.deploy.quant_params(w, symmetric=True)))
    assert e_c.mse < e_t.mse


@settings(max_examples=80, deadline=None)
@given(data=st.lists(st.floats(-1e3, 1e3, allow_subnormal=False), min_size=1, max_size=40),
       bits=st.integers(2, 12), sym=st.booleans())
def test_roundtrip_error_at_most_half_scale_inside_clip_range(data, bits, sym):
    x = np.array(data)
    p = npc.deploy.quant_params(x, bits=bits, symmetric=sym)
    q = npc.deploy.quantize(x, p)
    assert q.min() >= p.qmin and q.max() <= p.qmax
    err = np.abs(npc.deploy.fake_quant(x, p) - x)
    inside = (x >= p.clip_min) & (x <= p.clip_max)
    # s/2 from rounding to nearest; 1e-9 relative slack for float rounding of x/s and (q - z)·s
    assert np.all(err[inside] <= p.error_bound * (1 + 1e-9) + 1e-12)
    # outside the range, values saturate to the nearest clip bound
    out = ~inside
    np.testing.assert_allclose(npc.deploy.fake_quant(x, p)[out], np.clip(x[out], p.clip_min, p.clip_max))


@settings(max_examples=40, deadline=None)
@given(bits=st.integers(2, 10), scale=st.floats(1e-3, 1e3))
def test_more_bits_never_worse(bits, scale):
    x = np.random.default_rng(bits).standard_normal(500) * scale
    e1 = npc.deploy.quant_error(x, npc.deploy.fake_quant(x, npc.deploy.quant_params(x, bits=bits)))
    e2 = npc.deploy.quant_error(x, npc.deploy.fake_quant(x, npc.deploy.quant_params(x, bits=bits + 1)))
    assert e2.mse <= e1.mse * (1 + 1e-12)


def test_error_metrics_by_hand():
    e = npc.deploy.quant_error([3.0, 4.0], [3.0, 4.5])
    # Σx² = 25, Σe² = 0.25: SQNR = 10·log10(100) = 20 dB, rel = √0.01 = 0.1, MSE = 0.25/2
    assert e.sqnr_db == pytest.approx(20.0) and e.rel_l2 == pytest.approx(0.1)
    assert e.mse == 0.125 and e.max_abs == 0.5
    assert npc.deploy.relative_error([3.0, 4.0], [3.0, 4.5]) == pytest.approx(0.1)
    assert npc.deploy.quant_error([1.0, 2.0], [1.0, 2.0]).sqnr_db == math.inf


def test_uniform_sqnr_is_6db_per_bit():
    # Uniform data on [-1, 1], 8-bit affine min-max: signal power 1/3, noise s²/12 with s = 2/255
    # -> SQNR = 10·log10((1/3)/((2/255)²/12)) = 20·log10(255) = 48.13 dB.
    x = np.random.default_rng(0).uniform(-1, 1, 1_000_000)
    e = npc.deploy.quant_error(x, npc.deploy.fake_quant(x, npc.deploy.quant_params(x)))
    assert e.sqnr_db == pytest.approx(20 * math.log10(255), abs=0.1)


def test_percentile_by_hand():
    x = np.arange(101.0)  # 0 ... 100: the 90th percentile (linear interpolation) is 90
    p = npc.deploy.quant_params(x, symmetric=True, method="percentile", percentile=90)
    assert p.scale == pytest.approx(90 / 127.5)
    p = npc.deploy.quant_params(x - 50, method="percentile", percentile=90)  # affine: [10th, 90th] = [-40, 40]
    assert p.scale == pytest.approx(80 / 255)
    assert npc.deploy.quant_params(x, method="percentile", percentile=100).scale == \
        npc.deploy.quant_params(x).scale


def test_mse_search_against_brute_force():
    x = np.random.default_rng(5).laplace(0, 1, 20_000)  # heavy tail: max |x| about 10
    p = npc.deploy.quant_params(x, bits=4, symmetric=True, method="mse", n_grid=100)
    amax = np.max(np.abs(x))

    def mse_for(amax):  # an independent fake-quant: symmetric int4 [-8, 7], scale = amax/7.5
        s = amax / 7.5
        return np.mean((np.clip(np.rint(x / s), -8, 7) * s - x) ** 2)

    grid = np.arange(1, 101) / 100 * amax
    best = grid[int(np.argmin([mse_for(a) for a in grid]))]
    assert p.scale == pytest.approx(best / 7.5, rel=1e-12)
    assert p.clip_max < 0.6 * amax  # the tail is clipped: finer steps for the bulk win
    assert npc.deploy.quant_error(x, npc.deploy.fake_quant(x, p)).mse < mse_for(amax)


def test_entropy_amax_tiny_histogram_by_hand():
    # bits = 2 signed -> 2 levels; hist [10, 2, 2, 1] -> bin 0 replaced by bin 1: [2, 2, 2, 1], total 7.
    # i = 2: P = [2, 5]/7,       Q = [2, 2]/4
    # i = 3: P = [2, 2, 3]/7,    levels {0,1},{2}: Q = [2, 2, 2]/6
    # i = 4: P = [2, 2, 2, 1]/7, levels {0,1},{2,3}: Q = [2, 2, 1.5, 1.5]/7
    kl = {
        2: 2 / 7 * math.log((2 / 7) / 0.5) + 5 / 7 * math.log((5 / 7) / 0.5),
        3: 2 * (2 / 7) * math.log((2 / 7) / (1 / 3)) + 3 / 7 * math.log((3 / 7) / (1 / 3)),
        4: 2 / 7 * math.log(2 / 1.5) + 1 / 7 * math.log(1 / 1.5),  # bins 0, 1 have P = Q
    }
    best = min(kl, key=kl.get)
    assert best == 3  # 0.0196 < 0.0243 < 0.0949
    edges = [0.0, 1.0, 2.0, 3.0, 4.0]
    assert npc.deploy.entropy_amax([10, 2, 2, 1], edges, bits=2, start_bin=2) == edges[best]
    # ties go to the largest threshold (NVIDIA's last argmin): a flat histogram has KL 0 for every i
    assert npc.deploy.entropy_amax([5, 5, 5, 5], edges, bits=2, start_bin=2) == 4.0


def test_kl_calibration_qualitative():
    rng = np.random.default_rng(1)
    g = np.concatenate([rng.standard_normal(200_000), [50.0, -60.0]])
    p = npc.deploy.quant_params(g, symmetric=True, method="kl")
    # Gaussian body with two far outliers: KL clips at a few σ, min-max keeps the outlier
    assert 2.5 < p.clip_max < 6.0
    assert npc.deploy.quant_params(g, symmetric=True).clip_max > 59
    # the Gaussian body is resolved far better (the two clipped outliers pay for it)
    body = slice(0, 200_000)
    e_kl = npc.deploy.quant_error(g[body], npc.deploy.fake_quant(g, p)[body])
    e_mm = npc.deploy.quant_error(g[body], npc.deploy.fake_quant(g, npc.deploy.quant_params(g, symmetric=True))[body])
    assert e_kl.mse < e_mm.mse / 50
    # uniform data has no tail worth clipping: the threshold stays at the top of the range
    u = rng.uniform(0, 1, 100_000)
    assert npc.deploy.quant_params(u, method="kl").clip_max > 0.97
    # non-negative data uses unsigned levels (2^8) and zero point 0
    assert npc.deploy.quant_params(np.abs(g), method="kl").zero_point == 0


def test_quantization_bad_inputs():
    with pytest.raises(ValueError, match="bits"):
        npc.deploy.quant_params([1.0], bits=1)
    with pytest.raises(ValueError, match="bits"):
        npc.deploy.quant_params([1.0], bits=17)
    with pytest.raises(ValueError, match="empty"):
        npc.deploy.quant_params([])
    with pytest.raises(ValueError, match="finite"):
        npc.deploy.quant_params([1.0, np.inf])
    with pytest.raises(ValueError, match="'entropy'"):
        npc.deploy.quant_params([1.0], method="entropy")
    with pytest.raises(ValueError, match="percentile"):
        npc.deploy.quant_params([1.0], method="percentile", percentile=101)
    with pytest.raises(ValueError, match="percentile"):
        npc.deploy.quant_params([1.0], method="percentile", percentile=0)
    with pytest.raises(ValueError, match="axis"):
        npc.deploy.quant_params(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="start_bin"):
        npc.deploy.quant_params([1.0, 2.0], method="kl", num_bins=64)
    p = npc.deploy.quant_params(np.ones((2, 3)), axis=0)
    with pytest.raises(ValueError, match="channels"):
        npc.deploy.quantize(np.ones((3, 3)), p)
    pt = npc.deploy.quant_params([0.0, 1.0])
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        npc.deploy.dequantize([256], pt)
    with pytest.raises(ValueError, match="integer"):
        npc.deploy.dequantize([1.5], pt)
    with pytest.raises(ValueError, match="same shape"):
        npc.deploy.quant_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="all zeros"):
        npc.deploy.quant_error([0.0, 0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="len\\(hist\\) \\+ 1"):
        npc.deploy.entropy_amax([1, 2, 3], [0, 1, 2])
    with pytest.raises(ValueError, match="at least start_bin"):
        npc.deploy.entropy_amax([1, 2, 3], [0, 1, 2, 3])
    with pytest.raises(ValueError, match="not all zero"):
        npc.deploy.entropy_amax([0, 0, 0], [0, 1, 2, 3], start_bin=2)


def test_registry_rint_rounds_like_numpy():
    import sympy as sp

    from npucourse.formulas.defs.deploy_quantization import rint

    halves = [sp.Rational(k, 2) for k in range(-9, 10)]
    assert [int(rint(h)) for h in halves] == np.rint(np.arange(-9, 10) / 2).astype(int).tolist()
    # algebraic arguments (as nsimplify may produce) are rounded exactly: √2 -> 1, -√7 = -2.65 -> -3
    assert rint(sp.sqrt(2)) == 1 and rint(-sp.sqrt(7)) == -3
    assert rint(sp.Symbol("y")).func is rint  # symbolic: stays unevaluated
