"""Generated from npucourse/formulas/defs/edgecloud_privacy.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def laplace_scale(*, Delta_1, epsilon):
    """Laplace mechanism scale b = Δ₁/ε (ε-DP) [value]: Delta_1/epsilon"""
    return Delta_1/epsilon


def gaussian_sigma(*, Delta_2, epsilon, delta_inv):
    """Gaussian mechanism σ = Δ₂·√(2 ln(1.25/δ))/ε; (ε, δ)-DP proven only for ε in (0, 1) and any σ strictly above this value [value]: sqrt(2)*Delta_2*sqrt(log(5*delta_inv/4))/epsilon"""
    return numpy.sqrt(2)*Delta_2*numpy.sqrt(numpy.log((5/4)*delta_inv))/epsilon


def dp_basic_composition_epsilon(*, epsilon, k):
    """basic composition: k releases of ε each give kε [1]: epsilon*k"""
    return epsilon*k


def dp_basic_composition_delta(*, delta, k):
    """basic composition: k releases of δ each give kδ [1]: delta*k"""
    return delta*k


def dp_advanced_composition_epsilon(*, k, alpha, delta_prime_inv):
    """advanced composition: k (ε, δ)-DP releases are (ε', kδ + δ')-DP with this ε' (α = e^ε) [1]: sqrt(2)*sqrt(k)*log(alpha)*sqrt(log(delta_prime_inv)) + k*(alpha - 1)*log(alpha)"""
    return numpy.sqrt(2)*numpy.sqrt(k)*numpy.log(alpha)*numpy.sqrt(numpy.log(delta_prime_inv)) + k*(alpha - 1)*numpy.log(alpha)


def dp_advanced_composition_delta(*, delta, k, delta_prime_inv):
    """advanced composition: total failure probability kδ + δ' [1]: delta*k + 1/delta_prime_inv"""
    return delta*k + delta_prime_inv**(-1.0)


def gaussian_noise_rms_norm(*, sigma, m):
    """root-mean-square L2 norm of an m-dimensional N(0, σ²I) noise vector: √E‖z‖² = σ√m [value]: sqrt(m)*sigma"""
    return numpy.sqrt(m)*sigma


def gaussian_noise_flops(*, m, n, c_g):
    """noise for n vectors of m coordinates: c_g operations per sample plus one addition [FLOP]: m*n*(c_g + 1)"""
    return m*n*(c_g + 1)


def compute_overhead_ratio(*, F_extra, F_base):
    """added operations relative to the operations of the protected edge part [1]: F_extra/F_base"""
    return F_extra/F_base
