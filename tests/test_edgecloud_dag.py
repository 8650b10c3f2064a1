"""npc.edgecloud.dag: exact DAG split (min-cut) against brute force over all down-sets, tensors paid
once, the topological-prefix counterexample, chains, the max-flow routine, bad graphs."""

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npucourse.edgecloud import Dag, best_split, best_split_dag, dag_latency, topological_prefix_split
from npucourse.edgecloud.mincut import min_cut

ms = 1e-3


def latency_of(preds, S, te, tc, out, inp, bw, lat, ret=False, down=None):
    """Latency of edge set S by explicit loops (independent of the package)."""
    n = len(preds)
    down = bw if down is None else down
    if len(S) == n:
        return sum(te)
    t = sum(te[u] for u in S) + sum(tc[u] for u in range(n) if u not in S) + lat
    sent = {p for u in range(n) if u not in S for p in preds[u] if p == -1 or p in S}
    t += 8.0 * sum(inp if p == -1 else out[p] for p in sent) / bw
    if ret:
        consumed = {p for ps in preds for p in ps}
        t += lat + 8.0 * sum(out[u] for u in range(n) if u not in consumed and u not in S) / down
    return t


def brute_force(preds, te, tc, out, inp, bw, lat, ret=False, down=None):
    """Best latency over every down-set of the graph."""
    n = len(preds)
    best = None
    for r in range(n + 1):
        for S in itertools.combinations(range(n), r):
            S = set(S)
            if any(p != -1 and p not in S for u in S for p in preds[u]):
                continue  # not closed under predecessors
            t = latency_of(preds, S, te, tc, out, inp, bw, lat, ret, down)
            if best is None or t < best[0]:
                best = (t, S)
    return best


@st.composite
def dags(draw, max_n=8):
    n = draw(st.integers(1, max_n))
    preds = []
    for i in range(n):
        choices = list(range(-1, i))
        k = draw(st.integers(1, min(3, len(choices))))
        preds.append(sorted(draw(st.lists(st.sampled_from(choices), min_size=k, max_size=k, unique=True))))
    perm = draw(st.permutations(list(range(n))))  # relabel: node order need not be topological
    relabel = {old: new for old, new in enumerate(perm)}
    shuffled = [None] * n
    for old, ps in enumerate(preds):
        shuffled[relabel[old]] = [-1 if p == -1 else relabel[p] for p in ps]
    return shuffled


@given(dags(), st.data())
@settings(max_examples=150)
def test_min_cut_equals_brute_force(preds, data):
    n = len(preds)
    te = data.draw(st.lists(st.floats(0, 0.1), min_size=n, max_size=n))
    tc = data.draw(st.lists(st.floats(0, 0.01), min_size=n, max_size=n))
    out = data.draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n))
    inp = data.draw(st.floats(0, 2e6))
    bw = data.draw(st.floats(1e5, 1e10))
    lat = data.draw(st.floats(0, 0.05))
    ret = data.draw(st.booleans())
    s = best_split_dag(preds, edge_times_s=te, cloud_times_s=tc, out_bytes=out, input_bytes=inp, bandwidth_bps=bw,
                       latency_s=lat, return_outputs=ret)
    want, _ = brute_force(preds, te, tc, out, inp, bw, lat, ret)
    assert s.latency_s == pytest.approx(want, rel=1e-9, abs=1e-15)
    assert Dag.from_preds(preds).is_down_set(s.edge_nodes)
    # the restricted search is feasible, so never better than the optimum
    p = topological_prefix_split(preds, edge_times_s=te, cloud_times_s=tc, out_bytes=out, input_bytes=inp,
                                 bandwidth_bps=bw, latency_s=lat, return_outputs=ret)
    assert p.latency_s >= s.latency_s * (1 - 1e-12) - 1e-15


def test_shared_tensor_is_sent_once():
    # input -> a; a -> b and a -> c; b, c -> j.  S = {a}: a's output crosses ONCE (two consumers).
    preds = [[-1], [0], [0], [1, 2]]
    te, tc = [0.001, 1.0, 1.0, 1.0], [0.0, 0.001, 0.001, 0.001]
    out = [1e5, 1e6, 1e6, 1e3]
    r = dag_latency(preds, {0}, edge_times_s=te, cloud_times_s=tc, out_bytes=out, input_bytes=1e6,
                    bandwidth_bps=8e7, latency_s=0.01)
    # 1 ms + 10 ms + 8e5/8e7 (10 ms) + 3 ms = 24 ms
    assert r.sent_tensors == (0,)
    assert r.sent_bytes == 1e5
    assert r.latency_s == pytest.approx(24 * ms)
    best = best_split_dag(preds, edge_times_s=te, cloud_times_s=tc, out_bytes=out, input_bytes=1e6,
                          bandwidth_bps=8e7, latency_s=0.01)
    assert best.edge_nodes == frozenset({0}) and best.latency_s == pytest.approx(24 * ms)


def _two_branches(edge_a2, edge_b2):
    # a1 -> a2, b1 -> b2 (both branches read the 1 MB input), j joins a2 and b2.
    preds = [[-1], [-1], [0], [1], [2, 3]]
    te = [1 * ms, 1 * ms, edge_a2, edge_b2, 50 * ms]
    tc = [0.01 * ms, 0.01 * ms, 0.2 * ms, 0.2 * ms, 0.5 * ms]
    out = [1e5, 1e5, 1e3, 1e3, 1e3]
    return preds, dict(edge_times_s=te, cloud_times_s=tc, out_bytes=out, input_bytes=1e6, bandwidth_bps=2e7,
                       latency_s=5 * ms)


def test_topological_prefixes_are_not_enough():
    # Edge device 1 runs a2 fast, edge device 2 runs b2 fast. Optimal edge sets: {a1, b1, a2} and
    # {a1, b1, b2}: same size, different — no single topological order has both as its 3-prefix.
    # Device 1: 2 + 0.2 + 0.5 + 5 + 8·101e3/2e7 (40.4) = 48.1 ... plus a1, b1 on the edge (2 ms) = 50.1 ms
    p1, kw1 = _two_branches(2 * ms, 200 * ms)
    p2, kw2 = _two_branches(200 * ms, 2 * ms)
    s1, s2 = best_split_dag(p1, **kw1), best_split_dag(p2, **kw2)
    assert s1.edge_nodes == frozenset({0, 1, 2}) and s2.edge_nodes == frozenset({0, 1, 3})
    assert s1.latency_s == pytest.approx(50.1 * ms) and s2.latency_s == pytest.approx(50.1 * ms)
    for preds, kw, s in ((p1, kw1, s1), (p2, kw2, s2)):
        want, S = brute_force(preds, kw["edge_times_s"], kw["cloud_times_s"], kw["out_bytes"], kw["input_bytes"],
                              kw["bandwidth_bps"], kw["latency_s"])
        assert S == set(s.edge_nodes) and want == pytest.approx(s.latency_s)
    # The default (Kahn) order is a1, b1, a2, b2, j: on device 2 its best prefix is {a1, b1}:
    # 2 + 0.9 + 5 + 8·2e5/2e7 (80) = 87.9 ms against 50.1 ms.
    pre = topological_prefix_split(p2, **kw2)
    assert Dag.from_preds(p2).order == (0, 1, 2, 3, 4)
    assert pre.edge_nodes == frozenset({0, 1}) and pre.latency_s == pytest.approx(87.9 * ms)
    # ... and with the order a1, b1, b2, a2, j device 1 loses instead
    assert topological_prefix_split(p1, order=[0, 1, 3, 2, 4], **kw1).latency_s > s1.latency_s + 30 * ms


@given(st.integers(1, 15), st.data())
@settings(max_examples=60)
def test_chain_as_dag_matches_best_split(n, data):
    f = data.draw(st.lists(st.floats(0, 1e10), min_size=n, max_size=n))
    out = data.draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n))
    inp, bw, lat = data.draw(st.floats(0, 1e6)), data.draw(st.floats(1e5, 1e9)), data.draw(st.floats(0, 0.05))
    chain = best_split(f, out, inp, 1e12, 2e13, bw, lat)
    preds = [[-1]] + [[i - 1] for i in range(1, n)]
    d = best_split_dag(preds, node_flops=f, edge_flops=1e12, cloud_flops=2e13, out_bytes=out, input_bytes=inp,
                       bandwidth_bps=bw, latency_s=lat)
    assert d.latency_s == pytest.approx(chain.latency_s, rel=1e-9, abs=1e-15)
    # for a chain the topological prefixes are all the down-sets: the restricted search is exact
    t = topological_prefix_split(preds, node_flops=f, edge_flops=1e12, cloud_flops=2e13, out_bytes=out,
                                 input_bytes=inp, bandwidth_bps=bw, latency_s=lat)
    assert t.latency_s == pytest.approx(chain.latency_s, rel=1e-9, abs=1e-15)


def test_residual_network_of_200_nodes_by_exhaustion():
    # A ResNet-like DAG: stem, then 66 blocks conv1 -> conv2 -> add(conv2, skip). Every node reads the
    # node just before it, so every down-set is a prefix 0..i-1 of the index order: the n + 1 prefixes,
    # each costed by explicit loops, are ALL the cuts. Cuts inside a block send two tensors (skip + conv).
    rng = random.Random(3)
    preds = [[-1]]
    for _ in range(66):
        x = len(preds) - 1
        preds += [[x], [x + 1], [x + 2, x]]
    n = len(preds)
    assert n == 199 and all(i - 1 in preds[i] for i in range(1, n))
    te = [rng.uniform(1, 5) * ms for _ in range(n)]
    tc = [t / 50 for t in te]
    out = [rng.choice([2e5, 4e5, 1e5]) for _ in range(n)]
    s = best_split_dag(preds, edge_times_s=te, cloud_times_s=tc, out_bytes=out, input_bytes=6e5, bandwidth_bps=5e7,
                       latency_s=0.01)
    best = min(latency_of(preds, set(range(i)), te, tc, out, 6e5, 5e7, 0.01) for i in range(n + 1))
    assert s.latency_s == pytest.approx(best, rel=1e-9)


def test_max_flow_textbook_network():
    # CLRS Fig. 26.1: maximum flow 23; minimum cut {s, v1, v2, v4} | {v3, t}.
    s, v1, v2, v3, v4, t = range(6)
    edges = [(s, v1, 16), (s, v2, 13), (v1, v3, 12), (v2, v1, 4), (v2, v4, 14), (v3, v2, 9), (v3, t, 20),
             (v4, v3, 7), (v4, t, 4)]
    value, side = min_cut(6, edges, s, t)
    assert value == pytest.approx(23)
    assert side == {s, v1, v2, v4}


def test_max_flow_bad_input():
    with pytest.raises(ValueError, match="distinct"):
        min_cut(2, [], 0, 0)
    with pytest.raises(ValueError, match="capacities"):
        min_cut(2, [(0, 1, -1.0)], 0, 1)
    with pytest.raises(ValueError, match="infinite"):
        min_cut(2, [(0, 1, math.inf)], 0, 1)


@pytest.mark.parametrize("preds,match", [
    ([], "empty"),
    ([[]], "no predecessors"),
    ([[-1], [5]], "allowed"),
    ([[-1], [1]], "itself"),
    ([[-1, 2], [0], [1]], "cycle"),
    ([[-1], ["a"]], "node indices"),
    ("abc", "sequence"),
])
def test_bad_graphs(preds, match):
    with pytest.raises(ValueError, match=match):
        Dag.from_preds(preds)


def test_bad_split_arguments():
    preds = [[-1], [0]]
    kw = dict(out_bytes=[1.0, 1.0], input_bytes=1.0, bandwidth_bps=1e6, latency_s=0.0)
    with pytest.raises(ValueError, match="node_flops"):
        best_split_dag(preds, **kw)
    with pytest.raises(ValueError, match="one value per node"):
        best_split_dag(preds, node_flops=[1.0], edge_flops=1.0, cloud_flops=1.0, **kw)
    with pytest.raises(ValueError, match="edge_times_s"):
        best_split_dag(preds, edge_times_s=[1.0, 1.0], **kw)
    with pytest.raises(ValueError, match="bandwidth_bps"):
        best_split_dag(preds, node_flops=[1.0, 1.0], edge_flops=1.0, cloud_flops=1.0,
                       **{**kw, "bandwidth_bps": -1.0})
    with pytest.raises(ValueError, match="latency_s"):
        best_split_dag(preds, node_flops=[1.0, 1.0], edge_flops=1.0, cloud_flops=1.0, **{**kw, "latency_s": -1.0})
    with pytest.raises(ValueError, match="down-set"):
        dag_latency(preds, {1}, node_flops=[1.0, 1.0], edge_flops=1.0, cloud_flops=1.0, **kw)
    with pytest.raises(ValueError, match="nodes are"):
        dag_latency(preds, {7}, node_flops=[1.0, 1.0], edge_flops=1.0, cloud_flops=1.0, **kw)
    with pytest.raises(ValueError, match="not topological"):
        topological_prefix_split(preds, order=[1, 0], node_flops=[1.0, 1.0], edge_flops=1.0, cloud_flops=1.0, **kw)
    with pytest.raises(ValueError, match="permutation"):
        topological_prefix_split(preds, order=[0, 0], node_flops=[1.0, 1.0], edge_flops=1.0, cloud_flops=1.0, **kw)
    assert np.isfinite(best_split_dag(preds, node_flops=[1.0, 1.0], edge_flops=1.0, cloud_flops=1.0, **kw).latency_s)
