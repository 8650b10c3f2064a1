"""Exercise 2.1: YOLOv8 FLOPs at 640×640, stage by stage (Chapter 2 §2.1.1).

The draft's reference answer is wrong: it splits the single P1/2 conv into "Stem" and "Stage1",
and its stage values and total (~56.5 GFLOPs for YOLOv8-M) match no layer-by-layer count. The
model (:func:`npucourse.networks.yolov8`, BatchNorm folded, FLOPs = 2 × conv MACs, the convention
of the ultralytics docs) gives 78.9 GFLOPs, neck and head being the largest stages — see
``corrections/ch2_perception.py`` (``ch2-net-yolov8m-*``). The exercise is built on the model:
the conv helpers, the width/depth scaling rule, the C2f block, then the stage table of any scale
at any input size, graded against the package's stage sums.
"""

from __future__ import annotations

import random

from ...formulas._gen.conv import conv_out_size
from ...networks.yolov8 import REG_MAX, SCALES, STAGES, Scale, csp_block_comparison, yolov8
from ...ops import conv2d
from ..spec import Check, single_value

#: The scale table, class count and stage names the notebook's setup cell states.
NOTEBOOK_SCALES = {"n": (0.33, 0.25, 1024), "s": (0.33, 0.50, 1024), "m": (0.67, 0.75, 768),
                   "l": (1.00, 1.00, 512), "x": (1.00, 1.25, 512)}
NOTEBOOK_STAGES = ("stem", "p2", "p3", "p4", "p5", "sppf", "neck", "head")
NOTEBOOK_NC, NOTEBOOK_REG_MAX = 80, 16
assert {k: (s.depth, s.width, s.max_channels) for k, s in SCALES.items()} == NOTEBOOK_SCALES
assert tuple(STAGES) == NOTEBOOK_STAGES and REG_MAX == NOTEBOOK_REG_MAX
assert yolov8("n").config["nc"] == NOTEBOOK_NC  # the default the stage table uses

BACKBONE = ("stem", "p2", "p3", "p4", "p5", "sppf")
NECK_HEAD = ("neck", "head")
#: Stage GFLOPs: rounding to 0.01 GFLOP passes, MACs for FLOPs (a factor 2) does not.
G_RTOL, G_ATOL = 5e-3, 1e-2


def _conv_out_cases(rng: random.Random) -> list[dict]:
    """Half the cases have a stride that does not divide h + 2p − k (the floor matters there),
    and padding is nonzero in most (forgetting it changes the size)."""
    out = []
    while len(out) < 8:
        k = rng.choice((1, 2, 3, 5, 7))
        s = rng.choice((1, 2, 3, 4)) if len(out) >= 4 else rng.choice((2, 3, 4))
        p = rng.randint(0, k // 2 + 1) if len(out) >= 4 else rng.randint(1, k // 2 + 1)
        h = rng.randint(max(1, k - 2 * p), 2048)
        if len(out) < 4 and (h + 2 * p - k) % s == 0:
            continue
        out.append({"h": h, "k": k, "s": s, "p": p})
    rng.shuffle(out)
    return out


def _conv_flops_cases(rng: random.Random) -> list[dict]:
    """Ordinary, grouped and depthwise convs with odd kernels; non-square outputs."""
    out = []
    for i in range(6):
        k = rng.choice((1, 3, 5, 7))
        h_out, w_out = rng.randint(1, 320), rng.randint(1, 320)
        if i % 3 == 0:  # depthwise
            c = rng.randint(1, 512)
            out.append({"c_in": c, "c_out": c, "k": k, "h_out": h_out, "w_out": w_out, "groups": c})
            continue
        g = 1 if i % 3 == 1 else rng.choice((2, 4, 8, 32))
        out.append({"c_in": g * rng.randint(1, 96), "c_out": g * rng.randint(1, 96), "k": k,
                    "h_out": h_out, "w_out": w_out, "groups": g})
    rng.shuffle(out)
    return out


def _conv_flops(c_in: int, c_out: int, k: int, h_out: int, w_out: int, groups: int) -> float:
    # stride 1 with padding (k - 1)/2 keeps the size: the input is h_out × w_out
    return 2.0 * float(conv2d(c_in, c_out, h_out, w_out, kernel=k, stride=1, groups=groups).macs)


def _channel_cases(rng: random.Random) -> list[dict]:
    """Yaml channel counts and random ones; max_channels below c in the first three (the clamp
    comes before the width). Random widths keep min(c, max_channels)·width/8 at least 0.01 away
    from an integer, so the rounding direction shows and no float rounding decides the answer."""
    out: list[dict] = []
    while len(out) < 8:
        i = len(out)
        c = rng.choice((64, 128, 256, 512, 1024)) if i % 2 else rng.randint(8, 2048)
        mx = rng.choice((256, 512, 768, 1024, 2048))
        if i < 3:
            mx = rng.choice([m for m in (256, 512, 768) if m < c] or [max(1, c // 2)])
        width = round(rng.uniform(0.1, 1.5), 3)
        x = min(c, mx) * width / 8
        if abs(x - round(x)) < 0.01:
            continue
        out.append({"c": c, "width": width, "max_channels": mx})
    rng.shuffle(out)
    return out


def _repeat_cases(rng: random.Random) -> list[dict]:
    out = [{"n": 1, "depth": round(rng.uniform(0.1, 0.9), 2)}, {"n": rng.choice((2, 3)), "depth": 0.25}]
    out += [{"n": rng.choice((2, 3, 4, 6, 9, 12)), "depth": rng.choice((0.33, 0.67, 1.0, round(rng.uniform(0.05, 1.5), 2)))}
            for _ in range(6)]
    rng.shuffle(out)
    return out


def _c2f_cases(rng: random.Random) -> list[dict]:
    return [{"c1": 8 * rng.randint(1, 120), "c2": 8 * rng.randint(1, 120), "n": rng.randint(1, 6),
             "size": rng.randint(1, 160)} for _ in range(6)]


def _c2f_flops(c1: int, c2: int, n: int, size: int) -> float:
    return 2.0 * csp_block_comparison(c1, c2, n, size)["c2f_macs"]


def _stage_cases(rng: random.Random) -> list[dict]:
    scales = rng.sample(sorted(SCALES), 3)
    return [{"scale": s, "imgsz": 32 * rng.randint(2, 40)} for s in scales]


def _stage_gflops(scale: str, imgsz: int | tuple[int, int] = 640) -> dict[str, float]:
    return {k: 2.0 * float(c.macs) / 1e9 for k, c in yolov8(scale, imgsz).stages.items()}


def _only(keys):
    return lambda scale, imgsz: {k: v for k, v in _stage_gflops(scale, imgsz).items() if k in keys}


CHECKS = {
    "conv_out": Check(
        cases=_conv_out_cases,
        reference=lambda h, k, s, p: int(conv_out_size(H=h, K_h=k, S=s, P=p, D=1)),
        describe="conv_out(h, k, s, p)：卷积输出边长（补零 p、步长 s）",
    ),
    "conv_flops": Check(
        cases=_conv_flops_cases,
        reference=_conv_flops,
        describe="conv_flops(c_in, c_out, k, h_out, w_out, groups)：卷积的 FLOPs（每个 MAC 计 2 次，分组卷积）",
        rtol=1e-12,
    ),
    "scaled_channels": Check(
        cases=_channel_cases,
        reference=lambda c, width, max_channels: int(Scale(1.0, width, max_channels).channels(c)),
        describe="scaled_channels(c, width, max_channels)：缩放后的通道数（先截断到 max_channels，再乘 width，向上取到 8 的倍数）",
    ),
    "scaled_repeats": Check(
        cases=_repeat_cases,
        reference=lambda n, depth: int(Scale(depth, 1.0, 1).repeats(n)),
        describe="scaled_repeats(n, depth)：缩放后的 bottleneck 个数",
    ),
    "c2f_flops": Check(
        cases=_c2f_cases,
        reference=_c2f_flops,
        describe="c2f_flops(c1, c2, n, size)：size×size 特征图上一个 C2f 块的 FLOPs",
        rtol=1e-12,
    ),
    "stages_backbone": Check(
        cases=_stage_cases,
        reference=_only(BACKBONE),
        describe="yolov8_stage_gflops(scale, imgsz) 中 stem、p2、p3、p4、p5、sppf 六段的 GFLOPs",
        rtol=G_RTOL, atol=G_ATOL,
    ),
    "stages_neck_head": Check(
        cases=_stage_cases,
        reference=_only(NECK_HEAD),
        describe="yolov8_stage_gflops(scale, imgsz) 中 neck 与 head 的 GFLOPs",
        rtol=G_RTOL, atol=G_ATOL,
    ),
    "answer_stages": single_value(lambda: _stage_gflops("m", 640), "STAGES_M_640：YOLOv8-M 在 640×640 下各段的 GFLOPs（字典）",
                            rtol=G_RTOL, atol=G_ATOL),
    "answer_total": single_value(lambda: 2.0 * yolov8("m", 640).macs / 1e9, "GFLOPS_M_640：YOLOv8-M 在 640×640 下的总 GFLOPs",
                           rtol=2e-3),
    "answer_largest": single_value(lambda: max((v, k) for k, v in _stage_gflops("m", 640).items())[1],
                             "LARGEST_STAGE_M_640：计算量最大的一段的名字"),
    "answer_rect": single_value(lambda: 2.0 * yolov8("m", (384, 640)).macs / 1e9,
                          "GFLOPS_M_384x640：YOLOv8-M 在 384×640（高×宽）输入下的总 GFLOPs", rtol=2e-3),
}
