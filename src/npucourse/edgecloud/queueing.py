"""Queueing delay at a shared link or inference server (Chapter 21 §21.4.2).

Poisson arrivals of rate λ [1/s] at one server of rate μ [1/s]:

* utilisation ρ = λ/μ; the queue is stable only for ρ < 1 (otherwise it grows without bound,
  and this module raises ``ValueError`` instead of returning a negative or infinite time);
* M/M/1 (exponential service): wait in the queue W_q = ρ/(μ − λ), time in the system
  W = 1/(μ − λ) = W_q + 1/μ — the draft's "queueing delay 1/(μ − λ)" is W, which already
  contains the service (for a link: the transmission) time;
* M/D/1 (deterministic service, e.g. fixed-size packets): W_q = ρ/(2(μ − λ)), half of M/M/1;
* Little's law: mean number present = λ × mean time.

Formulas (registry, topic ``edgecloud_queue``): ``queue_utilization``, ``mg1_waiting_time``,
``mm1_waiting_time``, ``mm1_system_time``, ``md1_waiting_time``, ``md1_system_time``,
``littles_law`` — M/M/1 and M/D/1 are derived by sympy from Pollaczek–Khinchine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from ..cost import Num
from ..formulas._gen.edgecloud_queue import (
    littles_law,
    md1_system_time,
    md1_waiting_time,
    mg1_waiting_time,
    mm1_system_time,
    mm1_waiting_time,
    queue_utilization,
)
from .link import Link, _out

__all__ = ["QueueStats", "utilization", "mm1", "md1", "mg1_wait", "little", "link_service_rate"]


def utilization(arrival_rate: Num, service_rate: Num) -> Num:
    """ρ = λ/μ, checked for stability (vectorised).

    Raises
    ------
    ValueError
        If a rate is not > 0, or if ρ >= 1 anywhere (the queue is unstable: it grows without bound).
    """
    v.positive("arrival_rate", arrival_rate)
    v.positive("service_rate", service_rate)
    rho = queue_utilization(lambda_a=np.asarray(arrival_rate, dtype=float), mu=np.asarray(service_rate, dtype=float))
    if np.any(rho >= 1):
        raise ValueError(f"queue is unstable: utilisation rho = arrival_rate/service_rate must be < 1, got "
                         f"rho = {rho!r} (arrival_rate={arrival_rate!r}, service_rate={service_rate!r})")
    return _out(rho)


@dataclass(frozen=True)
class QueueStats:
    """Mean-value results of one single-server queue (floats or arrays).

    Attributes
    ----------
    model : str
        ``"M/M/1"`` or ``"M/D/1"``.
    utilization : ρ = λ/μ
    waiting_time_s : W_q, mean wait in the queue before service starts [s]
    system_time_s : W = W_q + 1/μ, mean time from arrival to departure [s]
    service_time_s : 1/μ [s]
    number_in_queue : L_q = λ·W_q (Little)
    number_in_system : L = λ·W (Little)
    """

    model: str
    utilization: Num
    waiting_time_s: Num
    system_time_s: Num
    service_time_s: Num
    number_in_queue: Num
    number_in_system: Num


def _stats(model: str, lam: Num, mu: Num, wq_f, w_f) -> QueueStats:  # type: ignore[no-untyped-def]
    rho = utilization(lam, mu)
    lam_a = np.asarray(lam, dtype=float)
    mu_a = np.asarray(mu, dtype=float)
    wq = wq_f(lambda_a=lam_a, mu=mu_a)
    w = w_f(lambda_a=lam_a, mu=mu_a)
    return QueueStats(
        model=model,
        utilization=rho,
        waiting_time_s=_out(wq),
        system_time_s=_out(w),
        service_time_s=_out(1.0 / mu_a),
        number_in_queue=_out(littles_law(lambda_a=lam_a, W=wq)),
        number_in_system=_out(littles_law(lambda_a=lam_a, W=w)),
    )


def mm1(arrival_rate: Num, service_rate: Num) -> QueueStats:
    """M/M/1 queue: W_q = ρ/(μ − λ) (queue only), W = 1/(μ − λ) (queue + service).

    Examples
    --------
    λ = 500/s, μ = 1000/s: ρ = 0.5, W_q = 0.5/500 = 1 ms, W = 1/500 = 2 ms.

    >>> s = mm1(500.0, 1000.0)
    >>> round(s.waiting_time_s * 1e3, 9), round(s.system_time_s * 1e3, 9)
    (1.0, 2.0)
    """
    return _stats("M/M/1", arrival_rate, service_rate, mm1_waiting_time, mm1_system_time)


def md1(arrival_rate: Num, service_rate: Num) -> QueueStats:
    """M/D/1 queue (constant service time 1/μ): W_q = ρ/(2(μ − λ)), half the M/M/1 wait."""
    return _stats("M/D/1", arrival_rate, service_rate, md1_waiting_time, md1_system_time)


def mg1_wait(arrival_rate: Num, service_rate: Num, service_second_moment_s2: Num) -> Num:
    """M/G/1 mean wait in the queue (Pollaczek–Khinchine): W_q = λ·E[S²]/(2(1 − ρ)) [s].

    ``service_second_moment_s2`` is E[S²] [s²]; it must be at least (1/μ)² (variance >= 0).
    """
    utilization(arrival_rate, service_rate)
    v.positive("service_second_moment_s2", service_second_moment_s2)
    mu = np.asarray(service_rate, dtype=float)
    es2 = np.asarray(service_second_moment_s2, dtype=float)
    if np.any(es2 < (1.0 / mu) ** 2 * (1 - 1e-12)):
        raise ValueError(f"service_second_moment_s2 must be >= (1/service_rate)^2 (a variance is >= 0), "
                         f"got {service_second_moment_s2!r} with service_rate={service_rate!r}")
    return _out(mg1_waiting_time(lambda_a=np.asarray(arrival_rate, dtype=float), mu=mu, E_S2=es2))


def little(arrival_rate: Num, time_s: Num) -> Num:
    """Little's law: mean number present = λ·W."""
    v.nonnegative("arrival_rate", arrival_rate)
    v.nonnegative("time_s", time_s)
    return _out(littles_law(lambda_a=np.asarray(arrival_rate, dtype=float), W=np.asarray(time_s, dtype=float)))


def link_service_rate(link: Link, payload_bytes: float) -> float:
    """Service rate [1/s] of a link that transmits payloads of ``payload_bytes`` one at a time:
    μ = 1 / (8·S/B_eff)."""
    v.positive("payload_bytes", payload_bytes)
    return 1.0 / float(link.transmission_time(payload_bytes))
