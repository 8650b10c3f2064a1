"""Generated from npucourse/formulas/defs/deploy_gelu.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def gelu_from_cdf(*, x, Phi):
    """exact GELU: x·Φ(x) [1]: Phi*x"""
    return Phi*x


def gelu_tanh(*, x):
    """tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))) [1]: x*(tanh(sqrt(2)*(8943*x**3/200000 + x)/sqrt(pi)) + 1)/2"""
    return (1/2)*x*(numpy.tanh(numpy.sqrt(2)*((8943/200000)*x**3 + x)/numpy.sqrt(numpy.pi)) + 1)


def gelu_sigmoid(*, x):
    """sigmoid approximation x·σ(1.702x), with σ(z) = (1 + tanh(z/2))/2 [1]: x*(tanh(851*x/1000) + 1)/2"""
    return (1/2)*x*(numpy.tanh((851/1000)*x) + 1)


def gelu_tanh_taylor_constant():
    """cubic coefficient that makes the tanh form match GELU to x⁴ at 0: (4-π)/(6π) ≈ 0.0455 (the published 0.044715 is a fit) [1]: (4 - pi)/(6*pi)"""
    return (1/6)*(4 - numpy.pi)/numpy.pi


def gelu_sigmoid_taylor_slope():
    """slope that makes x·σ(ax) match GELU to x² at 0: 4/√(2π) ≈ 1.596 (the published 1.702 is a fit) [1]: 2*sqrt(2)/sqrt(pi)"""
    return 2*numpy.sqrt(2)/numpy.sqrt(numpy.pi)
