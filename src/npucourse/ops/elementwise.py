"""Element-wise operators, normalisations, softmax and pooling (Chapter 2 §2.3.4).

These operators do a handful of operations per element they move, so their intensity stays
far below any ridge point: they are memory-bound on every device. None performs a MAC
(``macs = 0``); ``flops`` counts every add, multiply, compare, divide, exp and rsqrt as one
operation — the counting is spelled out in :mod:`npucourse.formulas.defs.elementwise`.
Each input is read from DRAM once and the output written once.

Shapes are tuples of whole numbers; BatchNorm and pooling use PyTorch's NC... layout (channel
axis 1); LayerNorm, RMSNorm and softmax normalise over trailing axes / one axis.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Sequence

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.elementwise import (
    batchnorm_flops,
    batchnorm_prep_flops,
    elementwise_flops,
    layernorm_flops,
    pool_flops,
    rmsnorm_flops,
    softmax_flops,
)
from ._common import canonical, elem_bytes
from .conv import _pair, out_size

__all__ = ["elementwise", "activation", "ACTIVATION_OPS", "batchnorm", "layernorm", "rmsnorm", "softmax",
           "pool2d"]

#: Operations per element of common activations (one op per +, −, ×, ÷, max, exp, erf, tanh).
ACTIVATION_OPS = MappingProxyType({
    "relu": 1.0,        # max(x, 0)
    "sigmoid": 4.0,     # 1/(1 + exp(−x)): negate, exp, add, divide
    "silu": 4.0,        # x/(1 + exp(−x)): negate, exp, add, divide
    "gelu": 5.0,        # 0.5·x·(1 + erf(x/√2)): scale, erf, add, two multiplies
    "gelu_tanh": 9.0,   # 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))): x³ 2, ×c 1, + 1, ×k 1, tanh 1, +1 1, ×0.5x 2
    "tanh": 1.0,
})
#: Where the activation definitions come from (the counts are this module's convention).
ACTIVATION_SOURCE = ("assumption: one operation per elementary function on a vector unit; definitions from "
                     "torch.nn.{ReLU,Sigmoid,SiLU,GELU,Tanh}; GELU forms: Hendrycks & Gimpel, arXiv 1606.08415")


def _shape(name: str, shape: Sequence[int], min_ndim: int = 1) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(f"{name} must be a tuple of whole numbers >= 1, got {shape!r}") from None
    if len(dims) < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} axes, got {shape!r}")
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ValueError(f"{name} must be a tuple of whole numbers >= 1, got {shape!r}")
    return tuple(int(d) for d in dims)


def _record(name: str, flops: float, in_elems: float, out_shape: tuple[int, ...], params: float,
            dtype: str, param_bytes: float | None = None) -> Cost:
    """A MAC-free record: reads inputs + parameters, writes the output, each once."""
    s = elem_bytes(dtype)
    out_elems = float(np.prod(out_shape))
    pbytes = params * s if param_bytes is None else param_bytes
    return Cost(name=name, macs=0.0, flops=float(flops), reads={DRAM: in_elems * s + pbytes},
                writes={DRAM: out_elems * s}, params=float(params), weight_bytes=float(pbytes),
                out_bytes=out_elems * s, out_shape=out_shape, dtype=canonical(dtype))


def elementwise(shape: Sequence[int], n_inputs: int = 1, ops_per_element: float = 1.0, dtype: str = "fp16",
                name: str = "elementwise") -> Cost:
    """An element-wise operator on ``n_inputs`` tensors of ``shape`` producing one of ``shape``.

    Parameters
    ----------
    shape : output shape (every input has it too; broadcast vectors are not counted)
    n_inputs : full-size input tensors (1 for ReLU, 2 for a residual add)
    ops_per_element : operations per output element (registry ``elementwise_flops``)
    dtype : element type

    Returns
    -------
    Cost
        flops = q·E, DRAM reads n_in·E·s, writes E·s (registry ``elementwise_bytes``), so the
        intensity is ``q/((n_in+1)·s)``: ReLU in fp16 0.25 FLOP/B, a residual add 1/6.
    """
    out = _shape("shape", shape)
    v.positive_int("n_inputs", n_inputs)
    v.positive("ops_per_element", ops_per_element)
    E = float(np.prod(out))
    return _record(name, elementwise_flops(q=ops_per_element, E=E), n_inputs * E, out, 0.0, dtype)


def activation(shape: Sequence[int], kind: str = "relu", dtype: str = "fp16", name: str | None = None) -> Cost:
    """An activation function as an element-wise op with :data:`ACTIVATION_OPS` operations per element.

    Raises KeyError for an unknown ``kind`` (the message lists the known ones).
    """
    if kind not in ACTIVATION_OPS:
        raise KeyError(f"unknown activation {kind!r}; known: {', '.join(ACTIVATION_OPS)}")
    return elementwise(shape, 1, ACTIVATION_OPS[kind], dtype, name or kind)


def batchnorm(shape: Sequence[int], dtype: str = "fp16", folded: bool = False, name: str = "batchnorm") -> Cost:
    """BatchNorm at inference on an N×C×... tensor (channel axis 1).

    ``y = a·x + b`` per element — 2 operations (registry ``batchnorm_flops``) — with per-channel
    ``a = γ/√(σ²+ε)``, ``b = β − μ·a``.

    Parameters
    ----------
    shape : (N, C, ...) input shape (= output shape)
    folded : False — the four stored vectors γ, β, μ, σ² (4·C values) are read and a, b computed
        (5 operations per channel, ``batchnorm_prep_flops``); True — a and b were precomputed
        offline, 2·C values are read.
    dtype : element type of activations and parameters

    Returns
    -------
    Cost
        ``params = 2·C`` either way: γ and β are the learnable parameters (μ and σ² are buffers,
        which ``torch.nn.Module.parameters()`` — and so published parameter counts — exclude);
        ``weight_bytes`` = bytes of the vectors actually stored and read (4·C·s or 2·C·s).
    """
    out = _shape("shape", shape, min_ndim=2)
    C = out[1]
    E = float(np.prod(out))
    s = elem_bytes(dtype)
    stored = 2 * C if folded else 4 * C
    flops = batchnorm_flops(E=E) + (0.0 if folded else batchnorm_prep_flops(C=C))
    return _record(name, flops, E, out, 2.0 * C, dtype, param_bytes=stored * s)


def _split_rows(shape: tuple[int, ...], normalized_ndim: int) -> tuple[float, float]:
    v.positive_int("normalized_ndim", normalized_ndim)
    if normalized_ndim > len(shape):
        raise ValueError(f"normalized_ndim must be <= {len(shape)} for shape {shape}, got {normalized_ndim!r}")
    n = float(np.prod(shape[len(shape) - normalized_ndim:]))
    return float(np.prod(shape)) / n, n


def layernorm(shape: Sequence[int], normalized_ndim: int = 1, elementwise_affine: bool = True, bias: bool = True,
              dtype: str = "fp16", name: str = "layernorm") -> Cost:
    """LayerNorm over the trailing ``normalized_ndim`` axes (torch.nn.LayerNorm semantics).

    flops = R·((5 + a)·n + 2) (registry ``layernorm_flops``): mean n, variance 3n, rsqrt 2,
    normalise n, affine a·n with a = 2 (γ and β), 1 (γ only) or 0; params a·n.
    """
    out = _shape("shape", shape)
    R, n = _split_rows(out, normalized_ndim)
    a = (1 + bool(bias)) if elementwise_affine else 0
    return _record(name, layernorm_flops(R=R, n=n, a=a), float(np.prod(out)), out, a * n, dtype)


def rmsnorm(shape: Sequence[int], normalized_ndim: int = 1, elementwise_affine: bool = True, dtype: str = "fp16",
            name: str = "rmsnorm") -> Cost:
    """RMSNorm ``x / √(mean(x²) + ε) · γ`` over the trailing axes (LLaMA's norm).

    flops = R·((3 + a)·n + 2) (registry ``rmsnorm_flops``) with a = 1 for γ; params n.
    """
    out = _shape("shape", shape)
    R, n = _split_rows(out, normalized_ndim)
    a = 1 if elementwise_affine else 0
    return _record(name, rmsnorm_flops(R=R, n=n, a=a), float(np.prod(out)), out, a * n, dtype)


def softmax(shape: Sequence[int], axis: int = -1, dtype: str = "fp16", name: str = "softmax") -> Cost:
    """Softmax along ``axis``: flops = R·(5n − 2) (registry ``softmax_flops``), read once, write once."""
    out = _shape("shape", shape)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -len(out) <= axis < len(out):
        raise ValueError(f"axis must be an int in [{-len(out)}, {len(out) - 1}] for shape {out}, got {axis!r}")
    n = float(out[axis])
    R = float(np.prod(out)) / n
    return _record(name, softmax_flops(R=R, n=n), float(np.prod(out)), out, 0.0, dtype)


def pool2d(shape: Sequence[int], kind: str = "max", kernel: int | tuple[int, int] = 2,
           stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
           dtype: str = "fp16", name: str | None = None) -> Cost:
    """2-D max or average pooling on an N×C×H×W tensor (torch.nn.MaxPool2d / AvgPool2d, floor mode).

    Parameters
    ----------
    shape : (N, C, H, W)
    kind : "max" or "avg"
    kernel : window (int or pair); ``(H, W)`` gives global pooling
    stride : default = kernel (PyTorch's default)
    padding : implicit padding on each side, at most half the window (PyTorch's rule)

    Returns
    -------
    Cost
        flops = (K_h·K_w − 1 + [avg])·E_out (registry ``pool_flops``); reads the input once,
        writes the output once. Output size as :func:`npucourse.ops.conv.out_size`.
    """
    v.choice("kind", kind, ("max", "avg"))
    out = _shape("shape", shape, min_ndim=4)
    if len(out) != 4:
        raise ValueError(f"shape must be (N, C, H, W), got {shape!r}")
    N, C, H, W = out
    kh, kw = _pair("kernel", kernel)
    sh, sw = (kh, kw) if stride is None else _pair("stride", stride)
    ph, pw = _pair("padding", padding, minimum=0)
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError(f"padding must be at most half the kernel {(kh, kw)}, got {padding!r}")
    ho, wo = out_size(H, kh, sh, ph), out_size(W, kw, sw, pw)
    o = (N, C, ho, wo)
    flops = pool_flops(K_h=kh, K_w=kw, v=int(kind == "avg"), E=float(np.prod(o)))
    return _record(name or f"{kind}pool2d", flops, float(np.prod(out)), o, 0.0, dtype)
