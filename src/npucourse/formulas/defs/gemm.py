"""GEMM cost and arithmetic intensity (Chapter 2 §2.3.1).

C[M, N] = A[M, K] @ B[K, N]; each matrix crosses DRAM once (no re-reads), s bytes per element.
"""

import sympy as sp

from ..registry import Topic

t = Topic("gemm", section="2.3.1")
M = t.symbol("M", "rows of A and C", "1", integer=True)
N = t.symbol("N", "columns of B and C", "1", integer=True)
K = t.symbol("K", "reduction length (columns of A, rows of B)", "1", integer=True)
s = t.symbol("s", "bytes per element", "B")

SRC = "textbook definition; each operand read once and C written once"

macs = t.formula("gemm_macs", M * N * K, unit="MAC", description="GEMM multiply-accumulates", source=SRC,
                 lhs=r"\mathrm{MACs}")
flops = t.formula("gemm_flops", 2 * M * N * K, unit="FLOP",
                  description="GEMM floating-point operations (2 per MAC)", source=SRC, lhs=r"\mathrm{FLOPs}")
nbytes = t.formula("gemm_bytes", (M * K + K * N + M * N) * s, unit="B",
                   description="DRAM bytes when A, B are read once and C written once", source=SRC,
                   lhs=r"\mathrm{Bytes}")
intensity = t.formula("gemm_intensity", flops.expr / nbytes.expr, unit="FLOP/B",
                      description="GEMM arithmetic intensity", source=SRC, lhs=r"\mathrm{AI}")

# Derived, not typed: substitute M = N = K and let sympy simplify.
t.formula(
    "gemm_intensity_square",
    sp.simplify(intensity.expr.subs({M: K, N: K})),
    unit="FLOP/B",
    description="square GEMM (M = N = K) intensity, derived by sympy from gemm_intensity",
    source="derived: gemm_intensity with M = N = K",
    lhs=r"\mathrm{AI}_{M=N=K}",
)
