"""Power-aware batching (§21.3.4, exercise 21.8): service time of a batch, per-request energy.

A batch of b requests at clock f costs a fixed part (weights read once per batch, launch) and a
per-request part, each split into compute cycles (time ∝ 1/f) and memory time (independent of
f), as in the DVFS model: t(b, f) = t_fixed(f) + b·t_per(f).
"""

import sympy as sp

from ..registry import Topic

t = Topic("power_batch", section="21.3.4")
b = t.symbol("b", "requests in the batch", "1", integer=True)
f = t.symbol("f", "clock frequency", "Hz")
N_f = t.symbol("N_fixed", "compute cycles per batch independent of b", "cycle", nonnegative=True, positive=None)
N_p = t.symbol("N_per", "compute cycles per request", "cycle", nonnegative=True, positive=None)
m_f = t.symbol("t_mem_fixed", "memory time per batch independent of b", "s", nonnegative=True, positive=None)
m_p = t.symbol("t_mem_per", "memory time per request", "s", nonnegative=True, positive=None)
E_w = t.symbol("E_wake", "energy to wake the device for one batch", "J", nonnegative=True, positive=None)
E_p = t.symbol("E_proc", "energy to process one request", "J", nonnegative=True, positive=None)
Q = t.symbol("Q", "queue length", "1", nonnegative=True, positive=None)
Q_max = t.symbol("Q_max", "queue length mapped to the maximum frequency", "1")
f_min = t.symbol("f_min", "lowest frequency", "Hz")
f_max = t.symbol("f_max", "highest frequency", "Hz")

SRC = "batching-efficiency model: fixed per-batch cost + linear per-request cost (assumption)"

t.formula("batch_service_time_sum", (m_f + N_f / f) + b * (m_p + N_p / f), unit="s",
          description="batch service time, memory and compute not overlapped: t_fixed(f) + b·t_per(f)",
          source=SRC, lhs=r"t_{\Sigma}(b, f)")
t.formula("batch_service_time_overlap", sp.Max(m_f + b * m_p, (N_f + b * N_p) / f), unit="s",
          description="batch service time, memory and compute overlapped: max(memory time, cycles/f)",
          source=SRC, lhs=r"t_{\max}(b, f)")
t.formula("batch_energy_per_request", (E_w + b * E_p) / b, unit="J",
          description="per-request energy when one wake-up is shared by a batch of b (the draft's formula)",
          source="draft §21.3.4 (amortised wake-up energy)", lhs=r"E_{\mathrm{req}}")
t.formula("batch_draft_frequency_law", f_min + (f_max - f_min) * sp.sqrt(Q / Q_max), unit="Hz",
          description="the draft's answer-8 frequency law f_min + (f_max − f_min)·(Q/Q_max)^0.5",
          source="draft, answer to exercise 21.8", section="练习 21.8", lhs=r"f(Q)")
