"""npc.deploy performance models: batching, LLM latency breakdown, Amdahl, conv roofline positions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc
from npucourse.cost import DRAM, Cost
from npucourse.hardware import Hardware, MemLevel
from npucourse.networks.llama import llama

# A toy device: 1000 FLOP/s, 100 B/s -> ridge 10 FLOP/B.
TOY = Hardware(name="toy", peak={"fp32": 1000.0}, levels=(MemLevel(DRAM, bandwidth=100.0),), source="test")


def sample(flops: float, qw: float = 1000.0, a_in: float = 100.0, a_out: float = 100.0) -> Cost:
    """One sample: reads weights qw + input a_in, writes a_out."""
    return Cost(name="s", flops=flops, reads={DRAM: qw + a_in}, writes={DRAM: a_out}, weight_bytes=qw,
                params=qw / 4, out_bytes=a_out, dtype="fp32")


# ---------------------------------------------------------------------------------------------
# batching
# ---------------------------------------------------------------------------------------------


def test_batch_cost_of_a_linear_layer_is_the_batched_gemm():
    # gemm(1, N, K) batched B times moves what gemm(B, N, K) moves: (B·K + K·N)·s read, B·N·s written
    for B in (1, 3, 16):
        a = npc.deploy.batch_cost(npc.ops.gemm(1, 512, 256, "fp16"), B)
        b = npc.ops.gemm(B, 512, 256, "fp16")
        assert a.bytes == b.bytes == (B * 256 + 256 * 512 + B * 512) * 2
        assert a.flops == b.flops and a.macs == b.macs


def test_weights_once_per_batch_by_hand():
    c = npc.deploy.batch_cost(sample(100.0), 4)
    assert c.reads[DRAM] == 1000 + 4 * 100 and c.writes[DRAM] == 4 * 100  # 1400 + 400
    s = npc.deploy.batch_sweep(sample(100.0), TOY, [1, 4])
    assert s.dram_bytes.tolist() == [1200.0, 1800.0]
    assert s.draft_dram_bytes.tolist() == [1200.0, 4 * 1200.0]  # the draft: weights per sample
    # T(B) = max(100B/1000, (1000 + 200B)/100) = 10 + 2B: T(1) = 12, T(4) = 18 (memory-bound)
    np.testing.assert_allclose(s.time_s, [12.0, 18.0])
    np.testing.assert_allclose(s.throughput, [1 / 12, 4 / 18])
    np.testing.assert_allclose(s.efficiency, [1.0, 12 / 18])
    np.testing.assert_allclose(s.draft_time_s, [12.0, 48.0])
    assert list(s.bound) == ["memory", "memory"]


def test_ridge_batch_by_hand():
    # F = 10000: compute 10B, memory 10 + 2B -> equal at B = 1.25 = P·Q_w/(BW·F − P·Q_a)
    assert npc.deploy.ridge_batch(sample(10_000.0), TOY) == pytest.approx(1.25)
    # F/Q_a = 100/200 = 0.5 below the ridge 10: batching never makes it compute-bound
    assert npc.deploy.ridge_batch(sample(100.0), TOY) == float("inf")
    s = npc.deploy.batch_sweep(sample(10_000.0), TOY, [1, 2])
    assert list(s.bound) == ["memory", "compute"]


def test_optimal_batch_by_hand():
    # T(B) = 10 + 2B <= 30 s -> B <= 10, and throughput grows with B: the answer is 10
    assert npc.deploy.optimal_batch(sample(100.0), TOY, 30.0, max_batch=64) == 10
    # memory: 1000 + 150·B <= 2000 -> B <= 6
    assert npc.deploy.optimal_batch(sample(100.0), TOY, 30.0, max_batch=64, memory_bytes=2000,
                                    per_sample_memory=150) == 6
    # compute-bound beyond B = 1.25: throughput saturates at P/F = 0.1/s; smallest B reaching it is 2
    assert npc.deploy.optimal_batch(sample(10_000.0), TOY, 1e9, max_batch=64) == 2


def test_padding_overhead_by_hand():
    assert npc.deploy.padding_overhead_of([2, 4, 6, 8]) == pytest.approx(1 - 20 / 32)
    assert npc.deploy.padding_overhead_of([5, 5, 5]) == 0.0


def test_padded_batch_by_hand():
    # lengths 2, 4, 6, 8 -> 4 sequences padded to 8 = 32 tokens, 20 real. Per token on TOY:
    # T = max(100·32/1000, (1000 + 200·32)/100) = max(3.2, 74) = 74 s
    pb = npc.deploy.padded_batch(sample(100.0), TOY, [2, 4, 6, 8])
    assert pb.time_s == pytest.approx(74.0)
    assert pb.useful_tokens_per_s == pytest.approx(20 / 74) and pb.padded_tokens_per_s == pytest.approx(32 / 74)
    assert pb.overhead == pytest.approx(12 / 32)


@settings(max_examples=60, deadline=None)
@given(f=st.floats(1.0, 1e6), qw=st.floats(0.0, 1e6), qa=st.floats(1.0, 1e5))
def test_batching_monotone_and_never_above_draft(f, qw, qa):
    c = sample(f, qw, qa / 2, qa / 2)
    s = npc.deploy.batch_sweep(c, TOY, np.arange(1, 33))
    assert np.all(np.diff(s.time_s) >= -1e-12 * s.time_s[1:])
    assert np.all(np.diff(s.throughput) >= -1e-12 * s.throughput[1:])
    assert np.all(s.dram_bytes <= s.draft_dram_bytes * (1 + 1e-12))
    assert s.dram_bytes[0] == pytest.approx(s.draft_dram_bytes[0])


def test_llama_decode_batching_matches_the_batched_model():
    # The LLM model's own batch argument reads the weights once per step; batch_cost agrees when
    # told the weight bytes actually read: LLaMA's embedding table (V·d·s) is stored but each
    # sequence reads only its own token's row, which is per-sample traffic.
    m = llama("7b")
    one, eight = m.decode(512, 1), m.decode(512, 8)
    read_w = float(one.weight_bytes) - 32000 * 4096 * 2
    assert npc.deploy.batch_cost(one, 8, weight_bytes=read_w).bytes == pytest.approx(eight.bytes, rel=1e-12)


def test_batching_bad_inputs():
    with pytest.raises(ValueError, match="batch"):
        npc.deploy.batch_cost(sample(1.0), 0)
    with pytest.raises(ValueError, match="weight_bytes"):
        npc.deploy.batch_cost(sample(1.0), 2, weight_bytes=5000)
    with pytest.raises(ValueError, match="Cost"):
        npc.deploy.batch_cost("not a cost", 2)
    with pytest.raises(ValueError, match="batches"):
        npc.deploy.batch_sweep(sample(1.0), TOY, [])
    with pytest.raises(ValueError, match="no batch size fits"):
        npc.deploy.optimal_batch(sample(100.0), TOY, 1.0)
    with pytest.raises(ValueError, match="both"):
        npc.deploy.optimal_batch(sample(100.0), TOY, 30.0, memory_bytes=10)
    with pytest.raises(ValueError, match="lengths"):
        npc.deploy.padding_overhead_of([])
    with pytest.raises(ValueError, match="lengths"):
        npc.deploy.padding_overhead_of([3, 0])


# ---------------------------------------------------------------------------------------------
# LLM latency
# ---------------------------------------------------------------------------------------------

EDGE = npc.hardware.get("edge-gpu")


def test_decode_step_costs_equal_direct_decode():
    m = llama("7b")
    ctx = np.array([100, 101, 250, 777])
    c = npc.deploy.decode_step_costs(m, ctx)
    for i, n in enumerate(ctx):
        d = m.decode(int(n))
        assert c.flops[i] == pytest.approx(d.flops, rel=1e-12)
        assert c.bytes[i] == pytest.approx(d.bytes, rel=1e-12)
        assert c.macs[i] == pytest.approx(d.macs, rel=1e-12)


def test_llm_latency_by_hand():
    m = llama("7b")
    b = npc.deploy.llm_latency(m, EDGE, prompt=128, new_tokens=5, storage_bandwidth=2e9, post_s=1e-3)
    # init: 6,738,415,616 params × 2 B / 2 GB/s
    assert b.init_s == pytest.approx(6_738_415_616 * 2 / 2e9)
    # 4 decode steps at contexts 129..132, each memory-bound: bytes / 25.6 GB/s
    assert b.decode_steps == 4
    want = [m.decode(c).bytes / 25.6e9 for c in range(129, 133)]
    np.testing.assert_allclose(b.decode_step_s, want, rtol=1e-12)
    assert b.decode_bound == "memory"
    # prefill of 128 tokens: 2·params·128 FLOPs ≫ ridge·bytes -> compute-bound on edge-gpu (fp16 2 TFLOPS)
    assert b.prefill_bound == "compute"
    assert b.prefill_s == pytest.approx(m.prefill(128).flops / 2e12)
    assert b.total_s == pytest.approx(b.init_s + b.prefill_s + sum(want) + 1e-3)
    assert sum(b.shares.values()) == pytest.approx(1.0)


def test_decode_time_is_weight_bytes_over_bandwidth():
    # batch-1 decode reads every weight once: at context 512 the step takes ~ weight bytes / BW
    # (KV cache and activations add 2-3 %)
    m = llama("7b")
    t = npc.deploy.llm_latency(m, EDGE, prompt=511, new_tokens=2).decode_step_s[0]
    assert 1.0 < t / (m.weight_bytes / 25.6e9) < 1.05


def test_op_shares_decode_follow_weight_bytes():
    # Memory-bound decode: shares ≈ bytes shares. Per layer QKV 3d², O d², FFN 3·d·ff weights;
    # plus the LM head V·d. d = 4096, ff = 11008, V = 32000, L = 32.
    d, ff, V, L = 4096, 11008, 32000, 32
    total = L * (3 * d * d + d * d + 3 * d * ff) + V * d
    s = npc.deploy.op_shares("7b", EDGE, "decode", tokens=512)
    assert sum(s.values()) == pytest.approx(1.0)
    assert s["ffn"] == pytest.approx(L * 3 * d * ff / total, abs=0.02)
    assert s["qkv_proj"] == pytest.approx(L * 3 * d * d / total, abs=0.01)
    assert s["attention"] < 0.03  # Q·Kᵀ, softmax, P·V over 512 cached positions


def test_amdahl_by_hand():
    assert npc.deploy.amdahl(0.5, 2) == pytest.approx(4 / 3)    # 1/(0.5 + 0.25)
    assert npc.deploy.amdahl(0.0, 10) == 1.0
    assert npc.deploy.amdahl(1.0, 4) == pytest.approx(4.0)
    assert npc.deploy.amdahl_max(0.5) == pytest.approx(2.0)
    assert npc.deploy.amdahl_max(1.0) == float("inf")
    np.testing.assert_allclose(npc.deploy.amdahl([0.2, 0.8], 4), [1 / (0.8 + 0.05), 1 / (0.2 + 0.2)])


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0, 1), s1=st.floats(0.01, 1e3), s2=st.floats(0.01, 1e3))
def test_amdahl_monotone_and_bounded(p, s1, s2):
    lo, hi = sorted((s1, s2))
    assert npc.deploy.amdahl(p, lo) <= npc.deploy.amdahl(p, hi) * (1 + 1e-12)
    assert npc.deploy.amdahl(p, hi) <= npc.deploy.amdahl_max(p) * (1 + 1e-12)


def test_optimization_priority_by_hand():
    r = npc.deploy.optimization_priority({"attn": 1.0, "ffn": 3.0, "other": 1.0}, {"attn": 4.0, "ffn": 2.0})
    # saved = T·p·(1 − 1/s): ffn 5·0.6·0.5 = 1.5 s, attn 5·0.2·0.75 = 0.75 s
    assert [x.name for x in r] == ["ffn", "attn"]
    assert r[0].time_saved_s == pytest.approx(1.5) and r[1].time_saved_s == pytest.approx(0.75)
    assert r[0].overall_speedup == pytest.approx(1 / (0.4 + 0.3))


def test_latency_bad_inputs():
    with pytest.raises(ValueError, match="p must lie"):
        npc.deploy.amdahl(1.5, 2)
    with pytest.raises(ValueError, match="s must be.*> 0"):
        npc.deploy.amdahl(0.5, 0)
    with pytest.raises(KeyError, match="gpu"):
        npc.deploy.optimization_priority({"attn": 1.0}, {"gpu": 2.0})
    with pytest.raises(ValueError, match="at least one"):
        npc.deploy.optimization_priority({}, {})
    with pytest.raises(ValueError, match="not both"):
        npc.deploy.llm_latency("7b", EDGE, 8, 2, init_s=1.0, storage_bandwidth=1e9)
    with pytest.raises(ValueError, match="new_tokens"):
        npc.deploy.llm_latency("7b", EDGE, 8, 0)
    with pytest.raises(KeyError, match="7b"):
        npc.deploy.llm_latency("8b", EDGE, 8, 2)
    with pytest.raises(ValueError, match="phase"):
        npc.deploy.op_shares("7b", EDGE, "train")
    with pytest.raises(ValueError, match="model must"):
        npc.deploy.llm_latency(42, EDGE, 8, 2)


# ---------------------------------------------------------------------------------------------
# exercise 21.2: 1×1 and 3×3 convolutions on the edge GPU
# ---------------------------------------------------------------------------------------------


def test_edge_gpu_ridge():
    assert EDGE.ridge_point("fp32") == pytest.approx(1e12 / 25.6e9) == pytest.approx(39.0625)


def test_conv_intensity_by_hand():
    # 1×1, 64->64, 56×56, fp32: FLOPs 2·3136·64·64; bytes 4·(64·3136 in + 64·64 weights + 64·3136 out)
    r1 = npc.deploy.conv_bound(EDGE, 64, 64, 56, 56, kernel=1)
    assert r1.intensity == pytest.approx(2 * 3136 * 64 * 64 / (4 * (2 * 64 * 3136 + 64 * 64)))  # 15.84
    assert r1.bound == "memory"
    r3 = npc.deploy.conv_bound(EDGE, 64, 64, 56, 56, kernel=3)
    assert r3.intensity == pytest.approx(9 * 2 * 3136 * 64 * 64 / (4 * (2 * 64 * 3136 + 9 * 64 * 64)))  # 131.9
    assert r3.bound == "compute"
    # the draft's "AI ≈ 2 and ≈ 18" is what 8 channels give
    r1_8, r3_8 = (npc.deploy.conv_bound(EDGE, 8, 8, 56, 56, kernel=k) for k in (1, 3))
    assert r1_8.intensity == pytest.approx(2 * 3136 * 64 / (4 * (2 * 8 * 3136 + 64)))      # 1.998
    assert r3_8.intensity == pytest.approx(9 * 2 * 3136 * 64 / (4 * (2 * 8 * 3136 + 576)))  # 17.80
    # with large weights and a small map a 3×3 conv is memory-bound too (512 ch at 7×7)
    assert npc.deploy.conv_bound(EDGE, 512, 512, 7, 7, kernel=3).bound == "memory"
