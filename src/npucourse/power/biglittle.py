"""big.LITTLE: a task on a LITTLE versus a big core, and when migrating pays off (§21.3.2).

A core type is an OPP table (frequencies, voltages, capacitance — :mod:`npucourse.power.opp`)
plus a relative IPC. A task of W instructions needs ``W/IPC`` cycles (``bl_cycles``) and
optionally some frequency-independent memory time; its time and energy at an OPP then come
from the DVFS model (:func:`npucourse.power.dvfs.sweep`).

IPC: the RK3399 presets use the device tree's ``capacity-dmips-mhz`` (A53 485, A72 1024, i.e.
DMIPS per MHz normalised to the big core) as the per-clock performance ratio — an assumption:
Dhrystone is not a neural-network kernel; pass ``ipc=`` to change it.

Migration: a fixed time and energy (pause, state transfer, cache warm-up: parameters). The
break-even remaining work for time is ``t_mig·r_1·r_2/(r_2 − r_1)``, for energy
``E_mig/(e_1 − e_2)`` (registry, derived by sympy), with r = IPC·f the instruction rate and
e the energy per instruction at the chosen OPPs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import _validate as v
from ..formulas._gen.power_biglittle import (
    bl_cycles,
    bl_instruction_rate,
    bl_migration_break_even_energy,
    bl_migration_break_even_time,
    bl_migration_time_saved,
)
from .dvfs import OVERLAPS, Phase, Sweep, sweep
from .opp import OPPTable, get as _opp_table

__all__ = ["CoreType", "core", "cores", "task_phase", "task_sweep", "CoreChoice", "best_core",
           "MigrationBreakEven", "migration_break_even", "migration_time_saved"]


@dataclass(frozen=True)
class CoreType:
    """A core type: its OPP table, relative IPC and static power while busy."""

    name: str
    table: OPPTable
    ipc: float
    source: str
    static_power_w: float = 0.0

    def __post_init__(self) -> None:
        v.positive(f"CoreType({self.name}).ipc", self.ipc)
        v.nonnegative(f"CoreType({self.name}).static_power_w", self.static_power_w)


_DMIPS = "Linux arch/arm64/boot/dts/rockchip/rk3399.dtsi capacity-dmips-mhz: A53 485, A72 1024"
_CORES = {
    "rk3399-a53": CoreType("rk3399-a53", _opp_table("rk3399-a53"), 485 / 1024,
                           f"{_DMIPS}; assumption: the Dhrystone per-MHz ratio holds for the task"),
    "rk3399-a72": CoreType("rk3399-a72", _opp_table("rk3399-a72"), 1024 / 1024,
                           f"{_DMIPS}; reference core (IPC 1)"),
}


def core(name: str, *, ipc: float | None = None, static_power_w: float | None = None) -> CoreType:
    """Core-type preset ``name`` (KeyError listing them), optionally with another IPC or static power."""
    try:
        c = _CORES[name]
    except KeyError:
        raise KeyError(f"unknown core type {name!r}; presets: {', '.join(sorted(_CORES))}") from None
    if ipc is not None:
        c = replace(c, ipc=ipc, source=f"assumption: IPC {ipc!r} given by the caller; table {c.table.source}")
    if static_power_w is not None:
        c = replace(c, static_power_w=static_power_w)
    return c


def cores() -> tuple[str, ...]:
    """Names of the core-type presets."""
    return tuple(sorted(_CORES))


def task_phase(instructions: float, core_type: CoreType, *, mem_time_s: float = 0.0, overlap: str = "sum",
               activity: float = 1.0, name: str = "task") -> Phase:
    """The DVFS phase of ``instructions`` on ``core_type``: ``cycles = W/IPC`` (``bl_cycles``)."""
    v.positive("instructions", instructions)
    v.choice("overlap", overlap, OVERLAPS)
    return Phase(name, float(bl_cycles(W=float(instructions), IPC=core_type.ipc)), mem_time_s, overlap, activity)


def task_sweep(instructions: float, core_type: CoreType, *, mem_time_s: float = 0.0, overlap: str = "sum",
               activity: float = 1.0, deadline_s: float | None = None) -> Sweep:
    """Time, power and energy of the task at every OPP of the core (:func:`npucourse.power.dvfs.sweep`)."""
    ph = task_phase(instructions, core_type, mem_time_s=mem_time_s, overlap=overlap, activity=activity)
    return sweep(ph, core_type.table, static_power_w=core_type.static_power_w, latency_bound_s=deadline_s)


@dataclass(frozen=True)
class CoreChoice:
    """The least-energy (core, OPP) for a task under a deadline; per-core optima in ``per_core``."""

    core: str
    freq_hz: float
    energy_j: float
    time_s: float
    per_core: dict[str, tuple[float, float, float]]  # name -> (freq_hz, energy_j, time_s), inf if infeasible


def best_core(instructions: float, core_types: tuple[CoreType, ...], *, deadline_s: float | None = None,
              mem_time_s: float = 0.0, overlap: str = "sum", activity: float = 1.0) -> CoreChoice:
    """Exhaustive search over core types and their OPPs for the least energy meeting ``deadline_s``.

    Raises
    ------
    ValueError
        If no core type meets the deadline at any OPP.
    """
    if not core_types:
        raise ValueError("core_types must list at least one CoreType, got none")
    per: dict[str, tuple[float, float, float]] = {}
    for ct in core_types:
        s = task_sweep(instructions, ct, mem_time_s=mem_time_s, overlap=overlap, activity=activity,
                       deadline_s=deadline_s)
        if np.any(s.feasible):
            e = np.where(s.feasible, s.energy_j, np.inf)
            i = int(np.argmin(e))
            per[ct.name] = (float(s.freq_hz[i]), float(s.energy_j[i]), float(s.time_s[i]))
        else:
            per[ct.name] = (float("nan"), float("inf"), float(s.time_s.min()))
    name = min(per, key=lambda k: per[k][1])
    if not np.isfinite(per[name][1]):
        fastest = min(t for _, _, t in per.values())
        raise ValueError(f"deadline_s: no core meets {deadline_s!r} s; the fastest takes {fastest!r} s")
    f, e, t = per[name]
    return CoreChoice(name, f, e, t, per)


@dataclass(frozen=True)
class MigrationBreakEven:
    """Remaining instructions above which a migration pays off (``inf`` where it never does).

    ``rate_from``/``rate_to`` [instr/s], ``energy_from``/``energy_to`` [J/instr] at the chosen OPPs.
    """

    instructions_for_time: float
    instructions_for_energy: float
    rate_from: float
    rate_to: float
    energy_from: float
    energy_to: float


def _rate_and_epi(ct: CoreType, freq_hz: float) -> tuple[float, float]:
    i = ct.table.index(freq_hz)
    rate = float(bl_instruction_rate(IPC=ct.ipc, f=float(freq_hz)))
    epi = float(task_sweep(1.0, ct).busy_energy_j[i])  # energy of one instruction
    return rate, epi


def migration_break_even(src: CoreType, src_freq_hz: float, dst: CoreType, dst_freq_hz: float, *,
                         migration_time_s: float, migration_energy_j: float) -> MigrationBreakEven:
    """Break-even remaining work for migrating a compute-bound task from ``src`` to ``dst``.

    ``bl_migration_break_even_time`` applies when ``dst`` is faster (else ``inf``);
    ``bl_migration_break_even_energy`` when ``dst`` uses less energy per instruction (else ``inf``).
    Frequencies must be OPPs of the cores' tables.
    """
    v.nonnegative("migration_time_s", migration_time_s)
    v.nonnegative("migration_energy_j", migration_energy_j)
    r1, e1 = _rate_and_epi(src, src_freq_hz)
    r2, e2 = _rate_and_epi(dst, dst_freq_hz)
    w_t = float(bl_migration_break_even_time(r_1=r1, r_2=r2, t_mig=float(migration_time_s))) if r2 > r1 else np.inf
    w_e = float(bl_migration_break_even_energy(e_1=e1, e_2=e2, E_mig=float(migration_energy_j))) if e1 > e2 else np.inf
    return MigrationBreakEven(w_t, w_e, r1, r2, e1, e2)


def migration_time_saved(remaining_time_s: float, rate_from: float, rate_to: float) -> float:
    """Time saved by finishing the remaining work on the target core [s] (``bl_migration_time_saved``).

    ``T_rem·(1 − r_1/r_2)`` — a time, comparable with the migration cost (negative if the target is slower).
    """
    v.nonnegative("remaining_time_s", remaining_time_s)
    v.positive("rate_from", rate_from)
    v.positive("rate_to", rate_to)
    return float(bl_migration_time_saved(T_rem=float(remaining_time_s), r_1=float(rate_from), r_2=float(rate_to)))
