"""Element-wise operators, normalisations, softmax and pooling (Chapter 2 §2.3.4).

Operation counting (stated once, used everywhere): every add, subtract, multiply, divide,
compare, square root, reciprocal square root or exponential counts as one operation, as on a
vector/special-function unit. None of them is a MAC: ``macs = 0``, ``flops`` = these counts.
DRAM traffic: every input read once, the output written once (one pass with the row or
tile on chip).

Row-wise counts for a row of n elements:

- LayerNorm: mean (n−1 adds, 1 divide) = n; variance ((x−μ) n, squares n, n−1 adds, 1 divide)
  = 3n; rsqrt(var + ε) = 2; normalise (x−μ)·r = n; affine a·n (a = 2 for γ and β):
  ``(5 + a)·n + 2``.
- RMSNorm: squares n, sum n−1, divide 1, + ε 1, rsqrt 1, normalise n, γ a·n (a = 1):
  ``(3 + a)·n + 2``.
- Softmax: max (n−1 compares), x − max (n), exp (n), sum (n−1), divide (n): ``5n − 2``.

BatchNorm at inference: ``y = a·x + b`` per element (2 operations) with per-channel
``a = γ/√(σ²+ε)``, ``b = β − μ·a``; computing a and b from the stored statistics costs 5 per
channel (add ε, sqrt, divide, multiply, subtract).
"""

import sympy as sp

from ..registry import Topic

t = Topic("elementwise", section="2.3.4")
E = t.symbol("E", "elements of the output tensor", "1", integer=True)
n_in = t.symbol("n_in", "full-size input tensors", "1", integer=True)
q = t.symbol("q", "operations per output element", "FLOP")
s = t.symbol("s", "bytes per element", "B")
C = t.symbol("C", "channels", "1", integer=True)
R = t.symbol("R", "rows (independent normalisation/softmax groups)", "1", integer=True)
n = t.symbol("n", "elements per row (normalised length)", "1", integer=True)
a = t.symbol("a", "affine operations per element (LayerNorm: 2 with γ, β; RMSNorm: 1)", "FLOP",
             integer=True, nonnegative=True, positive=None)
Kh = t.symbol("K_h", "pooling window height", "1", integer=True)
Kw = t.symbol("K_w", "pooling window width", "1", integer=True)
Sh = t.symbol("S_h", "pooling stride along height", "1", integer=True)
Sw = t.symbol("S_w", "pooling stride along width", "1", integer=True)
avg = t.symbol("v", "1 for average pooling (one divide per output), 0 for max pooling", "1",
               integer=True, nonnegative=True, positive=None)

COUNT = "counting convention of npucourse.formulas.defs.elementwise (one op per +, −, ×, ÷, max, exp, rsqrt)"

ew_bytes = t.formula("elementwise_bytes", (n_in + 1) * E * s, unit="B",
                     description="DRAM bytes of an element-wise op: n_in inputs read, one output written",
                     source="derived: each tensor crosses DRAM once", lhs=r"Q_{\mathrm{ew}}")
ew_flops = t.formula("elementwise_flops", q * E, unit="FLOP", description="operations of an element-wise op",
                     source=COUNT, lhs=r"F_{\mathrm{ew}}")
t.formula("elementwise_intensity", sp.simplify(ew_flops.expr / ew_bytes.expr), unit="FLOP/B",
          description="element-wise intensity q/((n_in+1)·s): below 1 for ReLU/add in fp16 or int8",
          source="derived: elementwise_flops / elementwise_bytes", lhs=r"\mathrm{AI}_{\mathrm{ew}}")

bn = t.formula("batchnorm_flops", 2 * E, unit="FLOP", description="BatchNorm inference: scale and shift per element",
               source="torch.nn.BatchNorm2d (eval): y = (x−μ)/√(σ²+ε)·γ + β rewritten as a·x + b; " + COUNT,
               lhs=r"F_{\mathrm{BN}}")
t.formula("batchnorm_prep_flops", 5 * C, unit="FLOP",
          description="per-channel a = γ/√(σ²+ε), b = β − μ·a from the stored statistics",
          source=COUNT, lhs=r"F_{\mathrm{BN,prep}}")
t.formula("batchnorm_intensity_limit", sp.limit(bn.expr / (2 * E * s), E, sp.oo), unit="FLOP/B",
          description="BatchNorm intensity for large maps (parameters negligible): 1/s",
          source="derived: limit of batchnorm_flops / (2·E·s)", lhs=r"\mathrm{AI}_{\mathrm{BN}}")

ln = t.formula("layernorm_flops", R * ((5 + a) * n + 2), unit="FLOP",
               description="LayerNorm operations: R rows of n, (5 + a)·n + 2 per row",
               source="torch.nn.LayerNorm; " + COUNT, lhs=r"F_{\mathrm{LN}}")
rms = t.formula("rmsnorm_flops", R * ((3 + a) * n + 2), unit="FLOP",
                description="RMSNorm operations: R rows of n, (3 + a)·n + 2 per row",
                source="Zhang & Sennrich, Root Mean Square Layer Normalization, 2019; LLaMA RMSNorm; " + COUNT,
                lhs=r"F_{\mathrm{RMS}}")
sm = t.formula("softmax_flops", R * (5 * n - 2), unit="FLOP",
               description="softmax operations: R rows of n, 5n − 2 per row (max, subtract, exp, sum, divide)",
               source="torch.nn.Softmax; " + COUNT, lhs=r"F_{\mathrm{softmax}}")
for name, f, what in (("layernorm", ln, "LayerNorm"), ("rmsnorm", rms, "RMSNorm"), ("softmax", sm, "softmax")):
    t.formula(f"{name}_intensity_limit", sp.limit(f.expr / (2 * R * n * s), n, sp.oo), unit="FLOP/B",
              description=f"{what} intensity for long rows (read once, write once, parameters negligible)",
              source=f"derived: limit n -> oo of {name}_flops / (2·R·n·s)",
              lhs=r"\mathrm{AI}_{\mathrm{" + what + "}}")

pool = t.formula("pool_flops", (Kh * Kw - 1 + avg) * E, unit="FLOP",
                 description="pooling: K_h·K_w − 1 compares (max) or adds plus one divide (avg) per output",
                 source="torch.nn.MaxPool2d / AvgPool2d; " + COUNT, lhs=r"F_{\mathrm{pool}}")
t.formula("pool_intensity_large_map", sp.simplify(pool.expr / ((Sh * Sw * E + E) * s)), unit="FLOP/B",
          description="pooling intensity for large maps (input = S_h·S_w × output elements)",
          source="derived: pool_flops / ((S_h·S_w + 1)·E·s)", lhs=r"\mathrm{AI}_{\mathrm{pool}}")
