"""Generated from npucourse/formulas/defs/fusion.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def bn_fold_weight(*, w, gamma, var, epsilon):
    """conv weight after folding the following BatchNorm: w·γ/√(σ²+ε) [1]: gamma*w/sqrt(epsilon + var)"""
    return gamma*w/numpy.sqrt(epsilon + var)


def bn_fold_bias(*, b, gamma, beta, mu, var, epsilon):
    """conv bias after folding the following BatchNorm: (b−μ)·γ/√(σ²+ε) + β [1]: beta + gamma*(b - mu)/sqrt(epsilon + var)"""
    return beta + gamma*(b - mu)/numpy.sqrt(epsilon + var)


def fusion_link_saved_bytes(*, B, kappa):
    """DRAM bytes a fused producer–consumer link saves: write and read of the intermediate [B]: B*(2 - kappa)"""
    return B*(2 - kappa)


def horizontal_fusion_saved_bytes(*, n, B_x):
    """DRAM bytes saved by reading a shared input once for n fused operators [B]: B_x*(n - 1)"""
    return B_x*(n - 1)


def pointwise_chain_saved_fraction(*, n):
    """fraction of DRAM traffic saved by fusing n same-size single-input operators [1]: (n - 1)/n"""
    return (n - 1)/n


def conv_bn_relu_saved_fraction(*, X, Y, P_e):
    """Conv-BN-ReLU fusion: 4·Y saved of X + 5·Y + parameters (2/3 only if X = Y, P_e → 0) [1]: 4*Y/(P_e + X + 5*Y)"""
    return 4*Y/(P_e + X + 5*Y)
