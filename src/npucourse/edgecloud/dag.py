"""Split points of networks that are DAGs — skip connections, branches (Chapter 21 §21.4.1).

Nodes 0..n-1 are layers; ``preds[v]`` lists the nodes whose outputs v consumes, ``-1``
standing for the network input (which lives on the device). A cut is the set S of nodes run
on the edge; S must be closed under predecessors (a *down-set*), otherwise a tensor would
travel back from the cloud. Every tensor produced on the edge (or the input) and consumed by
at least one cloud node crosses the link ONCE, however many cloud nodes consume it.

Model (edge and cloud run one after the other, all crossing tensors in one message)::

    T(S) = Σ_{v∈S} t_edge(v) + [S ≠ V]·(L + 8·Σ_{u crosses} bytes(u) / B) + Σ_{v∉S} t_cloud(v)
           (+ a return trip of the cloud's outputs, optional)

Every term except the fixed latency L is a sum over nodes or over crossing tensors, so the
optimum over down-sets is a minimum s–t cut (Picard's closure construction plus one auxiliary
node per tensor so that a tensor with several cloud consumers is paid once); L is paid iff
S ≠ V and is handled by comparing the cut with S = V. The result is exact, in polynomial time
(:mod:`npucourse.edgecloud.mincut`). If edge and cloud overlapped in time (parallel
branches, pipelining), latency would be a max, not a sum, and this construction would not apply.

Cuts that are prefixes of ONE topological order (:func:`topological_prefix_split`) are all
down-sets, so the best of them is feasible and an upper bound; it is exact for chains but not
for DAGs in general. Counterexample (tests/test_edgecloud_dag.py): two branches a1 → a2 and
b1 → b2 joined by j; on an edge device that runs a2 fast the optimum is {a1, b1, a2}, on one that
runs b2 fast it is {a1, b1, b2} — no single topological order has both as its 3-prefix, and the
Kahn order loses 38 ms (87.9 ms instead of 50.1 ms) on the second device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from .. import _validate as v
from ..formulas._gen.edgecloud_link import link_transfer_time
from ..formulas._gen.edgecloud_split import split_latency
from .mincut import min_cut

__all__ = ["Dag", "DagSplit", "best_split_dag", "dag_latency", "topological_prefix_split", "INPUT"]

#: Index that stands for the network input in ``preds``.
INPUT = -1


@dataclass(frozen=True, eq=False)
class Dag:
    """A validated layer graph.

    Attributes
    ----------
    preds : tuple of tuple of int
        Predecessors of each node (``-1``: the network input), duplicates removed.
    succs : tuple of tuple of int
        Consumers of each node's output.
    input_consumers : tuple of int
        Nodes that read the network input.
    order : tuple of int
        A topological order (Kahn's algorithm, smallest index first).
    """

    preds: tuple[tuple[int, ...], ...]
    succs: tuple[tuple[int, ...], ...]
    input_consumers: tuple[int, ...]
    order: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.preds)

    @property
    def sinks(self) -> tuple[int, ...]:
        """Nodes whose output no node consumes (the network's outputs)."""
        return tuple(u for u in range(self.n) if not self.succs[u])

    @classmethod
    def from_preds(cls, preds: Sequence[Iterable[int]]) -> "Dag":
        """Validate ``preds`` and build the graph.

        Raises
        ------
        ValueError
            Empty graph, a node without predecessors, an index out of range, a self-loop, or a
            cycle (the message names nodes on it).
        """
        if isinstance(preds, (str, bytes)) or not hasattr(preds, "__len__"):
            raise ValueError(f"preds must be a sequence of predecessor lists, got {preds!r}")
        n = len(preds)
        if n == 0:
            raise ValueError("preds is empty: a DAG needs at least one node")
        clean: list[tuple[int, ...]] = []
        for vtx, ps in enumerate(preds):
            try:
                items = [int(p) for p in ps]
            except (TypeError, ValueError):
                raise ValueError(f"preds[{vtx}] must be a list of node indices, got {ps!r}") from None
            if not items:
                raise ValueError(f"node {vtx} has no predecessors; list -1 if it reads the network input")
            for p in items:
                if not -1 <= p < n:
                    raise ValueError(f"preds[{vtx}] contains {p}; allowed: -1 (input) or 0..{n - 1}")
                if p == vtx:
                    raise ValueError(f"node {vtx} lists itself as a predecessor (a cycle)")
            clean.append(tuple(dict.fromkeys(items)))
        succs: list[list[int]] = [[] for _ in range(n)]
        consumers = []
        indeg = [0] * n
        for vtx, ps in enumerate(clean):
            for p in ps:
                if p == INPUT:
                    consumers.append(vtx)
                else:
                    succs[p].append(vtx)
                    indeg[vtx] += 1
        import heapq

        ready = [u for u in range(n) if indeg[u] == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            u = heapq.heappop(ready)
            order.append(u)
            for w in succs[u]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    heapq.heappush(ready, w)
        if len(order) != n:
            on_cycle = sorted(u for u in range(n) if indeg[u] > 0)
            raise ValueError(f"preds contain a cycle (not a DAG); nodes on or after a cycle: {on_cycle}")
        return cls(preds=tuple(clean), succs=tuple(tuple(s) for s in succs), input_consumers=tuple(consumers),
                   order=tuple(order))

    def is_down_set(self, nodes: Iterable[int]) -> bool:
        """True if every predecessor of every node in ``nodes`` is in ``nodes`` (or is the input)."""
        s = set(nodes)
        return all(p == INPUT or p in s for u in s for p in self.preds[u])


@dataclass(frozen=True, eq=False)
class DagSplit:
    """A cut of a DAG and its latency.

    Attributes
    ----------
    edge_nodes : frozenset of int
        Nodes run on the edge (a down-set).
    latency_s : float
    edge_s, upload_s, cloud_s, return_s : float
        Components [s].
    sent_tensors : tuple of int
        Tensors that cross the link (``-1`` = the network input), each once.
    sent_bytes : float
    method : str
        ``"min-cut"`` (exact), ``"topological-prefix"`` (restricted) or ``"given"``.
    """

    edge_nodes: frozenset[int]
    latency_s: float
    edge_s: float
    upload_s: float
    cloud_s: float
    return_s: float
    sent_tensors: tuple[int, ...]
    sent_bytes: float
    method: str

    def __repr__(self) -> str:
        return (f"DagSplit({len(self.edge_nodes)} nodes on the edge, latency_s={self.latency_s:.6g}, "
                f"sent_bytes={self.sent_bytes:.6g}, method={self.method!r})")


@dataclass(frozen=True)
class _Problem:
    dag: Dag
    te: np.ndarray
    tc: np.ndarray
    out: np.ndarray
    input_bytes: float
    bandwidth_bps: float
    latency_s: float
    return_outputs: bool
    downlink_bps: float


def _problem(preds: "Sequence[Iterable[int]] | Dag", node_flops: Any, out_bytes: Any, input_bytes: float,
             edge_flops: float | None, cloud_flops: float | None, bandwidth_bps: float, latency_s: float,
             edge_times_s: Any, cloud_times_s: Any, return_outputs: bool, downlink_bps: float | None) -> _Problem:
    dag = preds if isinstance(preds, Dag) else Dag.from_preds(preds)
    n = dag.n

    def vec(name: str, x: Any) -> np.ndarray:
        a = np.asarray(x, dtype=float)
        if a.shape != (n,):
            raise ValueError(f"{name} must hold one value per node ({n}), got shape {a.shape}")
        v.nonnegative(name, a)
        return a

    if edge_times_s is not None or cloud_times_s is not None:
        if edge_times_s is None or cloud_times_s is None or node_flops is not None:
            raise ValueError("give node_flops with edge_flops/cloud_flops, or edge_times_s with cloud_times_s")
        te, tc = vec("edge_times_s", edge_times_s), vec("cloud_times_s", cloud_times_s)
    else:
        if node_flops is None or edge_flops is None or cloud_flops is None:
            raise ValueError("give node_flops with edge_flops and cloud_flops (or edge_times_s and cloud_times_s)")
        f = vec("node_flops", node_flops)
        v.positive("edge_flops", edge_flops)
        v.positive("cloud_flops", cloud_flops)
        te, tc = f / float(edge_flops), f / float(cloud_flops)
    out = vec("out_bytes", out_bytes)
    v.nonnegative("input_bytes", input_bytes)
    v.positive("bandwidth_bps", bandwidth_bps)
    v.nonnegative("latency_s", latency_s)
    down = bandwidth_bps if downlink_bps is None else downlink_bps
    v.positive("downlink_bps", down)
    return _Problem(dag, te, tc, out, float(input_bytes), float(bandwidth_bps), float(latency_s),
                    bool(return_outputs), float(down))


def _evaluate(p: _Problem, edge: frozenset[int], method: str) -> DagSplit:
    dag = p.dag
    if not dag.is_down_set(edge):
        raise ValueError(f"edge_nodes must be closed under predecessors (a down-set); {sorted(edge)} is not")
    n = dag.n
    cloud = [u for u in range(n) if u not in edge]
    sent: list[int] = []
    if cloud:
        if any(c not in edge for c in dag.input_consumers):
            sent.append(INPUT)
        sent += [u for u in sorted(edge) if any(w not in edge for w in dag.succs[u])]
    sent_bytes = sum(p.input_bytes if u == INPUT else float(p.out[u]) for u in sent)
    lat = p.latency_s if cloud else 0.0
    up = float(link_transfer_time(L=lat, t_prop=0.0, t_proc=0.0, S=sent_bytes, B_eff=p.bandwidth_bps))
    ret = 0.0
    if p.return_outputs and cloud:
        back = sum(float(p.out[u]) for u in dag.sinks if u not in edge)
        ret = float(link_transfer_time(L=p.latency_s, t_prop=0.0, t_proc=0.0, S=back, B_eff=p.downlink_bps))
    te = float(sum(p.te[u] for u in edge))
    tc = float(sum(p.tc[u] for u in cloud))
    total = float(split_latency(T_e=te, T_up=up, T_c=tc, T_down=ret))
    return DagSplit(edge_nodes=frozenset(edge), latency_s=total, edge_s=te, upload_s=up, cloud_s=tc, return_s=ret,
                    sent_tensors=tuple(sent), sent_bytes=float(sent_bytes), method=method)


def dag_latency(preds: "Sequence[Iterable[int]] | Dag", edge_nodes: Iterable[int], *, out_bytes: Any,
                input_bytes: float, bandwidth_bps: float, latency_s: float, node_flops: Any = None,
                edge_flops: float | None = None, cloud_flops: float | None = None, edge_times_s: Any = None,
                cloud_times_s: Any = None, return_outputs: bool = False,
                downlink_bps: float | None = None) -> DagSplit:
    """Latency of one given cut (``edge_nodes`` must be a down-set; ValueError otherwise)."""
    p = _problem(preds, node_flops, out_bytes, input_bytes, edge_flops, cloud_flops, bandwidth_bps, latency_s,
                 edge_times_s, cloud_times_s, return_outputs, downlink_bps)
    nodes = frozenset(int(u) for u in edge_nodes)
    bad = [u for u in nodes if not 0 <= u < p.dag.n]
    if bad:
        raise ValueError(f"edge_nodes contains {bad}; nodes are 0..{p.dag.n - 1}")
    return _evaluate(p, nodes, "given")


def best_split_dag(preds: "Sequence[Iterable[int]] | Dag", *, out_bytes: Any, input_bytes: float,
                   bandwidth_bps: float, latency_s: float, node_flops: Any = None, edge_flops: float | None = None,
                   cloud_flops: float | None = None, edge_times_s: Any = None, cloud_times_s: Any = None,
                   return_outputs: bool = False, downlink_bps: float | None = None) -> DagSplit:
    """Exact best cut of a DAG by a minimum s–t cut.

    Parameters
    ----------
    preds : sequence of sequences of int, or Dag
        ``preds[v]``: nodes whose outputs node v reads; ``-1`` = the network input.
    out_bytes : sequence of float
        Output BYTES of each node (paid once if it crosses, whatever its fan-out).
    input_bytes : float
        BYTES of the network input.
    bandwidth_bps, latency_s : float
        Upload rate [bit/s] and fixed one-way latency [s] (paid iff something crosses).
    node_flops, edge_flops, cloud_flops :
        FLOPs per node and the two rates [FLOP/s]; or instead
    edge_times_s, cloud_times_s :
        per-node times [s] (e.g. :func:`npucourse.edgecloud.split.layer_times` on two ``Hardware``).
    return_outputs : bool
        If True, outputs of sink nodes computed in the cloud return to the device
        (latency + 8·bytes / ``downlink_bps``).

    Returns
    -------
    DagSplit

    Notes
    -----
    Flow network: source side = edge. Node v: s→v with capacity t_cloud(v) (+ its return
    bytes time if it is a sink), v→t with t_edge(v); for every graph edge u→v an uncuttable
    v→u (v on the edge forces u on the edge); for every tensor u an auxiliary node x_u with
    u→x_u of capacity 8·bytes(u)/B and uncuttable x_u→w for each consumer w (the input: s→x_in).
    A cut of finite capacity is exactly a down-set, and its capacity is T(S) without L.
    """
    p = _problem(preds, node_flops, out_bytes, input_bytes, edge_flops, cloud_flops, bandwidth_bps, latency_s,
                 edge_times_s, cloud_times_s, return_outputs, downlink_bps)
    dag, n = p.dag, p.dag.n
    S_, T_ = 0, 1
    node = [2 + u for u in range(n)]
    edges: list[tuple[int, int, float]] = []
    nxt = 2 + n
    sinks = set(dag.sinks)
    for u in range(n):
        back = 8.0 * float(p.out[u]) / p.downlink_bps if (p.return_outputs and u in sinks) else 0.0
        edges.append((S_, node[u], float(p.tc[u]) + back))
        edges.append((node[u], T_, float(p.te[u])))
        for q in dag.preds[u]:
            if q != INPUT:
                edges.append((node[u], node[q], math.inf))
        if dag.succs[u]:
            x = nxt
            nxt += 1
            edges.append((node[u], x, 8.0 * float(p.out[u]) / p.bandwidth_bps))
            edges.extend((x, node[w], math.inf) for w in dag.succs[u])
    if dag.input_consumers:
        x = nxt
        nxt += 1
        edges.append((S_, x, 8.0 * p.input_bytes / p.bandwidth_bps))
        edges.extend((x, node[w], math.inf) for w in dag.input_consumers)
    _, side = min_cut(nxt, edges, S_, T_)
    cut = _evaluate(p, frozenset(u for u in range(n) if node[u] in side), "min-cut")
    all_edge = _evaluate(p, frozenset(range(n)), "min-cut")
    return cut if cut.latency_s < all_edge.latency_s else all_edge


def topological_prefix_split(preds: "Sequence[Iterable[int]] | Dag", *, out_bytes: Any, input_bytes: float,
                             bandwidth_bps: float, latency_s: float, node_flops: Any = None,
                             edge_flops: float | None = None, cloud_flops: float | None = None,
                             edge_times_s: Any = None, cloud_times_s: Any = None, order: Sequence[int] | None = None,
                             return_outputs: bool = False, downlink_bps: float | None = None) -> DagSplit:
    """Best cut among the n + 1 prefixes of ONE topological order (restricted search).

    Guarantee: every prefix is a down-set, so the result is a feasible cut and its latency is
    an upper bound on the optimum of :func:`best_split_dag`; it equals the optimum for a chain
    (one order, whose prefixes are all the down-sets) but not for a DAG in general.
    ``order`` defaults to :attr:`Dag.order`; a given order is checked to be topological.
    """
    p = _problem(preds, node_flops, out_bytes, input_bytes, edge_flops, cloud_flops, bandwidth_bps, latency_s,
                 edge_times_s, cloud_times_s, return_outputs, downlink_bps)
    seq = list(p.dag.order if order is None else (int(u) for u in order))
    if sorted(seq) != list(range(p.dag.n)):
        raise ValueError(f"order must be a permutation of 0..{p.dag.n - 1}, got {list(order or [])!r}")
    pos = {u: i for i, u in enumerate(seq)}
    if any(q != INPUT and pos[q] > pos[u] for u in range(p.dag.n) for q in p.dag.preds[u]):
        raise ValueError("order is not topological: a node comes before one of its predecessors")
    best = None
    for i in range(p.dag.n + 1):
        cand = _evaluate(p, frozenset(seq[:i]), "topological-prefix")
        if best is None or cand.latency_s < best.latency_s:
            best = cand
    assert best is not None
    return best
