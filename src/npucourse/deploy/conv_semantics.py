"""Conv as ONNX defines it: output shape and a NumPy reference (Chapter 21 §21.1.1).

ONNX ``Conv(X, W, B?) -> Y`` with ``X: (N, C, H, W)``, ``W: (M, C/group, kH, kW)``,
``B: (M,)`` and attributes ``strides``, ``pads = [top, left, bottom, right]``, ``dilations``,
``group`` and ``auto_pad`` (``NOTSET``, ``SAME_UPPER``, ``SAME_LOWER``, ``VALID``)::

    Y[n, m, y, x] = B[m] + Σ_{c, i, j} X[n, g·C/G + c, y·s_h + i·d_h − p_top, x·s_w + j·d_w − p_left]
                                          · W[m, c, i, j],        g = m // (M/G)

with out-of-range input positions reading zero. The draft's formula (§21.1.1) omits the group
index ``g``; it is the ``group = 1`` case.

Output size per axis: ``conv_out_size`` (symmetric pads, via :func:`npucourse.ops.out_size`),
``onnx_conv_out_size_pads`` (asymmetric), ``onnx_same_out_size`` / ``onnx_same_total_pad``
(``SAME_*``) in the registry.

Source: ONNX operator Conv (opset 11+); ``onnx/defs/nn/defs.cc`` (convPoolShapeInference).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .. import _validate as v
from ..formulas._gen.deploy_conversion import (
    onnx_conv_out_size_pads,
    onnx_same_out_size,
    onnx_same_total_pad,
)
from ..ops.conv import out_size

__all__ = ["ConvAttrs", "AUTO_PAD", "resolve_pads", "conv_output_shape", "conv2d_reference"]

AUTO_PAD = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")


@dataclass(frozen=True)
class ConvAttrs:
    """Resolved ONNX Conv attributes for a 2-D convolution.

    Attributes
    ----------
    strides, dilations : (h, w)
    pads : (top, left, bottom, right) — explicit, after resolving ``auto_pad``
    group : int
    out_hw : (H_out, W_out)
    """

    strides: tuple[int, int]
    dilations: tuple[int, int]
    pads: tuple[int, int, int, int]
    group: int
    out_hw: tuple[int, int]


def _ints(name: str, value: Any, n: int, positive: bool) -> tuple[int, ...]:
    vals = tuple(value) if isinstance(value, (tuple, list, np.ndarray)) else (value,) * n
    if len(vals) != n:
        raise ValueError(f"{name} must have {n} entries, got {value!r}")
    check = v.positive_int if positive else v.nonnegative_int
    for x in vals:
        check(name, x)
    return tuple(int(x) for x in vals)


def resolve_pads(
    hw: tuple[int, int],
    kernel: tuple[int, int],
    strides: int | Sequence[int] = 1,
    pads: int | Sequence[int] = 0,
    dilations: int | Sequence[int] = 1,
    auto_pad: str = "NOTSET",
) -> tuple[int, int, int, int]:
    """Explicit ``(top, left, bottom, right)`` padding for ONNX attributes.

    ``NOTSET`` returns ``pads``; ``VALID`` returns zeros; ``SAME_UPPER``/``SAME_LOWER`` pad so
    that ``H_out = ceil(H/S)`` with total ``onnx_same_total_pad``, the odd element at the end
    (UPPER) or at the beginning (LOWER).
    """
    v.choice("auto_pad", auto_pad, AUTO_PAD)
    st = _ints("strides", strides, 2, True)
    dl = _ints("dilations", dilations, 2, True)
    if auto_pad == "NOTSET":
        return _ints("pads", pads, 4, False)  # type: ignore[return-value]
    if auto_pad == "VALID":
        return (0, 0, 0, 0)
    begin, end = [], []
    for size, k, s, d in zip(hw, kernel, st, dl):
        total = int(onnx_same_total_pad(H=size, K_h=k, S=s, D=d))
        small, large = total // 2, total - total // 2
        begin.append(small if auto_pad == "SAME_UPPER" else large)
        end.append(large if auto_pad == "SAME_UPPER" else small)
    return (begin[0], begin[1], end[0], end[1])


def _axis_out(size: int, k: int, s: int, pb: int, pe: int, d: int) -> int:
    if pb == pe:  # the registry's symmetric rule (and its checks)
        return out_size(size, k, s, pb, d)
    o = int(onnx_conv_out_size_pads(H=size, K_h=k, S=s, D=d, P_b=pb, P_e=pe))
    if o < 1:
        raise ValueError(f"kernel {k} (dilation {d}) does not fit input size {size} with pads ({pb}, {pe})")
    return o


def conv_output_shape(
    x_shape: Sequence[int],
    w_shape: Sequence[int],
    strides: int | Sequence[int] = 1,
    pads: int | Sequence[int] = 0,
    dilations: int | Sequence[int] = 1,
    group: int = 1,
    auto_pad: str = "NOTSET",
) -> tuple[int, int, int, int]:
    """Output shape ``(N, M, H_out, W_out)`` of ONNX Conv.

    Raises
    ------
    ValueError
        For a non-4-D shape, channels that do not match ``C = group · W.shape[1]``, ``M`` not
        divisible by ``group``, a bad attribute, or a kernel that does not fit.
    """
    n, m = _check_shapes(x_shape, w_shape, group)
    ho, wo = _attrs(x_shape, w_shape, strides, pads, dilations, group, auto_pad).out_hw
    return (n, m, ho, wo)


def _check_shapes(x_shape: Sequence[int], w_shape: Sequence[int], group: int) -> tuple[int, int]:
    if len(x_shape) != 4:
        raise ValueError(f"X must be 4-D (N, C, H, W), got shape {tuple(x_shape)}")
    if len(w_shape) != 4:
        raise ValueError(f"W must be 4-D (M, C/group, kH, kW), got shape {tuple(w_shape)}")
    for name, shape in (("X", x_shape), ("W", w_shape)):
        for d in shape:
            v.positive_int(f"{name} dimension", d)
    v.positive_int("group", group)
    n, c = int(x_shape[0]), int(x_shape[1])
    m, cg = int(w_shape[0]), int(w_shape[1])
    if c != cg * group:
        raise ValueError(f"X has C={c} channels but W expects C/group={cg} with group={group} (C = {cg * group})")
    if m % group:
        raise ValueError(f"group={group} must divide the output channels M={m}")
    return n, m


def _attrs(x_shape: Sequence[int], w_shape: Sequence[int], strides: Any, pads: Any, dilations: Any, group: int,
           auto_pad: str) -> ConvAttrs:
    _check_shapes(x_shape, w_shape, group)
    hw = (int(x_shape[2]), int(x_shape[3]))
    kernel = (int(w_shape[2]), int(w_shape[3]))
    st = _ints("strides", strides, 2, True)
    dl = _ints("dilations", dilations, 2, True)
    if auto_pad != "NOTSET" and np.any(np.asarray(pads) != 0):
        raise ValueError(f"pads must not be given together with auto_pad={auto_pad!r} (ONNX), got pads={pads!r}")
    p = resolve_pads(hw, kernel, st, pads, dl, auto_pad)
    out = tuple(_axis_out(hw[a], kernel[a], st[a], p[a], p[a + 2], dl[a]) for a in range(2))
    return ConvAttrs(strides=st, dilations=dl, pads=p, group=int(group), out_hw=out)  # type: ignore[arg-type]


def conv2d_reference(
    x: Any,
    w: Any,
    b: Any = None,
    strides: int | Sequence[int] = 1,
    pads: int | Sequence[int] = 0,
    dilations: int | Sequence[int] = 1,
    group: int = 1,
    auto_pad: str = "NOTSET",
) -> np.ndarray:
    """ONNX Conv in NumPy (float64): ``Y = conv(X, W) + B``.

    Pads the input (zeros, asymmetric allowed), then accumulates one strided window per kernel
    tap with ``einsum`` over the channels of each group — ``kH·kW`` vectorised steps.

    Parameters
    ----------
    x : array (N, C, H, W)
    w : array (M, C/group, kH, kW)
    b : array (M,) or None
    strides, dilations : int or (h, w)
    pads : int or (top, left, bottom, right)
    group : int
    auto_pad : {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"}

    Returns
    -------
    ndarray (N, M, H_out, W_out)
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    a = _attrs(x.shape, w.shape, strides, pads, dilations, group, auto_pad)
    n, c, _, _ = x.shape
    m, cg, kh, kw = w.shape
    if b is not None:
        b = np.asarray(b, dtype=float)
        if b.shape != (m,):
            raise ValueError(f"B must have shape ({m},), got {b.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(w))):
        raise ValueError("X and W must be finite")
    top, left, bottom, right = a.pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    ho, wo = a.out_hw
    (sh, sw), (dh, dw) = a.strides, a.dilations
    g = a.group
    xg = xp.reshape(n, g, cg, xp.shape[2], xp.shape[3])
    wg = w.reshape(g, m // g, cg, kh, kw)
    y = np.zeros((n, g, m // g, ho, wo))
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dh, j * dw
            win = xg[:, :, :, r0:r0 + (ho - 1) * sh + 1:sh, c0:c0 + (wo - 1) * sw + 1:sw]
            y += np.einsum("ngchw,gmc->ngmhw", win, wg[:, :, :, i, j])
    y = y.reshape(n, m, ho, wo)
    if b is not None:
        y = y + b[None, :, None, None]
    return y
