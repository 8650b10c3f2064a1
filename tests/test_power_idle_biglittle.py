"""Idle states, race-to-idle (npc.power.idle) and big.LITTLE (npc.power.biglittle)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import npucourse as npc
from npucourse.power import biglittle as bl, dvfs, idle
from npucourse.power.idle import CState, IdleStates

A72 = npc.power.opp_table("rk3399-a72")


def _three(e1=20e-6, e2=60e-6):
    return IdleStates("t", (CState("wfi", 0, 0, 0.030), CState("core-off", 100e-6, 200e-6, 0.010, None, e1),
                            CState("cluster-off", 300e-6, 400e-6, 0.0, None, e2)), "test")


def test_break_even_hand_derived():
    s = _three()
    # P0·t = E_tr + Pc·(t − t_tr)  ⇒  t = (E_tr − Pc·t_tr)/(P0 − Pc)
    # core-off: (20e-6 − 0.010·300e-6)/(0.030 − 0.010) = 17e-6/0.02 = 850 µs
    assert s.break_even_s(1) == pytest.approx(850e-6)
    # cluster-off: (60e-6 − 0)/0.030 = 2000 µs
    assert s.break_even_s(2) == pytest.approx(2000e-6)
    # break-even is never shorter than the transition: E_tr tiny → t_tr = 300 µs
    assert _three(e1=1e-9).break_even_s(1) == pytest.approx(300e-6)
    assert s.break_even_s(0) == 0.0


def test_idle_energy_and_choice():
    s = _three()
    # 1 ms in core-off: 20 µJ + 0.010 W · (1000 − 300) µs = 27 µJ; in WFI 30 µJ
    assert s.idle_energy_j(1, 1e-3) == pytest.approx(27e-6)
    assert s.idle_energy_j(0, 1e-3) == pytest.approx(30e-6)
    assert s.choose(500e-6) == 0
    assert s.choose(1e-3) == 1
    assert s.choose(3e-3) == 2
    assert s.choose(3e-3, latency_limit_s=300e-6) == 1  # cluster-off exits in 400 µs
    with pytest.raises(ValueError, match="entry\\+exit latency"):
        s.idle_energy_j(2, 100e-6)


def test_rk3399_presets_reproduce_min_residency():
    st72 = idle.get("rk3399-a72")
    assert [x.name for x in st72.states] == ["WFI", "CPU_SLEEP", "CLUSTER_SLEEP"]
    assert (st72.states[1].entry_s, st72.states[1].exit_s) == (120e-6, 250e-6)
    assert (st72.states[2].entry_s, st72.states[2].exit_s) == (400e-6, 500e-6)
    # Transition energies are implied by the device tree's min-residency, so the model's
    # break-even must give those values back: 900 µs and 2000 µs.
    assert st72.break_even_s(1) == pytest.approx(900e-6)
    assert st72.break_even_s(2) == pytest.approx(2000e-6)
    # implied E_tr of CPU_SLEEP: P0·t_be − Pc·(t_be − t_tr) = 0.034·900e-6 − 0.009·(900 − 370)e-6
    assert st72.transition_energy_j(1) == pytest.approx(0.034 * 900e-6 - 0.009 * 530e-6)
    with pytest.raises(KeyError, match="rk3399-a72"):
        idle.get("rk3588")
    with pytest.raises(KeyError, match="WFI"):
        st72.index("C6")


@given(gap=st.floats(0, 0.05), limit=st.one_of(st.none(), st.floats(0, 1e-3)))
def test_governor_never_worse_than_wfi_and_oracle_is_best(gap, limit):
    s = idle.get("rk3399-a72")
    g, o = s.choose(gap, limit), s.best(gap, limit)
    e_g, e_o, e_w = s.idle_energy_j(g, gap), s.idle_energy_j(o, gap), s.idle_energy_j(0, gap)
    assert e_g <= e_w * (1 + 1e-12)
    assert e_o <= e_g * (1 + 1e-12)
    for i, cs in enumerate(s.states):  # the oracle beats every admissible state
        if cs.transition_s <= gap and (limit is None or cs.exit_s <= limit):
            assert e_o <= s.idle_energy_j(i, gap) * (1 + 1e-12)


def test_periodic_energy_hand_checked():
    s = _three()
    # busy 2 ms using 5 mJ, period 5 ms: gap 3 ms → cluster-off: 60 µJ + 0
    pe = idle.periodic_energy(5e-3, 2e-3, 5e-3, s)
    assert pe.state == "cluster-off"
    assert pe.energy_j == pytest.approx(5e-3 + 60e-6)
    assert pe.average_power_w == pytest.approx((5e-3 + 60e-6) / 5e-3)
    with pytest.raises(ValueError, match="busy_s must be <= period_s"):
        idle.periodic_energy(1e-3, 2e-3, 1.0, s)
    with pytest.raises(ValueError, match="selection"):
        idle.periodic_energy(5e-3, 1e-3, 1.0, s, selection="menu")


def test_race_to_idle_depends_on_static_power():
    s = idle.get("rk3399-a72")
    ph = dvfs.Phase("burst", 20e6)
    slow = idle.race_to_idle(ph, A72, 0.05, s, static_power_w=0.0)
    assert slow.race == len(A72) - 1 and slow.steady == 0
    # With no static power dynamic energy per cycle C·V² is smallest at the voltage floor, and the
    # idle gap is long enough for cluster sleep at every OPP: a low OPP wins over racing.
    assert A72.volts_v[slow.best] == A72.volts_v.min()
    assert slow.energy_j[slow.best] < slow.energy_j[slow.race]
    # Hand check of the race entry: 20e6 cycles at 1.8 GHz = 11.11 ms at 1.130112 W, then 38.89 ms
    # in CLUSTER_SLEEP (0 W) after paying its implied transition energy 0.034 W · 2 ms.
    t = 20e6 / 1.8e9
    assert slow.energy_j[-1] == pytest.approx(1.130112 * t + 0.034 * 2e-3)
    with pytest.raises(ValueError, match="period_s"):
        idle.race_to_idle(ph, A72, 1e-3, s)


def test_idle_states_bad_input():
    with pytest.raises(ValueError, match="at least one state"):
        IdleStates("x", (), "t")
    with pytest.raises(ValueError, match="power must not increase"):
        IdleStates("x", (CState("a", 0, 0, 0.01), CState("b", 1e-6, 1e-6, 0.02, None, 1e-6)), "t")
    with pytest.raises(ValueError, match="reference"):
        IdleStates("x", (CState("a", 1e-6, 0, 0.01),), "t")
    with pytest.raises(ValueError, match="transition_energy_j or min_residency_s"):
        IdleStates("x", (CState("a", 0, 0, 0.01), CState("b", 1e-6, 1e-6, 0.0)), "t")
    with pytest.raises(ValueError, match="min_residency_s must be >= entry_s \\+ exit_s"):
        CState("b", 1e-3, 1e-3, 0.0, 1e-3)
    with pytest.raises(ValueError, match="power_w"):
        CState("b", 0, 0, -1.0)


# --- big.LITTLE --------------------------------------------------------------------------------------
def test_core_presets_and_energy_per_instruction():
    a53, a72 = bl.core("rk3399-a53"), bl.core("rk3399-a72")
    assert a53.ipc == pytest.approx(485 / 1024) and a72.ipc == 1.0  # capacity-dmips-mhz
    s = bl.task_sweep(1e9, a53)
    # 1e9 instructions / IPC 0.4736 = 2.1113e9 cycles; at 408 MHz: 5.175 s, energy 100e-12·0.64·cycles
    cycles = 1e9 * 1024 / 485
    assert s.time_s[0] == pytest.approx(cycles / 408e6)
    assert s.energy_j[0] == pytest.approx(100e-12 * 0.64 * cycles)
    assert bl.core("rk3399-a53", ipc=0.6).ipc == 0.6
    with pytest.raises(KeyError, match="rk3399-a53"):
        bl.core("a55")
    with pytest.raises(ValueError, match="ipc"):
        bl.core("rk3399-a53", ipc=0.0)


def test_best_core_under_deadline():
    a53, a72 = bl.core("rk3399-a53"), bl.core("rk3399-a72")
    free = bl.best_core(1e9, (a53, a72))
    assert free.core == "rk3399-a53" and free.freq_hz == 408e6  # cheapest per instruction
    # A53 at its best needs 1e9·1024/485/1.416e9 = 1.491 s; a 1 s deadline forces the A72.
    tight = bl.best_core(1e9, (a53, a72), deadline_s=1.0)
    assert tight.core == "rk3399-a72"
    assert tight.time_s <= 1.0
    with pytest.raises(ValueError, match="deadline_s"):
        bl.best_core(1e9, (a53, a72), deadline_s=0.1)
    with pytest.raises(ValueError, match="at least one CoreType"):
        bl.best_core(1e9, ())


def test_migration_break_even_hand_checked():
    a53, a72 = bl.core("rk3399-a53"), bl.core("rk3399-a72")
    m = bl.migration_break_even(a53, 1.416e9, a72, 1.8e9, migration_time_s=160e-6, migration_energy_j=50e-6)
    r1, r2 = 485 / 1024 * 1.416e9, 1.8e9
    assert (m.rate_from, m.rate_to) == (pytest.approx(r1), pytest.approx(r2))
    # W/r1 = t_mig + W/r2  ⇒  W = t_mig·r1·r2/(r2 − r1)
    assert m.instructions_for_time == pytest.approx(160e-6 * r1 * r2 / (r2 - r1))
    assert m.instructions_for_energy == np.inf  # the A72 costs more energy per instruction
    back = bl.migration_break_even(a72, 1.8e9, a53, 408e6, migration_time_s=160e-6, migration_energy_j=50e-6)
    e1, e2 = 436e-12 * 1.44, 100e-12 * 0.64 * 1024 / 485  # C·V²/IPC
    assert back.instructions_for_energy == pytest.approx(50e-6 / (e1 - e2))
    assert back.instructions_for_time == np.inf
    # time saved is a time: T_rem·(1 − r1/r2)
    assert bl.migration_time_saved(1e-3, r1, r2) == pytest.approx(1e-3 * (1 - r1 / r2))


@given(w=st.floats(1e3, 1e10), t_mig=st.floats(1e-6, 1e-2))
def test_migrating_beyond_break_even_saves_time(w, t_mig):
    a53, a72 = bl.core("rk3399-a53"), bl.core("rk3399-a72")
    m = bl.migration_break_even(a53, 1.416e9, a72, 1.8e9, migration_time_s=t_mig, migration_energy_j=0.0)
    stay, move = w / m.rate_from, t_mig + w / m.rate_to
    if w > m.instructions_for_time * (1 + 1e-9):
        assert move < stay
    elif w < m.instructions_for_time * (1 - 1e-9):
        assert move > stay
