"""Generated from npucourse/formulas/defs/elementwise.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def elementwise_bytes(*, E, n_in, s):
    """DRAM bytes of an element-wise op: n_in inputs read, one output written [B]: E*s*(n_in + 1)"""
    return E*s*(n_in + 1)


def elementwise_flops(*, E, q):
    """operations of an element-wise op [FLOP]: E*q"""
    return E*q


def elementwise_intensity(*, n_in, q, s):
    """element-wise intensity q/((n_in+1)·s): below 1 for ReLU/add in fp16 or int8 [FLOP/B]: q/(s*(n_in + 1))"""
    return q/(s*(n_in + 1))


def batchnorm_flops(*, E):
    """BatchNorm inference: scale and shift per element [FLOP]: 2*E"""
    return 2*E


def batchnorm_prep_flops(*, C):
    """per-channel a = γ/√(σ²+ε), b = β − μ·a from the stored statistics [FLOP]: 5*C"""
    return 5*C


def batchnorm_intensity_limit(*, s):
    """BatchNorm intensity for large maps (parameters negligible): 1/s [FLOP/B]: 1/s"""
    return s**(-1.0)


def layernorm_flops(*, R, n, a):
    """LayerNorm operations: R rows of n, (5 + a)·n + 2 per row [FLOP]: R*(n*(a + 5) + 2)"""
    return R*(n*(a + 5) + 2)


def rmsnorm_flops(*, R, n, a):
    """RMSNorm operations: R rows of n, (3 + a)·n + 2 per row [FLOP]: R*(n*(a + 3) + 2)"""
    return R*(n*(a + 3) + 2)


def softmax_flops(*, R, n):
    """softmax operations: R rows of n, 5n − 2 per row (max, subtract, exp, sum, divide) [FLOP]: R*(5*n - 2)"""
    return R*(5*n - 2)


def layernorm_intensity_limit(*, s, a):
    """LayerNorm intensity for long rows (read once, write once, parameters negligible) [FLOP/B]: (a + 5)/(2*s)"""
    return (1/2)*(a + 5)/s


def rmsnorm_intensity_limit(*, s, a):
    """RMSNorm intensity for long rows (read once, write once, parameters negligible) [FLOP/B]: (a + 3)/(2*s)"""
    return (1/2)*(a + 3)/s


def softmax_intensity_limit(*, s):
    """softmax intensity for long rows (read once, write once, parameters negligible) [FLOP/B]: 5/(2*s)"""
    return (5/2)/s


def pool_flops(*, E, K_h, K_w, v):
    """pooling: K_h·K_w − 1 compares (max) or adds plus one divide (avg) per output [FLOP]: E*(K_h*K_w + v - 1)"""
    return E*(K_h*K_w + v - 1)


def pool_intensity_large_map(*, s, K_h, K_w, S_h, S_w, v):
    """pooling intensity for large maps (input = S_h·S_w × output elements) [FLOP/B]: (K_h*K_w + v - 1)/(s*(S_h*S_w + 1))"""
    return (K_h*K_w + v - 1)/(s*(S_h*S_w + 1))
