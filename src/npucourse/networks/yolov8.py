"""YOLOv8 detection network (Chapter 2 §2.1.1, exercise 2.1), layer by layer.

Built from ``ultralytics/cfg/models/v8/yolov8.yaml`` and the module rules of
``ultralytics/nn/modules/{conv,block,head}.py`` (see REFERENCE.md "YOLOv8"):

- ``Conv`` = Conv2d(bias=False, padding k//2) + BatchNorm + SiLU;
- ``C2f(c1, c2, n, shortcut)``: c = c2/2; cv1 = Conv(c1, 2c, 1); the output is split in two
  halves; n Bottlenecks (two 3×3 Convs, residual add if ``shortcut``) each take the last chunk;
  concat of the (2 + n) chunks; cv2 = Conv((2 + n)·c, c2, 1);
- ``SPPF``: Conv(c1, c1/2, 1), three chained 5×5 stride-1 max pools, concat, Conv(2·c1, c2, 1);
- the legacy (v8) ``Detect`` head: per level a box branch Conv(3×3) → Conv(3×3) → Conv2d(1×1, 64)
  and a class branch Conv(3×3) → Conv(3×3) → Conv2d(1×1, nc); DFL = softmax over 16 bins and a
  frozen Conv2d(16, 1, 1) (an expectation over the bins); sigmoid on the class scores.

Stages for exercise 2.1: ``stem`` (layer 0, P1/2), ``p2`` (layers 1–2, P2/4), ``p3`` (3–4, P3/8),
``p4`` (5–6, P4/16), ``p5`` (7–8, P5/32), ``sppf`` (9), ``neck`` (10–21, FPN + PAN), ``head``
(22, Detect). Layer names start with the ultralytics layer index.

Counting conventions: ``macs`` counts every multiply–accumulate of the convolutions (including the
DFL conv); the published "GFLOPs" of the ultralytics docs are ``2·macs`` of the fused model (thop
counts conv MACs only, ``get_flops`` doubles them). ``flops`` adds every non-MAC operation
(bias, BatchNorm, SiLU, residual adds, max-pool compares, softmax).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _validate as v
from ..formulas._gen.yolo import yolo_scaled_channels
from ..ops.elementwise import softmax
from . import _blocks as blk
from ._blocks import Shape
from .base import LayerList, Network

SOURCE = (
    "ultralytics/cfg/models/v8/yolov8.yaml; ultralytics/nn/tasks.py::parse_model; "
    "ultralytics/nn/modules/{conv,block,head}.py (legacy v8 Detect head)"
)

#: Published numbers of the ultralytics docs table (``docs/en/models/yolov8.md``) at 640×640:
#: params of the unfused model (Conv+BN), GFLOPs = 2 × conv MACs of the fused model.
PUBLISHED: dict[str, tuple[int, float]] = {
    "n": (3_157_200, 8.7), "s": (11_166_560, 28.6), "m": (25_902_640, 78.9),
    "l": (43_691_520, 165.2), "x": (68_229_648, 257.8),
}
#: GFLOPs in the comments of ``yolov8.yaml`` (thop on the unfused model: also counts BatchNorm).
PUBLISHED_YAML_GFLOPS: dict[str, float] = {"n": 8.9, "s": 28.8, "m": 79.3, "l": 165.7, "x": 258.5}


@dataclass(frozen=True)
class Scale:
    """A YOLOv8 compound-scaling triple ``[depth, width, max_channels]`` from ``yolov8.yaml``."""

    depth: float
    width: float
    max_channels: int

    def channels(self, c: int) -> int:
        """``make_divisible(min(c, max_channels)·width, 8)`` (registry formula ``yolo_scaled_channels``)."""
        return int(yolo_scaled_channels(c=c, c_max=self.max_channels, w=self.width))

    def repeats(self, n: int) -> int:
        """``max(round(n·depth), 1)`` for n > 1 (Python's round, as in ``parse_model``)."""
        return max(round(n * self.depth), 1) if n > 1 else n


SCALES: dict[str, Scale] = {
    "n": Scale(0.33, 0.25, 1024), "s": Scale(0.33, 0.50, 1024), "m": Scale(0.67, 0.75, 768),
    "l": Scale(1.00, 1.00, 512), "x": Scale(1.00, 1.25, 512),
}

STAGES = ("stem", "p2", "p3", "p4", "p5", "sppf", "neck", "head")
STRIDE = 32  # largest feature stride (P5/32)
REG_MAX = 16  # DFL bins per box side


def _scale(scale: str) -> Scale:
    if scale not in SCALES:
        raise KeyError(f"unknown YOLOv8 scale {scale!r}; known: {', '.join(SCALES)}")
    return SCALES[scale]


def _imgsz(imgsz: int | tuple[int, int]) -> tuple[int, int]:
    h, w = (imgsz, imgsz) if isinstance(imgsz, (int,)) else tuple(imgsz)  # type: ignore[misc]
    for name, x in (("imgsz (height)", h), ("imgsz (width)", w)):
        v.positive_int(name, x)
        if int(x) % STRIDE:
            raise ValueError(f"{name} must be a multiple of {STRIDE} (the P5 stride), got {x!r}")
    return int(h), int(w)


class _Builder:
    """Keeps the LayerList, graph form and dtype while the yaml is walked."""

    def __init__(self, fused: bool, dtype: str) -> None:
        self.b = LayerList()
        self.fused = fused
        self.dtype = dtype

    def conv(self, stage: str, name: str, x: Shape, c2: int, k: int, s: int = 1) -> Shape:
        return blk.conv_norm_act(self.b, stage, name, x, c2, kernel=k, stride=s, act="silu",
                                 fused=self.fused, dtype=self.dtype)

    def c2f(self, stage: str, name: str, x: Shape, c2: int, n: int, shortcut: bool) -> Shape:
        c = int(0.5 * c2)
        y = self.conv(stage, f"{name}.cv1", x, 2 * c, 1)
        part: Shape = (y[0], c, y[2], y[3])  # the split halves are views: no traffic
        chunks = [part, part]
        for i in range(n):
            t = self.conv(stage, f"{name}.m{i}.cv1", part, c, 3)
            t = self.conv(stage, f"{name}.m{i}.cv2", t, c, 3)
            if shortcut:
                self.b.add(stage, blk.add(f"{name}.m{i}.add", t, self.dtype))
            chunks.append(t)
            part = t
        cat = self.b.add(stage, blk.concat(f"{name}.concat", chunks, self.dtype)).out_shape
        return self.conv(stage, f"{name}.cv2", cat, c2, 1)  # type: ignore[arg-type]

    def sppf(self, stage: str, name: str, x: Shape, c2: int, k: int = 5) -> Shape:
        c_ = x[1] // 2
        y = self.conv(stage, f"{name}.cv1", x, c_, 1)
        outs = [y]
        for i in range(3):
            y = self.b.add(stage, blk.maxpool(f"{name}.pool{i}", y, k, 1, k // 2, self.dtype)).out_shape  # type: ignore
            outs.append(y)
        cat = self.b.add(stage, blk.concat(f"{name}.concat", outs, self.dtype)).out_shape
        return self.conv(stage, f"{name}.cv2", cat, c2, 1)  # type: ignore[arg-type]

    def upsample(self, stage: str, name: str, x: Shape) -> Shape:
        return self.b.add(stage, blk.upsample_nearest(name, x, 2, self.dtype)).out_shape  # type: ignore

    def concat(self, stage: str, name: str, xs: list[Shape]) -> Shape:
        return self.b.add(stage, blk.concat(name, xs, self.dtype)).out_shape  # type: ignore

    def detect(self, stage: str, name: str, feats: list[Shape], nc: int) -> None:
        c2 = max(16, feats[0][1] // 4, REG_MAX * 4)
        c3 = max(feats[0][1], min(nc, 100))
        n = feats[0][0]
        anchors = 0
        for i, x in enumerate(feats):
            box = self.conv(stage, f"{name}.cv2.{i}.0", x, c2, 3)
            box = self.conv(stage, f"{name}.cv2.{i}.1", box, c2, 3)
            box = blk.conv_norm_act(self.b, stage, f"{name}.cv2.{i}.2", box, 4 * REG_MAX, kernel=1,
                                    act=None, norm=False, conv_bias=True, fused=self.fused, dtype=self.dtype)
            cls = self.conv(stage, f"{name}.cv3.{i}.0", x, c3, 3)
            cls = self.conv(stage, f"{name}.cv3.{i}.1", cls, c3, 3)
            cls = blk.conv_norm_act(self.b, stage, f"{name}.cv3.{i}.2", cls, nc, kernel=1,
                                    act=None, norm=False, conv_bias=True, fused=self.fused, dtype=self.dtype)
            self.concat(stage, f"{name}.cat{i}", [box, cls])
            anchors += x[2] * x[3]
        # Inference tail on all anchors: DFL (softmax over 16 bins per side, then the frozen
        # Conv2d(16, 1, 1) = expectation over the bins), sigmoid on the class scores.
        dist: Shape = (n, REG_MAX, 4, anchors)
        self.b.add(stage, softmax(dist, axis=1, dtype=self.dtype, name=f"{name}.dfl.softmax"))
        dfl = blk.conv_norm_act(self.b, stage, f"{name}.dfl.conv", dist, 1, kernel=1, act=None, norm=False,
                                fused=False, dtype=self.dtype)
        del dfl
        self.b.add(stage, blk.activation(f"{name}.sigmoid", (n, nc, 1, anchors), "sigmoid", self.dtype))


def yolov8(scale: str = "m", imgsz: int | tuple[int, int] = 640, nc: int = 80, fused: bool = True,
           dtype: str = "fp16", batch: int = 1) -> Network:
    """YOLOv8 detector as a layer list.

    Parameters
    ----------
    scale : {"n", "s", "m", "l", "x"}
        Compound-scaling variant (KeyError for another name).
    imgsz : int or (height, width)
        Input size; each side a multiple of 32 (ValueError otherwise).
    nc : int
        Number of classes (80 for COCO).
    fused : bool
        ``True``: deployment graph, BatchNorm folded into each conv (conv gets a bias), SiLU in the
        conv epilogue. ``False``: training graph with separate BatchNorm and SiLU layers; its
        ``params`` are the published parameter counts.
    dtype : str
        Element type of activations and weights.
    batch : int
        Images per inference.

    Returns
    -------
    Network
        Stages ``stem, p2, p3, p4, p5, sppf, neck, head``; ``2·macs`` is the ultralytics GFLOPs.

    Examples
    --------
    >>> net = yolov8("n", fused=False)
    >>> int(net.params)
    3157200
    """
    sc = _scale(scale)
    h, w = _imgsz(imgsz)
    v.positive_int("nc", nc)
    v.positive_int("batch", batch)
    ch, rep = sc.channels, sc.repeats
    y = _Builder(fused, dtype)
    x: Shape = (int(batch), 3, h, w)
    out: dict[int, Shape] = {}
    # Backbone (CSPDarknet with C2f blocks).
    out[0] = y.conv("stem", "0.conv", x, ch(64), 3, 2)
    out[1] = y.conv("p2", "1.conv", out[0], ch(128), 3, 2)
    out[2] = y.c2f("p2", "2.c2f", out[1], ch(128), rep(3), True)
    out[3] = y.conv("p3", "3.conv", out[2], ch(256), 3, 2)
    out[4] = y.c2f("p3", "4.c2f", out[3], ch(256), rep(6), True)
    out[5] = y.conv("p4", "5.conv", out[4], ch(512), 3, 2)
    out[6] = y.c2f("p4", "6.c2f", out[5], ch(512), rep(6), True)
    out[7] = y.conv("p5", "7.conv", out[6], ch(1024), 3, 2)
    out[8] = y.c2f("p5", "8.c2f", out[7], ch(1024), rep(3), True)
    out[9] = y.sppf("sppf", "9.sppf", out[8], ch(1024))
    # Neck: FPN top-down (10–15) then PAN bottom-up (16–21); C2f without shortcut.
    out[10] = y.upsample("neck", "10.upsample", out[9])
    out[11] = y.concat("neck", "11.concat", [out[10], out[6]])
    out[12] = y.c2f("neck", "12.c2f", out[11], ch(512), rep(3), False)
    out[13] = y.upsample("neck", "13.upsample", out[12])
    out[14] = y.concat("neck", "14.concat", [out[13], out[4]])
    out[15] = y.c2f("neck", "15.c2f", out[14], ch(256), rep(3), False)  # P3/8 output
    out[16] = y.conv("neck", "16.conv", out[15], ch(256), 3, 2)
    out[17] = y.concat("neck", "17.concat", [out[16], out[12]])
    out[18] = y.c2f("neck", "18.c2f", out[17], ch(512), rep(3), False)  # P4/16 output
    out[19] = y.conv("neck", "19.conv", out[18], ch(512), 3, 2)
    out[20] = y.concat("neck", "20.concat", [out[19], out[9]])
    out[21] = y.c2f("neck", "21.c2f", out[20], ch(1024), rep(3), False)  # P5/32 output
    y.detect("head", "22.detect", [out[15], out[18], out[21]], nc)
    return y.b.build(f"yolov8{scale}@{h}x{w}", source=SOURCE, scale=scale, imgsz=(h, w), nc=nc,
                     fused=fused, dtype=dtype, batch=batch,
                     shapes={i: out[i] for i in sorted(out)})


def csp_block_comparison(c1: int = 192, c2: int = 192, n: int = 4, hw: int = 80, shortcut: bool = True,
                         fused: bool = True, dtype: str = "fp16") -> dict[str, float]:
    """A C2f block against the same block without the cross-stage split (§2.1.1, CSP bandwidth).

    C2f: Conv1×1(c1 → c2), split into two halves of c = c2/2, n Bottlenecks on width c, concat of
    the (2 + n) chunks, Conv1×1((2 + n)c → c2). Baseline ("standard", no split): Conv1×1(c1 → c2),
    n Bottlenecks on the full width c2, Conv1×1(c2 → c2). Defaults: YOLOv8-m layer 4 at 640
    (C2f(192, 192, n = 4) at 80 × 80).

    Returns
    -------
    dict
        DRAM bytes, MACs and parameters of both, and ``bytes_ratio`` = C2f / standard.
    """
    for name, x in (("c1", c1), ("c2", c2), ("n", n), ("hw", hw)):
        v.positive_int(name, x)
    x: Shape = (1, c1, hw, hw)
    csp = _Builder(fused, dtype)
    csp.c2f("csp", "c2f", x, c2, n, shortcut)
    std = _Builder(fused, dtype)
    y = std.conv("std", "std.cv1", x, c2, 1)
    for i in range(n):
        t = std.conv("std", f"std.m{i}.cv1", y, c2, 3)
        t = std.conv("std", f"std.m{i}.cv2", t, c2, 3)
        if shortcut:
            std.b.add("std", blk.add(f"std.m{i}.add", t, dtype))
        y = t
    std.conv("std", "std.cv2", y, c2, 1)
    a = csp.b.build("c2f", source=SOURCE).total
    b = std.b.build("standard", source=SOURCE).total
    return {"c2f_bytes": float(a.bytes), "standard_bytes": float(b.bytes), "bytes_ratio": float(a.bytes / b.bytes),
            "c2f_macs": float(a.macs), "standard_macs": float(b.macs), "macs_ratio": float(a.macs / b.macs),
            "c2f_params": float(a.params), "standard_params": float(b.params)}


def reported_gflops(scale: str = "m", imgsz: int | tuple[int, int] = 640, fused: bool = True,
                    nc: int = 80) -> float:
    """GFLOPs as ultralytics prints them (``utils/torch_utils.py::get_flops``).

    ``get_flops`` runs thop on a 32×32 input, multiplies its count by 2 and scales by the input area;
    thop counts conv MACs (no bias) and, for an affine BatchNorm, 4 operations per element
    (``thop/vision/basic_hooks.py::count_normalization``); SiLU, adds, concat and upsample count 0.
    The fused model (docs table) has no BatchNorm: ``2·MACs``. The unfused model (yaml comments):
    ``2·(MACs + 4·BN elements)``.
    """
    net = yolov8(scale, imgsz, nc=nc, fused=fused)
    bn_elems = sum(blk._numel(ly.cost.out_shape or ()) for ly in net.layers if ly.name.endswith(".bn"))
    return 2.0 * (net.macs + 4.0 * bn_elems) / 1e9
