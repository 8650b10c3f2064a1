"""Roofline model (Chapter 2 §2.3.4; Williams, Waterman & Patterson, CACM 2009)."""

import sympy as sp

from ..registry import Topic

t = Topic("roofline", section="2.3.4")
P = t.symbol("P", "peak compute throughput", "FLOP/s")
B = t.symbol("B", "memory bandwidth", "B/s")
I = t.symbol("I", "arithmetic intensity", "FLOP/B")  # noqa: E741 (the conventional name)
F = t.symbol("F", "operations", "FLOP", nonnegative=True, positive=None)
Q = t.symbol("Q", "bytes moved", "B", nonnegative=True, positive=None)

SRC = "Williams, Waterman & Patterson, Roofline, CACM 52(4), 2009"
t.formula("roofline_attainable", sp.Min(P, I * B), unit="FLOP/s",
          description="attainable performance", source=SRC, lhs=r"P_{\mathrm{att}}")
t.formula("roofline_ridge", P / B, unit="FLOP/B",
          description="ridge point: intensity where the two ceilings meet", source=SRC,
          lhs=r"I_{\mathrm{ridge}}")
t.formula("roofline_time", sp.Max(F / P, Q / B), unit="s",
          description="execution time bound: max of compute time and memory time", source=SRC,
          lhs=r"T")
