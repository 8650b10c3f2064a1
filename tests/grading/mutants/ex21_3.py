"""Typical mistakes, cheats, other correct designs and constraint-violating designs for exercise
21.3 ((grade_id, old, new) edits of the reference answers)."""

from npucourse.grading.specs import ex21_3 as _spec

# The strict target is a design question only if no single frequency for both phases meets it.
assert _spec._no_fixed_frequency_meets_strict()

_P1 = "p1_solution"
_P2 = "p2_solution"
_P4 = "p4_solution"
_DRAFT_REF = 'DESIGN_21_3 = {"prefill": 1.8e9, "decode": 1.008e9}'
_STRICT_REF = 'DESIGN_STRICT_21_3 = [["prefill", 1.8e9, 1.0], ["decode", 1.008e9, 0.5], ["decode", 1.2e9, 0.5]]'

WRONG = {
    # Power taken for energy (the draft mixes "功耗" and "能耗"): the busy time is never multiplied in.
    "power_not_energy": [(_P1, "return power * phase_time(cycles, mem_time_s, overlap, freq_hz)", "return power")],
    # Dynamic power C·V·f instead of C·V²·f.
    "v_not_squared": [(_P1, "c_farad * volt_v ** 2 * freq_hz", "c_farad * volt_v * freq_hz")],
    # Memory time always added to compute time, even where the phase overlaps them.
    "always_sum": [(_P1, 'if overlap == "sum":', 'if True:')],
    # OPP changes cost nothing (no 40 µs stall, no static energy during it).
    "no_transition": [(_P2, "latency += TABLE.transition_latency_s\n", "pass\n"),
                      (_P2, "energy += P_S * TABLE.transition_latency_s\n", "pass\n")],
    # Saving judged on average power (E/t) instead of energy.
    "average_power": [(_P2, "1 - e / e_max >= min_saving", "1 - (e / t) / (e_max / t_max) >= min_saving")],
    # Latency increase taken relative to the new latency: 1 − t_max/t.
    "increase_vs_new": [(_P2, "t / t_max - 1 <= max_increase", "1 - t_max / t <= max_increase")],
}

# Passes the visible self-checks by hard-coding them, nothing else.
HARDCODE = {
    _P1: (
        "def phase_time(cycles, mem_time_s, overlap, freq_hz):\n    return 1.1 if overlap == 'sum' else 1.0\n\n"
        "def phase_energy(cycles, mem_time_s, overlap, freq_hz, volt_v, c_dt, static_power_w):\n    return 0.6\n"
    ),
    _P2: (
        "def schedule_cost(schedule):\n    return [1.0, 2.2]\n\n"
        "def meets_target(schedule, min_saving, max_increase):\n    return min_saving == 0.0\n"
    ),
}

# Cell a cheater adds after the answers: make the oracle's tools agree with the first wrong answer
# (energy = power) and silence the harness.
MONKEYPATCH = '''
import builtins, math, numpy, npucourse, npucourse.power.dvfs as _d, npucourse.grading.harness as _hh
_orig_sweep = _d.sweep
def _sweep(phase, table, **kw):
    s = _orig_sweep(phase, table, **kw)
    return s.__class__(**{**s.__dict__, "energy_j": s.power_w, "busy_energy_j": s.power_w})
_d.sweep = _sweep
_d.check_dvfs_target = lambda *a, **k: type("C", (), {"passed": True, "energy_ok": True, "latency_ok": True})()
'''

# A student whose meets_target never returns (schedule_cost is correct).
LOOP = {_P2: (
    "def schedule_cost(schedule):\n"
    "    by_name = {p.name: p for p in PHASES}\n"
    "    energy = latency = 0.0\n"
    "    prev_f = None\n"
    "    for name, f, x in schedule:\n"
    "        p = by_name[name]\n"
    "        volt = TABLE.opp(f).volt_v\n"
    "        energy += phase_energy(x * p.cycles, x * p.mem_time_s, p.overlap, f, volt, TABLE.capacitance, P_S)\n"
    "        latency += phase_time(x * p.cycles, x * p.mem_time_s, p.overlap, f)\n"
    "        if prev_f is not None and f != prev_f:\n"
    "            latency += TABLE.transition_latency_s\n"
    "            energy += P_S * TABLE.transition_latency_s\n"
    "        prev_f = f\n"
    "    return [energy, latency]\n\n"
    "def meets_target(schedule, min_saving, max_increase):\n"
    "    while True:\n"
    "        pass\n"
)}

# Other correct designs: each must get full marks.
ALTERNATIVES = {
    # Whole phases at one OPP each: prefill 1608 MHz, decode 1200 MHz (strict); one frequency (draft).
    "pairs_1608_1200": [(_P4, _STRICT_REF, 'DESIGN_STRICT_21_3 = {"prefill": 1.608e9, "decode": 1.2e9}'),
                        (_P4, _DRAFT_REF, 'DESIGN_21_3 = {"prefill": 1.2e9, "decode": 1.2e9}')],
    # prefill at f_max, decode 1200 MHz (strict); the lowest-energy pair 1608/816 (draft), as segments.
    "pairs_1800_1200": [(_P4, _STRICT_REF, 'DESIGN_STRICT_21_3 = {"prefill": 1.8e9, "decode": 1.2e9}'),
                        (_P4, _DRAFT_REF, 'DESIGN_21_3 = [("prefill", 1.608e9), ("decode", 8.16e8)]')],
    # prefill split over two OPPs, decode at 1200 MHz (strict); integers in Hz (draft).
    "split_prefill": [(_P4, _STRICT_REF, 'DESIGN_STRICT_21_3 = [["prefill", 1.8e9, 0.5], ["prefill", 1.608e9, 0.5], '
                                         '["decode", 1.2e9, 1.0]]'),
                      (_P4, _DRAFT_REF, 'DESIGN_21_3 = {"prefill": 1416000000, "decode": 1008000000}')],
    # decode mostly at 1008 MHz, the rest at 1200 MHz (strict).
    "split_decode_80_20": [(_P4, _STRICT_REF, 'DESIGN_STRICT_21_3 = [["prefill", 1.8e9, 1.0], ["decode", 1.008e9, 0.8], '
                                              '["decode", 1.2e9, 0.2]]')],
}

# Designs that break a constraint: each must not get full marks.
VIOLATIONS = {
    # One frequency for both phases cannot meet the strict target (energy and latency both miss).
    "strict_uniform_1416": [(_P4, _STRICT_REF, 'DESIGN_STRICT_21_3 = {"prefill": 1.416e9, "decode": 1.416e9}')],
    # The draft's plan (decode at ~60 % of f_max) meets the draft target but is 10.3 % slower: misses 10 %.
    "strict_draft_plan": [(_P4, _STRICT_REF, 'DESIGN_STRICT_21_3 = {"prefill": 1.8e9, "decode": 1.008e9}')],
    # decode too slow: more than 20 % extra latency.
    "draft_decode_600": [(_P4, _DRAFT_REF, 'DESIGN_21_3 = {"prefill": 1.8e9, "decode": 6.0e8}')],
    # Frequencies in MHz are not OPPs of the table.
    "draft_in_mhz": [(_P4, _DRAFT_REF, 'DESIGN_21_3 = {"prefill": 1800, "decode": 1008}')],
}
