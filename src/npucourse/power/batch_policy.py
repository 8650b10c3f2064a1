"""Power-aware batching: a discrete-event simulation of a request queue (exercise 21.8).

Requests arrive as a Poisson process whose rate varies in time (seeded, so a run is
reproducible). One server (a CPU cluster or NPU with an OPP table) serves them in FIFO batches.
Whenever the server is free and requests wait, a *policy* — any callable taking a
:class:`QueueState` and returning a :class:`Decision` (batch size, frequency, optional wait) —
decides what to run. A batch of b requests at frequency f takes

    t(b, f) = t_fixed(f) + b·t_per(f),   t_x(f) = t_mem,x + N_x/f

(``batch_service_time_sum``; ``overlap="max"`` uses ``batch_service_time_overlap``), the memory
part independent of f as in the DVFS model. The server draws the OPP's busy power while serving
and ``idle_power_w`` otherwise; every frequency change stalls ``table.transition_latency_s``.
:func:`simulate_batching` returns per-request latencies (P50/P95/P99), energy per request and
whether the SLA (P95 < 100 ms by default) holds.

Reference policies: :class:`FixedBatchPolicy` (up to a fixed batch at the highest frequency),
:class:`QueueAdaptivePolicy` (lowest frequency that keeps the oldest request within a latency
target and keeps up with the arrival rate) and :class:`DraftSqrtPolicy` (the draft's answer:
f = f_min + (f_max − f_min)·(Q/Q_max)^0.5 with batch thresholds and EMA smoothing).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Callable, Sequence, Union

import numpy as np

from .. import _validate as v
from ..formulas._gen.power_batch import (
    batch_draft_frequency_law,
    batch_service_time_overlap,
    batch_service_time_sum,
)
from ..formulas._gen.power_dvfs import dvfs_energy_period
from .dvfs import OVERLAPS
from .idle import get as _idle_states
from .opp import OPPTable, get as _opp_table

__all__ = [
    "BatchWorkload", "DEFAULT_WORKLOAD", "RateProfile", "DEFAULT_RATE", "poisson_arrivals", "QueueState", "Decision",
    "BatchResult", "simulate_batching", "FixedBatchPolicy", "QueueAdaptivePolicy", "DraftSqrtPolicy", "Policy",
]


@dataclass(frozen=True)
class BatchWorkload:
    """Service-time model of one batch: fixed and per-request parts, each cycles + memory time.

    Attributes
    ----------
    cycles_fixed, cycles_per_request : float
        Compute cycles per batch and per request [cycle] (time ∝ 1/f).
    mem_fixed_s, mem_per_request_s : float
        Frequency-independent time per batch and per request [s] (weights and activations in DRAM).
    overlap : {"sum", "max"}
        How memory and compute combine (see :mod:`npucourse.power.dvfs`).
    max_batch : int
        Largest batch the model can run.
    activity : float
        Activity factor while serving, in [0, 1].
    """

    name: str
    cycles_fixed: float
    cycles_per_request: float
    mem_fixed_s: float
    mem_per_request_s: float
    overlap: str = "sum"
    max_batch: int = 32
    activity: float = 1.0
    source: str = ""

    def __post_init__(self) -> None:
        for fld in ("cycles_fixed", "cycles_per_request", "mem_fixed_s", "mem_per_request_s"):
            v.nonnegative(f"BatchWorkload({self.name}).{fld}", getattr(self, fld))
        if self.cycles_per_request == 0 and self.mem_per_request_s == 0:
            raise ValueError(f"BatchWorkload({self.name}): a request must cost cycles or memory time, got neither")
        v.choice(f"BatchWorkload({self.name}).overlap", self.overlap, OVERLAPS)
        v.positive_int(f"BatchWorkload({self.name}).max_batch", self.max_batch)
        v.probability(f"BatchWorkload({self.name}).activity", self.activity)

    def service_time_s(self, batch: Any, freq_hz: Any) -> Any:
        """Service time of a batch [s]; vectorised over ``batch`` and ``freq_hz``."""
        v.positive_int("batch", batch)
        v.positive("freq_hz", freq_hz)
        out = self._time(np.asarray(batch, dtype=float), np.asarray(freq_hz, dtype=float))
        return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)

    def _time(self, b: Any, f: Any) -> Any:
        """Service time without input checks (the simulator's inner loop)."""
        fn = batch_service_time_sum if self.overlap == "sum" else batch_service_time_overlap
        return fn(b=b, f=f, N_fixed=self.cycles_fixed, N_per=self.cycles_per_request, t_mem_fixed=self.mem_fixed_s,
                  t_mem_per=self.mem_per_request_s)


DEFAULT_WORKLOAD = BatchWorkload(
    "a72-small-model", cycles_fixed=20e6, cycles_per_request=4e6, mem_fixed_s=5e-3, mem_per_request_s=0.3e-3,
    overlap="sum", max_batch=32, activity=1.0,
    source=("assumption: a small model on one Cortex-A72 core — per batch 20 M cycles (layer setup, weight "
            "packing) and 5 ms of weight reads, per request 4 M cycles and 0.3 ms of activation traffic"),
)


@dataclass(frozen=True)
class RateProfile:
    """Piecewise-constant arrival rate: ``rates_hz[i]`` from ``starts_s[i]`` to the next start (or the end)."""

    starts_s: tuple[float, ...]
    rates_hz: tuple[float, ...]
    duration_s: float

    def __post_init__(self) -> None:
        st, rt = tuple(float(x) for x in self.starts_s), tuple(float(x) for x in self.rates_hz)
        if not st or len(st) != len(rt):
            raise ValueError(f"RateProfile: starts_s and rates_hz must be non-empty and of equal length, got {st}, {rt}")
        if st[0] != 0.0 or any(b <= a for a, b in zip(st, st[1:])):
            raise ValueError(f"RateProfile.starts_s must start at 0 and increase, got {st}")
        v.nonnegative("RateProfile.rates_hz", rt)
        v.positive("RateProfile.duration_s", self.duration_s)
        if st[-1] >= self.duration_s:
            raise ValueError(f"RateProfile: the last start {st[-1]!r} must be before duration_s {self.duration_s!r}")
        object.__setattr__(self, "starts_s", st)
        object.__setattr__(self, "rates_hz", rt)

    def rate(self, t_s: Any) -> Any:
        """Rate at time ``t_s`` [1/s]; vectorised."""
        idx = np.searchsorted(np.asarray(self.starts_s), np.asarray(t_s, dtype=float), side="right") - 1
        out = np.asarray(self.rates_hz)[np.clip(idx, 0, None)]
        return float(out) if np.ndim(out) == 0 else out


DEFAULT_RATE = RateProfile((0.0, 5.0, 10.0), (20.0, 120.0, 50.0), 15.0)

RateLike = Union[float, RateProfile, Callable[[np.ndarray], np.ndarray]]


def poisson_arrivals(rate: RateLike, duration_s: float | None, rng: np.random.Generator, *,
                     rate_max_hz: float | None = None) -> np.ndarray:
    """Sorted arrival times [s] of a Poisson process on [0, duration_s).

    ``rate``: a constant [1/s], a :class:`RateProfile` (exact: Poisson counts per segment, uniform
    times) or a vectorised callable λ(t) with ``rate_max_hz`` ≥ max λ (thinning, Lewis & Shedler 1979).
    """
    if isinstance(rate, RateProfile):
        dur = rate.duration_s if duration_s is None else float(duration_s)
        v.positive("duration_s", dur)
        ends = list(rate.starts_s[1:]) + [max(dur, rate.starts_s[-1])]
        parts = []
        for a, b, lam in zip(rate.starts_s, ends, rate.rates_hz):
            b = min(b, dur)
            if b <= a:
                continue
            k = rng.poisson(lam * (b - a))
            parts.append(rng.uniform(a, b, size=k))
        return np.sort(np.concatenate(parts)) if parts else np.empty(0)
    if duration_s is None:
        raise ValueError("duration_s must be given unless rate is a RateProfile, got None")
    v.positive("duration_s", duration_s)
    if callable(rate):
        if rate_max_hz is None:
            raise ValueError("rate_max_hz must bound a callable rate (thinning), got None")
        v.positive("rate_max_hz", rate_max_hz)
        k = rng.poisson(rate_max_hz * duration_s)
        t = np.sort(rng.uniform(0.0, duration_s, size=k))
        lam = np.asarray(rate(t), dtype=float)
        if np.any(lam < 0) or np.any(lam > rate_max_hz * (1 + 1e-9)) or not np.all(np.isfinite(lam)):
            raise ValueError(f"rate(t) must lie in [0, rate_max_hz={rate_max_hz!r}] on [0, duration_s)")
        return t[rng.uniform(size=k) * rate_max_hz < lam]
    v.nonnegative("rate", rate)
    k = rng.poisson(float(rate) * duration_s)
    return np.sort(rng.uniform(0.0, duration_s, size=k))


@dataclass(frozen=True)
class QueueState:
    """What a policy sees when the server is free and at least one request waits."""

    now_s: float
    queue_len: int
    oldest_wait_s: float
    arrival_rate_hz: float  # arrivals in the last rate window / window
    last_freq_hz: float
    table: OPPTable
    workload: BatchWorkload
    sla_s: float


@dataclass(frozen=True)
class Decision:
    """Run ``batch`` requests (clipped to the queue) at ``freq_hz`` (an OPP of the table).

    ``batch = 0`` waits instead: the policy is asked again at the next arrival or after
    ``wait_s`` seconds, whichever comes first (``wait_s`` must then be > 0 or a future arrival exist).
    """

    batch: int
    freq_hz: float
    wait_s: float = float("inf")


Policy = Callable[[QueueState], Union[Decision, Sequence[Any]]]


@dataclass(frozen=True)
class BatchResult:
    """Outcome of a simulation. Latency = completion − arrival of each request [s]."""

    latencies_s: np.ndarray
    arrivals_s: np.ndarray
    batch_sizes: np.ndarray
    batch_freq_hz: np.ndarray
    batch_start_s: np.ndarray
    busy_energy_j: float
    idle_energy_j: float
    transitions: int
    makespan_s: float
    sla_s: float
    sla_percentile: float

    @property
    def n_requests(self) -> int:
        return int(self.latencies_s.size)

    @property
    def energy_j(self) -> float:
        return self.busy_energy_j + self.idle_energy_j

    @property
    def energy_per_request_j(self) -> float:
        return self.energy_j / self.n_requests

    def percentile(self, q: float) -> float:
        """Latency percentile ``q`` in [0, 100] [s]."""
        if not 0 <= q <= 100:
            raise ValueError(f"q must lie in [0, 100], got {q!r}")
        return float(np.percentile(self.latencies_s, q))

    @property
    def p50_s(self) -> float:
        return self.percentile(50)

    @property
    def p95_s(self) -> float:
        return self.percentile(95)

    @property
    def p99_s(self) -> float:
        return self.percentile(99)

    @property
    def sla_met(self) -> bool:
        """Latency at ``sla_percentile`` strictly below ``sla_s``."""
        return self.percentile(self.sla_percentile) < self.sla_s

    @property
    def mean_batch(self) -> float:
        return float(self.batch_sizes.mean())


def _decision(d: Any, state: QueueState, table: OPPTable, index: dict[float, int]) -> tuple[int, int, float]:
    if isinstance(d, Decision):
        batch, freq, wait = d.batch, d.freq_hz, d.wait_s
    elif isinstance(d, (tuple, list)) and len(d) in (2, 3):
        batch, freq = d[0], d[1]
        wait = d[2] if len(d) == 3 else float("inf")
    else:
        raise ValueError(f"policy must return a Decision or (batch, freq_hz[, wait_s]), got {d!r}")
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 0:
        raise ValueError(f"policy batch must be a whole number >= 0, got {batch!r}")
    if batch > state.workload.max_batch:
        raise ValueError(f"policy batch must be <= max_batch {state.workload.max_batch}, got {batch!r}")
    if batch == 0:
        if not (isinstance(wait, (int, float, np.floating)) and wait > 0):
            raise ValueError(f"policy wait_s must be > 0 when batch is 0, got {wait!r}")
        return 0, -1, float(wait)
    i = index.get(freq) if isinstance(freq, (float, int)) else None
    return int(batch), table.index(float(freq)) if i is None else i, 0.0


def simulate_batching(policy: Policy, *, table: OPPTable | str = "rk3399-a72",
                      workload: BatchWorkload = DEFAULT_WORKLOAD, rate: RateLike = DEFAULT_RATE,
                      duration_s: float | None = None, seed: int = 0, sla_s: float = 0.1,
                      sla_percentile: float = 95.0, static_power_w: float = 0.0, idle_power_w: float | None = None,
                      rate_window_s: float = 1.0, rate_max_hz: float | None = None, cores: int = 1) -> BatchResult:
    """Simulate ``policy`` on a Poisson request stream; deterministic for a given ``seed``.

    Parameters
    ----------
    policy : callable
        ``policy(state: QueueState) -> Decision`` (or ``(batch, freq_hz[, wait_s])``). If it has a
        ``reset()`` method, it is called first (so one policy object gives the same result twice).
    table : OPPTable or preset name
    workload : BatchWorkload
    rate : float, RateProfile or callable
        Arrival rate (see :func:`poisson_arrivals`).
    seed : int
        Seed of ``numpy.random.default_rng``.
    sla_s, sla_percentile : float
        SLA: the ``sla_percentile`` latency must be < ``sla_s`` (P95 < 100 ms).
    static_power_w : float
        Static power while serving [W].
    idle_power_w : float, optional
        Power while idle [W]; defaults to the WFI power of the ``rk3399-a72`` idle-state preset.
    rate_window_s : float
        Window of the arrival-rate estimate given to the policy.

    Raises
    ------
    ValueError
        For invalid inputs, a bad decision, or a policy that waits with nothing left to arrive.
    """
    tab = _opp_table(table) if isinstance(table, str) else table
    if not isinstance(workload, BatchWorkload):
        raise ValueError(f"workload must be a BatchWorkload, got {type(workload).__name__}")
    if not callable(policy):
        raise ValueError(f"policy must be callable, got {policy!r}")
    v.positive("sla_s", sla_s)
    if not 0 < sla_percentile <= 100:
        raise ValueError(f"sla_percentile must lie in (0, 100], got {sla_percentile!r}")
    v.nonnegative("static_power_w", static_power_w)
    p_idle = _idle_states("rk3399-a72").reference_power_w if idle_power_w is None else idle_power_w
    v.nonnegative("idle_power_w", p_idle)
    v.positive("rate_window_s", rate_window_s)
    v.positive_int("cores", cores)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if hasattr(policy, "reset"):
        policy.reset()

    arr = poisson_arrivals(rate, duration_s, np.random.default_rng(int(seed)), rate_max_hz=rate_max_hz)
    n = arr.size
    if n == 0:
        raise ValueError("no request arrived: raise the rate or the duration")
    arr_list = arr.tolist()
    done = np.empty(n)
    freqs = tab.freqs_hz
    index = {float(x): k for k, x in enumerate(freqs)}
    busy_per_opp = np.zeros(len(tab))
    sizes: list[int] = []
    bfreq: list[int] = []
    bstart: list[float] = []
    idle_time = 0.0
    t_tr = tab.transition_latency_s
    n_tr = 0
    now = 0.0
    head = 0
    last_i = len(tab) - 1
    while head < n:
        tail = bisect.bisect_right(arr_list, now)
        if tail == head:  # empty queue: idle until the next arrival
            idle_time += arr_list[head] - now
            now = arr_list[head]
            continue
        lo = bisect.bisect_right(arr_list, now - rate_window_s)
        state = QueueState(now, tail - head, now - arr_list[head], (tail - lo) / rate_window_s, float(freqs[last_i]),
                           tab, workload, float(sla_s))
        b, i, wait = _decision(policy(state), state, tab, index)
        if b == 0:
            nxt = arr_list[tail] if tail < n else float("inf")
            until = min(nxt, now + wait)
            if not np.isfinite(until):
                raise ValueError(f"policy waits forever at t={now!r} s with {tail - head} request(s) queued "
                                 "and none left to arrive")
            until = max(until, float(np.nextafter(now, np.inf)))  # a wait shorter than one ulp still advances
            idle_time += until - now
            now = until
            continue
        b = min(b, tail - head)
        if i != last_i:
            n_tr += 1
            now += t_tr
            busy_per_opp[i] += t_tr
        s = float(workload._time(float(b), float(freqs[i])))
        sizes.append(b)
        bfreq.append(i)
        bstart.append(now)
        now += s
        busy_per_opp[i] += s
        done[head:head + b] = now
        head += b
        last_i = i
    # Energy: busy time at each OPP at its power, idle time at P_idle (dvfs_energy_period, the idle
    # time attached to the first OPP's period).
    period = busy_per_opp.copy()
    period[0] += idle_time
    e_all = dvfs_energy_period(alpha=workload.activity, C=tab.capacitance_f * cores, V=tab.volts_v, f=freqs,
                               P_s=float(static_power_w), t_act=busy_per_opp, T=period, P_idle=float(p_idle))
    e_idle = float(p_idle) * idle_time
    return BatchResult(done - arr, arr, np.array(sizes), freqs[np.array(bfreq, dtype=int)], np.array(bstart),
                       float(np.sum(e_all)) - e_idle, e_idle, n_tr, now, float(sla_s), float(sla_percentile))


# --- reference policies --------------------------------------------------------------------------
class FixedBatchPolicy:
    """Serve up to ``batch`` waiting requests at once, at ``freq_hz`` (default: the highest OPP), never waiting."""

    def __init__(self, batch: int = 8, freq_hz: float | None = None) -> None:
        v.positive_int("batch", batch)
        if freq_hz is not None:
            v.positive("freq_hz", freq_hz)
        self.batch, self.freq_hz = int(batch), freq_hz

    def __call__(self, s: QueueState) -> Decision:
        return Decision(min(self.batch, s.queue_len, s.workload.max_batch),
                        s.table.f_max if self.freq_hz is None else self.freq_hz)

    def __repr__(self) -> str:
        return f"FixedBatchPolicy(batch={self.batch}, freq_hz={self.freq_hz})"


class QueueAdaptivePolicy:
    """Take the whole queue (up to ``max_batch``) and run it at the lowest OPP ``f`` such that

    * the oldest waiting request finishes within ``target``·SLA: ``wait + t(b, f) ≤ target·SLA``;
    * the server keeps up with the estimated arrival rate λ: some batch size b_ss ≤ max_batch has
      ``λ·t(b_ss, f) ≤ b_ss/margin`` (the queue that builds up during one batch fits in the next), and
    * a request arriving now — behind the running batch, in the next one — meets the target:
      ``2·t(max(b, b_ss), f) ≤ target·SLA``;

    the highest OPP if none qualifies.
    """

    def __init__(self, target: float = 0.8, margin: float = 1.2, max_batch: int | None = None) -> None:
        v.positive("target", target)
        v.positive("margin", margin)
        if max_batch is not None:
            v.positive_int("max_batch", max_batch)
        self.target, self.margin, self.max_batch = float(target), float(margin), max_batch
        self._grid: tuple[Any, np.ndarray] | None = None

    def __call__(self, s: QueueState) -> Decision:
        cap = s.workload.max_batch if self.max_batch is None else min(self.max_batch, s.workload.max_batch)
        b = min(s.queue_len, cap)
        f = s.table.freqs_hz
        key = (s.workload, s.table, cap)
        if self._grid is None or self._grid[0] != key:  # service times t[batch size − 1, OPP], computed once
            self._grid = (key, np.asarray(s.workload.service_time_s(np.arange(1, cap + 1)[:, None], f[None, :])))
        t = self._grid[1]
        sizes = np.arange(1, cap + 1)[:, None]
        keeps_up = s.arrival_rate_hz * t * self.margin <= sizes
        b_ss = np.where(keeps_up.any(axis=0), np.argmax(keeps_up, axis=0) + 1, cap + 1)
        budget = self.target * s.sla_s
        ok = ((s.oldest_wait_s + t[b - 1] <= budget) & (b_ss <= cap)
              & (2 * t[np.minimum(np.maximum(b, b_ss), cap) - 1, np.arange(f.size)] <= budget))
        i = int(np.argmax(ok)) if np.any(ok) else f.size - 1
        return Decision(b, float(f[i]))

    def __repr__(self) -> str:
        return f"QueueAdaptivePolicy(target={self.target}, margin={self.margin}, max_batch={self.max_batch})"


class DraftSqrtPolicy:
    """The draft's answer to exercise 21.8, made concrete.

    f = f_min + (f_max − f_min)·(min(Q, Q_max)/Q_max)^0.5 (``batch_draft_frequency_law``), smoothed by an
    exponential moving average (weight ``ema`` on the new value) and rounded up to an OPP; the batch
    size grows by one when Q > ``threshold_up`` and shrinks by one when Q < ``threshold_down``
    (the draft gives no step; +1/−1 is our reading).
    """

    def __init__(self, q_max: int = 32, threshold_up: int = 8, threshold_down: int = 2, ema: float = 0.5,
                 batch_init: int = 4, batch_max: int = 32) -> None:
        for nm, val in (("q_max", q_max), ("threshold_up", threshold_up), ("batch_init", batch_init),
                        ("batch_max", batch_max)):
            v.positive_int(nm, val)
        v.nonnegative_int("threshold_down", threshold_down)
        v.probability("ema", ema)
        if ema == 0:
            raise ValueError("ema must be > 0 (0 would never move the frequency), got 0")
        self.q_max, self.up, self.down, self.ema = int(q_max), int(threshold_up), int(threshold_down), float(ema)
        self.batch_init, self.batch_max = int(batch_init), int(batch_max)
        self.reset()

    def reset(self) -> None:
        self.batch = self.batch_init
        self.f_smooth: float | None = None

    def __call__(self, s: QueueState) -> Decision:
        q = s.queue_len
        if q > self.up:
            self.batch = min(self.batch + 1, self.batch_max, s.workload.max_batch)
        elif q < self.down:
            self.batch = max(self.batch - 1, 1)
        f_raw = float(batch_draft_frequency_law(f_min=s.table.f_min, f_max=s.table.f_max, Q=min(q, self.q_max),
                                                Q_max=self.q_max))
        self.f_smooth = f_raw if self.f_smooth is None else self.ema * f_raw + (1 - self.ema) * self.f_smooth
        return Decision(min(self.batch, q), s.table.at_least(min(self.f_smooth, s.table.f_max)).freq_hz)

    def __repr__(self) -> str:
        return (f"DraftSqrtPolicy(q_max={self.q_max}, threshold_up={self.up}, threshold_down={self.down}, "
                f"ema={self.ema})")
