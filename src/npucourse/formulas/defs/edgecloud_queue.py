"""Queueing at a shared link or server (Chapter 21 §21.4.2).

Requests arrive as a Poisson process of rate λ; one server works at rate μ. The
Pollaczek–Khinchine formula gives the mean wait *in the queue* of an M/G/1 system from the
second moment of the service time; M/M/1 (exponential service, E[S²] = 2/μ²) and M/D/1
(deterministic service, E[S²] = 1/μ²) are derived from it by sympy, and so is the time *in
the system* (queue + service). Little's law links the mean number present to the mean time.
"""

import sympy as sp

from ..registry import Topic

t = Topic("edgecloud_queue", section="21.4.2")
lam = t.symbol("lambda_a", "arrival rate", "1/s")
mu = t.symbol("mu", "service rate", "1/s")
ES2 = t.symbol("E_S2", "second moment of the service time E[S^2]", "s^2")
W = t.symbol("W", "mean time a request spends (in queue or system)", "s")

SRC_PK = "Pollaczek-Khinchine mean-value formula (Kleinrock, Queueing Systems Vol. 1, 1975, eq. 5.72)"
SRC_LITTLE = "Little, Operations Research 9(3), 1961"

rho = t.formula("queue_utilization", lam / mu, unit="1", description="server utilisation ρ = λ/μ (stable iff ρ < 1)",
                source="textbook definition", lhs=r"\rho")
pk = t.formula("mg1_waiting_time", lam * ES2 / (2 * (1 - rho.expr)), unit="s",
               description="M/G/1 mean waiting time in the queue (service excluded)", source=SRC_PK,
               lhs=r"W_q^{M/G/1}")


def _derive(name: str, es2: sp.Expr, wq_textbook: sp.Expr, w_textbook: sp.Expr, kind: str,
            desc: str) -> None:
    """Register W_q (from Pollaczek–Khinchine) and W = W_q + 1/μ in their textbook shape.

    sympy derives both from ``mg1_waiting_time``; the registered expressions are the usual
    printed forms, and the assertions prove they are the same functions.
    """
    wq = pk.expr.subs(ES2, es2)
    assert sp.simplify(wq - wq_textbook) == 0
    assert sp.simplify(wq + 1 / mu - w_textbook) == 0
    t.formula(f"{name}_waiting_time", wq_textbook, unit="s",
              description=f"{kind} mean waiting time in the queue, service excluded ({desc})",
              source=f"derived: mg1_waiting_time with E[S^2] = {es2}", lhs=r"W_q^{\mathrm{" + kind + "}}")
    t.formula(f"{name}_system_time", w_textbook, unit="s",
              description=f"{kind} mean time in the system: queue wait plus one service time 1/μ",
              source=f"derived: {name}_waiting_time + 1/mu", lhs=r"W^{\mathrm{" + kind + "}}")


_derive("mm1", 2 / mu**2, lam / (mu * (mu - lam)), 1 / (mu - lam),
        "M/M/1", "exponential service, E[S^2] = 2/μ²")
_derive("md1", 1 / mu**2, lam / (2 * mu * (mu - lam)), (2 * mu - lam) / (2 * mu * (mu - lam)),
        "M/D/1", "deterministic service, E[S^2] = 1/μ²")

t.formula("littles_law", lam * W, unit="1", description="mean number present = arrival rate × mean time (Little)",
          source=SRC_LITTLE, lhs=r"L")
