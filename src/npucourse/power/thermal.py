"""Thermal model, throttling, sustained performance, leakage and reliability (§21.3.5).

* Lumped RC model ``C·dT/dt = P − (T − T_amb)/R``. The step response is solved symbolically
  (``thermal_step_response``, sympy ``dsolve``); simulations advance it with the exact
  discretisation (the step response over one step, power held constant), or with explicit /
  implicit Euler steps (``thermal_euler_step``, ``thermal_implicit_euler_step``) for comparison.
* Throttling: trip points with an up and a down threshold (hysteresis) cap the frequency at
  an OPP; :func:`simulate_throttling` runs a utilisation trace through the model and returns
  temperature, frequency, power and throughput over time.
* Sustained performance: the highest OPP whose steady-state temperature stays under a limit.
* Leakage grows with temperature: ``P_leak(T) = P_ref·exp(ln-ratio)`` with
  ``thermal_leakage_log_ratio = 2·ln(T/T_ref) − (V_th/(n·k))·(1/T − 1/T_ref)`` (sub-threshold
  current ∝ T²·exp(−q·V_th/(n·k·T))). With leakage in the loop the temperature has a fixed
  point or runs away (:func:`leakage_fixed_point`).
* Reliability: the JEDEC JEP122 Arrhenius acceleration factor
  ``AF = exp[(E_a/k)(1/T_use − 1/T_stress)]`` (temperatures in kelvin) and MTTF scaling.

Temperatures are in kelvin everywhere; :func:`kelvin` converts from °C.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _validate as v
from ..formulas._gen.power_thermal import (
    reliability_log_af,
    reliability_mttf_use,
    thermal_case_series,
    thermal_euler_step,
    thermal_implicit_euler_step,
    thermal_junction_series,
    thermal_leakage_log_ratio,
    thermal_leakage_log_ratio_draft,
    thermal_leakage_loop_gain,
    thermal_steady_state,
    thermal_step_response,
    thermal_sustainable_power,
    thermal_time_to_limit,
)
from ._presets import Presets
from .opp import OPP, OPPTable

__all__ = [
    "BOLTZMANN_EV_PER_K", "ZERO_CELSIUS_K", "kelvin", "celsius", "ThermalRC", "get", "names", "register",
    "TripPoint", "ThrottlePolicy", "ThrottleTrace", "simulate_throttling", "Leakage", "FixedPoint",
    "leakage_fixed_point", "Sustained", "sustained_opp", "acceleration_factor", "mttf_at_use",
    "series_temperatures", "draft_leakage_ratio", "METHODS",
]

#: Boltzmann constant [eV/K] as JEDEC JEP122 uses it (CODATA 2018: 8.617333262e-5).
BOLTZMANN_EV_PER_K = 8.617e-5
#: 0 °C in kelvin (SI definition).
ZERO_CELSIUS_K = 273.15
METHODS = ("exact", "euler", "implicit")


def _kelvin_positive(name: str, value: Any) -> Any:
    a = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(f"{name} must be a temperature in kelvin > 0 K, got {value!r}")
    return value


def kelvin(celsius_value: Any) -> Any:
    """°C → K (ValueError at or below absolute zero)."""
    a = np.asarray(celsius_value, dtype=float) + ZERO_CELSIUS_K
    _kelvin_positive("temperature", a)
    return float(a) if a.ndim == 0 else a


def celsius(kelvin_value: Any) -> Any:
    """K → °C."""
    _kelvin_positive("temperature", kelvin_value)
    a = np.asarray(kelvin_value, dtype=float) - ZERO_CELSIUS_K
    return float(a) if a.ndim == 0 else a


def _out(x: Any) -> Any:
    a = np.asarray(x, dtype=float)
    return float(a) if a.ndim == 0 else a


# --- RC model ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThermalRC:
    """Lumped thermal model: resistance R [K/W] to ambient, capacitance C [J/K], ambient T_amb [K]."""

    name: str
    r_k_per_w: float
    c_j_per_k: float
    t_amb_k: float
    source: str

    def __post_init__(self) -> None:
        v.positive(f"ThermalRC({self.name}).r_k_per_w", self.r_k_per_w)
        v.positive(f"ThermalRC({self.name}).c_j_per_k", self.c_j_per_k)
        _kelvin_positive(f"ThermalRC({self.name}).t_amb_k", self.t_amb_k)

    @property
    def tau_s(self) -> float:
        """Time constant R·C [s]."""
        return self.r_k_per_w * self.c_j_per_k

    def steady_state_k(self, power_w: Any) -> Any:
        """``T_amb + P·R`` [K] (``thermal_steady_state``); vectorised."""
        v.nonnegative("power_w", power_w)
        return _out(thermal_steady_state(P=np.asarray(power_w, dtype=float), R=self.r_k_per_w, T_amb=self.t_amb_k))

    def step_k(self, power_w: Any, t_s: Any, t0_k: Any | None = None) -> Any:
        """Temperature ``t_s`` after a power step from ``t0_k`` (default ambient) [K]; vectorised.

        ``thermal_step_response`` (sympy ``dsolve``).
        """
        v.nonnegative("power_w", power_w)
        v.nonnegative("t_s", t_s)
        t0 = self.t_amb_k if t0_k is None else _kelvin_positive("t0_k", t0_k)
        return _out(thermal_step_response(P=np.asarray(power_w, dtype=float), R=self.r_k_per_w, C=self.c_j_per_k,
                                          T_amb=self.t_amb_k, T_0=np.asarray(t0, dtype=float),
                                          t=np.asarray(t_s, dtype=float)))

    def sustainable_power_w(self, t_max_k: float) -> float:
        """Largest power whose steady state stays ≤ ``t_max_k``: ``(T_max − T_amb)/R`` (``thermal_sustainable_power``)."""
        _kelvin_positive("t_max_k", t_max_k)
        if t_max_k <= self.t_amb_k:
            raise ValueError(f"t_max_k must be above the ambient {self.t_amb_k!r} K, got {t_max_k!r}")
        return float(thermal_sustainable_power(R=self.r_k_per_w, T_amb=self.t_amb_k, T_max=float(t_max_k)))

    def time_to_limit_s(self, power_w: float, t_max_k: float, t0_k: float | None = None) -> float:
        """Time for a power step to heat from ``t0_k`` to ``t_max_k`` [s] (``thermal_time_to_limit``).

        0 if already at or above the limit; ``inf`` if the steady state never reaches it.
        """
        v.nonnegative("power_w", power_w)
        _kelvin_positive("t_max_k", t_max_k)
        t0 = self.t_amb_k if t0_k is None else float(_kelvin_positive("t0_k", t0_k))
        if t0 >= t_max_k:
            return 0.0
        tss = self.steady_state_k(power_w)
        if tss <= t_max_k:
            return float("inf")
        return float(thermal_time_to_limit(R=self.r_k_per_w, C=self.c_j_per_k, Delta_0=tss - t0,
                                           Delta_max=tss - float(t_max_k)))

    def simulate(self, power_w: Any, dt_s: float, t0_k: float | None = None, method: str = "exact") -> np.ndarray:
        """Temperatures [K] at t = 0, dt, 2·dt, ... for a power trace (one value per step, held constant).

        ``method``: ``"exact"`` (step response over each step — exact for piecewise-constant
        power), ``"euler"`` (explicit; unstable for dt > 2·R·C) or ``"implicit"`` (backward Euler).
        Returns an array one longer than the trace.
        """
        v.positive("dt_s", dt_s)
        v.choice("method", method, METHODS)
        p = np.atleast_1d(np.asarray(power_w, dtype=float))
        v.nonnegative("power_w", p)
        temps = np.empty(p.size + 1)
        temps[0] = self.t_amb_k if t0_k is None else float(_kelvin_positive("t0_k", t0_k))
        kw = dict(R=self.r_k_per_w, C=self.c_j_per_k, T_amb=self.t_amb_k)
        for k, pk in enumerate(p):
            temps[k + 1] = self._advance(temps[k], pk, dt_s, method, kw)
        return temps

    @staticmethod
    def _advance(tk: float, pk: float, dt: float, method: str, kw: dict) -> float:
        if method == "exact":
            return float(thermal_step_response(P=pk, T_0=tk, t=dt, **kw))
        if method == "euler":
            return float(thermal_euler_step(P=pk, T_k=tk, h=dt, **kw))
        return float(thermal_implicit_euler_step(P=pk, T_k=tk, h=dt, **kw))


_PRESETS: Presets[ThermalRC] = Presets("thermal preset")
register = _PRESETS.register
get = _PRESETS.get
names = _PRESETS.names


register(ThermalRC(
    "passive-mobile", r_k_per_w=15.0, c_j_per_k=5.0, t_amb_k=kelvin(25.0),
    source=("assumption: passively cooled phone/SBC-class package, R = 15 K/W junction to ambient, "
            "C = 5 J/K (the draft's 'heat capacity < 10 J/K'), ambient 25 °C; tau = 75 s"),
))
register(ThermalRC(
    "rk3399-heatsink", r_k_per_w=6.0, c_j_per_k=20.0, t_amb_k=kelvin(25.0),
    source=("assumption: RK3399 board with a small passive heat sink, R = 6 K/W, C = 20 J/K, "
            "ambient 25 °C; tau = 120 s"),
))


# --- throttling ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TripPoint:
    """Enter this throttle level when T ≥ ``up_k``; leave it when T < ``down_k`` (hysteresis)."""

    up_k: float
    down_k: float
    freq_cap_hz: float

    def __post_init__(self) -> None:
        _kelvin_positive("TripPoint.up_k", self.up_k)
        _kelvin_positive("TripPoint.down_k", self.down_k)
        v.positive("TripPoint.freq_cap_hz", self.freq_cap_hz)
        if self.down_k > self.up_k:
            raise ValueError(f"TripPoint.down_k must be <= up_k ({self.up_k!r}), got {self.down_k!r}")


@dataclass(frozen=True)
class ThrottlePolicy:
    """Multi-level throttling: level 0 runs unthrottled, level i ≥ 1 caps at ``trips[i-1].freq_cap_hz``.

    Trip temperatures must increase and caps must not increase with the level.
    """

    trips: tuple[TripPoint, ...]

    def __post_init__(self) -> None:
        trips = tuple(self.trips)
        if not trips:
            raise ValueError("ThrottlePolicy.trips must list at least one TripPoint, got none")
        ups = [tp.up_k for tp in trips]
        caps = [tp.freq_cap_hz for tp in trips]
        if any(b <= a for a, b in zip(ups, ups[1:])):
            raise ValueError(f"ThrottlePolicy.trips must have increasing up_k, got {ups}")
        if any(b > a for a, b in zip(caps, caps[1:])):
            raise ValueError(f"ThrottlePolicy.trips must have non-increasing freq_cap_hz, got {caps}")
        object.__setattr__(self, "trips", trips)

    def update(self, temp_k: float, level: int) -> int:
        """Next level from the current one: climb while T ≥ up, descend while T < down."""
        n = len(self.trips)
        while level < n and temp_k >= self.trips[level].up_k:
            level += 1
        while level > 0 and temp_k < self.trips[level - 1].down_k:
            level -= 1
        return level

    def cap_hz(self, level: int) -> float:
        """Frequency cap of ``level`` (``inf`` at level 0)."""
        return float("inf") if level == 0 else self.trips[level - 1].freq_cap_hz

    @classmethod
    def draft_levels(cls, table: OPPTable, t_target_k: float, t_critical_k: float,
                     hysteresis_k: float = 5.0) -> "ThrottlePolicy":
        """The draft's four levels: full speed below T_target − 10 K, −10 % up to T_target,
        −30 % up to T_critical, −50 % above (caps relative to f_max), with ``hysteresis_k``."""
        v.positive("hysteresis_k", hysteresis_k)
        if not t_target_k < t_critical_k:
            raise ValueError(f"t_target_k must be < t_critical_k ({t_critical_k!r}), got {t_target_k!r}")
        ups = (t_target_k - 10.0, t_target_k, t_critical_k)
        return cls(tuple(TripPoint(u, u - hysteresis_k, table.f_max * (1 - cut))
                         for u, cut in zip(ups, (0.10, 0.30, 0.50))))


@dataclass(frozen=True)
class ThrottleTrace:
    """A throttling simulation: one entry per step (``temp_k`` has one more, the final temperature)."""

    time_s: np.ndarray
    temp_k: np.ndarray
    freq_hz: np.ndarray
    level: np.ndarray
    power_w: np.ndarray
    throughput: np.ndarray  # cycles/s delivered = utilisation · f

    @property
    def max_temp_k(self) -> float:
        return float(self.temp_k.max())

    def mean_throughput(self, since_s: float = 0.0) -> float:
        """Mean delivered cycles/s from ``since_s`` on."""
        m = self.time_s >= since_s
        if not np.any(m):
            raise ValueError(f"since_s must be below the simulated duration {self.time_s[-1]!r}, got {since_s!r}")
        return float(self.throughput[m].mean())


def _capped_opp(table: OPPTable, cap_hz: float) -> int:
    """Index of the highest OPP ≤ cap (the lowest OPP if the cap is below all of them)."""
    i = int(np.searchsorted(table.freqs_hz, cap_hz * (1 + 1e-12), side="right")) - 1
    return max(i, 0)


def simulate_throttling(table: OPPTable, rc: ThermalRC, policy: ThrottlePolicy, *, utilisation: Any = 1.0,
                        steps: int | None = None, dt_s: float = 0.1, static_power_w: float = 0.0,
                        leakage: "Leakage | None" = None, t0_k: float | None = None, cores: int = 1,
                        max_freq_hz: float | None = None) -> ThrottleTrace:
    """Run a utilisation trace through the RC model with multi-level throttling.

    Each step: the policy updates its level from the current temperature; the frequency is the
    highest OPP under the level's cap (and under ``max_freq_hz``, the governor's request);
    power = u·C·V²·f·cores + static + leakage(T); the temperature advances by the exact step.

    Parameters
    ----------
    utilisation : float or array
        Busy fraction per step in [0, 1]; a scalar with ``steps`` gives a constant trace.
    steps : int, optional
        Number of steps (required for a scalar utilisation).
    dt_s : float
        Step length [s] (also the sampling period of the thermal sensor).
    """
    v.positive("dt_s", dt_s)
    v.nonnegative("static_power_w", static_power_w)
    u = np.asarray(utilisation, dtype=float)
    if u.ndim == 0:
        if steps is None:
            raise ValueError("steps must be given when utilisation is a scalar, got None")
        v.positive_int("steps", steps)
        u = np.full(int(steps), float(u))
    v.probability("utilisation", u)
    if u.size == 0:
        raise ValueError("utilisation must have at least one step, got an empty trace")
    p_dyn = table.dynamic_power(1.0, cores=cores)
    top = len(table) - 1 if max_freq_hz is None else _capped_opp(table, float(v.positive("max_freq_hz", max_freq_hz)))
    n = u.size
    temps = np.empty(n + 1)
    temps[0] = rc.t_amb_k if t0_k is None else float(_kelvin_positive("t0_k", t0_k))
    freq = np.empty(n)
    level = np.empty(n, dtype=int)
    power = np.empty(n)
    lv = 0
    kw = dict(R=rc.r_k_per_w, C=rc.c_j_per_k, T_amb=rc.t_amb_k, t=float(dt_s))
    for k in range(n):
        lv = policy.update(temps[k], lv)
        i = min(top, _capped_opp(table, policy.cap_hz(lv)))
        pk = u[k] * p_dyn[i] + static_power_w + (0.0 if leakage is None else leakage.power_w(temps[k]))
        temps[k + 1] = float(thermal_step_response(P=pk, T_0=temps[k], **kw))
        freq[k], level[k], power[k] = table.freqs_hz[i], lv, pk
    return ThrottleTrace(np.arange(n) * float(dt_s), temps, freq, level, power, u * freq)


# --- leakage -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leakage:
    """Sub-threshold leakage power versus temperature, anchored at ``p_ref_w`` at ``t_ref_k``.

    ``V_th`` and the slope factor ``n`` are parameters (defaults: assumption, V_th = 0.3 V, n = 1.5).
    """

    p_ref_w: float
    t_ref_k: float
    vth_v: float = 0.3
    n: float = 1.5
    source: str = "assumption: V_th = 0.3 V, n = 1.5 (sub-threshold slope ~90 mV/dec at 300 K)"

    def __post_init__(self) -> None:
        v.nonnegative("Leakage.p_ref_w", self.p_ref_w)
        _kelvin_positive("Leakage.t_ref_k", self.t_ref_k)
        v.positive("Leakage.vth_v", self.vth_v)
        v.positive("Leakage.n", self.n)

    def ratio(self, temp_k: Any) -> Any:
        """``P_leak(T)/P_leak(T_ref)`` = exp(``thermal_leakage_log_ratio``); vectorised."""
        _kelvin_positive("temp_k", temp_k)
        lr = thermal_leakage_log_ratio(T=np.asarray(temp_k, dtype=float), T_ref=self.t_ref_k, V_th=self.vth_v,
                                       n=self.n, k_B=BOLTZMANN_EV_PER_K)
        return _out(np.exp(lr))

    def power_w(self, temp_k: Any) -> Any:
        """Leakage power at ``temp_k`` [W]."""
        return _out(self.p_ref_w * np.asarray(self.ratio(temp_k)))

    def loop_gain(self, temp_k: float, r_k_per_w: float) -> float:
        """``R·dP_leak/dT`` at ``temp_k`` (``thermal_leakage_loop_gain``): < 1 for a stable fixed point."""
        v.positive("r_k_per_w", r_k_per_w)
        return float(thermal_leakage_loop_gain(R=float(r_k_per_w), T=float(temp_k), V_th=self.vth_v, n=self.n,
                                               k_B=BOLTZMANN_EV_PER_K, P_leak=float(self.power_w(temp_k))))


def draft_leakage_ratio(temp_k: Any, t_ref_k: float, volt_v: float) -> Any:
    """The draft's ``P_leak ∝ T²·exp(V/(k·T))`` as a ratio to ``t_ref_k`` (``thermal_leakage_log_ratio_draft``).

    Kept to show its sign error: for any V > 0 large enough it *decreases* with temperature.
    """
    _kelvin_positive("temp_k", temp_k)
    _kelvin_positive("t_ref_k", t_ref_k)
    v.positive("volt_v", volt_v)
    return _out(np.exp(thermal_leakage_log_ratio_draft(T=np.asarray(temp_k, dtype=float), T_ref=float(t_ref_k),
                                                       k_B=BOLTZMANN_EV_PER_K, V=float(volt_v))))


@dataclass(frozen=True)
class FixedPoint:
    """Result of the leakage–temperature loop: the lowest equilibrium, or runaway (``exists`` False)."""

    exists: bool
    temp_k: float
    loop_gain: float
    total_power_w: float


def leakage_fixed_point(rc: ThermalRC, dynamic_power_w: float, leakage: Leakage, *,
                        t_limit_k: float = 600.0, grid: int = 20000) -> FixedPoint:
    """Lowest temperature T with ``T = T_amb + R·(P_dyn + P_leak(T))``, searched up to ``t_limit_k``.

    ``h(T) = T_amb + R·(P_dyn + P_leak(T)) − T`` is positive at ambient; the first sign change on a
    grid is refined by bisection. No sign change below ``t_limit_k`` means thermal runaway
    (``exists=False``, ``temp_k=inf``). The loop gain R·dP_leak/dT is ≤ 1 at the first crossing.
    """
    v.nonnegative("dynamic_power_w", dynamic_power_w)
    _kelvin_positive("t_limit_k", t_limit_k)
    v.positive_int("grid", grid)
    if t_limit_k <= rc.t_amb_k:
        raise ValueError(f"t_limit_k must be above the ambient {rc.t_amb_k!r} K, got {t_limit_k!r}")

    def h(temp: Any) -> Any:
        return np.asarray(rc.steady_state_k(dynamic_power_w + np.asarray(leakage.power_w(temp))), dtype=float) - temp

    ts = np.linspace(rc.t_amb_k, t_limit_k, int(grid) + 1)
    hv = h(ts)
    neg = np.nonzero(hv <= 0)[0]
    if neg.size == 0:
        return FixedPoint(False, float("inf"), float("nan"), float("inf"))
    j = int(neg[0])
    if j == 0:
        temp = float(ts[0])
    else:
        lo, hi = float(ts[j - 1]), float(ts[j])
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            if h(mid) > 0:
                lo = mid
            else:
                hi = mid
        temp = 0.5 * (lo + hi)
    return FixedPoint(True, temp, leakage.loop_gain(temp, rc.r_k_per_w),
                      dynamic_power_w + float(leakage.power_w(temp)))


# --- sustained performance -----------------------------------------------------------------------
@dataclass(frozen=True)
class Sustained:
    """Highest OPP that can run indefinitely under the temperature limit."""

    opp: OPP
    index: int
    power_w: float
    temp_k: float
    relative_throughput: float  # f / f_max


def sustained_opp(table: OPPTable, rc: ThermalRC, t_max_k: float, *, utilisation: float = 1.0,
                  static_power_w: float = 0.0, leakage: Leakage | None = None, cores: int = 1) -> Sustained:
    """The highest OPP whose steady-state temperature (leakage loop included) is ≤ ``t_max_k``.

    Raises
    ------
    ValueError
        If even the lowest OPP overheats.
    """
    _kelvin_positive("t_max_k", t_max_k)
    v.probability("utilisation", utilisation)
    v.nonnegative("static_power_w", static_power_w)
    p = utilisation * table.dynamic_power(1.0, cores=cores) + static_power_w
    for i in range(len(table) - 1, -1, -1):
        if leakage is None:
            temp, power = float(rc.steady_state_k(p[i])), float(p[i])
        else:
            fp = leakage_fixed_point(rc, float(p[i]), leakage, t_limit_k=max(2.0 * t_max_k, rc.t_amb_k + 1.0))
            temp, power = fp.temp_k, fp.total_power_w
        if temp <= t_max_k:
            return Sustained(table.opps[i], i, power, temp, float(table.freqs_hz[i] / table.f_max))
    raise ValueError(f"t_max_k: even the lowest OPP of {table.name} exceeds {t_max_k!r} K in steady state")


# --- package chain and reliability ---------------------------------------------------------------
def series_temperatures(power_w: Any, t_amb_k: float, theta_jc: float, theta_cs: float,
                        theta_sa: float) -> tuple[Any, Any]:
    """(junction, case) temperatures [K] of a junction→case→sink→ambient chain at power ``power_w``."""
    v.nonnegative("power_w", power_w)
    _kelvin_positive("t_amb_k", t_amb_k)
    for nm, th in (("theta_jc", theta_jc), ("theta_cs", theta_cs), ("theta_sa", theta_sa)):
        v.nonnegative(nm, th)
    p = np.asarray(power_w, dtype=float)
    tj = thermal_junction_series(P=p, T_amb=t_amb_k, theta_jc=theta_jc, theta_cs=theta_cs, theta_sa=theta_sa)
    tc = thermal_case_series(P=p, T_amb=t_amb_k, theta_cs=theta_cs, theta_sa=theta_sa)
    return _out(tj), _out(tc)


def acceleration_factor(ea_ev: Any, t_use_k: Any, t_stress_k: Any) -> Any:
    """JEDEC JEP122 Arrhenius acceleration factor ``exp[(E_a/k)(1/T_use − 1/T_stress)]`` (temperatures in K).

    ``exp`` of ``reliability_log_af``; > 1 when the stress is hotter than use. Vectorised.

    Raises
    ------
    ValueError
        For a temperature ≤ 0 K or a negative activation energy.
    """
    v.nonnegative("ea_ev", ea_ev)
    _kelvin_positive("t_use_k", t_use_k)
    _kelvin_positive("t_stress_k", t_stress_k)
    la = reliability_log_af(k_B=BOLTZMANN_EV_PER_K, E_a=np.asarray(ea_ev, dtype=float),
                            T_use=np.asarray(t_use_k, dtype=float), T_stress=np.asarray(t_stress_k, dtype=float))
    if np.any(np.asarray(la) > 700):
        raise ValueError(f"acceleration factor overflows (ln AF = {la!r} > 700): check the temperatures and E_a")
    return _out(np.exp(la))


def mttf_at_use(mttf_stress_h: Any, ea_ev: Any, t_use_k: Any, t_stress_k: Any) -> Any:
    """MTTF at the use temperature from one measured at the stress temperature [h] (``reliability_mttf_use``)."""
    v.positive("mttf_stress_h", mttf_stress_h)
    af = acceleration_factor(ea_ev, t_use_k, t_stress_k)
    return _out(reliability_mttf_use(MTTF_stress=np.asarray(mttf_stress_h, dtype=float), AF=np.asarray(af)))
