"""Generated from npucourse/formulas/defs/power_batch.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def batch_service_time_sum(*, b, f, N_fixed, N_per, t_mem_fixed, t_mem_per):
    """batch service time, memory and compute not overlapped: t_fixed(f) + b·t_per(f) [s]: N_fixed/f + b*(N_per/f + t_mem_per) + t_mem_fixed"""
    return N_fixed/f + b*(N_per/f + t_mem_per) + t_mem_fixed


def batch_service_time_overlap(*, b, f, N_fixed, N_per, t_mem_fixed, t_mem_per):
    """batch service time, memory and compute overlapped: max(memory time, cycles/f) [s]: Max((N_fixed + N_per*b)/f, b*t_mem_per + t_mem_fixed)"""
    return numpy.maximum(b*t_mem_per + t_mem_fixed, (N_fixed + N_per*b)/f)


def batch_energy_per_request(*, b, E_wake, E_proc):
    """per-request energy when one wake-up is shared by a batch of b (the draft's formula) [J]: (E_proc*b + E_wake)/b"""
    return (E_proc*b + E_wake)/b


def batch_draft_frequency_law(*, Q, Q_max, f_min, f_max):
    """the draft's answer-8 frequency law f_min + (f_max − f_min)·(Q/Q_max)^0.5 [Hz]: sqrt(Q)*(f_max - f_min)/sqrt(Q_max) + f_min"""
    return numpy.sqrt(Q)*(f_max - f_min)/numpy.sqrt(Q_max) + f_min
