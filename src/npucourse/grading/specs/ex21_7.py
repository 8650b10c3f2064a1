"""Exercise 21.7: a lightweight protection for the activations an edge device uploads (Chapter 21
§21.4.4).

The draft's answer ("PCA to 50 %, ε = 1.0 differential-privacy noise, random rotation, total
overhead < 18 %") does not hold: its overhead depends on the cut (the corrections
``ch21-edge-ex7-overhead`` and ``ch21-edge-projection-cost``), and ε = 1.0 lies outside the range
where the Gaussian mechanism's classic calibration is proven (``ch21-edge-ex7-epsilon``). The
exercise grades the mechanics on random inputs against the package, and the design with a judge:
any scheme that meets every stated constraint passes.

Conventions (stated in the notebook): FLOPs = 2 × MAC; PCA is a GEMM [tokens, dim] @ [dim, kept],
the rotation [tokens, kept] @ [kept, kept], the noise (c_g + 1) operations per kept coordinate with
c_g = ``GAUSSIAN_SAMPLE_FLOPS``; kept = max(1, round(dim × keep_fraction)), or dim without PCA;
the overhead is relative to the FLOPs of the k stages the edge runs (stage 0 = patch embedding);
the noise-to-signal ratio is the RMS norm of one token's noise over the clipping norm C with
L2 sensitivity Δ₂ = 2C.
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any

from ...edgecloud.cases import EX21_6, ex21_6_chain, ex21_7_noise_to_signal, ex21_7_overhead
from ...edgecloud.privacy import (
    GAUSSIAN_SAMPLE_FLOPS,
    compose_advanced,
    compose_basic,
    gaussian_sigma,
    laplace_scale,
    obfuscation_cost,
    overhead_ratio,
)
from ..spec import Check, single_value

#: The requirement of the fixed design question (stated in the notebook, part 6).
REQUIREMENT = {"max_overhead": 0.20, "max_epsilon": 0.5, "max_delta": 1e-5, "min_kept": 32,
               "max_nsr": 150.0, "max_k": 2}

_KEYS = ("k", "keep_fraction", "project", "rotate", "epsilon", "delta")


@functools.lru_cache(maxsize=1)
def _vit() -> tuple[int, int, tuple[float, ...]]:
    """Tokens, width and per-stage FLOPs of exercise 21.6's ViT (the network the edge runs)."""
    c = ex21_6_chain()
    cfg = c["net"].config
    return int(cfg["tokens"]), int(cfg["width"]), tuple(float(f) for f in c["layer_flops"])


def _metrics(k: int, keep_fraction: float, project: bool, rotate: bool, epsilon: float, delta: float) -> dict:
    """Overhead, noise-to-signal and kept width of a scheme, from the package."""
    tokens, width, flops = _vit()
    oc = obfuscation_cost(tokens, width, keep_fraction, project=project, rotate=rotate, dtype=EX21_6.act_dtype)
    return {"overhead": float(overhead_ratio(oc.total_flops, sum(flops[:k]))), "kept": oc.kept,
            "nsr": ex21_7_noise_to_signal(epsilon, delta, keep_fraction if project else 1.0)}


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def judge_scheme(ans: Any, max_overhead: float, max_epsilon: float, max_delta: float, min_kept: int,
                 max_nsr: float, max_k: int) -> str | None:
    """None if ``ans`` is a scheme meeting every constraint, else which constraints it breaks."""
    if not isinstance(ans, dict) or set(ans) != set(_KEYS):
        return f"方案必须是一个字典，键恰好为 {list(_KEYS)}"
    _, _, flops = _vit()
    k, kf, eps, delta = ans["k"], ans["keep_fraction"], ans["epsilon"], ans["delta"]
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k < len(flops):
        return f"k 必须是 1 到 {len(flops) - 1} 之间的整数（边缘先算完 k 段，保护的是第 k 段的输出）"
    if not isinstance(ans["project"], bool) or not isinstance(ans["rotate"], bool):
        return "project 和 rotate 必须是 True 或 False"
    if not (_number(kf) and 0 < kf <= 1):
        return "keep_fraction 必须在 (0, 1] 内"
    if not (_number(eps) and eps > 0) or not (_number(delta) and 0 < delta < 1):
        return "epsilon 必须是正数，delta 必须在 (0, 1) 内"
    why = []
    if eps >= 1:
        why.append("ε 不在 (0, 1) 内：高斯机制的经典标定（Dwork & Roth 定理 A.1）只在这个范围内给出 (ε, δ) 保证")
    if k > max_k:
        why.append("切点 k 超过了允许的 max_k")
    if eps > max_epsilon:
        why.append("ε 超过了隐私要求 max_epsilon")
    if delta > max_delta:
        why.append("δ 超过了隐私要求 max_delta")
    m = _metrics(k, float(kf), ans["project"], ans["rotate"], float(eps), float(delta))
    if m["kept"] < min_kept:
        why.append("发送的维数少于 min_kept")
    if not m["overhead"] < max_overhead:
        why.append("额外计算量相对边缘计算量的比例没有低于 max_overhead")
    if m["nsr"] > max_nsr:
        why.append("噪声与信号之比超过了 max_nsr")
    return "；".join(why) or None


def _requirements(rng: random.Random, n: int = 4) -> list[dict]:
    """Random requirements that some scheme meets with margin: the least-noise scheme (largest ε
    and δ allowed, min_kept dims, no rotation, cut at max_k) has an NSR at most 1/1.3 of the bound
    and at most half the overhead bound."""
    tokens, width, flops = _vit()
    out: list[dict] = []
    while len(out) < n:
        eps = round(rng.uniform(0.3, 0.95), 2)
        delta = rng.choice([1e-5, 1e-6, 1e-7])
        m = rng.randint(8, 96)
        max_k = rng.randint(1, 6)
        nsr = ex21_7_noise_to_signal(eps, delta, m / width)
        ovh = _metrics(max_k, m / width, True, False, eps, delta)["overhead"]
        budgets = [b for b in (0.2, 0.1, 0.05, 0.02) if 2 * ovh < b]
        if not budgets:
            continue
        out.append({"max_overhead": rng.choice(budgets), "max_epsilon": eps, "max_delta": delta, "min_kept": m,
                    "max_nsr": round(nsr * rng.uniform(1.3, 2.5), 1), "max_k": max_k})
    return out


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return float(f"{10 ** rng.uniform(lo, hi):.3g}")


def _flops_cases(rng: random.Random) -> list[dict]:
    out = []
    for project, rotate in ((True, True), (True, False), (False, True), (False, False),
                            (True, True), (rng.random() < 0.5, rng.random() < 0.5)):
        dim = rng.randint(16, 4096)
        out.append({"tokens": rng.randint(1, 1024), "dim": dim, "keep_fraction": rng.randint(1, dim) / dim,
                    "project": project, "rotate": rotate})
    return out


def _flops(tokens: int, dim: int, keep_fraction: float, project: bool, rotate: bool) -> dict:
    oc = obfuscation_cost(tokens, dim, keep_fraction, project=project, rotate=rotate)
    return {"projection": oc.projection_flops, "rotation": oc.rotation_flops, "noise": oc.noise_flops,
            "total": oc.total_flops}


def _budget(epsilon: float, delta: float, tokens: int, delta_prime: float) -> dict:
    return {"basic": [float(x) for x in compose_basic(epsilon, delta, tokens)],
            "advanced": list(compose_advanced(epsilon, delta, tokens, delta_prime))}


assert GAUSSIAN_SAMPLE_FLOPS == 10.0  # the notebook states c_g = 10 operations per normal sample

CHECKS = {
    "laplace": Check(
        cases=lambda rng: [{"sensitivity": round(rng.uniform(0.01, 10), 4), "epsilon": round(rng.uniform(0.02, 5), 4)}
                           for _ in range(6)],
        reference=lambda sensitivity, epsilon: laplace_scale(sensitivity, epsilon),
        describe="laplace_scale(sensitivity, epsilon) 返回 Laplace 机制的尺度 b（ε-DP）",
        rtol=1e-9,
    ),
    "gaussian": Check(
        cases=lambda rng: [{"sensitivity": round(rng.uniform(0.01, 10), 4), "epsilon": round(rng.uniform(0.02, 0.99), 4),
                            "delta": _log_uniform(rng, -10, -2)} for _ in range(8)],
        reference=lambda sensitivity, epsilon, delta: gaussian_sigma(sensitivity, epsilon, delta),
        describe="gaussian_sigma(sensitivity, epsilon, delta) 返回高斯机制的噪声标准差 σ（0 < ε < 1）",
        rtol=1e-9,
    ),
    "nsr": Check(
        cases=lambda rng: [{"epsilon": round(rng.uniform(0.02, 0.99), 4), "delta": _log_uniform(rng, -10, -3),
                            "keep_fraction": rng.randint(1, 768) / 768} for _ in range(6)],
        reference=lambda epsilon, delta, keep_fraction: ex21_7_noise_to_signal(epsilon, delta, keep_fraction),
        describe="noise_to_signal(epsilon, delta, keep_fraction) 返回一个 token 的噪声均方根范数与裁剪范数 C 之比",
        rtol=1e-9,
    ),
    "flops": Check(
        cases=_flops_cases,
        reference=_flops,
        describe="obfuscation_flops(tokens, dim, keep_fraction, project, rotate) 返回投影、旋转、噪声和总的 FLOPs",
        rtol=1e-9,
    ),
    "overhead": Check(
        cases=lambda rng: [{"k": k, "keep_fraction": rng.randint(1, 768) / 768}
                           for k in [1, rng.randint(2, 4), *(rng.randint(2, 21) for _ in range(4))]],
        reference=lambda k, keep_fraction: ex21_7_overhead(k, keep_fraction)["overhead"],
        describe="overhead(k, keep_fraction) 返回草稿方案（PCA + 噪声 + 旋转）相对边缘计算量的额外开销比例",
        rtol=1e-9,
    ),
    "budget": Check(
        cases=lambda rng: [{"epsilon": round(rng.uniform(0.01, 0.9), 4), "delta": _log_uniform(rng, -12, -6),
                            "tokens": rng.randint(2, 400), "delta_prime": _log_uniform(rng, -8, -3)} for _ in range(6)],
        reference=_budget,
        describe="image_budget(epsilon, delta, tokens, delta_prime) 返回整张图（tokens 次发布）的基本组合与高级组合预算",
        rtol=1e-9,
    ),
    "scheme": single_value(
        judge=lambda ans: judge_scheme(ans, **REQUIREMENT),
        describe="SCHEME_21_7：满足第 6 部分全部要求的一个方案",
    ),
    "design": Check(
        cases=_requirements,
        judge=judge_scheme,
        describe="design_scheme(...) 对随机给定的要求返回一个满足全部约束的方案",
    ),
}
