"""Generated from npucourse/formulas/defs/roofline.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def roofline_attainable(*, P, B, I):
    """attainable performance [FLOP/s]: Min(P, B*I)"""
    return numpy.minimum(P, B*I)


def roofline_ridge(*, P, B):
    """ridge point: intensity where the two ceilings meet [FLOP/B]: P/B"""
    return P/B


def roofline_compute_time(*, P, F):
    """compute time at peak [s]: F/P"""
    return F/P


def roofline_memory_time(*, B, Q):
    """time to move the bytes of one level [s]: Q/B"""
    return Q/B


def roofline_time(*, P, B, F, Q):
    """execution time bound: max of compute time and memory time [s]: Max(Q/B, F/P)"""
    return numpy.maximum(Q/B, F/P)


def roofline_time_two_level(*, P, B, F, Q, B_s, Q_s):
    """hierarchical roofline with one on-chip level and DRAM [s]: Max(Q/B, Q_s/B_s, F/P)"""
    return numpy.maximum(numpy.maximum(Q/B, Q_s/B_s), F/P)
