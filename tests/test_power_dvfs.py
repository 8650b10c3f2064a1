"""OPP tables and the DVFS model (npc.power.opp, npc.power.dvfs): hand-checked values,
invariants (hypothesis) and bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

import npucourse as npc
from npucourse.power import dvfs
from npucourse.power.opp import OPP, OPPTable, dt_capacitance_to_farad

A72 = npc.power.opp_table("rk3399-a72")
A53 = npc.power.opp_table("rk3399-a53")


# --- OPP tables ------------------------------------------------------------------------------------
def test_rk3399_tables_are_the_device_tree_values():
    # rk3399-opp.dtsi cluster0_opp / cluster1_opp (opp-hz, opp-microvolt), rk3399.dtsi coefficients.
    assert [o.freq_hz / 1e6 for o in A53.opps] == [408, 600, 816, 1008, 1200, 1416]
    assert [o.volt_v for o in A53.opps] == pytest.approx([0.80, 0.80, 0.85, 0.925, 1.00, 1.125])
    assert [o.freq_hz / 1e6 for o in A72.opps] == [408, 600, 816, 1008, 1200, 1416, 1608, 1800]
    assert [o.volt_v for o in A72.opps] == pytest.approx([0.80, 0.80, 0.825, 0.875, 0.95, 1.025, 1.10, 1.20])
    assert (A53.capacitance, A72.capacitance) == (100.0, 436.0)
    assert A72.transition_latency_s == 40e-6  # clock-latency-ns = <40000>
    assert "rk3399" in A72.source


def test_capacitance_conversion():
    # 1 µW/(MHz·V²) = 1e-6 W / (1e6 Hz · V²) = 1e-12 F.
    assert dt_capacitance_to_farad(1.0) == pytest.approx(1e-12)
    assert A72.capacitance_f == pytest.approx(436e-12)
    assert A53.capacitance_f == pytest.approx(100e-12)


def test_dynamic_power_hand_checked():
    p72 = A72.dynamic_power()
    # 436e-12 F · 1.20² V² · 1.8e9 Hz = 436 · 1.44 · 1.8 mW = 1130.112 mW
    assert p72[-1] == pytest.approx(436 * 1.44 * 1.8e-3)
    # 436e-12 · 0.80² · 408e6 = 436 · 0.64 · 0.408 mW = 113.84832 mW
    assert p72[0] == pytest.approx(0.11384832)
    # A53 at 1416 MHz, 1.125 V: 100e-12 · 1.265625 · 1.416e9 = 0.1792125 W
    assert A53.dynamic_power()[-1] == pytest.approx(0.1792125)
    # Linux EM unit path: µW = C · V² · MHz → 436 · 1.44 · 1800 µW = 1130112 µW
    assert p72[-1] == pytest.approx(436 * 1.44 * 1800 * 1e-6)
    assert A72.dynamic_power(0.5, cores=2)[-1] == pytest.approx(p72[-1])


def test_lookup():
    assert A72.opp(1.008e9) == OPP(1.008e9, 0.875)
    assert A72.at_least(1.0e9).freq_hz == 1.008e9
    assert A72.at_least(1.008e9).freq_hz == 1.008e9
    assert A72.nearest(1.08e9).freq_hz == 1.008e9  # |1080-1008| = 72 < |1200-1080| = 120
    with pytest.raises(ValueError, match="freq_hz must be one of the OPPs"):
        A72.index(1.0e9)
    with pytest.raises(ValueError, match="freq_hz must be <= the highest"):
        A72.at_least(2.0e9)
    with pytest.raises(KeyError, match="rk3399-a72"):
        npc.power.opp_table("rk3399-a76")


def test_opp_table_bad_input():
    ok = (OPP(1e9, 0.9), OPP(2e9, 1.0))
    with pytest.raises(ValueError, match="at least one"):
        OPPTable("t", (), 100.0, "test")
    with pytest.raises(ValueError, match="strictly increasing frequency"):
        OPPTable("t", ok[::-1], 100.0, "test")
    with pytest.raises(ValueError, match="strictly increasing frequency"):
        OPPTable("t", (OPP(1e9, 0.9), OPP(1e9, 0.9)), 100.0, "test")
    with pytest.raises(ValueError, match="voltage must not decrease"):
        OPPTable("t", (OPP(1e9, 1.0), OPP(2e9, 0.9)), 100.0, "test")
    with pytest.raises(ValueError, match="capacitance"):
        OPPTable("t", ok, -1.0, "test")
    with pytest.raises(ValueError, match="OPP.freq_hz"):
        OPP(-1e9, 1.0)
    with pytest.raises(ValueError, match="OPP.volt_v"):
        OPP(1e9, 0.0)
    with pytest.raises(ValueError, match="activity"):
        A72.dynamic_power(1.5)


# --- phases ----------------------------------------------------------------------------------------
def test_phase_time_conventions():
    p_sum = dvfs.Phase("p", cycles=2e9, mem_time_s=0.5, overlap="sum")
    p_max = dvfs.Phase("p", cycles=2e9, mem_time_s=0.5, overlap="max")
    assert p_sum.time_s(1e9) == pytest.approx(0.5 + 2.0)
    assert p_max.time_s(1e9) == pytest.approx(2.0)
    assert p_max.time_s(8e9) == pytest.approx(0.5)  # 2e9/8e9 = 0.25 < 0.5
    assert np.allclose(p_sum.time_s(np.array([1e9, 2e9])), [2.5, 1.5])


@given(cycles=st.floats(0, 1e10), mem=st.floats(1e-6, 10), f1=st.floats(1e8, 5e9), f2=st.floats(1e8, 5e9))
def test_memory_bound_time_does_not_depend_on_f(cycles, mem, f1, f2):
    # With overlap, work whose compute fits under the memory time takes exactly t_mem at any f.
    ph = dvfs.Phase("m", cycles=min(cycles, mem * min(f1, f2)), mem_time_s=mem, overlap="max")
    assert ph.time_s(f1) == pytest.approx(mem, rel=1e-12)
    assert ph.time_s(f2) == pytest.approx(mem, rel=1e-12)
    # Pure memory work (no cycles) in the stalling convention too.
    assert dvfs.Phase("m", 0.0, mem).time_s(f1) == pytest.approx(mem)


@given(cycles=st.floats(1e3, 1e12), v1=st.floats(0.5, 1.3), v2=st.floats(0.5, 1.3), f=st.floats(1e8, 3e9),
       ps=st.floats(0, 1))
def test_compute_bound_energy_is_monotone_in_voltage(cycles, v1, v2, f, ps):
    lo, hi = sorted((v1, v2))
    ph = dvfs.Phase("c", cycles)
    e = [dvfs.sweep(ph, OPPTable("t", (OPP(f, volt),), 100.0, "test"), static_power_w=ps).energy_j[0]
         for volt in (lo, hi)]
    assert e[0] <= e[1]
    # and equals C·V²·N + P_s·N/f by hand
    assert e[1] == pytest.approx(100e-12 * hi**2 * cycles + ps * cycles / f, rel=1e-9)


def test_sweep_hand_checked():
    ph = dvfs.Phase("c", cycles=1.8e9)  # 1 s at 1.8 GHz
    s = dvfs.sweep(ph, A72, static_power_w=0.1, idle_power_w=0.03, period_s=5.0)
    # 1800 MHz: busy 1 s at 1.130112 + 0.1 W, idle 4 s at 0.03 W
    assert s.time_s[-1] == pytest.approx(1.0)
    assert s.busy_energy_j[-1] == pytest.approx(1.230112)
    assert s.idle_energy_j[-1] == pytest.approx(0.12)
    # 408 MHz: 1.8e9/408e6 = 4.4118 s busy; energy = C·V²·N + P_s·t + P_idle·(5 - t)
    t408 = 1.8e9 / 408e6
    assert s.energy_j[0] == pytest.approx(436e-12 * 0.64 * 1.8e9 + 0.1 * t408 + 0.03 * (5 - t408))
    assert s.feasible.all()


def _brute_min(phase, table, bound, period, ps, pi):
    best = None
    for i, o in enumerate(table.opps):
        t = phase.cycles / o.freq_hz + phase.mem_time_s if phase.overlap == "sum" else \
            max(phase.mem_time_s, phase.cycles / o.freq_hz)
        if bound is not None and t > bound:
            continue
        e = (table.capacitance_f * o.volt_v**2 * o.freq_hz * phase.activity + ps) * t
        if period is not None:
            e += pi * (period - t)
        if best is None or e < best[0] - 1e-18:
            best = (e, i)
    return best


@given(cycles=st.floats(1e6, 5e9), mem=st.floats(0, 2), overlap=st.sampled_from(["sum", "max"]),
       bound=st.one_of(st.none(), st.floats(0.05, 20)), ps=st.floats(0, 0.5), pi=st.floats(0, 0.05),
       act=st.floats(0.1, 1), table=st.sampled_from([A53, A72]))
def test_min_energy_opp_matches_brute_force(cycles, mem, overlap, bound, ps, pi, act, table):
    ph = dvfs.Phase("w", cycles, mem, overlap, act)
    period = None if bound is None else bound * 1.5
    want = _brute_min(ph, table, bound, period, ps, pi)
    if want is None:
        with pytest.raises(ValueError, match="latency_bound_s"):
            dvfs.min_energy_opp(ph, table, latency_bound_s=bound, period_s=period, static_power_w=ps, idle_power_w=pi)
        return
    got = dvfs.min_energy_opp(ph, table, latency_bound_s=bound, period_s=period, static_power_w=ps, idle_power_w=pi)
    assert got.energy_j == pytest.approx(want[0], rel=1e-9)
    assert got.time_s <= (bound or np.inf) * (1 + 1e-12)


def test_critical_frequency_is_the_derived_minimum():
    f = npc.formulas.get("dvfs_critical_frequency")
    syms = {s.name: s.symbol for s in f.symbols}
    P_s, a, C, k = syms["P_s"], syms["alpha"], syms["C"], syms["k"]
    # Hand derivation: E = a·C·k²·f²·N + P_s·N/f;  dE/df = 2a·C·k²·f·N − P_s·N/f² = 0  ⇒  f³ = P_s/(2a·C·k²)
    assert sp.simplify(f.expr**3 - P_s / (2 * a * C * k**2)) == 0
    e = npc.formulas.get("dvfs_energy_compute_v_prop_f")
    vals = dict(P_s=0.2, alpha=1.0, C=436e-12, k=1.2 / 1.8e9, N=1e9)
    fs = float(f(**{n: vals[n] for n in f.args}))
    e0 = e(f=fs, **{n: vals[n] for n in e.args if n != "f"})
    for g in (0.9 * fs, 1.1 * fs):
        assert e(f=g, **{n: vals[n] for n in e.args if n != "f"}) > e0


def test_race_derivative_keeps_the_idle_term():
    d = npc.formulas.get("dvfs_race_derivative")
    s = {i.name: i.symbol for i in d.symbols}
    # d/df [ (C V² f + P_s)·N/f + P_idle·(T − N/f) ] = −P_s·N/f² + P_idle·N/f²
    assert sp.simplify(d.expr - (s["P_idle"] - s["P_s"]) * s["N"] / s["f"] ** 2) == 0


# --- transformer preset and schedules ----------------------------------------------------------------
def test_transformer_phases_counted_by_hand():
    pre, dec = dvfs.transformer_b1_phases()
    d, ff, L, P, G = 512, 2048, 6, 128, 64
    macs_layer = 4 * d * d + 2 * d * ff  # Q, K, V, O + FFN up/down per token
    assert pre.cycles == pytest.approx(P * L * macs_layer / 16)
    assert dec.cycles == pytest.approx(G * L * macs_layer / 16)
    # decode: every step reads all int8 weights (1 B each) plus its tiny activations
    w_bytes = L * macs_layer
    assert dec.mem_time_s > G * w_bytes / 6.4e9
    assert dec.mem_time_s == pytest.approx(G * w_bytes / 6.4e9, rel=0.01)
    # prefill compute-bound, decode memory-bound at 1.8 GHz
    assert pre.cycles / 1.8e9 > 10 * pre.mem_time_s
    assert dec.mem_time_s > 2 * dec.cycles / 1.8e9


def test_simulate_schedule_hand_checked():
    phases = (dvfs.Phase("a", 1.8e9), dvfs.Phase("b", 0.408e9, 0.5))
    r = dvfs.simulate_schedule(phases, [("a", 1.8e9), ("b", 408e6)], A72, static_power_w=0.1,
                               transition_energy_j=1e-3)
    # a: 1 s at 1.130112 + 0.1 W;  b: 1 s compute + 0.5 s memory at 0.11384832 + 0.1 W; one switch of 40 µs.
    assert r.latency_s == pytest.approx(1.0 + 1.5 + 40e-6)
    assert r.energy_j == pytest.approx(1.230112 + 1.5 * 0.21384832 + 1e-3 + 0.1 * 40e-6)
    assert r.transitions == 1
    same = dvfs.simulate_schedule(phases, {"a": 1.8e9, "b": 1.8e9}, A72)
    assert same.transitions == 0
    split = dvfs.simulate_schedule(phases, [("a", 1.8e9), ("b", 1.8e9, 0.5), ("b", 408e6, 0.5)], A72,
                                   transition_latency_s=0.0)
    assert split.latency_s == pytest.approx(1.0 + 0.5 * (0.408e9 / 1.8e9 + 0.5) + 0.5 * 1.5)


def test_check_dvfs_target_exercise_21_3():
    setup = dvfs.exercise_21_3()
    base = dvfs.check_dvfs_target(schedule=dvfs.max_frequency_schedule(setup["phases"], setup["table"]), **setup)
    assert base.energy_saving == 0.0 and base.latency_increase == 0.0 and not base.passed
    # Exhaustive over the 64 two-phase schedules: the check agrees with its definition.
    f = setup["table"].freqs_hz
    passing = []
    for fp, fd in itertools.product(f, f):
        r = dvfs.check_dvfs_target(schedule={"prefill": fp, "decode": fd}, **setup)
        assert r.passed == (1 - r.candidate.energy_j / r.baseline.energy_j >= 0.30
                            and r.candidate.latency_s / r.baseline.latency_s - 1 <= 0.20)
        if r.passed:
            passing.append((fp, fd))
    assert (1.8e9, 1.008e9) in passing  # prefill fast, memory-bound decode slow
    # The same schedule by hand: t = t_mem + N/f, P = C·V²·f + 0.1 W, one 40 µs switch.
    pre, dec = setup["phases"]
    p18, p10 = 436e-12 * 1.2**2 * 1.8e9 + 0.1, 436e-12 * 0.875**2 * 1.008e9 + 0.1
    t_pre, t_dec18, t_dec10 = (pre.mem_time_s + pre.cycles / 1.8e9, dec.mem_time_s + dec.cycles / 1.8e9,
                               dec.mem_time_s + dec.cycles / 1.008e9)
    e_base, e_new = p18 * (t_pre + t_dec18), p18 * t_pre + p10 * t_dec10 + 0.1 * 40e-6
    r = dvfs.check_dvfs_target(schedule={"prefill": 1.8e9, "decode": 1.008e9}, **setup)
    assert r.energy_saving == pytest.approx(1 - e_new / e_base)
    assert r.latency_increase == pytest.approx((t_pre + t_dec10 + 40e-6) / (t_pre + t_dec18) - 1)


def test_schedule_bad_input():
    phases = (dvfs.Phase("a", 1e9), dvfs.Phase("b", 1e9))
    with pytest.raises(KeyError, match="unknown phase 'c'"):
        dvfs.simulate_schedule(phases, {"a": 1.8e9, "c": 1.8e9}, A72)
    with pytest.raises(ValueError, match="exactly once"):
        dvfs.simulate_schedule(phases, {"a": 1.8e9}, A72)
    with pytest.raises(ValueError, match="exactly once"):
        dvfs.simulate_schedule(phases, [("a", 1.8e9), ("a", 1.8e9), ("b", 1.8e9)], A72)
    with pytest.raises(ValueError, match="phase order"):
        dvfs.simulate_schedule(phases, [("b", 1.8e9), ("a", 1.8e9)], A72)
    with pytest.raises(ValueError, match="OPPs of rk3399-a72"):
        dvfs.simulate_schedule(phases, {"a": 1.0e9, "b": 1.8e9}, A72)
    with pytest.raises(ValueError, match="unique names"):
        dvfs.simulate_schedule((phases[0], phases[0]), {"a": 1.8e9}, A72)
    with pytest.raises(ValueError, match="at least one Phase"):
        dvfs.simulate_schedule((), {}, A72)
    with pytest.raises(ValueError, match="static_power_w"):
        dvfs.simulate_schedule(phases, {"a": 1.8e9, "b": 1.8e9}, A72, static_power_w=-1)
    with pytest.raises(ValueError, match="min_energy_saving"):
        dvfs.check_dvfs_target(phases, {"a": 1.8e9, "b": 1.8e9}, A72, min_energy_saving=1.5)


def test_phase_bad_input():
    with pytest.raises(ValueError, match="cycles"):
        dvfs.Phase("p", -1.0)
    with pytest.raises(ValueError, match="overlap"):
        dvfs.Phase("p", 1.0, overlap="min")
    with pytest.raises(ValueError, match="activity"):
        dvfs.Phase("p", 1.0, activity=-0.1)
    with pytest.raises(ValueError, match="nothing to run"):
        dvfs.Phase("p", 0.0, 0.0)
    with pytest.raises(ValueError, match="freq_hz"):
        dvfs.Phase("p", 1.0).time_s(-1e9)
    with pytest.raises(ValueError, match="period_s"):
        dvfs.sweep(dvfs.Phase("p", 1.0), A72, period_s=0.0)
    with pytest.raises(ValueError, match="macs_per_cycle"):
        dvfs.phase_from_cost(npc.ops.gemm(8, 8, 8), macs_per_cycle=0, bandwidth_bps=1e9)


@given(cycles=st.floats(1, 1e10), mem=st.floats(0, 10), f=st.floats(1e6, 1e10),
       overlap=st.sampled_from(["sum", "max"]))
def test_no_nan_or_negative_time(cycles, mem, f, overlap):
    t = dvfs.Phase("p", cycles, mem, overlap).time_s(f)
    assert np.isfinite(t) and t > 0
