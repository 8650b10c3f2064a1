"""Exercise 2.6: when 2:4 structured sparsity speeds an operator up, with the metadata counted
(Chapter 2 §2.3.4).

The draft's reference answer compresses all data (0.5·Data + Index), assumes an ~11% decode
overhead (compute-bound S ≈ 1.8), a fixed memory-bound S = 1/(0.5 + 0.25) = 1.33, and a threshold
AI > 2·AI_ridge for S > 1.5. In the model only the weights shrink (to r = (b + b_m)/(2b) of their
size, so the traffic to q = 1 − w(1 − r)), the sparse math runs at 2× with the metadata decoded at
full rate, and S = max(1, I/R)/max(q, I/(2R)): S > 1 whenever I > R or q < 1, and S = 2 exactly
from I ≥ 2qR. See ``corrections/ch2_ops_b.py`` (``ch2-opsb-sparse-*``, ``ch2-opsb-ex26-*``). The
exercise is built on :mod:`npucourse.ops.sparsity` and the ``sparsity`` formulas.
"""

from __future__ import annotations

from functools import partial

import random

from ...corrections.ch2_ops_b import EX23_GEMM, GEMV, SPARSE_DTYPE, SPARSE_HW
from ...cost import DRAM
from ...formulas._gen.sparsity import (
    sparse_full_speedup_intensity,
    sparse_speedup,
    sparse_time,
    sparse_traffic_ratio,
    sparse_weight_ratio,
)
from ...hardware import Hardware, MemLevel, get
from ...ops.gemm import gemm
from ...ops.sparsity import METADATA_BITS, sparse_2to4, speedup_2to4
from ...units import TERA, dtype_bytes
from ..spec import Check, single_value

#: Bytes per element the GEMM cases use, and the element type the package models them with.
DTYPE_OF = {1: "int8", 2: "fp16", 4: "fp32"}
assert all(dtype_bytes(t) == s for s, t in DTYPE_OF.items())
assert METADATA_BITS == 2.0 and SPARSE_DTYPE == "fp16"  # what the notebook states
_B = (4, 8, 16, 32)  # bits per weight value


def _regions(rng: random.Random, n_each: int = 2) -> list[tuple[float, float, float]]:
    """(I, R, q) triples, ``n_each`` in each region of the speed-up, away from the borders:
    I < R (both memory-bound), R < I < 2qR (sparse memory-bound), I > 2qR (both compute-bound)."""
    out = []
    for _ in range(n_each):
        q = rng.uniform(0.6, 0.95)
        R = float(rng.randint(10, 1000))
        for lo, hi in ((0.05, 0.9), (1.1, 2 * q - 0.05), (2 * q + 0.1, 20.0)):
            out.append((round(R * rng.uniform(lo, hi), 6), R, round(q, 6)))
    rng.shuffle(out)
    return out


def _speedup_cases(rng: random.Random) -> list[dict]:
    return [{"I": i, "R": r, "q": q} for i, r, q in _regions(rng)]


def _gt1_cases(rng: random.Random) -> list[dict]:
    """Operators with and without weights (q = 1), on both sides of the ridge."""
    cases = [{"I": i, "R": r, "q": q} for i, r, q in _regions(rng, 1)]
    for f in (rng.uniform(0.05, 0.9), rng.uniform(1.1, 10.0)):
        R = float(rng.randint(10, 1000))
        cases.append({"I": round(R * f, 6), "R": R, "q": 1.0})
    cases.append({"I": round(rng.uniform(1, 9), 6), "R": float(rng.randint(10, 1000)), "q": 1.0})
    rng.shuffle(cases)
    return cases


def _time_cases(rng: random.Random) -> list[dict]:
    """Layers whose sparse version is memory-bound and ones whose sparse version is compute-bound."""
    out = []
    for i, R, _ in _regions(rng):
        b, b_m = rng.choice(_B), float(rng.randint(1, 4))
        Q = float(rng.randint(10**4, 10**9))
        Q_w = round(Q * rng.uniform(0.1, 0.99), 3)
        B = float(rng.choice((50, 100, 200, 1000, 3000))) * 1e9
        out.append({"F": round(i * Q, 3), "Q": Q, "Q_w": Q_w, "P": R * B, "B": B, "b": b, "b_m": b_m})
    return out


def _device(R: float, dtype: str) -> Hardware:
    return Hardware(name=f"ridge-{R:g}", peak={dtype: R * TERA}, levels=(MemLevel(DRAM, bandwidth=TERA),),
                    source="assumption: a device whose ridge point is R FLOP/B (grading case)")


def _gemm_cases(rng: random.Random) -> list[dict]:
    """GEMMs with the device's ridge R placed so that x = I/R falls in each region twice: sparse
    compute-bound (x > 2q), dense compute- but sparse memory-bound (1 < x < 2q), both memory-bound."""
    out = []
    for region in (0, 1, 2) * 2:
        M, N, K = rng.randint(1, 4096), rng.randint(1, 4096), rng.randint(1, 4096)
        s = rng.choice(list(DTYPE_OF))
        dense = gemm(M, N, K, DTYPE_OF[s])
        q = float(sparse_2to4(dense).bytes / dense.bytes)
        lo, hi = ((2 * q + 0.1, 10.0), (1.02, 2 * q - 0.02), (0.1, 0.9))[region]
        out.append({"M": M, "N": N, "K": K, "s": s, "R": round(float(dense.intensity) / rng.uniform(lo, hi), 6)})
    rng.shuffle(out)
    return out


def _gemm_speedup(M: int, N: int, K: int, s: int, R: float) -> float:
    return float(speedup_2to4(gemm(M, N, K, DTYPE_OF[s]), _device(R, DTYPE_OF[s])))


def _full_k() -> int:
    """Smallest K for which the square fp16 GEMM K×K×K gets the full 2× on the NPU."""
    hw = get(SPARSE_HW)
    R = hw.ridge_point(SPARSE_DTYPE)

    def full(k: int) -> bool:
        dense = gemm(k, k, k, SPARSE_DTYPE)
        q = float(sparse_2to4(dense).bytes / dense.bytes)
        return float(dense.intensity) >= float(sparse_full_speedup_intensity(q=q, R=R))

    lo, hi = 1, 2
    while not full(hi):
        lo, hi = hi, 2 * hi
    while hi - lo > 1:  # full(hi) and not full(lo); the intensity grows with K
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if full(mid) else (mid, hi)
    return hi


_value = partial(single_value, rtol=1e-3)  # this exercise's tolerance for final values


CHECKS = {
    "weight_ratio": Check(
        cases=lambda rng: [{"b": b, "b_m": float(rng.randint(1, 4))} for b in _B] + [{"b": 16, "b_m": 2.0}],
        reference=lambda b, b_m: float(sparse_weight_ratio(b=b, b_m=b_m)),
        describe="weight_ratio(b, b_m) 返回 2:4 压缩后与稠密权重的字节之比",
        rtol=1e-12,
    ),
    "traffic_ratio": Check(
        cases=lambda rng: [{"w": round(rng.uniform(0.05, 1.0), 6), "b": rng.choice(_B),
                            "b_m": float(rng.randint(1, 4))} for _ in range(6)],
        reference=lambda w, b, b_m: float(sparse_traffic_ratio(w=w, b=b, b_m=b_m)),
        describe="traffic_ratio(w, b, b_m) 返回 2:4 稀疏后与稠密的 DRAM 字节之比 q",
        rtol=1e-12,
    ),
    "sparse_time": Check(
        cases=_time_cases,
        reference=lambda **c: float(sparse_time(**c)),
        describe="sparse_time(F, Q, Q_w, P, B, b, b_m) 返回 2:4 稀疏算子的 roofline 时间（秒）",
        rtol=1e-9,
    ),
    "speedup": Check(
        cases=_speedup_cases,
        reference=lambda I, R, q: float(sparse_speedup(q=q, I=I, R=R)),
        describe="speedup(I, R, q) 返回 2:4 稀疏的 roofline 加速比",
        rtol=1e-9,
    ),
    "gives_speedup": Check(
        cases=_gt1_cases,
        reference=lambda I, R, q: bool(float(sparse_speedup(q=q, I=I, R=R)) > 1.0),
        describe="gives_speedup(I, R, q) 在加速比大于 1 时返回 True，否则 False",
    ),
    "full_intensity": Check(
        cases=lambda rng: [{"q": round(rng.uniform(0.5, 1.0), 6), "R": float(rng.randint(1, 1000))} for _ in range(6)],
        reference=lambda q, R: float(sparse_full_speedup_intensity(q=q, R=R)),
        describe="full_speedup_intensity(q, R) 返回拿到完整 2× 加速所需的最小稠密算术强度",
        rtol=1e-9,
    ),
    "gemm_speedup": Check(
        cases=_gemm_cases,
        reference=_gemm_speedup,
        describe="gemm_speedup(M, N, K, s, R) 返回 B 为权重的 GEMM 做 2:4 稀疏后的加速比",
        rtol=1e-9,
    ),
    "answer_gemm": _value(lambda: float(speedup_2to4(EX23_GEMM, get(SPARSE_HW), SPARSE_DTYPE)),
                          "SPEEDUP_GEMM_2_6：练习 2.3 的 GEMM（fp16）在 npu-200 上的加速比"),
    "answer_gemv_fp16": _value(lambda: float(speedup_2to4(GEMV, get(SPARSE_HW), "fp16")),
                               "SPEEDUP_GEMV_FP16_2_6：1×4096×4096 GEMV（fp16）在 npu-200 上的加速比"),
    "answer_gemv_int8": _value(lambda: float(speedup_2to4(GEMV, get(SPARSE_HW), "int8")),
                               "SPEEDUP_GEMV_INT8_2_6：1×4096×4096 GEMV（int8）在 npu-200 上的加速比"),
    "answer_full_k": _value(lambda: float(_full_k()),
                            "FULL_K_2_6：npu-200 上 fp16 方阵 GEMM 拿到完整 2× 的最小 K", rtol=0.0),
}

assert EX23_GEMM == (512, 768, 256) and GEMV == (1, 4096, 4096)  # what the notebook states
