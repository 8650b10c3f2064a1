"""GELU and its two approximations (Chapter 21 §21.1.5).

Exact GELU is ``x·Φ(x)`` with Φ the standard normal CDF, ``Φ(x) = ½(1 + erf(x/√2))``. The
registry holds GELU in terms of Φ, and :mod:`npucourse.deploy.gelu` evaluates Φ as
``½·erfc(−x/√2)`` with :func:`math.erfc`: the ``1 + erf`` form cancels to 0 in double precision
for x below about −8 (Φ(−10) ≈ 7.6e-24), the erfc form keeps full relative accuracy.

The sigmoid form ``x·σ(1.702x)`` is written with ``σ(z) = (1 + tanh(z/2))/2`` — the same
function, but free of ``exp`` overflow for large negative inputs.

Source: Hendrycks & Gimpel, "Gaussian Error Linear Units", arXiv 1606.08415, §2; ONNX operator
Gelu (opset 20, attribute ``approximate``).
"""

import sympy as sp

from ..registry import Topic

t = Topic("deploy_gelu", section="21.1.5")
x = t.symbol("x", "input activation", "1", real=True, positive=None)
Phi = t.symbol("Phi", "standard normal CDF at x, Φ(x) = (1 + erf(x/√2))/2", "1")

HG = "Hendrycks & Gimpel, arXiv 1606.08415, §2"
C_TANH = sp.Rational(44715, 10**6)
A_SIG = sp.Rational(1702, 1000)

t.formula("gelu_from_cdf", x * Phi, unit="1",
          description="exact GELU: x·Φ(x)", source=HG + "; ONNX Gelu (approximate='none')",
          lhs=r"\mathrm{GELU}(x)")
t.formula("gelu_tanh", x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + C_TANH * x**3))), unit="1",
          description="tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))",
          source=HG + "; ONNX Gelu (approximate='tanh')", lhs=r"\mathrm{GELU}_{\tanh}(x)")
t.formula("gelu_sigmoid", x * (1 + sp.tanh(A_SIG * x / 2)) / 2, unit="1",
          description="sigmoid approximation x·σ(1.702x), with σ(z) = (1 + tanh(z/2))/2",
          source=HG, lhs=r"\mathrm{GELU}_{\sigma}(x)")

# Where the constants sit relative to a Taylor match at x = 0 (derived; the published constants
# are fits over a range, not series matches). GELU(x) = x/2 + x²/√(2π) - x⁴/(6√(2π)) + ...
_c = sp.Symbol("c", real=True)  # unknowns of the derivation only, not formula arguments
_a = sp.Symbol("a", real=True)
_exact = x / 2 * (1 + sp.erf(x / sp.sqrt(2)))


def _taylor_match(approx: sp.Expr, power: int, unknown: sp.Symbol) -> sp.Expr:
    """The value of ``unknown`` that makes the x**power coefficients of approx and GELU agree at 0."""
    diff = sp.expand(sp.series(approx - _exact, x, 0, power + 1).removeO())
    sol = sp.solve(diff.coeff(x, power), unknown)
    assert len(sol) == 1, sol
    return sp.simplify(sol[0])


t.formula("gelu_tanh_taylor_constant",
          _taylor_match(x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + _c * x**3))), 4, _c), unit="1",
          description="cubic coefficient that makes the tanh form match GELU to x⁴ at 0: (4-π)/(6π) ≈ 0.0455 "
                      "(the published 0.044715 is a fit)",
          source="derived: series of gelu_tanh - GELU at x = 0", lhs=r"c^{*}")
t.formula("gelu_sigmoid_taylor_slope", _taylor_match(x * (1 + sp.tanh(_a * x / 2)) / 2, 2, _a), unit="1",
          description="slope that makes x·σ(ax) match GELU to x² at 0: 4/√(2π) ≈ 1.596 "
                      "(the published 1.702 is a fit)",
          source="derived: series of x·σ(ax) - GELU at x = 0", lhs=r"a^{*}")
