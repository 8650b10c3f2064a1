"""Generated from npucourse/formulas/defs/sparsity.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def sparse_weight_ratio(*, b, b_m):
    """compressed 2:4 weights (half the values + metadata) over dense weights [1]: (b + b_m)/(2*b)"""
    return (1/2)*(b + b_m)/b


def sparse_dram_bytes(*, b, b_m, Q, Q_w):
    """DRAM bytes after 2:4 compression of the weights [B]: Q - Q_w*(1 - (b + b_m)/(2*b))"""
    return Q - Q_w*(1 - 1/2*(b + b_m)/b)


def sparse_traffic_ratio(*, b, b_m, w):
    """sparse over dense DRAM traffic, q = 1 - w(1 - r) [1]: -w/2 + 1 + b_m*w/(2*b)"""
    return -1/2*w + 1 + (1/2)*b_m*w/b


def sparse_time(*, b, b_m, F, P, B, Q, Q_w):
    """2:4 sparse time: max(F/(2P), (Q - Q_w(1 - r))/B) [s]: Max((Q - Q_w*(1 - (b + b_m)/(2*b)))/B, F/(2*P))"""
    return numpy.maximum((1/2)*F/P, (Q - Q_w*(1 - 1/2*(b + b_m)/b))/B)


def sparse_speedup(*, q, I, R):
    """2:4 speed-up from dense intensity I, ridge R and traffic ratio q [1]: Max(1, I/R)/Max(q, I/(2*R))"""
    return numpy.maximum(1, I/R)/numpy.maximum(q, (1/2)*I/R)


def sparse_intensity(*, q, I):
    """intensity of the sparse operator (half the FLOPs over the compressed bytes) [FLOP/B]: I/(2*q)"""
    return (1/2)*I/q


def sparse_speedup_memory_bound(*, q):
    """speed-up of a memory-bound operator: the traffic ratio 1/q [1]: 1/q"""
    return q**(-1.0)


def sparse_speedup_mixed(*, q, I, R):
    """speed-up when the dense op is compute-bound but the sparse one memory-bound [1]: I/(R*q)"""
    return I/(R*q)


def sparse_speedup_max():
    """speed-up once compute-bound after sparsification [1]: 2"""
    return 2


def sparse_full_speedup_intensity(*, q, R):
    """dense intensity from which the full 2x speed-up holds [FLOP/B]: 2*R*q"""
    return 2*R*q
