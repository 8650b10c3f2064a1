"""Generated from npucourse/formulas/defs/bev.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def deform_attn_sampling_macs(*, N_q, D, L, P):
    """deformable-attention sampling: per query, head, level and point a bilinear interpolation (4 MACs) and a weighting (1 MAC) per channel of the head (H·d_h = D) [MAC]: 5*D*L*N_q*P"""
    return 5*D*L*N_q*P


def deform_attn_query_macs(*, N_q, D, H, L, P):
    """sampling offsets (2 per point) and attention weights (1 per point): linear layers on each query [MAC]: 3*D*H*L*N_q*P"""
    return 3*D*H*L*N_q*P


def sca_macs(*, N_pair, N_BEV, N_cam, T, D, H, L, P):
    """BEVFormer spatial cross-attention per encoder layer: value projection of every image token, offsets/weights and sampling per (query, camera) pair, output projection per BEV query [MAC]: D**2*N_BEV + D**2*N_cam*T + 3*D*H*L*N_pair*P + 5*D*L*N_pair*P"""
    return D**2*N_BEV + D**2*N_cam*T + 3*D*H*L*N_pair*P + 5*D*L*N_pair*P


def sca_macs_draft(*, N_BEV, N_cam, N_ref, D):
    """the draft's SCA complexity O(N_BEV·N_cam·N_ref·D²) taken literally [MAC]: D**2*N_BEV*N_cam*N_ref"""
    return D**2*N_BEV*N_cam*N_ref
