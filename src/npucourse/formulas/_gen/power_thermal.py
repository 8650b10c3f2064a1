"""Generated from npucourse/formulas/defs/power_thermal.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def thermal_ode_rhs(*, P, R, C, T, T_amb):
    """dT/dt of the lumped RC model: (P·R − (T − T_amb))/(R·C) [K/s]: (P*R - T + T_amb)/(C*R)"""
    return (P*R - T + T_amb)/(C*R)


def thermal_step_response(*, P, R, C, T_amb, T_0, t):
    """temperature after a power step P from T_0 (solved by sympy.dsolve) [K]: P*R - P*R*exp(-t/(C*R)) + T_0*exp(-t/(C*R)) + T_amb - T_amb*exp(-t/(C*R))"""
    return P*R - P*R*numpy.exp(-t/(C*R)) + T_0*numpy.exp(-t/(C*R)) + T_amb - T_amb*numpy.exp(-t/(C*R))


def thermal_steady_state(*, P, R, T_amb):
    """steady-state temperature T_amb + P·R (derived: t → ∞ of the step response) [K]: P*R + T_amb"""
    return P*R + T_amb


def thermal_sustainable_power(*, R, T_amb, T_max):
    """largest power whose steady state stays at or below T_max: (T_max − T_amb)/R (derived) [W]: (-T_amb + T_max)/R"""
    return (-T_amb + T_max)/R


def thermal_time_to_limit(*, R, C, Delta_0, Delta_max):
    """time for a power step to heat from T_0 to T_max: R·C·ln(Δ_0/Δ_max), with Δ = T_ss − T (derived from the step response) [s]: C*R*(log(Delta_0) - log(Delta_max))"""
    return C*R*(numpy.log(Delta_0) - numpy.log(Delta_max))


def thermal_euler_step(*, P, R, C, T_amb, h, T_k):
    """explicit Euler step T_k + h·dT/dt(T_k) [K]: T_k + h*(P*R + T_amb - T_k)/(C*R)"""
    return T_k + h*(P*R + T_amb - T_k)/(C*R)


def thermal_implicit_euler_step(*, P, R, C, T_amb, h, T_k):
    """implicit (backward) Euler step: T_{k+1} = T_k + h·dT/dt(T_{k+1}) solved by sympy [K]: (C*R*T_k + P*R*h + T_amb*h)/(C*R + h)"""
    return (C*R*T_k + P*R*h + T_amb*h)/(C*R + h)


def thermal_junction_series(*, P, T_amb, theta_jc, theta_cs, theta_sa):
    """junction temperature of a series chain junction→case→sink→ambient [K]: P*(theta_cs + theta_jc + theta_sa) + T_amb"""
    return P*(theta_cs + theta_jc + theta_sa) + T_amb


def thermal_case_series(*, P, T_amb, theta_cs, theta_sa):
    """case temperature of the same chain (below the junction by P·θ_jc) [K]: P*(theta_cs + theta_sa) + T_amb"""
    return P*(theta_cs + theta_sa) + T_amb


def thermal_leakage_log_ratio(*, T, T_ref, V_th, n, k_B):
    """ln(P_leak(T)/P_leak(T_ref)) of sub-threshold leakage: grows with T [1]: -V_th*(-1/T_ref + 1/T)/(k_B*n) + 2*log(T/T_ref)"""
    return -V_th*(-1/T_ref + T**(-1.0))/(k_B*n) + 2*numpy.log(T/T_ref)


def thermal_leakage_log_ratio_draft(*, T, T_ref, k_B, V):
    """the draft's P_leak ∝ T²·exp(V/(k·T)) in the same log-ratio form (wrong sign) [1]: V*(-1/T_ref + 1/T)/k_B + 2*log(T/T_ref)"""
    return V*(-1/T_ref + T**(-1.0))/k_B + 2*numpy.log(T/T_ref)


def thermal_leakage_loop_gain(*, R, T, V_th, n, k_B, P_leak):
    """loop gain R·dP_leak/dT of the leakage–temperature feedback (derived); a fixed point is stable when it is < 1 [1]: P_leak*R*(2*T*k_B*n + V_th)/(T**2*k_B*n)"""
    return P_leak*R*(2*T*k_B*n + V_th)/(T**2*k_B*n)


def reliability_log_af(*, k_B, E_a, T_use, T_stress):
    """ln AF of the Arrhenius model: (E_a/k)(1/T_use − 1/T_stress), temperatures in K [1]: E_a*(1/T_use - 1/T_stress)/k_B"""
    return E_a*(T_use**(-1.0) - 1/T_stress)/k_B


def reliability_mttf_use(*, MTTF_stress, AF):
    """mean time to failure at the use temperature: MTTF_stress·AF [h]: AF*MTTF_stress"""
    return AF*MTTF_stress
