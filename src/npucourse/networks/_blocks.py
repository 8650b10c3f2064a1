"""Building blocks shared by the CNN perception networks (YOLOv8, ResNet, PointPillars, ...).

A block appends its operators to a :class:`~npucourse.networks.base.LayerList` and returns the
output shape ``(N, C, H, W)``. Two graph forms:

- ``fused=True`` (deployment graph): BatchNorm folded into the convolution (the conv gains a
  bias), the activation runs in the conv's epilogue (its operations are counted, it moves no
  extra DRAM bytes);
- ``fused=False`` (training graph, as PyTorch runs it in eager mode): conv, BatchNorm and the
  activation are separate layers, each reading and writing its feature map.

Element-wise layers come from :mod:`npucourse.ops.elementwise`; nearest upsampling and a
materialised concat (no arithmetic, real traffic) are built here from :class:`~npucourse.cost.Cost`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..cost import DRAM, Cost
from ..ops import conv2d
from ..ops._common import canonical, elem_bytes
from ..ops.elementwise import ACTIVATION_OPS
from ..ops.elementwise import activation as _activation
from ..ops.elementwise import batchnorm as _batchnorm
from ..ops.elementwise import elementwise as _elementwise
from ..ops.elementwise import pool2d as _pool2d
from .base import LayerList

Shape = tuple[int, int, int, int]

def _numel(shape: Sequence[int]) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def with_epilogue(cost: Cost, act: str | None) -> Cost:
    """``cost`` with an activation applied in its epilogue: adds the operations, not the traffic."""
    if act is None:
        return cost
    return replace(cost, flops=cost.flops + ACTIVATION_OPS[act] * _numel(cost.out_shape or ()))


def batchnorm(name: str, shape: Shape, dtype: str) -> Cost:
    """Inference BatchNorm of the unfused graph (reads γ, β, μ, σ²)."""
    return _batchnorm(shape, dtype=dtype, folded=False, name=name)


def activation(name: str, shape: Shape, act: str, dtype: str) -> Cost:
    return _activation(shape, act, dtype=dtype, name=name)


def add(name: str, shape: Shape, dtype: str) -> Cost:
    """Residual addition of two tensors of ``shape`` (1 add per element)."""
    return _elementwise(shape, n_inputs=2, ops_per_element=1.0, dtype=dtype, name=name)


def maxpool(name: str, shape: Shape, kernel: int, stride: int, padding: int, dtype: str) -> Cost:
    return _pool2d(shape, "max", kernel=kernel, stride=stride, padding=padding, dtype=dtype, name=name)


def global_avgpool(name: str, shape: Shape, dtype: str) -> Cost:
    return _pool2d(shape, "avg", kernel=(shape[2], shape[3]), dtype=dtype, name=name)


def _move(name: str, in_elems: int, out_shape: Shape, dtype: str) -> Cost:
    """A layer that only moves data: reads ``in_elems``, writes ``out_shape``; no arithmetic."""
    s = elem_bytes(dtype)
    e = _numel(out_shape)
    return Cost(name=name, reads={DRAM: in_elems * s}, writes={DRAM: e * s}, out_bytes=e * s,
                out_shape=tuple(int(d) for d in out_shape), dtype=canonical(dtype))


def concat(name: str, shapes: Sequence[Shape], dtype: str) -> Cost:
    """Channel concatenation, materialised: every input read once, the output written once."""
    n, _, h, w = shapes[0]
    for sh in shapes:
        if (sh[0], sh[2], sh[3]) != (n, h, w):
            raise ValueError(f"concat {name}: shapes {list(shapes)} differ outside the channel axis")
    c = sum(sh[1] for sh in shapes)
    return _move(name, n * c * h * w, (n, c, h, w), dtype)


def scatter_to_dense(name: str, n_items: float, item_channels: int, out_shape: Shape, dtype: str,
                     index_bytes: float = 16.0) -> Cost:
    """Scatter ``n_items`` feature vectors into a zeroed dense tensor of ``out_shape``.

    No arithmetic; reads the items' features and their coordinate indices (``index_bytes`` each,
    e.g. four int32), writes the whole tensor once (zero fill) plus the scattered values.
    """
    s = elem_bytes(dtype)
    dense = _numel(out_shape)
    return Cost(name=name, reads={DRAM: n_items * (item_channels * s + index_bytes)},
                writes={DRAM: (dense + n_items * item_channels) * s}, out_bytes=dense * s,
                out_shape=tuple(int(d) for d in out_shape), dtype=canonical(dtype))


def upsample_nearest(name: str, shape: Shape, factor: int, dtype: str) -> Cost:
    """Nearest-neighbour upsampling by ``factor``: no arithmetic, reads the input, writes the output."""
    n, c, h, w = shape
    return _move(name, _numel(shape), (n, c, h * factor, w * factor), dtype)


def conv_norm_act(
    b: LayerList, stage: str, name: str, shape: Shape, c_out: int, kernel: int | tuple[int, int] = 3,
    stride: int | tuple[int, int] = 1, act: str | None = "relu", fused: bool = True, dtype: str = "fp16",
    padding: int | tuple[int, int] | None = None, groups: int = 1, norm: bool = True, conv_bias: bool = False,
) -> Shape:
    """Conv2d (+ BatchNorm) (+ activation); returns the output shape.

    ``norm=False`` gives a plain conv (with ``conv_bias``) plus the activation. With ``fused`` the
    BatchNorm becomes the conv's bias and the activation its epilogue.
    """
    n, c_in, h, w = shape
    fold = norm and fused
    conv = conv2d(c_in, c_out, h, w, kernel=kernel, stride=stride, padding=padding, groups=groups,
                  bias=conv_bias or fold, batch=n, dtype=dtype, name=f"{name}.conv")
    out = conv.out_shape
    assert out is not None
    if fused or not (norm or act):
        b.add(stage, with_epilogue(conv, act))
        return out  # type: ignore[return-value]
    b.add(stage, conv)
    if norm:
        b.add(stage, batchnorm(f"{name}.bn", out, dtype))  # type: ignore[arg-type]
    if act:
        b.add(stage, activation(f"{name}.{act}", out, act, dtype))  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def conv_transpose_norm_act(
    b: LayerList, stage: str, name: str, shape: Shape, c_out: int, kernel: int, stride: int, padding: int = 0,
    act: str | None = "relu", fused: bool = True, dtype: str = "fp16",
) -> Shape:
    """ConvTranspose2d (no bias) + BatchNorm + activation; returns the output shape.

    Output side ``(H − 1)·S − 2P + K`` (PyTorch, no output padding). MACs counted in the scatter
    form every framework counter uses: each input pixel meets ``K²·C_out`` weights, so
    MACs = N·H·W·C_in·C_out·K² — equal to a 1×1 conv to ``C_out·K²`` channels on the input grid
    (for K = S each output pixel then receives exactly one tap per input channel).
    """
    n, c_in, h, w = shape
    ho, wo = (h - 1) * stride - 2 * padding + kernel, (w - 1) * stride - 2 * padding + kernel
    if ho < 1 or wo < 1:
        raise ValueError(f"{name}: transposed conv output {ho}×{wo} is empty for input {h}×{w}")
    conv = conv2d(c_in, c_out * kernel * kernel, h, w, kernel=1, batch=n, dtype=dtype, name=f"{name}.deconv")
    out: Shape = (n, c_out, ho, wo)
    params = c_in * c_out * kernel * kernel + (c_out if fused else 0)
    s = elem_bytes(dtype)
    e_out = _numel(out)
    conv = replace(conv, out_shape=out, params=float(params), weight_bytes=params * s,
                   flops=2 * conv.macs + (e_out if fused else 0),
                   reads={DRAM: (n * c_in * h * w + params) * s}, writes={DRAM: e_out * s}, out_bytes=e_out * s)
    if fused:
        b.add(stage, with_epilogue(conv, act))
        return out
    b.add(stage, conv)
    b.add(stage, batchnorm(f"{name}.bn", out, dtype))
    if act:
        b.add(stage, activation(f"{name}.{act}", out, act, dtype))
    return out
