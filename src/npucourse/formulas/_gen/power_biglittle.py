"""Generated from npucourse/formulas/defs/power_biglittle.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def bl_cycles(*, W, IPC):
    """cycles a core of a given IPC needs for W instructions; time and energy then follow from the DVFS model (dvfs_time_sum, dvfs_energy_period) [cycle]: W/IPC"""
    return W/IPC


def bl_instruction_rate(*, IPC, f):
    """instructions per second of a compute-bound task: IPC·f [instr/s]: IPC*f"""
    return IPC*f


def bl_migration_break_even_time(*, r_1, r_2, t_mig):
    """remaining work above which migrating to the faster core finishes sooner: t_mig·r_1·r_2/(r_2 − r_1) (derived: W/r_1 = t_mig + W/r_2) [instr]: -r_1*r_2*t_mig/(r_1 - r_2)"""
    return -r_1*r_2*t_mig/(r_1 - r_2)


def bl_migration_break_even_energy(*, e_1, e_2, E_mig):
    """remaining work above which migrating to the more efficient core saves energy: E_mig/(e_1 − e_2) (derived: W·e_1 = E_mig + W·e_2) [instr]: E_mig/(e_1 - e_2)"""
    return E_mig/(e_1 - e_2)


def bl_migration_time_saved(*, r_1, r_2, T_rem):
    """time saved by finishing on the target core: T_rem·(1 − r_1/r_2); compare with t_mig (the draft multiplies a rate difference by a time, which is work, not time) [s]: T_rem*(-r_1 + r_2)/r_2"""
    return T_rem*(-r_1 + r_2)/r_2
