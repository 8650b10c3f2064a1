"""Generated from npucourse/formulas/defs/power_idle.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def cstate_idle_energy(*, P_c, E_tr, t_tr, t_i):
    """energy of an idle interval t_i spent in a state: E_tr + P_c·(t_i − t_tr), t_i ≥ t_tr [J]: E_tr + P_c*(t_i - t_tr)"""
    return E_tr + P_c*(t_i - t_tr)


def cstate_break_even(*, P_0, P_c, E_tr, t_tr):
    """break-even residency: the idle interval above which the deeper state saves energy, max(t_tr, (E_tr − P_c·t_tr)/(P_0 − P_c)) (derived: P_0·t = E_tr + P_c·(t − t_tr)) [s]: Max(t_tr, (E_tr - P_c*t_tr)/(P_0 - P_c))"""
    return numpy.maximum(t_tr, (E_tr - P_c*t_tr)/(P_0 - P_c))


def cstate_implied_transition_energy(*, P_0, P_c, t_tr, t_be):
    """entry+exit energy implied by a published break-even residency t_be: P_0·t_be − P_c·(t_be − t_tr) (derived: the break-even equation solved for E_tr) [J]: P_0*t_be - P_c*t_be + P_c*t_tr"""
    return P_0*t_be - P_c*t_be + P_c*t_tr
