"""Exercise 21.3: a DVFS schedule for batch-1 Transformer inference (Chapter 21 §21.3.1).

Setting: :func:`npucourse.power.dvfs.exercise_21_3` (prefill and decode on one RK3399 A72 core,
OPP table ``rk3399-a72`` with its 40 µs transition latency, static power 0.1 W).

The draft's target (≥ 30 % less energy, ≤ 20 % more latency than all phases at f_max) is met
even by one fixed frequency for both phases, so the exercise keeps it as one part and adds a
stricter target (≥ 35 %, ≤ 10 %) that no single fixed frequency meets. Both designs are graded
by a judge that simulates the student's schedule with :func:`check_dvfs_target`: any schedule
meeting the target passes (several OPP pairs and split schedules do).
"""

from __future__ import annotations

import math
import random
from typing import Any

from ...power import dvfs
from ...power.opp import OPP, OPPTable, get
from ..spec import Check, single_value

#: The two targets of the exercise: (min energy saving, max latency increase).
DRAFT_TARGET = (0.30, 0.20)
STRICT_TARGET = (0.35, 0.10)

_PHASE_NAMES = ("prefill", "decode")


def _setup() -> dict[str, Any]:
    return dvfs.exercise_21_3()


def _freqs() -> list[float]:
    return [float(f) for f in _setup()["table"].freqs_hz]


# --- part 1: one phase at one OPP ----------------------------------------------------------------
def _phase_cases(rng: random.Random, n: int = 8) -> list[dict[str, Any]]:
    """Random phases at random OPPs of both RK3399 clusters. Both overlap rules appear with both
    cycles and memory time positive (so sum ≠ max); one phase is pure compute; a V ≠ 1 V OPP and
    a positive static power appear in every draw (so V for V², or a forgotten P_s, is caught)."""
    tables = [get("rk3399-a72"), get("rk3399-a53")]
    out = []
    for k in range(n):
        t = tables[k % 2]
        o = rng.choice(t.opps)
        if k == 0:  # a V != 1 V point of the A72 table
            o = rng.choice([x for x in t.opps if x.volt_v != 1.0])
        cycles = float(round(10 ** rng.uniform(6, 9)))
        mem = 0.0 if k == 2 else round(10 ** rng.uniform(-4, -0.5), 9)
        out.append({"cycles": cycles, "mem_time_s": mem, "overlap": "max" if k % 4 in (1, 3) else "sum",
                    "freq_hz": o.freq_hz, "volt_v": o.volt_v, "c_dt": t.capacitance,
                    "static_power_w": 0.0 if k == 5 else round(rng.uniform(0.02, 0.4), 4)})
    return out


def _time_cases(rng: random.Random) -> list[dict[str, Any]]:
    return [{k: c[k] for k in ("cycles", "mem_time_s", "overlap", "freq_hz")} for c in _phase_cases(rng)]


def _phase(cycles: float, mem_time_s: float, overlap: str) -> dvfs.Phase:
    return dvfs.Phase("phase", cycles, mem_time_s, overlap)


def _phase_time(cycles: float, mem_time_s: float, overlap: str, freq_hz: float) -> float:
    return float(_phase(cycles, mem_time_s, overlap).time_s(freq_hz))


def _phase_energy(cycles: float, mem_time_s: float, overlap: str, freq_hz: float, volt_v: float, c_dt: float,
                  static_power_w: float) -> float:
    one = OPPTable(name="case", opps=(OPP(freq_hz, volt_v),), capacitance=c_dt, source="grading case")
    return float(dvfs.sweep(_phase(cycles, mem_time_s, overlap), one, static_power_w=static_power_w).energy_j[0])


# --- part 2: schedules in the exercise setting ---------------------------------------------------
def _random_schedule(rng: random.Random) -> list[list[Any]]:
    """Segments [phase, freq_hz, fraction] with at least one OPP change, not every segment at f_max,
    and (often) a split phase; equal neighbouring frequencies happen too (no change there)."""
    f = _freqs()
    while True:
        segs: list[list[Any]] = []
        for name in _PHASE_NAMES:
            if rng.random() < 0.4:
                segs.append([name, rng.choice(f), 1.0])
            else:
                x = rng.randint(1, 19) / 20
                segs += [[name, rng.choice(f), x], [name, rng.choice(f), round(1.0 - x, 2)]]
        changes = sum(a[1] != b[1] for a, b in zip(segs, segs[1:]))
        if changes >= 1 and any(s[1] != f[-1] for s in segs):
            return segs


def _as_tuples(schedule: list[list[Any]]) -> list[tuple[Any, ...]]:
    return [tuple(s) for s in schedule]


def _schedule_cases(rng: random.Random) -> list[dict[str, Any]]:
    f = _freqs()
    # one fixed case where two neighbouring segments share an OPP (no change between them)
    fixed = [["prefill", f[-1], 1.0], ["decode", f[-1], 0.5], ["decode", f[4], 0.5]]
    return [{"schedule": fixed}] + [{"schedule": _random_schedule(rng)} for _ in range(5)]


def _schedule_cost(schedule: list[list[Any]]) -> list[float]:
    s = _setup()
    r = dvfs.simulate_schedule(s["phases"], _as_tuples(schedule), s["table"], static_power_w=s["static_power_w"])
    return [float(r.energy_j), float(r.latency_s)]


def _check(schedule: Any, min_saving: float, max_increase: float) -> dvfs.DVFSCheck:
    sched = _as_tuples(schedule) if isinstance(schedule, list) else schedule
    return dvfs.check_dvfs_target(schedule=sched, min_energy_saving=min_saving, max_latency_increase=max_increase,
                                  **_setup())


def _target_cases(rng: random.Random) -> list[dict[str, Any]]:
    """Per random schedule three targets around its own (saving, increase): one it meets; one whose
    energy bar lies between its energy saving and its *average-power* saving (the draft's mix-up
    of power and energy passes it); one whose latency bar lies between t/t_max − 1 and
    1 − t_max/t (a latency increase taken relative to the new latency passes it)."""
    out = []
    for _ in range(4):
        sched = _random_schedule(rng)
        c = _check(sched, 0.0, 0.0)
        s, inc = c.energy_saving, c.latency_increase
        s_pow = 1.0 - (c.candidate.energy_j / c.candidate.latency_s) / (c.baseline.energy_j / c.baseline.latency_s)
        inc_wrong = 1.0 - c.baseline.latency_s / c.candidate.latency_s
        lo = max(0.0, s - rng.uniform(0.002, 0.05))
        hi_inc = inc + rng.uniform(0.002, 0.05)
        out += [
            {"schedule": sched, "min_saving": round(lo, 6), "max_increase": round(hi_inc, 6)},
            {"schedule": sched, "min_saving": s + (s_pow - s) * rng.uniform(0.25, 0.75), "max_increase": round(hi_inc, 6)},
            {"schedule": sched, "min_saving": round(lo, 6), "max_increase": inc_wrong + (inc - inc_wrong) * rng.uniform(0.25, 0.75)},
        ]
    return out


# --- part 3: the OPP-pair grid under the draft's target -------------------------------------------
def _pairs_meeting(target: tuple[float, float]) -> list[tuple[float, float, float]]:
    """(f_prefill, f_decode, energy saving) of every OPP pair meeting ``target``."""
    f = _freqs()
    out = []
    for fp in f:
        for fd in f:
            c = _check({"prefill": fp, "decode": fd}, *target)
            if c.passed:
                out.append((fp, fd, c.energy_saving))
    return out


def _passing_pairs(min_saving: float, max_increase: float) -> list[list[float]]:
    return [[fp, fd] for fp, fd, _ in _pairs_meeting((min_saving, max_increase))]


def _pairs_cases(rng: random.Random) -> list[dict[str, Any]]:
    """Random targets; most have some but not all of the 64 pairs meeting them."""
    return [{"min_saving": round(rng.uniform(0.05, 0.6), 3), "max_increase": round(rng.uniform(0.0, 0.8), 3)}
            for _ in range(5)]


def _best_pair() -> list[float]:
    fp, fd, _ = max(_pairs_meeting(DRAFT_TARGET), key=lambda x: x[2])
    return [fp, fd]


def _uniform_meeting() -> list[float]:
    return [fp for fp, fd, _ in _pairs_meeting(DRAFT_TARGET) if fp == fd]


# --- part 4: designs ----------------------------------------------------------------------------
def _judge(target: tuple[float, float]):
    """Accept any schedule meeting ``target``; otherwise say which constraint fails (with the
    student's own saving/increase, never a correct design)."""
    min_s, max_i = target

    def judge(answer: Any) -> str | None:
        if not isinstance(answer, (dict, list)):
            return f"方案应是字典 {{阶段: 频率}} 或分段列表 [[阶段, 频率, 比例], ...]，得到的是 {type(answer).__name__}"
        if isinstance(answer, list) and not all(isinstance(x, (list, tuple)) and len(x) in (2, 3) for x in answer):
            return "分段列表的每一项应是 [阶段, 频率] 或 [阶段, 频率, 比例]"
        try:
            c = _check(answer, min_s, max_i)
        except (ValueError, KeyError, TypeError) as e:
            return f"方案无法模拟：{str(e)[:300]}"
        why = []
        if not c.energy_ok:
            why.append(f"能耗只比全程最高频低 {c.energy_saving:.2%}，要求至少低 {min_s:.0%}")
        if not c.latency_ok:
            why.append(f"延迟比全程最高频多 {c.latency_increase:.2%}，要求不超过 {max_i:.0%}")
        return "；".join(why) or None

    return judge


CHECKS = {
    "phase_time": Check(
        cases=_time_cases,
        reference=_phase_time,
        describe="phase_time(cycles, mem_time_s, overlap, freq_hz) 返回一个阶段在该频率下的忙碌时间（秒），"
                 "按 overlap 的约定合成计算时间与访存时间",
        rtol=1e-9,
    ),
    "phase_energy": Check(
        cases=_phase_cases,
        reference=_phase_energy,
        describe="phase_energy(...) 返回一个阶段在该工作点上的能量（焦）：（C·V²·f + 静态功耗）× 忙碌时间，"
                 "C 由设备树系数换算成法拉",
        rtol=1e-9,
    ),
    "schedule_cost": Check(
        cases=_schedule_cases,
        reference=_schedule_cost,
        describe="schedule_cost(schedule) 返回 [能量 J, 延迟 s]，含每次换工作点的停顿",
        rtol=1e-7,
    ),
    "meets_target": Check(
        cases=_target_cases,
        reference=lambda schedule, min_saving, max_increase: _check(schedule, min_saving, max_increase).passed,
        describe="meets_target(schedule, min_saving, max_increase) 判断方案相对全程最高频是否达标（True/False）",
    ),
    "passing_pairs": Check(
        cases=_pairs_cases,
        reference=_passing_pairs,
        describe="passing_pairs(min_saving, max_increase) 返回满足目标的全部 [f_prefill, f_decode]（Hz，按 f_prefill、"
                 "f_decode 从小到大）",
        rtol=1e-9,
    ),
    "uniform_draft": single_value(
        reference=_uniform_meeting,
        describe="UNIFORM_21_3：两阶段同一频率即可满足原题目标（30 %/20 %）的全部频率（Hz，从小到大）",
        rtol=1e-9,
    ),
    "n_pairs_draft": single_value(
        reference=lambda: len(_pairs_meeting(DRAFT_TARGET)),
        describe="N_PAIRS_21_3：满足原题目标的 (prefill 频率, decode 频率) 组合个数",
        rtol=0.0,
    ),
    "best_pair_draft": single_value(
        reference=_best_pair,
        describe="BEST_PAIR_21_3：满足原题目标的组合中能耗最低的 [prefill 频率, decode 频率]（Hz）",
        rtol=1e-9,
    ),
    "design_draft": single_value(
        judge=_judge(DRAFT_TARGET),
        describe="DESIGN_21_3：能耗至少低 30 %、延迟至多多 20 % 的调频方案",
    ),
    "design_strict": single_value(
        judge=_judge(STRICT_TARGET),
        describe="DESIGN_STRICT_21_3：能耗至少低 35 %、延迟至多多 10 % 的调频方案",
    ),
}


def _no_fixed_frequency_meets_strict() -> bool:
    """The strict target is a real design question: no single frequency for both phases meets it."""
    return not any(fp == fd for fp, fd, _ in _pairs_meeting(STRICT_TARGET))


assert math.isclose(_setup()["static_power_w"], 0.1)  # the notebook states 0.1 W
