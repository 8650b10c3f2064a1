"""Roofline analysis: attainable performance, ridge point, time and bound (Chapter 2 §2.3.4).

Time of an operator on a device is the largest of its compute time and the time to move
its bytes at each memory level (hierarchical roofline: one ceiling per level)::

    T = max(F / P, Q_dram / B_dram, Q_l2 / B_l2, ...)

The classic roofline is the one-level case. All functions broadcast over numpy arrays.
Formulas: ``roofline_attainable``, ``roofline_ridge``, ``roofline_time`` in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from . import _validate as v
from .cost import DRAM, Cost, Num
from .formulas._gen.roofline import roofline_attainable, roofline_ridge
from .hardware import Hardware

__all__ = ["attainable", "ridge_point", "times", "analyze", "Analysis", "plot"]


def attainable(intensity: Num, peak: Num, bandwidth: Num) -> Num:
    """Attainable performance ``min(P, I·B)`` [FLOP/s] (vectorised).

    Parameters
    ----------
    intensity : arithmetic intensity [FLOP/B], >= 0
    peak : peak throughput [FLOP/s], > 0
    bandwidth : memory bandwidth [B/s], > 0
    """
    v.nonnegative("intensity", intensity)
    v.positive("peak", peak)
    v.positive("bandwidth", bandwidth)
    return roofline_attainable(P=peak, B=bandwidth, I=intensity)


def ridge_point(peak: Num, bandwidth: Num) -> Num:
    """Ridge point ``P / B`` [FLOP/B]."""
    v.positive("peak", peak)
    v.positive("bandwidth", bandwidth)
    return roofline_ridge(P=peak, B=bandwidth)


def times(flops: Num, level_bytes: Mapping[str, Num], peak: Num, bandwidths: Mapping[str, Num]) -> dict[str, Num]:
    """Compute time and the memory time of each level [s] (vectorised).

    Returns a dict with key ``"compute"`` and one key per level in ``level_bytes``.
    Raises ValueError when a level has traffic but no bandwidth is given for it.
    """
    v.nonnegative("flops", flops)
    v.positive("peak", peak)
    out: dict[str, Num] = {"compute": np.asarray(flops, dtype=float) / peak}
    for lv, q in level_bytes.items():
        if lv not in bandwidths:
            raise ValueError(f"traffic at memory level {lv!r} but no bandwidth for it; have {list(bandwidths)}")
        v.nonnegative(f"bytes at {lv}", q)
        v.positive(f"bandwidth of {lv}", bandwidths[lv])
        out[lv] = np.asarray(q, dtype=float) / bandwidths[lv]
    return out


@dataclass(frozen=True)
class Analysis:
    """A cost evaluated on a device.

    Attributes
    ----------
    time_s : time bound [s] (max over compute and every level)
    compute_time_s : F / P [s]
    memory_time_s : per-level Q / B [s]
    bound : ``"compute"`` or the name of the binding memory level; ``"memory"`` when it is DRAM
        (array of str when vectorised)
    attainable_flops : F / time [FLOP/s]
    utilization : attainable / peak
    intensity : F / DRAM bytes [FLOP/B]
    ridge : peak / DRAM bandwidth [FLOP/B]
    """

    time_s: Num
    compute_time_s: Num
    memory_time_s: Mapping[str, Num]
    bound: Any
    attainable_flops: Num
    utilization: Num
    intensity: Num
    ridge: float
    peak: float


def _bound_label(level: str) -> str:
    return "memory" if level == DRAM else level


def analyze(cost: Cost, hw: Hardware, dtype: str | None = None, levels: str = "all") -> Analysis:
    """Evaluate ``cost`` on ``hw``.

    Parameters
    ----------
    cost : Cost
        The operator/layer record (fields may be arrays).
    hw : Hardware
    dtype : str, optional
        Data type whose peak applies; defaults to ``cost.dtype``.
    levels : {"all", "dram"}
        ``"dram"`` gives the classic roofline; ``"all"`` the hierarchical one over every level
        the record has traffic at (levels the device lacks raise KeyError).

    Returns
    -------
    Analysis
        ``bound`` is ``"compute"``, ``"memory"`` (DRAM) or the name of an on-chip level.
    """
    if not isinstance(cost, Cost):
        raise ValueError(f"cost must be a npucourse Cost record, got {type(cost).__name__}")
    if not isinstance(hw, Hardware):
        raise ValueError(f"hw must be a npucourse Hardware, got {type(hw).__name__}")
    v.choice("levels", levels, ("all", "dram"))
    dt = dtype or cost.dtype
    if dt is None:
        raise ValueError(f"cost {cost.name!r} has mixed or no dtype; pass dtype= explicitly")
    peak = hw.peak_ops(dt)
    lvls = [DRAM] if levels == "dram" else (cost.levels or (DRAM,))
    level_bytes = {lv: cost.bytes_at(lv) for lv in lvls}
    bws = {lv: hw.bandwidth(lv) for lv in lvls}
    t = times(cost.flops, level_bytes, peak, bws)
    keys = list(t)
    stack = np.stack([np.broadcast_to(np.asarray(t[k], dtype=float), np.broadcast(*t.values()).shape) for k in keys])
    idx = np.argmax(stack, axis=0)
    total = np.max(stack, axis=0)
    labels = np.array(["compute"] + [_bound_label(k) for k in keys[1:]])
    bound = labels[idx]
    if np.any(total <= 0):
        raise ValueError(f"cost {cost.name!r} has zero flops and zero bytes: nothing to time")
    att = np.asarray(cost.flops, dtype=float) / total
    scalar = total.ndim == 0

    def out(a: Any) -> Any:
        a = np.asarray(a)
        return a.item() if scalar else a

    intensity = np.asarray(cost.flops, dtype=float) / np.where(
        np.asarray(cost.bytes, dtype=float) > 0, np.asarray(cost.bytes, dtype=float), np.nan
    )
    return Analysis(
        time_s=out(total),
        compute_time_s=out(t["compute"]),
        memory_time_s={k: out(t[k]) for k in keys[1:]},
        bound=str(bound) if scalar else bound,
        attainable_flops=out(att),
        utilization=out(att / peak),
        intensity=out(intensity) if np.all(np.isfinite(intensity)) else out(np.full_like(total, np.inf)),
        ridge=hw.ridge_point(dt),
        peak=peak,
    )


def plot(hw: Hardware, dtype: str, points: Mapping[str, Cost] | None = None, ax: Any = None,
         levels: tuple[str, ...] | None = None, imin: float = 0.1, imax: float | None = None) -> Any:
    """Log–log roofline of ``hw`` for ``dtype``: one ceiling per memory level, operators as points.

    Returns the matplotlib Figure (matplotlib is imported here, not at package import).
    """
    import matplotlib.pyplot as plt

    peak = hw.peak_ops(dtype)
    lvls = levels or tuple(lv.name for lv in hw.levels)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.5))
    else:
        fig = ax.figure
    ridge_max = max(peak / hw.bandwidth(lv) for lv in lvls)
    hi = imax or max(ridge_max * 20, 10.0)
    x = np.logspace(np.log10(imin), np.log10(hi), 400)
    for lv in lvls:
        bw = hw.bandwidth(lv)
        ax.loglog(x, attainable(x, peak, bw), label=f"{lv}: {bw / 1e9:.4g} GB/s, ridge {peak / bw:.3g} FLOP/B")
    ax.axhline(peak, color="0.5", lw=0.8, ls=":")
    for name, c in (points or {}).items():
        ai = c.intensity
        perf = analyze(c, hw, dtype=dtype, levels="dram").attainable_flops
        ax.scatter([ai], [perf], zorder=3)
        ax.annotate(name, (ai, perf), textcoords="offset points", xytext=(4, -10), fontsize=8)
    ax.set_xlabel("arithmetic intensity [FLOP/B]")
    ax.set_ylabel(f"attainable performance [{dtype} op/s]")
    ax.set_title(f"Roofline: {hw.name} ({dtype}, peak {peak / 1e12:.4g} T op/s)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig
