"""Generated from npucourse/formulas/defs/deploy_performance.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def batch_dram_bytes(*, B, Q_w, Q_a):
    """DRAM bytes of one batch: weights once (shared by all samples) + activations per sample [B]: B*Q_a + Q_w"""
    return B*Q_a + Q_w


def batch_dram_bytes_draft(*, B, Q_w, Q_a):
    """the draft's per-sample scaling B·(Q_w + Q_a): every sample re-reads the weights (wrong) [B]: B*(Q_a + Q_w)"""
    return B*(Q_a + Q_w)


def batch_throughput(*, B, T_B):
    """samples per second at batch B [1/s]: B/T_B"""
    return B/T_B


def batch_efficiency(*, T_1, T_B):
    """draft §21.2.4: Throughput(B) / (B·Throughput(1)) = T_1/T_B (1 while batching is free, 1/B once time grows linearly) [1]: T_1/T_B"""
    return T_1/T_B


def batch_ridge(*, Q_w, Q_a, F_1, P, BW):
    """batch at which compute time equals memory time; exists only while the per-sample activation intensity F_1/Q_a exceeds the ridge P/BW (denominator > 0) [1]: P*Q_w/(BW*F_1 - P*Q_a)"""
    return P*Q_w/(BW*F_1 - P*Q_a)


def padding_overhead(*, B, L_sum, L_max):
    """share of padded (wasted) tokens when every sequence is padded to the longest one [1]: 1 - L_sum/(B*L_max)"""
    return 1 - L_sum/(B*L_max)


def llm_latency_total(*, T_init, T_prefill, T_decode, N, T_post):
    """end-to-end LLM latency: init + prefill + N decode steps + post-processing [s]: N*T_decode + T_init + T_post + T_prefill"""
    return N*T_decode + T_init + T_post + T_prefill


def amdahl_speedup(*, p, s):
    """overall speed-up when a fraction p of the time is made s times faster [1]: 1/(-p + p/s + 1)"""
    return (-p + p/s + 1)**(-1.0)


def amdahl_limit(*, p):
    """upper bound of the overall speed-up as s -> oo: 1/(1 - p) [1]: 1/(1 - p)"""
    return (1 - p)**(-1.0)


def amdahl_time_saved(*, p, s, T):
    """end-to-end time saved: T·p·(1 - 1/s) (ranks optimisation candidates) [s]: T*p*(s - 1)/s"""
    return T*p*(s - 1)/s


def fallback_transfer_time(*, Q_in, Q_out, B_link, t_lat):
    """CPU fallback round trip: inputs over and outputs back, one fixed latency each way [s]: 2*t_lat + (Q_in + Q_out)/B_link"""
    return 2*t_lat + (Q_in + Q_out)/B_link


def init_load_time(*, Q_w, B_storage):
    """time to read the weights from storage into memory (the load term of T_init) [s]: Q_w/B_storage"""
    return Q_w/B_storage
