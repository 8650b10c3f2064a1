"""Building blocks shared by the CNN perception networks (YOLOv8, ResNet, PointPillars, ...).

A block appends its operators to a :class:`~npucourse.networks.base.LayerList` and returns the
output shape ``(N, C, H, W)``. Two graph forms:

- ``fused=True`` (deployment graph): BatchNorm folded into the convolution (the conv gains a
  bias), the activation runs in the conv's epilogue (its operations are counted, it moves no
  extra DRAM bytes);
- ``fused=False`` (training graph, as PyTorch runs it in eager mode): conv, BatchNorm and the
  activation are separate layers, each reading and writing its feature map.

The element-wise layers here (BatchNorm, activations, residual add, pooling, nearest upsample,
concat) are temporary stand-ins built from :class:`~npucourse.cost.Cost` until the element-wise
operator models land in ``npucourse.ops``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..cost import DRAM, Cost
from ..ops import conv2d
from ..ops._common import canonical, elem_bytes
from .base import LayerList

Shape = tuple[int, int, int, int]

#: Non-MAC operations per element of each activation (inference).
#: assumption: ReLU = 1 compare; sigmoid = exp + add + divide = 3; SiLU = sigmoid + multiply = 4.
ACT_OPS: dict[str, float] = {"relu": 1.0, "sigmoid": 3.0, "silu": 4.0}

#: Operations per element of an inference BatchNorm: y = x·a + b with a = γ/√(σ²+ε) and
#: b = β − μ·a precomputed per channel (assumption: the per-channel constants are folded).
BN_OPS = 2.0


def _numel(shape: Sequence[int]) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def elementwise(name: str, shape: Shape, ops_per_elem: float, dtype: str, n_inputs: int = 1,
                out_shape: Shape | None = None, params: float = 0.0, stored: float = 0.0) -> Cost:
    """An element-wise layer: reads ``n_inputs`` tensors of ``shape``, writes one of ``out_shape``.

    ``stored`` counts per-channel constants read with it (e.g. BatchNorm's four vectors).
    """
    s = elem_bytes(dtype)
    out = out_shape or shape
    e_in, e_out = _numel(shape), _numel(out)
    return Cost(
        name=name, macs=0.0, flops=ops_per_elem * e_out,
        reads={DRAM: (n_inputs * e_in + stored) * s}, writes={DRAM: e_out * s},
        params=float(params), weight_bytes=params * s, out_bytes=e_out * s,
        out_shape=tuple(int(d) for d in out), dtype=canonical(dtype),
    )


def with_epilogue(cost: Cost, act: str | None) -> Cost:
    """``cost`` with an activation applied in its epilogue: adds the operations, not the traffic."""
    if act is None:
        return cost
    return replace(cost, flops=cost.flops + ACT_OPS[act] * _numel(cost.out_shape or ()))


def batchnorm(name: str, shape: Shape, dtype: str) -> Cost:
    """Inference BatchNorm over channel axis 1: 2 learnable vectors (γ, β) + 2 running stats."""
    c = shape[1]
    return elementwise(name, shape, BN_OPS, dtype, params=2 * c, stored=4 * c)


def activation(name: str, shape: Shape, act: str, dtype: str) -> Cost:
    return elementwise(name, shape, ACT_OPS[act], dtype)


def add(name: str, shape: Shape, dtype: str) -> Cost:
    """Residual addition of two tensors of ``shape`` (1 add per element)."""
    return elementwise(name, shape, 1.0, dtype, n_inputs=2)


def concat(name: str, shapes: Sequence[Shape], dtype: str) -> Cost:
    """Channel concatenation, materialised: every input read once, the output written once."""
    n, _, h, w = shapes[0]
    for sh in shapes:
        if (sh[0], sh[2], sh[3]) != (n, h, w):
            raise ValueError(f"concat {name}: shapes {list(shapes)} differ outside the channel axis")
    c = sum(sh[1] for sh in shapes)
    s = elem_bytes(dtype)
    e = n * c * h * w
    return Cost(name=name, reads={DRAM: e * s}, writes={DRAM: e * s}, out_bytes=e * s,
                out_shape=(n, c, h, w), dtype=canonical(dtype))


def upsample_nearest(name: str, shape: Shape, factor: int, dtype: str) -> Cost:
    """Nearest-neighbour upsampling by ``factor``: no arithmetic, reads the input, writes the output."""
    n, c, h, w = shape
    return elementwise(name, shape, 0.0, dtype, out_shape=(n, c, h * factor, w * factor))


def maxpool(name: str, shape: Shape, kernel: int, stride: int, padding: int, dtype: str) -> Cost:
    """Max pooling: k² − 1 comparisons per output element."""
    from ..ops import out_size

    n, c, h, w = shape
    ho, wo = out_size(h, kernel, stride, padding), out_size(w, kernel, stride, padding)
    return elementwise(name, shape, kernel * kernel - 1.0, dtype, out_shape=(n, c, ho, wo))


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
    b: LayerList, stage: str, name: str, shape: Shape, c_out: int, stride: int, act: str | None = "relu",
    fused: bool = True, dtype: str = "fp16",
) -> Shape:
    """ConvTranspose2d with kernel = stride (no overlap) + BatchNorm + activation.

    With kernel = stride every output pixel receives exactly one tap per input channel, so the
    layer equals a 1×1 conv producing ``c_out·stride²`` channels on the input grid followed by a
    pixel shuffle: MACs = H·W·C_in·C_out·stride², weights C_in·C_out·stride².
    """
    n, c_in, h, w = shape
    conv = conv2d(c_in, c_out * stride * stride, h, w, kernel=1, bias=fused, batch=n, dtype=dtype,
                  name=f"{name}.deconv")
    out: Shape = (n, c_out, h * stride, w * stride)
    params = c_in * c_out * stride * stride + (c_out if fused else 0)
    s = elem_bytes(dtype)
    conv = replace(conv, out_shape=out, params=float(params), weight_bytes=params * s,
                   flops=2 * conv.macs + (_numel(out) if fused else 0))
    if fused:
        b.add(stage, with_epilogue(conv, act))
        return out
    b.add(stage, conv)
    b.add(stage, batchnorm(f"{name}.bn", out, dtype))
    if act:
        b.add(stage, activation(f"{name}.{act}", out, act, dtype))
    return out
