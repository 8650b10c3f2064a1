"""Generated from npucourse/formulas/defs/edgecloud_offload.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def offload_cost(*, T, E_dev, C, w_t, w_e, w_p, T_ref, E_ref, C_ref):
    """weighted cost: each term divided by a reference in its own unit (s, J, currency) [1]: C*w_p/C_ref + E_dev*w_e/E_ref + T*w_t/T_ref"""
    return C*w_p/C_ref + E_dev*w_e/E_ref + T*w_t/T_ref


def device_energy(*, P_comp, P_tx, P_idle, t_comp, t_tx, t_wait):
    """device energy: compute, transmit and wait phases, each power × time [J]: P_comp*t_comp + P_idle*t_wait + P_tx*t_tx"""
    return P_comp*t_comp + P_idle*t_wait + P_tx*t_tx


def cloud_price(*, p_req, p_s, p_B, t_cloud, S):
    """cloud price: per request + per compute second + per byte [currency]: S*p_B + p_req + p_s*t_cloud"""
    return S*p_B + p_req + p_s*t_cloud


def local_latency(*, F, P_e):
    """all layers on the device (split_latency_flops with k = n: nothing is sent) [s]: F/P_e"""
    return F/P_e


def offload_latency(*, F, P_c, S_in, B, L):
    """full offload (split_latency_flops with k = 0: the input is sent) [s]: F/P_c + L + 8*S_in/B"""
    return F/P_c + L + 8*S_in/B


def offload_threshold_bandwidth(*, F, P_e, P_c, S_in, L):
    """upload rate above which full offload is faster than local execution (meaningful only when the denominator F/P_e - F/P_c - L is positive) [bit/s]: 8*S_in/(F/P_e - F/P_c - L)"""
    return 8*S_in/(F/P_e - F/P_c - L)


def offload_threshold_bandwidth_weighted(*, w_t, w_e, w_p, T_ref, E_ref, C_ref, P_comp, P_tx, P_idle, p_req, p_s, p_B, F, P_e, P_c, S_in, L):
    """upload rate above which full offload has the lower weighted cost J (meaningful only when the result is positive) [bit/s]: (8*S_in*w_t/T_ref + 8*P_tx*S_in*w_e/E_ref)/(F*w_t/(P_e*T_ref) - w_t*(F/P_c + L)/T_ref + F*P_comp*w_e/(E_ref*P_e) - P_idle*w_e*(F/P_c + L)/E_ref - w_p*(F*p_s/P_c + S_in*p_B + p_req)/C_ref)"""
    return (8*S_in*w_t/T_ref + 8*P_tx*S_in*w_e/E_ref)/(F*w_t/(P_e*T_ref) - w_t*(F/P_c + L)/T_ref + F*P_comp*w_e/(E_ref*P_e) - P_idle*w_e*(F/P_c + L)/E_ref - w_p*(F*p_s/P_c + S_in*p_B + p_req)/C_ref)
