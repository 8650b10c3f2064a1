"""DVFS: dynamic power, time and energy versus frequency (Chapter 21 §21.3.1, §21.3.4).

Dynamic power is the Linux energy-model form ``P = C·V²·f`` (``dynamic-power-coefficient`` in
a device tree, Documentation/devicetree/bindings/arm/cpus.yaml), here with an explicit activity
factor α. Work is split into compute cycles, whose time scales as 1/f, and a part that does
not depend on f (waiting for DRAM). Derivations — energy of compute-bound work, the
energy-optimal ("critical") frequency when V ∝ f, the race-to-idle derivative, the unit
conversion of the device-tree coefficient — are done here by sympy.
"""

import sympy as sp
from sympy.physics import units as u

from ..registry import Topic

t = Topic("power_dvfs", section="21.3.1")
alpha = t.symbol("alpha", "activity factor: fraction of the capacitance switched per cycle", "1")
C = t.symbol("C", "effective switched capacitance", "F")
V = t.symbol("V", "supply voltage", "V")
f = t.symbol("f", "clock frequency", "Hz")
P_s = t.symbol("P_s", "static (leakage) power while active", "W", nonnegative=True, positive=None)
N = t.symbol("N", "compute cycles of the work (time N/f)", "cycle")
t_mem = t.symbol("t_mem", "part of the time that does not scale with f (memory stalls)", "s",
                 nonnegative=True, positive=None)
t_act = t.symbol("t_act", "active (busy) time within the period", "s")
T = t.symbol("T", "period: the work repeats every T (or must finish within T)", "s")
P_idle = t.symbol("P_idle", "power while idle between bursts", "W", nonnegative=True, positive=None)
k = t.symbol("k", "slope of the voltage-frequency line V = k·f", "V/Hz")
c_dt = t.symbol("c_dt", "device-tree dynamic-power-coefficient", "µW/MHz/V²")
M = t.symbol("M", "multiply-accumulates of the work", "MAC", nonnegative=True, positive=None)
m_c = t.symbol("m_c", "multiply-accumulates the core retires per cycle", "MAC/cycle")

LINUX = ("Linux Documentation/devicetree/bindings/arm/cpus.yaml (dynamic-power-coefficient, "
         "P = C·V²·f) and kernel/power/energy_model.c")
TEXT = "textbook CMOS power model (Weste & Harris, CMOS VLSI Design, §5.1)"

# --- power ------------------------------------------------------------------------------------
p_dyn = t.formula("dvfs_dynamic_power", alpha * C * V**2 * f, unit="W",
                  description="CMOS dynamic power P = α·C·V²·f", source=f"{TEXT}; {LINUX}",
                  lhs=r"P_{\mathrm{dyn}}")
t.formula("dvfs_energy_per_cycle", sp.simplify(p_dyn.expr / f), unit="J/cycle",
          description="dynamic energy per clock cycle α·C·V² (derived: P_dyn / f): depends on V, not on f",
          source="derived: dvfs_dynamic_power / f", lhs=r"E_{\mathrm{cycle}}")

# Unit conversion of the device-tree coefficient, derived with sympy.physics.units:
# 1 µW/(MHz·V²) expressed in farads.
_factor = sp.nsimplify(u.convert_to(u.micro * u.watt / (u.mega * u.hertz * u.volt**2), u.farad) / u.farad)
t.formula("dvfs_dt_capacitance_si", c_dt * _factor, unit="F",
          description=("device-tree dynamic-power-coefficient [µW/MHz/V²] in farads: "
                       "1 µW/(MHz·V²) = 1e-6 W / (1e6 Hz·V²) = 1e-12 F (α folded in)"),
          source=f"derived with sympy.physics.units; {LINUX}", lhs=r"C_{\mathrm{SI}}")

# --- time -------------------------------------------------------------------------------------
t_sum = t.formula("dvfs_time_sum", t_mem + N / f, unit="s",
                  description="time when memory stalls and compute do not overlap: t_mem + N/f",
                  source="assumption: in-order/stalling core (no overlap)", lhs=r"t_{\Sigma}")
t.formula("dvfs_time_overlap", sp.Max(t_mem, N / f), unit="s",
          description="time when memory transfers and compute overlap perfectly: max(t_mem, N/f)",
          source="assumption: perfect overlap (roofline-style bound)", lhs=r"t_{\max}")
t.formula("dvfs_cycles_from_macs", M / m_c, unit="cycle",
          description="compute cycles of a MAC count on a core that retires m_c MACs per cycle",
          source="definition", lhs=r"N")

# --- energy -----------------------------------------------------------------------------------
p_act = p_dyn.expr + P_s
e_period = t.formula("dvfs_energy_period", p_act * t_act + P_idle * (T - t_act), unit="J",
                     description="energy over a period: (α·C·V²·f + P_s)·t_act + P_idle·(T − t_act)",
                     source="textbook; EAS energy model (kernel/sched/fair.c, compute_energy)",
                     lhs=r"E_T")
e_compute = t.formula("dvfs_energy_compute", sp.expand(p_act * (N / f)), unit="J",
                      description="energy of compute-bound work N cycles (derived: (P_dyn + P_s)·N/f)",
                      source="derived: dvfs_dynamic_power with t = N/f", lhs=r"E_N")

# Energy-optimal frequency when V = k·f (the draft's "V ∝ f"): minimise E(f) over f.
_e_vf = e_compute.expr.subs(V, k * f)
_crit = [s for s in sp.solve(sp.diff(_e_vf, f), f) if s.is_real]  # drop the two complex roots
if len(_crit) != 1:  # pragma: no cover - guards the derivation
    raise RuntimeError(f"critical-frequency derivation gave {_crit}")
t.formula("dvfs_critical_frequency", sp.simplify(_crit[0]), unit="Hz",
          description=("energy-optimal frequency of compute-bound work when V = k·f and P_s > 0 "
                       "(derived: dE/df = 0); below it static energy dominates"),
          source="derived: d/df[α·C·k²·f²·N + P_s·N/f] = 0", lhs=r"f^{*}")
t.formula("dvfs_energy_compute_v_prop_f", sp.expand(_e_vf), unit="J",
          description="energy of N cycles if V = k·f (the draft's assumption): α·C·k²·f²·N + P_s·N/f",
          source="derived: dvfs_energy_compute with V = k·f", lhs=r"E_N|_{V=kf}")

# Race to idle (§21.3.4): derivative of the period energy of compute-bound work at fixed V.
_e_race = e_period.expr.subs(t_act, N / f)
t.formula("dvfs_race_derivative", sp.factor(sp.diff(_e_race, f)), unit="J/Hz",
          description=("dE_T/df for compute-bound work at fixed V: −N·(P_s − P_idle)/f² — racing helps "
                       "only if the active static power exceeds the idle power"),
          source="derived: d/df of dvfs_energy_period with t_act = N/f",
          section="21.3.4", lhs=r"\frac{dE_T}{df}")
t.formula("dvfs_race_derivative_draft", sp.factor(sp.diff(p_act.subs(t_act, 0) * N / f, f)), unit="J/Hz",
          description=("the draft's race-to-idle criterion d(P_active·T_active)/df, which drops the "
                       "idle term P_idle·(T − T_active)"),
          source="draft §21.3.4 (kept to show the missing term)", section="21.3.4",
          lhs=r"\frac{d(P_a T_a)}{df}")
