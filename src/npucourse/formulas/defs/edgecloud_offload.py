"""Offloading decision with a weighted cost of latency, energy and price (Chapter 21 §21.4.3).

Three quantities in three units — seconds, joules of the device's battery, money — are made
comparable by dividing each by a reference value in its own unit and weighting the
dimensionless ratios. Local execution and full offload are the two end points of the split
model (``split_latency_flops`` with k = n and k = 0); the bandwidth at which offloading starts
to pay is solved for by sympy.
"""

import sympy as sp

from ..registry import Topic
from . import edgecloud_split as _sp

t = Topic("edgecloud_offload", section="21.4.3")
T = t.symbol("T", "end-to-end latency of one request", "s", nonnegative=True, positive=None)
En = t.symbol("E_dev", "device (battery) energy of one request", "J", nonnegative=True, positive=None)
C = t.symbol("C", "price paid for one request", "currency", nonnegative=True, positive=None)
w_t = t.symbol("w_t", "weight of latency", "1", nonnegative=True, positive=None)
w_e = t.symbol("w_e", "weight of device energy", "1", nonnegative=True, positive=None)
w_p = t.symbol("w_p", "weight of price", "1", nonnegative=True, positive=None)
T_ref = t.symbol("T_ref", "reference latency (e.g. the deadline)", "s")
E_ref = t.symbol("E_ref", "reference energy (e.g. the per-request energy budget)", "J")
C_ref = t.symbol("C_ref", "reference price (e.g. the per-request price budget)", "currency")

P_comp = t.symbol("P_comp", "device power while computing", "W")
P_tx = t.symbol("P_tx", "device power while transmitting", "W")
P_idle = t.symbol("P_idle", "device power while waiting for the cloud", "W")
t_comp = t.symbol("t_comp", "device compute time", "s", nonnegative=True, positive=None)
t_tx = t.symbol("t_tx", "device transmission time", "s", nonnegative=True, positive=None)
t_wait = t.symbol("t_wait", "device waiting time (latency, cloud compute, return)", "s", nonnegative=True,
                  positive=None)

p_req = t.symbol("p_req", "cloud price per request", "currency", nonnegative=True, positive=None)
p_s = t.symbol("p_s", "cloud price per second of cloud compute", "currency/s", nonnegative=True, positive=None)
p_B = t.symbol("p_B", "price per byte sent", "currency/B", nonnegative=True, positive=None)
t_cloud = t.symbol("t_cloud", "cloud compute time", "s", nonnegative=True, positive=None)

S = t.symbol("S", "payload", "B", nonnegative=True, positive=None)
F = t.symbol("F", "FLOPs of the whole chain", "FLOP")
P_e = t.symbol("P_e", "edge throughput", "FLOP/s")
P_c = t.symbol("P_c", "cloud throughput", "FLOP/s")
S_in = t.symbol("S_in", "input bytes sent by a full offload", "B")
B = t.symbol("B", "upload data rate", "bit/s")
L = t.symbol("L", "one-way latency of the access network (e.g. 5G user plane)", "s", nonnegative=True, positive=None)

cost = t.formula("offload_cost", w_t * T / T_ref + w_e * En / E_ref + w_p * C / C_ref, unit="1",
                 description="weighted cost: each term divided by a reference in its own unit (s, J, currency)",
                 source="draft §21.4.3 Cost(loc) with the units made consistent", lhs=r"J")
energy = t.formula("device_energy", P_comp * t_comp + P_tx * t_tx + P_idle * t_wait, unit="J",
                   description="device energy: compute, transmit and wait phases, each power × time",
                   source="phase-based energy model (as in Neurosurgeon, ASPLOS 2017, §4)", lhs=r"E_{\mathrm{dev}}")
price = t.formula("cloud_price", p_req + p_s * t_cloud + p_B * S, unit="currency",
                  description="cloud price: per request + per compute second + per byte",
                  source="draft §21.4.3 pricing items (per request, compute time, data volume)", lhs=r"C")

# End points of the split model, derived by substitution (no second copy of the latency).
_local_T = _sp.flops_form.expr.subs({_sp.E: _sp.F, _sp.S: 0, _sp.L: 0, _sp.T_down: 0})
_off_T = _sp.flops_form.expr.subs({_sp.E: 0, _sp.S: S_in, _sp.T_down: 0, _sp.B_eff: B})
assert {_sp.F, _sp.P_e, _sp.P_c, _sp.L} == {F, P_e, P_c, L}  # same sympy symbols in both topics
local_T = t.formula("local_latency", sp.simplify(_local_T), unit="s",
                    description="all layers on the device (split_latency_flops with k = n: nothing is sent)",
                    source="derived: split_latency_flops with E = F, S = 0, L = 0", lhs=r"T_{\mathrm{local}}")
off_T = t.formula("offload_latency", _off_T, unit="s",
                  description="full offload (split_latency_flops with k = 0: the input is sent)",
                  source="derived: split_latency_flops with E = 0, S = S_in", lhs=r"T_{\mathrm{off}}")



def _threshold(j_off: sp.Expr, j_local: sp.Expr) -> sp.Expr:
    """Solve j_off(B) = j_local for B; j_off = j_inf + a/B, so B* = a / (j_local - j_inf).

    Returned in that readable shape; the assertion proves it equals sympy's own solution.
    """
    roots = sp.solve(sp.Eq(j_off, j_local), B)
    assert len(roots) == 1
    a = sp.expand(-B**2 * sp.diff(j_off, B))
    j_inf = j_off.subs(B, sp.oo)  # every B-term is a/B, so this is the limit B → ∞
    shaped = a / (j_local - j_inf)
    assert sp.simplify(shaped - roots[0]) == 0
    return shaped


t.formula("offload_threshold_bandwidth", _threshold(off_T.expr, local_T.expr), unit="bit/s",
          description="upload rate above which full offload is faster than local execution "
                      "(meaningful only when the denominator F/P_e - F/P_c - L is positive)",
          source="derived: solve offload_latency = local_latency for B", lhs=r"B^{*}")

# Weighted version: energy of local = P_comp·T_local; of offload = P_tx·(8 S_in/B) + P_idle·(L + F/P_c).
_tx = 8 * S_in / B
_J_local = cost.expr.subs({T: local_T.expr, En: energy.expr.subs({t_comp: local_T.expr, t_tx: 0, t_wait: 0}),
                           C: 0})
_J_off = cost.expr.subs({T: off_T.expr,
                         En: energy.expr.subs({t_comp: 0, t_tx: _tx, t_wait: off_T.expr - _tx}),
                         C: price.expr.subs({t_cloud: F / P_c, S: S_in})})
t.formula("offload_threshold_bandwidth_weighted", _threshold(_J_off, _J_local), unit="bit/s",
          description="upload rate above which full offload has the lower weighted cost J "
                      "(meaningful only when the result is positive)",
          source="derived: solve J(offload) = J(local) for B with device_energy and cloud_price",
          lhs=r"B^{*}_{J}")
