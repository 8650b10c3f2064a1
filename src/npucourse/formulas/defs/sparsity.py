"""2:4 structured sparsity on the roofline (Chapter 2 §2.3.4, exercise 2.6).

Source: Mishra et al., "Accelerating Sparse Deep Neural Networks", arXiv 2104.08378: in every
group of four weights two are kept; the kept values are stored compressed with a 2-bit index per
kept value (metadata), and sparse tensor cores run the remaining MACs at twice the dense math
throughput.

Model: a dense operator with F FLOPs that moves Q bytes through DRAM, Q_w of them weights
(share w = Q_w/Q). Sparse: weights shrink to the ratio r = (b + b_m)/(2b) of their dense size
(b bits per value, b_m metadata bits per kept value), and the math runs at 2P::

    T_dense  = max(F/P,     Q/B)                       (roofline_time)
    T_sparse = max(F/(2P), (Q − Q_w(1 − r))/B)

The speed-up S = T_dense/T_sparse depends only on the dense intensity relative to the ridge point
and on the traffic ratio q = 1 − w(1 − r); the derivation below is done by sympy.
"""

import sympy as sp

from ..registry import REGISTRY, Topic
from . import roofline as _roof

t = Topic("sparsity", section="2.3.4")
b = t.symbol("b", "bits per stored weight value", "bit")
bm = t.symbol("b_m", "metadata bits per kept value (2 for 2:4)", "bit")
F = t.symbol("F", "dense operations", "FLOP", nonnegative=True, positive=None)
P = t.symbol("P", "peak dense throughput", "FLOP/s")
B = t.symbol("B", "DRAM bandwidth", "B/s")
Q = t.symbol("Q", "dense DRAM bytes", "B")
Qw = t.symbol("Q_w", "dense weight bytes (part of Q)", "B", nonnegative=True, positive=None)
w = t.symbol("w", "weight share of the dense DRAM traffic, Q_w/Q", "1", nonnegative=True, positive=None)
q = t.symbol("q", "sparse over dense DRAM traffic", "1")
I = t.symbol("I", "dense arithmetic intensity F/Q", "FLOP/B")  # noqa: E741 (the usual name)
R = t.symbol("R", "ridge point P/B of the dense math", "FLOP/B")

SRC = "Mishra et al., Accelerating Sparse Deep Neural Networks, arXiv 2104.08378"

r = t.formula("sparse_weight_ratio", (b + bm) / (2 * b), unit="1", source=SRC,
              description="compressed 2:4 weights (half the values + metadata) over dense weights",
              lhs=r"r_{2:4}")
qs = t.formula("sparse_dram_bytes", Q - Qw * (1 - r.expr), unit="B", source=SRC,
               description="DRAM bytes after 2:4 compression of the weights", lhs=r"Q_{2:4}")
t.formula("sparse_traffic_ratio", sp.expand(sp.simplify(qs.expr.subs(Qw, w * Q) / Q)), unit="1",
          source="derived: sparse_dram_bytes / Q with Q_w = w·Q",
          description="sparse over dense DRAM traffic, q = 1 - w(1 - r)", lhs="q")

# The two times, from the roofline formula (not retyped): dense as is, sparse with F/2 and Q_2:4.
roof = REGISTRY["roofline_time"].expr
as_here = {_roof.F: F, _roof.P: P, _roof.B: B, _roof.Q: Q}
t_dense = roof.subs(as_here, simultaneous=True)
t_sparse = t.formula("sparse_time", roof.subs({_roof.F: F / 2, _roof.P: P, _roof.B: B, _roof.Q: qs.expr},
                                              simultaneous=True),
                     unit="s", source=SRC + "; roofline_time with half the math time",
                     description="2:4 sparse time: max(F/(2P), (Q - Q_w(1 - r))/B)", lhs=r"T_{2:4}")

# Speed-up: write F = I·Q, P = R·B and the sparse bytes as q·Q; both times carry the factor Q/B.
ratio = (t_dense / t_sparse.expr.subs(qs.expr, q * Q)).subs({F: I * Q}).subs({P: R * B})
c = Q / B
ratio = ratio.replace(lambda e: isinstance(e, sp.Max),
                      lambda e: c * sp.Max(*[sp.simplify(a / c) for a in e.args]))
S = sp.simplify(ratio)
t.formula("sparse_speedup", S, unit="1", source="derived: roofline_time / sparse_time",
          description="2:4 speed-up from dense intensity I, ridge R and traffic ratio q", lhs="S")
t.formula("sparse_intensity", sp.simplify((F / 2) / (q * Q)).subs(F, I * Q), unit="FLOP/B",
          source="derived: (F/2) / (q·Q)",
          description="intensity of the sparse operator (half the FLOPs over the compressed bytes)",
          lhs=r"I_{2:4}")

# Regions (q >= r > 1/2 for any b_m > 0, so I/(2R) <= 1/2 < q whenever I <= R):
#   I <= R           dense and sparse memory-bound:   S = 1/q
#   R < I <= 2qR     dense compute-, sparse memory-bound: S = I/(qR)
#   I >= 2qR         both compute-bound:              S = 2
dense_max, sparse_max = sp.Max(I / R, 1), sp.Max(I / (2 * R), q)
assert S == dense_max / sparse_max
t.formula("sparse_speedup_memory_bound", S.subs({dense_max: 1, sparse_max: q}), unit="1",
          source="derived: sparse_speedup with I <= R",
          description="speed-up of a memory-bound operator: the traffic ratio 1/q", lhs=r"S_{\mathrm{mem}}")
t.formula("sparse_speedup_mixed", S.subs({dense_max: I / R, sparse_max: q}), unit="1",
          source="derived: sparse_speedup with R < I <= 2qR",
          description="speed-up when the dense op is compute-bound but the sparse one memory-bound",
          lhs=r"S_{\mathrm{mixed}}")
t.formula("sparse_speedup_max", S.subs({dense_max: I / R, sparse_max: I / (2 * R)}), unit="1",
          source="derived: sparse_speedup with I >= 2qR", description="speed-up once compute-bound after sparsification",
          lhs=r"S_{\max}")
t.formula("sparse_full_speedup_intensity", sp.solve(sp.Eq(I / (2 * R), q), I)[0], unit="FLOP/B",
          source="derived: I/(2R) = q", description="dense intensity from which the full 2x speed-up holds",
          lhs=r"I^{*}_{2\times}")
