"""Generated from npucourse/formulas/defs/edgecloud_queue.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def queue_utilization(*, lambda_a, mu):
    """server utilisation ρ = λ/μ (stable iff ρ < 1) [1]: lambda_a/mu"""
    return lambda_a/mu


def mg1_waiting_time(*, lambda_a, mu, E_S2):
    """M/G/1 mean waiting time in the queue (service excluded) [s]: E_S2*lambda_a/(-2*lambda_a/mu + 2)"""
    return E_S2*lambda_a/(-2*lambda_a/mu + 2)


def mm1_waiting_time(*, lambda_a, mu):
    """M/M/1 mean waiting time in the queue, service excluded (exponential service, E[S^2] = 2/μ²) [s]: lambda_a/(mu*(-lambda_a + mu))"""
    return lambda_a/(mu*(-lambda_a + mu))


def mm1_system_time(*, lambda_a, mu):
    """M/M/1 mean time in the system: queue wait plus one service time 1/μ [s]: 1/(-lambda_a + mu)"""
    return (-lambda_a + mu)**(-1.0)


def md1_waiting_time(*, lambda_a, mu):
    """M/D/1 mean waiting time in the queue, service excluded (deterministic service, E[S^2] = 1/μ²) [s]: lambda_a/(2*mu*(-lambda_a + mu))"""
    return (1/2)*lambda_a/(mu*(-lambda_a + mu))


def md1_system_time(*, lambda_a, mu):
    """M/D/1 mean time in the system: queue wait plus one service time 1/μ [s]: (-lambda_a + 2*mu)/(2*mu*(-lambda_a + mu))"""
    return (1/2)*(-lambda_a + 2*mu)/(mu*(-lambda_a + mu))


def littles_law(*, lambda_a, W):
    """mean number present = arrival rate × mean time (Little) [1]: W*lambda_a"""
    return W*lambda_a
