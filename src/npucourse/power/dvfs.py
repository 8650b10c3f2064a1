"""DVFS: power, time and energy of work versus the operating point (Chapter 21 §21.3.1).

Model
-----
* Power while busy at an OPP: ``P(f) = α·C·V(f)²·f + P_s`` (``dvfs_dynamic_power``; Linux
  energy model with the device-tree coefficient C; P_s static/leakage power, a parameter).
* Time of a phase: its compute cycles N scale as N/f, its memory time t_mem does not. Two
  conventions, chosen per phase and stated: ``overlap="sum"`` (a core that stalls on misses:
  ``t = t_mem + N/f``, ``dvfs_time_sum``) or ``overlap="max"`` (perfect overlap of transfers and
  compute: ``t = max(t_mem, N/f)``, ``dvfs_time_overlap``). Compute-bound work has t_mem = 0;
  memory-bound work (LLM decode at batch 1) has t_mem ≫ N/f, so its time barely depends on f.
* The core draws P(f) for the whole busy time, stalls included (clocks keep running while it
  waits for DRAM). Over a period T it then idles at P_idle:
  ``E = P(f)·t(f) + P_idle·(T − t(f))`` (``dvfs_energy_period``).

A *schedule* runs each phase (prefill, decode, ...) at an OPP; :func:`simulate_schedule`
returns its energy and latency, and :func:`check_dvfs_target` grades it against running
everything at the highest frequency (exercise 21.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence, Union

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.power_dvfs import (
    dvfs_cycles_from_macs,
    dvfs_energy_period,
    dvfs_time_overlap,
    dvfs_time_sum,
)
from .opp import OPP, OPPTable

__all__ = [
    "Phase", "phase_from_cost", "transformer_b1_phases", "Sweep", "sweep", "OPPChoice", "min_energy_opp",
    "Segment", "ScheduleResult", "simulate_schedule", "max_frequency_schedule", "DVFSCheck",
    "check_dvfs_target", "OVERLAPS", "EX21_3_STATIC_POWER_W", "exercise_21_3",
]

OVERLAPS = ("sum", "max")


@dataclass(frozen=True)
class Phase:
    """A piece of work whose time depends on the clock only through its compute cycles.

    Attributes
    ----------
    name : str
        Unique within a schedule (``"prefill"``, ``"decode"``).
    cycles : float
        Compute cycles N (time N/f) [cycle].
    mem_time_s : float
        Time that does not depend on f (DRAM transfers) [s].
    overlap : {"sum", "max"}
        ``"sum"``: t = t_mem + N/f (stalling core); ``"max"``: t = max(t_mem, N/f) (overlap).
    activity : float
        Activity factor α in [0, 1] scaling the table's coefficient while busy.
    """

    name: str
    cycles: float
    mem_time_s: float = 0.0
    overlap: str = "sum"
    activity: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Phase.name must be a non-empty string, got {self.name!r}")
        v.nonnegative(f"Phase({self.name}).cycles", self.cycles)
        v.nonnegative(f"Phase({self.name}).mem_time_s", self.mem_time_s)
        v.choice(f"Phase({self.name}).overlap", self.overlap, OVERLAPS)
        v.probability(f"Phase({self.name}).activity", self.activity)
        if float(self.cycles) == 0 and float(self.mem_time_s) == 0:
            raise ValueError(f"Phase({self.name}) has no cycles and no memory time: nothing to run")
        object.__setattr__(self, "cycles", float(self.cycles))
        object.__setattr__(self, "mem_time_s", float(self.mem_time_s))

    def time_s(self, freq_hz: Any) -> Any:
        """Busy time at ``freq_hz`` [s] (vectorised): ``dvfs_time_sum`` or ``dvfs_time_overlap``."""
        v.positive("freq_hz", freq_hz)
        f = np.asarray(freq_hz, dtype=float)
        fn = dvfs_time_sum if self.overlap == "sum" else dvfs_time_overlap
        out = fn(t_mem=self.mem_time_s, N=self.cycles, f=f)
        return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)

    def scaled(self, fraction: float) -> "Phase":
        """The same phase with cycles and memory time multiplied by ``fraction`` in (0, 1]."""
        v.positive("fraction", fraction)
        if fraction > 1:
            raise ValueError(f"fraction must lie in (0, 1], got {fraction!r}")
        return Phase(self.name, self.cycles * fraction, self.mem_time_s * fraction, self.overlap, self.activity)


def phase_from_cost(cost: Cost, *, macs_per_cycle: float, bandwidth_bps: float, name: str | None = None,
                    overlap: str = "sum", activity: float = 1.0) -> Phase:
    """A phase from an operator/network cost record on a core.

    ``cycles = macs / macs_per_cycle`` (``dvfs_cycles_from_macs``; non-MAC operations are not
    counted) and ``mem_time_s = DRAM bytes / bandwidth_bps`` (the roofline's memory time).
    """
    from ..roofline import times

    if not isinstance(cost, Cost):
        raise ValueError(f"cost must be a npucourse Cost record, got {type(cost).__name__}")
    v.positive("macs_per_cycle", macs_per_cycle)
    v.positive("bandwidth_bps", bandwidth_bps)
    cycles = float(dvfs_cycles_from_macs(M=float(cost.macs), m_c=float(macs_per_cycle)))
    mem = float(times(0.0, {DRAM: float(cost.bytes)}, 1.0, {DRAM: float(bandwidth_bps)})[DRAM])
    return Phase(name or cost.name or "phase", cycles, mem, overlap, activity)


#: Assumptions of :func:`transformer_b1_phases` (one place, quoted by the book).
TRANSFORMER_B1_SOURCE = (
    "assumption: decoder-only Transformer d_model=512, 6 layers, FFN 4·d, int8 weights, prompt 128, "
    "64 new tokens, batch 1, on one Cortex-A72 core: 16 int8 MACs/cycle (128-bit NEON), 6.4 GB/s "
    "sustained DRAM bandwidth (half the 12.8 GB/s peak of dual-channel 32-bit LPDDR4-1600); only the "
    "weight GEMMs are counted (attention score/context products and the KV cache are small at this "
    "context length); weights do not fit in the 1 MiB L2, so every decode step reads them from DRAM")


def transformer_b1_phases(d_model: int = 512, n_layers: int = 6, d_ff: int | None = None, prompt_tokens: int = 128,
                          new_tokens: int = 64, dtype: str = "int8", *, macs_per_cycle: float = 16.0,
                          bandwidth_bps: float = 6.4e9, overlap: str = "sum") -> tuple[Phase, Phase]:
    """Prefill and decode phases of a small Transformer at batch size 1 (exercise 21.3).

    Weight GEMMs per layer: Q, K, V, O (d×d each) and the FFN (d×d_ff, d_ff×d), built with
    :func:`npucourse.ops.gemm`: prefill is one pass with M = ``prompt_tokens``; decode is
    ``new_tokens`` passes with M = 1, each reading every weight again. Defaults and assumptions
    in :data:`TRANSFORMER_B1_SOURCE`. Prefill is compute-bound, decode memory-bound.
    """
    from ..ops import gemm

    for nm, val in (("d_model", d_model), ("n_layers", n_layers), ("prompt_tokens", prompt_tokens),
                    ("new_tokens", new_tokens)):
        v.positive_int(nm, val)
    ff = 4 * d_model if d_ff is None else d_ff
    v.positive_int("d_ff", ff)

    def layer(tokens: int) -> Cost:
        shapes = [(d_model, d_model)] * 4 + [(d_model, ff), (ff, d_model)]  # (K, N) of x @ W
        return sum(gemm(tokens, n, k, dtype=dtype) for k, n in shapes)

    prefill = layer(prompt_tokens) * n_layers
    decode = (layer(1) * n_layers) * new_tokens
    kw = dict(macs_per_cycle=macs_per_cycle, bandwidth_bps=bandwidth_bps, overlap=overlap)
    return (phase_from_cost(prefill, name="prefill", **kw), phase_from_cost(decode, name="decode", **kw))


#: Static power of one busy Cortex-A72 core in exercise 21.3 [W] — assumption: about 10 % of its
#: 1.13 W dynamic power at 1.8 GHz (the device tree gives no static power).
EX21_3_STATIC_POWER_W = 0.1


def exercise_21_3() -> dict[str, Any]:
    """The setting of exercise 21.3: keyword arguments for :func:`check_dvfs_target` (all but ``schedule``).

    Phases :func:`transformer_b1_phases` (defaults, ``overlap="sum"``) on one core of ``rk3399-a72``
    with :data:`EX21_3_STATIC_POWER_W`; the transition latency is the table's (40 µs).
    """
    from .opp import get

    return dict(phases=transformer_b1_phases(), table=get("rk3399-a72"), static_power_w=EX21_3_STATIC_POWER_W)


# --- sweeps over an OPP table ------------------------------------------------------------------
@dataclass(frozen=True)
class Sweep:
    """A phase evaluated at every OPP of a table (arrays in the table's frequency order).

    ``energy_j`` = busy energy + idle energy over the period (if a period was given);
    ``feasible`` marks OPPs that meet the latency bound (all True without a bound).
    """

    table: OPPTable
    freq_hz: np.ndarray
    volt_v: np.ndarray
    power_w: np.ndarray
    time_s: np.ndarray
    busy_energy_j: np.ndarray
    idle_energy_j: np.ndarray
    energy_j: np.ndarray
    feasible: np.ndarray
    bound_s: float | None


def _period_energy(static_w: float, time_s: np.ndarray, period_s: np.ndarray, idle_w: float, table: OPPTable,
                   activity: float) -> tuple[np.ndarray, np.ndarray]:
    """(total, busy) energy at every OPP: ``dvfs_energy_period`` over the period and over the busy time."""
    kw = dict(alpha=activity, C=table.capacitance_f, V=table.volts_v, f=table.freqs_hz, P_s=static_w, t_act=time_s)
    total = dvfs_energy_period(T=period_s, P_idle=idle_w, **kw)
    busy = dvfs_energy_period(T=time_s, P_idle=0.0, **kw)
    return np.asarray(total, dtype=float), np.asarray(busy, dtype=float)


def sweep(phase: Phase, table: OPPTable, *, static_power_w: float = 0.0, idle_power_w: float = 0.0,
          period_s: float | None = None, latency_bound_s: float | None = None) -> Sweep:
    """Power, time and energy of ``phase`` at every OPP of ``table`` (one vectorised call).

    With ``period_s`` the work repeats every period and the core idles at ``idle_power_w`` for
    the rest of it; the latency bound is then ``min(latency_bound_s, period_s)``. An OPP too slow
    for the period is marked infeasible and charged no idle time.
    """
    if not isinstance(phase, Phase):
        raise ValueError(f"phase must be a Phase, got {type(phase).__name__}")
    v.nonnegative("static_power_w", static_power_w)
    v.nonnegative("idle_power_w", idle_power_w)
    bound = None
    if period_s is not None:
        v.positive("period_s", period_s)
        bound = float(period_s)
    if latency_bound_s is not None:
        v.positive("latency_bound_s", latency_bound_s)
        bound = float(latency_bound_s) if bound is None else min(bound, float(latency_bound_s))
    p_dyn = table.dynamic_power(phase.activity)
    t = np.asarray(phase.time_s(table.freqs_hz), dtype=float)
    period = t if period_s is None else np.maximum(t, float(period_s))
    total, busy = _period_energy(float(static_power_w), t, period, float(idle_power_w), table, phase.activity)
    feasible = np.ones_like(t, dtype=bool) if bound is None else t <= bound * (1 + 1e-12)
    return Sweep(table, table.freqs_hz, table.volts_v, p_dyn + static_power_w, t, busy, total - busy, total,
                 feasible, bound)


@dataclass(frozen=True)
class OPPChoice:
    """The energy-optimal OPP of a phase under a latency bound."""

    opp: OPP
    index: int
    energy_j: float
    time_s: float
    power_w: float
    sweep: Sweep


def min_energy_opp(phase: Phase, table: OPPTable, *, latency_bound_s: float | None = None,
                   period_s: float | None = None, static_power_w: float = 0.0,
                   idle_power_w: float = 0.0) -> OPPChoice:
    """The OPP that minimises energy while meeting the latency bound (exact search over the table).

    Energy includes idle energy over ``period_s`` when given. Ties go to the lower frequency.

    Raises
    ------
    ValueError
        If no OPP meets the bound (the message gives the fastest achievable time).
    """
    s = sweep(phase, table, static_power_w=static_power_w, idle_power_w=idle_power_w, period_s=period_s,
              latency_bound_s=latency_bound_s)
    if not np.any(s.feasible):
        raise ValueError(
            f"latency_bound_s: no OPP of {table.name} finishes {phase.name!r} within {s.bound_s!r} s; "
            f"the fastest takes {float(s.time_s.min())!r} s")
    e = np.where(s.feasible, s.energy_j, np.inf)
    i = int(np.argmin(e))
    return OPPChoice(table.opps[i], i, float(s.energy_j[i]), float(s.time_s[i]), float(s.power_w[i]), s)


# --- schedules ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """One scheduled piece: a phase (or a fraction of it) at one OPP."""

    phase: str
    fraction: float
    opp: OPP
    time_s: float
    energy_j: float
    power_w: float


@dataclass(frozen=True)
class ScheduleResult:
    """Energy and latency of a schedule.

    ``latency_s`` includes the DVFS transitions (each switch stalls ``transition_latency_s``
    at static power plus ``transition_energy_j``).
    """

    energy_j: float
    latency_s: float
    segments: tuple[Segment, ...]
    transitions: int
    transition_time_s: float
    transition_energy_j: float

    @property
    def average_power_w(self) -> float:
        """Energy / latency [W]."""
        return self.energy_j / self.latency_s


OPPLike = Union[float, int, OPP]
ScheduleLike = Union[Mapping[str, OPPLike], Sequence[Sequence[Any]]]


def _as_opp(table: OPPTable, x: OPPLike, where: str) -> OPP:
    if isinstance(x, OPP):
        return table.opp(x.freq_hz)
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where}: an operating point must be a frequency in Hz or an OPP, got {x!r}")
    return table.opp(float(x))


def _segments(phases: Sequence[Phase], schedule: ScheduleLike, table: OPPTable) -> list[tuple[Phase, float, OPP]]:
    by_name = {p.name: p for p in phases}
    if len(by_name) != len(phases):
        raise ValueError(f"phases must have unique names, got {[p.name for p in phases]}")
    order = {p.name: i for i, p in enumerate(phases)}
    if isinstance(schedule, Mapping):
        items: list[Sequence[Any]] = [(name, opp) for name, opp in schedule.items()]
    else:
        items = list(schedule)
    out: list[tuple[Phase, float, OPP]] = []
    total: dict[str, float] = {p.name: 0.0 for p in phases}
    for k, item in enumerate(items):
        if isinstance(item, (str, bytes)) or not hasattr(item, "__len__") or len(item) not in (2, 3):
            raise ValueError(f"schedule[{k}] must be (phase, freq_hz) or (phase, freq_hz, fraction), got {item!r}")
        name, opp_like = item[0], item[1]
        if name not in by_name:
            raise KeyError(f"schedule[{k}] names unknown phase {name!r}; phases: {', '.join(by_name)}")
        frac = 1.0 if len(item) == 2 else item[2]
        v.positive(f"schedule[{k}] fraction", frac)
        total[name] += float(frac)
        out.append((by_name[name], float(frac), _as_opp(table, opp_like, f"schedule[{k}]")))
    if isinstance(schedule, Mapping):
        out.sort(key=lambda s: order[s[0].name])
    idx = [order[s[0].name] for s in out]
    if idx != sorted(idx):
        raise ValueError(f"schedule segments must follow the phase order {list(order)}, got {[s[0].name for s in out]}")
    bad = {n: x for n, x in total.items() if not np.isclose(x, 1.0, rtol=1e-9, atol=1e-12)}
    if bad:
        raise ValueError(f"schedule must cover every phase exactly once (fractions summing to 1); got {bad}")
    return out


def simulate_schedule(phases: Sequence[Phase], schedule: ScheduleLike, table: OPPTable, *,
                      static_power_w: float = 0.0, transition_latency_s: float | None = None,
                      transition_energy_j: float = 0.0) -> ScheduleResult:
    """Energy [J] and latency [s] of running ``phases`` in order with the OPPs of ``schedule``.

    Parameters
    ----------
    phases : sequence of Phase
        Executed in this order.
    schedule : mapping or sequence
        ``{"prefill": 1.8e9, "decode": 1.008e9}`` or segments ``[("prefill", 1.8e9),
        ("decode", 1.008e9, 0.5), ("decode", 1.2e9, 0.5)]`` (phase, frequency in Hz or an OPP,
        optional fraction of the phase). Frequencies must be OPPs of ``table``; every phase's
        fractions must sum to 1; segments follow the phase order.
    table : OPPTable
    static_power_w : float
        Static power while busy [W].
    transition_latency_s : float, optional
        Stall per OPP change [s]; defaults to the table's ``transition_latency_s``.
    transition_energy_j : float
        Extra energy per OPP change [J] (regulator, PLL relock), on top of static power during the stall.
    """
    if not phases:
        raise ValueError("phases must list at least one Phase, got none")
    for p in phases:
        if not isinstance(p, Phase):
            raise ValueError(f"phases must be Phase records, got {p!r}")
    v.nonnegative("static_power_w", static_power_w)
    v.nonnegative("transition_energy_j", transition_energy_j)
    t_tr = table.transition_latency_s if transition_latency_s is None else transition_latency_s
    v.nonnegative("transition_latency_s", t_tr)
    segs = _segments(phases, schedule, table)
    out: list[Segment] = []
    prev: OPP | None = None
    n_tr = 0
    for phase, frac, opp in segs:
        ph = phase.scaled(frac) if frac != 1.0 else phase
        i = table.index(opp.freq_hz)
        s = sweep(ph, table, static_power_w=static_power_w)
        out.append(Segment(phase.name, frac, opp, float(s.time_s[i]), float(s.energy_j[i]), float(s.power_w[i])))
        if prev is not None and prev.freq_hz != opp.freq_hz:
            n_tr += 1
        prev = opp
    tr_time = n_tr * float(t_tr)
    tr_energy = n_tr * (float(transition_energy_j) + float(static_power_w) * float(t_tr))
    energy = sum(s.energy_j for s in out) + tr_energy
    latency = sum(s.time_s for s in out) + tr_time
    return ScheduleResult(energy, latency, tuple(out), n_tr, tr_time, tr_energy)


def max_frequency_schedule(phases: Sequence[Phase], table: OPPTable) -> dict[str, float]:
    """Every phase at the table's highest frequency (the baseline of exercise 21.3)."""
    return {p.name: table.f_max for p in phases}


@dataclass(frozen=True)
class DVFSCheck:
    """A schedule graded against the all-max-frequency baseline."""

    baseline: ScheduleResult
    candidate: ScheduleResult
    energy_saving: float
    latency_increase: float
    min_energy_saving: float
    max_latency_increase: float

    @property
    def energy_ok(self) -> bool:
        return self.energy_saving >= self.min_energy_saving

    @property
    def latency_ok(self) -> bool:
        return self.latency_increase <= self.max_latency_increase

    @property
    def passed(self) -> bool:
        return self.energy_ok and self.latency_ok


def check_dvfs_target(phases: Sequence[Phase], schedule: ScheduleLike, table: OPPTable, *,
                      min_energy_saving: float = 0.30, max_latency_increase: float = 0.20,
                      static_power_w: float = 0.0, transition_latency_s: float | None = None,
                      transition_energy_j: float = 0.0) -> DVFSCheck:
    """Does ``schedule`` save ≥ ``min_energy_saving`` energy with ≤ ``max_latency_increase`` more latency?

    Both relative to :func:`max_frequency_schedule` under the same model:
    ``saving = 1 − E/E_max``, ``increase = t/t_max − 1`` (exercise 21.3: 30 % and 20 %).
    """
    v.probability("min_energy_saving", min_energy_saving)
    v.nonnegative("max_latency_increase", max_latency_increase)
    kw = dict(static_power_w=static_power_w, transition_latency_s=transition_latency_s,
              transition_energy_j=transition_energy_j)
    base = simulate_schedule(phases, max_frequency_schedule(phases, table), table, **kw)
    cand = simulate_schedule(phases, schedule, table, **kw)
    return DVFSCheck(base, cand, 1.0 - cand.energy_j / base.energy_j, cand.latency_s / base.latency_s - 1.0,
                     float(min_energy_saving), float(max_latency_increase))
