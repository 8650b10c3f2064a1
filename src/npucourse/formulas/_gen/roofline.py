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


def roofline_time(*, P, B, F, Q):
    """execution time bound: max of compute time and memory time [s]: Max(Q/B, F/P)"""
    return numpy.maximum(Q/B, F/P)
