"""Roofline model (Chapter 2 §2.3.4; Williams, Waterman & Patterson, CACM 2009).

The hierarchical roofline takes the largest of the compute time and the memory time of every
level, ``T = max(F/P, Q_1/B_1, Q_2/B_2, ...)``; ``roofline_time`` is its one-level (classic) case
and ``roofline_time_two_level`` adds one on-chip level.
"""

import sympy as sp

from ..registry import Topic

t = Topic("roofline", section="2.3.4")
P = t.symbol("P", "peak compute throughput", "FLOP/s")
B = t.symbol("B", "memory bandwidth", "B/s")
I = t.symbol("I", "arithmetic intensity", "FLOP/B")  # noqa: E741 (the conventional name)
F = t.symbol("F", "operations", "FLOP", nonnegative=True, positive=None)
Q = t.symbol("Q", "bytes moved", "B", nonnegative=True, positive=None)
Bs = t.symbol("B_s", "bandwidth of an on-chip memory level", "B/s")
Qs = t.symbol("Q_s", "bytes moved at that on-chip level", "B", nonnegative=True, positive=None)

SRC = "Williams, Waterman & Patterson, Roofline, CACM 52(4), 2009"
HIER = ("hierarchical roofline, one ceiling per memory level: Yang, Kurth & Williams, Hierarchical "
        "Roofline Analysis for GPUs, Concurrency and Computation: Practice and Experience, 2020")
t.formula("roofline_attainable", sp.Min(P, I * B), unit="FLOP/s",
          description="attainable performance", source=SRC, lhs=r"P_{\mathrm{att}}")
t.formula("roofline_ridge", P / B, unit="FLOP/B",
          description="ridge point: intensity where the two ceilings meet", source=SRC,
          lhs=r"I_{\mathrm{ridge}}")
tc = t.formula("roofline_compute_time", F / P, unit="s", description="compute time at peak", source=SRC,
               lhs=r"T_{\mathrm{compute}}")
tm = t.formula("roofline_memory_time", Q / B, unit="s", description="time to move the bytes of one level",
               source=SRC, lhs=r"T_{\mathrm{mem}}")
t.formula("roofline_time", sp.Max(tc.expr, tm.expr), unit="s",
          description="execution time bound: max of compute time and memory time", source=SRC,
          lhs=r"T")
t.formula("roofline_time_two_level", sp.Max(tc.expr, tm.expr, tm.expr.subs({Q: Qs, B: Bs})), unit="s",
          description="hierarchical roofline with one on-chip level and DRAM", source=HIER,
          lhs=r"T_{\mathrm{hier}}")
