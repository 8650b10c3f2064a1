"""Attention cost models against brute force: explicit loop nests that count MACs, a numpy
simulation of FlashAttention's Algorithm 1 that counts HBM loads and stores, and the paper's
Theorem 2 (arXiv 2205.14135)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc
from npucourse.cost import DRAM
from npucourse.ops.attention import (
    attention,
    flash_attention,
    flash_block_sizes,
    kv_blocks,
    online_softmax,
    sram_elements,
)


def test_public_name_is_the_function():
    import npucourse.ops.attention  # noqa: F401  (what any user of the module's helpers does)

    assert npc.ops.attention is attention
    assert npc.ops.attention is attention  # second access


def visible(nq: int, nkv: int, causal: bool) -> np.ndarray:
    """Mask[i, j]: query i sees key j (causal: aligned bottom-right)."""
    i = np.arange(nq)[:, None]
    j = np.arange(nkv)[None, :]
    return (j <= i + (nkv - nq)) if causal else np.ones((nq, nkv), dtype=bool)


# -- MACs and operations, counted with loop nests -----------------------------------------------

@pytest.mark.parametrize("nq,nkv,d,h,hkv,causal", [
    (3, 3, 2, 1, 1, False), (4, 6, 3, 2, 1, False), (5, 5, 2, 2, 2, True), (2, 7, 3, 4, 2, True),
    (1, 4, 2, 1, 1, True),
])
def test_macs_and_flops_by_loop_nest(nq, nkv, d, h, hkv, causal):
    mask = visible(nq, nkv, causal)
    macs = ops = 0
    for _head in range(h):
        for i in range(nq):
            for j in range(nkv):
                if not mask[i, j]:
                    continue
                for _k in range(d):
                    macs += 1  # S[i, j] += Q[i, k] K[j, k]
                ops += 6  # scale, max, subtract, exp, sum, divide of S[i, j]
                for _k in range(d):
                    macs += 1  # O[i, k] += P[i, j] V[j, k]
    c = attention(nq, nkv, d, heads=h, kv_heads=hkv, causal=causal, batch=3)
    assert c.macs == 3 * macs
    assert c.flops == 3 * (2 * macs + ops)
    f = flash_attention(nq, nkv, d, heads=h, kv_heads=hkv, causal=causal, batch=3, sram_bytes=4096)
    assert f.macs == c.macs


def test_causal_halves_the_square_score_work():
    # N_q = N_kv = N: N(N+1)/2 unmasked entries per head instead of N².
    n, d = 1000, 64
    full = attention(n, n, d, heads=2)
    causal = attention(n, n, d, heads=2, causal=True)
    assert full.macs == 2 * 2 * n * n * d
    assert causal.macs == 2 * 2 * (n * (n + 1) // 2) * d
    # standard attention still writes and reads the full N×N matrices S and P
    assert causal.bytes == full.bytes
    # one decoding query sees the whole cache: the mask removes nothing
    assert attention(1, 500, 64, causal=True).macs == attention(1, 500, 64).macs


# -- standard attention traffic (Algorithm 0) ---------------------------------------------------

def test_standard_traffic_hand_derived():
    # One head, N = 1024, d = 64, fp16: read Q, K (2Nd); write S, read S, write P (3N²);
    # read P, V (N² + Nd); write O (Nd): 4Nd + 4N² elements of 2 bytes.
    n, d = 1024, 64
    c = attention(n, n, d, dtype="fp16")
    assert c.reads[DRAM] == 2 * (n * d + n * d + n * n + n * n + n * d)
    assert c.writes[DRAM] == 2 * (n * n + n * n + n * d)
    assert c.bytes == 2 * (4 * n * d + 4 * n * n) == 8_912_896
    assert c.out_shape == (1, 1, n, d)
    assert c.params == 0 and c.weight_bytes == 0


def test_grouped_query_reads_kv_once_per_kv_head():
    # 32 query heads, 8 K/V heads, N_q = 1 (decoding), N_kv = 4096, d = 128, fp16.
    nq, nkv, d = 1, 4096, 128
    mha = attention(nq, nkv, d, heads=32)
    gqa = attention(nq, nkv, d, heads=32, kv_heads=8)
    assert mha.reads[DRAM] - gqa.reads[DRAM] == 2 * (32 - 8) * 2 * nkv * d
    assert gqa.writes[DRAM] == mha.writes[DRAM] and gqa.macs == mha.macs
    assert attention(nq, nkv, d, heads=32, kv_heads=32).bytes == mha.bytes


def test_score_matrix_size_of_the_draft():
    # N = 2048, fp16: 2048² · 2 B = 8,388,608 B = 8 MiB = 8.39 MB, for one head of one sample.
    f = npc.formulas.get("attn_score_bytes")
    assert f(N_q=2048, N_kv=2048, s=2) == 8_388_608 == 8 * 1024**2


# -- FlashAttention: block sizes and a simulation of Algorithm 1 -----------------------------------

def test_block_sizes_exercise_2_5():
    # 96 KiB of fp16 = 49152 elements; B_c = ceil(49152 / (4·64)) = 192; B_r = min(192, 64) = 64.
    assert sram_elements(96 * 1024, "fp16") == 49152
    assert flash_block_sizes(96 * 1024, 64, "fp16") == (64, 192)
    # d = 128: ceil(49152/512) = 96 = B_c, B_r = min(96, 128) = 96
    assert flash_block_sizes(96 * 1024, 128, "fp16") == (96, 96)
    # fp32 halves M: ceil(24576 / 256) = 96
    assert flash_block_sizes(96 * 1024, 64, "fp32") == (64, 96)
    assert kv_blocks(4096, 64, 96 * 1024, "fp16") == 22  # ceil(4096 / 192)


def test_block_sizes_need_four_rows():
    assert flash_block_sizes(4 * 64 * 2, 64, "fp16") == (1, 1)  # M = 4d exactly
    with pytest.raises(ValueError, match="sram_bytes"):
        flash_block_sizes(4 * 64 * 2 - 1, 64, "fp16")


def simulate_algorithm1(nq, nkv, d, h, hkv, br, bc, causal, rng):
    """Run FlashAttention's Algorithm 1 in numpy on random Q, K, V and count HBM elements.

    Query heads of one K/V group are stacked head after head; fully masked (i, j) blocks are
    skipped. Returns (reads, writes, row_visits, entries, max abs error of O).
    """
    q = rng.standard_normal((h, nq, d))
    k = rng.standard_normal((hkv, nkv, d))
    val = rng.standard_normal((hkv, nkv, d))
    g = h // hkv
    mask = visible(nq, nkv, causal)
    reads = writes = visits = entries = 0
    err = 0.0
    for kvh in range(hkv):
        qp = q[kvh * g:(kvh + 1) * g].reshape(g * nq, d)
        pos = np.tile(np.arange(nq), g)
        nr = g * nq
        o = np.zeros((nr, d))
        ell = np.zeros(nr)
        m = np.full(nr, -np.inf)
        writes += o.size + ell.size + m.size  # line 2: initialise in HBM
        for j0 in range(0, nkv, bc):
            kj, vj = k[kvh, j0:j0 + bc], val[kvh, j0:j0 + bc]
            reads += kj.size + vj.size  # line 6
            for i0 in range(0, nr, br):
                rows = slice(i0, min(i0 + br, nr))
                vis = mask[pos[rows]][:, j0:j0 + bc]
                if not vis.any():
                    continue  # block entirely masked: skipped
                qi, oi, li, mi = qp[rows], o[rows], ell[rows], m[rows]
                reads += qi.size + oi.size + li.size + mi.size  # line 8
                visits += qi.shape[0]
                entries += int(vis.sum())
                s = np.where(vis, qi @ kj.T / math.sqrt(d), -np.inf)
                has = vis.any(axis=1)
                mt = np.where(has, s.max(axis=1), -np.inf)  # line 10
                p = np.where(vis, np.exp(s - np.where(has, mt, 0.0)[:, None]), 0.0)
                lt = p.sum(axis=1)
                mn = np.maximum(mi, mt)  # line 11
                a_old = np.exp(mi - mn)
                a_new = np.where(has, np.exp(np.where(has, mt, mn) - mn), 0.0)
                ln = a_old * li + a_new * lt
                o[rows] = ((li * a_old)[:, None] * oi + a_new[:, None] * (p @ vj)) / ln[:, None]  # line 12
                ell[rows], m[rows] = ln, mn
                writes += oi.size + li.size + mi.size  # lines 13-14
        for hh in range(g):  # check the result against softmax(QKᵀ/√d)V
            s = np.where(mask, q[kvh * g + hh] @ k[kvh].T / math.sqrt(d), -np.inf)
            p = np.exp(s - s.max(axis=1, keepdims=True))
            ref = (p / p.sum(axis=1, keepdims=True)) @ val[kvh]
            err = max(err, float(np.abs(o[hh * nq:(hh + 1) * nq] - ref).max()))
    return reads, writes, visits, entries, err


@pytest.mark.parametrize("nq,nkv,d,h,hkv,sram,causal", [
    (16, 16, 4, 1, 1, 2 * 64, False),     # M = 64: B_c = 4, B_r = 4
    (37, 50, 4, 1, 1, 2 * 100, False),    # M = 100: B_c = 7, B_r = 4; partial last blocks
    (37, 50, 8, 2, 1, 2 * 300, False),    # B_c = 10, B_r = 8; GQA group of 2
    (29, 29, 4, 1, 1, 2 * 64, True),      # causal, square
    (13, 40, 4, 4, 2, 2 * 100, True),     # causal, N_q < N_kv, GQA: blocks span head boundaries
    (1, 33, 8, 8, 1, 2 * 200, True),      # one decoding query, 8 heads on one K/V head
    (20, 20, 16, 1, 1, 2 * 64 * 20, True),  # one K/V block (T_c = 1)
])
def test_flash_traffic_equals_algorithm1_simulation(nq, nkv, d, h, hkv, sram, causal):
    br, bc = flash_block_sizes(sram, d, "fp16")
    reads, writes, visits, entries, err = simulate_algorithm1(
        nq, nkv, d, h, hkv, br, bc, causal, np.random.default_rng(nq * 1000 + nkv))
    assert err < 1e-12  # the simulation really computes attention
    c = flash_attention(nq, nkv, d, heads=h, kv_heads=hkv, dtype="fp16", sram_bytes=sram, causal=causal,
                        batch=2)
    assert c.reads[DRAM] == 2 * 2 * reads
    assert c.writes[DRAM] == 2 * 2 * writes
    # flops: 2 per MAC (2·d per entry), 5 per entry, 4d + 9 per row visit
    assert c.flops == 2 * (4 * d * entries + 5 * entries + (4 * d + 9) * visits)


def test_exercise_2_5_hand_derived():
    # d = 64, fp16, 96 KiB: B_c = 192. Standard = 2 B·(4Nd + 4N²);
    # Flash = 2 B·(2Nd + N(d + 2) + T_c·N(3d + 4)), T_c = ceil(N / 192).
    for n, tc in ((512, 3), (1024, 6), (2048, 11), (4096, 22)):
        std = attention(n, n, 64, dtype="fp16").bytes
        fl = flash_attention(n, n, 64, dtype="fp16", sram_bytes=96 * 1024).bytes
        assert std == 2 * (4 * n * 64 + 4 * n * n)
        assert fl == 2 * (2 * n * 64 + n * 66 + tc * n * 196)
    assert 1 - 800_768 / 2_359_296 == pytest.approx(0.66059, abs=1e-5)  # N = 512: 66 %, not 94 %


def test_flash_flops_overhead_hand_derived():
    # N = 512, d = 64, T_c = 3: standard non-MAC ops 6N², Flash 5N² + (4·64 + 9)·3N.
    n = 512
    std = attention(n, n, 64)
    fl = flash_attention(n, n, 64, sram_bytes=96 * 1024)
    assert fl.flops - std.flops == (5 * n * n + 265 * 3 * n) - 6 * n * n


# -- Theorem 2 and the exact boundary of "Flash moves fewer bytes" ---------------------------------

def elements(c):
    return c.bytes  # int8: one byte per element


def test_theorem2_constants_are_derived():
    assert npc.formulas.get("flash_hbm_asymptotic")(N=1000, d=64, M=49152) == pytest.approx(
        12 * 1000**2 * 64**2 / 49152)
    # hand: N(3d+4)·(4dN/M) + 2Nd + N(d+2) = (12d² + 16d)N²/M + 3Nd + 2N
    f = npc.formulas.get("flash_hbm_smooth")
    assert f(N=1000, d=64, M=49152) == pytest.approx((12 * 64**2 + 16 * 64) * 1000**2 / 49152 + 3000 * 64 + 2000)
    assert npc.formulas.get("attn_standard_hbm_square")(N=1000, d=64) == 4 * 1000 * 64 + 4 * 1000**2
    # N² coefficients equal: 4 = (12d² + 16d)/M  ->  M* = 3d² + 4d
    assert npc.formulas.get("flash_breakeven_sram")(d=64) == 3 * 64**2 + 4 * 64
    # long sequences: Flash/standard -> N(3d + 4)(N/B_c) / 4N² = (3d + 4)/(4B_c)
    assert npc.formulas.get("flash_traffic_ratio_limit")(d=64, B_c=192) == pytest.approx(196 / 768)
    # standard attention's intensity: (4N²d + 6N²) / (s(4Nd + 4N²)) -> (4d + 6)/(4s) as N grows
    i = npc.formulas.get("attn_standard_intensity_square")
    c = attention(1000, 1000, 64, dtype="fp16")
    assert i(N=1000, d=64, s=2) == pytest.approx((4 * 1000**2 * 64 + 6 * 1000**2) / (2 * (4 * 1000 * 64 + 4 * 1000**2)))
    assert c.intensity == pytest.approx(i(N=1000, d=64, s=2))
    assert npc.formulas.get("attn_standard_intensity_limit")(d=64, s=2) == (4 * 64 + 6) / 8
    # T_c = 1: N(6d + 6) = 4Nd + 4N²  ->  N* = (d + 3)/2
    assert npc.formulas.get("flash_single_block_breakeven_n")(d=64) == 33.5


@settings(max_examples=40)
@given(k=st.integers(1, 10_000), d=st.sampled_from([32, 64, 128, 256]), b=st.integers(8, 256))
def test_exact_count_against_the_asymptotic_form(k, d, b):
    # M = 4d·b gives B_c = b exactly; N = k·b gives T_c = k = 4dN/M exactly. Then
    # exact = N(3d + 4)·4dN/M + 3Nd + 2N, so exact / (12N²d²/M) = 1 + 4/(3d) + (3d + 2)M/(12Nd²):
    # the O(Nd) part vanishes as N grows and the leading constant is 12(1 + 4/(3d)) -> 12.
    m, n = 4 * d * b, k * b
    exact = npc.formulas.get("flash_hbm_square")(N=n, d=d, M=m)
    lead = npc.formulas.get("flash_hbm_asymptotic")(N=n, d=d, M=m)
    assert exact / lead == pytest.approx(1 + 4 / (3 * d) + (3 * d + 2) * m / (12 * n * d * d), rel=1e-12)


@given(d=st.integers(1, 256), extra=st.integers(0, 5000), n=st.integers(1, 5000))
def test_flash_beats_standard_with_enough_sram(d, extra, n):
    # Proven sufficient condition: B_c = ceil(M/4d) >= (3d + 4)/2 (e.g. M >= 2d(3d + 4)) and
    # N > (d + 3)/2. Then either T_c = 1 and 3d + 4 < 4N + d - 2, or T_c < 2N/B_c so that
    # T_c(3d + 4) < 4N; both give Flash < standard (elements: T_c(3d+4) < 4N + d - 2).
    m = 2 * d * (3 * d + 4) + extra
    std = elements(attention(n, n, d, dtype="int8"))
    fl = elements(flash_attention(n, n, d, dtype="int8", sram_bytes=m))
    if 2 * n > d + 3:
        assert fl < std
    else:  # small-N exception, for every M: N(6d + 6) >= 4Nd + 4N² when N <= (d + 3)/2
        assert fl >= std


@given(d=st.integers(1, 256), n=st.integers(1, 5000), m_frac=st.floats(0.0, 1.0))
def test_flash_saves_nothing_below_the_breakeven_sram(d, n, m_frac):
    # If 4·B_c <= 3d + 4 then T_c >= N/B_c >= 4N/(3d + 4), so Flash - standard
    # = N·(T_c(3d + 4) - 4N - d + 2) >= -N(d - 2): at most N(d - 2) elements saved, a share
    # (d - 2)/(4N + 4d) < 1/4 of standard, vanishing for N >> d. M = d² is in this regime.
    bc_max = (3 * d + 4) // 4
    m_hi = 4 * d * bc_max  # largest M with ceil(M/4d) <= bc_max
    m = max(4 * d, int(4 * d + m_frac * (m_hi - 4 * d)))
    if math.ceil(m / (4 * d)) > bc_max:
        return
    std = elements(attention(n, n, d, dtype="int8"))
    fl = elements(flash_attention(n, n, d, dtype="int8", sram_bytes=m))
    assert fl >= std - n * (d - 2)


def test_sram_of_d_squared_is_not_enough():
    # M = d² elements: ceil(d²/4d) = d/4 rows per K/V block: Flash moves more bytes than standard.
    for d in (16, 32, 64, 128):
        for n in (256, 1024, 4096):
            assert flash_attention(n, n, d, dtype="int8", sram_bytes=d * d).bytes > \
                attention(n, n, d, dtype="int8").bytes


@given(n=st.integers(1, 3000), d=st.sampled_from([16, 64, 128]), causal=st.booleans(),
       h=st.sampled_from([1, 4]), sram=st.integers(64 * 1024, 256 * 1024))
def test_flash_traffic_monotone_in_sram_and_causal_never_more(n, d, causal, h, sram):
    a = flash_attention(n, n, d, heads=h, causal=causal, sram_bytes=sram)
    b = flash_attention(n, n, d, heads=h, causal=causal, sram_bytes=2 * sram)
    assert b.bytes <= a.bytes
    assert flash_attention(n, n, d, heads=h, causal=True, sram_bytes=sram).bytes <= \
        flash_attention(n, n, d, heads=h, causal=False, sram_bytes=sram).bytes


def test_vectorised_equals_scalar():
    ns = np.array([1, 7, 128, 1000])
    v = flash_attention(ns, ns, 64, heads=2, sram_bytes=96 * 1024, causal=True)
    w = attention(ns, 2 * ns, 64, heads=2)
    for k, n in enumerate(ns):
        s = flash_attention(int(n), int(n), 64, heads=2, sram_bytes=96 * 1024, causal=True)
        assert v.bytes[k] == s.bytes and v.flops[k] == s.flops
        assert w.bytes[k] == attention(int(n), int(2 * n), 64, heads=2).bytes


# -- online softmax ------------------------------------------------------------------------------

@given(x=st.lists(st.floats(-700, 700, allow_nan=False), min_size=1, max_size=80),
       block=st.integers(1, 90))
def test_online_softmax_equals_softmax(x, block):
    a = np.asarray(x)
    ref = np.exp(a - a.max()) / np.exp(a - a.max()).sum()
    out = online_softmax(a, block)
    assert np.allclose(out, ref, rtol=1e-12, atol=1e-300)
    assert out.sum() == pytest.approx(1.0, rel=1e-12)


def test_online_softmax_recurrence_by_hand():
    # Blocks [1, 2] and [3]: after block 1, m = 2, l = e^-1 + 1; after block 2, m = 3,
    # l = e^(2-3)(e^-1 + 1) + 1 = e^-2 + e^-1 + 1.
    f_m, f_l = npc.formulas.get("online_softmax_max"), npc.formulas.get("online_softmax_sum")
    m1, l1 = 2.0, math.exp(-1) + 1
    assert f_m(m_old=m1, m_blk=3.0) == 3.0
    assert f_l(m_old=m1, m_blk=3.0, l_old=l1, l_blk=1.0) == pytest.approx(math.exp(-2) + math.exp(-1) + 1)
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    out = online_softmax(x, 2)
    assert out[0] == pytest.approx(np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    assert out[1] == pytest.approx([0.5, 0.5, 0.0])


def test_online_softmax_bad_input():
    with pytest.raises(ValueError, match="block"):
        online_softmax([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="x"):
        online_softmax([], 2)
    with pytest.raises(ValueError, match="finite"):
        online_softmax([1.0, np.nan], 2)


# -- bad input of the attention models ------------------------------------------------------------

@pytest.mark.parametrize("kwargs,param", [
    (dict(seq_q=0), "seq_q"), (dict(seq_kv=-3), "seq_kv"), (dict(d_head=1.5), "d_head"),
    (dict(heads=0), "heads"), (dict(batch=-1), "batch"), (dict(kv_heads=3), "kv_heads"),
    (dict(kv_heads=0), "kv_heads"), (dict(causal="yes"), "causal"),
    (dict(seq_q=10, seq_kv=5, causal=True), "seq_q"),
])
@pytest.mark.parametrize("fn", [attention, flash_attention])
def test_bad_input(fn, kwargs, param):
    args = dict(seq_q=8, seq_kv=8, d_head=64, heads=4)
    args.update(kwargs)
    with pytest.raises(ValueError, match=param):
        fn(**args)


def test_bad_dtype_and_sram():
    with pytest.raises(KeyError, match="fp7"):
        attention(8, 8, 64, dtype="fp7")
    with pytest.raises(ValueError, match="sram_bytes"):
        flash_attention(8, 8, 64, sram_bytes=0)
    with pytest.raises(ValueError, match="sram_bytes"):
        flash_attention(8, 8, 64, sram_bytes=100)
