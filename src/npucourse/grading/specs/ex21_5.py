"""Exercise 21.5: per-layer mixed precision under an accuracy budget (Chapter 21 §21.1.5).

Model (:mod:`npucourse.deploy.mixed_precision`): layer ``i`` in precision ``p`` (columns
``fp32, fp16, int8``) costs ``latency[i][p]`` seconds and ``drop[i][p]`` accuracy points; drops
add up (the stated first-order assumption); a plan is feasible when ``Σ drop <= budget`` (with the
package's float tolerance). The student's search is graded by a judge: any feasible plan whose
latency is within :data:`MARGIN` of :func:`solve_exact`'s optimum passes.

Random instances (≤ 10 layers) contain, in every draw, built "traps": instances where the
ratio greedy (:func:`solve_greedy`) misses the margin, where a greedy by latency saved only
misses it, where the optimum spends the budget exactly (a strict ``<`` loses it), a zero budget,
and instances where taking the fastest precision everywhere breaks the budget. Drops are
multiples of 1/128 point, so every sum of drops is exact in binary floating point. Some rows have
an INT8 that cannot be used (drop 64 points: "unsupported"), an FP16 slower than FP32 (no FP16
kernel), or INT8 no faster than FP16 (ties).

The draft's answer (an evolutionary search after a sensitivity analysis) names no number to
check; the exercise grades what it can: the search, a counterexample to the greedy, and the plan
for the §21.1.5 setting (:func:`npucourse.deploy.mixed_precision.exercise_21_5`).
"""

from __future__ import annotations

import functools
import random
from typing import Any, Sequence

import numpy as np

from ...deploy.mixed_precision import PRECISIONS, check_plan, exercise_21_5, solve_exact, solve_greedy
from ..spec import Check, single_value

#: Allowed latency gap of a student's plan to the optimum (stated in the notebook).
MARGIN = 0.05
MAX_LAYERS = 10
UNSUPPORTED = 64.0  # an INT8 drop no budget allows: the layer has no usable INT8 kernel
_Q = 1 / 128  # drops are multiples of this (exact binary sums)


# --- random tables ---------------------------------------------------------------------------------
def _lat(x: float) -> float:
    return round(x, 10)


def _row(rng: random.Random) -> tuple[list[float], list[float]]:
    """One ordinary layer: FP16 about 2x, INT8 about 4x faster, with the odd exception."""
    t32 = rng.uniform(1e-4, 1e-3)
    r = rng.random()
    t16 = t32 * rng.uniform(1.0, 1.2) if r < 0.15 else t32 * rng.uniform(0.45, 0.6)
    t8 = t16 if rng.random() < 0.2 else t32 * rng.uniform(0.2, 0.3)
    d16 = rng.choice((0.0, 0.0, _Q, 2 * _Q))
    d8 = UNSUPPORTED if rng.random() < 0.15 else rng.randint(8, 64) * _Q
    return [_lat(t32), _lat(t16), _lat(t8)], [0.0, d16, d8]


def _random_instance(rng: random.Random, n: int, budget: float | None = None) -> dict[str, Any]:
    rows = [_row(rng) for _ in range(n)]
    t, d = [r[0] for r in rows], [r[1] for r in rows]
    if budget is None:
        usable = sum(x[2] for x in d if x[2] < UNSUPPORTED)
        budget = round(rng.uniform(0.15, 0.7) * usable * 64) / 64
    return {"latency": t, "drop": d, "budget": float(budget)}


def _shuffled(rng: random.Random, t: list, d: list, budget: float) -> dict[str, Any]:
    order = list(range(len(t)))
    rng.shuffle(order)
    return {"latency": [t[i] for i in order], "drop": [d[i] for i in order], "budget": float(budget)}


def _locked(rng: random.Random) -> tuple[list[float], list[float]]:
    """A layer that can only take its free FP16 step (INT8 unsupported)."""
    t32 = rng.uniform(1e-4, 5e-4)
    return [_lat(t32), _lat(t32 * rng.uniform(0.45, 0.6)), _lat(t32 * 0.25)], [0.0, 0.0, UNSUPPORTED]


def _ratio_trap(rng: random.Random) -> dict[str, Any]:
    """A big layer whose INT8 costs exactly the budget, and a small layer with a better ratio
    (latency saved per point) that, once taken, leaves too little budget for the big one."""
    b = rng.randint(8, 24) / 16
    la = rng.uniform(6e-4, 1e-3)
    ls = la * rng.uniform(0.25, 0.35)
    t = [[_lat(la), _lat(la * 1.1), _lat(la * rng.uniform(0.2, 0.3))], [_lat(ls), _lat(ls), _lat(ls * 0.5)]]
    d = [[0.0, 0.0, b], [0.0, 0.0, b / 8]]
    for _ in range(rng.randint(1, 4)):
        r = _locked(rng)
        t.append(r[0])
        d.append(r[1])
    return _shuffled(rng, t, d, b)


def _latency_trap(rng: random.Random) -> dict[str, Any]:
    """The single largest saving uses the whole budget; three smaller ones together save more."""
    q = rng.randint(8, 20) / 64
    la = rng.uniform(6e-4, 1e-3)
    t = [[_lat(la), _lat(la * 1.1), _lat(la * 0.25)]]
    d = [[0.0, 0.0, 3 * q]]
    for _ in range(3):
        lc = la * rng.uniform(0.45, 0.55)
        t.append([_lat(lc), _lat(lc * 1.05), _lat(lc * 0.25)])
        d.append([0.0, 0.0, q])
    for _ in range(rng.randint(0, 3)):
        r = _locked(rng)
        t.append(r[0])
        d.append(r[1])
    return _shuffled(rng, t, d, 3 * q)


# --- naive searches the cases must defeat ----------------------------------------------------------
def _latency_greedy(t: np.ndarray, d: np.ndarray, budget: float) -> list[str]:
    """Greedy by latency saved only: repeatedly the single change saving the most that still fits."""
    cur = [0] * len(t)
    total = 0.0
    while True:
        best = None
        for i, k0 in enumerate(cur):
            for k in range(3):
                saved = t[i, k0] - t[i, k]
                if saved > 0 and total - d[i, k0] + d[i, k] <= budget and (best is None or saved > best[0]):
                    best = (saved, i, k)
        if best is None:
            return [PRECISIONS[k] for k in cur]
        _, i, k = best
        total += d[i, k] - d[i, cur[i]]
        cur[i] = k


def _strict(t: np.ndarray, d: np.ndarray, budget: float) -> list[str] | None:
    """The exact optimum under ``Σ drop < budget`` (None when nothing qualifies)."""
    if budget <= 0:
        return None
    try:
        return list(solve_exact(t, d, budget * (1 - 1e-6)).assignment)
    except ValueError:
        return None


def _fastest(t: np.ndarray, d: np.ndarray, budget: float) -> list[str]:
    return [PRECISIONS[int(np.argmin(row))] for row in t]


def _misses(plan: Sequence[str] | None, case: dict[str, Any]) -> bool:
    if plan is None:
        return True
    return not check_plan(plan, case["latency"], case["drop"], case["budget"], margin=MARGIN).within_margin


def _defeats(naive, case: dict[str, Any]) -> bool:
    t, d = np.array(case["latency"]), np.array(case["drop"])
    return _misses(naive(t, d, case["budget"]), case)


def _ratio_greedy(t: np.ndarray, d: np.ndarray, budget: float) -> list[str]:
    return list(solve_greedy(t, d, budget).assignment)


def _until(rng: random.Random, make, naive) -> dict[str, Any]:
    for _ in range(200):
        case = make(rng)
        if all(_defeats(f, case) for f in naive):
            return case
    raise RuntimeError("could not draw a discriminating case")  # pragma: no cover


def _instances(rng: random.Random) -> list[dict[str, Any]]:
    """Eleven instances: 3 ratio traps, 2 latency traps, a zero budget, 5 random tables."""
    out = [_until(rng, _ratio_trap, (_ratio_greedy, _strict, _fastest)) for _ in range(3)]
    out += [_until(rng, _latency_trap, (_latency_greedy, _strict, _fastest)) for _ in range(2)]
    out.append(_until(rng, lambda r: _random_instance(r, r.randint(4, 8), budget=0.0), (_fastest,)))
    out += [_random_instance(rng, rng.randint(3, MAX_LAYERS)) for _ in range(5)]
    rng.shuffle(out)
    return out


# --- judges -----------------------------------------------------------------------------------------
def _names(answer: Any, n: int) -> tuple[list[str] | None, str | None]:
    if not isinstance(answer, list) or len(answer) != n:
        return None, f"方案应是长度为 {n} 的列表（每层一个精度名）"
    if not all(isinstance(p, str) for p in answer):
        return None, "方案中的每一项都应是精度名字符串"
    plan = [p.strip().lower() for p in answer]
    if any(p not in PRECISIONS for p in plan):
        return None, f"精度名只能取 {list(PRECISIONS)}"
    return plan, None


def _judge(answer: Any, latency: list, drop: list, budget: float, need_margin: bool = True) -> str | None:
    plan, why = _names(answer, len(latency))
    if why:
        return why
    c = check_plan(plan, latency, drop, budget, margin=MARGIN)
    if not c.feasible:
        return "方案的总精度下降超出了预算"
    if need_margin and not c.within_margin:
        return f"方案可行，但延迟比最优方案高出超过 {MARGIN:.0%}"
    return None


def _judge_feasible(answer: Any, latency: list, drop: list, budget: float) -> str | None:
    return _judge(answer, latency, drop, budget, need_margin=False)


def _judge_trap(answer: Any) -> str | None:
    """A valid instance (2-10 layers, 3 columns, numbers >= 0, feasible) on which the ratio greedy
    misses the margin."""
    if not isinstance(answer, dict) or set(answer) != {"latency", "drop", "budget"}:
        return "GREEDY_TRAP 应是含 'latency'、'drop'、'budget' 三个键的字典"
    try:
        t = np.asarray(answer["latency"], dtype=float)
        d = np.asarray(answer["drop"], dtype=float)
        b = float(answer["budget"])
    except (TypeError, ValueError):
        return "latency、drop 应是数字表格，budget 应是数字"
    if t.ndim != 2 or t.shape[1] != 3 or not 2 <= t.shape[0] <= MAX_LAYERS:
        return f"latency 应有 2 到 {MAX_LAYERS} 行、每行 3 列（fp32、fp16、int8）"
    try:
        greedy = solve_greedy(t, d, b)
        c = check_plan(greedy.assignment, t, d, b, margin=MARGIN)
    except ValueError as e:
        return f"这不是一个有效的实例：{e}"
    if c.within_margin:
        return f"在这个实例上，比值贪心的延迟与最优解相差不超过 {MARGIN:.0%}，它不是反例"
    return None


@functools.lru_cache(maxsize=1)
def _setting() -> dict[str, Any]:
    s = exercise_21_5()
    return {"latency": s["latency"].tolist(), "drop": s["drop"].tolist(), "budget": float(s["budget"])}


# --- plan totals --------------------------------------------------------------------------------
def _total_cases(rng: random.Random) -> list[dict[str, Any]]:
    """Random tables with random plans; every plan mixes at least two precisions."""
    out = []
    for _ in range(6):
        c = _random_instance(rng, rng.randint(2, MAX_LAYERS))
        plan = [rng.choice(PRECISIONS) for _ in c["latency"]]
        plan[0], plan[-1] = "fp32", "int8"
        out.append({"assignment": plan, **c})
    return out


def _totals(assignment: list[str], latency: list, drop: list):
    return check_plan(assignment, latency, drop, budget=float(np.max(drop, axis=1).sum()))


CHECKS = {
    "plan_latency": Check(
        cases=lambda rng: [{"assignment": c["assignment"], "latency": c["latency"]} for c in _total_cases(rng)],
        reference=lambda assignment, latency: _totals(assignment, latency, np.zeros_like(latency)).latency_s,
        describe="plan_latency(assignment, latency) 返回方案各层延迟之和（秒）",
        rtol=1e-9,
    ),
    "plan_drop": Check(
        cases=lambda rng: [{"assignment": c["assignment"], "drop": c["drop"]} for c in _total_cases(rng)],
        reference=lambda assignment, drop: _totals(assignment, np.ones_like(drop), drop).drop,
        describe="plan_drop(assignment, drop) 返回方案各层精度下降之和（加性模型）",
        rtol=1e-9, atol=1e-12,
    ),
    "choose_feasible": Check(
        cases=_instances,
        judge=_judge_feasible,
        describe="choose_precisions(latency, drop, budget) 返回的方案满足精度预算",
    ),
    "choose_near_optimal": Check(
        cases=_instances,
        judge=_judge,
        describe=f"choose_precisions 的方案可行，且延迟不超过最优延迟的 {1 + MARGIN:.2f} 倍",
    ),
    "greedy_trap": single_value(
        judge=_judge_trap,
        describe="GREEDY_TRAP：一个让 npc.deploy.solve_greedy 的延迟超出最优 5% 以上的实例",
    ),
    "plan_21_5": single_value(
        judge=lambda answer: _judge(answer, **_setting()),
        describe="PLAN_21_5：§21.1.5 设定下（预算 1 个百分点）的精度方案，可行且在最优的 5% 以内",
    ),
    "opt_21_5": single_value(
        reference=lambda: solve_exact(**_setting()).latency_s,
        describe="OPT_LATENCY_21_5：§21.1.5 设定下精确最优方案的延迟（秒）",
        rtol=1e-6,
    ),
}
