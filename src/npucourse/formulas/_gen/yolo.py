"""Generated from npucourse/formulas/defs/yolo.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def yolo_scaled_channels(*, c, c_max, w):
    """channels after width scaling: make_divisible(min(c, max_channels)·width, 8) [1]: 8*ceiling(w*Min(c, c_max)/8)"""
    return 8*numpy.ceil((1/8)*w*numpy.minimum(c, c_max))
