"""Generated from npucourse/formulas/defs/edgecloud_split.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def split_latency(*, T_e, T_up, T_c, T_down):
    """end-to-end latency of one cut: edge compute + upload + cloud compute + return [s]: T_c + T_down + T_e + T_up"""
    return T_c + T_down + T_e + T_up


def split_latency_flops(*, T_down, E, F, P_e, P_c, S, B_eff, L):
    """latency of one cut with compute time = FLOPs / throughput and transfer = L + 8·S/B_eff (S bytes cross the cut) [s]: E/P_e + L + T_down + (-E + F)/P_c + 8*S/B_eff"""
    return E/P_e + L + T_down + (-E + F)/P_c + 8*S/B_eff


def split_latency_slope(*, P_e, P_c):
    """change of latency per FLOP moved from cloud to edge at a fixed crossing payload: positive whenever the edge is slower, so among cuts that send equal bytes the earliest wins [s/FLOP]: 1/P_e - 1/P_c"""
    return P_e**(-1.0) - 1/P_c


def split_latency_3tier(*, X_1, X_2, T_1, T_2, T_3):
    """device → edge server → cloud with two cuts a <= b: three compute parts and two transfers [s]: T_1 + T_2 + T_3 + X_1 + X_2"""
    return T_1 + T_2 + T_3 + X_1 + X_2
