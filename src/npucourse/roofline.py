"""Roofline analysis: attainable performance, ridge point, time and bound (Chapter 2 §2.3.4).

Time of an operator on a device is the largest of its compute time and the time to move
its bytes at each memory level (hierarchical roofline: one ceiling per level)::

    T = max(F / P, Q_dram / B_dram, Q_l2 / B_l2, ...)

The classic roofline is the one-level case. All functions broadcast over numpy arrays: a sweep
over operators and devices (arrays of sizes, peaks and bandwidths) is one call.
Formulas: ``roofline_attainable``, ``roofline_ridge``, ``roofline_compute_time``,
``roofline_memory_time``, ``roofline_time`` in the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

import numpy as np

from . import _validate as v
from .cost import DRAM, Cost, Num
from .formulas._gen.roofline import (
    roofline_attainable,
    roofline_compute_time,
    roofline_memory_time,
    roofline_ridge,
)
from .hardware import Hardware

__all__ = ["attainable", "ridge_point", "times", "evaluate", "analyze", "Analysis", "plot"]


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


def _times(flops: Num, level_bytes: Mapping[str, Num], peak: Num,
           bandwidths: Mapping[str, Num]) -> dict[str, np.ndarray]:
    """Unchecked core of :func:`times` (inputs already validated)."""
    out = {"compute": roofline_compute_time(F=np.asarray(flops, dtype=float), P=peak)}
    for lv, q in level_bytes.items():
        out[lv] = roofline_memory_time(Q=np.asarray(q, dtype=float), B=bandwidths[lv])
    return out


def _valid(name: str, value: Num, strict: bool) -> None:
    """Finite and >= 0 (``strict``: > 0), in two reductions for large arrays (NaN fails both
    comparisons); the error message comes from :mod:`npucourse._validate`."""
    check = v.positive if strict else v.nonnegative
    a = value if isinstance(value, np.ndarray) else None
    if a is None or a.dtype.kind not in "fiu" or a.size == 0:
        check(name, value)
        return
    lo, hi = a.min(), a.max()
    if not ((lo > 0 if strict else lo >= 0) and hi < np.inf):
        check(name, value)  # raises with the usual message


def _check(flops: Num, level_bytes: Mapping[str, Num], peak: Num, bandwidths: Mapping[str, Num]) -> None:
    _valid("flops", flops, strict=False)
    _valid("peak", peak, strict=True)
    for lv, q in level_bytes.items():
        if lv not in bandwidths:
            raise ValueError(f"traffic at memory level {lv!r} but no bandwidth for it; have {list(bandwidths)}")
        _valid(f"bytes at {lv}", q, strict=False)
        _valid(f"bandwidth of {lv}", bandwidths[lv], strict=True)


def times(flops: Num, level_bytes: Mapping[str, Num], peak: Num, bandwidths: Mapping[str, Num]) -> dict[str, Num]:
    """Compute time and the memory time of each level [s] (vectorised).

    Returns a dict with key ``"compute"`` (``F/P``) and one key per level in ``level_bytes``
    (``Q/B``). Raises ValueError naming the quantity for negative or non-finite inputs, zero
    peak or bandwidth, and traffic at a level without a bandwidth.
    """
    _check(flops, level_bytes, peak, bandwidths)
    return _times(flops, level_bytes, peak, bandwidths)


@dataclass(frozen=True, repr=False)
class Analysis:
    """A cost evaluated on a device.

    Attributes
    ----------
    time_s : time bound [s] (max over compute and every level)
    compute_time_s : F / P [s]
    memory_time_s : per-level Q / B [s]
    ridge : peak / DRAM bandwidth [FLOP/B] (:func:`evaluate`: None without a DRAM bandwidth)
    peak : peak throughput used [FLOP/s]
    bound : ``"compute"`` or the binding memory level: ``"memory"`` when it is DRAM, else the
        level's name (array of str when vectorised). Ties go to compute, then to the level
        listed first.
    attainable_flops : F / time [FLOP/s]
    utilization : attainable / peak
    intensity : F / DRAM bytes [FLOP/B] (inf where no DRAM bytes move)

    ``bound``, ``attainable_flops``, ``utilization`` and ``intensity`` are computed on first
    access (a sweep that only needs the times does not pay for 10⁶-element label arrays).
    """

    time_s: Num
    compute_time_s: Num
    memory_time_s: Mapping[str, Num]
    ridge: Num | None
    peak: Num
    _flops: Any = field(default=0.0, compare=False)
    _dram_bytes: Any = field(default=None, compare=False)
    _bound_index: Any = field(default=0, compare=False)
    _labels: tuple[str, ...] = field(default=("compute",), compare=False)

    @cached_property
    def bound(self) -> Any:
        b = np.asarray(self._labels)[self._bound_index]
        return str(b) if b.ndim == 0 else b

    @cached_property
    def attainable_flops(self) -> Num:
        return _out(np.asarray(self._flops / np.asarray(self.time_s)))

    @cached_property
    def utilization(self) -> Num:
        return _out(np.asarray(np.asarray(self.attainable_flops) / self.peak))

    @cached_property
    def intensity(self) -> Num:
        f = self._flops
        if self._dram_bytes is None:
            return _out(np.full(np.shape(self.time_s), np.inf))
        q = self._dram_bytes
        if np.min(q) > 0:
            return _out(np.asarray(f / q))
        return _out(np.divide(f, q, out=np.full(np.broadcast(f, q).shape, np.inf), where=q > 0))

    def __repr__(self) -> str:
        names = ("time_s", "compute_time_s", "memory_time_s", "bound", "attainable_flops", "utilization",
                 "intensity", "ridge", "peak")
        return "Analysis(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in names) + ")"


def _bound_label(level: str) -> str:
    return "memory" if level == DRAM else level


def _out(a: np.ndarray) -> Any:
    return a.item() if a.ndim == 0 else a


def _evaluate(flops: np.ndarray, level_bytes: Mapping[str, np.ndarray], peak: Num,
              bandwidths: Mapping[str, Num], name: str, ridge: Num | None) -> Analysis:
    t = _times(flops, level_bytes, peak, bandwidths)
    keys = list(t)
    total = t["compute"]
    shape = np.broadcast_shapes(*(np.shape(x) for x in t.values()))
    idx = np.zeros(shape, dtype=np.uint8)  # index into the labels (a device has few levels)
    # Large arrays: every fresh one costs page faults, so allocate as few as possible.
    for k, key in enumerate(keys[1:], start=1):
        later = np.broadcast_to(t[key] > total, shape)  # strict: ties stay with compute / earlier level
        np.putmask(idx, later, k)
        if k > 1 and isinstance(total, np.ndarray) and total.ndim and total.shape == shape:
            np.maximum(total, t[key], out=total)  # our own array since k == 1
        else:
            total = np.maximum(total, t[key])
    if np.min(total) <= 0:
        raise ValueError(f"cost {name!r} has zero flops and zero bytes: nothing to time")
    return Analysis(
        time_s=_out(np.asarray(total)),
        compute_time_s=_out(np.asarray(t["compute"])),
        memory_time_s={k: _out(np.asarray(t[k])) for k in keys[1:]},
        ridge=ridge,
        peak=_out(np.asarray(peak, dtype=float)),
        _flops=flops,
        _dram_bytes=np.asarray(level_bytes[DRAM], dtype=float) if DRAM in level_bytes else None,
        _bound_index=idx,
        _labels=tuple(["compute"] + [_bound_label(k) for k in keys[1:]]),
    )


def evaluate(flops: Num, level_bytes: Mapping[str, Num], peak: Num, bandwidths: Mapping[str, Num]) -> Analysis:
    """Roofline analysis from raw numbers: every argument may be an array (broadcast together).

    ``evaluate(F, {"dram": Q}, P, {"dram": B})`` is the classic roofline of operators with
    F FLOPs and Q DRAM bytes on devices with peak P and bandwidth B; more levels make it
    hierarchical. :func:`analyze` is this function applied to a :class:`Cost` and a
    :class:`Hardware`.
    """
    _check(flops, level_bytes, peak, bandwidths)
    ridge = _out(np.asarray(roofline_ridge(P=peak, B=bandwidths[DRAM]), dtype=float)) if DRAM in bandwidths else None
    return _evaluate(np.asarray(flops, dtype=float), {k: np.asarray(q, dtype=float) for k, q in level_bytes.items()},
                     peak, bandwidths, "", ridge)


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
    bws = {lv: hw.bandwidth(lv) for lv in lvls}
    # Cost and Hardware validated their numbers when they were built: no second check here.
    level_bytes = {lv: np.asarray(cost.bytes_at(lv), dtype=float) for lv in lvls}
    return _evaluate(np.asarray(cost.flops, dtype=float), level_bytes, peak, bws, cost.name, hw.ridge_point(dt))


def plot(hw: Hardware, dtype: str, points: Mapping[str, Cost] | None = None, ax: Any = None,
         levels: tuple[str, ...] | None = None, imin: float = 0.1, imax: float | None = None) -> Any:
    """Log–log roofline of ``hw`` for ``dtype``: one line ``min(P, I·B_level)`` per memory level,
    operators as points (at their DRAM intensity and classic-roofline performance).

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
    for name, c in (points or {}).items():
        r = analyze(c, hw, dtype=dtype, levels="dram")
        ax.scatter([r.intensity], [r.attainable_flops], zorder=3)
        ax.annotate(name, (r.intensity, r.attainable_flops), textcoords="offset points", xytext=(4, -10),
                    fontsize=8)
    ax.set_xlabel("arithmetic intensity [FLOP/B]")
    ax.set_ylabel(f"attainable performance [{dtype} op/s]")
    ax.set_title(f"Roofline: {hw.name} ({dtype}, peak {peak / 1e12:.4g} T op/s)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return fig
