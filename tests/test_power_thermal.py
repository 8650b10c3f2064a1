"""Thermal RC model, throttling, leakage and reliability (npc.power.thermal)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings, strategies as st

import npucourse as npc
from npucourse.power import thermal as th

A72 = npc.power.opp_table("rk3399-a72")
RC = th.get("passive-mobile")  # R = 15 K/W, C = 5 J/K, 25 °C
K = 8.617e-5


def test_step_response_is_the_solution_of_the_ode():
    f = npc.formulas.get("thermal_step_response")
    s = {i.name: i.symbol for i in f.symbols}
    T, t = f.expr, s["t"]
    P, R, C, Ta, T0 = s["P"], s["R"], s["C"], s["T_amb"], s["T_0"]
    # C·dT/dt = P − (T − T_amb)/R and T(0) = T_0
    assert sp.simplify(C * sp.diff(T, t) - (P - (T - Ta) / R)) == 0
    assert sp.simplify(T.subs(t, 0) - T0) == 0
    # the closed form written by hand
    assert sp.simplify(T - (Ta + P * R + (T0 - Ta - P * R) * sp.exp(-t / (R * C)))) == 0


@pytest.mark.parametrize("t_s", [0.0, 10.0, 75.0, 300.0, 1e4])
def test_step_response_numeric_equals_closed_form(t_s):
    # T(t) = 298.15 + 2·15·(1 − e^{−t/75}) from ambient
    assert RC.step_k(2.0, t_s) == pytest.approx(298.15 + 30.0 * (1 - math.exp(-t_s / 75.0)))
    # from 350 K with no power: 298.15 + (350 − 298.15)·e^{−t/75}
    assert RC.step_k(0.0, t_s, 350.0) == pytest.approx(298.15 + 51.85 * math.exp(-t_s / 75.0))


@settings(max_examples=40)
@given(p=st.floats(0, 50), r=st.floats(0.1, 50), c=st.floats(0.1, 100), t0=st.floats(250, 400),
       dt=st.floats(0.001, 50), n=st.integers(1, 20))
def test_rc_symbolic_equals_numeric(p, r, c, t0, dt, n):
    # the sympy expression, evaluated exactly at t = n·dt, against n exact-discretisation steps
    f = npc.formulas.get("thermal_step_response")
    vals = dict(P=p, R=r, C=c, T_amb=298.15, T_0=t0, t=n * dt)
    want = float(f.expr.evalf(30, subs={i.symbol: sp.Float(vals[i.name], 30) for i in f.symbols}))
    rc = th.ThermalRC("t", r, c, 298.15, "test")
    got = rc.simulate(np.full(n, p), dt, t0_k=t0)[-1]
    assert got == pytest.approx(want, rel=1e-9, abs=1e-9)


def test_steady_state_budget_and_time_to_limit():
    assert RC.tau_s == 75.0
    assert RC.steady_state_k(2.0) == pytest.approx(328.15)
    # (85 − 25) K / 15 K/W = 4 W
    assert RC.sustainable_power_w(th.kelvin(85.0)) == pytest.approx(4.0)
    # 10 W: T_ss = 25 + 150 °C; reach 85 °C after 75·ln(150/90) s
    t = RC.time_to_limit_s(10.0, th.kelvin(85.0))
    assert t == pytest.approx(75.0 * math.log(150.0 / 90.0))
    assert RC.step_k(10.0, t) == pytest.approx(th.kelvin(85.0))
    assert RC.time_to_limit_s(3.0, th.kelvin(85.0)) == math.inf
    assert RC.time_to_limit_s(10.0, th.kelvin(85.0), th.kelvin(90.0)) == 0.0


def test_simulation_methods_agree_with_the_closed_form():
    p = np.full(300, 3.0)
    exact = RC.simulate(p, 1.0)
    ts = np.arange(301) * 1.0
    assert np.allclose(exact, 298.15 + 45.0 * (1 - np.exp(-ts / 75.0)), rtol=0, atol=1e-9)
    errs = {}
    for dt in (1.0, 0.1):
        n = int(round(300 / dt))
        ref = RC.step_k(3.0, 300.0)
        errs[dt] = {m: abs(RC.simulate(np.full(n, 3.0), dt, method=m)[-1] - ref) for m in ("euler", "implicit")}
        e, i = RC.simulate(np.full(n, 3.0), dt, method="euler"), RC.simulate(np.full(n, 3.0), dt, method="implicit")
        ex = RC.simulate(np.full(n, 3.0), dt)
        # heating from below: explicit Euler runs ahead of the exact solution, implicit lags behind
        assert np.all(e >= ex - 1e-9) and np.all(i <= ex + 1e-9)
    for m in ("euler", "implicit"):  # first order: 10× smaller step, ~10× smaller error
        assert errs[0.1][m] < errs[1.0][m] / 5


def test_leakage_grows_with_temperature_and_the_draft_does_not():
    lk = th.Leakage(1.0, th.kelvin(25.0))
    # (358.15/298.15)²·exp(0.3/(1.5·k)·(1/298.15 − 1/358.15))
    want = (358.15 / 298.15) ** 2 * math.exp(0.3 / (1.5 * K) * (1 / 298.15 - 1 / 358.15))
    assert lk.ratio(th.kelvin(85.0)) == pytest.approx(want)
    assert lk.ratio(th.kelvin(25.0)) == pytest.approx(1.0)
    # The draft's exp(+V/kT): (358.15/298.15)²·exp(0.3/k·(1/358.15 − 1/298.15)) < 1
    bad = th.draft_leakage_ratio(th.kelvin(85.0), th.kelvin(25.0), 0.3)
    assert bad == pytest.approx((358.15 / 298.15) ** 2 * math.exp(0.3 / K * (1 / 358.15 - 1 / 298.15)))
    assert bad < 1


@given(t1=st.floats(200, 500), t2=st.floats(200, 500), vth=st.floats(0.05, 0.7), n=st.floats(1.0, 2.0))
def test_leakage_is_monotone_in_temperature(t1, t2, vth, n):
    lo, hi = sorted((t1, t2))
    lk = th.Leakage(0.5, 300.0, vth, n)
    assert lk.power_w(lo) <= lk.power_w(hi) * (1 + 1e-12)


def test_leakage_fixed_point():
    lk = th.Leakage(0.1, th.kelvin(25.0))
    fp = th.leakage_fixed_point(RC, 2.0, lk)
    assert fp.exists
    # T* = T_amb + R·(P_dyn + P_leak(T*))
    assert fp.temp_k == pytest.approx(RC.t_amb_k + 15.0 * (2.0 + lk.power_w(fp.temp_k)), abs=1e-6)
    assert 0 < fp.loop_gain < 1
    # brute force: the monotone iteration T ← T_amb + R·P(T) converges to the lowest fixed point
    t = RC.t_amb_k
    for _ in range(2000):
        t = RC.t_amb_k + 15.0 * (2.0 + lk.power_w(t))
    assert fp.temp_k == pytest.approx(t, abs=1e-6)
    # no leakage: the plain steady state
    assert th.leakage_fixed_point(RC, 2.0, th.Leakage(0.0, 300.0)).temp_k == pytest.approx(328.15, abs=1e-6)
    # too much leakage: the iteration diverges past the search limit — runaway
    run = th.leakage_fixed_point(RC, 3.0, th.Leakage(0.3, th.kelvin(25.0)))
    assert not run.exists and run.temp_k == math.inf
    t = RC.t_amb_k
    for _ in range(200):
        t = RC.t_amb_k + 15.0 * (3.0 + th.Leakage(0.3, th.kelvin(25.0)).power_w(min(t, 600.0)))
    assert t > 600.0


def test_sustained_opp_hand_checked():
    # two A72 cores + 0.2 W static. Limit 60 °C: budget (60 − 25)/15 = 2.333 W.
    # 1800 MHz: 2·1.130112 + 0.2 = 2.460 W > 2.333;  1608 MHz: 2·0.848316 + 0.2 = 1.897 W ≤ 2.333
    s = th.sustained_opp(A72, RC, th.kelvin(60.0), static_power_w=0.2, cores=2)
    assert s.opp.freq_hz == 1.608e9
    assert s.power_w == pytest.approx(2 * 436e-12 * 1.1**2 * 1.608e9 + 0.2)
    assert s.relative_throughput == pytest.approx(1608 / 1800)
    with pytest.raises(ValueError, match="t_max_k"):
        th.sustained_opp(A72, RC, th.kelvin(26.0), static_power_w=0.2, cores=2)


def test_draft_levels_and_hysteresis():
    pol = th.ThrottlePolicy.draft_levels(A72, 340.0, 360.0, hysteresis_k=5.0)
    assert [tp.up_k for tp in pol.trips] == [330.0, 340.0, 360.0]
    assert [tp.freq_cap_hz for tp in pol.trips] == pytest.approx([1.62e9, 1.26e9, 0.9e9])
    assert pol.update(329.0, 0) == 0
    assert pol.update(341.0, 0) == 2
    assert pol.update(336.0, 2) == 2  # inside the hysteresis band of level 2 (down 335)
    assert pol.update(334.0, 2) == 1
    assert pol.update(300.0, 3) == 0


@given(r=st.floats(1, 20), c=st.floats(1, 50), dt=st.floats(0.01, 5), up=st.floats(310, 380),
       hyst=st.floats(0.5, 10), static=st.floats(0, 0.5), cap_i=st.integers(0, 6), u=st.floats(0.2, 1))
def test_throttling_overshoot_is_at_most_one_step(r, c, dt, up, hyst, static, cap_i, u):
    rc = th.ThermalRC("t", r, c, 298.15, "test")
    p = u * A72.dynamic_power(cores=2) + static
    assume(rc.steady_state_k(p[cap_i]) < up - hyst)  # the top level can hold the temperature
    pol = th.ThrottlePolicy((th.TripPoint(up - 15.0, up - 15.0 - hyst, A72.freqs_hz[min(cap_i + 1, 7)]),
                             th.TripPoint(up, up - hyst, A72.freqs_hz[cap_i])))
    tr = th.simulate_throttling(A72, rc, pol, utilisation=u, steps=400, dt_s=dt, static_power_w=static, cores=2)
    t_ss = rc.steady_state_k(p[-1])
    bound = up + max(t_ss - up, 0.0) * (1 - math.exp(-dt / rc.tau_s))
    assert tr.max_temp_k <= max(bound, t_ss) + 1e-9
    assert np.all(tr.freq_hz <= A72.f_max) and np.all(np.isfinite(tr.temp_k))


def test_throttle_trace_shape_and_throughput():
    pol = th.ThrottlePolicy.draft_levels(A72, th.kelvin(55.0), th.kelvin(65.0))
    u = np.r_[np.full(100, 1.0), np.full(50, 0.5)]
    tr = th.simulate_throttling(A72, RC, pol, utilisation=u, dt_s=1.0, cores=2, static_power_w=0.2)
    assert tr.temp_k.size == 151 and tr.freq_hz.size == 150
    assert np.allclose(tr.throughput, u * tr.freq_hz)
    assert tr.freq_hz[0] == A72.f_max and tr.freq_hz.min() < A72.f_max  # it heats past 45 °C and throttles


def test_arrhenius_acceleration_factor():
    # E_a = 0.7 eV, 55 °C use, 125 °C stress: exp(0.7/k·(1/328.15 − 1/398.15))
    want = math.exp(0.7 / K * (1 / 328.15 - 1 / 398.15))
    assert th.acceleration_factor(0.7, 328.15, 398.15) == pytest.approx(want)
    assert 70 < want < 85  # the familiar ~78×
    assert th.acceleration_factor(0.7, 350.0, 350.0) == pytest.approx(1.0)
    assert th.acceleration_factor(0.7, 300.0, 350.0) == pytest.approx(1 / th.acceleration_factor(0.7, 350.0, 300.0))
    assert th.mttf_at_use(1000.0, 0.7, 328.15, 398.15) == pytest.approx(1000.0 * want)
    assert np.allclose(th.acceleration_factor(0.7, np.array([300.0, 320.0]), 400.0),
                       [math.exp(0.7 / K * (1 / 300 - 1 / 400)), math.exp(0.7 / K * (1 / 320 - 1 / 400))])


def test_series_chain():
    tj, tc = th.series_temperatures(5.0, 298.15, 2.0, 1.0, 10.0)
    assert tj == pytest.approx(298.15 + 5 * 13) and tc == pytest.approx(298.15 + 5 * 11)


def test_thermal_bad_input():
    with pytest.raises(ValueError, match="kelvin > 0 K"):
        th.acceleration_factor(0.7, 0.0, 400.0)
    with pytest.raises(ValueError, match="t_stress_k"):
        th.acceleration_factor(0.7, 300.0, -5.0)
    with pytest.raises(ValueError, match="ea_ev"):
        th.acceleration_factor(-0.1, 300.0, 400.0)
    with pytest.raises(ValueError, match="temperature"):
        th.kelvin(-300.0)
    with pytest.raises(ValueError, match="r_k_per_w"):
        th.ThermalRC("x", -1.0, 1.0, 300.0, "t")
    with pytest.raises(ValueError, match="t_amb_k"):
        th.ThermalRC("x", 1.0, 1.0, 0.0, "t")
    with pytest.raises(ValueError, match="power_w"):
        RC.step_k(-1.0, 1.0)
    with pytest.raises(ValueError, match="method"):
        RC.simulate([1.0], 1.0, method="rk4")
    with pytest.raises(ValueError, match="t_max_k must be above the ambient"):
        RC.sustainable_power_w(290.0)
    with pytest.raises(ValueError, match="down_k must be <= up_k"):
        th.TripPoint(340.0, 345.0, 1e9)
    with pytest.raises(ValueError, match="increasing up_k"):
        th.ThrottlePolicy((th.TripPoint(340.0, 335.0, 1e9), th.TripPoint(330.0, 325.0, 5e8)))
    with pytest.raises(ValueError, match="non-increasing freq_cap_hz"):
        th.ThrottlePolicy((th.TripPoint(330.0, 325.0, 5e8), th.TripPoint(340.0, 335.0, 1e9)))
    with pytest.raises(ValueError, match="at least one TripPoint"):
        th.ThrottlePolicy(())
    pol = th.ThrottlePolicy((th.TripPoint(340.0, 335.0, 1e9),))
    with pytest.raises(ValueError, match="utilisation"):
        th.simulate_throttling(A72, RC, pol, utilisation=[0.5, 1.5])
    with pytest.raises(ValueError, match="steps must be given"):
        th.simulate_throttling(A72, RC, pol, utilisation=1.0)
    with pytest.raises(ValueError, match="empty"):
        th.simulate_throttling(A72, RC, pol, utilisation=[])
    with pytest.raises(KeyError, match="passive-mobile"):
        th.get("liquid")
    with pytest.raises(ValueError, match="temp_k"):
        th.Leakage(1.0, 300.0).ratio(-1.0)
