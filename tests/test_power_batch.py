"""Power-aware batching simulator (npc.power.batch_policy), the oracle of exercise 21.8."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import npucourse as npc
from npucourse.power import batch_policy as bp

A72 = npc.power.opp_table("rk3399-a72")
W = bp.DEFAULT_WORKLOAD


def test_service_time_by_hand():
    # t = 5 ms + 20e6/f + b·(0.3 ms + 4e6/f)
    assert W.service_time_s(1, 1.8e9) == pytest.approx(5e-3 + 20e6 / 1.8e9 + 0.3e-3 + 4e6 / 1.8e9)
    assert W.service_time_s(8, 408e6) == pytest.approx(5e-3 + 20e6 / 408e6 + 8 * (0.3e-3 + 4e6 / 408e6))
    ov = bp.BatchWorkload("ov", 20e6, 4e6, 5e-3, 0.3e-3, overlap="max")
    assert ov.service_time_s(8, 1.8e9) == pytest.approx(max(5e-3 + 8 * 0.3e-3, (20e6 + 8 * 4e6) / 1.8e9))
    assert np.allclose(W.service_time_s(np.array([1, 2]), 1.8e9),
                       [W.service_time_s(1, 1.8e9), W.service_time_s(2, 1.8e9)])


def test_poisson_arrivals_counts():
    rng = np.random.default_rng(7)
    a = bp.poisson_arrivals(100.0, 100.0, rng)
    assert abs(a.size - 10_000) < 4 * 100  # Poisson: sd = sqrt(10000)
    assert np.all(np.diff(a) >= 0) and a.min() >= 0 and a.max() < 100.0
    prof = bp.RateProfile((0.0, 50.0), (10.0, 200.0), 100.0)
    b = bp.poisson_arrivals(prof, None, np.random.default_rng(8))
    n1, n2 = np.sum(b < 50), np.sum(b >= 50)
    assert abs(n1 - 500) < 4 * np.sqrt(500) and abs(n2 - 10_000) < 4 * 100
    # thinning of λ(t) = 100·(1 + sin(2πt/10))/2 over 100 s: mean count 5000
    c = bp.poisson_arrivals(lambda t: 50 * (1 + np.sin(2 * np.pi * t / 10)), 100.0, np.random.default_rng(9),
                            rate_max_hz=100.0)
    assert abs(c.size - 5000) < 4 * np.sqrt(5000)
    assert prof.rate(49.9) == 10.0 and prof.rate(50.0) == 200.0


def test_isolated_requests_by_hand():
    # 0.05 req/s for 2000 s: requests almost never overlap an 18.6 ms service.
    r = bp.simulate_batching(bp.FixedBatchPolicy(4), rate=0.05, duration_s=2000.0, seed=3)
    t1 = W.service_time_s(1, 1.8e9)
    gaps = np.diff(r.arrivals_s)
    assert gaps.min() > t1  # the premise of the hand check
    assert np.allclose(r.latencies_s, t1)
    assert np.all(r.batch_sizes == 1) and r.transitions == 0
    # energy: n services at 1.130112 W, the rest of the time at the WFI power 0.034 W
    n = r.n_requests
    assert r.busy_energy_j == pytest.approx(n * 1.130112 * t1)
    assert r.idle_energy_j == pytest.approx(0.034 * (r.makespan_s - n * t1))
    assert r.energy_per_request_j == pytest.approx((r.busy_energy_j + r.idle_energy_j) / n)


def test_deterministic_and_seed_dependent():
    a = bp.simulate_batching(bp.DraftSqrtPolicy(), seed=11)
    pol = bp.DraftSqrtPolicy()
    b1, b2 = bp.simulate_batching(pol, seed=11), bp.simulate_batching(pol, seed=11)  # reset() between runs
    assert np.array_equal(a.latencies_s, b1.latencies_s) and np.array_equal(b1.latencies_s, b2.latencies_s)
    assert a.energy_j == b2.energy_j
    c = bp.simulate_batching(bp.DraftSqrtPolicy(), seed=12)
    assert c.n_requests != a.n_requests or not np.array_equal(c.latencies_s, a.latencies_s)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), policy=st.sampled_from([bp.FixedBatchPolicy(1), bp.FixedBatchPolicy(8),
                                                            bp.FixedBatchPolicy(8, 408e6), bp.QueueAdaptivePolicy(),
                                                            bp.DraftSqrtPolicy()]))
def test_simulation_invariants(seed, policy):
    r = bp.simulate_batching(policy, rate=bp.RateProfile((0.0, 2.0), (30.0, 90.0), 4.0), seed=seed)
    t_min = W.service_time_s(1, A72.f_max)
    assert r.batch_sizes.sum() == r.n_requests  # every request served exactly once
    assert np.all(np.isfinite(r.latencies_s)) and r.latencies_s.min() >= t_min * (1 - 1e-12)
    done = r.arrivals_s + r.latencies_s
    assert np.all(np.diff(done) >= -1e-12)  # FIFO
    assert np.all(np.diff(r.batch_start_s) > 0)
    assert 0 < r.idle_energy_j < r.energy_j and np.isfinite(r.energy_j)
    assert r.sla_met == (np.percentile(r.latencies_s, 95) < 0.1)


def test_waiting_policy():
    def wait_for_four(s):
        if s.queue_len >= 4 or s.oldest_wait_s >= 0.02:
            return bp.Decision(min(s.queue_len, 8), s.table.f_max)
        return bp.Decision(0, 0.0, wait_s=0.02 - s.oldest_wait_s)

    r = bp.simulate_batching(wait_for_four, seed=5)
    lazy = bp.simulate_batching(bp.FixedBatchPolicy(8), seed=5)
    assert r.mean_batch > lazy.mean_batch
    assert r.n_requests == lazy.n_requests


def test_draft_policy_decision_by_hand():
    pol = bp.DraftSqrtPolicy(q_max=32, threshold_up=8, threshold_down=2, ema=0.5, batch_init=4)
    s = bp.QueueState(0.0, 8, 0.0, 50.0, A72.f_max, A72, W, 0.1)
    d = pol(s)
    # f = 408 + (1800 − 408)·sqrt(8/32) = 1104 MHz → next OPP up: 1200 MHz; Q = 8 is not > 8: batch stays 4
    assert d.freq_hz == 1.2e9 and d.batch == 4
    d2 = pol(bp.QueueState(0.1, 32, 0.0, 50.0, 1.2e9, A72, W, 0.1))
    # EMA: 0.5·1800 + 0.5·1104 = 1452 MHz → 1608 MHz; Q = 32 > 8: batch 5
    assert d2.freq_hz == 1.608e9 and d2.batch == 5


def test_reference_policies_meet_the_sla_and_adaptive_saves_energy():
    fast = bp.simulate_batching(bp.FixedBatchPolicy(8), seed=0)
    adapt = bp.simulate_batching(bp.QueueAdaptivePolicy(), seed=0)
    assert fast.sla_met and adapt.sla_met
    assert adapt.energy_per_request_j < fast.energy_per_request_j


def test_batching_bad_input():
    with pytest.raises(ValueError, match="max_batch"):
        bp.simulate_batching(lambda s: bp.Decision(64, s.table.f_max), seed=0)
    with pytest.raises(ValueError, match="whole number"):
        bp.simulate_batching(lambda s: (-1, s.table.f_max), seed=0)
    with pytest.raises(ValueError, match="OPPs of rk3399-a72"):
        bp.simulate_batching(lambda s: (1, 1.0e9), seed=0)
    with pytest.raises(ValueError, match="wait_s must be > 0"):
        bp.simulate_batching(lambda s: bp.Decision(0, 0.0, 0.0), seed=0)
    with pytest.raises(ValueError, match="waits forever"):
        bp.simulate_batching(lambda s: bp.Decision(0, 0.0), rate=1.0, duration_s=5.0, seed=0)
    with pytest.raises(ValueError, match="Decision"):
        bp.simulate_batching(lambda s: "fast", seed=0)
    with pytest.raises(ValueError, match="sla_s"):
        bp.simulate_batching(bp.FixedBatchPolicy(), sla_s=0.0)
    with pytest.raises(ValueError, match="seed"):
        bp.simulate_batching(bp.FixedBatchPolicy(), seed=1.5)
    with pytest.raises(ValueError, match="no request arrived"):
        bp.simulate_batching(bp.FixedBatchPolicy(), rate=0.0, duration_s=1.0)
    with pytest.raises(ValueError, match="rate_max_hz"):
        bp.simulate_batching(bp.FixedBatchPolicy(), rate=lambda t: 10 + 0 * t, duration_s=1.0)
    with pytest.raises(ValueError, match="starts_s"):
        bp.RateProfile((1.0,), (10.0,), 5.0)
    with pytest.raises(ValueError, match="rates_hz"):
        bp.RateProfile((0.0,), (-1.0,), 5.0)
    with pytest.raises(ValueError, match="overlap"):
        bp.BatchWorkload("x", 1, 1, 0, 0, overlap="min")
    with pytest.raises(ValueError, match="ema"):
        bp.DraftSqrtPolicy(ema=1.5)
    with pytest.raises(KeyError, match="rk3399"):
        bp.simulate_batching(bp.FixedBatchPolicy(), table="rk3588")
    with pytest.raises(ValueError, match="q must lie"):
        bp.simulate_batching(bp.FixedBatchPolicy(), seed=0).percentile(101)
