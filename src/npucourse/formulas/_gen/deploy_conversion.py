"""Generated from npucourse/formulas/defs/deploy_conversion.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def onnx_conv_out_size_pads(*, H, K_h, S, D, P_b, P_e):
    """ONNX Conv output height with asymmetric padding P_b (begin) and P_e (end) [1]: floor((-D*(K_h - 1) + H + P_b + P_e - 1)/S) + 1"""
    return numpy.floor((-D*(K_h - 1) + H + P_b + P_e - 1)/S) + 1


def onnx_same_out_size(*, H, S):
    """ONNX auto_pad SAME_UPPER / SAME_LOWER output height: ceil(H / S) [1]: ceiling(H/S)"""
    return numpy.ceil(H/S)


def onnx_same_total_pad(*, H, K_h, S, D):
    """total padding ONNX adds for SAME_*: (H_out-1)·S + D·(K-1) + 1 - H, at least 0; SAME_UPPER puts the odd element at the end, SAME_LOWER at the beginning [1]: Max(0, D*(K_h - 1) - H + S*(ceiling(H/S) - 1) + 1)"""
    return numpy.maximum(0, D*(K_h - 1) - H + S*(numpy.ceil(H/S) - 1) + 1)
