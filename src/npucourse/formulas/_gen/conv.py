"""Generated from npucourse/formulas/defs/conv.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def conv_out_size(*, H, K_h, S, P, D):
    """output height (same rule for width) [1]: floor((-D*(K_h - 1) + H + 2*P - 1)/S) + 1"""
    return numpy.floor((-D*(K_h - 1) + H + 2*P - 1)/S) + 1


def conv_input_row(*, S, P, D, h_o, k):
    """input row read by output row h_o at kernel tap k (negative or >= H: padding) [1]: D*k - P + S*h_o"""
    return D*k - P + S*h_o


def conv_macs(*, C_in, C_out, K_h, K_w, G, H_out, W_out):
    """Conv2D multiply-accumulates [MAC]: C_in*C_out*H_out*K_h*K_w*W_out/G"""
    return C_in*C_out*H_out*K_h*K_w*W_out/G


def conv_flops(*, C_in, C_out, K_h, K_w, G, H_out, W_out):
    """Conv2D FLOPs, 2 per MAC (bias excluded) [FLOP]: 2*C_in*C_out*H_out*K_h*K_w*W_out/G"""
    return 2*C_in*C_out*H_out*K_h*K_w*W_out/G


def conv_intensity(*, H, W, C_in, C_out, K_h, K_w, G, H_out, W_out, s):
    """direct conv intensity: input, weights read once, output written once (batch 1) [FLOP/B]: 2*C_in*C_out*H_out*K_h*K_w*W_out/(G*s*(C_in*C_out*K_h*K_w/G + C_in*H*W + C_out*H_out*W_out))"""
    return 2*C_in*C_out*H_out*K_h*K_w*W_out/(G*s*(C_in*C_out*K_h*K_w/G + C_in*H*W + C_out*H_out*W_out))


def conv_intensity_large_map(*, C_in, C_out, K_h, K_w, S, G, s):
    """conv intensity for H, W -> oo with H_out = H/S (weights amortised away) [FLOP/B]: 2*C_in*C_out*K_h*K_w/(G*s*(C_in*S**2 + C_out))"""
    return 2*C_in*C_out*K_h*K_w/(G*s*(C_in*S**2 + C_out))


def conv1x1_intensity_limit(*, C_in, C_out, s):
    """1×1 stride-1 conv intensity for large maps: 2·C_in·C_out/((C_in+C_out)·s), not C_in [FLOP/B]: 2*C_in*C_out/(s*(C_in + C_out))"""
    return 2*C_in*C_out/(s*(C_in + C_out))


def im2col_elements(*, C_in, K_h, K_w, H_out, W_out):
    """elements of the im2col matrix (C_in·K_h·K_w) × (H_out·W_out), per image [1]: C_in*H_out*K_h*K_w*W_out"""
    return C_in*H_out*K_h*K_w*W_out


def im2col_expansion(*, H, W, K_h, K_w, H_out, W_out):
    """im2col size over input size: K_h·K_w·H_out·W_out/(H·W) [1]: H_out*K_h*K_w*W_out/(H*W)"""
    return H_out*K_h*K_w*W_out/(H*W)


def im2col_expansion_large_map(*, K_h, K_w, S):
    """im2col expansion for large maps: K_h·K_w/S² (K_h·K_w only at stride 1) [1]: K_h*K_w/S**2"""
    return K_h*K_w/S**2


def conv_halo_extent(*, K_h, S, D, T_h):
    """input rows an output tile of T_h rows needs (same rule for columns) [1]: D*(K_h - 1) + S*(T_h - 1) + 1"""
    return D*(K_h - 1) + S*(T_h - 1) + 1


def conv_tile_sram_bytes(*, C_in, K_h, K_w, G, s, s_acc, T_h, T_w, T_co, X_h, X_w):
    """SRAM held by one tile: input halo tile (all C_in) + weights of T_co outputs + output tile [B]: T_co*T_h*T_w*s_acc + s*(C_in*X_h*X_w + C_in*K_h*K_w*T_co/G)"""
    return T_co*T_h*T_w*s_acc + s*(C_in*X_h*X_w + C_in*K_h*K_w*T_co/G)


def conv_tile_sram_bytes_square(*, C_in, K_h, K_w, S, D, G, s, s_acc, T_h, T_w, T_co):
    """conv_tile_sram_bytes with the halo written out (X_h, X_w from conv_halo_extent) [B]: T_co*T_h*T_w*s_acc + s*(C_in*(D*(K_h - 1) + S*(T_h - 1) + 1)*(D*(K_w - 1) + S*(T_w - 1) + 1) + C_in*K_h*K_w*T_co/G)"""
    return T_co*T_h*T_w*s_acc + s*(C_in*(D*(K_h - 1) + S*(T_h - 1) + 1)*(D*(K_w - 1) + S*(T_w - 1) + 1) + C_in*K_h*K_w*T_co/G)


def conv_tile_sram_draft(*, C_in, s, T_h, T_w):
    """the draft's tiling rule: T_h·T_w·C_in·s (input only, no halo, no weights, no outputs) [B]: C_in*T_h*T_w*s"""
    return C_in*T_h*T_w*s


def conv_tile_cout_max(*, C_in, K_h, K_w, G, s, s_acc, T_h, T_w, X_h, X_w, M_sram):
    """largest output-channel tile that fits M_sram next to the input tile (< 1: none fits) [1]: floor(G*(-C_in*X_h*X_w*s + M_sram)/(C_in*K_h*K_w*s + G*T_h*T_w*s_acc))"""
    return numpy.floor(G*(-C_in*X_h*X_w*s + M_sram)/(C_in*K_h*K_w*s + G*T_h*T_w*s_acc))


def conv_tiled_input_bytes(*, N, C_in, s, R_h, R_w):
    """DRAM bytes of input loaded: every spatial tile loads its clipped halo box, all C_in [B]: C_in*N*R_h*R_w*s"""
    return C_in*N*R_h*R_w*s


def conv_tiled_weight_bytes(*, N, C_in, C_out, K_h, K_w, G, H_out, W_out, s, T_h, T_w, T_co):
    """DRAM bytes of weights: once if all C_out fit one tile (resident), else once per spatial tile [B]: C_in*C_out*K_h*K_w*s*Piecewise((1, C_out <= T_co), (N*ceiling(H_out/T_h)*ceiling(W_out/T_w), True))/G"""
    return C_in*C_out*K_h*K_w*s*numpy.select([numpy.less_equal(C_out, T_co),True], [1,N*numpy.ceil(H_out/T_h)*numpy.ceil(W_out/T_w)], default=numpy.nan)/G


def conv_halo_reread(*, K_h, S, D, T_h):
    """input loaded / input size along one axis for large maps (-> 1 as T_h -> oo) [1]: (D*(K_h - 1) + S*(T_h - 1) + 1)/(S*T_h)"""
    return (D*(K_h - 1) + S*(T_h - 1) + 1)/(S*T_h)
