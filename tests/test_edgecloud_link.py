"""npc.edgecloud.link: transfer times with the arithmetic written out, presets and their sources,
bits versus bytes, bad input."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npucourse as npc
from npucourse.edgecloud import link as L
from npucourse.edgecloud.cases import ex21_4_transfer


def test_transfer_time_by_hand():
    # 1 MB = 1e6 B = 8e6 bit at 50 Mbit/s = 0.16 s; plus 4 ms latency.
    lk = npc.edgecloud.Link("t", bandwidth_bps=50e6, latency_s=0.004, source="test")
    assert lk.transmission_time(1e6) == pytest.approx(8e6 / 50e6)
    assert lk.transfer_time(1e6) == pytest.approx(0.004 + 0.16)
    # bytes, not bits: 1e6 B takes 8x longer than 1e6 bit would
    assert lk.transmission_time(1e6) == pytest.approx(8 * (1e6 / 50e6))


def test_effective_rate_and_components():
    # B_eff = 100e6 * 0.9 * 0.5 * 0.8 = 36e6 bit/s; 4.5e5 B = 3.6e6 bit -> 0.1 s.
    lk = npc.edgecloud.Link("t", 100e6, 0.002, "test", protocol_efficiency=0.9, congestion_factor=0.5,
                            signal_factor=0.8, distance_m=2.0e5, propagation_speed_mps=2.0e8, processing_s=0.001)
    assert lk.effective_bandwidth_bps == pytest.approx(36e6)
    c = lk.components(4.5e5)
    assert c["propagation"] == pytest.approx(2.0e5 / 2.0e8)  # 1 ms
    # without the protocol factor: 3.6e6 bit / 40e6 = 0.09 s; protocol overhead 0.1 - 0.09 = 0.01 s
    assert c["transmission"] == pytest.approx(0.09)
    assert c["protocol_overhead"] == pytest.approx(0.01)
    assert c["total"] == pytest.approx(0.002 + 0.001 + 0.001 + 0.1)
    parts = sum(c[k] for k in ("access_latency", "propagation", "processing", "transmission", "protocol_overhead"))
    assert parts == pytest.approx(c["total"])
    assert lk.fixed_latency_s == pytest.approx(0.004)
    # queueing adds on top
    assert lk.transfer_time(4.5e5, queueing_s=0.003) == pytest.approx(c["total"] + 0.003)


def test_bandwidth_delay_product():
    lk = npc.edgecloud.Link("t", 80e6, 0.01, "test")
    # S* = B·L/8 = 80e6·0.01/8 = 1e5 B; its transmission time equals the latency
    assert lk.bdp_bytes == pytest.approx(1e5)
    assert lk.transmission_time(lk.bdp_bytes) == pytest.approx(lk.latency_s)


def test_vectorised_payloads():
    lk = npc.edgecloud.Link("t", 8e6, 0.0, "test")
    out = lk.transfer_time([0.0, 1e6, 2e6])
    assert list(out) == pytest.approx([0.0, 1.0, 2.0])  # 8e6 bit / 8e6 bit/s = 1 s per MB


def test_from_rtt_halves_the_round_trip():
    lk = npc.edgecloud.Link.from_rtt("t", 1e6, 0.07, "test")
    assert lk.latency_s == pytest.approx(0.035)


def test_presets_have_sources_and_directions():
    names = L.names()
    assert {"4g-lte", "5g-embb", "5g-urllc", "wifi-5", "wifi-6"} <= set(names)
    for n in names:
        for d in ("up", "down"):
            lk = L.get(n, d)
            assert lk.direction == d and lk.source
    # ITU-R M.2410: 100 Mbit/s down, 50 up, 4 ms (eMBB) and 1 ms (URLLC) user plane
    assert L.get("5g-embb").bandwidth_bps == 50e6
    assert L.get("5g-embb", "down").bandwidth_bps == 100e6
    assert L.get("5g-embb").latency_s == 0.004
    assert L.get("5g-urllc").latency_s == 0.001
    assert "M.2410" in L.get("5g-embb").source
    # Huang et al. MobiSys 2012: median 13 Mbit/s down, 6 up
    assert (L.get("4g-lte").bandwidth_bps, L.get("4g-lte", "down").bandwidth_bps) == (6e6, 13e6)
    assert "MobiSys 2012" in L.get("4g-lte").source
    for n in ("wifi-5", "wifi-6"):
        assert L.get(n).source.startswith("assumption:")
    assert L.get("5g-embb") is L.get("5g-embb", "up")  # the uplink is the default: the device sends


def test_fibre_speed():
    # c / 1.468 = 2.0422e8 m/s
    assert L.FIBRE_SPEED_MPS == pytest.approx(299_792_458 / 1.468)


def test_exercise_21_4_by_hand():
    up = ex21_4_transfer("up")
    # 8e6 bit / 50e6 = 0.160 s; with protocol efficiency 0.9: 0.160/0.9 = 0.17778 s;
    # + 4 ms user plane + 10 ms propagation (the draft's) = 0.19178 s
    assert up["transmission"] == pytest.approx(0.16)
    assert up["protocol_overhead"] == pytest.approx(0.16 / 0.9 - 0.16)
    assert up["propagation"] == pytest.approx(0.010)
    assert up["total"] == pytest.approx(0.004 + 0.010 + 0.16 / 0.9)
    down = ex21_4_transfer("down")
    assert down["total"] == pytest.approx(0.004 + 0.010 + 0.08 / 0.9)
    mib = ex21_4_transfer("down", payload_bytes=1024**2)
    assert mib["transmission"] == pytest.approx(8 * 1024**2 / 100e6)  # 83.886 ms


@given(st.floats(1e3, 1e10), st.floats(0, 1e8), st.floats(1e3, 1e10))
def test_transfer_time_monotone(bw, payload, bw2):
    a = npc.edgecloud.Link("a", bw, 0.01, "test")
    b = a.with_(bandwidth_bps=bw2)
    # more bytes never take less time; a faster link never takes longer
    assert a.transfer_time(payload + 1) >= a.transfer_time(payload)
    if bw2 >= bw:
        assert b.transfer_time(payload) <= a.transfer_time(payload) * (1 + 1e-12)


@pytest.mark.parametrize("field,value", [
    ("bandwidth_bps", -1.0), ("bandwidth_bps", 0.0), ("latency_s", -0.001), ("protocol_efficiency", 1.2),
    ("congestion_factor", 0.0), ("signal_factor", -0.5), ("distance_m", -1.0), ("processing_s", -1.0),
    ("propagation_speed_mps", 3.1e8), ("direction", "sideways"), ("source", ""),
])
def test_bad_link_fields(field, value):
    kw = dict(name="x", bandwidth_bps=1e6, latency_s=0.0, source="test")
    kw[field] = value
    with pytest.raises(ValueError, match=field):
        npc.edgecloud.Link(**kw)


def test_bad_lookups_and_payloads():
    with pytest.raises(KeyError, match="5g-embb"):
        L.get("6g")
    with pytest.raises(ValueError, match="direction"):
        L.get("5g-embb", "uplink")
    lk = L.get("5g-embb")
    with pytest.raises(ValueError, match="payload_bytes"):
        lk.transfer_time(-1.0)
    with pytest.raises(ValueError, match="payload_bytes"):
        lk.transmission_time(math.nan)
    with pytest.raises(ValueError, match="rtt_s"):
        npc.edgecloud.Link.from_rtt("x", 1e6, -0.1, "test")
    with pytest.raises(ValueError, match="already exists"):
        L.register(lk)
