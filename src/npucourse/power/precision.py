"""Energy per operation by precision, and the energy of a cost record (§21.3.3).

Measured values: Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC
2014, 45 nm at 0.9 V, in pJ — int8 add 0.03, int32 add 0.1, int8 mult 0.2, int32 mult 3.1,
fp16 add 0.4, fp32 add 0.9, fp16 mult 1.1, fp32 mult 3.7; 8 KB SRAM 64-bit read ≈ 10;
DRAM 64-bit access 1300–2600.

Widths the table lacks (int4, int16, bf16, fp8) are **interpolated** and flagged
``interpolated=True``. Rule: a power law E ∝ w^p through the two table entries of the same
operation and family (``precision_powerlaw_exponent``, ``precision_powerlaw_log_energy``), with
w the integer width for integers and the significand width (hidden bit included) for floats —
fp32 24, fp16 11, bf16 8, fp8 E4M3 4, E5M2 3 bits — since the significand datapath dominates a
floating-point multiplier and adder. The fitted exponents: integer multiply p = 1.98 (≈ bits²,
an array multiplier), integer add 0.87 (≈ bits), float multiply 1.56, float add 1.04. Outside the
table's range (int4, fp8, bf16) the rule extrapolates: treat those numbers as estimates.

A MAC is one multiply plus one add in the accumulator's type (``precision_mac_energy``); by
default the accumulator is int32 for integer inputs and fp32 for floating-point inputs (as in
NPU MAC arrays and tensor cores — an assumption, change it with ``acc_dtype``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.power_precision import (
    precision_access_energy,
    precision_compute_energy,
    precision_energy_per_byte,
    precision_mac_energy,
    precision_powerlaw_exponent,
    precision_powerlaw_log_energy,
)
from ..units import PICO, dtype as _dtype

__all__ = ["HOROWITZ_SOURCE", "HOROWITZ_PJ", "SRAM_8KB_64BIT_PJ", "DRAM_64BIT_PJ", "OpEnergy", "op_energy",
           "mac_energy", "energy_per_byte", "EnergyBreakdown", "cost_energy", "relative_energy", "DTYPES"]

HOROWITZ_SOURCE = ("Horowitz, Computing's energy problem (and what we can do about it), ISSCC 2014, "
                   "45 nm, 0.9 V")

#: The published table [pJ per operation], keyed by (dtype, op).
HOROWITZ_PJ: Mapping[tuple[str, str], float] = {
    ("int8", "add"): 0.03, ("int32", "add"): 0.1, ("int8", "mult"): 0.2, ("int32", "mult"): 3.1,
    ("fp16", "add"): 0.4, ("fp32", "add"): 0.9, ("fp16", "mult"): 1.1, ("fp32", "mult"): 3.7,
}
#: 8 KB SRAM, one 64-bit read [pJ].
SRAM_8KB_64BIT_PJ = 10.0
#: DRAM, one 64-bit access [pJ]: (low, high) of the published range.
DRAM_64BIT_PJ = (1300.0, 2600.0)

# Datapath width the interpolation runs on: integer width, or significand bits (hidden bit included).
_WIDTH = {"int4": 4, "int8": 8, "int16": 16, "int32": 32,
          "fp8_e5m2": 3, "fp8_e4m3": 4, "bf16": 8, "fp16": 11, "fp32": 24}
_ANCHORS = {"int": ("int8", "int32"), "float": ("fp16", "fp32")}
DTYPES = tuple(_WIDTH)
OPS = ("add", "mult")


@dataclass(frozen=True)
class OpEnergy:
    """Energy of one operation.

    Attributes
    ----------
    op : str
        ``"add"``, ``"mult"`` or ``"mac"``.
    dtype : str
        Input type (for a MAC: ``"<in>+acc<acc>"`` is spelled out in ``rule``).
    energy_j : float
        [J] per operation.
    interpolated : bool
        True if any part is not in the published table.
    rule : str
        How the value was obtained.
    exponent : float, optional
        Fitted power-law exponent p of an interpolated value (``None`` for table values and MACs).
    source : str
    """

    op: str
    dtype: str
    energy_j: float
    interpolated: bool
    rule: str
    exponent: float | None = None
    source: str = HOROWITZ_SOURCE

    @property
    def energy_pj(self) -> float:
        """[pJ] per operation."""
        return self.energy_j / PICO


def _canon(dtype: str) -> str:
    name = _dtype(dtype).name  # KeyError for unknown names
    if name not in _WIDTH:
        raise KeyError(f"no energy model for dtype {dtype!r}; modelled: {', '.join(DTYPES)}")
    return name


def op_energy(dtype: str, op: str) -> OpEnergy:
    """Energy of one ``op`` (``"add"`` or ``"mult"``) in ``dtype``: table value or interpolation.

    Raises
    ------
    KeyError
        For a dtype without an energy model (the message lists the modelled ones).
    ValueError
        For an unknown ``op``.
    """
    v.choice("op", op, OPS)
    name = _canon(dtype)
    if (name, op) in HOROWITZ_PJ:
        return OpEnergy(op, name, HOROWITZ_PJ[(name, op)] * PICO, False, "published table value")
    family = _dtype(name).family
    a, b = _ANCHORS[family]
    ea, eb = HOROWITZ_PJ[(a, op)] * PICO, HOROWITZ_PJ[(b, op)] * PICO
    wa, wb, w = _WIDTH[a], _WIDTH[b], _WIDTH[name]
    p = float(precision_powerlaw_exponent(E_a=ea, E_b=eb, b_a=wa, b_b=wb))
    e = float(np.exp(precision_powerlaw_log_energy(E_a=ea, E_b=eb, b_a=wa, b_b=wb, b=w)))
    kind = "interpolated" if min(wa, wb) <= w <= max(wa, wb) else "extrapolated"
    width = "width" if family == "int" else "significand width"
    rule = (f"{kind}: power law E ∝ {width}^{p:.3f} through {a} ({wa} bit) and {b} ({wb} bit) {op}; "
            f"{name} has {w} bit")
    return OpEnergy(op, name, e, True, rule, p)


def _default_acc(dtype: str) -> str:
    return "int32" if _dtype(dtype).family == "int" else "fp32"


def mac_energy(dtype: str, acc_dtype: str | None = None) -> OpEnergy:
    """Energy of one multiply-accumulate: a ``dtype`` multiply plus an ``acc_dtype`` add.

    ``acc_dtype`` defaults to int32 for integer inputs and fp32 for floating point (assumption).
    """
    acc = _default_acc(dtype) if acc_dtype is None else acc_dtype
    m, a = op_energy(dtype, "mult"), op_energy(acc, "add")
    e = float(precision_mac_energy(E_mul=m.energy_j, E_add=a.energy_j))
    rule = f"{m.dtype} mult ({m.rule}) + {a.dtype} add ({a.rule})"
    return OpEnergy("mac", m.dtype, e, m.interpolated or a.interpolated, rule)


def energy_per_byte(level: str = DRAM, *, dram: str = "low") -> float:
    """Access energy per byte [J/B] from the 64-bit access energies (``precision_energy_per_byte``).

    ``level``: ``"dram"`` (``dram="low"`` 1300 pJ or ``"high"`` 2600 pJ per 64 bit) or ``"sram"``
    (8 KB array, 10 pJ per 64 bit; larger SRAMs cost more per access).
    """
    v.choice("level", level, (DRAM, "sram"))
    v.choice("dram", dram, ("low", "high"))
    e64 = SRAM_8KB_64BIT_PJ if level == "sram" else DRAM_64BIT_PJ[0 if dram == "low" else 1]
    return float(precision_energy_per_byte(E_w=e64 * PICO, w=64))


@dataclass(frozen=True)
class EnergyBreakdown:
    """Energy of a cost record: MACs, other operations, and bytes per memory level [J]."""

    mac_j: float
    other_ops_j: float
    access_j: Mapping[str, float]
    interpolated: bool

    @property
    def compute_j(self) -> float:
        return self.mac_j + self.other_ops_j

    @property
    def total_j(self) -> float:
        return self.compute_j + sum(self.access_j.values())


def cost_energy(cost: Cost, dtype: str | None = None, *, acc_dtype: str | None = None,
                energy_per_byte_j: Mapping[str, float] | None = None, dram: str = "low") -> EnergyBreakdown:
    """Energy of a :class:`~npucourse.cost.Cost`: MACs × E_mac + other ops × E_add + Σ bytes × e_level.

    ``precision_compute_energy`` and ``precision_access_energy``. Operations other than MACs
    (``flops − 2·macs``) are charged one ``dtype`` add each (assumption). Per-byte energies
    default to :func:`energy_per_byte` for ``"dram"`` and ``"sram"``; any other level with traffic
    needs an entry in ``energy_per_byte_j`` (ValueError otherwise).
    """
    if not isinstance(cost, Cost):
        raise ValueError(f"cost must be a npucourse Cost record, got {type(cost).__name__}")
    dt = dtype or cost.dtype
    if dt is None:
        raise ValueError(f"cost {cost.name!r} has mixed or no dtype; pass dtype= explicitly")
    per_byte = {DRAM: energy_per_byte(DRAM, dram=dram), "sram": energy_per_byte("sram")}
    for lv, e in (energy_per_byte_j or {}).items():
        v.nonnegative(f"energy_per_byte_j[{lv!r}]", e)
        per_byte[lv] = float(e)
    mac = mac_energy(dt, acc_dtype)
    add = op_energy(dt, "add")
    macs = float(np.sum(cost.macs))
    other = max(float(np.sum(cost.flops)) - 2.0 * macs, 0.0)
    access: dict[str, float] = {}
    for lv in cost.levels:
        if lv not in per_byte:
            raise ValueError(f"no per-byte energy for memory level {lv!r}; give energy_per_byte_j[{lv!r}] "
                             f"(known: {', '.join(per_byte)})")
        access[lv] = float(precision_access_energy(Q=float(np.sum(cost.bytes_at(lv))), e_B=per_byte[lv]))
    return EnergyBreakdown(float(precision_compute_energy(M=macs, E_mac=mac.energy_j)),
                           float(precision_compute_energy(M=other, E_mac=add.energy_j)), access,
                           mac.interpolated or add.interpolated)


def relative_energy(dtypes: tuple[str, ...] = ("int8", "int16", "fp16", "fp32"), op: str = "mult",
                    reference: str = "int8") -> dict[str, float]:
    """Energy of ``op`` per dtype relative to ``reference`` (the draft's table is ``op="mult"`` vs int8)."""
    ref = op_energy(reference, op).energy_j
    return {d: op_energy(d, op).energy_j / ref for d in dtypes}
