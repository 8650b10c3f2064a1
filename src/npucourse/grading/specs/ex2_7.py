"""Exercise 2.7: DRAM traffic of a BEV (lift–splat) dataflow for 6 cameras at 1920 × 1080,
operator by operator versus fused/tiled (Chapter 2 §2.1.3).

The draft's reference answer ("1920 × 1080 × 4 × 2 = 16.6 MB per camera" for the depth, "6 × 8.3 MB
× 3 = 149 MB" unfused, "6 × 8.3 MB × 1.5 = 75 MB, −50 %" fused) leaves out the frustum volume
(depth bins × context channels per feature pixel), which an operator-by-operator dataflow writes
and reads back: the model (:func:`npucourse.networks.bevdet.bev_dataflow_traffic`) gives about
947 MB unfused and 151 MB fused/tiled, −84 % — see ``corrections/ch2_perception.py``
(``ch2-net-ex27-*``). The exercise is built on the model; its conventions (int8 RGB frames,
4-byte voxel indices, BEV grid accumulated in DRAM when unfused and kept on chip when fused) are
the model's.
"""

from __future__ import annotations

from functools import partial

import inspect
import random

from ...corrections.ch2_perception import EX27
from ...networks.bevdet import BEV_GRID, CONTEXT_CHANNELS, DEPTH_BINS, NECK_CHANNELS, bev_dataflow_traffic, depth_bins
from ...units import dtype_bytes
from ..spec import Check, single_value

#: Bytes per element the cases use, and the element type the package models them with.
DTYPE_OF = {1: "int8", 2: "fp16", 4: "fp32"}
assert all(dtype_bytes(t) == s for s, t in DTYPE_OF.items())

#: The stage names, in the order of the dataflow (the notebook's ``STAGES``).
STAGES = ("image", "image features", "depthnet", "depth softmax", "lift", "splat")

#: The constants the notebook's setup cell states, checked against the model.
NOTEBOOK = dict(N_CAMS=6, IMAGE_HW=(1080, 1920), STRIDE=16, FEAT_C=512, DBOUND=(1.0, 60.0, 1.0), CTX_C=64,
                BEV_XY=(128, 128), S=2, S_IMG=1, IDX_BYTES=4)
_DEFAULTS = {k: p.default for k, p in inspect.signature(bev_dataflow_traffic).parameters.items()}
assert _DEFAULTS["image_dtype"] == "int8" and dtype_bytes("int8") == NOTEBOOK["S_IMG"]
assert _DEFAULTS["index_bytes"] == NOTEBOOK["IDX_BYTES"]
assert (EX27["n_cams"], EX27["image_hw"], EX27["stride"], EX27["feat_channels"], EX27["context_channels"],
        EX27["bev_grid"]) == (NOTEBOOK["N_CAMS"], NOTEBOOK["IMAGE_HW"], NOTEBOOK["STRIDE"], NOTEBOOK["FEAT_C"],
                              NOTEBOOK["CTX_C"], NOTEBOOK["BEV_XY"])
assert (NECK_CHANNELS, CONTEXT_CHANNELS, BEV_GRID, DEPTH_BINS) == (
    NOTEBOOK["FEAT_C"], NOTEBOOK["CTX_C"], NOTEBOOK["BEV_XY"], NOTEBOOK["DBOUND"])
assert depth_bins(NOTEBOOK["DBOUND"]) == EX27["depth_bins_"] and dtype_bytes(EX27["dtype"]) == NOTEBOOK["S"]
#: Part 5's finer depth grid: 0.5 m bins over the same range.
DBOUND_FINE = (1.0, 60.0, 0.5)


def _table(n_cams: int, H: int, W: int, stride: int, feat_c: int, D: int, C: int, bev_x: int, bev_y: int, s: int):
    return bev_dataflow_traffic(n_cams=n_cams, image_hw=(H, W), stride=stride, feat_channels=feat_c,
                                depth_bins_=D, context_channels=C, bev_grid=(bev_x, bev_y), dtype=DTYPE_OF[s],
                                image_dtype="int8", index_bytes=4.0).set_index("stage")


def _per_camera(stage: str, column: str, H: int, W: int, stride: int, C: int = 1, D: int = 1, s: int = 1) -> float:
    """One camera's bytes in one cell of the model's table (feature channels C for the features,
    context channels C for the frustum)."""
    return float(_table(1, H, W, stride, C, D, C, 8, 8, s).loc[stage, column])


def _feature_hw(H: int, W: int, stride: int) -> list[int]:
    # the model's feature-map pixel count of a 1-pixel-wide (or -high) image is that side's length
    h = _per_camera("image features", "unfused_write", H, 1, stride)
    w = _per_camera("image features", "unfused_write", 1, W, stride)
    return [int(h), int(w)]


def _not_multiple(rng: random.Random, lo: int, hi: int, stride: int) -> int:
    while True:
        x = rng.randint(lo, hi)
        if x % stride:
            return x


def _image_cases(rng: random.Random, n: int = 6) -> list[dict]:
    """Both sides not multiples of the stride in most cases (so ⌊·⌋ for ⌈·⌉ fails), one exact."""
    out = []
    for i in range(n):
        stride = rng.choice((4, 8, 16, 32))
        if i == 0:
            H, W = stride * rng.randint(2, 120), stride * rng.randint(2, 120)
        else:
            H, W = _not_multiple(rng, 64, 2200, stride), _not_multiple(rng, 64, 4000, stride)
        out.append({"H": H, "W": W, "stride": stride})
    rng.shuffle(out)
    return out


def _bins_cases(rng: random.Random) -> list[dict]:
    """Exact binary steps and bounds (no float ambiguity): 2 cases where (stop − start)/step is an
    integer (an inclusive count is one too many), 2 where its fraction is below 1/2 (round() and
    int() are one too few), 2 with any fraction."""
    out = []
    for kind in ("int", "int", "low", "low", "any", "any"):
        step = rng.choice((0.125, 0.25, 0.5, 1.0, 2.0))
        start = 0.25 * rng.randint(0, 20)
        n = rng.randint(4, 300)
        frac = {"int": 0.0, "low": rng.choice((0.125, 0.25, 0.375)), "any": rng.choice((0.25, 0.5, 0.75))}[kind]
        stop = start + (n + frac) * step
        out.append({"start": start, "stop": stop, "step": step})
    rng.shuffle(out)
    return out


def _config_cases(rng: random.Random, n: int = 6) -> list[dict]:
    """Whole dataflows: at least 2 cameras (so the BEV read-back counts), image sides not multiples
    of the stride (so rounding the feature map down fails)."""
    out = []
    for _ in range(n):
        stride = rng.choice((4, 8, 16, 32))
        out.append({
            "n_cams": rng.randint(2, 12),
            "H": _not_multiple(rng, 128, 2200, stride), "W": _not_multiple(rng, 128, 4000, stride),
            "stride": stride, "feat_c": rng.choice((128, 256, 384, 512, 768, 1024)),
            "D": rng.randint(4, 200), "C": rng.choice((16, 32, 64, 80, 96, 128)),
            "bev_x": 8 * rng.randint(8, 40), "bev_y": 8 * rng.randint(8, 40), "s": rng.choice(list(DTYPE_OF)),
        })
    return out


def _stages(column: str):
    return lambda **c: {k: float(_table(**c).loc[k, column]) for k in STAGES}


def _saved(**c) -> float:
    t = _table(**c)
    return 1.0 - float(t.loc["total", "fused"]) / float(t.loc["total", "unfused"])


def _ex27(**over):
    return bev_dataflow_traffic(**{**EX27, **over}).set_index("stage")


def _growth() -> list[float]:
    a, b = _ex27(), _ex27(depth_bins_=depth_bins(DBOUND_FINE))
    return [float(b.loc["total", k] / a.loc["total", k]) for k in ("unfused", "fused")]


def _per_cam_mb(stage: str, column: str) -> float:
    return float(_ex27().loc[stage, column]) / EX27["n_cams"] / 1e6


_value = partial(single_value, rtol=1e-3)  # this exercise's tolerance for final values


CHECKS = {
    "feature_hw": Check(
        cases=_image_cases,
        reference=_feature_hw,
        describe="feature_hw(H, W, stride)：步长 stride 的特征图 [高, 宽]（边长不整除时向上取整）",
    ),
    "feature_bytes": Check(
        cases=lambda rng: [dict(c, C=rng.choice((64, 128, 256, 512, 1024)), s=rng.choice(list(DTYPE_OF)))
                           for c in _image_cases(rng)],
        reference=lambda H, W, stride, C, s: _per_camera("image features", "unfused_write", H, W, stride, C=C, s=s),
        describe="feature_bytes(H, W, stride, C, s)：一个相机的 C 通道特征图的字节数",
        rtol=1e-12,
    ),
    "depth_bins": Check(
        cases=_bins_cases,
        reference=lambda start, stop, step: depth_bins((start, stop, step)),
        describe="depth_bins(start, stop, step)：深度 bin 的个数（与 numpy.arange(start, stop, step) 的长度相同）",
    ),
    "depth_bytes": Check(
        cases=lambda rng: [dict(c, D=rng.randint(4, 200), s=rng.choice(list(DTYPE_OF))) for c in _image_cases(rng)],
        reference=lambda H, W, stride, D, s: _per_camera("depth softmax", "unfused_write", H, W, stride, D=D, s=s),
        describe="depth_bytes(H, W, stride, D, s)：一个相机的深度分布（softmax 输出）的字节数",
        rtol=1e-12,
    ),
    "frustum_bytes": Check(
        cases=lambda rng: [dict(c, D=rng.randint(4, 200), C=rng.choice((16, 32, 64, 80, 128)),
                                s=rng.choice(list(DTYPE_OF))) for c in _image_cases(rng)],
        reference=lambda H, W, stride, D, C, s: _per_camera("lift", "unfused_write", H, W, stride, C=C, D=D, s=s),
        describe="frustum_bytes(H, W, stride, D, C, s)：一个相机的视锥体特征（D × C 每像素）的字节数",
        rtol=1e-12,
    ),
    "unfused": Check(
        cases=_config_cases,
        reference=_stages("unfused"),
        describe="unfused_traffic(...)：逐算子执行时每个阶段的 DRAM 读 + 写字节（字典，键为 STAGES）",
        rtol=1e-9,
    ),
    "fused": Check(
        cases=_config_cases,
        reference=_stages("fused"),
        describe="fused_traffic(...)：融合/分块执行时每个阶段的 DRAM 读 + 写字节（字典，键为 STAGES）",
        rtol=1e-9,
    ),
    "saved": Check(
        cases=_config_cases,
        reference=_saved,
        describe="saved_fraction(...)：融合后 DRAM 总流量减少的比例（0 到 1 之间的小数）",
        rtol=1e-9,
    ),
    "answer_feat": _value(lambda: _per_cam_mb("image features", "unfused_write"), "FEAT_MB_2_7：每个相机的特征图（MB）"),
    "answer_depth": _value(lambda: _per_cam_mb("depth softmax", "unfused_write"), "DEPTH_MB_2_7：每个相机的深度分布（MB）"),
    "answer_frustum": _value(lambda: _per_cam_mb("lift", "unfused_write"), "FRUSTUM_MB_2_7：每个相机的视锥体特征（MB）"),
    "answer_unfused": _value(lambda: float(_ex27().loc["total", "unfused"]) / 1e6,
                             "UNFUSED_MB_2_7：逐算子执行的 DRAM 总流量（MB）"),
    "answer_fused": _value(lambda: float(_ex27().loc["total", "fused"]) / 1e6,
                           "FUSED_MB_2_7：融合/分块执行的 DRAM 总流量（MB）"),
    "answer_saved": _value(lambda: 1.0 - float(_ex27().loc["total", "fused"] / _ex27().loc["total", "unfused"]),
                           "SAVED_2_7：DRAM 流量减少的比例（0 到 1 之间的小数）"),
    "answer_growth": _value(_growth, "GROWTH_2_7：深度间隔减半后 [逐算子总流量之比, 融合后总流量之比]"),
}
