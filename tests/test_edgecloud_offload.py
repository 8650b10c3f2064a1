"""npc.edgecloud.offload: latency, energy, price and weighted cost by hand, the threshold bandwidth
(sympy) against the cost curves, bandwidth sweeps, bad input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from npucourse.edgecloud import offload as O
from npucourse.edgecloud import best_split

POWER = O.DevicePower(compute_w=5.0, transmit_w=2.5, idle_w=1.0, source="test")
PRICE = O.CloudPrice(per_request=1e-4, per_second=1e-3, per_byte=1e-9, currency="USD", source="test")
CHAIN = dict(layer_flops=[2e9, 8e9], out_bytes=[1e5, 1e3], input_bytes=1e6, edge_flops=1e12, cloud_flops=1e14,
             latency_s=0.01)


def test_costs_by_hand():
    # T(0) = 10 ms + 8e6/8e7 (100 ms) + 1e10/1e14 (0.1 ms) = 110.1 ms
    # T(1) = 2 ms + 10 ms + 8e5/8e7 (10 ms) + 8e9/1e14 (0.08 ms) = 22.08 ms;  T(2) = 10 ms
    # E(0) = 2.5·0.1 + 1·0.0101 = 0.2601 J; E(1) = 5·0.002 + 2.5·0.01 + 1·0.01008 = 0.04508 J; E(2) = 0.05 J
    # C(0) = 1e-4 + 1e-3·1e-4 + 1e-9·1e6 = 1.1001e-3; C(1) = 1e-4 + 8e-8 + 1e-4 = 2.0008e-4; C(2) = 0
    w = O.Weights(latency=1, energy=1, price=1, latency_ref_s=0.1, energy_ref_j=0.1, price_ref=1e-3)
    c = O.offload_costs(bandwidth_bps=8e7, power=POWER, price=PRICE, weights=w, **CHAIN)
    assert list(c.latency_s[0]) == pytest.approx([0.1101, 0.02208, 0.01])
    assert list(c.energy_j[0]) == pytest.approx([0.2601, 0.04508, 0.05])
    assert list(c.price[0]) == pytest.approx([1.1001e-3, 2.0008e-4, 0.0])
    # J = T/0.1 + E/0.1 + C/1e-3
    assert list(c.cost[0]) == pytest.approx([1.101 + 2.601 + 1.1001, 0.2208 + 0.4508 + 0.20008, 0.1 + 0.5])
    assert c.k[0] == 2 and c.choice[0] == "local"
    # with latency only the weighted choice is the latency-optimal cut
    lat_only = O.offload_costs(bandwidth_bps=8e7, power=POWER, price=PRICE, **CHAIN)
    assert lat_only.k[0] == best_split(bandwidth_bps=8e7, **CHAIN).k


def test_threshold_bandwidth_by_hand():
    # F = 1e10, P_e = 1e12 (10 ms local), P_c = 1e14 (0.1 ms), L = 2 ms, input 1e5 B:
    # B* = 8e5 / (0.01 - 0.0001 - 0.002) = 8e5 / 0.0079 = 1.01266e8 bit/s
    b = O.threshold_bandwidth(1e10, 1e5, 1e12, 1e14, 0.002)
    assert b == pytest.approx(8e5 / 0.0079)
    sweep = O.decide_over_bandwidth([0.99 * b, 1.01 * b], [1e10], [1e3], 1e5, 1e12, 1e14, 0.002)
    assert list(sweep.choice) == ["local", "offload"]
    at = O.decide_over_bandwidth([b], [1e10], [1e3], 1e5, 1e12, 1e14, 0.002)
    assert at.latency_s[0, 0] == pytest.approx(at.latency_s[0, 1])  # offload == local exactly at B*
    # latency 10 ms or more: offloading never wins
    assert O.threshold_bandwidth(1e10, 1e5, 1e12, 1e14, 0.0099) is None


@given(st.floats(1e9, 1e12), st.floats(1e3, 1e7), st.floats(1e11, 1e13), st.floats(10, 1000), st.floats(0, 0.05),
       st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1e-3), st.floats(0, 1e-2))
def test_weighted_threshold_separates_the_decisions(F, inp, pe, ratio, lat, wt, we, wp, preq, psec):
    pc = pe * ratio
    w = O.Weights(latency=wt + 0.01, energy=we, price=wp, latency_ref_s=0.1, energy_ref_j=0.5, price_ref=1e-3)
    price = O.CloudPrice(preq, psec, 1e-10, "USD", "test")
    b = O.threshold_bandwidth_weighted(F, inp, pe, pc, lat, POWER, price, w)
    if b is None:
        # offloading never has the lower cost: check at a very high rate
        c = O.decide_over_bandwidth([1e13], [F], [1.0], inp, pe, pc, lat, POWER, price, w)
        assert c.cost[0, 0] >= c.cost[0, 1] * (1 - 1e-9)
        return
    c = O.decide_over_bandwidth([b * 0.999, b, b * 1.001], [F], [1.0], inp, pe, pc, lat, POWER, price, w)
    assert c.cost[1, 0] == pytest.approx(c.cost[1, 1], rel=1e-6)  # equal cost at B*
    assert c.cost[0, 0] >= c.cost[0, 1] * (1 - 1e-9)  # below: local at least as good
    assert c.cost[2, 0] <= c.cost[2, 1] * (1 + 1e-9)  # above: offload at least as good


def test_sweep_is_vectorised_and_monotone():
    c = O.decide_over_bandwidth([1e6, 1e7, 1e8, 1e9], **CHAIN)
    assert c.cost.shape == (4, 3)
    # more bandwidth never makes any cut slower
    assert (c.latency_s[1:] <= c.latency_s[:-1] + 1e-15).all()


@pytest.mark.parametrize("kw,match", [
    (dict(latency=-1.0), "latency"), (dict(latency=0.0, energy=0.0, price=0.0), "at least one weight"),
    (dict(energy_ref_j=0.0), "energy_ref_j"), (dict(price_ref=-1.0), "price_ref"),
])
def test_bad_weights(kw, match):
    with pytest.raises(ValueError, match=match):
        O.Weights(**kw)


def test_bad_inputs():
    with pytest.raises(ValueError, match="compute_w"):
        O.DevicePower(-1.0, 1.0, 1.0, "x")
    with pytest.raises(ValueError, match="source"):
        O.DevicePower(1.0, 1.0, 1.0, "")
    with pytest.raises(ValueError, match="per_byte"):
        O.CloudPrice(0.0, 0.0, -1.0, "USD", "x")
    with pytest.raises(ValueError, match="bandwidths_bps"):
        O.decide_over_bandwidth([1e6, -1.0], **CHAIN)
    with pytest.raises(ValueError, match="bandwidths_bps"):
        O.decide_over_bandwidth([], **CHAIN)
    with pytest.raises(ValueError, match="one value per layer"):
        O.decide_over_bandwidth([1e6], [1.0], [1.0, 2.0], 1.0, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="latency_s"):
        O.threshold_bandwidth(1e9, 1e5, 1e12, 1e13, -0.1)
    with pytest.raises(ValueError, match="input_bytes"):
        O.threshold_bandwidth(1e9, 0.0, 1e12, 1e13, 0.1)
