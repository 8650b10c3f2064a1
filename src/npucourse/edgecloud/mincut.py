"""Minimum s–t cut by maximum flow (Dinic's algorithm), for the DAG split (Chapter 21 §21.4.1).

Capacities are floats (seconds); ``math.inf`` marks an edge that must never be cut. A
residual capacity at or below a tolerance of 1e-12 × (sum of finite capacities) counts as
saturated. Plain Python (no numpy) — the graphs are a few thousand edges at most.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Iterable

__all__ = ["min_cut"]


def min_cut(n_nodes: int, edges: Iterable[tuple[int, int, float]], s: int, t: int) -> tuple[float, set[int]]:
    """Minimum s–t cut of a directed graph.

    Parameters
    ----------
    n_nodes : int
        Nodes are 0..n_nodes-1.
    edges : iterable of (u, v, capacity)
        Directed edges; capacity >= 0 (``math.inf`` allowed).
    s, t : int
        Source and sink (distinct).

    Returns
    -------
    value : float
        Capacity of the minimum cut (= maximum flow).
    source_side : set of int
        Nodes reachable from ``s`` in the residual graph (the source side of a minimum cut).
    """
    if s == t or not (0 <= s < n_nodes and 0 <= t < n_nodes):
        raise ValueError(f"s and t must be distinct nodes in 0..{n_nodes - 1}, got s={s}, t={t}")
    head: list[list[int]] = [[] for _ in range(n_nodes)]
    to: list[int] = []
    cap: list[float] = []
    finite = 0.0
    for u, w, c in edges:
        if not (c >= 0):
            raise ValueError(f"edge ({u}, {w}) has capacity {c!r}; capacities must be >= 0")
        if math.isfinite(c):
            finite += c
        head[u].append(len(to))
        to.append(w)
        cap.append(float(c))
        head[w].append(len(to))
        to.append(u)
        cap.append(0.0)
    tol = 1e-12 * max(finite, 1e-300)

    def levels() -> list[int]:
        level = [-1] * n_nodes
        level[s] = 0
        q = deque([s])
        while q:
            u = q.popleft()
            for e in head[u]:
                if cap[e] > tol and level[to[e]] < 0:
                    level[to[e]] = level[u] + 1
                    q.append(to[e])
        return level

    flow = 0.0
    while True:
        level = levels()
        if level[t] < 0:
            break
        it = [0] * n_nodes
        while True:  # one augmenting path per pass through the level graph
            path: list[int] = []
            u = s
            while u != t:
                adj = head[u]
                while it[u] < len(adj):
                    e = adj[it[u]]
                    if cap[e] > tol and level[to[e]] == level[u] + 1:
                        break
                    it[u] += 1
                if it[u] < len(adj):
                    e = adj[it[u]]
                    path.append(e)
                    u = to[e]
                    continue
                if u == s:
                    break
                level[u] = -1  # dead end: never enter it again in this phase
                e = path.pop()
                u = to[e ^ 1]
                it[u] += 1
            if u != t:
                break
            f = min(cap[e] for e in path)
            if math.isinf(f):
                raise ValueError("every s-t cut has infinite capacity: a path of uncuttable edges joins s and t")
            for e in path:
                cap[e] -= f
                cap[e ^ 1] += f
            flow += f
    seen = {s}
    q = deque([s])
    while q:
        u = q.popleft()
        for e in head[u]:
            if cap[e] > tol and to[e] not in seen:
                seen.add(to[e])
                q.append(to[e])
    return flow, seen
