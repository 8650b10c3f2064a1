"""Exercise 21.2: an edge GPU's ridge point and where 1×1 and 3×3 convolutions fall (Chapter 21 §21.2.3).

The draft's ridge (1 TFLOPS / 25.6 GB/s = 39.06 FLOP/B) is right, but its convolution
intensities ("1×1 ≈ 2, 3×3 ≈ 18") hold only for about 8 channels: a convolution's intensity is
set by its channel counts, kernel and feature-map size (``corrections/ch21_deploy.py``,
``ch21-deploy-conv-intensity``). The exercise grades the counting convention of
:func:`npucourse.ops.conv2d` / :func:`npucourse.deploy.conv_bound` ('same' padding ``(k−1)//2``,
stride, batch 1, no bias, input and weights read once, output written once), the large-map limit
of the registry (``conv_intensity_large_map``) and the smallest channel count at which a
convolution becomes compute-bound, with the large-map limit and on finite maps (where the weight
bytes put a ceiling ``< 2·H·W/s`` on the intensity, so small maps may never become compute-bound).
"""

from __future__ import annotations

import random
from typing import Callable

from ...corrections.ch21_deploy import EDGE
from ...deploy import conv_bound
from ...formulas._gen.conv import conv_intensity_large_map
from ...formulas._gen.roofline import roofline_ridge
from ...hardware import Hardware, MemLevel, get
from ...ops import conv2d
from ...units import GIGA, TERA, dtype_bytes
from ..spec import Check, single_value

#: Element types of the cases and their bytes per element (the notebook states this table).
DTYPES = ("fp32", "fp16", "int8")
assert [dtype_bytes(t) for t in DTYPES] == [4.0, 2.0, 1.0]
KERNELS = (1, 3, 5, 7)  # odd kernels only: 'same' padding (k−1)//2 keeps H_out = ceil(H/stride)
#: Beyond this channel count the search gives up: the convolution never reaches the ridge.
C_CAP = 2**30
#: The exercise's device: 1 TFLOPS fp32, 25.6 GB/s (draft exercise 21.2).
HW = get(EDGE)
assert HW.peak_ops("fp32") == 1 * TERA and HW.bandwidth() == 25.6 * GIGA
DTYPE = "fp32"
#: Feature-map sizes (square, stride 1) of the final finite-map answer.
MAPS = (56, 14, 7)


# -- cases -------------------------------------------------------------------------------------------
def _conv(rng: random.Random, small: bool) -> dict:
    """One convolution. ``small``: a map of at most 14×14 with many channels, where the weight
    bytes are a large share of the traffic (forgetting them changes the answer by > 6 %)."""
    if small:
        h = rng.randint(1, 14)
        w = h if rng.random() < 0.5 else rng.randint(1, 14)
        c_in, c_out, k = rng.randint(32, 512), rng.randint(32, 512), rng.choice((1, 3))
    else:
        h = rng.randint(1, 160)
        w = h if rng.random() < 0.5 else rng.randint(1, 160)
        c_in, c_out, k = rng.randint(1, 512), rng.randint(1, 512), rng.choice(KERNELS)
    return {"c_in": c_in, "c_out": c_out, "h": h, "w": w, "k": k, "stride": rng.choice((1, 1, 2))}


def _convs(rng: random.Random, n: int = 4, n_small: int = 2, dtype: bool = True) -> list[dict]:
    out = [_conv(rng, small=i >= n) for i in range(n + n_small)]
    out[0]["stride"] = 2  # stride 2 on an odd map every time: H_out = ceil(H/2), not H/2 or H//2
    out[0]["h"] |= 1
    if dtype:
        out = [dict(c, dtype=rng.choice(DTYPES)) for c in out]
    rng.shuffle(out)
    return out


def _cost(c_in: int, c_out: int, h: int, w: int, k: int, stride: int, dtype: str = DTYPE):
    return conv2d(c_in, c_out, h, w, kernel=k, stride=stride, dtype=dtype)


def _verdict_cases(rng: random.Random) -> list[dict]:
    """Each convolution on three devices whose ridge sits just below its intensity (true: compute),
    2–6 % above it (true: memory; reading GB/s as GiB/s lowers the ridge by 7.4 % and flips it),
    and 1.2–3× above it. Halving the intensity (MACs for FLOPs), dividing it by 8 (bits) or raising
    it by more than 6 % (output or weight bytes forgotten) flips at least one verdict."""
    out = []
    for c in _convs(rng):
        ai = float(_cost(**c).intensity)
        for f in (rng.uniform(0.55, 0.93), rng.uniform(1.02, 1.06), rng.uniform(1.2, 3.0)):
            bw = rng.choice((12.8, 25.6, 51.2, 68.0, 102.4, 204.8, 900.0, 2039.0))
            out.append(dict(c, peak_tflops=float(f"{ai * f * bw / 1000:.7g}"), bandwidth_gb_per_s=bw))
    return out


def _ridge_cases(rng: random.Random) -> list[dict]:
    return [{"peak_tflops": round(10 ** rng.uniform(-1, 3), 3), "bandwidth_gb_per_s": round(10 ** rng.uniform(1, 3.6), 1)}
            for _ in range(6)]


def _large_cases(rng: random.Random) -> list[dict]:
    out = [{"c_in": rng.randint(1, 2048), "c_out": rng.randint(1, 2048), "k": rng.choice(KERNELS),
            "stride": rng.choice((1, 2)), "dtype": rng.choice(DTYPES)} for _ in range(6)]
    out[0]["stride"] = 2
    return out


def _min_large_cases(rng: random.Random) -> list[dict]:
    """Random ridges, and ridges that a channel count meets exactly (C = n, not n + 1)."""
    out = []
    for i in range(8):
        k, dtype = rng.choice(KERNELS), rng.choice(DTYPES)
        if i % 2:
            ridge = rng.randint(1, 400) * k * k / dtype_bytes(dtype)  # the large-map C→C intensity is k²·C/s
        else:
            ridge = round(rng.uniform(1.0, 400.0), 4)
        out.append({"k": k, "dtype": dtype, "ridge_point": ridge})
    return out


def _min_map_cases(rng: random.Random) -> list[dict]:
    """Feature maps of 1–64 per side, stride 1, C_in = C_out. Ridges below the intensity ceiling of
    the map (reachable) and above it (never compute-bound: the answer is None)."""
    out = []
    for i in range(8):
        h = rng.randint(1, 64)
        w = h if rng.random() < 0.5 else rng.randint(1, 64)
        k, dtype = rng.choice((1, 3, 5)), rng.choice(DTYPES)
        ceiling = float(_cost(C_CAP, C_CAP, h, w, k, 1, dtype).intensity)  # the package, at huge C
        f = rng.uniform(1.1, 3.0) if i < 2 else rng.uniform(0.05, 0.9)
        out.append({"k": k, "h": h, "w": w, "dtype": dtype, "ridge_point": round(ceiling * f, 4)})
    rng.shuffle(out)
    return out


# -- references ------------------------------------------------------------------------------------
def _smallest(ok: Callable[[int], bool]) -> int | None:
    """Smallest C >= 1 with ok(C), for ok monotone in C; None if not even C_CAP satisfies it."""
    hi = 1
    while not ok(hi):
        if hi >= C_CAP:
            return None
        hi *= 2
    lo = hi // 2  # ok(lo) is False (or lo == 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def _ridge(peak_tflops: float, bandwidth_gb_per_s: float) -> float:
    return float(roofline_ridge(P=peak_tflops * TERA, B=bandwidth_gb_per_s * GIGA))


def _verdict(c_in, c_out, h, w, k, stride, dtype, peak_tflops, bandwidth_gb_per_s) -> str:
    hw = Hardware(name="ex21_2 case", peak={dtype: peak_tflops * TERA},
                  levels=(MemLevel("dram", bandwidth=bandwidth_gb_per_s * GIGA),),
                  source="assumption: a random device of the exercise 21.2 checks")
    return conv_bound(hw, c_in, c_out, h, w, kernel=k, stride=stride, dtype=dtype).bound


def _large(c_in: int, c_out: int, k: int, stride: int, dtype: str) -> float:
    return float(conv_intensity_large_map(C_in=c_in, C_out=c_out, K_h=k, K_w=k, S=stride, G=1, s=dtype_bytes(dtype)))


def _min_large(k: int, dtype: str, ridge_point: float) -> int | None:
    return _smallest(lambda c: _large(c, c, k, 1, dtype) >= ridge_point)


def _min_map(k: int, h: int, w: int, dtype: str, ridge_point: float) -> int | None:
    return _smallest(lambda c: float(_cost(c, c, h, w, k, 1, dtype).intensity) >= ridge_point)


def _answer_min_map() -> dict:
    return {f"{k}x{k}@{m}": _smallest(lambda c: conv_bound(HW, c, c, m, m, k, dtype=DTYPE).bound == "compute")
            for m in MAPS for k in (1, 3)}


CHECKS = {
    "ridge": Check(
        cases=_ridge_cases,
        reference=_ridge,
        describe="ridge(peak_tflops, bandwidth_gb_per_s) 返回屋脊点（FLOP/B）；1 TFLOPS = 10¹² FLOP/s，1 GB/s = 10⁹ B/s",
        rtol=1e-9,
    ),
    "flops": Check(
        cases=lambda rng: _convs(rng, dtype=False),
        reference=lambda **c: float(_cost(**c).flops),
        describe="conv_flops(c_in, c_out, h, w, k, stride) 返回 2·MACs，输出尺寸按 'same' 填充 (k−1)//2 与步长计算",
        rtol=1e-12,
    ),
    "bytes": Check(
        cases=_convs,
        reference=lambda **c: float(_cost(**c).bytes),
        describe="conv_bytes(c_in, c_out, h, w, k, stride, dtype) 返回输入、权重各读一次、输出写一次的 DRAM 字节数",
        rtol=1e-12,
    ),
    "intensity": Check(
        cases=_convs,
        reference=lambda **c: float(_cost(**c).intensity),
        describe="conv_intensity(c_in, c_out, h, w, k, stride, dtype) 返回 FLOPs / DRAM 字节",
        rtol=1e-9,
    ),
    "verdict": Check(
        cases=_verdict_cases,
        reference=_verdict,
        describe="conv_verdict(..., peak_tflops, bandwidth_gb_per_s) 返回 'compute' 或 'memory'（强度不低于屋脊点为 'compute'）",
    ),
    "large_map": Check(
        cases=_large_cases,
        reference=_large,
        describe="large_map_intensity(c_in, c_out, k, stride, dtype) 返回特征图趋于无穷大时的强度极限",
        rtol=1e-9,
    ),
    "min_channels_large_map": Check(
        cases=_min_large_cases,
        reference=_min_large,
        describe="min_channels_large_map(k, dtype, ridge_point) 返回大特征图极限下 C_in = C_out = C 的卷积强度不低于 ridge_point 的最小整数 C",
    ),
    "min_channels": Check(
        cases=_min_map_cases,
        reference=_min_map,
        describe="min_channels(k, h, w, dtype, ridge_point) 返回 h×w 特征图（步长 1）上强度不低于 ridge_point 的最小 C；永远达不到时返回 None",
    ),
    "answer_ridge": single_value(
        reference=lambda: float(HW.ridge_point(DTYPE)),
        describe="RIDGE_21_2：本题边缘 GPU 在 fp32 下的屋脊点（FLOP/B）",
        rtol=1e-6,
    ),
    "answer_min_c": single_value(
        reference=lambda: {f"{k}x{k}": _min_large(k, DTYPE, float(HW.ridge_point(DTYPE))) for k in (1, 3)},
        describe="MIN_C_21_2：大特征图极限下，1×1 与 3×3 卷积（C_in = C_out，fp32）在本题 GPU 上计算受限的最小通道数",
    ),
    "answer_min_c_map": single_value(
        reference=_answer_min_map,
        describe="MIN_C_MAP_21_2：56×56、14×14、7×7 特征图上 1×1 与 3×3 卷积计算受限的最小通道数（达不到为 None）",
    ),
}
