"""BEVDet (arXiv 2112.11790): lift–splat camera BEV detection (Chapter 2 §2.1.3, exercise 2.7).

Built after ``HuangJunJie2017/BEVDet`` ``configs/bevdet/bevdet-sttiny.py`` (BEVDet-Tiny) and
``bevdet-r50.py``:

- image backbone on every camera at 256 × 704: Swin-T (``SwinTransformer``: patch 4, window 7,
  depths 2-2-6-2, 96 channels, outputs of stages 3 and 4) for BEVDet-Tiny, or ResNet-50 (C4, C5);
- image neck to 512 channels at stride 16 (``FPN_LSS`` for Swin-T: upsample C5 ×2, concat, two
  3×3 convs; ``FPNForBEVDet`` for ResNet-50);
- view transformer (``ViewTransformerLiftSplatShoot``): ``depthnet`` = Conv1×1(512 → D + 64) with
  D = 59 depth bins (1–60 m step 1), softmax over depth, *lift* = outer product depth × context
  (a D × 64 frustum volume per feature pixel), *splat* = voxel pooling (sum) into the 128 × 128
  BEV grid (0.8 m cells over ±51.2 m);
- BEV encoder ``ResNetForBEVDet`` (BasicBlocks 2-2-2, 128/256/512 channels, strides 2) and
  ``FPN_LSS`` (640 → 512 → ×2 upsample → 256 channels at 128 × 128);
- ``CenterHead`` (6 tasks, mmdet3d ``ConvModule``: no conv bias before BN).

Published: BEVDet-Tiny 215.3 GFLOPs, 15.6 FPS (paper, Table 1). The counter behind BEVDet's numbers
(mmcv ``get_model_complexity_info``, via mmdet's ``tools/analysis_tools/get_flops.py``) counts one
"FLOP" per multiply–accumulate of convolutions and ``nn.Linear`` layers and does not see the
functional matrix products inside attention (``q @ k.transpose``, ``attn @ v``); it adds one count per
element of norms, ReLUs and upsampling modules: compare the paper's number with :func:`mmcv_gflops`
(≈ GMACs), not with ``2·macs``.

:func:`bev_dataflow_traffic` is the DRAM-traffic model behind exercise 2.7.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..ops import conv2d, gemm
from ..ops._common import canonical, elem_bytes
from ..ops.attention import attention
from ..ops.elementwise import elementwise, softmax
from . import _blocks as blk
from . import _transformer as tb
from ._blocks import Shape
from .base import LayerList, Network
from .centerpoint import center_head
from .resnet import resnet

if TYPE_CHECKING:
    import pandas as pd

SOURCE = ("HuangJunJie2017/BEVDet configs/bevdet/bevdet-sttiny.py, bevdet-r50.py; mmdet3d/models/necks/"
          "{view_transformer,lss_fpn,fpn}.py; mmdet3d/models/backbones/{swin,resnet}.py; arXiv 2112.11790")

#: Paper, Table 1 (nuScenes val): BEVDet-Tiny (Swin-T, 256 × 704) — GFLOPs as mmcv counts them.
PUBLISHED_TINY_GFLOPS = 215.3
INPUT_SIZE = (256, 704)
DEPTH_BINS = (1.0, 60.0, 1.0)  # dbound: 59 bins
BEV_GRID = (128, 128)  # xbound/ybound ±51.2 m in 0.8 m cells
CONTEXT_CHANNELS = 64  # numC_Trans
NECK_CHANNELS = 512
DOWNSAMPLE = 16

#: Swin-T (Liu et al., arXiv 2103.14030, Table 7; BEVDet's swin config).
SWIN_T = {"embed_dims": 96, "depths": (2, 2, 6, 2), "heads": (3, 6, 12, 24), "window": 7, "patch": 4, "mlp": 4}


def _ceil_to(x: int, m: int) -> int:
    return -(-x // m) * m


def _swin_block(b: LayerList, stage: str, p: str, n: int, h: int, w: int, c: int, heads: int, ws: int,
                dtype: str) -> None:
    """One Swin block on n images of h×w tokens: LN, (shifted) window attention on the map padded
    to multiples of the window (mmdet ``ShiftWindowMSA``), residual; LN, MLP ×4, residual."""
    tokens = n * h * w
    hp, wp = _ceil_to(h, ws), _ceil_to(w, ws)
    windows = n * (hp // ws) * (wp // ws)
    padded = windows * ws * ws
    b.add(stage, tb.norm("layernorm", tokens, c, dtype, f"{p}norm1"))
    b.add(stage, tb.linear(padded, c, 3 * c, bias=True, dtype=dtype, name=f"{p}qkv"))
    b.add(stage, attention(ws * ws, ws * ws, c // heads, heads=heads, batch=windows, dtype=dtype, name=f"{p}attn"))
    # relative position bias: one add per score entry
    b.add(stage, elementwise((windows, heads, ws * ws, ws * ws), 1, 1.0, dtype, name=f"{p}rel_pos_bias"))
    b.add(stage, tb.linear(padded, c, c, bias=True, dtype=dtype, name=f"{p}proj"))
    b.add(stage, tb.add(tokens, c, dtype, f"{p}residual1"))
    tb.mlp(b, stage, tokens=tokens, d=c, hidden=SWIN_T["mlp"] * c, dtype=dtype, bias=True, prefix=p)


def swin_t(b: LayerList, n: int, image: tuple[int, int], dtype: str, stage: str = "image_backbone"
           ) -> dict[str, Shape]:
    """Swin-T (mmdet ``SwinTransformer`` as configured by BEVDet-Tiny) on n images; returns the
    stage-3 and stage-4 outputs (after their output LayerNorm) as (N, C, H, W)."""
    cfg = SWIN_T
    c = cfg["embed_dims"]
    ws = cfg["window"]
    pe = conv2d(3, c, image[0], image[1], kernel=cfg["patch"], stride=cfg["patch"], padding=0, bias=True,
                batch=n, dtype=dtype, name="patch_embed")
    b.add(stage, pe)
    _, _, h, w = pe.out_shape  # type: ignore[misc]
    b.add(stage, tb.norm("layernorm", n * h * w, c, dtype, "patch_embed.norm"))
    outs: dict[str, Shape] = {}
    for i, (depth, heads) in enumerate(zip(cfg["depths"], cfg["heads"])):
        if i > 0:  # PatchMerging: 2×2 neighbours concatenated (4C), LayerNorm, Linear(4C → 2C, no bias)
            h, w = -(-h // 2), -(-w // 2)
            b.add(stage, tb.norm("layernorm", n * h * w, 4 * c, dtype, f"stage{i}.merge.norm"))
            b.add(stage, tb.linear(n * h * w, 4 * c, 2 * c, bias=False, dtype=dtype, name=f"stage{i}.merge.reduction"))
            c *= 2
        for j in range(depth):
            _swin_block(b, stage, f"stage{i}.{j}.", n, h, w, c, heads, ws, dtype)
        if i >= 2:  # out_indices (2, 3): an output LayerNorm each
            b.add(stage, tb.norm("layernorm", n * h * w, c, dtype, f"stage{i}.out_norm"))
            outs[f"stage{i}"] = (n, c, h, w)
    return outs


def _upsample_bilinear(name: str, x: Shape, factor: int, dtype: str) -> Cost:
    """Bilinear upsampling (align_corners): 4 taps per output element, counted as 4 MACs."""
    n, c, h, w = x
    out = (n, c, h * factor, w * factor)
    e_out = n * c * h * factor * w * factor
    s = elem_bytes(dtype)
    return Cost(name=name, macs=4.0 * e_out, flops=8.0 * e_out, reads={DRAM: n * c * h * w * s},
                writes={DRAM: e_out * s}, out_bytes=e_out * s, out_shape=out, dtype=canonical(dtype))


def _fpn_lss(b: LayerList, stage: str, p: str, x_hi: Shape, x_lo: Shape, c_out: int, scale: int,
             extra_upsample: int | None, fused: bool, dtype: str) -> Shape:
    """``FPN_LSS``: upsample the coarse map (bilinear), concat with the fine one, two 3×3
    conv-BN-ReLU (to 2·c_out if an extra upsample follows), then optionally ×2 upsample,
    3×3 conv-BN-ReLU to c_out and a 1×1 conv with bias."""
    up = b.add(stage, _upsample_bilinear(f"{p}up", x_lo, scale, dtype)).out_shape
    cat = b.add(stage, blk.concat(f"{p}concat", [x_hi, up], dtype)).out_shape  # type: ignore[list-item]
    mid = c_out * (2 if extra_upsample else 1)
    y = blk.conv_norm_act(b, stage, f"{p}conv0", cat, mid, 3, 1, "relu", fused, dtype)  # type: ignore[arg-type]
    y = blk.conv_norm_act(b, stage, f"{p}conv1", y, mid, 3, 1, "relu", fused, dtype)
    if extra_upsample:
        y = b.add(stage, _upsample_bilinear(f"{p}up2", y, extra_upsample, dtype)).out_shape  # type: ignore[assignment]
        y = blk.conv_norm_act(b, stage, f"{p}up2.conv0", y, c_out, 3, 1, "relu", fused, dtype)
        y = blk.conv_norm_act(b, stage, f"{p}up2.conv1", y, c_out, 1, 1, None, fused, dtype, norm=False,
                              conv_bias=True)
    return y


def _bev_resnet(b: LayerList, stage: str, x: Shape, fused: bool, dtype: str) -> list[Shape]:
    """``ResNetForBEVDet``: 3 stages of 2 BasicBlocks, channels 2c, 4c, 8c, stride 2; the first
    block's downsample is a plain Conv2d(3×3, stride 2) with bias (no BN)."""
    feats = []
    c_in = x[1]
    for i in range(3):
        c = c_in * 2 ** (i + 1)
        for j in range(2):
            stride = 2 if j == 0 else 1
            y = blk.conv_norm_act(b, stage, f"bev.layer{i}.{j}.conv1", x, c, 3, stride, "relu", fused, dtype)
            y = blk.conv_norm_act(b, stage, f"bev.layer{i}.{j}.conv2", y, c, 3, 1, None, fused, dtype)
            if j == 0:
                blk.conv_norm_act(b, stage, f"bev.layer{i}.{j}.downsample", x, c, 3, stride, None, fused, dtype,
                                  norm=False, conv_bias=True)
            b.add(stage, blk.add(f"bev.layer{i}.{j}.add", y, dtype))
            b.add(stage, blk.activation(f"bev.layer{i}.{j}.relu", y, "relu", dtype))
            x = y
        feats.append(x)
    return feats


def depth_bins(dbound: Sequence[float] = DEPTH_BINS) -> int:
    """Depth bins of the frustum: ``len(arange(start, stop, step))`` (59 for 1–60 m step 1)."""
    lo, hi, step = dbound
    v.positive("dbound step", step)
    if not hi > lo:
        raise ValueError(f"dbound must have stop > start, got {dbound!r}")
    return int(np.ceil((hi - lo) / step - 1e-9))


def bevdet(backbone: str = "swin-t", image_size: tuple[int, int] = INPUT_SIZE, n_cams: int = 6,
           dbound: Sequence[float] = DEPTH_BINS, bev_grid: tuple[int, int] = BEV_GRID,
           kept_fraction: float = 1.0, fused: bool = True, dtype: str = "fp16") -> Network:
    """BEVDet as a layer list (batch of one scene: ``n_cams`` images).

    Parameters
    ----------
    backbone : {"swin-t", "resnet50"}
        BEVDet-Tiny uses Swin-T (``bevdet-sttiny.py``); ``bevdet-r50.py`` ResNet-50.
    image_size : (height, width), multiples of 32
    n_cams : cameras
    dbound : (start, stop, step) of the depth bins [m]
    bev_grid : (X, Y) BEV cells
    kept_fraction : share of frustum points that fall inside the BEV grid and are pooled
        (assumption: 1.0, an upper bound)
    fused, dtype :

    Returns
    -------
    Network
        Stages ``image_backbone``, ``image_neck``, ``depthnet``, ``lift``, ``splat``,
        ``bev_encoder``, ``bev_neck``, ``head``.
    """
    v.choice("backbone", backbone, ("swin-t", "resnet50"))
    h, w = image_size
    for side in (h, w):
        v.positive_int("image_size", side)
        if side % 32:
            raise ValueError(f"image_size must be multiples of 32, got {image_size!r}")
    v.positive_int("n_cams", n_cams)
    v.probability("kept_fraction", kept_fraction)
    for side in bev_grid:
        v.positive_int("bev_grid", side)
        if side % 8:
            raise ValueError(f"bev_grid must be multiples of 8 (three stride-2 stages), got {bev_grid!r}")
    D = depth_bins(dbound)
    b = LayerList()
    if backbone == "swin-t":
        outs = swin_t(b, n_cams, (h, w), dtype)
        feat = _fpn_lss(b, "image_neck", "img_neck.", outs["stage2"], outs["stage3"], NECK_CHANNELS, 2, None,
                        fused, dtype)
    else:
        r = resnet(50, (h, w), features_only=True, fused=fused, dtype=dtype, batch=n_cams)
        for ly in r.layers:
            b.add("image_backbone", ly.cost)
        c4, c5 = r.config["features"]["C4"], r.config["features"]["C5"]
        lat0 = blk.conv_norm_act(b, "image_neck", "img_neck.lateral0", c4, NECK_CHANNELS, 1, 1, None, fused, dtype,
                                 norm=False, conv_bias=True)
        lat1 = blk.conv_norm_act(b, "image_neck", "img_neck.lateral1", c5, NECK_CHANNELS, 1, 1, None, fused, dtype,
                                 norm=False, conv_bias=True)
        up = b.add("image_neck", blk.upsample_nearest("img_neck.up", lat1, 2, dtype)).out_shape
        b.add("image_neck", blk.add("img_neck.topdown_add", lat0, dtype))
        del up
        feat = blk.conv_norm_act(b, "image_neck", "img_neck.fpn_conv", lat0, NECK_CHANNELS, 3, 1, None, fused, dtype,
                                 norm=False, conv_bias=True)
    n, _, fh, fw = feat
    # view transformer
    dn = blk.conv_norm_act(b, "depthnet", "depthnet", feat, D + CONTEXT_CHANNELS, 1, 1, None, fused, dtype,
                           norm=False, conv_bias=True)
    b.add("depthnet", softmax((n, D, fh, fw), axis=1, dtype=dtype, name="depth.softmax"))
    pixels = n * fh * fw
    # lift: per feature pixel an outer product depth (D) × context (64) = a GEMM with K = 1
    b.add("lift", gemm(D, CONTEXT_CHANNELS, 1, dtype, weights="none", name="lift.outer") * int(pixels))
    points = kept_fraction * pixels * D
    X, Y = bev_grid
    bev: Shape = (1, CONTEXT_CHANNELS, Y, X)
    splat = blk.scatter_to_dense("splat.voxel_pool", points, CONTEXT_CHANNELS, bev, dtype, index_bytes=16.0)
    b.add("splat", replace(splat, flops=points * CONTEXT_CHANNELS))  # one add per pooled feature value
    # BEV encoder and neck
    feats = _bev_resnet(b, "bev_encoder", bev, fused, dtype)
    y = _fpn_lss(b, "bev_neck", "bev_neck.", feats[0], feats[2], 256, 4, 2, fused, dtype)
    center_head(b, y, fused=fused, dtype=dtype, bias_with_bn=False)
    return b.build(f"bevdet-{backbone}@{h}x{w}x{n_cams}", source=SOURCE, backbone=backbone, image_size=(h, w),
                   n_cams=n_cams, depth_bins=D, feature_shape=feat, bev_shape=bev, kept_fraction=kept_fraction,
                   fused=fused, dtype=dtype, dbound=tuple(dbound))


_LINEAR_SUFFIXES = ("qkv", "proj", "fc1", "fc2", "reduction")


def _mmcv_count(name: str, c: Cost) -> float:
    """What mmcv's module hooks (``mmcv/cnn/utils/flops_counter.py``) count for one layer of the
    unfused graph: conv = MACs + one per output element for a bias; ``nn.Linear`` = MACs (bias
    not counted); BatchNorm/LayerNorm = 2 per element (affine); ReLU and ``nn.Upsample`` = 1 per
    output element; max pool = 1 per input element; everything functional (attention matmuls,
    softmax, the lift product, voxel pooling, residual adds, GELU) = 0."""
    e = float(np.prod(c.out_shape)) if c.out_shape else 0.0
    if name.endswith((".conv", ".deconv")) or name == "patch_embed":
        return float(c.macs + (c.flops - 2 * c.macs))  # bias adds are the flops beyond 2·MACs
    if name.endswith(_LINEAR_SUFFIXES):
        return float(c.macs)
    if "norm" in name or name.endswith(".bn"):
        return 2.0 * e
    if name.endswith("relu"):
        return e
    if name.endswith((".up", ".up2")):
        return e
    if name == "maxpool":
        return float(c.reads.get(DRAM, 0.0)) / elem_bytes(c.dtype or "fp16")
    return 0.0


def mmcv_gflops(backbone: str = "swin-t", **kwargs: object) -> float:
    """BEVDet's "GFLOPs" as mmcv's ``get_model_complexity_info`` counts them (see :func:`_mmcv_count`):
    mostly one per multiply–accumulate of convs and linear layers, i.e. GMACs, not 2×MAC."""
    net = bevdet(backbone, fused=False, **kwargs)  # type: ignore[arg-type]
    return sum(_mmcv_count(ly.name, ly.cost) for ly in net.layers) / 1e9


# ------------------------------------------------------------------------------------------------
# Exercise 2.7: DRAM traffic of the lift–splat dataflow
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrafficRow:
    """Bytes one dataflow stage reads and writes, for all cameras, unfused and fused/tiled."""

    stage: str
    unfused_read: float
    unfused_write: float
    fused_read: float
    fused_write: float
    note: str


def bev_dataflow_traffic(n_cams: int = 6, image_hw: tuple[int, int] = (1080, 1920), stride: int = 16,
                         feat_channels: int = NECK_CHANNELS, depth_bins_: int = 59,
                         context_channels: int = CONTEXT_CHANNELS, bev_grid: tuple[int, int] = BEV_GRID,
                         dtype: str = "fp16", image_dtype: str = "int8", index_bytes: float = 4.0
                         ) -> "pd.DataFrame":
    """DRAM traffic of the lift–splat view transform, per stage, unfused versus fused/tiled.

    Unfused (each stage a kernel, every tensor through DRAM): image read → image features written
    (h × w × C_f at stride ``stride``, sides rounded up) → depthnet reads them and writes depth logits
    and context (D + C) → softmax reads and writes the D depth channels → lift reads depth and
    context and writes the D × C frustum volume → splat reads the volume and the precomputed
    voxel index of each frustum point and accumulates into the BEV grid (read–modify–write for
    every camera after the first).

    Fused/tiled (BEVPool-v2 style, one kernel per feature tile): the image is read, the features
    are written by the backbone and read once; depthnet, softmax, lift and splat run on-chip; the
    frustum volume never exists in DRAM; the voxel indices are read; the BEV grid stays on-chip and
    is written once. The image backbone's own internal traffic is not included (a separate model).

    Returns
    -------
    pandas.DataFrame
        One row per stage (bytes, all cameras) and a ``total`` row.
    """
    import pandas as pd

    for name, x in (("n_cams", n_cams), ("stride", stride), ("feat_channels", feat_channels),
                    ("depth_bins", depth_bins_), ("context_channels", context_channels)):
        v.positive_int(name, x)
    H, W = image_hw
    v.positive_int("image_hw", (H, W))
    v.positive("index_bytes", index_bytes)
    s, si = elem_bytes(dtype), elem_bytes(image_dtype)
    h, w = -(-H // stride), -(-W // stride)
    px = n_cams * h * w
    D, C = depth_bins_, context_channels
    bev = bev_grid[0] * bev_grid[1] * C * s
    img = n_cams * H * W * 3 * si
    feat = px * feat_channels * s
    rows = [
        TrafficRow("image", img, 0.0, img, 0.0, "camera frames (3 channels)"),
        TrafficRow("image features", 0.0, feat, 0.0, feat, "backbone/neck output, h×w×C_f"),
        TrafficRow("depthnet", feat, px * (D + C) * s, feat, 0.0, "fused: features read once, logits on-chip"),
        TrafficRow("depth softmax", px * D * s, px * D * s, 0.0, 0.0, "fused: on-chip"),
        TrafficRow("lift", px * (D + C) * s, px * D * C * s, 0.0, 0.0, "frustum volume D×C per pixel"),
        TrafficRow("splat", px * D * C * s + px * D * index_bytes + (n_cams - 1) * bev, n_cams * bev,
                   px * D * index_bytes, bev, "voxel indices; BEV accumulated across cameras"),
    ]
    df = pd.DataFrame([r.__dict__ for r in rows])
    df["unfused"] = df["unfused_read"] + df["unfused_write"]
    df["fused"] = df["fused_read"] + df["fused_write"]
    total = df[["unfused_read", "unfused_write", "fused_read", "fused_write", "unfused", "fused"]].sum()
    df.loc[len(df)] = {"stage": "total", **total.to_dict(), "note": f"{n_cams} cameras, {H}×{W}, stride {stride}"}
    return df
