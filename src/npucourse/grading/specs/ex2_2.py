"""Exercise 2.2: PointPillars grid for ±75.2 m at 0.16 m pillars, and the effective compute at
90 % sparsity (Chapter 2 §2.1.2).

The draft's grid (940 × 940 = 883,600 pillars) is right, but 940 is not a multiple of the
backbone's total stride 8 (the canvas must be padded to 944 × 944), and its "effective compute =
dense × 0.1² = 1 %" is wrong: only the PFN (and the scatter) scale with the non-empty pillars;
the 2D backbone, the upsampling and the head run on the whole dense canvas. The model
(:func:`npucourse.networks.pointpillars`) gives about 90 % (2 × MAC, as counted here) — see
``corrections/ch2_perception.py`` (``ch2-net-ex22-*``, which counts element-wise operations too:
about 88 %). The exercise is built on the model.
"""

from __future__ import annotations

import random

from ...corrections.ch2_perception import EX22_OCCUPANCY, EX22_PILLAR, EX22_RANGE
from ...networks.pointpillars import (
    BOX_CODE,
    DIR_BINS,
    LAYER_NUMS,
    LAYER_STRIDES,
    MAX_POINTS_PER_PILLAR,
    NUM_FILTERS,
    NUM_UPSAMPLE_FILTERS,
    PFN_IN,
    PFN_OUT,
    UPSAMPLE_STRIDES,
    occupancy_split,
    pillar_grid,
    pointpillars,
)
from ..spec import Check, single_value

#: The constants the notebook's setup cell states, checked against the model.
NOTEBOOK = dict(PFN_IN=10, PFN_OUT=64, MAX_POINTS=32, LAYER_NUMS=(3, 5, 5), LAYER_STRIDES=(2, 2, 2),
                NUM_FILTERS=(64, 128, 256), UPSAMPLE_STRIDES=(1, 2, 4), UPSAMPLE_FILTERS=128,
                NUM_CLASSES=3, ROTATIONS=2, BOX_CODE=7, DIR_BINS=2)
assert (PFN_IN, PFN_OUT, MAX_POINTS_PER_PILLAR) == (NOTEBOOK["PFN_IN"], NOTEBOOK["PFN_OUT"], NOTEBOOK["MAX_POINTS"])
assert (LAYER_NUMS, LAYER_STRIDES, NUM_FILTERS, UPSAMPLE_STRIDES) == (
    NOTEBOOK["LAYER_NUMS"], NOTEBOOK["LAYER_STRIDES"], NOTEBOOK["NUM_FILTERS"], NOTEBOOK["UPSAMPLE_STRIDES"])
assert set(NUM_UPSAMPLE_FILTERS) == {NOTEBOOK["UPSAMPLE_FILTERS"]}
assert (BOX_CODE, DIR_BINS) == (NOTEBOOK["BOX_CODE"], NOTEBOOK["DIR_BINS"])
#: The exercise's setting (stated once in the corrections module): ±75.2 m, 0.16 m, 10 % occupied.
assert (EX22_RANGE[0], EX22_RANGE[3], EX22_PILLAR, EX22_OCCUPANCY) == (-75.2, 75.2, (0.16, 0.16), 0.1)

_SIZES = (0.05, 0.075, 0.1, 0.15, 0.16, 0.2, 0.25, 0.3, 0.32, 0.4)


def _grid_cases(rng: random.Random) -> list[dict]:
    """Ranges written to 4 decimals, as in a config file. Two cases where (hi − lo)/size falls just
    below the integer (truncation with int() fails), two just above (ceil fails), the rest any."""
    want = {"below": 2, "above": 2, "any": 4}
    out: list[dict] = []
    while any(want.values()):
        size = rng.choice(_SIZES)
        n, k = rng.randint(8, 2000), rng.randint(0, 2000)
        lo = round(-k * size, 4)
        hi = round(lo + n * size, 4)
        x = (hi - lo) / size
        kind = "below" if x < n else "above" if x > n else "exact"
        slot = kind if want.get(kind) else "any"
        if want[slot]:
            want[slot] -= 1
            out.append({"lo": lo, "hi": hi, "size": size})
    rng.shuffle(out)
    return out


def _grid(lo: float, hi: float, size: float) -> int:
    return pillar_grid((lo, lo, -3.0, hi, hi, 1.0), (size, size))[0]


def _unit_net(nx: int, ny: int, n_pillars: int = 1, **kw):
    """PointPillars on an nx × ny grid (1 m pillars on a range of nx × ny metres)."""
    return pointpillars(n_pillars, (0.0, 0.0, -3.0, float(nx), float(ny), 1.0), (1.0, 1.0), pad_canvas=True, **kw)


def _canvas_cases(rng: random.Random) -> list[dict]:
    out = [{"n": 8 * rng.randint(1, 250)} for _ in range(2)]
    out += [{"n": 8 * rng.randint(1, 250) + rng.randint(1, 7)} for _ in range(4)]
    rng.shuffle(out)
    return out


def _pfn_cases(rng: random.Random) -> list[dict]:
    return [{"n_pillars": rng.randint(1, 200_000), "max_points": rng.choice((16, 20, 32, 48, 64, 100))}
            for _ in range(6)]


def _dense_cases(rng: random.Random) -> list[dict]:
    return [{"nx": 8 * rng.randint(1, 200), "ny": 8 * rng.randint(1, 200)} for _ in range(5)]


def _dense(nx: int, ny: int) -> float:
    return 2.0 * occupancy_split(_unit_net(nx, ny))["dense_macs"]


def _fraction_cases(rng: random.Random) -> list[dict]:
    """Grids that need padding and grids that do not; occupancies from 1 % to 99 %."""
    out = []
    for i in range(5):
        nx, ny = rng.randint(8, 1200), rng.randint(8, 1200)
        if i == 0:
            nx, ny = 8 * (nx // 8), 8 * (ny // 8)
        elif i == 1:
            nx = 8 * (nx // 8) + rng.randint(1, 7)
        out.append({"occupancy": round(rng.uniform(0.01, 0.99), 3), "nx": nx, "ny": ny})
    rng.shuffle(out)
    return out


def _fraction_of(net_of, occupancy: float, nx: int, ny: int) -> float:
    """MACs with round(occupancy·nx·ny) non-empty pillars over MACs with all nx·ny non-empty
    (``net_of(n_pillars)`` builds the network)."""
    n = max(1, round(occupancy * nx * ny))
    part, full = occupancy_split(net_of(n)), occupancy_split(net_of(nx * ny))
    return (part["sparse_macs"] + part["dense_macs"]) / (full["sparse_macs"] + full["dense_macs"])


def _fraction(occupancy: float, nx: int, ny: int) -> float:
    return _fraction_of(lambda n: _unit_net(nx, ny, n), occupancy, nx, ny)


def _ex22_net(n_pillars: int):
    return pointpillars(n_pillars, EX22_RANGE, EX22_PILLAR, pad_canvas=True)


def _ex22_nonempty() -> int:
    nx, ny = pillar_grid(EX22_RANGE, EX22_PILLAR)
    return max(1, round(EX22_OCCUPANCY * nx * ny))


CHECKS = {
    "grid": Check(
        cases=_grid_cases,
        reference=_grid,
        describe="grid_size(lo, hi, size)：一个方向上的 pillar 个数",
    ),
    "canvas": Check(
        cases=_canvas_cases,
        reference=lambda n: _unit_net(n, 8).config["canvas"][0],
        describe="canvas_size(n)：补零后的画布边长（主干总步长的倍数）",
    ),
    "pfn_flops": Check(
        cases=_pfn_cases,
        reference=lambda n_pillars, max_points: 2.0 * float(
            pointpillars(n_pillars, max_points=max_points).stage("pfn").macs),
        describe="pfn_flops(n_pillars, max_points)：PFN 的 FLOPs（每个 MAC 计 2 次）",
        rtol=1e-12,
    ),
    "dense_flops": Check(
        cases=_dense_cases,
        reference=_dense,
        describe="dense_flops(nx, ny)：nx×ny 画布上 2D 主干、上采样和检测头的 FLOPs",
        rtol=1e-12,
    ),
    "fraction": Check(
        cases=_fraction_cases,
        reference=_fraction,
        describe="effective_fraction(occupancy, nx, ny)：部分 pillar 非空时的 FLOPs ÷ 全部非空时的 FLOPs",
    ),
    "answer_grid": single_value(lambda: list(pillar_grid(EX22_RANGE, EX22_PILLAR)), "GRID_2_2：[nx, ny]"),
    "answer_nonempty": single_value(_ex22_nonempty, "NONEMPTY_2_2：10% 占用时的非空 pillar 数"),
    "answer_canvas": single_value(lambda: list(_ex22_net(1).config["canvas"]), "CANVAS_2_2：补零后的画布 [宽, 高]"),
    "answer_sparse": single_value(lambda: 2.0 * float(_ex22_net(_ex22_nonempty()).stage("pfn").macs) / 1e9,
                            "SPARSE_GFLOPS_2_2：10% 占用时 PFN 的 GFLOPs", rtol=1e-3),
    "answer_dense": single_value(lambda: 2.0 * occupancy_split(_ex22_net(1))["dense_macs"] / 1e9,
                           "DENSE_GFLOPS_2_2：稠密部分的 GFLOPs", rtol=1e-3),
    "answer_fraction": single_value(lambda: _fraction(EX22_OCCUPANCY, *pillar_grid(EX22_RANGE, EX22_PILLAR)),
                              "FRACTION_2_2：90% 稀疏度下的有效计算比例", rtol=2e-4),
}
