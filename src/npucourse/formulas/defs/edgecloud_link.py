"""Network link between an edge device and the cloud (Chapter 21 §21.4.2).

A payload of S bytes crosses a link of nominal rate B [bit/s] derated by three factors in
(0, 1] (protocol efficiency, congestion, signal quality). Its one-way transfer time is the
fixed latency of the access network plus propagation, processing and transmission. Bytes
become bits with the one conversion factor of :mod:`npucourse.units` (8 bit per byte).
"""

import sympy as sp

from ...units import BITS_PER_BYTE
from ..registry import Topic

t = Topic("edgecloud_link", section="21.4.2")
B = t.symbol("B", "nominal data rate of the link in the direction of transfer", "bit/s")
eta_p = t.symbol("eta_p", "protocol efficiency (payload bits / bits on the air)", "1")
eta_c = t.symbol("eta_c", "congestion factor (share of the rate left to this flow)", "1")
eta_s = t.symbol("eta_s", "signal-quality factor (share of the rate at the current radio conditions)", "1")
B_eff = t.symbol("B_eff", "effective data rate for the payload", "bit/s")
S = t.symbol("S", "payload", "B", nonnegative=True, positive=None)
L = t.symbol("L", "one-way latency of the access network (e.g. 5G user plane)", "s",
             nonnegative=True, positive=None)
dist = t.symbol("d", "propagation distance beyond the access network", "m", nonnegative=True, positive=None)
v = t.symbol("v", "signal propagation speed", "m/s")
t_prop = t.symbol("t_prop", "propagation time", "s", nonnegative=True, positive=None)
t_proc = t.symbol("t_proc", "processing and queueing time per transfer", "s", nonnegative=True, positive=None)

BITS = sp.Integer(int(BITS_PER_BYTE))  # 8 bit per byte, the constant of npucourse.units
SRC = "textbook latency decomposition (Kurose & Ross, Computer Networking, §1.4); draft §21.4.2"

eff = t.formula("link_effective_bandwidth", B * eta_p * eta_c * eta_s, unit="bit/s",
                description="effective rate: nominal rate times protocol, congestion and signal factors",
                source="draft §21.4.2 (BW_effective)", lhs=r"B_{\mathrm{eff}}")
tx = t.formula("link_transmission_time", BITS * S / B_eff, unit="s",
               description="transmission time of S bytes: 8·S bits at the effective rate",
               source=SRC, lhs=r"t_{\mathrm{tx}}")
_t_full = tx.expr.subs(B_eff, eff.expr)
_t_no_protocol = tx.expr.subs(B_eff, eff.expr.subs(eta_p, 1))
t.formula("link_protocol_overhead_time", sp.simplify(_t_full - _t_no_protocol), unit="s",
          description="extra transmission time caused by protocol overhead (headers, acknowledgements): "
                      "time at B_eff minus time at the rate without the protocol factor",
          source="derived: link_transmission_time(B·η_p·η_c·η_s) - link_transmission_time(B·η_c·η_s)",
          lhs=r"t_{\mathrm{proto}}")
prop = t.formula("link_propagation_time", dist / v, unit="s",
                 description="propagation time over distance d at speed v", source=SRC, lhs=r"t_{\mathrm{prop}}")
transfer = t.formula("link_transfer_time", L + t_prop + t_proc + tx.expr, unit="s",
                     description="one-way transfer time: access latency + propagation + processing + transmission",
                     source=SRC, lhs=r"T_{\mathrm{transfer}}")

# Derived: the payload whose transmission time equals the fixed latency (bandwidth-delay product).
_S_star = sp.solve(sp.Eq(tx.expr, L), S)
assert len(_S_star) == 1
t.formula("link_bdp_bytes", _S_star[0], unit="B",
          description="payload whose transmission time equals the latency L (bandwidth-delay product); "
                      "smaller payloads are latency-bound, larger ones rate-bound",
          source="derived: solve 8·S/B_eff = L for S", lhs=r"S^{*}")
