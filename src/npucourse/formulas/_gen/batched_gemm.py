"""Generated from npucourse/formulas/defs/batched_gemm.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def bgemm_macs(*, b, M, N, K):
    """batched GEMM multiply-accumulates [MAC]: K*M*N*b"""
    return K*M*N*b


def bgemm_operand_bytes(*, M, N, K, s, u_A, u_B):
    """DRAM bytes of A and B reads [B]: s*(K*M*u_A + K*N*u_B)"""
    return s*(K*M*u_A + K*N*u_B)


def bgemm_output_bytes(*, b, M, N, s, s_acc, n_k):
    """DRAM bytes of C: final write plus partial-sum spills and reloads [B]: M*N*b*(s + s_acc*(2*n_k - 2))"""
    return M*N*b*(s + s_acc*(2*n_k - 2))


def bgemm_intensity_shared_b(*, b, M, N, K, s):
    """intensity with B shared and weight-stationary (B read once, no spills) [FLOP/B]: 2*K*M*N*b/(s*(K*(M*b + N) + M*N*b))"""
    return 2*K*M*N*b/(s*(K*(M*b + N) + M*N*b))


def bgemm_intensity_shared_b_limit(*, N, K, s):
    """its limit for a large batch: 2NK/((K+N)·s) — activations, not weights, then dominate [FLOP/B]: 2*K*N/(s*(K + N))"""
    return 2*K*N/(s*(K + N))


def bgemm_shared_reuse(*, b):
    """reads of a shared operand saved by keeping it stationary: b (Reuse_B = b) [1]: b"""
    return b


def bgemm_spill_factor(*, s, s_acc, n_k):
    """C traffic with n_k spilled passes over C traffic when C stays on chip [1]: (s + 2*s_acc*(n_k - 1))/s"""
    return (s + 2*s_acc*(n_k - 1))/s
