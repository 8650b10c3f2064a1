"""Thermal model, leakage versus temperature, and temperature acceleration (§21.3.5).

Lumped RC model: C·dT/dt = P − (T − T_amb)/R. Its step response is solved here by
``sympy.dsolve``; steady state, sustainable power and time to reach a limit follow from it by
sympy. Sub-threshold leakage grows with temperature, I ∝ T²·exp(−q·V_th/(n·k·T)); the JEDEC
JEP122 acceleration factor is AF = exp[(E_a/k)(1/T_use − 1/T_stress)]. Both exponentials are
registered in log form (numbers come from exp of the registered expression), and the Boltzmann
constant is a symbol whose value lives in one place, ``npucourse.power.thermal``.
"""

import sympy as sp

from ..registry import Topic

t = Topic("power_thermal", section="21.3.5")
P = t.symbol("P", "power dissipated", "W", nonnegative=True, positive=None)
R = t.symbol("R", "thermal resistance junction to ambient", "K/W")
C = t.symbol("C", "thermal capacitance", "J/K")
T = t.symbol("T", "temperature", "K")
T_amb = t.symbol("T_amb", "ambient temperature", "K")
T0 = t.symbol("T_0", "temperature at t = 0", "K")
T_max = t.symbol("T_max", "temperature limit", "K")
tt = t.symbol("t", "time", "s", nonnegative=True, positive=None)
d0 = t.symbol("Delta_0", "initial distance below the steady state, T_ss − T_0", "K")
d1 = t.symbol("Delta_max", "distance of the limit below the steady state, T_ss − T_max", "K")
T_ref = t.symbol("T_ref", "reference temperature of the leakage measurement", "K")
V_th = t.symbol("V_th", "threshold voltage", "V")
n = t.symbol("n", "sub-threshold slope factor", "1")
k_B = t.symbol("k_B", "Boltzmann constant", "eV/K")
P_leak = t.symbol("P_leak", "leakage power at temperature T", "W")
V = t.symbol("V", "the draft's unspecified voltage in its leakage exponent", "V")
E_a = t.symbol("E_a", "activation energy of the failure mechanism", "eV")
T_use = t.symbol("T_use", "use temperature", "K")
T_stress = t.symbol("T_stress", "stress (test) temperature", "K")
MTTF_s = t.symbol("MTTF_stress", "mean time to failure measured at the stress temperature", "h")
AF = t.symbol("AF", "acceleration factor", "1")
th_jc = t.symbol("theta_jc", "thermal resistance junction to case", "K/W", nonnegative=True, positive=None)
th_cs = t.symbol("theta_cs", "thermal resistance case to heat sink", "K/W", nonnegative=True, positive=None)
th_sa = t.symbol("theta_sa", "thermal resistance heat sink to ambient", "K/W", nonnegative=True, positive=None)

RC_SRC = "lumped thermal RC model (Skadron et al., Temperature-aware microarchitecture, ISCA 2003)"

# --- RC model ---------------------------------------------------------------------------------
rhs = t.formula("thermal_ode_rhs", (P * R - (T - T_amb)) / (R * C), unit="K/s",
                description="dT/dt of the lumped RC model: (P·R − (T − T_amb))/(R·C)", source=RC_SRC,
                lhs=r"\frac{dT}{dt}")
_Tf = sp.Function("T")
_ode = sp.Eq(_Tf(tt).diff(tt), rhs.expr.subs(T, _Tf(tt)))
_sol = sp.dsolve(_ode, _Tf(tt), ics={_Tf(0): T0})
step = t.formula("thermal_step_response", sp.expand(_sol.rhs), unit="K",
                 description="temperature after a power step P from T_0 (solved by sympy.dsolve)",
                 source=f"derived: dsolve of thermal_ode_rhs; {RC_SRC}", lhs=r"T(t)")
ss = t.formula("thermal_steady_state", sp.limit(step.expr, tt, sp.oo), unit="K",
               description="steady-state temperature T_amb + P·R (derived: t → ∞ of the step response)",
               source="derived: limit of thermal_step_response", lhs=r"T_{\mathrm{ss}}")
t.formula("thermal_sustainable_power", sp.solve(sp.Eq(ss.expr, T_max), P)[0], unit="W",
          description="largest power whose steady state stays at or below T_max: (T_max − T_amb)/R (derived)",
          source="derived: thermal_steady_state = T_max solved for P", lhs=r"P_{\mathrm{sus}}")
# Time to reach T_max from T_0: solve the step response, then write it with the two distances
# below the steady state (both > 0 when the limit is reached from below).
_tsol = sp.solve(sp.Eq(step.expr, T_max), tt)
if len(_tsol) != 1:  # pragma: no cover - guards the derivation
    raise RuntimeError(f"time-to-limit derivation gave {_tsol}")
_t_lim = sp.factor(sp.expand_log(sp.simplify(_tsol[0].subs({T0: ss.expr - d0, T_max: ss.expr - d1})),
                                  force=True))
t.formula("thermal_time_to_limit", _t_lim, unit="s",
          description=("time for a power step to heat from T_0 to T_max: R·C·ln(Δ_0/Δ_max), with "
                       "Δ = T_ss − T (derived from the step response)"),
          source="derived: thermal_step_response = T_max solved for t", lhs=r"t_{\mathrm{lim}}")

# One step of length h of the two Euler schemes (the exact step is the step response itself).
h = t.symbol("h", "time step", "s")
T_k = t.symbol("T_k", "temperature at the start of the step", "K")
_T1 = sp.Symbol("T_next")
t.formula("thermal_euler_step", T_k + h * rhs.expr.subs(T, T_k), unit="K",
          description="explicit Euler step T_k + h·dT/dt(T_k)", source=f"forward Euler on {RC_SRC}",
          lhs=r"T_{k+1}^{\mathrm{explicit}}")
_impl = sp.solve(sp.Eq(_T1, T_k + h * rhs.expr.subs(T, _T1)), _T1)
t.formula("thermal_implicit_euler_step", sp.simplify(_impl[0]), unit="K",
          description="implicit (backward) Euler step: T_{k+1} = T_k + h·dT/dt(T_{k+1}) solved by sympy",
          source=f"derived: backward Euler on {RC_SRC}", lhs=r"T_{k+1}^{\mathrm{implicit}}")

# --- package chain ----------------------------------------------------------------------------
t.formula("thermal_junction_series", T_amb + P * (th_jc + th_cs + th_sa), unit="K",
          description="junction temperature of a series chain junction→case→sink→ambient",
          source="JEDEC JESD51 thermal resistance definitions; series thermal network", lhs=r"T_j")
t.formula("thermal_case_series", T_amb + P * (th_cs + th_sa), unit="K",
          description="case temperature of the same chain (below the junction by P·θ_jc)",
          source="JEDEC JESD51 thermal resistance definitions; series thermal network", lhs=r"T_c")

# --- leakage ----------------------------------------------------------------------------------
LEAK = ("sub-threshold conduction I ∝ T²·exp(−q·V_th/(n·k·T)) (Roy, Mukhopadhyay & Mahmoodi-Meimand, "
        "Proc. IEEE 91(2), 2003); q·V_th in eV equals V_th in volts")
lr = t.formula("thermal_leakage_log_ratio",
               2 * sp.log(T / T_ref) - V_th / (n * k_B) * (1 / T - 1 / T_ref), unit="1",
               description="ln(P_leak(T)/P_leak(T_ref)) of sub-threshold leakage: grows with T",
               source=LEAK, lhs=r"\ln\frac{P_{\mathrm{leak}}(T)}{P_{\mathrm{leak}}(T_{\mathrm{ref}})}")
t.formula("thermal_leakage_log_ratio_draft",
          2 * sp.log(T / T_ref) + V / k_B * (1 / T - 1 / T_ref), unit="1",
          description="the draft's P_leak ∝ T²·exp(V/(k·T)) in the same log-ratio form (wrong sign)",
          source="draft §21.3.5 (kept to show the sign error)",
          lhs=r"\ln\frac{P(T)}{P(T_{\mathrm{ref}})}\Big|_{\mathrm{draft}}")
t.formula("thermal_leakage_loop_gain", sp.simplify(R * P_leak * sp.diff(lr.expr, T)), unit="1",
          description=("loop gain R·dP_leak/dT of the leakage–temperature feedback (derived); "
                       "a fixed point is stable when it is < 1"),
          source="derived: R·P_leak·d/dT of thermal_leakage_log_ratio", lhs=r"G")

# --- reliability ------------------------------------------------------------------------------
JEDEC = "JEDEC JEP122 (Failure mechanisms and models for semiconductor devices), Arrhenius model"
t.formula("reliability_log_af", E_a / k_B * (1 / T_use - 1 / T_stress), unit="1",
          description="ln AF of the Arrhenius model: (E_a/k)(1/T_use − 1/T_stress), temperatures in K",
          source=JEDEC, lhs=r"\ln \mathrm{AF}")
t.formula("reliability_mttf_use", MTTF_s * AF, unit="h",
          description="mean time to failure at the use temperature: MTTF_stress·AF", source=JEDEC,
          lhs=r"\mathrm{MTTF}_{\mathrm{use}}")
