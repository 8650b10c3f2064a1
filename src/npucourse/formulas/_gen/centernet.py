"""Generated from npucourse/formulas/defs/centernet.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def gaussian_radius(*, h, w, o):
    """Gaussian radius: smallest root of the three CornerNet IoU cases [px]: Min((-2*o*(h + w) + sqrt(-16*h*o*w*(o - 1) + 4*o**2*(h + w)**2))/(8*o), h/4 + w/4 - sqrt(-16*h*w*(1 - o) + (2*h + 2*w)**2)/8, h/2 + w/2 - sqrt(-4*h*w*(1 - o)/(o + 1) + (h + w)**2)/2)"""
    return numpy.minimum(numpy.minimum((1/4)*h + (1/4)*w - 1/8*numpy.sqrt(-16*h*w*(1 - o) + (2*h + 2*w)**2), (1/2)*h + (1/2)*w - 1/2*numpy.sqrt(-4*h*w*(1 - o)/(o + 1) + (h + w)**2)), (1/8)*(-2*o*(h + w) + numpy.sqrt(-16*h*o*w*(o - 1) + 4*o**2*(h + w)**2))/o)


def heatmap_sigma(*, h, w, o):
    """σ of the drawn Gaussian: diameter (2⌊r⌋ + 1) over 6 [px]: floor(Min((-2*o*(h + w) + sqrt(-16*h*o*w*(o - 1) + 4*o**2*(h + w)**2))/(8*o), h/4 + w/4 - sqrt(-16*h*w*(1 - o) + (2*h + 2*w)**2)/8, h/2 + w/2 - sqrt(-4*h*w*(1 - o)/(o + 1) + (h + w)**2)/2))/3 + 1/6"""
    return (1/3)*numpy.floor(numpy.minimum(numpy.minimum((1/4)*h + (1/4)*w - 1/8*numpy.sqrt(-16*h*w*(1 - o) + (2*h + 2*w)**2), (1/2)*h + (1/2)*w - 1/2*numpy.sqrt(-4*h*w*(1 - o)/(o + 1) + (h + w)**2)), (1/8)*(-2*o*(h + w) + numpy.sqrt(-16*h*o*w*(o - 1) + 4*o**2*(h + w)**2))/o)) + 1/6


def heatmap_sigma_draft(*, h, w):
    """σ as the draft states it: max(1, √(wh)/3) [px]: Max(1, sqrt(h)*sqrt(w)/3)"""
    return numpy.maximum(1, (1/3)*numpy.sqrt(h)*numpy.sqrt(w))
