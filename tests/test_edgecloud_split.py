"""npc.edgecloud.split: hand-computed chains, brute force over all cuts (hypothesis), the draft's
recurrence, three tiers, networks and hardware, exercise 21.6, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc
from npucourse.edgecloud import best_split, best_split_3tier, best_split_times, draft_dp_split
from npucourse.edgecloud.link import Link

ms = 1e-3


def test_contract_three_layer_chain_by_hand():
    # flops 1, 2, 3 GFLOP; edge 1 TFLOP/s, cloud 10 TFLOP/s; input 1 MB; outputs 0.5, 0.1, 0.1 MB;
    # 80 Mbit/s, 10 ms.
    # T(0) = 0 + 10 + 8e6/8e7 s (100 ms) + 6e9/1e13 (0.6 ms)        = 110.6 ms
    # T(1) = 1 ms + 10 + 4e6/8e7 (50 ms) + 5e9/1e13 (0.5 ms)        = 61.5 ms
    # T(2) = 3 ms + 10 + 8e5/8e7 (10 ms) + 3e9/1e13 (0.3 ms)        = 23.3 ms
    # T(3) = 6 ms, nothing sent                                     = 6.0 ms
    s = npc.edgecloud.best_split(layer_flops=[1e9, 2e9, 3e9], out_bytes=[5e5, 1e5, 1e5], input_bytes=1e6,
                                 edge_flops=1e12, cloud_flops=1e13, bandwidth_bps=8e7, latency_s=0.01)
    assert s.k == 3
    assert s.latency_s == pytest.approx(6 * ms)
    assert list(s.latencies_s) == pytest.approx([110.6 * ms, 61.5 * ms, 23.3 * ms, 6.0 * ms])
    assert list(s.sent_bytes) == [1e6, 5e5, 1e5, 0.0]
    b = s.breakdown(2)
    assert (b["edge_s"], b["upload_s"], b["cloud_s"]) == pytest.approx((3 * ms, 20 * ms, 0.3 * ms))


def test_interior_optimum_by_hand():
    # A first layer that shrinks 1 MB to 1 kB, then two heavy layers:
    # T(0) = 10 + 100 + 10.1 = 120.1 ms; T(1) = 1 + 10 + 0.1 + 10 = 21.1 ms;
    # T(2) = 51 + 10 + 0.1 + 5 = 66.1 ms;  T(3) = 101 ms
    s = best_split([1e9, 50e9, 50e9], [1e3, 1e3, 1e3], 1e6, 1e12, 1e13, 8e7, 0.01)
    assert s.k == 1
    assert list(s.latencies_s) == pytest.approx([120.1 * ms, 21.1 * ms, 66.1 * ms, 101 * ms])


def test_return_trip():
    # result 1e4 B returned at 8e6 bit/s: 10 ms latency + 8e4/8e6 = 10 ms -> +20 ms for every k < n
    base = best_split([1e9, 50e9, 50e9], [1e3, 1e3, 1e3], 1e6, 1e12, 1e13, 8e7, 0.01)
    ret = best_split([1e9, 50e9, 50e9], [1e3, 1e3, 1e3], 1e6, 1e12, 1e13, 8e7, 0.01, result_bytes=1e4,
                     downlink_bps=8e6)
    assert list(ret.return_s) == pytest.approx([20 * ms, 20 * ms, 20 * ms, 0.0])
    assert list(ret.latencies_s - base.latencies_s) == pytest.approx([20 * ms] * 3 + [0.0])


def _brute(f, out, inp, pe, pc, bw, lat, res=None):
    """Every cut by explicit loops."""
    n = len(f)
    lats = []
    for k in range(n + 1):
        t = 0.0
        for i in range(k):
            t += f[i] / pe
        for i in range(k, n):
            t += f[i] / pc
        if k < n:
            sent = inp if k == 0 else out[k - 1]
            t += lat + 8.0 * sent / bw
            if res is not None:
                t += lat + 8.0 * res / bw
        lats.append(t)
    return lats


pos = st.floats(1e-3, 1e3)
chains = st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(st.floats(0, 1e11), min_size=n, max_size=n), st.lists(st.floats(0, 1e7), min_size=n, max_size=n)))


@given(chains, st.floats(0, 1e7), st.floats(1e9, 1e13), st.floats(1e9, 1e15), st.floats(1e5, 1e10),
       st.floats(0, 0.2), st.one_of(st.none(), st.floats(0, 1e6)))
def test_split_equals_brute_force(chain, inp, pe, pc, bw, lat, res):
    f, out = chain
    s = best_split(f, out, inp, pe, pc, bw, lat, result_bytes=res)
    want = _brute(f, out, inp, pe, pc, bw, lat, res)
    assert list(s.latencies_s) == pytest.approx(want, rel=1e-9, abs=1e-15)
    assert s.latency_s == pytest.approx(min(want), rel=1e-9, abs=1e-15)
    assert want[s.k] == pytest.approx(min(want), rel=1e-9, abs=1e-15)


@given(chains, st.floats(0, 1e7), st.floats(1e9, 1e12), st.floats(1.0001, 1e3), st.floats(1e5, 1e10),
       st.floats(0, 0.2))
def test_equal_activations_give_an_end_point(chain, inp, pe, ratio, bw, lat):
    # Every boundary sends the same D bytes and the edge is slower: interior latencies rise with k,
    # so the best cut is 0, 1 (when the input is larger than D) or n.
    f, out = chain
    d = out[0]
    s = best_split(f, [d] * len(f), inp, pe, pe * ratio, bw, lat)
    assert s.k in (0, 1, len(f))
    assert np.all(np.diff(s.latencies_s[1:-1]) >= -1e-12 * s.latencies_s.max())
    if inp <= d:
        assert s.k in (0, len(f))


def test_times_version_matches_flops_version_and_registry():
    f = np.array([3e9, 1e9, 4e9, 1e9, 5e9])
    out = np.array([2e5, 9e4, 3e5, 1e4, 1e3])
    a = best_split(f, out, 6e5, 2e12, 4e13, 5e7, 0.004)
    b = best_split_times(f / 2e12, f / 4e13, out, 6e5, 5e7, 0.004)
    assert a.k == b.k and list(a.latencies_s) == pytest.approx(list(b.latencies_s))
    # the derived closed form split_latency_flops (its generated code) gives the same curve
    from npucourse.formulas._gen.edgecloud_split import split_latency_flops as g

    E = np.concatenate(([0.0], np.cumsum(f)))
    S = np.concatenate(([6e5], out[:-1], [0.0]))
    L = np.array([0.004] * 5 + [0.0])
    want = g(T_down=0.0, E=E, F=f.sum(), P_e=2e12, P_c=4e13, S=S, B_eff=5e7, L=L)
    assert list(a.latencies_s) == pytest.approx(list(want))


def test_draft_recurrence_double_counts():
    f, out, inp = [1e9, 50e9, 50e9], [1e3, 1e3, 1e3], 1e6
    args = (f, out, inp, 1e12, 1e13, 8e7, 0.01)
    good = best_split(*args)
    d = draft_dp_split(*args)
    # DP[0] = T(0) = 120.1 ms; every later DP[i] = DP[0] + the draft's objective at i
    # (which at i = n also sends the last output: 101 + 10 + 0.1 = 111.1 ms)
    assert d.dp[0] == pytest.approx(120.1 * ms)
    assert list(d.dp[1:]) == pytest.approx([120.1 * ms + t for t in (21.1 * ms, 66.1 * ms, 111.1 * ms)])
    assert d.k == 0 and good.k == 1  # the recurrence says "all in the cloud"; the truth is one layer on the edge
    z = draft_dp_split(*args, base="zero")
    assert z.k == 3 and z.latency_s == pytest.approx(111.1 * ms)  # always "all on the edge"


@given(chains, st.floats(0, 1e7), st.floats(1e9, 1e13), st.floats(1e9, 1e15), st.floats(1e5, 1e10),
       st.floats(1e-4, 0.2))
@settings(max_examples=40)
def test_draft_recurrence_always_returns_an_end_point(chain, inp, pe, pc, bw, lat):
    f, out = chain
    assert draft_dp_split(f, out, inp, pe, pc, bw, lat).k == 0
    assert draft_dp_split(f, out, inp, pe, pc, bw, lat, base="zero").k == len(f)


def _brute3(td, te, tc, out, inp, l1, l2):
    n = len(td)
    best = None
    for a in range(n + 1):
        for b in range(a, n + 1):
            t = sum(td[:a]) + sum(te[a:b]) + sum(tc[b:])
            sent_a = inp if a == 0 else out[a - 1]
            sent_b = inp if b == 0 else out[b - 1]
            if a < n:
                t += l1.latency_s + 8 * sent_a / l1.bandwidth_bps
            if b < n:
                t += l2.latency_s + 8 * sent_b / l2.bandwidth_bps
            if best is None or t < best[0]:
                best = (t, a, b)
    return best


tiers = st.integers(1, 9).flatmap(lambda n: st.tuples(*(st.lists(st.floats(0, 0.05), min_size=n, max_size=n)
                                                        for _ in range(3)),
                                                      st.lists(st.floats(0, 1e6), min_size=n, max_size=n)))


@given(tiers, st.floats(0, 1e6), st.floats(1e5, 1e9), st.floats(0, 0.05), st.floats(1e5, 1e10), st.floats(0, 0.05))
def test_three_tiers_equal_brute_force(t, inp, b1, l1, b2, l2):
    td, te, tc, out = t
    k1, k2 = Link("1", b1, l1, "test"), Link("2", b2, l2, "test")
    s = best_split_3tier(td, te, tc, out, inp, k1, k2)
    want = _brute3(td, te, tc, out, inp, k1, k2)
    assert s.latency_s == pytest.approx(want[0], rel=1e-9, abs=1e-15)
    assert 0 <= s.a <= s.b <= len(td)
    assert s.device_s + s.link1_s + s.edge_s + s.link2_s + s.cloud_s == pytest.approx(s.latency_s)


def _toy_network():
    from npucourse.networks import LayerList

    b = LayerList()
    b.add("s0", npc.ops.gemm(196, 768, 768, dtype="fp16", name="l0"))
    b.add("s1", npc.ops.gemm(196, 3072, 768, dtype="fp16", name="l1"))
    b.add("s2", npc.ops.gemm(196, 768, 3072, dtype="fp16", name="l2"))
    b.add("s3", npc.ops.gemm(1, 10, 768, dtype="fp16", name="head"))
    return b.build("toy", source="test")


def test_split_network_with_rates_and_hardware():
    net = _toy_network()
    flops, out = npc.edgecloud.chain_of(net)
    assert list(out) == [196 * 768 * 2, 196 * 3072 * 2, 196 * 768 * 2, 10 * 2]
    a = npc.edgecloud.split_network(net, 1e12, 1e14, input_bytes=150528, bandwidth_bps=1e8, latency_s=0.01)
    b = best_split(flops, out, 150528, 1e12, 1e14, 1e8, 0.01)
    assert a.k == b.k and list(a.latencies_s) == pytest.approx(list(b.latencies_s))
    edge, cloud = npc.hardware.get("edge-gpu"), npc.hardware.get("a100-40gb")
    te = npc.edgecloud.layer_times(net, edge, dtype="fp16")
    want = [npc.roofline.analyze(ly.cost, edge, dtype="fp16", levels="dram").time_s for ly in net.layers]
    assert list(te) == pytest.approx(want)
    lk = Link("t", 1e8, 0.01, "test", protocol_efficiency=0.9)
    c = npc.edgecloud.split_network(net, edge, cloud, input_bytes=150528, link=lk, dtype="fp16")
    d = best_split_times(te, npc.edgecloud.layer_times(net, cloud, dtype="fp16"), out, 150528, 0.9e8, 0.01)
    assert c.k == d.k and list(c.latencies_s) == pytest.approx(list(d.latencies_s))


def test_exercise_21_6_optimum_is_an_end_point():
    from npucourse.edgecloud import cases

    c = cases.ex21_6_chain()
    s = cases.ex21_6_split()
    F = c["net"].flops
    assert c["input_bytes"] == 224 * 224 * 3  # uint8 image
    assert c["out_bytes"][1] == 197 * 768 * 2  # fp16 activation after a block
    # T(0) = 20 ms + 150528·8/1e8 s + F/50e12; all on the edge: F/0.5e12
    assert s.latencies_s[0] == pytest.approx(0.02 + 150528 * 8 / 1e8 + F / 50e12)
    assert s.latencies_s[-1] == pytest.approx(F / 0.5e12)
    assert s.k == 0
    inner = s.latencies_s[1:-1]
    assert np.all(np.diff(inner) > 0)  # every further block on the edge costs more
    assert s.latencies_s[1 + 12] - s.latency_s > 0.08  # the draft's "12 blocks" is > 80 ms worse


@pytest.mark.parametrize("kw,match", [
    (dict(layer_flops=[]), "empty"),
    (dict(layer_flops=[1.0, 2.0]), "one value per layer"),
    (dict(layer_flops=[[1.0]]), "1-D"),
    (dict(layer_flops=[-1.0]), "layer_flops"),
    (dict(out_bytes=[float("nan")]), "out_bytes"),
    (dict(bandwidth_bps=-1e6), "bandwidth_bps"),
    (dict(bandwidth_bps=0.0), "bandwidth_bps"),
    (dict(latency_s=-0.01), "latency_s"),
    (dict(edge_flops=0.0), "edge_flops"),
    (dict(cloud_flops=-1.0), "cloud_flops"),
    (dict(input_bytes=-1.0), "input_bytes"),
    (dict(result_bytes=-1.0), "result_bytes"),
    (dict(downlink_bps=1e6), "result_bytes"),
])
def test_bad_input(kw, match):
    args = dict(layer_flops=[1e9], out_bytes=[1e3], input_bytes=1e5, edge_flops=1e12, cloud_flops=1e13,
                bandwidth_bps=1e7, latency_s=0.01)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        best_split(**args)


def test_bad_input_other_entry_points():
    with pytest.raises(ValueError, match="one value per layer"):
        best_split_times([1.0], [1.0, 2.0], [1.0], 1.0, 1e6, 0.0)
    with pytest.raises(ValueError, match="base"):
        draft_dp_split([1.0], [1.0], 1.0, 1.0, 1.0, 1.0, 0.0, base="one")
    with pytest.raises(ValueError, match="link1"):
        best_split_3tier([1.0], [1.0], [1.0], [1.0], 1.0, "5g", Link("t", 1e6, 0.0, "test"))
    with pytest.raises(ValueError, match="k must lie"):
        best_split([1.0], [1.0], 1.0, 1.0, 1.0, 1.0, 0.0).breakdown(5)
    net = _toy_network()
    with pytest.raises(ValueError, match="link"):
        npc.edgecloud.split_network(net, 1e12, 1e13, input_bytes=1.0)
    with pytest.raises(ValueError, match="not both"):
        npc.edgecloud.split_network(net, 1e12, 1e13, input_bytes=1.0, link=Link("t", 1e6, 0.0, "test"),
                                    bandwidth_bps=1e6)
    with pytest.raises(ValueError, match="empty"):
        npc.edgecloud.layer_times([], npc.hardware.get("edge-gpu"))
