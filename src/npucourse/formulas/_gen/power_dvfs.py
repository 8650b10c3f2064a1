"""Generated from npucourse/formulas/defs/power_dvfs.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def dvfs_dynamic_power(*, alpha, C, V, f):
    """CMOS dynamic power P = α·C·V²·f [W]: C*V**2*alpha*f"""
    return C*V**2*alpha*f


def dvfs_energy_per_cycle(*, alpha, C, V):
    """dynamic energy per clock cycle α·C·V² (derived: P_dyn / f): depends on V, not on f [J/cycle]: C*V**2*alpha"""
    return C*V**2*alpha


def dvfs_dt_capacitance_si(*, c_dt):
    """device-tree dynamic-power-coefficient [µW/MHz/V²] in farads: 1 µW/(MHz·V²) = 1e-6 W / (1e6 Hz·V²) = 1e-12 F (α folded in) [F]: c_dt/1000000000000"""
    return (1/1000000000000)*c_dt


def dvfs_time_sum(*, f, N, t_mem):
    """time when memory stalls and compute do not overlap: t_mem + N/f [s]: N/f + t_mem"""
    return N/f + t_mem


def dvfs_time_overlap(*, f, N, t_mem):
    """time when memory transfers and compute overlap perfectly: max(t_mem, N/f) [s]: Max(t_mem, N/f)"""
    return numpy.maximum(t_mem, N/f)


def dvfs_cycles_from_macs(*, M, m_c):
    """compute cycles of a MAC count on a core that retires m_c MACs per cycle [cycle]: M/m_c"""
    return M/m_c


def dvfs_energy_period(*, alpha, C, V, f, P_s, t_act, T, P_idle):
    """energy over a period: (α·C·V²·f + P_s)·t_act + P_idle·(T − t_act) [J]: P_idle*(T - t_act) + t_act*(C*V**2*alpha*f + P_s)"""
    return P_idle*(T - t_act) + t_act*(C*V**2*alpha*f + P_s)


def dvfs_energy_compute(*, alpha, C, V, f, P_s, N):
    """energy of compute-bound work N cycles (derived: (P_dyn + P_s)·N/f) [J]: C*N*V**2*alpha + N*P_s/f"""
    return C*N*V**2*alpha + N*P_s/f


def dvfs_critical_frequency(*, alpha, C, P_s, k):
    """energy-optimal frequency of compute-bound work when V = k·f and P_s > 0 (derived: dE/df = 0); below it static energy dominates [Hz]: 2**(2/3)*P_s**(1/3)/(2*C**(1/3)*alpha**(1/3)*k**(2/3))"""
    return (1/2)*2**(2/3)*P_s**(1/3)/(C**(1/3)*alpha**(1/3)*k**(2/3))


def dvfs_energy_compute_v_prop_f(*, alpha, C, f, P_s, N, k):
    """energy of N cycles if V = k·f (the draft's assumption): α·C·k²·f²·N + P_s·N/f [J]: C*N*alpha*f**2*k**2 + N*P_s/f"""
    return C*N*alpha*f**2*k**2 + N*P_s/f


def dvfs_race_derivative(*, f, P_s, N, P_idle):
    """dE_T/df for compute-bound work at fixed V: −N·(P_s − P_idle)/f² — racing helps only if the active static power exceeds the idle power [J/Hz]: N*(P_idle - P_s)/f**2"""
    return N*(P_idle - P_s)/f**2


def dvfs_race_derivative_draft(*, f, P_s, N):
    """the draft's race-to-idle criterion d(P_active·T_active)/df, which drops the idle term P_idle·(T − T_active) [J/Hz]: -N*P_s/f**2"""
    return -N*P_s/f**2
