"""Generated from npucourse/formulas/defs/deploy_quantization.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def quant_scale_affine(*, x_min, x_max, q_min, q_max, epsilon):
    """affine scale: (max(x_max,0) - min(x_min,0)) / (q_max - q_min), at least ε [1]: Max(epsilon, (Max(0, x_max) - Min(0, x_min))/(q_max - q_min))"""
    return numpy.maximum(epsilon, (numpy.maximum(0, x_max) - numpy.minimum(0, x_min))/(q_max - q_min))


def quant_zero_point_affine(*, x_min, q_min, q_max, s):
    """affine zero point q_min - round(min(x_min,0)/s), clamped to [q_min, q_max] [1]: Min(q_max, Max(q_min, q_min - rint(Min(0, x_min)/s)))"""
    return numpy.minimum(q_max, numpy.maximum(q_min, q_min - numpy.rint(numpy.minimum(0, x_min)/s)))


def quant_scale_symmetric(*, x_min, x_max, q_min, q_max, epsilon):
    """symmetric scale: max(|x_min|, |x_max|) / ((q_max - q_min)/2), zero point 0 (signed) [1]: Max(epsilon, Max(x_max, -Min(0, x_min))/(q_max/2 - q_min/2))"""
    return numpy.maximum(epsilon, numpy.maximum(x_max, -numpy.minimum(0, x_min))/((1/2)*q_max - 1/2*q_min))


def quantize_affine(*, q_min, q_max, s, z, x):
    """integer code: clamp(round(x/s) + z, q_min, q_max), ties to even [1]: Min(q_max, Max(q_min, z + rint(x/s)))"""
    return numpy.minimum(q_max, numpy.maximum(q_min, z + numpy.rint(x/s)))


def dequantize_affine(*, s, z, q):
    """real value of code q: (q - z)·s [1]: s*(q - z)"""
    return s*(q - z)


def quant_clip_min(*, q_min, s, z):
    """lowest representable value; below it inputs saturate [1]: s*(q_min - z)"""
    return s*(q_min - z)


def quant_clip_max(*, q_max, s, z):
    """highest representable value; above it inputs saturate [1]: s*(q_max - z)"""
    return s*(q_max - z)


def quant_rounding_bound(*, s):
    """largest |x - x̂| inside the clipping range (round to nearest) [1]: s/2"""
    return (1/2)*s


def sqnr_db(*, P_x, P_e):
    """signal-to-quantization-noise ratio 10·log10(Σx² / Σ(x - x̂)²) [dB]: 10*log(P_x/P_e)/log(10)"""
    return 10*numpy.log(P_x/P_e)/numpy.log(10)


def rel_l2_error(*, P_x, P_e):
    """relative L2 error ‖x - x̂‖₂ / ‖x‖₂ (the draft's per-layer ε, §21.1.2) [1]: sqrt(P_e)/sqrt(P_x)"""
    return numpy.sqrt(P_e)/numpy.sqrt(P_x)


def kl_term(*, p, q_p):
    """one bin's contribution p·ln(p/q) to KL(P‖Q) (bins with p = 0 contribute 0) [nat]: p*log(p/q_p)"""
    return p*numpy.log(p/q_p)
