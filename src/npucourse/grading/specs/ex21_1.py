"""Exercise 21.1: GELU in a TensorRT conversion — exact form, the tanh and sigmoid approximations,
their error, and the roofline time of the element-wise chain fused or node by node (Chapter 21
§21.1.2).

The draft's answers do not hold (``corrections/ch21_deploy.py``: ``ch21-deploy-gelu-sigmoid-error``,
``ch21-deploy-gelu-trt-options``): x·σ(1.702x) is off by about 0.02 in absolute terms on [-3, 3]
(hundreds of percent relative in the negative tail), and on ``edge-gpu`` every form is
memory-bound, so fused the three take the same time and unfused the time follows the number of
nodes (several times slower, not 10–15 %). The exercise is built on :func:`npucourse.deploy.gelu`,
:func:`npucourse.deploy.gelu_error`, :func:`npucourse.deploy.gelu_cost` and
:func:`npucourse.roofline.analyze`.

Conventions the notebook states (and these checks use): error grids ``np.linspace(lo, hi, 20001)``
(``gelu_error``'s default ``n``); relative error only where ``|GELU(x)| >= 1e-3`` (its default
``rel_floor``); the normal case on ``np.linspace(-8σ, 8σ, 20001)`` with pdf × trapezoid weights;
one operation per +, −, ×, ÷, exp, erf, tanh (x³ = 2 multiplies, Sigmoid = 4); every node reads its
full-size inputs from DRAM and writes its output once.
"""

from __future__ import annotations

from functools import partial

import random

import numpy as np

from ...corrections.ch21_deploy import EDGE, GELU_SHAPE
from ...deploy.gelu import GELU_NODES, gelu, gelu_cost, gelu_error, gelu_ops_per_element
from ...hardware import get
from ...roofline import analyze
from ..spec import Check, single_value

FORMS = ("erf", "tanh", "sigmoid")
APPROXES = ("tanh", "sigmoid")
DTYPES = ("fp32", "fp16")
#: What the notebook states: the grid size, the relative-error floor, the setting of part 4.
N_GRID, REL_FLOOR = 20001, 1e-3
assert GELU_SHAPE == (1, 512, 3072) and EDGE == "edge-gpu"
assert {f: gelu_ops_per_element(f) for f in FORMS} == {"erf": 5.0, "tanh": 9.0, "sigmoid": 6.0}
assert {f: sum(n + 1 for _, n, _ in GELU_NODES[f]) for f in FORMS} == {"erf": 11, "tanh": 18, "sigmoid": 7}


def _plain(y) -> float | list[float]:
    a = np.asarray(y, dtype=float)
    return float(a) if a.ndim == 0 else a.tolist()


def _x_cases(rng: random.Random) -> list[dict]:
    """Two arrays over [-8, 8] (the negative tail included), one near 0, and three scalars."""
    out = [{"x": [round(rng.uniform(-8.0, 8.0), 6) for _ in range(40)]} for _ in range(2)]
    out.append({"x": [round(rng.uniform(-1.0, 1.0), 6) for _ in range(20)]})
    out += [{"x": round(rng.uniform(lo, hi), 6)} for lo, hi in ((-4.0, -0.5), (0.3, 3.0), (-8.0, 8.0))]
    return out


def _interval_cases(rng: random.Random) -> list[dict]:
    """Both approximations; intervals ending inside (-3.4, -0.5) and further out in the tail,
    where the |GELU| >= 1e-3 floor decides which points count."""
    out = []
    for approx in APPROXES:
        out.append({"approx": approx, "lo": round(rng.uniform(-3.3, -0.5), 3), "hi": round(rng.uniform(0.5, 6.0), 3)})
        out.append({"approx": approx, "lo": round(rng.uniform(-8.0, -3.6), 3), "hi": round(rng.uniform(0.5, 6.0), 3)})
        out.append({"approx": approx, "lo": round(rng.uniform(-6.0, -2.0), 3), "hi": round(rng.uniform(-1.5, -0.2), 3)})
    rng.shuffle(out)
    return out


def _shape_cases(rng: random.Random, with_fused: bool = True) -> list[dict]:
    """Every form, both element types, fused and not; shapes with 1–3 axes."""
    out = []
    for form in FORMS:
        for fused in ((True, False) if with_fused else (None,)):
            shape = [rng.randint(1, 8), rng.randint(1, 1024), rng.randint(1, 4096)][rng.randint(0, 2):]
            case = {"shape": shape, "approx": form, "dtype": rng.choice(DTYPES)}
            if with_fused:
                case["fused"] = fused
            out.append(case)
    rng.shuffle(out)
    return out


def _time(shape: list[int], approx: str, dtype: str, fused: bool) -> float:
    return float(analyze(gelu_cost(tuple(shape), approx, dtype, fused=fused), get(EDGE)).time_s)


_value = partial(single_value, rtol=1e-3)  # this exercise's tolerance for final values


def _errors_uniform() -> dict:
    return {a: [gelu_error(a, interval=(-3.0, 3.0)).max_abs, gelu_error(a, interval=(-3.0, 3.0)).max_rel]
            for a in APPROXES}


def _errors_normal() -> dict:
    out = {}
    for a in APPROXES:
        e = gelu_error(a, distribution="normal")
        out[a] = [e.max_abs, e.max_rel, e.rms]
    return out


def _times_bert() -> dict:
    return {("fused" if fused else "unfused"): {f: _time(list(GELU_SHAPE), f, "fp32", fused) for f in FORMS}
            for fused in (True, False)}


def _unfused_verdicts() -> dict:
    """Unfused: the approximation faster than the erf graph, and the one slower than it."""
    t = _times_bert()["unfused"]
    return {"trades": next(a for a in APPROXES if t[a] < t["erf"]),
            "no_gain": next(a for a in APPROXES if t[a] > t["erf"])}


CHECKS = {
    "gelu_exact": Check(
        cases=_x_cases,
        reference=lambda x: _plain(gelu(x)),
        describe="gelu_exact(x) = 0.5·x·(1 + erf(x/√2))，对标量和数组都要正确（含负半轴尾部）",
        rtol=1e-9, atol=1e-12,
    ),
    "gelu_tanh": Check(
        cases=_x_cases,
        reference=lambda x: _plain(gelu(x, approx="tanh")),
        describe="gelu_tanh(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))",
        rtol=1e-9, atol=1e-12,
    ),
    "gelu_sigmoid": Check(
        cases=_x_cases,
        reference=lambda x: _plain(gelu(x, approx="sigmoid")),
        describe="gelu_sigmoid(x) = x·σ(1.702·x)",
        rtol=1e-9, atol=1e-12,
    ),
    "max_abs_error": Check(
        cases=_interval_cases,
        reference=lambda approx, lo, hi: gelu_error(approx, interval=(lo, hi), n=N_GRID).max_abs,
        describe="max_abs_error(approx, lo, hi)：np.linspace(lo, hi, 20001) 上 |近似 − 精确 GELU| 的最大值",
        rtol=1e-4,
    ),
    "max_rel_error": Check(
        cases=_interval_cases,
        reference=lambda approx, lo, hi: gelu_error(approx, interval=(lo, hi), n=N_GRID, rel_floor=REL_FLOOR).max_rel,
        describe="max_rel_error(approx, lo, hi)：同一网格上、只取 |GELU(x)| ≥ 1e-3 的点，|近似 − GELU| / |GELU| 的最大值",
        rtol=1e-4,
    ),
    "rms_error_normal": Check(
        cases=lambda rng: [{"approx": a, "sigma": round(rng.uniform(lo, hi), 3)}
                           for a in APPROXES for lo, hi in ((0.3, 0.9), (1.1, 3.0))],
        reference=lambda approx, sigma: gelu_error(approx, distribution="normal", sigma=sigma, n=N_GRID).rms,
        describe="rms_error_normal(approx, sigma)：输入 ~ N(0, σ²) 时按概率密度加权的均方根误差",
        rtol=1e-5,
    ),
    "gelu_flops": Check(
        cases=lambda rng: [{"shape": c["shape"], "approx": c["approx"]} for c in _shape_cases(rng, with_fused=False)],
        reference=lambda shape, approx: float(gelu_cost(tuple(shape), approx).flops),
        describe="gelu_flops(shape, approx)：整个张量上一种 GELU 写法的运算次数（FLOPs）",
        rtol=1e-9,
    ),
    "gelu_bytes": Check(
        cases=_shape_cases,
        reference=lambda shape, approx, dtype, fused: float(gelu_cost(tuple(shape), approx, dtype, fused=fused).bytes),
        describe="gelu_bytes(shape, approx, dtype, fused)：融合或逐节点执行时读写 DRAM 的字节数",
        rtol=1e-9,
    ),
    "gelu_time": Check(
        cases=_shape_cases,
        reference=_time,
        describe="gelu_time(shape, approx, dtype, fused)：edge-gpu 上按 roofline 估算的时间（秒）",
        rtol=1e-6,
    ),
    "answer_errors_uniform": _value(
        _errors_uniform, "ERR_UNIFORM_21_1：[-3, 3] 上两种近似的 [最大绝对误差, 最大相对误差]"),
    "answer_errors_normal": _value(
        _errors_normal, "ERR_NORMAL_21_1：输入 ~ N(0, 1) 时两种近似的 [最大绝对误差, 最大相对误差, 均方根误差]"),
    "answer_times": _value(
        _times_bert, "T_21_1：BERT-base FFN 激活张量上三种写法融合/不融合的时间（秒）"),
    "answer_trades": _value(lambda: _unfused_verdicts()["trades"], "TRADES_21_1：用精度换到速度的写法"),
    "answer_no_gain": _value(lambda: _unfused_verdicts()["no_gain"], "NO_GAIN_21_1：付出精度却换不到速度的写法"),
}
