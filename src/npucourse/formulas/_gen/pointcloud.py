"""Generated from npucourse/formulas/defs/pointcloud.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def grid_cells(*, L, v):
    """grid cells along an axis: round(extent / voxel size) [1]: floor(L/v + 1/2)"""
    return numpy.floor(L/v + 1/2)


def dense_conv_macs(*, N, K, V, C_in, C_out):
    """dense convolution over the whole grid (N/V output sites, K taps each) [MAC]: C_in*C_out*K*N/V"""
    return C_in*C_out*K*N/V


def subm_conv_macs(*, N_a, q, K, C_in, C_out):
    """expected submanifold sparse conv MACs: each active site meets itself and q·(K − 1) active neighbours [MAC]: C_in*C_out*N_a*(q*(K - 1) + 1)"""
    return C_in*C_out*N_a*(q*(K - 1) + 1)


def regular_sparse_conv_macs(*, N_a, K, V, C_in, C_out):
    """expected regular sparse conv MACs: each active input meets K/V outputs ((k/S)^d; 1.5³ = 3.375 for k = 3, S = 2 in 3-D) [MAC]: C_in*C_out*K*N_a/V"""
    return C_in*C_out*K*N_a/V


def regular_sparse_active_fraction(*, p, K):
    """active fraction of the outputs of a stride-1 regular sparse conv under uniform random occupancy p ≤ 1 (its window holds at least one active input) [1]: 1 - (1 - Min(1, p))**K"""
    return 1 - (1 - numpy.minimum(1, p))**K


def sparse_draft_macs(*, N, p, K, V, C_in, C_out):
    """the draft's rule: dense × (1 − sparsity)² with 1 − sparsity = p [MAC]: C_in*C_out*K*N*p**2/V"""
    return C_in*C_out*K*N*p**2/V


def subm_dense_ratio_uniform(*, p, K):
    """submanifold / dense MACs under uniform random occupancy: p(1 + (K − 1)p)/K [1]: p*(K*p - p + 1)/K"""
    return p*(K*p - p + 1)/K


def regular_dense_ratio(*, p):
    """regular sparse / dense MACs: exactly p, linear in the occupancy (not p²) [1]: p"""
    return p
