"""Generated from npucourse/formulas/defs/power_precision.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def precision_powerlaw_exponent(*, E_a, E_b, b_a, b_b):
    """exponent p of E ∝ b^p fitted through two table entries [1]: log(E_b/E_a)/log(b_b/b_a)"""
    return numpy.log(E_b/E_a)/numpy.log(b_b/b_a)


def precision_powerlaw_log_energy(*, E_a, E_b, b_a, b_b, b):
    """log of the energy at width b by the fitted power law (E = exp of this) [ln J]: log(E_a) + log(E_b/E_a)*log(b/b_a)/log(b_b/b_a)"""
    return numpy.log(E_a) + numpy.log(E_b/E_a)*numpy.log(b/b_a)/numpy.log(b_b/b_a)


def precision_mac_energy(*, E_mul, E_add):
    """energy of a multiply-accumulate = one multiply + one add (accumulator width may differ) [J/MAC]: E_add + E_mul"""
    return E_add + E_mul


def precision_energy_per_byte(*, E_w, w):
    """energy per byte of a w-bit access: E_w·8/w [J/B]: 8*E_w/w"""
    return 8*E_w/w


def precision_compute_energy(*, M, E_mac):
    """arithmetic energy of M multiply-accumulates [J]: E_mac*M"""
    return E_mac*M


def precision_access_energy(*, Q, e_B):
    """energy of moving Q bytes at one memory level [J]: Q*e_B"""
    return Q*e_B
