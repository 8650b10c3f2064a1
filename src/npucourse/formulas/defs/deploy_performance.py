"""Performance analysis for deployment (Chapter 21 §21.1.5, §21.2.4, §21.2.5).

Batching (§21.2.4): one batch of B samples reads the weights ONCE and the activations of every
sample, so the DRAM traffic is ``Q_w + B·Q_a`` — not ``B·(Q_w + Q_a)`` as the draft's
"BW_required(B) = B × BW_single" and "Working Set(B) = B × (Model Size + Activation Size)"
imply. Time then comes from the roofline (``roofline_time``), throughput is ``B/T(B)``.

Latency (§21.2.5): the end-to-end sum of init, prefill, decode steps and post-processing, and
Amdahl's law for the overall speed-up of accelerating one part.

CPU fallback (§21.1.5): tensor bytes cross the link once each way.
"""

import sympy as sp

from ..registry import Topic

t = Topic("deploy_performance", section="21.2.4")
B = t.symbol("B", "batch size (samples per batch)", "1", integer=True)
Qw = t.symbol("Q_w", "weight bytes read per batch", "B", nonnegative=True, positive=None)
Qa = t.symbol("Q_a", "activation bytes read and written per sample", "B", nonnegative=True, positive=None)
F1 = t.symbol("F_1", "operations per sample", "FLOP")
P = t.symbol("P", "peak compute throughput", "FLOP/s")
BW = t.symbol("BW", "memory bandwidth", "B/s")
T1 = t.symbol("T_1", "time of a batch of 1", "s")
TB = t.symbol("T_B", "time of a batch of B", "s")
Lsum = t.symbol("L_sum", "sum of the real sequence lengths in the batch", "token", integer=True)
Lmax = t.symbol("L_max", "longest sequence in the batch (every sample padded to it)", "token", integer=True)

batch_bytes = t.formula(
    "batch_dram_bytes", Qw + B * Qa, unit="B",
    description="DRAM bytes of one batch: weights once (shared by all samples) + activations per sample",
    source="derived: weights are shared across the batch (each weight tile is loaded once and used "
           "for all B samples)", lhs=r"Q(B)")
t.formula(
    "batch_dram_bytes_draft", B * (Qw + Qa), unit="B",
    description="the draft's per-sample scaling B·(Q_w + Q_a): every sample re-reads the weights (wrong)",
    source="draft §21.2.4 (BW_required(B) = B × BW_single; Working Set(B) = B × (Model + Activation))",
    lhs=r"Q_{\mathrm{draft}}(B)")
t.formula(
    "batch_throughput", B / TB, unit="1/s",
    description="samples per second at batch B", source="definition", lhs=r"\Theta(B)")
t.formula(
    "batch_efficiency", (B / TB) / (B * (1 / T1)), unit="1",
    description="draft §21.2.4: Throughput(B) / (B·Throughput(1)) = T_1/T_B (1 while batching is free, "
                "1/B once time grows linearly)", source="draft §21.2.4 definition", lhs=r"\eta(B)")
# Batch size where the batched roofline turns compute-bound: B·F_1/P = (Q_w + B·Q_a)/BW.
_bstar = sp.solve(sp.Eq(B * F1 / P, batch_bytes.expr / BW), B)
assert len(_bstar) == 1
t.formula(
    "batch_ridge", _bstar[0], unit="1",
    description="batch at which compute time equals memory time; exists only while the per-sample "
                "activation intensity F_1/Q_a exceeds the ridge P/BW (denominator > 0)",
    source="derived: solve B·F_1/P = (Q_w + B·Q_a)/BW for B", lhs=r"B^{*}")
t.formula(
    "padding_overhead", 1 - Lsum / (B * Lmax), unit="1",
    description="share of padded (wasted) tokens when every sequence is padded to the longest one",
    source="draft §21.2.4 (correct as written)", lhs=r"\mathrm{Padding}", section="21.2.4")

# -- latency and Amdahl (§21.2.5) ------------------------------------------------------------------
Ti = t.symbol("T_init", "initialisation time (load weights, build, warm up)", "s", nonnegative=True,
              positive=None)
Tp = t.symbol("T_prefill", "prefill time of the prompt", "s", nonnegative=True, positive=None)
Td = t.symbol("T_decode", "mean time of one decode step", "s", nonnegative=True, positive=None)
N = t.symbol("N", "generated tokens", "token", integer=True, nonnegative=True, positive=None)
Tpost = t.symbol("T_post", "post-processing time", "s", nonnegative=True, positive=None)
p = t.symbol("p", "fraction of the time that is accelerated (0..1)", "1")
sp_ = t.symbol("s", "speed-up of that fraction", "1")
T = t.symbol("T", "end-to-end time before the optimisation", "s")

t.formula("llm_latency_total", Ti + Tp + N * Td + Tpost, unit="s",
          description="end-to-end LLM latency: init + prefill + N decode steps + post-processing",
          source="draft §21.2.5 (T_total)", section="21.2.5", lhs=r"T_{\mathrm{total}}")
amdahl = t.formula("amdahl_speedup", 1 / ((1 - p) + p / sp_), unit="1",
                   description="overall speed-up when a fraction p of the time is made s times faster",
                   source="Amdahl, AFIPS 1967", section="21.2.5", lhs=r"S_{\mathrm{overall}}")
t.formula("amdahl_limit", sp.limit(amdahl.expr, sp_, sp.oo), unit="1",
          description="upper bound of the overall speed-up as s -> oo: 1/(1 - p)",
          source="derived: limit of amdahl_speedup", section="21.2.5", lhs=r"S_{\infty}")
t.formula("amdahl_time_saved", sp.simplify(T - T / amdahl.expr), unit="s",
          description="end-to-end time saved: T·p·(1 - 1/s) (ranks optimisation candidates)",
          source="derived: T - T/amdahl_speedup", section="21.2.5", lhs=r"\Delta T")

# -- CPU fallback (§21.1.5) ------------------------------------------------------------------------
Qin = t.symbol("Q_in", "bytes sent to the CPU (operator inputs)", "B", nonnegative=True, positive=None)
Qout = t.symbol("Q_out", "bytes sent back (operator outputs)", "B", nonnegative=True, positive=None)
Bl = t.symbol("B_link", "link bandwidth (PCIe, or memory copy on a shared-memory SoC)", "B/s")
tl = t.symbol("t_lat", "fixed latency of one transfer (launch, synchronisation)", "s", nonnegative=True,
              positive=None)
t.formula("fallback_transfer_time", (Qin + Qout) / Bl + 2 * tl, unit="s",
          description="CPU fallback round trip: inputs over and outputs back, one fixed latency each way",
          source="draft §21.1.5 (T_transfer = Size/Bandwidth), with both directions and per-transfer latency",
          section="21.1.5", lhs=r"T_{\mathrm{transfer}}")

# -- initialisation: weights from storage (§21.2.5) --------------------------------------------------
Bs = t.symbol("B_storage", "sustained read bandwidth of the storage holding the weights", "B/s")
t.formula("init_load_time", Qw / Bs, unit="s",
          description="time to read the weights from storage into memory (the load term of T_init)",
          source="draft §21.2.5 (T_init = T_load + ...), load term as bytes / bandwidth",
          section="21.2.5", lhs=r"T_{\mathrm{load}}")
