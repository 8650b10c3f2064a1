"""Privacy noise and obfuscation cost for edge–cloud inference (Chapter 21 §21.4.4, ex. 21.7).

Differential privacy (Dwork & Roth, 2014):

* Laplace mechanism (Thm 3.6): noise scale b = Δ₁/ε for ε-DP, any ε > 0.
* Gaussian mechanism (Thm A.1): σ = Δ₂·√(2 ln(1.25/δ))/ε gives (ε, δ)-DP — PROVEN ONLY FOR
  ε < 1 (and σ strictly above this value). :func:`gaussian_sigma` raises ValueError for ε >= 1
  unless ``allow_large_epsilon=True``, which returns the formula's value without that guarantee.
* Basic composition (Thm 3.16): budgets add, (Σε_i, Σδ_i).
* Advanced composition (Thm 3.20): k releases of (ε, δ) are (ε', kδ + δ')-DP with
  ε' = √(2k ln(1/δ'))·ε + kε(e^ε − 1); better than kε for many small releases.

Bigger ε means LESS noise and WEAKER privacy: giving a sensitive layer "more budget" protects
it less.

The obfuscation of exercise 21.7 (PCA to a fraction of the width, Gaussian noise, a random
rotation) is costed with the operator models: the projections are GEMMs
(:func:`npucourse.ops.gemm`), the noise is ``gaussian_noise_flops``, and the overhead is
relative to the FLOPs of the edge part of the network.

Formulas (registry, topic ``edgecloud_privacy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validate as v
from ..cost import Num
from ..formulas._gen.edgecloud_privacy import (
    compute_overhead_ratio,
    dp_advanced_composition_delta,
    dp_advanced_composition_epsilon,
    dp_basic_composition_delta,
    dp_basic_composition_epsilon,
    gaussian_noise_flops,
    gaussian_noise_rms_norm,
    gaussian_sigma as _gaussian_sigma,
    laplace_scale as _laplace_scale,
)
from ..ops import gemm
from ..units import dtype_bytes
from .link import _out

__all__ = ["laplace_scale", "gaussian_sigma", "compose_basic", "compose_sequence", "compose_advanced",
           "noise_rms_norm", "ObfuscationCost", "obfuscation_cost", "overhead_ratio", "GAUSSIAN_SAMPLE_FLOPS"]

#: Operations to draw one standard-normal sample (Box–Muller: a uniform pair, log, sqrt, cos and
#: a few multiplications per two samples; transcendental functions counted as one operation).
GAUSSIAN_SAMPLE_FLOPS = 10.0
GAUSSIAN_SAMPLE_FLOPS_SOURCE = ("assumption: ~10 operations per normal sample (Box-Muller, transcendental "
                                "functions counted as one operation each)")


def _epsilon(epsilon: Num) -> np.ndarray:
    v.positive("epsilon", epsilon)
    return np.asarray(epsilon, dtype=float)


def _open_unit(name: str, value: Num) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    v.positive(name, a)
    if np.any(a >= 1):
        raise ValueError(f"{name} must lie in the open interval (0, 1), got {value!r}")
    return a


def laplace_scale(sensitivity: Num, epsilon: Num) -> Num:
    """Laplace mechanism scale b = Δ₁/ε (ε-DP; Dwork & Roth Thm 3.6). Vectorised.

    ``sensitivity`` is the L1 sensitivity Δ₁ (> 0), ``epsilon`` > 0.
    """
    v.positive("sensitivity", sensitivity)
    return _out(_laplace_scale(Delta_1=np.asarray(sensitivity, dtype=float), epsilon=_epsilon(epsilon)))


def gaussian_sigma(sensitivity: Num, epsilon: Num, delta: Num, *, allow_large_epsilon: bool = False) -> Num:
    """Gaussian mechanism noise σ = Δ₂·√(2 ln(1.25/δ))/ε (Dwork & Roth Thm A.1). Vectorised.

    Parameters
    ----------
    sensitivity : float
        L2 sensitivity Δ₂ (> 0).
    epsilon : float
        Privacy loss bound, 0 < ε < 1 — the range where Thm A.1 proves (ε, δ)-DP.
    delta : float
        Failure probability, 0 < δ < 1 (natural logarithm in the formula).
    allow_large_epsilon : bool
        If True, ε >= 1 is accepted and the formula's value returned, although Thm A.1 gives no
        guarantee there (the classical calibration is then not proven; e.g. the analytic Gaussian
        mechanism of Balle & Wang, ICML 2018, calibrates σ for any ε).

    Raises
    ------
    ValueError
        ε <= 0, δ outside (0, 1), Δ₂ <= 0, or ε >= 1 without ``allow_large_epsilon``.

    Examples
    --------
    Δ₂ = 1, ε = 0.5, δ = 1e-5: √(2·ln 125000) = √(2·11.73607) = 4.84480 → σ = 4.84480/0.5 = 9.68961.

    >>> round(gaussian_sigma(1.0, 0.5, 1e-5), 4)
    9.6896
    """
    v.positive("sensitivity", sensitivity)
    eps = _epsilon(epsilon)
    d = _open_unit("delta", delta)
    if not allow_large_epsilon and np.any(eps >= 1):
        raise ValueError(f"epsilon must be < 1 for the Gaussian mechanism of Dwork & Roth Thm A.1, got {epsilon!r}; "
                         "pass allow_large_epsilon=True to get the formula's value without that guarantee")
    return _out(_gaussian_sigma(Delta_2=np.asarray(sensitivity, dtype=float), epsilon=eps, delta_inv=1.0 / d))


def compose_basic(epsilon: Num, delta: Num, k: int) -> tuple[Num, Num]:
    """k releases of (ε, δ) each: (kε, kδ) (basic composition, Dwork & Roth Thm 3.16)."""
    v.positive_int("k", k)
    eps = _epsilon(epsilon)
    v.nonnegative("delta", delta)
    return (_out(dp_basic_composition_epsilon(epsilon=eps, k=k)),
            _out(dp_basic_composition_delta(delta=np.asarray(delta, dtype=float), k=k)))


def compose_sequence(epsilons: Any, deltas: Any = 0.0) -> tuple[float, float]:
    """Releases with different budgets: (Σε_i, Σδ_i) (basic composition, Thm 3.16)."""
    e = np.atleast_1d(np.asarray(epsilons, dtype=float))
    if e.size == 0:
        raise ValueError("epsilons is empty: nothing to compose")
    v.positive("epsilons", e)
    d = np.broadcast_to(np.asarray(deltas, dtype=float), e.shape)
    v.nonnegative("deltas", d)
    return float(np.sum(e)), float(np.sum(d))


def compose_advanced(epsilon: float, delta: float, k: int, delta_prime: float) -> tuple[float, float]:
    """k adaptive releases of (ε, δ)-DP mechanisms are (ε', kδ + δ')-DP (Dwork & Roth Thm 3.20).

    ε' = √(2k ln(1/δ'))·ε + kε(e^ε − 1), evaluated with α = e^ε (registry formula).
    """
    v.positive_int("k", k)
    eps = float(_epsilon(epsilon))
    v.nonnegative("delta", delta)
    dp = float(_open_unit("delta_prime", delta_prime))
    if eps > 700:
        raise ValueError(f"epsilon={epsilon!r} is too large for e^epsilon in floating point (allowed: <= 700)")
    e_total = dp_advanced_composition_epsilon(alpha=np.exp(eps), k=k, delta_prime_inv=1.0 / dp)
    d_total = dp_advanced_composition_delta(delta=float(delta), k=k, delta_prime_inv=1.0 / dp)
    return float(e_total), float(d_total)


def noise_rms_norm(sigma: Num, dims: int) -> Num:
    """Root-mean-square L2 norm σ·√m of m-dimensional N(0, σ²I) noise."""
    v.positive("sigma", sigma)
    v.positive_int("dims", dims)
    return _out(gaussian_noise_rms_norm(sigma=np.asarray(sigma, dtype=float), m=dims))


def overhead_ratio(extra_flops: Num, base_flops: Num) -> Num:
    """Added FLOPs relative to the FLOPs of the protected (edge) part."""
    v.nonnegative("extra_flops", extra_flops)
    v.positive("base_flops", base_flops)
    return _out(compute_overhead_ratio(F_extra=np.asarray(extra_flops, dtype=float),
                                       F_base=np.asarray(base_flops, dtype=float)))


@dataclass(frozen=True)
class ObfuscationCost:
    """Cost of protecting one activation tensor of ``tokens`` × ``dim`` before sending it.

    FLOPs (2 per MAC): ``projection_flops`` (PCA, dim → kept), ``rotation_flops`` (kept × kept
    random orthogonal matrix), ``noise_flops``; ``total_flops``. Bytes: ``bytes_before`` (the
    tensor as it would be sent), ``bytes_after`` (the reduced tensor that is sent), and
    ``matrix_bytes`` (PCA basis + rotation stored on the device).
    """

    tokens: int
    dim: int
    kept: int
    projection_flops: float
    rotation_flops: float
    noise_flops: float
    total_flops: float
    bytes_before: float
    bytes_after: float
    matrix_bytes: float


def obfuscation_cost(tokens: int, dim: int, keep_fraction: float = 0.5, *, project: bool = True,
                     rotate: bool = True, noise: bool = True, dtype: str = "fp16",
                     gaussian_sample_flops: float = GAUSSIAN_SAMPLE_FLOPS) -> ObfuscationCost:
    """FLOPs and bytes of exercise 21.7's scheme: PCA to ``keep_fraction`` of the width, Gaussian
    noise on the kept coordinates, then a random rotation of the kept coordinates.

    PCA is a GEMM [tokens, dim] @ [dim, kept] (2·tokens·dim·kept FLOPs), the rotation a GEMM
    [tokens, kept] @ [kept, kept] (2·tokens·kept²), the noise (c_g + 1)·tokens·kept.
    """
    v.positive_int("tokens", tokens)
    v.positive_int("dim", dim)
    v.positive("keep_fraction", keep_fraction)
    if keep_fraction > 1:
        raise ValueError(f"keep_fraction must lie in (0, 1], got {keep_fraction!r}")
    v.nonnegative("gaussian_sample_flops", gaussian_sample_flops)
    kept = max(1, int(round(dim * keep_fraction))) if project else dim
    pca = gemm(tokens, kept, dim, dtype=dtype, name="pca") if project else None
    rot = gemm(tokens, kept, kept, dtype=dtype, name="rotation") if rotate else None
    nz = float(gaussian_noise_flops(c_g=gaussian_sample_flops, n=tokens, m=kept)) if noise else 0.0
    proj_f = float(pca.flops) if pca else 0.0
    rot_f = float(rot.flops) if rot else 0.0
    s = dtype_bytes(dtype)
    return ObfuscationCost(
        tokens=tokens, dim=dim, kept=kept, projection_flops=proj_f, rotation_flops=rot_f, noise_flops=nz,
        total_flops=proj_f + rot_f + nz, bytes_before=tokens * dim * s,
        bytes_after=float(rot.out_bytes if rot else (pca.out_bytes if pca else tokens * dim * s)),
        matrix_bytes=float((pca.weight_bytes if pca else 0.0) + (rot.weight_bytes if rot else 0.0)),
    )
