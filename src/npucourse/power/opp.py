"""Operating performance points (OPPs): frequency–voltage pairs and a core's switched capacitance.

A Linux device tree describes a CPU cluster's DVFS levels as an OPP table (``opp-hz``,
``opp-microvolt``) and its dynamic power with ``dynamic-power-coefficient`` C in µW/MHz/V², from
which the energy model computes ``P = C·V²·f`` (Documentation/devicetree/bindings/arm/cpus.yaml).
The coefficient is the *effective* switched capacitance, activity included. In SI units:

    1 µW/(MHz·V²) = 1e-6 W / (1e6 Hz · V²) = 1e-12 W·s/V² = 1e-12 F (1 pF),

derived with sympy.physics.units in the registry formula ``dvfs_dt_capacitance_si``. The
RK3399's Cortex-A72 coefficient 436 is therefore 436 pF: at 1.8 GHz and 1.20 V,
P = 436e-12 · 1.20² · 1.8e9 = 1.130 W per core.

Presets (exact device-tree values): ``rk3399-a53`` and ``rk3399-a72``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from .. import _validate as v
from ..formulas._gen.power_dvfs import dvfs_dt_capacitance_si, dvfs_dynamic_power
from ._presets import Presets

__all__ = ["OPP", "OPPTable", "get", "names", "register", "dt_capacitance_to_farad"]


def dt_capacitance_to_farad(coefficient: Any) -> Any:
    """Device-tree ``dynamic-power-coefficient`` [µW/MHz/V²] in farads (× 1e-12).

    Formula ``dvfs_dt_capacitance_si`` (unit conversion derived by sympy.physics.units).
    """
    v.positive("coefficient", coefficient)
    return dvfs_dt_capacitance_si(c_dt=coefficient)


@dataclass(frozen=True)
class OPP:
    """One operating point: clock frequency [Hz] and supply voltage [V]."""

    freq_hz: float
    volt_v: float

    def __post_init__(self) -> None:
        v.positive("OPP.freq_hz", self.freq_hz)
        v.positive("OPP.volt_v", self.volt_v)
        object.__setattr__(self, "freq_hz", float(self.freq_hz))
        object.__setattr__(self, "volt_v", float(self.volt_v))


@dataclass(frozen=True)
class OPPTable:
    """The DVFS levels of one CPU cluster (or accelerator) and its dynamic-power coefficient.

    Attributes
    ----------
    name : str
        Preset name (``"rk3399-a72"``).
    opps : tuple of OPP
        Operating points in strictly increasing frequency; voltage must not decrease.
    capacitance : float
        ``dynamic-power-coefficient`` as in Linux device trees [µW/MHz/V²] (α included).
    source : str
        Where the numbers come from.
    transition_latency_s : float
        Time to switch between OPPs [s] (device-tree ``clock-latency-ns``); 0 if unknown.
    cores : int
        Cores in the cluster (the coefficient is per core).
    """

    name: str
    opps: tuple[OPP, ...]
    capacitance: float
    source: str
    transition_latency_s: float = 0.0
    cores: int = 1

    def __post_init__(self) -> None:
        opps = tuple(self.opps)
        if not opps:
            raise ValueError(f"OPPTable {self.name!r}: opps must list at least one operating point, got none")
        for o in opps:
            if not isinstance(o, OPP):
                raise ValueError(f"OPPTable {self.name!r}: opps must be OPP records, got {o!r}")
        f = np.array([o.freq_hz for o in opps])
        volt = np.array([o.volt_v for o in opps])
        if np.any(np.diff(f) <= 0):
            raise ValueError(
                f"OPPTable {self.name!r}: opps must be sorted by strictly increasing frequency, "
                f"got {[o.freq_hz for o in opps]}")
        if np.any(np.diff(volt) < 0):
            raise ValueError(
                f"OPPTable {self.name!r}: voltage must not decrease with frequency, got {list(volt)}")
        v.positive(f"OPPTable({self.name}).capacitance", self.capacitance)
        v.nonnegative(f"OPPTable({self.name}).transition_latency_s", self.transition_latency_s)
        v.positive_int(f"OPPTable({self.name}).cores", self.cores)
        object.__setattr__(self, "opps", opps)

    # -- arrays --------------------------------------------------------------------------------
    @property
    def freqs_hz(self) -> np.ndarray:
        """Frequencies [Hz], increasing."""
        return np.array([o.freq_hz for o in self.opps])

    @property
    def volts_v(self) -> np.ndarray:
        """Voltages [V], in the order of :attr:`freqs_hz`."""
        return np.array([o.volt_v for o in self.opps])

    @property
    def capacitance_f(self) -> float:
        """Effective switched capacitance per core in farads (coefficient × 1e-12)."""
        return float(dt_capacitance_to_farad(self.capacitance))

    @property
    def f_max(self) -> float:
        """Highest frequency [Hz]."""
        return self.opps[-1].freq_hz

    @property
    def f_min(self) -> float:
        """Lowest frequency [Hz]."""
        return self.opps[0].freq_hz

    def __len__(self) -> int:
        return len(self.opps)

    # -- power ---------------------------------------------------------------------------------
    def dynamic_power(self, activity: Any = 1.0, cores: int = 1) -> np.ndarray:
        """Dynamic power at every OPP [W]: ``α·C·V²·f`` per core times ``cores``.

        Formula ``dvfs_dynamic_power``. ``activity`` α in [0, 1] scales the device-tree
        coefficient, which already describes a typical busy core (α = 1).
        """
        v.probability("activity", activity)
        v.positive_int("cores", cores)
        return cores * dvfs_dynamic_power(alpha=np.asarray(activity, dtype=float), C=self.capacitance_f,
                                          V=self.volts_v, f=self.freqs_hz)

    # -- lookup --------------------------------------------------------------------------------
    def index(self, freq_hz: float, rel_tol: float = 1e-9) -> int:
        """Index of the OPP at ``freq_hz``; ValueError listing the table's frequencies."""
        f = self.freqs_hz
        hit = np.nonzero(np.isclose(f, float(freq_hz), rtol=rel_tol, atol=0.0))[0]
        if hit.size != 1:
            raise ValueError(
                f"freq_hz must be one of the OPPs of {self.name} ({', '.join(f'{x / 1e6:g} MHz' for x in f)}), "
                f"got {freq_hz!r}")
        return int(hit[0])

    def opp(self, freq_hz: float) -> OPP:
        """The OPP at ``freq_hz`` (ValueError if the table has none there)."""
        return self.opps[self.index(freq_hz)]

    def at_least(self, freq_hz: float) -> OPP:
        """Lowest OPP whose frequency is ≥ ``freq_hz`` (ValueError above the highest)."""
        v.positive("freq_hz", freq_hz)
        f = self.freqs_hz
        i = int(np.searchsorted(f, float(freq_hz) * (1 - 1e-12), side="left"))
        if i >= len(f):
            raise ValueError(f"freq_hz must be <= the highest OPP of {self.name} ({self.f_max:g} Hz), got {freq_hz!r}")
        return self.opps[i]

    def nearest(self, freq_hz: float) -> OPP:
        """The OPP whose frequency is closest to ``freq_hz`` (the lower one on a tie)."""
        v.positive("freq_hz", freq_hz)
        return self.opps[int(np.argmin(np.abs(self.freqs_hz - float(freq_hz))))]


_PRESETS: Presets[OPPTable] = Presets("OPP table")
register = _PRESETS.register
get = _PRESETS.get
names = _PRESETS.names


def _opps(mhz_mv: Iterable[tuple[int, int]]) -> tuple[OPP, ...]:
    return tuple(OPP(mhz * 1e6, mv * 1e-3) for mhz, mv in mhz_mv)


_RK_SRC = ("Linux arch/arm64/boot/dts/rockchip/rk3399-opp.dtsi ({}: opp-hz, opp-microvolt, "
           "clock-latency-ns = 40000) and rk3399.dtsi (dynamic-power-coefficient = <{}>)")

register(OPPTable(
    name="rk3399-a53",
    opps=_opps([(408, 800), (600, 800), (816, 850), (1008, 925), (1200, 1000), (1416, 1125)]),
    capacitance=100.0,
    source=_RK_SRC.format("cluster0_opp, Cortex-A53 x4", 100),
    transition_latency_s=40e-6,
    cores=4,
))

register(OPPTable(
    name="rk3399-a72",
    opps=_opps([(408, 800), (600, 800), (816, 825), (1008, 875), (1200, 950), (1416, 1025), (1608, 1100),
                (1800, 1200)]),
    capacitance=436.0,
    source=_RK_SRC.format("cluster1_opp, Cortex-A72 x2", 436),
    transition_latency_s=40e-6,
    cores=2,
))
