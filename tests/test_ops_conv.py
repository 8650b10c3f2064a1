"""Conv2D cost models: direct, im2col, SRAM-tiled, tile picker.

Expected values come from hand arithmetic (written out), from explicit numpy loop nests that
count MACs and loaded elements, and from an explicit numpy im2col.
"""

from __future__ import annotations

import importlib

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc
from npucourse.formulas.registry import REGISTRY
from npucourse.ops import conv as C

def formula(name):
    """A registered formula, loading only this topic's definitions module (fast, and independent of
    other topics' definitions)."""
    importlib.import_module("npucourse.formulas.defs.conv")
    return REGISTRY[name]


# -- brute force helpers ------------------------------------------------------------------------------


def brute_out_len(size, k, s, p, d):
    """Output positions whose dilated window lies inside the padded input, by enumeration."""
    return sum(1 for o in range(size + 2 * p) if o * s + d * (k - 1) <= size + 2 * p - 1)


def brute_conv(x, wt, stride, padding, dilation, groups):
    """Direct convolution by the full loop nest; returns (output, MACs counted one by one)."""
    n_, cin, H, W = x.shape
    cout, cpg, kh, kw = wt.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    ho = brute_out_len(H, kh, sh, ph, dh)
    wo = brute_out_len(W, kw, sw, pw, dw)
    out = np.zeros((n_, cout, ho, wo))
    macs = 0
    opg = cout // groups
    for n, co, oh, ow in itertools.product(range(n_), range(cout), range(ho), range(wo)):
        g = co // opg
        acc = 0.0
        for ci, i, j in itertools.product(range(cpg), range(kh), range(kw)):
            r, c = oh * sh - ph + i * dh, ow * sw - pw + j * dw
            if 0 <= r < H and 0 <= c < W:
                acc += x[n, g * cpg + ci, r, c] * wt[co, ci, i, j]
            macs += 1  # padding taps count too (ONNX/fvcore convention)
        out[n, co, oh, ow] = acc
    return out, macs


def explicit_im2col(x, kh, kw, stride, padding, dilation):
    """The im2col matrix of one image, (C_in·K_h·K_w) × (H_out·W_out), built explicitly."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw)))
    cin, Hp, Wp = xp.shape
    ho = (Hp - dh * (kh - 1) - 1) // sh + 1
    wo = (Wp - dw * (kw - 1) - 1) // sw + 1
    rows = []
    for c in range(cin):
        for i in range(kh):
            for j in range(kw):
                rows.append(xp[c, i * dh: i * dh + sh * (ho - 1) + 1: sh, j * dw: j * dw + sw * (wo - 1) + 1: sw].ravel())
    return np.array(rows)


def brute_tiled(cin, cout, H, W, k, s, p, d, groups, batch, th, tw, tco, sb=2.0, sacc=2.0):
    """Enumerate tiles; count loaded input/weight elements and the largest tile working set."""
    ho, wo = brute_out_len(H, k, s, p, d), brute_out_len(W, k, s, p, d)
    wpc = (cin // groups) * k * k  # weight elements per output channel
    in_el = w_el = 0
    sram = 0.0
    weights_resident = tco >= cout
    if weights_resident:
        w_el += cout * wpc
    for n in range(batch):
        for oh0 in range(0, ho, th):
            for ow0 in range(0, wo, tw):
                rows = [oh * s - p + i * d for oh in range(oh0, min(oh0 + th, ho)) for i in range(k)]
                cols = [ow * s - p + j * d for ow in range(ow0, min(ow0 + tw, wo)) for j in range(k)]
                rr = [r for r in rows if 0 <= r < H]
                cc = [c for c in cols if 0 <= c < W]
                nr = max(rr) - min(rr) + 1 if rr else 0  # the contiguous box the DMA loads
                nc = max(cc) - min(cc) + 1 if cc else 0
                in_el += cin * nr * nc
                for co0 in range(0, cout, tco):
                    t = min(tco, cout - co0)
                    if not weights_resident:
                        w_el += t * wpc
                    sram = max(sram, sb * (cin * nr * nc + t * wpc) + sacc * t * th * tw)
    return in_el, w_el, sram


# -- direct conv -------------------------------------------------------------------------------------


def test_yolov8n_stem_hand_derived():
    # Conv(3, 16, k=3, s=2, p=1) on 640×640: H_out = (640 + 2 − 2 − 1)//2 + 1 = 320.
    c = npc.ops.conv2d(3, 16, 640, 640, 3, stride=2, dtype="fp16")
    assert c.out_shape == (1, 16, 320, 320)
    assert c.macs == 320 * 320 * 16 * 3 * 9 == 44_236_800
    assert c.flops == 2 * 44_236_800
    assert c.params == 16 * 3 * 9 == 432
    assert c.reads["dram"] == (3 * 640 * 640 + 432) * 2
    assert c.writes["dram"] == 16 * 320 * 320 * 2


def test_bias_adds_params_and_flops():
    c = npc.ops.conv2d(8, 4, 5, 5, 1, bias=True, dtype="int8")
    # 1×1: 25 outputs × 4 channels × 8 MACs = 800; bias: 4 params, 100 adds.
    assert (c.macs, c.flops, c.params) == (800, 1700, 36)


CASES = [
    # c_in, c_out, h, w, kernel, stride, padding, dilation, groups, batch
    (4, 6, 7, 5, (3, 3), (1, 1), (1, 1), (1, 1), 1, 1),
    (4, 6, 7, 6, (3, 2), (2, 1), (0, 1), (1, 2), 2, 2),
    (6, 6, 9, 8, (3, 3), (2, 2), (2, 2), (2, 2), 6, 1),   # depthwise, dilated
    (2, 4, 6, 6, (1, 1), (2, 2), (0, 0), (1, 1), 1, 1),   # 1×1 stride 2
    (3, 3, 5, 5, (5, 5), (1, 1), (0, 0), (1, 1), 3, 1),   # kernel = input
]


@pytest.mark.parametrize("case", CASES)
def test_macs_and_shape_match_brute_force_loop_nest(case):
    cin, cout, h, w, k, s, p, d, g, n = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, cin, h, w))
    wt = rng.standard_normal((cout, cin // g, *k))
    out, macs = brute_conv(x, wt, s, p, d, g)
    c = npc.ops.conv2d(cin, cout, h, w, k, s, p, d, groups=g, batch=n)
    assert c.macs == macs
    assert c.out_shape == out.shape
    assert c.params == wt.size
    # im2col: explicit matrix size, and im2col × weights reproduces the loop nest
    cols = [explicit_im2col(x[i], *k, s, p, d) for i in range(n)]
    c2 = npc.ops.conv2d_im2col(cin, cout, h, w, k, s, p, d, groups=g, batch=n)
    col_elems = sum(m.size for m in cols)
    assert c2.bytes - c.bytes == 2 * col_elems * 2  # written + read back, fp16
    kk = k[0] * k[1]
    cpg, opg = cin // g, cout // g
    for i in range(n):
        for gi in range(g):
            block = cols[i][gi * cpg * kk:(gi + 1) * cpg * kk]
            wmat = wt[gi * opg:(gi + 1) * opg].reshape(opg, -1)
            np.testing.assert_allclose((wmat @ block).reshape(opg, *out.shape[2:]),
                                       out[i, gi * opg:(gi + 1) * opg], rtol=1e-10, atol=1e-10)


def test_depthwise_is_groups_equal_channels():
    a = npc.ops.depthwise_conv2d(32, 20, 20, 3)
    b = npc.ops.conv2d(32, 32, 20, 20, 3, groups=32)
    assert (a.macs, a.params, a.bytes) == (b.macs, b.params, b.bytes) == (20 * 20 * 32 * 9, 288, a.bytes)


# -- im2col ------------------------------------------------------------------------------------------


def test_im2col_expansion_depends_on_stride():
    x = np.zeros((1, 16, 16))
    same_s1 = explicit_im2col(x, 3, 3, (1, 1), (1, 1), (1, 1))
    same_s2 = explicit_im2col(x, 3, 3, (2, 2), (1, 1), (1, 1))
    assert same_s1.size / x.size == 9.0            # 9·16·16 / (16·16)
    assert same_s2.size / x.size == 9 * 64 / 256    # 2.25, not 9
    f = formula("im2col_expansion")
    assert f(H=16, W=16, K_h=3, K_w=3, H_out=8, W_out=8) == 2.25
    lim = formula("im2col_expansion_large_map")
    Kh, Kw, S = (i.symbol for i in lim.symbols)
    assert sp.simplify(lim.expr - Kh * Kw / S**2) == 0


def test_im2col_on_chip_keeps_dram_as_direct():
    d = npc.ops.conv2d(16, 32, 20, 20, 3)
    c = npc.ops.conv2d_im2col(16, 32, 20, 20, 3, materialize="sram")
    assert c.bytes == d.bytes
    # 16·9 × 400 elements, fp16, written and read once each on chip
    assert c.reads["sram"] == c.writes["sram"] == 16 * 9 * 400 * 2


# -- tiled -------------------------------------------------------------------------------------------

TILE_CASES = [
    # cin, cout, H, W, k, s, p, d, groups, batch, th, tw, tco
    (3, 8, 12, 10, 3, 1, 1, 1, 1, 1, 4, 3, 8),
    (3, 8, 12, 10, 3, 1, 1, 1, 1, 2, 5, 4, 3),
    (4, 4, 11, 9, 3, 2, 1, 1, 4, 1, 2, 3, 1),
    (2, 6, 13, 13, 3, 1, 2, 2, 2, 1, 3, 5, 4),
    (4, 5, 9, 9, 1, 2, 0, 1, 1, 1, 2, 2, 5),
    (2, 3, 6, 6, 5, 1, 3, 1, 1, 1, 4, 4, 2),    # padding > halo at the border
]


@pytest.mark.parametrize("case", TILE_CASES)
def test_tiled_traffic_matches_tile_enumeration(case):
    cin, cout, H, W, k, s, p, d, g, n, th, tw, tco = case
    in_el, w_el, sram = brute_tiled(cin, cout, H, W, k, s, p, d, g, n, th, tw, tco)
    c = npc.ops.conv2d_tiled(cin, cout, H, W, k, s, p, d, g, batch=n, sram_bytes=sram,
                             tile_h=th, tile_w=tw, tile_cout=tco)
    direct = npc.ops.conv2d(cin, cout, H, W, k, s, p, d, g, batch=n)
    assert c.reads["dram"] == (in_el + w_el) * 2
    assert c.writes["dram"] == direct.writes["dram"]
    assert c.macs == direct.macs
    with pytest.raises(ValueError, match="sram_bytes"):
        npc.ops.conv2d_tiled(cin, cout, H, W, k, s, p, d, g, batch=n, sram_bytes=sram - 1,
                             tile_h=th, tile_w=tw, tile_cout=tco)


def test_tiled_hand_derived_interior():
    # 3×3, stride 1, 'same', 64→64 on 32×32 fp16, 8×8 output tiles, all C_out per tile.
    # Row tiles start at 0, 8, 16, 24: input rows [−1..8]→0..8 (9), [7..16] (10), [15..24] (10), [23..32]→..31 (9)
    rows = 9 + 10 + 10 + 9
    c = npc.ops.conv2d_tiled(64, 64, 32, 32, 3, sram_bytes=4 << 20, tile_h=8, tile_w=8)
    assert c.reads["dram"] == (64 * rows * rows + 64 * 64 * 9) * 2
    # the input is re-read 38²/32² ≈ 1.41× because of the halo overlap
    # working set: input 10·10·64, weights 64·64·9, outputs 8·8·64, fp16
    assert npc.ops.conv2d_tiled(64, 64, 32, 32, 3, sram_bytes=(6400 + 36864 + 4096) * 2, tile_h=8, tile_w=8)
    with pytest.raises(ValueError, match="too small"):
        npc.ops.conv2d_tiled(64, 64, 32, 32, 3, sram_bytes=(6400 + 36864 + 4096) * 2 - 1, tile_h=8, tile_w=8)
    # draft rule T_h·T_w·C_in·s = 8·8·64·2 = 8 KiB: far less than the 94,720 B needed
    f = formula("conv_tile_sram_draft")
    assert f(T_h=8, T_w=8, C_in=64, s=2) == 8192


def test_tiled_channel_tiling_rereads_weights():
    full = npc.ops.conv2d_tiled(16, 32, 16, 16, 3, sram_bytes=1 << 20, tile_h=4, tile_w=16)
    split = npc.ops.conv2d_tiled(16, 32, 16, 16, 3, sram_bytes=1 << 20, tile_h=4, tile_w=16, tile_cout=8)
    # 4 row tiles → weights (32·16·9 elements) read 4 times instead of once
    assert split.reads["dram"] - full.reads["dram"] == 3 * 32 * 16 * 9 * 2


def test_accumulator_dtype_enlarges_output_tile():
    args = dict(sram_bytes=1 << 20, tile_h=4, tile_w=4)
    need8 = 8 * 6 * 6 + 8 * 8 * 9 + 8 * 16        # int8 everything: 1,000 B
    need32 = 8 * 6 * 6 + 8 * 8 * 9 + 4 * 8 * 16   # int32 accumulators: 1,384 B
    npc.ops.conv2d_tiled(8, 8, 8, 8, 3, dtype="int8", **{**args, "sram_bytes": need8})
    with pytest.raises(ValueError):
        npc.ops.conv2d_tiled(8, 8, 8, 8, 3, dtype="int8", acc_dtype="int32", **{**args, "sram_bytes": need8})
    npc.ops.conv2d_tiled(8, 8, 8, 8, 3, dtype="int8", acc_dtype="int32", **{**args, "sram_bytes": need32})


def test_best_tile_is_the_brute_force_minimum():
    cin, cout, H, W = 4, 6, 10, 9
    sram = 900.0
    best = None
    for th, tw, tco in itertools.product(range(1, 11), range(1, 10), range(1, 7)):
        in_el, w_el, need = brute_tiled(cin, cout, H, W, 3, 1, 1, 1, 1, 1, th, tw, tco)
        if need <= sram:
            traffic = (in_el + w_el + cout * H * W) * 2
            best = traffic if best is None else min(best, traffic)
    choice = C.conv2d_best_tile(cin, cout, H, W, 3, sram_bytes=sram)
    assert choice.dram_bytes == best
    assert choice.sram_bytes <= sram
    assert choice.cost.bytes == best


@settings(max_examples=25, deadline=None)
@given(cin=st.integers(1, 6), cout=st.integers(1, 6), hw=st.integers(3, 9), k=st.sampled_from([1, 3]),
       s=st.integers(1, 2), sram=st.floats(200, 4000), extra=st.floats(1, 3))
def test_best_tile_traffic_never_grows_with_sram(cin, cout, hw, k, s, sram, extra):
    try:
        small = C.conv2d_best_tile(cin, cout, hw, hw, k, s, sram_bytes=sram)
    except ValueError:
        return
    big = C.conv2d_best_tile(cin, cout, hw, hw, k, s, sram_bytes=sram * extra)
    assert big.dram_bytes <= small.dram_bytes
    assert small.dram_bytes >= npc.ops.conv2d(cin, cout, hw, hw, k, s).writes["dram"]


def test_one_tile_covering_everything_equals_direct_at_stride_one():
    d = npc.ops.conv2d(8, 8, 12, 12, 3)
    t = npc.ops.conv2d_tiled(8, 8, 12, 12, 3, sram_bytes=1 << 20, tile_h=12, tile_w=12)
    assert t.bytes == d.bytes


# -- intensity limits ---------------------------------------------------------------------------------


def test_conv1x1_intensity_limit():
    f = formula("conv1x1_intensity_limit")
    ci, co, s = (i.symbol for i in f.symbols)
    assert sp.simplify(f.expr - 2 * ci * co / ((ci + co) * s)) == 0
    # 256→512 fp16: 2·256·512/(768·2) = 170.67, not C_in = 256
    assert f(C_in=256, C_out=512, s=2) == pytest.approx(2 * 256 * 512 / (768 * 2))
    big = npc.ops.conv2d(256, 512, 2048, 2048, 1)
    assert big.intensity == pytest.approx(2 * 256 * 512 / (768 * 2), rel=1e-3)
    assert big.intensity < f(C_in=256, C_out=512, s=2)


def test_large_map_intensity_matches_model():
    f = formula("conv_intensity_large_map")
    c = npc.ops.conv2d(64, 128, 4096, 4096, 3, stride=2)
    # 2·64·128·9 / (2·(64·4 + 128)) = 147456 / 768 = 192
    assert f(C_in=64, C_out=128, K_h=3, K_w=3, S=2, G=1, s=2) == 192
    assert c.intensity == pytest.approx(192, rel=1e-3)


# -- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, match", [
    (dict(c_in=0), "c_in"),
    (dict(c_out=-3), "c_out"),
    (dict(h=0), "h"),
    (dict(kernel=0), "kernel"),
    (dict(kernel=2.5), "kernel"),
    (dict(kernel=(3, 3, 3)), "kernel"),
    (dict(stride=0), "stride"),
    (dict(padding=-1), "padding"),
    (dict(dilation=0), "dilation"),
    (dict(groups=3), "groups"),
    (dict(kernel=9, padding=0), "does not fit"),
    (dict(kernel=3, dilation=5, padding=0), "does not fit"),
    (dict(batch=0), "batch"),
    (dict(h=np.array([8, 16])), "single whole number"),
])
def test_bad_input(kwargs, match):
    args = dict(c_in=4, c_out=8, h=6, w=6)
    args.update(kwargs)
    for fn in (npc.ops.conv2d, npc.ops.conv2d_im2col):
        with pytest.raises(ValueError, match=match):
            fn(**args)
    with pytest.raises(ValueError, match=match):
        npc.ops.conv2d_tiled(**args, sram_bytes=1e9, tile_h=1, tile_w=1)


def test_bad_input_specific():
    with pytest.raises(KeyError, match="fp7"):
        npc.ops.conv2d(4, 4, 8, 8, dtype="fp7")
    with pytest.raises(ValueError, match="materialize"):
        npc.ops.conv2d_im2col(4, 4, 8, 8, materialize="l2")
    with pytest.raises(ValueError, match="tile_h"):
        npc.ops.conv2d_tiled(4, 4, 8, 8, sram_bytes=1e9, tile_h=9, tile_w=1)
    with pytest.raises(ValueError, match="tile_cout"):
        npc.ops.conv2d_tiled(4, 4, 8, 8, sram_bytes=1e9, tile_h=1, tile_w=1, tile_cout=0)
    with pytest.raises(ValueError, match="sram_bytes"):
        npc.ops.conv2d_tiled(4, 4, 8, 8, sram_bytes=0, tile_h=1, tile_w=1)
    with pytest.raises(ValueError, match="too small for any tile"):
        C.conv2d_best_tile(64, 64, 8, 8, 3, sram_bytes=100)
