"""Differential privacy for the tensors an edge device sends (Chapter 21 §21.4.4).

Noise scales of the Laplace and Gaussian mechanisms, composition of several releases, and
the cost of the obfuscation steps of exercise 21.7. Sources: Dwork & Roth, *The Algorithmic
Foundations of Differential Privacy*, 2014 (Thm 3.6 Laplace, Thm A.1 Gaussian, Thm 3.16 basic
and Thm 3.20 advanced composition).

The failure probabilities δ, δ' ∈ (0, 1) enter through their inverses 1/δ, 1/δ' (> 1), so
that every expression is real on the whole domain of its symbols; ln(1.25/δ) = ln(1.25·δ⁻¹).
Advanced composition is written in α = e^ε (the likelihood-ratio bound of one release), with
ε = ln α, so that no term overflows a double for large arguments; substituting α = e^ε gives
the textbook form √(2k ln(1/δ'))·ε + kε(e^ε − 1).
"""

import sympy as sp

from ..registry import Topic

t = Topic("edgecloud_privacy", section="21.4.4")
D1 = t.symbol("Delta_1", "L1 sensitivity of the released value", "same unit as the value")
D2 = t.symbol("Delta_2", "L2 sensitivity of the released value", "same unit as the value")
eps = t.symbol("epsilon", "privacy loss bound ε of one release", "1")
dinv = t.symbol("delta_inv", "inverse failure probability 1/δ of one release (δ in (0, 1))", "1")
delta = t.symbol("delta", "failure probability δ of one release", "1")
k = t.symbol("k", "number of releases composed", "1", integer=True)
alpha = t.symbol("alpha", "likelihood-ratio bound e^ε of one release", "1")
dpinv = t.symbol("delta_prime_inv", "inverse slack 1/δ' of advanced composition (δ' in (0, 1))", "1")
sigma = t.symbol("sigma", "standard deviation of the Gaussian noise per coordinate", "same unit as the value")
m = t.symbol("m", "coordinates that receive noise", "1", integer=True)
n = t.symbol("n", "tokens (vectors) released", "1", integer=True)
c_g = t.symbol("c_g", "operations to draw one Gaussian sample", "FLOP", nonnegative=True, positive=None)
F_x = t.symbol("F_extra", "operations added by a protection scheme", "FLOP", nonnegative=True, positive=None)
F_b = t.symbol("F_base", "operations of the part it protects (the edge part)", "FLOP")

DR = "Dwork & Roth, The Algorithmic Foundations of Differential Privacy, 2014"

t.formula("laplace_scale", D1 / eps, unit="value", description="Laplace mechanism scale b = Δ₁/ε (ε-DP)",
          source=f"{DR}, Thm 3.6", lhs="b")
t.formula("gaussian_sigma", D2 * sp.sqrt(2 * sp.log(sp.Rational(5, 4) * dinv)) / eps, unit="value",
          description="Gaussian mechanism σ = Δ₂·√(2 ln(1.25/δ))/ε; (ε, δ)-DP proven only for ε in (0, 1) "
                      "and any σ strictly above this value",
          source=f"{DR}, Thm A.1", lhs=r"\sigma")
t.formula("dp_basic_composition_epsilon", k * eps, unit="1",
          description="basic composition: k releases of ε each give kε", source=f"{DR}, Thm 3.16",
          lhs=r"\varepsilon_{\mathrm{total}}")
t.formula("dp_basic_composition_delta", k * delta, unit="1",
          description="basic composition: k releases of δ each give kδ", source=f"{DR}, Thm 3.16",
          lhs=r"\delta_{\mathrm{total}}")
adv = t.formula("dp_advanced_composition_epsilon",
                sp.sqrt(2 * k * sp.log(dpinv)) * sp.log(alpha) + k * sp.log(alpha) * (alpha - 1), unit="1",
                description="advanced composition: k (ε, δ)-DP releases are (ε', kδ + δ')-DP with this ε' "
                            "(α = e^ε)",
                source=f"{DR}, Thm 3.20", lhs=r"\varepsilon'")
t.formula("dp_advanced_composition_delta", k * delta + 1 / dpinv, unit="1",
          description="advanced composition: total failure probability kδ + δ'", source=f"{DR}, Thm 3.20",
          lhs=r"\delta_{\mathrm{total}}")
t.formula("gaussian_noise_rms_norm", sigma * sp.sqrt(m), unit="value",
          description="root-mean-square L2 norm of an m-dimensional N(0, σ²I) noise vector: √E‖z‖² = σ√m",
          source="E‖z‖² = Σ E z_i² = mσ² for independent coordinates", lhs=r"\sqrt{E\lVert z\rVert^2}")
t.formula("gaussian_noise_flops", (c_g + 1) * n * m, unit="FLOP",
          description="noise for n vectors of m coordinates: c_g operations per sample plus one addition",
          source="counting convention of this course (sample + add)", lhs=r"F_{\mathrm{noise}}")
t.formula("compute_overhead_ratio", F_x / F_b, unit="1",
          description="added operations relative to the operations of the protected edge part",
          source="definition", lhs=r"\mathrm{overhead}")
