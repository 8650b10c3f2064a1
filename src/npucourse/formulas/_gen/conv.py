"""Generated from npucourse/formulas/defs/conv.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def conv_out_size(*, H, K_h, S, P, D):
    """output height (same rule for width) [1]: floor((-D*(K_h - 1) + H + 2*P - 1)/S) + 1"""
    return numpy.floor((-D*(K_h - 1) + H + 2*P - 1)/S) + 1


def conv_macs(*, C_in, C_out, K_h, K_w, G, H_out, W_out):
    """Conv2D multiply-accumulates [MAC]: C_in*C_out*H_out*K_h*K_w*W_out/G"""
    return C_in*C_out*H_out*K_h*K_w*W_out/G


def conv_flops(*, C_in, C_out, K_h, K_w, G, H_out, W_out):
    """Conv2D FLOPs, 2 per MAC (bias excluded) [FLOP]: 2*C_in*C_out*H_out*K_h*K_w*W_out/G"""
    return 2*C_in*C_out*H_out*K_h*K_w*W_out/G


def im2col_elements(*, C_in, K_h, K_w, H_out, W_out):
    """elements of the im2col matrix (C_in·K_h·K_w) × (H_out·W_out) [1]: C_in*H_out*K_h*K_w*W_out"""
    return C_in*H_out*K_h*K_w*W_out


def im2col_expansion(*, H, W, K_h, K_w, H_out, W_out):
    """im2col size over input size (→ K_h·K_w/S² for 'same' padding) [1]: H_out*K_h*K_w*W_out/(H*W)"""
    return H_out*K_h*K_w*W_out/(H*W)


def conv_tile_sram_bytes(*, C_in, s, T_h, T_w):
    """SRAM bytes of one input tile holding all input channels (draft's tiling rule) [B]: C_in*T_h*T_w*s"""
    return C_in*T_h*T_w*s
