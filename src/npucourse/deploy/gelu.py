"""GELU, its tanh and sigmoid approximations, their error and their cost (Chapter 21 §21.1.5, ex. 21.1).

Three forms (registry ``gelu_from_cdf``, ``gelu_tanh``, ``gelu_sigmoid``; Hendrycks & Gimpel,
arXiv 1606.08415)::

    exact    x·Φ(x) = 0.5·x·(1 + erf(x/√2))
    tanh     0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    sigmoid  x·σ(1.702·x)

Φ is evaluated as ``0.5·erfc(−x/√2)`` with :func:`math.erfc` applied element by element
(``numpy.frompyfunc``): numpy has no erf, and the erfc form keeps full relative accuracy in the
negative tail where ``1 + erf(·)`` cancels. It is a reference, not a fast kernel (≈ 0.1 µs per
element).

Cost: every form is element-wise, so on any device its intensity is a few operations per
8 bytes (fp32) — far below the ridge point. Fused into one kernel, all three forms move the same
bytes and take the same time; decomposed into separate ONNX nodes without fusion, each node
re-reads and re-writes the tensor. :func:`gelu_cost` builds both variants from
:func:`npucourse.ops.elementwise`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Sequence

import numpy as np

from .. import _validate as v
from ..cost import Cost
from ..formulas._gen.deploy_gelu import gelu_from_cdf, gelu_sigmoid, gelu_tanh
from ..ops.elementwise import ACTIVATION_OPS, elementwise

__all__ = ["gelu", "normal_cdf", "gelu_error", "GeluError", "APPROX", "GELU_NODES", "gelu_cost",
           "gelu_ops_per_element"]

#: Accepted values of ``approx`` (``None`` and ``"none"``/``"erf"`` all mean exact).
APPROX = (None, "none", "erf", "tanh", "sigmoid")

_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _form(approx: str | None) -> str:
    if approx not in APPROX:
        raise ValueError(f"approx must be one of {APPROX!r}, got {approx!r}")
    return "erf" if approx in (None, "none", "erf") else str(approx)


def normal_cdf(x: Any) -> Any:
    """Standard normal CDF ``Φ(x) = ½·erfc(−x/√2)`` (element-wise :func:`math.erfc`).

    Accurate to a few ulp over the whole real line, including the far negative tail
    (``Φ(−10) ≈ 7.62e-24``).
    """
    a = v._arr("x", x)
    out = 0.5 * np.asarray(_ERFC(-a / math.sqrt(2.0)), dtype=float)
    return float(out) if out.ndim == 0 else out


def gelu(x: Any, approx: str | None = None) -> Any:
    """GELU of ``x`` (vectorised).

    Parameters
    ----------
    x : float or array
    approx : None (exact, also ``"none"``/``"erf"``), ``"tanh"`` or ``"sigmoid"``

    Returns
    -------
    float or ndarray
        ``x·Φ(x)`` (registry ``gelu_from_cdf``), ``gelu_tanh`` or ``gelu_sigmoid``.

    Examples
    --------
    >>> round(gelu(1.0), 12)
    0.841344746069
    """
    form = _form(approx)
    a = v._arr("x", x)
    if form == "erf":
        out = np.asarray(gelu_from_cdf(x=a, Phi=normal_cdf(a)), dtype=float)
    else:
        with np.errstate(over="ignore"):  # x³ → ±inf for |x| > 1e102: tanh(±inf) = ±1 is the right limit
            out = np.asarray((gelu_tanh if form == "tanh" else gelu_sigmoid)(x=a), dtype=float)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class GeluError:
    """Error of an approximation against exact GELU over a domain.

    Attributes
    ----------
    approx : "tanh" or "sigmoid"
    domain : description (``"uniform on [-3, 3]"``, ``"normal(0, 1)"``)
    max_abs : max |approx − GELU| on the grid
    x_max_abs : where it occurs
    max_rel : max |approx − GELU| / |GELU| over grid points with |GELU(x)| >= ``rel_floor``
        (GELU is 0 at x = 0 and tends to 0 as x → −∞, where a relative error means nothing; the
        absolute error covers those points)
    x_max_rel : where it occurs
    rel_floor : the threshold used for ``max_rel``
    mean_abs : mean |approx − GELU| weighted by the domain (uniform, or the normal pdf)
    rms : root-mean-square error with the same weighting
    n : grid points
    """

    approx: str
    domain: str
    max_abs: float
    x_max_abs: float
    max_rel: float
    x_max_rel: float
    rel_floor: float
    mean_abs: float
    rms: float
    n: int


def gelu_error(approx: str, interval: tuple[float, float] | None = None, distribution: str | None = None,
               sigma: float = 1.0, n: int = 20001, rel_floor: float = 1e-3) -> GeluError:
    """Error of the ``"tanh"`` or ``"sigmoid"`` form against exact GELU.

    Parameters
    ----------
    approx : "tanh" or "sigmoid"
    interval : (lo, hi) — uniform grid on [lo, hi] (default (-3, 3) when no distribution is given)
    distribution : "normal" — inputs ~ N(0, sigma²): grid on ±8σ weighted by the pdf
        (trapezoid rule); the truncated mass is below 2e-15
    sigma : standard deviation for ``distribution="normal"`` (> 0)
    n : grid points (>= 101)
    rel_floor : |GELU| below which points are left out of the relative error (> 0)

    Returns
    -------
    GeluError
    """
    form = _form(approx)
    if form == "erf":
        raise ValueError(f"approx must be 'tanh' or 'sigmoid' (an approximation), got {approx!r}")
    if interval is not None and distribution is not None:
        raise ValueError("give either interval or distribution, not both")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 101:
        raise ValueError(f"n must be a whole number >= 101, got {n!r}")
    v.positive("rel_floor", rel_floor)
    if distribution is not None:
        v.choice("distribution", distribution, ("normal",))
        v.positive("sigma", sigma)
        lo, hi = -8.0 * sigma, 8.0 * sigma
        x = np.linspace(lo, hi, int(n))
        w = np.exp(-0.5 * (x / sigma) ** 2)
        domain = f"normal(0, {sigma:g})"
    else:
        lo, hi = (-3.0, 3.0) if interval is None else (float(interval[0]), float(interval[1]))
        v._arr("interval", (lo, hi))
        if not lo < hi:
            raise ValueError(f"interval must have lo < hi, got {interval!r}")
        x = np.linspace(lo, hi, int(n))
        w = np.ones_like(x)
        domain = f"uniform on [{lo:g}, {hi:g}]"
    exact = np.asarray(gelu(x))
    err = np.abs(np.asarray(gelu(x, approx=form)) - exact)
    keep = np.abs(exact) >= rel_floor
    rel = np.where(keep, err / np.where(keep, np.abs(exact), 1.0), -1.0)
    wt = np.full_like(x, 1.0)
    wt[0] = wt[-1] = 0.5  # trapezoid weights on the uniform grid
    wt = wt * w
    i, j = int(np.argmax(err)), int(np.argmax(rel))
    return GeluError(
        approx=form, domain=domain,
        max_abs=float(err[i]), x_max_abs=float(x[i]),
        max_rel=float(rel[j]) if keep.any() else 0.0, x_max_rel=float(x[j]) if keep.any() else float("nan"),
        rel_floor=float(rel_floor),
        mean_abs=float(np.sum(wt * err) / np.sum(wt)),
        rms=float(np.sqrt(np.sum(wt * err**2) / np.sum(wt))),
        n=int(n),
    )


#: Each form as the ONNX graph of primitive nodes a converter emits when there is no Gelu op
#: (ONNX gained ``Gelu`` only in opset 20): ``(node, full-size tensor inputs, operations per
#: element)``. Scalars (0.5, 1, √2, 0.044715, √(2/π), 1.702) are broadcast constants, not tensors.
GELU_NODES: Any = MappingProxyType({
    "erf": (("Div(x, √2)", 1, 1.0), ("Erf", 1, 1.0), ("Add(·, 1)", 1, 1.0), ("Mul(x, ·)", 2, 1.0),
            ("Mul(·, 0.5)", 1, 1.0)),
    "tanh": (("Mul(x, 0.5)", 1, 1.0), ("Pow(x, 3)", 1, 2.0), ("Mul(·, 0.044715)", 1, 1.0), ("Add(x, ·)", 2, 1.0),
             ("Mul(·, √(2/π))", 1, 1.0), ("Tanh", 1, ACTIVATION_OPS["tanh"]), ("Add(·, 1)", 1, 1.0),
             ("Mul(0.5x, ·)", 2, 1.0)),
    "sigmoid": (("Mul(x, 1.702)", 1, 1.0), ("Sigmoid", 1, ACTIVATION_OPS["sigmoid"]), ("Mul(x, ·)", 2, 1.0)),
})
GELU_NODES_SOURCE = ("torch.onnx export of nn.GELU before opset 20 (Div, Erf, Add, Mul, Mul), the tanh form "
                     "node by node as ONNX Gelu(approximate='tanh') defines it, the sigmoid form as Mul, "
                     "Sigmoid, Mul; operation counting of npucourse.ops.elementwise (one op per +, −, ×, ÷, "
                     "exp, erf, tanh; x³ = 2 multiplies; Sigmoid and Tanh from ACTIVATION_OPS)")


def gelu_ops_per_element(approx: str | None = None) -> float:
    """Operations per element of one GELU form: the sum over its nodes in :data:`GELU_NODES`.

    exact 5 and tanh 9 — the values of :data:`npucourse.ops.elementwise.ACTIVATION_OPS` ("gelu",
    "gelu_tanh"), which a test checks — and sigmoid 6 (scale, then Sigmoid's negate, exp, add,
    divide, then multiply by x).
    """
    return float(sum(q for _, _, q in GELU_NODES[_form(approx)]))


def gelu_cost(shape: Sequence[int], approx: str | None = None, dtype: str = "fp32", fused: bool = True,
              name: str | None = None) -> Cost:
    """Cost of GELU on a tensor of ``shape``, fused into one kernel or as separate nodes.

    Parameters
    ----------
    shape : tensor shape
    approx : None/"erf", "tanh" or "sigmoid"
    dtype : element type
    fused : True — one element-wise kernel (plugin, ONNX Gelu, or TensorRT's pointwise fusion of
        the decomposed graph): reads x once, writes y once, ``gelu_ops_per_element`` ops;
        False — every node of :data:`GELU_NODES` is its own kernel reading its full-size
        inputs and writing its output.

    Returns
    -------
    Cost
        A sum of :func:`npucourse.ops.elementwise` records (``macs = 0``).
    """
    form = _form(approx)
    label = name or f"gelu[{form}]"
    if fused:
        return elementwise(shape, 1, gelu_ops_per_element(form), dtype, label)
    nodes = [elementwise(shape, n_in, q, dtype, f"{label}:{node}") for node, n_in, q in GELU_NODES[form]]
    return sum(nodes[1:], nodes[0]).renamed(label)
