"""Batched GEMM: reuse of a shared operand and partial-sum spills (Chapter 2 §2.3.1).

``C_i[M, N] = A_i[M, K] @ B_i[K, N]`` for i = 1..b. At the DRAM level the model counts how many
M×K matrices (u_A) and K×N matrices (u_B) are read, and how often C crosses DRAM:

- an operand shared by the batch is read once when the dataflow keeps it stationary on chip
  (weight-stationary for a shared B, input-stationary for a shared A), otherwise once per item;
- with the reduction dimension split into n_k passes, a dataflow that does not keep the outputs
  stationary writes partial sums after every pass but the last and reads them back before every
  pass but the first: C moves ``s + 2·(n_k − 1)·s_acc`` bytes per element instead of ``s``.

Dataflow names follow Chen, Emer & Sze, "Eyeriss", ISCA 2016 and SCALE-Sim (Samajdar et al.,
arXiv 1811.02883): output-, weight- and input-stationary.
"""

import sympy as sp

from ..registry import Topic

t = Topic("batched_gemm", section="2.3.1")
b = t.symbol("b", "batch (number of GEMMs)", "1", integer=True)
M = t.symbol("M", "rows of A_i and C_i", "1", integer=True)
N = t.symbol("N", "columns of B_i and C_i", "1", integer=True)
K = t.symbol("K", "reduction length", "1", integer=True)
s = t.symbol("s", "bytes per element of A, B and C", "B")
s_acc = t.symbol("s_acc", "bytes per partial-sum element", "B")
uA = t.symbol("u_A", "M×K matrices read from DRAM (1 if A is shared and stationary, else b)", "1", integer=True)
uB = t.symbol("u_B", "K×N matrices read from DRAM (1 if B is shared and stationary, else b)", "1", integer=True)
nk = t.symbol("n_k", "passes over the reduction dimension (ceil(K / K-tile); 1 if C is stationary)", "1",
              integer=True)

SRC = "derived: DRAM traffic of a batched GEMM under a stationary dataflow (see module docstring)"

macs = t.formula("bgemm_macs", b * M * N * K, unit="MAC", description="batched GEMM multiply-accumulates",
                 source="textbook definition", lhs=r"\mathrm{MACs}")
ab = t.formula("bgemm_operand_bytes", s * (uA * M * K + uB * K * N), unit="B",
               description="DRAM bytes of A and B reads", source=SRC, lhs=r"Q_{AB}")
cb = t.formula("bgemm_output_bytes", b * M * N * (s + 2 * (nk - 1) * s_acc), unit="B",
               description="DRAM bytes of C: final write plus partial-sum spills and reloads", source=SRC,
               lhs=r"Q_{C}")
total = ab.expr + cb.expr
ai = 2 * macs.expr / total
# Shared weights held stationary, no spills: u_A = b, u_B = 1, n_k = 1.
ai_ws = sp.simplify(ai.subs({uA: b, uB: 1, nk: 1}))
t.formula("bgemm_intensity_shared_b", ai_ws, unit="FLOP/B",
          description="intensity with B shared and weight-stationary (B read once, no spills)",
          source=SRC, lhs=r"\mathrm{AI}_{\mathrm{WS}}")
t.formula("bgemm_intensity_shared_b_limit", sp.simplify(sp.limit(ai_ws, b, sp.oo)), unit="FLOP/B",
          description="its limit for a large batch: 2NK/((K+N)·s) — activations, not weights, then dominate",
          source="derived: limit b -> oo of bgemm_intensity_shared_b", lhs=r"\lim_{b\to\infty}\mathrm{AI}_{\mathrm{WS}}")
t.formula("bgemm_shared_reuse", sp.simplify(ab.expr.subs({uA: 0, uB: b}) / ab.expr.subs({uA: 0, uB: 1})),
          unit="1", description="reads of a shared operand saved by keeping it stationary: b (Reuse_B = b)",
          source="derived: bgemm_operand_bytes with u_B = b over u_B = 1", lhs=r"\mathrm{Reuse}_B")
t.formula("bgemm_spill_factor", sp.simplify(cb.expr / cb.expr.subs(nk, 1)), unit="1",
          description="C traffic with n_k spilled passes over C traffic when C stays on chip",
          source="derived: bgemm_output_bytes over its n_k = 1 value", lhs=r"\sigma_{\mathrm{spill}}")
