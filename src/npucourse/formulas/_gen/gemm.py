"""Generated from npucourse/formulas/defs/gemm.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def gemm_macs(*, M, N, K):
    """GEMM multiply-accumulates [MAC]: K*M*N"""
    return K*M*N


def gemm_flops(*, M, N, K):
    """GEMM floating-point operations (2 per MAC) [FLOP]: 2*K*M*N"""
    return 2*K*M*N


def gemm_bytes(*, M, N, K, s):
    """DRAM bytes when A, B are read once and C written once [B]: s*(K*M + K*N + M*N)"""
    return s*(K*M + K*N + M*N)


def gemm_intensity(*, M, N, K, s):
    """GEMM arithmetic intensity [FLOP/B]: 2*K*M*N/(s*(K*M + K*N + M*N))"""
    return 2*K*M*N/(s*(K*M + K*N + M*N))


def gemm_intensity_square(*, K, s):
    """square GEMM (M = N = K) intensity, derived by sympy from gemm_intensity [FLOP/B]: 2*K/(3*s)"""
    return (2/3)*K/s
