"""Split-point latency of edge–cloud inference (Chapter 21 §21.4.1).

A chain of n layers is cut after k layers: layers 0..k-1 run on the edge, the tensor that
crosses the cut is sent over the link, layers k..n-1 run in the cloud, and (optionally) the
result returns. Edge and cloud work one after the other, so the latency is a sum.
"""

import sympy as sp

from ..registry import Topic
from .edgecloud_link import t_proc as _t_proc, t_prop as _t_prop, transfer as _transfer

t = Topic("edgecloud_split", section="21.4.1")
T_e = t.symbol("T_e", "edge compute time of the layers before the cut", "s", nonnegative=True, positive=None)
T_up = t.symbol("T_up", "transfer time of the crossing tensor (edge to cloud)", "s", nonnegative=True, positive=None)
T_c = t.symbol("T_c", "cloud compute time of the layers after the cut", "s", nonnegative=True, positive=None)
T_down = t.symbol("T_down", "return time of the result (cloud to edge; 0 if not returned)", "s",
                  nonnegative=True, positive=None)
E = t.symbol("E", "FLOPs of the layers before the cut (run on the edge)", "FLOP", nonnegative=True, positive=None)
F = t.symbol("F", "FLOPs of the whole chain", "FLOP")
P_e = t.symbol("P_e", "edge throughput", "FLOP/s")
P_c = t.symbol("P_c", "cloud throughput", "FLOP/s")
S = t.symbol("S", "payload", "B", nonnegative=True, positive=None)
B_eff = t.symbol("B_eff", "effective data rate for the payload", "bit/s")
L = t.symbol("L", "one-way latency of the access network (e.g. 5G user plane)", "s", nonnegative=True, positive=None)

SRC = "Kang et al., Neurosurgeon, ASPLOS 2017 (layer-wise partitioning); draft §21.4.1 objective"

total = t.formula("split_latency", T_e + T_up + T_c + T_down, unit="s",
                  description="end-to-end latency of one cut: edge compute + upload + cloud compute + return",
                  source=SRC, lhs=r"T(k)")

# Derived: FLOP-rate compute times and the link model (no propagation/processing terms).
_flops_form = total.expr.subs({
    T_e: E / P_e,
    T_c: (F - E) / P_c,
    T_up: _transfer.expr.subs({_t_prop: 0, _t_proc: 0}),
})
flops_form = t.formula("split_latency_flops", _flops_form, unit="s",
                       description="latency of one cut with compute time = FLOPs / throughput and transfer "
                                   "= L + 8·S/B_eff (S bytes cross the cut)",
                       source="derived: split_latency with T_e = E/P_e, T_c = (F-E)/P_c, T_up = link_transfer_time",
                       lhs=r"T(k)")

t.formula("split_latency_slope", sp.diff(flops_form.expr, E), unit="s/FLOP",
          description="change of latency per FLOP moved from cloud to edge at a fixed crossing payload: "
                      "positive whenever the edge is slower, so among cuts that send equal bytes the "
                      "earliest wins",
          source="derived: d split_latency_flops / dE", lhs=r"\partial T / \partial E")

X1 = t.symbol("X_1", "transfer time over link 1 (device to edge server)", "s", nonnegative=True, positive=None)
X2 = t.symbol("X_2", "transfer time over link 2 (edge server to cloud)", "s", nonnegative=True, positive=None)
T1 = t.symbol("T_1", "device compute time (layers before cut a)", "s", nonnegative=True, positive=None)
T2 = t.symbol("T_2", "edge-server compute time (layers a..b-1)", "s", nonnegative=True, positive=None)
T3 = t.symbol("T_3", "cloud compute time (layers from cut b on)", "s", nonnegative=True, positive=None)
t.formula("split_latency_3tier", T1 + X1 + T2 + X2 + T3, unit="s",
          description="device → edge server → cloud with two cuts a <= b: three compute parts and two transfers",
          source="sequential execution over three tiers (extends split_latency)", lhs=r"T(a, b)")
