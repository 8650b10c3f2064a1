"""npc.edgecloud.queueing: M/M/1 and M/D/1 textbook values by hand, Little's law, a simulated
M/M/1 queue as brute force, monotonicity in ρ, instability."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npucourse.edgecloud import queueing as Q
from npucourse.edgecloud.link import Link


def test_mm1_by_hand():
    # λ = 8/s, μ = 10/s: ρ = 0.8; W = 1/(10 - 8) = 0.5 s; W_q = 0.8/2 = 0.4 s;
    # L = λW = 4, L_q = λW_q = 3.2 (= ρ²/(1 - ρ) = 0.64/0.2)
    s = Q.mm1(8.0, 10.0)
    assert s.utilization == pytest.approx(0.8)
    assert s.system_time_s == pytest.approx(0.5)
    assert s.waiting_time_s == pytest.approx(0.4)
    assert s.service_time_s == pytest.approx(0.1)
    assert s.number_in_system == pytest.approx(4.0)
    assert s.number_in_queue == pytest.approx(3.2)
    assert s.number_in_system == pytest.approx(0.8 / (1 - 0.8))  # ρ/(1-ρ)


def test_md1_by_hand():
    # M/D/1, λ = 8, μ = 10: W_q = ρ/(2(μ - λ)) = 0.8/4 = 0.2 s (half of M/M/1); W = 0.2 + 0.1
    s = Q.md1(8.0, 10.0)
    assert s.waiting_time_s == pytest.approx(0.2)
    assert s.system_time_s == pytest.approx(0.3)
    assert s.waiting_time_s == pytest.approx(Q.mm1(8.0, 10.0).waiting_time_s / 2)


def test_mg1_reduces_to_mm1_and_md1():
    lam, mu = 3.0, 7.0
    assert Q.mg1_wait(lam, mu, 2 / mu**2) == pytest.approx(Q.mm1(lam, mu).waiting_time_s)
    assert Q.mg1_wait(lam, mu, 1 / mu**2) == pytest.approx(Q.md1(lam, mu).waiting_time_s)


def test_little():
    assert Q.little(5.0, 0.2) == pytest.approx(1.0)


def test_mm1_against_a_simulated_queue():
    # Brute force: Lindley recursion W_{i+1} = max(0, W_i + S_i - A_{i+1}) over 400k customers.
    rng = np.random.default_rng(1)
    lam, mu, n = 6.0, 10.0, 400_000
    inter = rng.exponential(1 / lam, n)
    service = rng.exponential(1 / mu, n)
    w = np.empty(n)
    w[0] = 0.0
    for i in range(1, n):
        w[i] = max(0.0, w[i - 1] + service[i - 1] - inter[i])
    wq = w[n // 10:].mean()
    s = Q.mm1(lam, mu)
    assert wq == pytest.approx(s.waiting_time_s, rel=0.05)  # 0.15 s
    assert (w + service)[n // 10:].mean() == pytest.approx(s.system_time_s, rel=0.05)  # 0.25 s


def test_vectorised_and_link_service_rate():
    s = Q.mm1(np.array([1.0, 5.0, 9.0]), 10.0)
    assert list(s.system_time_s) == pytest.approx([1 / 9, 1 / 5, 1.0])
    lk = Link("t", 8e6, 0.0, "test")
    assert Q.link_service_rate(lk, 1e5) == pytest.approx(10.0)  # 8e5 bit / 8e6 bit/s = 0.1 s


@given(st.floats(0.01, 0.98), st.floats(0.001, 0.01), st.floats(1.0, 1e4))
def test_delay_grows_with_rho(rho, step, mu):
    r2 = min(rho + step, 0.99)
    a, b = Q.mm1(rho * mu, mu), Q.mm1(r2 * mu, mu)
    assert b.waiting_time_s >= a.waiting_time_s
    assert b.system_time_s >= a.system_time_s
    # W - W_q is one service time, whatever ρ
    assert a.system_time_s - a.waiting_time_s == pytest.approx(1 / mu)
    d = Q.md1(rho * mu, mu)
    assert d.waiting_time_s <= a.waiting_time_s


@pytest.mark.parametrize("lam,mu", [(10.0, 10.0), (12.0, 10.0)])
def test_unstable_queue_raises(lam, mu):
    with pytest.raises(ValueError, match="unstable"):
        Q.mm1(lam, mu)
    with pytest.raises(ValueError, match="unstable"):
        Q.md1(lam, mu)
    with pytest.raises(ValueError, match="unstable"):
        Q.utilization(np.array([1.0, lam]), mu)


def test_bad_inputs():
    with pytest.raises(ValueError, match="arrival_rate"):
        Q.mm1(-1.0, 10.0)
    with pytest.raises(ValueError, match="service_rate"):
        Q.mm1(1.0, 0.0)
    with pytest.raises(ValueError, match="service_second_moment_s2"):
        Q.mg1_wait(1.0, 10.0, 0.5 / 100)  # below (1/μ)² = 0.01: negative variance
    with pytest.raises(ValueError, match="time_s"):
        Q.little(1.0, -1.0)
    with pytest.raises(ValueError, match="payload_bytes"):
        Q.link_service_rate(Link("t", 1e6, 0.0, "test"), 0.0)
