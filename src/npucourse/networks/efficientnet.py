"""EfficientNet-B0…B7 as in torchvision (Chapter 2 §2.2.3: RT-1's image tokenizer).

Architecture of torchvision ``models/efficientnet.py`` (Tan & Le, arXiv 1905.11946, Table 1):
a 3×3 stride-2 stem, seven stages of MBConv blocks, a 1×1 head convolution to 4× the last
stage's width, global average pooling and a linear classifier. Width and depth scale with the
variant: channels ``_make_divisible(c·width_mult, 8)``, repeats ``ceil(n·depth_mult)``.

MBConv (inverted residual): 1×1 expansion (ratio 6; none when the ratio is 1) + BN + SiLU,
k×k depthwise convolution (stride 1 or 2) + BN + SiLU, squeeze-and-excitation (global average
pool, 1×1 conv to ``max(1, c_in // 4)`` with bias, SiLU, 1×1 conv back with bias, sigmoid,
channel-wise scaling), 1×1 projection + BN, residual add when the shape is kept. Stochastic
depth is the identity at inference. BatchNorm is a separate layer (as PyTorch runs it in eager
mode; parameters γ, β — 2 per channel — as torchvision counts them).

Counting: MACs of the convolutions (SE's 1×1 convolutions on a 1×1 map included) and of the
classifier — torchvision's "GFLOPS" column (GMACs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .. import _validate as v
from ..ops import conv2d, depthwise_conv2d
from ..ops.elementwise import activation, batchnorm, elementwise, pool2d
from . import _transformer as tb
from .base import LayerList, Network

SOURCE = "torchvision models/efficientnet.py (_efficientnet_conf, MBConv); Tan & Le, arXiv 1905.11946, Table 1"

#: Base stages (expand ratio, kernel, stride, in channels, out channels, repeats) — torchvision
#: ``_efficientnet_conf("efficientnet_b*")``, the paper's Table 1.
BASE_STAGES = ((1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
               (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1))


@dataclass(frozen=True)
class EfficientNetVariant:
    """Width and depth multipliers and the evaluation resolution of torchvision's weights."""

    width_mult: float
    depth_mult: float
    image_size: int
    source: str = "torchvision efficientnet_b* builders and EfficientNet_B*_Weights transforms (crop_size)"


VARIANTS: dict[str, EfficientNetVariant] = {
    "b0": EfficientNetVariant(1.0, 1.0, 224),
    "b1": EfficientNetVariant(1.0, 1.1, 240),
    "b2": EfficientNetVariant(1.1, 1.2, 288),
    "b3": EfficientNetVariant(1.2, 1.4, 300),
    "b4": EfficientNetVariant(1.4, 1.8, 380),
    "b5": EfficientNetVariant(1.6, 2.2, 456),
    "b6": EfficientNetVariant(1.8, 2.6, 528),
    "b7": EfficientNetVariant(2.0, 3.1, 600),
}


def make_divisible(x: float, divisor: int = 8) -> int:
    """Round channels to a multiple of ``divisor``, never more than 10 % down
    (torchvision ``models/_utils.py::_make_divisible``, from the TensorFlow reference)."""
    new = max(divisor, int(x + divisor / 2) // divisor * divisor)
    if new < 0.9 * x:
        new += divisor
    return new


def config(name: str) -> EfficientNetVariant:
    """The :class:`EfficientNetVariant` of ``name``; KeyError listing the known variants."""
    try:
        return VARIANTS[name]
    except KeyError:
        raise KeyError(f"unknown EfficientNet variant {name!r}; known: {', '.join(VARIANTS)}") from None


def blocks(name: str) -> list[tuple[int, int, int, int, int]]:
    """Every MBConv block of variant ``name`` as (expand ratio, kernel, stride, c_in, c_out)."""
    var = config(name)
    out = []
    for e, k, s, cin, cout, n in BASE_STAGES:
        cin, cout = make_divisible(cin * var.width_mult), make_divisible(cout * var.width_mult)
        for j in range(int(math.ceil(n * var.depth_mult))):
            out.append((e, k, s if j == 0 else 1, cin if j == 0 else cout, cout))
    return out


Shape = tuple[int, int, int, int]


def _conv_bn(b: LayerList, stage: str, shape: Shape, c_out: int, k: int, stride: int, act: str | None,
             dtype: str, name: str, depthwise: bool = False) -> Shape:
    n, c, h, w = shape
    if depthwise:
        conv = depthwise_conv2d(c, h, w, kernel=k, stride=stride, batch=n, dtype=dtype, name=f"{name}_dw")
    else:
        conv = conv2d(c, c_out, h, w, kernel=k, stride=stride, batch=n, dtype=dtype, name=f"{name}_conv")
    out = b.add(stage, conv).out_shape
    b.add(stage, batchnorm(out, dtype=dtype, name=f"{name}_bn"))
    if act:
        b.add(stage, activation(out, act, dtype, f"{name}_{act}"))
    return out


def _mbconv(b: LayerList, stage: str, shape: Shape, e: int, k: int, s: int, cin: int, cout: int,
            dtype: str, name: str) -> Shape:
    x = shape
    exp = make_divisible(cin * e)
    if exp != cin:
        x = _conv_bn(b, stage, x, exp, 1, 1, "silu", dtype, f"{name}_expand")
    x = _conv_bn(b, stage, x, exp, k, s, "silu", dtype, f"{name}_depthwise", depthwise=True)
    n, _, h, w = x
    sq = max(1, cin // 4)
    pooled = b.add(stage, pool2d(x, "avg", kernel=(h, w), dtype=dtype, name=f"{name}_se_pool")).out_shape
    b.add(stage, conv2d(exp, sq, 1, 1, kernel=1, bias=True, batch=n, dtype=dtype, name=f"{name}_se_fc1"))
    b.add(stage, activation((n, sq, 1, 1), "silu", dtype, f"{name}_se_silu"))
    b.add(stage, conv2d(sq, exp, 1, 1, kernel=1, bias=True, batch=n, dtype=dtype, name=f"{name}_se_fc2"))
    b.add(stage, activation(pooled, "sigmoid", dtype, f"{name}_se_sigmoid"))
    b.add(stage, elementwise(x, 1, 1.0, dtype, f"{name}_se_scale"))  # x · s (s broadcast per channel)
    x = _conv_bn(b, stage, x, cout, 1, 1, None, dtype, f"{name}_project")
    if s == 1 and cin == cout:
        b.add(stage, elementwise(x, 2, 1.0, dtype, f"{name}_residual"))
    return x


def features(b: LayerList, name: str, image_size: int, batch: int, dtype: str,
             after_block: Callable[[LayerList, str, Shape], None] | None = None) -> Shape:
    """Append the stem, all MBConv blocks and the 1×1 head convolution; return the feature shape.

    ``after_block(b, stage, shape)`` is called after every MBConv block (RT-1 inserts FiLM there).
    """
    v.positive_int("image_size", image_size)
    v.positive_int("batch", batch)
    var = config(name)
    c0 = make_divisible(32 * var.width_mult)
    x = _conv_bn(b, "stem", (batch, 3, image_size, image_size), c0, 3, 2, "silu", dtype, "stem")
    stage_of = _stage_index(name)
    for i, (e, k, s, cin, cout) in enumerate(blocks(name)):
        stage = f"stage{stage_of[i] + 1}"
        x = _mbconv(b, stage, x, e, k, s, cin, cout, dtype, f"block{i}")
        if after_block is not None:
            after_block(b, stage, x)
    return _conv_bn(b, "head", x, 4 * x[1], 1, 1, "silu", dtype, "head")


def _stage_index(name: str) -> list[int]:
    var = config(name)
    return [i for i, st in enumerate(BASE_STAGES) for _ in range(int(math.ceil(st[5] * var.depth_mult)))]


def efficientnet(variant: str = "b0", image_size: int | None = None, *, num_classes: int | None = 1000,
                 batch: int = 1, dtype: str = "fp16") -> Network:
    """EfficientNet as in torchvision (``efficientnet_b0`` … ``efficientnet_b7``).

    Parameters
    ----------
    variant : ``"b0"`` … ``"b7"`` (KeyError otherwise)
    image_size : input side [px]; default the resolution of torchvision's weights (B3: 300)
    num_classes : classifier outputs; ``None`` for the feature extractor only
    batch, dtype

    Examples
    --------
    >>> net = efficientnet("b3")
    >>> int(net.params), round(net.macs / 1e9, 2)
    (12233232, 1.83)
    """
    var = config(variant)
    size = var.image_size if image_size is None else image_size
    b = LayerList()
    x = features(b, variant, size, batch, dtype)
    if num_classes is not None:
        v.positive_int("num_classes", num_classes)
        b.add("classifier", pool2d(x, "avg", kernel=(x[2], x[3]), dtype=dtype, name="avgpool"))
        b.add("classifier", tb.linear(batch, x[1], num_classes, bias=True, dtype=dtype, name="fc"))
    return b.build(f"efficientnet_{variant}@{size}", source=SOURCE, variant=variant, image_size=size,
                   num_classes=num_classes, batch=batch, dtype=dtype, feature_shape=x)


__all__ = ["efficientnet", "features", "blocks", "make_divisible", "VARIANTS"]
