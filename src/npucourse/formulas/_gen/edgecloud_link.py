"""Generated from npucourse/formulas/defs/edgecloud_link.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def link_effective_bandwidth(*, B, eta_p, eta_c, eta_s):
    """effective rate: nominal rate times protocol, congestion and signal factors [bit/s]: B*eta_c*eta_p*eta_s"""
    return B*eta_c*eta_p*eta_s


def link_transmission_time(*, B_eff, S):
    """transmission time of S bytes: 8·S bits at the effective rate [s]: 8*S/B_eff"""
    return 8*S/B_eff


def link_protocol_overhead_time(*, B, eta_p, eta_c, eta_s, S):
    """extra transmission time caused by protocol overhead (headers, acknowledgements): time at B_eff minus time at the rate without the protocol factor [s]: 8*S*(1 - eta_p)/(B*eta_c*eta_p*eta_s)"""
    return 8*S*(1 - eta_p)/(B*eta_c*eta_p*eta_s)


def link_propagation_time(*, d, v):
    """propagation time over distance d at speed v [s]: d/v"""
    return d/v


def link_transfer_time(*, B_eff, S, L, t_prop, t_proc):
    """one-way transfer time: access latency + propagation + processing + transmission [s]: L + t_proc + t_prop + 8*S/B_eff"""
    return L + t_proc + t_prop + 8*S/B_eff


def link_bdp_bytes(*, B_eff, L):
    """payload whose transmission time equals the latency L (bandwidth-delay product); smaller payloads are latency-bound, larger ones rate-bound [B]: B_eff*L/8"""
    return (1/8)*B_eff*L
