"""ResNet-18/34/50/101 (Chapter 2 §2.1; backbone of CenterNet, BEVDet and BEVFormer).

Built as ``torchvision/models/resnet.py`` builds it (ResNet v1.5: in a Bottleneck the stride sits
on the 3×3 conv); ``style="caffe"`` puts it on the first 1×1 conv as mmdet's ``style='caffe'``
does (BEVFormer's R101). ``dcn_stages`` turns the 3×3 conv of the Bottlenecks of the given stages
into a modulated deformable conv (DCNv2, mmcv ``ModulatedDeformConv2dPack``), as in BEVFormer's
``stage_with_dcn=(False, False, True, True)``.

Stages: ``stem`` (conv1 + BN + ReLU + max pool), ``layer1`` … ``layer4`` (strides 4, 8, 16, 32:
the C2…C5 features), and ``head`` (global average pool + FC) unless ``features_only``.

Convention: torchvision's "GFLOPS" for ResNet (``_ops`` in the weights' metadata) count
multiply–accumulates of convs and the FC layer: compare them with ``macs``.
"""

from __future__ import annotations

from dataclasses import replace

from .. import _validate as v
from ..cost import DRAM
from ..ops import conv2d
from . import _blocks as blk
from ._blocks import Shape
from .base import LayerList, Network

SOURCE = "torchvision/models/resnet.py (ResNet v1.5); mmdet ResNet style='caffe' and DCNv2 options"

#: (block, blocks per stage) per depth, from torchvision's resnet18 … resnet101 builders.
DEPTHS: dict[int, tuple[str, tuple[int, int, int, int]]] = {
    18: ("basic", (2, 2, 2, 2)), 34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)), 101: ("bottleneck", (3, 4, 23, 3)),
}

#: torchvision weights metadata (``ResNet*_Weights.IMAGENET1K_V1.meta``): params and ``_ops``
#: ("GFLOPS", really GMACs) at 224×224.
PUBLISHED: dict[int, tuple[int, float]] = {
    18: (11_689_512, 1.814), 34: (21_797_672, 3.664), 50: (25_557_032, 4.089), 101: (44_549_160, 7.801),
}

#: Non-MAC operations per sampled element of a deformable conv tap (assumption: bilinear
#: interpolation = 4 multiplies + 3 adds; DCNv2 modulation = 1 multiply).
DCN_SAMPLE_OPS = 8.0
PLANES = (64, 128, 256, 512)


def _dcn_conv(b: LayerList, stage: str, name: str, x: Shape, c_out: int, stride: int, fused: bool,
              dtype: str) -> Shape:
    """DCNv2 3×3 conv: offset/mask conv (3·9 = 27 channels, with bias), bilinear sampling of every
    tap of every input channel at each output position, then the 3×3 conv's MACs."""
    n, c_in, h, w = x
    off = conv2d(c_in, 27, h, w, kernel=3, stride=stride, bias=True, batch=n, dtype=dtype, name=f"{name}.offset")
    b.add(stage, off)
    main = conv2d(c_in, c_out, h, w, kernel=3, stride=stride, bias=fused, batch=n, dtype=dtype, name=f"{name}.dcn")
    _, _, ho, wo = main.out_shape  # type: ignore[misc]
    sampled = n * ho * wo * 9 * c_in
    main = replace(main, flops=main.flops + DCN_SAMPLE_OPS * sampled,
                   reads={DRAM: main.reads[DRAM] + off.out_bytes})
    out = main.out_shape
    if fused:
        b.add(stage, blk.with_epilogue(main, "relu"))
        return out  # type: ignore[return-value]
    b.add(stage, main)
    b.add(stage, blk.batchnorm(f"{name}.bn", out, dtype))  # type: ignore[arg-type]
    b.add(stage, blk.activation(f"{name}.relu", out, "relu", dtype))  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def _block(b: LayerList, stage: str, name: str, x: Shape, planes: int, stride: int, kind: str,
           style: str, dcn: bool, fused: bool, dtype: str) -> Shape:
    cbr = blk.conv_norm_act
    exp = 4 if kind == "bottleneck" else 1
    if kind == "basic":
        y = cbr(b, stage, f"{name}.conv1", x, planes, 3, stride, "relu", fused, dtype)
        y = cbr(b, stage, f"{name}.conv2", y, planes, 3, 1, None, fused, dtype)
    else:
        s1, s2 = (stride, 1) if style == "caffe" else (1, stride)
        y = cbr(b, stage, f"{name}.conv1", x, planes, 1, s1, "relu", fused, dtype)
        if dcn:
            y = _dcn_conv(b, stage, f"{name}.conv2", y, planes, s2, fused, dtype)
        else:
            y = cbr(b, stage, f"{name}.conv2", y, planes, 3, s2, "relu", fused, dtype)
        y = cbr(b, stage, f"{name}.conv3", y, planes * exp, 1, 1, None, fused, dtype)
    if stride != 1 or x[1] != planes * exp:
        cbr(b, stage, f"{name}.downsample", x, planes * exp, 1, stride, None, fused, dtype)
    b.add(stage, blk.add(f"{name}.add", y, dtype))
    b.add(stage, blk.activation(f"{name}.relu", y, "relu", dtype))
    return y


def resnet(depth: int = 50, image_size: int | tuple[int, int] = 224, num_classes: int = 1000,
           features_only: bool = False, style: str = "pytorch", dcn_stages: tuple[int, ...] = (),
           fused: bool = True, dtype: str = "fp16", batch: int = 1) -> Network:
    """ResNet as a layer list.

    Parameters
    ----------
    depth : {18, 34, 50, 101}
        KeyError for another depth.
    image_size : int or (height, width)
        Input size (any size ≥ 32 that the strided convs accept).
    num_classes : int
        FC outputs (ignored with ``features_only``).
    features_only : bool
        Drop the average pool and FC (detection / BEV backbone use).
    style : {"pytorch", "caffe"}
        Where a Bottleneck puts its stride (3×3 conv vs first 1×1 conv).
    dcn_stages : tuple of int
        Stages (1–4) whose Bottleneck 3×3 convs are DCNv2.
    fused : bool
        BatchNorm folded into the conv and ReLU in its epilogue (``False``: separate layers;
        ``params`` then equal torchvision's parameter count).
    dtype, batch :
        Element type and batch size.

    Returns
    -------
    Network
        ``config["features"]`` maps ``"C2"``…``"C5"`` to the (N, C, H, W) output shape of
        ``layer1``…``layer4``.
    """
    if depth not in DEPTHS:
        raise KeyError(f"unknown ResNet depth {depth!r}; known: {', '.join(map(str, DEPTHS))}")
    v.choice("style", style, ("pytorch", "caffe"))
    for s in dcn_stages:
        v.choice("dcn_stages entry", s, (1, 2, 3, 4))
    kind, counts = DEPTHS[depth]
    if kind == "basic" and dcn_stages:
        raise ValueError(f"dcn_stages needs a Bottleneck ResNet (depth 50 or 101), got depth={depth}")
    h, w = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)  # type: ignore[misc]
    v.positive_int("image_size", (h, w))
    v.positive_int("batch", batch)
    v.positive_int("num_classes", num_classes)
    if min(h, w) < 32:
        raise ValueError(f"image_size must be at least 32 on each side, got {image_size!r}")
    b = LayerList()
    x: Shape = (int(batch), 3, int(h), int(w))
    x = blk.conv_norm_act(b, "stem", "conv1", x, 64, 7, 2, "relu", fused, dtype, padding=3)
    x = b.add("stem", blk.maxpool("maxpool", x, 3, 2, 1, dtype)).out_shape  # type: ignore[assignment]
    features: dict[str, Shape] = {}
    for i, (planes, n_blocks) in enumerate(zip(PLANES, counts), start=1):
        stage = f"layer{i}"
        for j in range(n_blocks):
            stride = 2 if (j == 0 and i > 1) else 1
            x = _block(b, stage, f"{stage}.{j}", x, planes, stride, kind, style, i in dcn_stages, fused, dtype)
        features[f"C{i + 1}"] = x
    if not features_only:
        n, c, fh, fw = x
        b.add("head", blk.global_avgpool("avgpool", x, dtype))
        b.add("head", conv2d(c, num_classes, 1, 1, kernel=1, bias=True, batch=n, dtype=dtype, name="fc"))
    name = f"resnet{depth}{'-dcn' if dcn_stages else ''}@{h}x{w}"
    return b.build(name, source=SOURCE, depth=depth, image_size=(h, w), features_only=features_only,
                   style=style, dcn_stages=tuple(dcn_stages), fused=fused, dtype=dtype, batch=batch,
                   features=features)


def feature_shapes(depth: int = 50, image_size: int | tuple[int, int] = 224, batch: int = 1) -> dict[str, Shape]:
    """(N, C, H, W) of the C2…C5 features (outputs of ``layer1``…``layer4``)."""
    return dict(resnet(depth, image_size, features_only=True, batch=batch).config["features"])
