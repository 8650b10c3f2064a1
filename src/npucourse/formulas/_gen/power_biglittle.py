"""Generated from npucourse/formulas/defs/power_biglittle.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def bl_task_time(*, W, IPC, f):
    """time of W instructions on a core: W/(IPC·f) [s]: W/(IPC*f)"""
    return W/(IPC*f)


def bl_task_energy(*, W, IPC, f, alpha, C, V, P_s):
    """energy of W instructions: (α·C·V²·f + P_s)·W/(IPC·f) (derived) [J]: C*V**2*W*alpha/IPC + P_s*W/(IPC*f)"""
    return C*V**2*W*alpha/IPC + P_s*W/(IPC*f)


def bl_energy_per_instruction(*, IPC, f, alpha, C, V, P_s):
    """energy per instruction α·C·V²/IPC + P_s/(IPC·f) (derived: E / W) [J/instr]: C*V**2*alpha/IPC + P_s/(IPC*f)"""
    return C*V**2*alpha/IPC + P_s/(IPC*f)


def bl_migration_break_even_time(*, r_1, r_2, t_mig):
    """remaining work above which migrating to the faster core finishes sooner: t_mig·r_1·r_2/(r_2 − r_1) (derived: W/r_1 = t_mig + W/r_2) [instr]: -r_1*r_2*t_mig/(r_1 - r_2)"""
    return -r_1*r_2*t_mig/(r_1 - r_2)


def bl_migration_break_even_energy(*, e_1, e_2, E_mig):
    """remaining work above which migrating to the more efficient core saves energy: E_mig/(e_1 − e_2) (derived: W·e_1 = E_mig + W·e_2) [instr]: E_mig/(e_1 - e_2)"""
    return E_mig/(e_1 - e_2)


def bl_migration_time_saved(*, r_1, r_2, T_rem):
    """time saved by finishing on the target core: T_rem·(1 − r_1/r_2); compare with t_mig (the draft multiplies a rate difference by a time, which is work, not time) [s]: T_rem*(-r_1 + r_2)/r_2"""
    return T_rem*(-r_1 + r_2)/r_2
