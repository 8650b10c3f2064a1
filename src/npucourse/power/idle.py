"""Idle states (C-states), race-to-idle and periodic ("intermittent") workloads (§21.3.4).

An idle state has entry and exit latencies, a residency power, an entry+exit energy and a
break-even residency (Linux ``min-residency-us``: the idle time, transitions included, above
which the state saves energy against the shallowest state). Formulas ``cstate_break_even``,
``cstate_idle_energy`` and ``cstate_implied_transition_energy`` (registry, derived by sympy).

Device trees publish latencies and break-even residencies but not the residency powers. The
RK3399 presets take the powers from the legacy EAS table ``rk3399-sched-energy.dtsi``
(``idle-cost-data``; an assumption, see :data:`RK3399_IDLE_POWER_SOURCE`) and derive each state's
transition energy from its published break-even, so that the model's break-even equals the
device tree's ``min-residency-us`` exactly.

Selection follows the Linux cpuidle governors: the deepest state whose break-even residency
fits in the (predicted) idle interval and whose exit latency meets the latency limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validate as v
from ..formulas._gen.power_idle import cstate_break_even, cstate_idle_energy, cstate_implied_transition_energy
from ._presets import Presets
from .dvfs import Phase, sweep
from .opp import OPPTable

__all__ = ["CState", "IdleStates", "get", "names", "register", "PeriodicEnergy", "periodic_energy",
           "RaceResult", "race_to_idle"]


@dataclass(frozen=True)
class CState:
    """One idle state.

    Attributes
    ----------
    name : str
    entry_s, exit_s : float
        Entry and exit latencies [s] (device tree ``entry-latency-us``, ``exit-latency-us``).
    power_w : float
        Power while resident [W].
    min_residency_s : float, optional
        Published break-even residency [s] (``min-residency-us``), transitions included.
    transition_energy_j : float, optional
        Entry + exit energy [J]; if ``None`` it is implied by ``min_residency_s``.
    source : str
    """

    name: str
    entry_s: float
    exit_s: float
    power_w: float
    min_residency_s: float | None = None
    transition_energy_j: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        for fld in ("entry_s", "exit_s", "power_w"):
            v.nonnegative(f"CState({self.name}).{fld}", getattr(self, fld))
        if self.min_residency_s is not None:
            v.nonnegative(f"CState({self.name}).min_residency_s", self.min_residency_s)
            if self.min_residency_s < self.entry_s + self.exit_s:
                raise ValueError(
                    f"CState({self.name}).min_residency_s must be >= entry_s + exit_s "
                    f"({self.entry_s + self.exit_s!r}), got {self.min_residency_s!r}")
        if self.transition_energy_j is not None:
            v.nonnegative(f"CState({self.name}).transition_energy_j", self.transition_energy_j)

    @property
    def transition_s(self) -> float:
        """Entry + exit latency [s]."""
        return self.entry_s + self.exit_s


@dataclass(frozen=True)
class IdleStates:
    """The idle states of a core, shallowest first; ``states[0]`` is the reference (e.g. WFI).

    The reference state has no transition cost. Deeper states must not draw more power.
    """

    name: str
    states: tuple[CState, ...]
    source: str

    def __post_init__(self) -> None:
        sts = tuple(self.states)
        if not sts:
            raise ValueError(f"IdleStates {self.name!r}: states must list at least one state, got none")
        if sts[0].transition_s != 0 or (sts[0].transition_energy_j or 0) != 0:
            raise ValueError(f"IdleStates {self.name!r}: the first (reference) state must have no transition cost, "
                             f"got {sts[0]!r}")
        p = [s.power_w for s in sts]
        if any(b > a for a, b in zip(p, p[1:])):
            raise ValueError(f"IdleStates {self.name!r}: power must not increase with depth, got {p}")
        for s in sts[1:]:
            if s.transition_energy_j is None and s.min_residency_s is None:
                raise ValueError(f"IdleStates {self.name!r}: state {s.name!r} needs transition_energy_j "
                                 "or min_residency_s")
        object.__setattr__(self, "states", sts)

    def __len__(self) -> int:
        return len(self.states)

    @property
    def reference_power_w(self) -> float:
        """Power of the shallowest state [W]."""
        return self.states[0].power_w

    def index(self, name: str) -> int:
        """Index of state ``name``; KeyError listing the states."""
        for i, s in enumerate(self.states):
            if s.name == name:
                return i
        raise KeyError(f"{self.name} has no idle state {name!r}; states: {', '.join(s.name for s in self.states)}")

    def transition_energy_j(self, i: int) -> float:
        """Entry + exit energy of state ``i`` [J]; implied by its break-even when not given.

        ``cstate_implied_transition_energy``: E_tr = P_0·t_be − P_c·(t_be − t_tr).
        """
        s = self.states[i]
        if s.transition_energy_j is not None:
            return float(s.transition_energy_j)
        return float(cstate_implied_transition_energy(P_0=self.reference_power_w, P_c=s.power_w,
                                                      t_be=s.min_residency_s, t_tr=s.transition_s))

    def break_even_s(self, i: int) -> float:
        """Break-even residency of state ``i`` against the reference state [s] (``cstate_break_even``).

        0 for the reference state. A state that draws as much as the reference never pays off
        (``inf``).
        """
        if i == 0:
            return 0.0
        s = self.states[i]
        if s.power_w >= self.reference_power_w:
            return float("inf")
        return float(cstate_break_even(P_0=self.reference_power_w, P_c=s.power_w,
                                       E_tr=self.transition_energy_j(i), t_tr=s.transition_s))

    def idle_energy_j(self, i: int, interval_s: Any) -> Any:
        """Energy of an idle interval spent in state ``i`` [J] (``cstate_idle_energy``); vectorised.

        ValueError if the interval is shorter than the state's entry + exit latency.
        """
        v.nonnegative("interval_s", interval_s)
        s = self.states[i]
        t = np.asarray(interval_s, dtype=float)
        if np.any(t < s.transition_s):
            raise ValueError(f"interval_s must be >= the entry+exit latency of {s.name} ({s.transition_s!r} s), "
                             f"got {interval_s!r}")
        e_tr = 0.0 if i == 0 else self.transition_energy_j(i)
        out = cstate_idle_energy(E_tr=e_tr, P_c=s.power_w, t_i=t, t_tr=s.transition_s)
        return float(out) if np.ndim(out) == 0 else out

    def choose(self, interval_s: float, latency_limit_s: float | None = None) -> int:
        """Deepest state whose break-even ≤ ``interval_s`` and exit latency ≤ ``latency_limit_s``.

        The rule of the Linux cpuidle governors (menu/teo) with a known idle interval.
        """
        v.nonnegative("interval_s", interval_s)
        if latency_limit_s is not None:
            v.nonnegative("latency_limit_s", latency_limit_s)
        best = 0
        for i, s in enumerate(self.states):
            if self.break_even_s(i) <= interval_s and s.transition_s <= interval_s and (
                    latency_limit_s is None or s.exit_s <= latency_limit_s):
                best = i
        return best

    def best(self, interval_s: float, latency_limit_s: float | None = None) -> int:
        """The state with the least energy for ``interval_s`` (exhaustive; ties to the shallower)."""
        v.nonnegative("interval_s", interval_s)
        energies = []
        for i, s in enumerate(self.states):
            ok = s.transition_s <= interval_s and (latency_limit_s is None or s.exit_s <= latency_limit_s)
            energies.append(self.idle_energy_j(i, interval_s) if ok else np.inf)
        return int(np.argmin(energies))


_PRESETS: Presets[IdleStates] = Presets("idle-state preset")
register = _PRESETS.register
get = _PRESETS.get
names = _PRESETS.names


RK3399_IDLE_LATENCY_SOURCE = (
    "Linux arch/arm64/boot/dts/rockchip/rk3399.dtsi idle-states: CPU_SLEEP entry 120 us, exit 250 us, "
    "min-residency 900 us; CLUSTER_SLEEP entry 400 us, exit 500 us, min-residency 2000 us")
RK3399_IDLE_POWER_SOURCE = (
    "assumption: residency powers from the legacy EAS table rk3399-sched-energy.dtsi (idle-cost-data, "
    "read as mW): A72 core 24 in WFI and 0 when off, A72 cluster 10 (WFI), 9 (CPU_SLEEP), 0 (CLUSTER_SLEEP); "
    "A53 core 4/0, cluster 7/6/0. Power of one core plus its cluster; transition energies implied by "
    "the published min-residency")


def _rk3399(name: str, core_wfi_mw: float, cl_wfi_mw: float, cl_cpu_sleep_mw: float) -> IdleStates:
    return IdleStates(
        name=name,
        states=(
            CState("WFI", 0.0, 0.0, (core_wfi_mw + cl_wfi_mw) * 1e-3, 0.0, 0.0,
                   "assumption: WFI (clock-gated) entry/exit negligible"),
            CState("CPU_SLEEP", 120e-6, 250e-6, cl_cpu_sleep_mw * 1e-3, 900e-6, None, RK3399_IDLE_LATENCY_SOURCE),
            CState("CLUSTER_SLEEP", 400e-6, 500e-6, 0.0, 2000e-6, None, RK3399_IDLE_LATENCY_SOURCE),
        ),
        source=f"{RK3399_IDLE_LATENCY_SOURCE}; {RK3399_IDLE_POWER_SOURCE}",
    )


register(_rk3399("rk3399-a72", 24.0, 10.0, 9.0))
register(_rk3399("rk3399-a53", 4.0, 7.0, 6.0))


# --- periodic workloads ------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodicEnergy:
    """Energy of one period: a busy burst, then idle in ``state``."""

    energy_j: float
    busy_energy_j: float
    idle_energy_j: float
    state: str
    average_power_w: float


def periodic_energy(period_s: float, busy_s: float, busy_energy_j: float, idle: IdleStates, *,
                    latency_limit_s: float | None = None, selection: str = "governor") -> PeriodicEnergy:
    """Energy per period of a workload that is busy ``busy_s`` (using ``busy_energy_j``) every ``period_s``.

    The idle gap ``period_s − busy_s`` is spent in the state chosen by ``selection``:
    ``"governor"`` (:meth:`IdleStates.choose`) or ``"oracle"`` (:meth:`IdleStates.best`).
    """
    v.positive("period_s", period_s)
    v.nonnegative("busy_s", busy_s)
    v.nonnegative("busy_energy_j", busy_energy_j)
    v.choice("selection", selection, ("governor", "oracle"))
    if busy_s > period_s:
        raise ValueError(f"busy_s must be <= period_s ({period_s!r}), got {busy_s!r}")
    gap = float(period_s) - float(busy_s)
    i = idle.choose(gap, latency_limit_s) if selection == "governor" else idle.best(gap, latency_limit_s)
    e_idle = float(idle.idle_energy_j(i, gap))
    e_busy = float(busy_energy_j)
    return PeriodicEnergy(e_busy + e_idle, e_busy, e_idle, idle.states[i].name, (e_busy + e_idle) / float(period_s))


@dataclass(frozen=True)
class RaceResult:
    """Energy per period of a phase at every OPP, idle gaps in the chosen C-state.

    ``race`` is the highest frequency, ``steady`` the slowest OPP that meets the period,
    ``best`` the least-energy OPP; energies are ``inf`` where an OPP misses the period.
    """

    freq_hz: np.ndarray
    energy_j: np.ndarray
    states: tuple[str, ...]
    race: int
    steady: int
    best: int


def race_to_idle(phase: Phase, table: OPPTable, period_s: float, idle: IdleStates, *,
                 static_power_w: float = 0.0, latency_limit_s: float | None = None,
                 selection: str = "governor") -> RaceResult:
    """Race-to-idle versus slow-and-steady: energy per period of ``phase`` at each OPP.

    Busy energy from :func:`npucourse.power.dvfs.sweep`; the remaining gap idles in the state
    picked by ``selection`` (see :func:`periodic_energy`).

    Raises
    ------
    ValueError
        If no OPP finishes the phase within the period.
    """
    s = sweep(phase, table, static_power_w=static_power_w, latency_bound_s=period_s)
    if not np.any(s.feasible):
        raise ValueError(f"period_s: no OPP of {table.name} finishes {phase.name!r} within {period_s!r} s; "
                         f"the fastest takes {float(s.time_s.min())!r} s")
    energy = np.full(len(table), np.inf)
    states: list[str] = []
    for i in range(len(table)):
        if not s.feasible[i]:
            states.append("")
            continue
        pe = periodic_energy(period_s, min(float(s.time_s[i]), float(period_s)), float(s.busy_energy_j[i]), idle,
                             latency_limit_s=latency_limit_s, selection=selection)
        energy[i] = pe.energy_j
        states.append(pe.state)
    feasible = np.nonzero(s.feasible)[0]
    return RaceResult(table.freqs_hz, energy, tuple(states), len(table) - 1, int(feasible[0]),
                      int(np.argmin(energy)))
