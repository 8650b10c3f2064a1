"""Typical mistakes, other correct designs, constraint-violating designs and cheating attempts for
exercise 21.8, as (grade_id, old, new) edits of the reference answers."""

_POLICY = "policy = DeadlinePolicy()"

WRONG = {
    # Memory time forgotten: the whole batch treated as cycles/f (time, energy and stable batch too small).
    "memory_time_forgotten": [("p1_solution", "fixed = mem_fixed_s + cycles_fixed / freq_hz", "fixed = cycles_fixed / freq_hz"),
                              ("p1_solution", "per_request = mem_per_request_s + cycles_per_request / freq_hz",
                               "per_request = cycles_per_request / freq_hz")],
    # Nearest-rank P95 instead of numpy's linear interpolation.
    "nearest_rank_p95": [("p2_solution", "return float(np.percentile(np.asarray(latencies_s, dtype=float), 95))",
                          "x = sorted(latencies_s)\n    return float(x[int(0.95 * len(x))])")],
    # Energy per request reported where the batch's energy is asked.
    "energy_per_request": [("p1_solution", "return float(power_w * t)", "return float(power_w * t / batch)")],
    # The voltage of the highest OPP used at every frequency.
    "voltage_of_f_max": [("p1_solution", "TABLE.volts_v[i] ** 2", "TABLE.volts_v[-1] ** 2")],
    # "A batch must finish before the next request arrives" (λ·t ≤ 1) instead of λ·t(b) ≤ b.
    "one_arrival_per_batch": [("p2_solution", "ok = rate_hz * t <= b", "ok = rate_hz * t <= 1")],
}

# Other correct designs: each must get full marks on every random run.
ALTERNATIVES = {
    # At light load, wait up to 20 ms to form a batch of 4; otherwise the deadline rule with more margin.
    "wait_to_batch": [("p3_solution", _POLICY, '''_deadline = DeadlinePolicy(target=0.75, margin=1.3)


def policy(s):
    if s.queue_len < 4 and s.oldest_wait_s < 0.02 and s.arrival_rate_hz < 40:
        return bp.Decision(0, s.table.f_min, 0.02 - s.oldest_wait_s)
    return _deadline(s)''')],
    # Stateful: raise the OPP at once when needed, lower it one step after 3 calm decisions.
    "hysteresis": [("p3_solution", _POLICY, '''class Hysteresis:
    def __init__(self):
        self.reset()

    def reset(self):
        self.i, self.calm = 0, 0

    def __call__(self, s):
        w, fs = s.workload, s.table.freqs_hz
        b = min(s.queue_len, w.max_batch)
        sizes = np.arange(1, w.max_batch + 1)
        need = len(fs) - 1
        for i, f in enumerate(fs):
            t = service_time_s(sizes, float(f), w.cycles_fixed, w.cycles_per_request, w.mem_fixed_s, w.mem_per_request_s)
            ok = 1.2 * s.arrival_rate_hz * t <= sizes
            if ok.any() and s.oldest_wait_s + t[b - 1] <= 0.075 and 2 * t[max(b, int(sizes[ok][0])) - 1] <= 0.075:
                need = i
                break
        if need >= self.i:
            self.i, self.calm = need, 0
        else:
            self.calm += 1
            if self.calm >= 3:
                self.i, self.calm = self.i - 1, 0
        return bp.Decision(b, float(fs[self.i]))


policy = Hysteresis()''')],
    # Deadline only, no rate estimate: lowest OPP that finishes the oldest request within 60 ms.
    "deadline_only": [("p3_solution", _POLICY, '''def policy(s):
    w = s.workload
    b = min(s.queue_len, w.max_batch)
    for f in s.table.freqs_hz:
        t = service_time_s(b, float(f), w.cycles_fixed, w.cycles_per_request, w.mem_fixed_s, w.mem_per_request_s)
        if s.oldest_wait_s + t <= 0.06:
            return (b, float(f))
    return (b, s.table.f_max)''')],
}

# Designs that break a constraint: none may get full marks.
VIOLATIONS = {
    # The draft's sqrt(Q/Q_max) law: P95 above 100 ms.
    "draft_sqrt_law": [("p3_solution", _POLICY, "policy = bp.DraftSqrtPolicy()")],
    # Always the highest OPP: meets the SLA, wastes energy.
    "always_f_max": [("p3_solution", _POLICY, "policy = bp.FixedBatchPolicy(32)")],
    # A fixed middle OPP: cheap, but cannot keep up with the bursts.
    "fixed_1008_mhz": [("p3_solution", _POLICY, "policy = bp.FixedBatchPolicy(32, 1.008e9)")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    "p1_solution": (
        "def service_time_s(batch, freq_hz, cycles_fixed, cycles_per_request, mem_fixed_s, mem_per_request_s):\n"
        "    return 0.006 if mem_fixed_s else 1.0\n\n"
        "def batch_energy_j(batch, freq_hz):\n    return 0.01 * (1 + batch / 100)\n"
    ),
    "p2_solution": (
        "def p95(latencies_s):\n    return 0.019\n\n"
        "def stable_batch(rate_hz, freq_hz):\n    return 1 if rate_hz == 0 else 0\n"
    ),
}

# Cell a cheater adds: make the kernel's tools agree with a wrong answer and silence the grader.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.grading.harness as _hh
import npucourse.power.batch_policy as _bp
import npucourse.grading.specs.ex21_8 as _spec
_spec.CHECKS.clear()
_spec.ENERGY_FACTOR = 1e9
_bp.DEFAULT_WORKLOAD = _bp.BatchWorkload("x", cycles_fixed=20e6, cycles_per_request=4e6, mem_fixed_s=0.0, mem_per_request_s=0.0)
numpy.percentile = lambda *a, **k: 0.0
'''

# A policy that never returns once the queue holds more than 3 requests (inside the graded run).
LOOP = {"p3_solution": '''class Stuck:
    def __call__(self, s):
        while s.queue_len > 3:
            pass
        return bp.Decision(min(s.queue_len, 32), s.table.f_max)


policy = Stuck()
'''}
