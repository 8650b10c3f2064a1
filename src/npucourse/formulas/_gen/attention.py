"""Generated from npucourse/formulas/defs/attention.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def attn_entries(*, N_q, N_kv, H):
    """score entries of all heads (no mask) [1]: H*N_kv*N_q"""
    return H*N_kv*N_q


def attn_entries_causal(*, N_q, N_kv, H):
    """unmasked score entries of all heads with a causal mask [1]: H*(N_q*(N_kv - N_q) + N_q*(N_q + 1)/2)"""
    return H*(N_q*(N_kv - N_q) + (1/2)*N_q*(N_q + 1))


def attn_macs(*, d, E):
    """MACs of S = QK^T and O = PV (d each per score entry) [MAC]: 2*E*d"""
    return 2*E*d


def attn_softmax_ops(*, E):
    """standard softmax: scale, max, subtract, exp, sum, divide per entry [FLOP]: 6*E"""
    return 6*E


def attn_flops(*, d, E):
    """standard attention FLOPs: 2 per MAC plus softmax [FLOP]: 4*E*d + 6*E"""
    return 4*E*d + 6*E


def flash_softmax_ops(*, d, E, n_v):
    """FlashAttention non-MAC ops: 5 per entry + (4d + 9) per row visit [FLOP]: 5*E + n_v*(4*d + 9)"""
    return 5*E + n_v*(4*d + 9)


def flash_rescale_overhead(*, d, E, n_v):
    """extra non-MAC ops of FlashAttention over standard softmax (online rescaling) [FLOP]: -E + 4*d*n_v + 9*n_v"""
    return -E + 4*d*n_v + 9*n_v


def attn_standard_reads(*, N_q, N_kv, d, H, H_kv, s):
    """bytes read: Q, K, V once; S (for softmax); P (for PV) [B]: s*(H*(2*N_kv*N_q + N_q*d) + 2*H_kv*N_kv*d)"""
    return s*(H*(2*N_kv*N_q + N_q*d) + 2*H_kv*N_kv*d)


def attn_standard_writes(*, N_q, N_kv, d, H, s):
    """bytes written: S, P and O [B]: H*s*(2*N_kv*N_q + N_q*d)"""
    return H*s*(2*N_kv*N_q + N_q*d)


def attn_score_bytes(*, N_q, N_kv, s):
    """one head's score matrix S (N_q x N_kv) in memory [B]: N_kv*N_q*s"""
    return N_kv*N_q*s


def flash_block_cols(*, d, M):
    """K/V block rows B_c = ceil(M / 4d) [1]: ceiling(M/(4*d))"""
    return numpy.ceil((1/4)*M/d)


def flash_block_rows(*, d, M):
    """Q block rows B_r = min(ceil(M / 4d), d) [1]: Min(d, ceiling(M/(4*d)))"""
    return numpy.minimum(d, numpy.ceil((1/4)*M/d))


def flash_kv_blocks(*, N_kv, d, M):
    """number of K/V blocks T_c = ceil(N_kv / B_c) [1]: ceiling(N_kv/ceiling(M/(4*d)))"""
    return numpy.ceil(N_kv/numpy.ceil((1/4)*M/d))


def flash_row_visits(*, N_q, N_kv, d, H, M):
    """query-row visits n_v without a mask: every Q row meets every K/V block [1]: H*N_q*ceiling(N_kv/ceiling(M/(4*d)))"""
    return H*N_q*numpy.ceil(N_kv/numpy.ceil((1/4)*M/d))


def flash_reads(*, N_kv, d, H_kv, n_v, s):
    """bytes read: K_j, V_j once (line 6); Q_i, O_i, l_i, m_i per visit (line 8) [B]: s*(2*H_kv*N_kv*d + n_v*(2*d + 2))"""
    return s*(2*H_kv*N_kv*d + n_v*(2*d + 2))


def flash_writes(*, N_q, d, H, n_v, s):
    """bytes written: O, l, m initialised (line 2); O_i, l_i, m_i per visit (13-14) [B]: s*(d + 2)*(H*N_q + n_v)"""
    return s*(d + 2)*(H*N_q + n_v)


def attn_standard_hbm_square(*, d, N):
    """standard attention HBM accesses (elements): Θ(Nd + N²) with its constants [1]: 4*N**2 + 4*N*d"""
    return 4*N**2 + 4*N*d


def attn_standard_intensity_square(*, d, s, N):
    """arithmetic intensity of standard attention, one head, N_q = N_kv = N [FLOP/B]: N*(2*d + 3)/(2*s*(N + d))"""
    return (1/2)*N*(2*d + 3)/(s*(N + d))


def attn_standard_intensity_limit(*, d, s):
    """upper bound of standard attention's intensity (it grows with N towards this) [FLOP/B]: (2*d + 3)/(2*s)"""
    return (1/2)*(2*d + 3)/s


def flash_hbm_square(*, d, M, N):
    """FlashAttention HBM accesses (elements), exact [1]: 3*N*d*ceiling(N/ceiling(M/(4*d))) + 3*N*d + 4*N*ceiling(N/ceiling(M/(4*d))) + 2*N"""
    return 3*N*d*numpy.ceil(N/numpy.ceil((1/4)*M/d)) + 3*N*d + 4*N*numpy.ceil(N/numpy.ceil((1/4)*M/d)) + 2*N


def flash_hbm_smooth(*, d, M, N):
    """FlashAttention HBM accesses with T_c = 4dN/M (no rounding) [1]: 3*N*d + 2*N + 12*N**2*d**2/M + 16*N**2*d/M"""
    return 3*N*d + 2*N + 12*N**2*d**2/M + 16*N**2*d/M


def flash_hbm_asymptotic(*, d, M, N):
    """FlashAttention HBM accesses, leading term [1]: 12*N**2*d**2/M"""
    return 12*N**2*d**2/M


def flash_breakeven_sram(*, d):
    """SRAM (elements) above which Flash moves fewer bytes for long sequences [1]: d*(3*d + 4)"""
    return d*(3*d + 4)


def flash_traffic_ratio_limit(*, d, B_c):
    """Flash over standard HBM traffic for long sequences (1 minus the saving) [1]: 3*d/(4*B_c) + 1/B_c"""
    return (3/4)*d/B_c + B_c**(-1.0)


def flash_single_block_breakeven_n(*, d):
    """with one K/V block (N <= B_c) Flash moves fewer bytes only for N above this [1]: d/2 + 3/2"""
    return (1/2)*d + 3/2


def online_softmax_max(*, m_old, m_blk):
    """running row maximum after one more block [1]: Max(m_blk, m_old)"""
    return numpy.maximum(m_blk, m_old)


def online_softmax_sum(*, m_old, m_blk, l_old, l_blk):
    """running sum of exponentials, rescaled to the new maximum [1]: l_blk*exp(m_blk - Max(m_blk, m_old)) + l_old*exp(m_old - Max(m_blk, m_old))"""
    return l_blk*numpy.exp(m_blk - numpy.maximum(m_blk, m_old)) + l_old*numpy.exp(m_old - numpy.maximum(m_blk, m_old))


def online_softmax_output(*, m_old, m_blk, l_old, l_blk, o_old, pv_blk):
    """running normalised output after one more block [1]: (l_old*o_old*exp(m_old - Max(m_blk, m_old)) + pv_blk*exp(m_blk - Max(m_blk, m_old)))/(l_blk*exp(m_blk - Max(m_blk, m_old)) + l_old*exp(m_old - Max(m_blk, m_old)))"""
    return (l_old*o_old*numpy.exp(m_old - numpy.maximum(m_blk, m_old)) + pv_blk*numpy.exp(m_blk - numpy.maximum(m_blk, m_old)))/(l_blk*numpy.exp(m_blk - numpy.maximum(m_blk, m_old)) + l_old*numpy.exp(m_old - numpy.maximum(m_blk, m_old)))
