"""Per-layer precision assignment under an accuracy budget (Chapter 21 exercise 21.5).

Problem: n layers, each run in one precision p ∈ {FP32, FP16, INT8, ...} with latency
``t[i, p]`` and accuracy drop ``d[i, p]``. Minimise ``Σ_i t[i, p_i]`` subject to
``Σ_i d[i, p_i] <= budget``.

**Additive drop model (an assumption, stated):** the accuracy drop of the whole network is the
sum of the per-layer drops measured (or estimated) with one layer quantized at a time. It
ignores interactions between layers; it is the standard first-order model of sensitivity-based
mixed-precision search (e.g. HAWQ, Dong et al., ICCV 2019, sums per-layer perturbations).

* :func:`solve_exact` — exact for the additive model, any real-valued drops: dynamic
  programming over layers that keeps the Pareto front of (total drop, total latency) partial
  assignments (a multiple-choice knapsack without discretising the budget). A dominated partial
  assignment (no less drop and no less latency than another) can never be part of a better
  completion, so pruning it loses nothing.
* :func:`solve_greedy` — the usual heuristic: start at the most accurate choice per layer and
  repeatedly take the change with the best latency saved per unit of drop added.
* :func:`check_plan` — feasibility and latency gap of a given plan to the optimum (grading).

Inputs: latencies from the roofline (:func:`roofline_latencies`) or given; drops given, or
estimated from weights as ``coefficient × relative quantization error`` (:func:`weight_drops`).

Feasibility uses ``total drop <= budget·(1 + 1e-9) + 1e-12`` everywhere (float sums).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .. import _validate as v
from ..cost import Cost
from ..hardware import Hardware
from ..roofline import analyze
from ..units import dtype as _dtype
from .quantization import fake_quant, quant_params, relative_error

__all__ = ["PRECISIONS", "Plan", "PlanCheck", "solve_exact", "solve_greedy", "solve_brute_force", "check_plan",
           "roofline_latencies", "weight_drops", "precision_error", "exercise_21_5",
           "ex21_5_weight_drops"]

PRECISIONS = ("fp32", "fp16", "int8")


@dataclass(frozen=True)
class Plan:
    """A precision per layer with its totals.

    Attributes
    ----------
    assignment : precision name per layer
    latency_s : Σ latency [s]
    drop : Σ accuracy drop (additive model)
    feasible : drop within the budget
    """

    assignment: tuple[str, ...]
    latency_s: float
    drop: float
    feasible: bool


def _tol(budget: float) -> float:
    return abs(budget) * 1e-9 + 1e-12


def _problem(latency: Any, drop: Any, budget: float,
             precisions: Sequence[str]) -> tuple[np.ndarray, np.ndarray, float, tuple[str, ...]]:
    t = np.asarray(latency, dtype=float)
    d = np.asarray(drop, dtype=float)
    prec = tuple(precisions)
    if t.ndim != 2 or t.shape[0] == 0:
        raise ValueError(f"latency must be a non-empty (layers, precisions) table, got shape {t.shape}")
    if d.shape != t.shape:
        raise ValueError(f"drop must have the shape of latency {t.shape}, got {d.shape}")
    if len(prec) != t.shape[1] or len(set(prec)) != len(prec):
        raise ValueError(f"precisions must name the {t.shape[1]} columns once each, got {prec!r}")
    v.nonnegative("latency", t)
    v.nonnegative("drop", d)
    v.nonnegative("budget", budget)
    return t, d, float(budget), prec


def _plan(idx: Sequence[int], t: np.ndarray, d: np.ndarray, budget: float, prec: tuple[str, ...]) -> Plan:
    lat = 0.0
    drop = 0.0
    for i, k in enumerate(idx):  # left to right, as the solvers accumulate
        lat += t[i, k]
        drop += d[i, k]
    return Plan(tuple(prec[k] for k in idx), float(lat), float(drop), bool(drop <= budget + _tol(budget)))


def solve_exact(latency: Any, drop: Any, budget: float, precisions: Sequence[str] = PRECISIONS) -> Plan:
    """Minimum-latency assignment with total drop within ``budget`` (exact for the additive model).

    Parameters
    ----------
    latency, drop : (layers, precisions) tables, >= 0
    budget : allowed total accuracy drop (>= 0, same unit as ``drop``)
    precisions : column names

    Returns
    -------
    Plan
        Ties in latency go to the smaller drop.

    Raises
    ------
    ValueError
        If no assignment fits the budget (even the least-drop choice per layer exceeds it).
    """
    t, d, budget, prec = _problem(latency, drop, budget, precisions)
    tol = _tol(budget)
    front: list[tuple[float, float, tuple[int, ...]]] = [(0.0, 0.0, ())]
    for i in range(t.shape[0]):
        cand = [(dr + d[i, k], lt + t[i, k], idx + (k,)) for dr, lt, idx in front for k in range(len(prec))]
        cand = [c for c in cand if c[0] <= budget + tol]
        if not cand:
            raise ValueError(f"no assignment fits the budget {budget:g}: the least drop over layers 0..{i} "
                             f"is already {sum(d[j].min() for j in range(i + 1)):g}")
        cand.sort(key=lambda c: (c[0], c[1]))
        front = []
        best = np.inf
        for c in cand:  # keep only states with strictly lower latency than every lower-drop state
            if c[1] < best:
                front.append(c)
                best = c[1]
    dr, lt, idx = min(front, key=lambda c: (c[1], c[0]))
    return _plan(idx, t, d, budget, prec)


def solve_brute_force(latency: Any, drop: Any, budget: float, precisions: Sequence[str] = PRECISIONS,
                      max_layers: int = 12) -> Plan:
    """Exhaustive search over all ``P^n`` assignments (small n only; ``max_layers`` guards the cost)."""
    t, d, budget, prec = _problem(latency, drop, budget, precisions)
    if t.shape[0] > max_layers:
        raise ValueError(f"brute force over {len(prec)}^{t.shape[0]} assignments refused (max_layers={max_layers})")
    best: Plan | None = None
    for idx in itertools.product(range(len(prec)), repeat=t.shape[0]):
        p = _plan(idx, t, d, budget, prec)
        if p.feasible and (best is None or (p.latency_s, p.drop) < (best.latency_s, best.drop)):
            best = p
    if best is None:
        raise ValueError(f"no assignment fits the budget {budget:g}")
    return best


def solve_greedy(latency: Any, drop: Any, budget: float, precisions: Sequence[str] = PRECISIONS) -> Plan:
    """Greedy heuristic (not optimal in general).

    Start from the least-drop precision of every layer; repeatedly apply the single-layer change
    that lowers latency with the largest latency saved per unit of drop added (changes that add
    no drop first) while the total stays within the budget; stop when no change helps.
    """
    t, d, budget, prec = _problem(latency, drop, budget, precisions)
    tol = _tol(budget)
    cur = [int(np.lexsort((t[i], d[i]))[0]) for i in range(t.shape[0])]
    total = sum(d[i, k] for i, k in enumerate(cur))
    if total > budget + tol:
        raise ValueError(f"no assignment fits the budget {budget:g}: the least total drop is {total:g}")
    while True:
        best, best_key = None, None
        for i, k0 in enumerate(cur):
            for k in range(len(prec)):
                saved, added = t[i, k0] - t[i, k], d[i, k] - d[i, k0]
                if saved <= 0 or total + added > budget + tol:
                    continue
                with np.errstate(over="ignore"):  # a subnormal drop gives an infinite ratio: fine
                    key = (np.inf, saved) if added <= 0 else (saved / added, saved)
                if best_key is None or key > best_key:
                    best, best_key = (i, k, added), key
        if best is None:
            break
        i, k, added = best
        cur[i] = k
        total += added
    return _plan(cur, t, d, budget, prec)


@dataclass(frozen=True)
class PlanCheck:
    """A plan judged against the optimum.

    Attributes
    ----------
    feasible : total drop within the budget
    latency_s, drop : the plan's totals
    optimum_s : optimal latency (:func:`solve_exact`)
    gap : ``latency_s / optimum_s − 1`` (0 when optimal)
    within_margin : feasible and ``gap <= margin``
    """

    feasible: bool
    latency_s: float
    drop: float
    optimum_s: float
    gap: float
    within_margin: bool


def check_plan(assignment: Sequence[str], latency: Any, drop: Any, budget: float, margin: float = 0.05,
               precisions: Sequence[str] = PRECISIONS) -> PlanCheck:
    """Feasibility of a student's ``assignment`` and its latency gap to the optimum.

    Raises ValueError for a wrong length or an unknown precision name (naming the allowed ones).
    """
    t, d, budget, prec = _problem(latency, drop, budget, precisions)
    v.nonnegative("margin", margin)
    a = list(assignment)
    if len(a) != t.shape[0]:
        raise ValueError(f"assignment must give one precision per layer ({t.shape[0]}), got {len(a)}")
    bad = [p for p in a if p not in prec]
    if bad:
        raise ValueError(f"assignment uses {sorted(set(map(str, bad)))}; allowed precisions: {prec}")
    plan = _plan([prec.index(p) for p in a], t, d, budget, prec)
    opt = solve_exact(t, d, budget, prec).latency_s
    gap = plan.latency_s / opt - 1 if opt > 0 else (0.0 if plan.latency_s == 0 else np.inf)
    return PlanCheck(feasible=plan.feasible, latency_s=plan.latency_s, drop=plan.drop, optimum_s=opt, gap=float(gap),
                     within_margin=bool(plan.feasible and gap <= margin * (1 + 1e-12)))


def roofline_latencies(layers: Sequence[Callable[[str], Cost]], hw: Hardware,
                       precisions: Sequence[str] = PRECISIONS) -> np.ndarray:
    """(layers, precisions) table of roofline times: ``analyze(layer(p), hw).time_s``.

    Each layer is a callable that builds its cost record for a dtype name, e.g.
    ``lambda dt: npc.ops.gemm(128, 768, 768, dtype=dt)``. KeyError if ``hw`` has no peak rate
    for a precision.
    """
    if not layers:
        raise ValueError("layers must not be empty")
    out = np.empty((len(layers), len(precisions)))
    for i, build in enumerate(layers):
        for k, p in enumerate(precisions):
            c = build(p)
            if not isinstance(c, Cost):
                raise ValueError(f"layer {i} built {type(c).__name__} for {p!r}, not a Cost record")
            out[i, k] = analyze(c, hw, dtype=p, levels="dram").time_s
    return out


def precision_error(w: Any, precision: str) -> float:
    """Relative L2 error ``‖w − w_p‖/‖w‖`` of storing ``w`` in ``precision``.

    fp32 (and fp64) 0 (the reference); fp16 by rounding to IEEE half (ValueError on overflow);
    int8/int4 by per-channel (axis 0) symmetric min-max fake quantization.
    """
    a = np.asarray(w, dtype=float)
    name = _dtype(precision).name
    if name in ("fp32", "fp64"):
        return 0.0
    if name == "fp16":
        if np.any(np.abs(a) > np.finfo(np.float16).max):
            raise ValueError("w exceeds the fp16 range (65504): fp16 would overflow")
        return relative_error(a, a.astype(np.float16).astype(float))
    if name in ("int8", "int4"):
        qp = quant_params(a, bits=8 if name == "int8" else 4, symmetric=True, axis=0 if a.ndim > 1 else None)
        return relative_error(a, fake_quant(a, qp))
    raise ValueError(f"precision must be one of fp32, fp64, fp16, int8, int4, got {precision!r}")


def weight_drops(weights: Sequence[Any], precisions: Sequence[str] = PRECISIONS,
                 coefficient: float = 1.0) -> np.ndarray:
    """(layers, precisions) drop table ``coefficient × precision_error(w_i, p)``.

    The proportionality to the relative weight error is an assumption (a proxy for a measured
    per-layer sensitivity); ``coefficient`` converts it to accuracy points.
    """
    v.nonnegative("coefficient", coefficient)
    if not weights:
        raise ValueError("weights must not be empty")
    return np.array([[coefficient * precision_error(w, p) for p in precisions] for w in weights])


#: §21.1.5 setting: a 6-block encoder, sequence length 128, hidden size 768 (BERT-base shapes).
EX21_5_SEQ = 128
EX21_5_SHAPES = (("qkv", 768, 2304), ("o_proj", 768, 768), ("ffn_up", 768, 3072), ("ffn_down", 3072, 768))
EX21_5_BLOCKS = 6
EX21_5_COEF = 20.0  # assumption: accuracy points per unit relative weight error (§21.1.5)
EX21_5_BUDGET = 1.0  # accuracy points: the draft's "< 1%" (exercise 21.5), read as total drop <= 1 point


def ex21_5_weight_drops() -> np.ndarray:
    """The (24, 3) drop table of the §21.1.5 setting, computed from the weights (a few seconds).

    Weights ``0.02 × t(ν)`` with ``ν ~ U(2.5, 30)`` per layer, drawn in layer order from
    ``numpy.random.default_rng(0)`` exactly as §21.1.5 does (assumption: a demonstration of
    layers with different sensitivity); drops :func:`weight_drops` with ``coefficient = 20``.
    :func:`exercise_21_5` reads the stored copy in ``_ex21_5_drops.py`` (written by
    ``_write_ex21_5_drops()``; a test checks that it equals this function's result).
    """
    rng = np.random.default_rng(0)
    drops = []
    for _ in range(EX21_5_BLOCKS):
        for _nm, k, n in EX21_5_SHAPES:
            w = rng.standard_t(rng.uniform(2.5, 30), (n, k)) * 0.02
            drops.append(weight_drops([w], coefficient=EX21_5_COEF)[0])  # one matrix alive at a time
    return np.array(drops)


def exercise_21_5(hw: str = "edge-gpu") -> dict[str, Any]:
    """The setting of exercise 21.5 as built in §21.1.5: latency and drop tables and the budget.

    24 linear layers (6 blocks × QKV, output projection, FFN up, FFN down), each a GEMM
    ``gemm(128, N, K)`` timed by :func:`roofline_latencies` on ``hw``; drops from
    :func:`ex21_5_weight_drops` (its stored copy: drawing and quantizing the 42 M weights takes
    seconds, too slow for a graded notebook cell).

    Returns
    -------
    dict
        ``names`` (list of str), ``latency`` [s] and ``drop`` [points] as (24, 3) arrays with
        columns :data:`PRECISIONS`, ``budget`` [points].
    """
    from ..hardware import get
    from ..ops import gemm
    from ._ex21_5_drops import DROP

    layers: list[Callable[[str], Cost]] = []
    names: list[str] = []
    for blk in range(EX21_5_BLOCKS):
        for nm, k, n in EX21_5_SHAPES:
            layers.append(lambda dt, k=k, n=n: gemm(EX21_5_SEQ, n, k, dtype=dt))
            names.append(f"{blk}.{nm}")
    return dict(names=names, latency=roofline_latencies(layers, get(hw)), drop=np.array(DROP, dtype=float),
                budget=EX21_5_BUDGET)


def _write_ex21_5_drops() -> None:
    """Regenerate ``_ex21_5_drops.py`` from :func:`ex21_5_weight_drops`."""
    from pathlib import Path

    rows = ",\n".join("    (" + ", ".join(repr(float(x)) for x in row) + ")" for row in ex21_5_weight_drops())
    text = ('"""Generated by ``npucourse.deploy.mixed_precision._write_ex21_5_drops()`` from ``ex21_5_weight_drops()``:\n'
            'the §21.1.5 drop table [accuracy points], columns fp32, fp16, int8. Do not edit."""\n\n'
            f"DROP = (\n{rows},\n)\n")
    (Path(__file__).with_name("_ex21_5_drops.py")).write_text(text, encoding="utf-8")
