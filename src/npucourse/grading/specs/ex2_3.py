"""Exercise 2.3: GEMM arithmetic intensity and its roofline bound (Chapter 2 §2.3.1, §2.3.4).

The draft's reference answer (139.6 FLOP/B, compute-bound at a ridge of 100) is right; the
exercise adds the general functions and the square-GEMM threshold derived from the registry.
"""

from __future__ import annotations

import math
import random

from ...formulas._gen.gemm import gemm_bytes, gemm_flops, gemm_intensity
from ...ops import gemm
from ...units import dtype_bytes
from ..spec import Check, single_value

_S = (0.5, 1.0, 2.0, 4.0)  # bytes per element: int4/nvfp4 raw, int8/fp8, fp16/bf16, fp32


def _mnk(rng: random.Random, n: int = 6) -> list[dict]:
    return [{"M": rng.randint(1, 8192), "N": rng.randint(1, 8192), "K": rng.randint(1, 8192),
             "s": rng.choice(_S)} for _ in range(n)]


def _straddling(rng: random.Random) -> list[dict]:
    """Ridges on both sides of the true intensity (within a factor 1.2-4), so that an intensity
    off by 2x (MACs for FLOPs) or 8x (bits for bytes) flips at least one verdict."""
    out = []
    for c in _mnk(rng, 10):
        ai = float(gemm_intensity(**c))
        for f in (rng.uniform(0.25, 0.8), rng.uniform(1.2, 4.0)):
            out.append(dict(c, ridge=round(ai * f, 6)))
    return out


def _bound(M: int, N: int, K: int, s: float, ridge: float) -> str:
    return "compute" if gemm_intensity(M=M, N=N, K=K, s=s) >= ridge else "memory"


def _min_square_k(s: float, ridge: float) -> int:
    # gemm_intensity_square = 2K/(3s) >= ridge  <=>  K >= 1.5 * s * ridge
    from ...formulas._gen.gemm import gemm_intensity_square

    k = max(1, math.floor(1.5 * s * ridge) - 2)
    while gemm_intensity_square(K=k, s=s) < ridge:
        k += 1
    return k


CHECKS = {
    "flops": Check(
        cases=lambda rng: [{k: v for k, v in c.items() if k != "s"} for c in _mnk(rng)],
        reference=lambda M, N, K: float(gemm(M, N, K).flops),
        describe="gemm_flops(M, N, K) 返回 2·M·N·K（FLOPs，不是 MACs）",
        rtol=1e-12,
    ),
    "bytes": Check(
        cases=_mnk,
        reference=lambda M, N, K, s: float(gemm_bytes(M=M, N=N, K=K, s=s)),
        describe="gemm_bytes(M, N, K, s) 返回 A、B 各读一次、C 写一次的 DRAM 字节数",
        rtol=1e-12,
    ),
    "intensity": Check(
        cases=_mnk,
        reference=lambda M, N, K, s: float(gemm_flops(M=M, N=N, K=K) / gemm_bytes(M=M, N=N, K=K, s=s)),
        describe="intensity(M, N, K, s) 返回 FLOPs / DRAM 字节",
        rtol=1e-9,
    ),
    "bound": Check(
        cases=lambda rng: _straddling(rng),
        reference=_bound,
        describe="bound(M, N, K, s, ridge) 返回 'compute' 或 'memory'",
    ),
    "min_square_k": Check(
        cases=lambda rng: [{"s": rng.choice(_S), "ridge": float(rng.randint(5, 400))} for _ in range(6)],
        reference=_min_square_k,
        describe="min_square_k(s, ridge) 返回方阵 GEMM 变为计算受限的最小 K",
    ),
    "answer_ai": single_value(
        reference=lambda: float(gemm(512, 768, 256, dtype="fp16").intensity),
        describe="AI_2_3：本题 GEMM 的算术强度",
        rtol=1e-3,
    ),
    "answer_bound": single_value(
        reference=lambda: "compute" if gemm(512, 768, 256, dtype="fp16").intensity >= 100 else "memory",
        describe="BOUND_2_3：ridge = 100 时本题 GEMM 的瓶颈",
    ),
    "answer_npu": single_value(
        reference=lambda: _npu_time(),
        describe="TIME_NPU_2_3：在 npu-200 上以 fp16 运行本题 GEMM 的 roofline 时间（秒）",
        rtol=1e-3,
    ),
}


def _npu_time() -> float:
    from ...hardware import get
    from ...roofline import analyze

    return float(analyze(gemm(512, 768, 256, dtype="fp16"), get("npu-200")).time_s)


assert dtype_bytes("fp16") == 2.0  # the notebook states fp16 = 2 bytes
