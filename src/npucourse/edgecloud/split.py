"""Split-point selection for a chain of layers (Chapter 21 §21.4.1).

Cut a chain of n layers after k layers (k = 0..n): layers 0..k-1 run on the edge, the tensor
that crosses the cut goes over the link, layers k..n-1 run in the cloud::

    T(k) = Σ_{i<k} t_edge(i) + [k < n]·(L + 8·D_k / B) + Σ_{i>=k} t_cloud(i) + T_return(k)

with D_0 = the input, D_k = output bytes of layer k-1. At k = n everything runs on the edge
and NOTHING crosses the link (no latency, no bytes, no return trip). The optional return trip
(``result_bytes``) sends the result back to the device when k < n.

One cut is chosen from n + 1 candidates, each evaluated in O(1) with prefix sums, so a
vectorised scan over all k is exact and O(n) — no dynamic programme is needed. The draft's
O(n²) recurrence (:func:`draft_dp_split`) adds the transfer and the cloud time of an earlier
cut to every later one and therefore returns an end point whatever the network.

Two cuts (device → edge server → cloud, :func:`best_split_3tier`) separate into a function of
the first cut plus a function of the second, so a prefix minimum finds the exact optimum in
O(n). DAGs with skip connections: :mod:`npucourse.edgecloud.dag`.

Formulas (registry, topic ``edgecloud_split``): ``split_latency``, ``split_latency_flops``,
``split_latency_slope``, ``split_latency_3tier``; transfers use ``link_transfer_time``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .. import _validate as v
from ..cost import Cost
from ..formulas._gen.edgecloud_link import link_transfer_time
from ..formulas._gen.edgecloud_split import split_latency, split_latency_3tier
from ..hardware import Hardware
from .link import Link

if TYPE_CHECKING:
    from ..networks.base import Network

__all__ = [
    "Split", "best_split", "best_split_times", "split_network", "layer_times", "chain_of",
    "DraftDP", "draft_dp_split", "Split3", "best_split_3tier",
]


def _vector(name: str, values: Any) -> np.ndarray:
    """A non-empty 1-D float array of finite values >= 0."""
    a = np.asarray(values, dtype=float) if not isinstance(values, np.ndarray) else values.astype(float)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a 1-D sequence (one value per layer), got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty: a chain needs at least one layer")
    v.nonnegative(name, a)
    return a


def _same_length(**arrays: np.ndarray) -> int:
    lengths = {k: a.size for k, a in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"one value per layer expected, got lengths {lengths}")
    return next(iter(lengths.values()))


def _flop_chain(layer_flops: Any, out_bytes: Any, input_bytes: float, edge_flops: float,
                cloud_flops: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate a chain given by FLOPs and rates; return (flops, out_bytes, n)."""
    f = _vector("layer_flops", layer_flops)
    ob = _vector("out_bytes", out_bytes)
    n = _same_length(layer_flops=f, out_bytes=ob)
    v.nonnegative("input_bytes", input_bytes)
    v.positive("edge_flops", edge_flops)
    v.positive("cloud_flops", cloud_flops)
    return f, ob, n


def _crossing(out_bytes: np.ndarray, input_bytes: float) -> np.ndarray:
    """Bytes that cross the link for k = 0..n: the input, the outputs of layers 0..n-2, then 0."""
    return np.concatenate(([float(input_bytes)], out_bytes[:-1], [0.0]))


def _prefix_times(edge_times_s: np.ndarray, cloud_times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edge time of the layers before each cut and cloud time of the layers after it, k = 0..n."""
    edge = np.concatenate(([0.0], np.cumsum(edge_times_s)))
    cloud = np.concatenate((np.cumsum(cloud_times_s[::-1])[::-1], [0.0]))
    return edge, cloud


def _link_terms(n: int, crossing: np.ndarray, bandwidth_bps: float, latency_s: float,
                result_bytes: float | None, downlink_bps: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-k fixed latency of the upload (0 at k = n) and return time (0 at k = n or when not returned)."""
    v.positive("bandwidth_bps", bandwidth_bps)
    v.nonnegative("latency_s", latency_s)
    lat = np.full(n + 1, float(latency_s))
    lat[n] = 0.0
    ret = np.zeros(n + 1)
    if result_bytes is not None:
        v.nonnegative("result_bytes", result_bytes)
        down = bandwidth_bps if downlink_bps is None else downlink_bps
        v.positive("downlink_bps", down)
        ret[:n] = link_transfer_time(L=float(latency_s), t_prop=0.0, t_proc=0.0, S=float(result_bytes), B_eff=down)
    elif downlink_bps is not None:
        raise ValueError("downlink_bps is only used for the return trip; pass result_bytes as well")
    return lat, ret


@dataclass(frozen=True, eq=False)
class Split:
    """The best single cut of a chain and the latency of every cut.

    Attributes
    ----------
    k : int
        Layers on the edge at the optimum (0: the input is sent, n: nothing is sent).
    latency_s : float
        End-to-end latency at ``k`` [s].
    latencies_s : ndarray, shape (n + 1,)
        Latency of every cut k = 0..n [s].
    edge_s, upload_s, cloud_s, return_s : ndarray, shape (n + 1,)
        Components per cut [s]: edge compute, upload (latency + transmission), cloud compute,
        return trip (0 unless ``result_bytes`` was given).
    sent_bytes : ndarray, shape (n + 1,)
        Bytes sent over the link per cut (0 at k = n).
    """

    k: int
    latency_s: float
    latencies_s: np.ndarray
    edge_s: np.ndarray
    upload_s: np.ndarray
    cloud_s: np.ndarray
    return_s: np.ndarray
    sent_bytes: np.ndarray

    @property
    def n(self) -> int:
        """Number of layers in the chain."""
        return self.latencies_s.size - 1

    def breakdown(self, k: int | None = None) -> dict[str, float]:
        """Components of cut ``k`` (default: the optimum) [s], and the bytes sent."""
        k = self.k if k is None else int(k)
        if not 0 <= k <= self.n:
            raise ValueError(f"k must lie in 0..{self.n}, got {k}")
        return {"k": k, "edge_s": float(self.edge_s[k]), "upload_s": float(self.upload_s[k]),
                "cloud_s": float(self.cloud_s[k]), "return_s": float(self.return_s[k]),
                "total_s": float(self.latencies_s[k]), "sent_bytes": float(self.sent_bytes[k])}

    def __repr__(self) -> str:
        return f"Split(k={self.k} of n={self.n}, latency_s={self.latency_s:.6g})"


def _result(lat: np.ndarray, edge: np.ndarray, up: np.ndarray, cloud: np.ndarray, ret: np.ndarray,
            sent: np.ndarray) -> Split:
    lat = np.asarray(lat, dtype=float)
    k = int(np.argmin(lat))  # ties: the fewest edge layers
    return Split(k=k, latency_s=float(lat[k]), latencies_s=lat, edge_s=edge, upload_s=up, cloud_s=cloud,
                 return_s=ret, sent_bytes=sent)


def best_split(layer_flops: Any, out_bytes: Any, input_bytes: float, edge_flops: float, cloud_flops: float,
               bandwidth_bps: float, latency_s: float, result_bytes: float | None = None,
               downlink_bps: float | None = None) -> Split:
    """Best single cut of a chain whose layers run at fixed FLOP rates.

    Parameters
    ----------
    layer_flops : sequence of float
        FLOPs of each layer (2·MACs + other operations), in execution order.
    out_bytes : sequence of float
        Output BYTES of each layer (what a cut after it sends).
    input_bytes : float
        BYTES of the network input (sent when k = 0).
    edge_flops, cloud_flops : float
        Sustained throughput of edge and cloud [FLOP/s].
    bandwidth_bps : float
        Upload data rate [bit/s] (bits: the bytes are multiplied by 8).
    latency_s : float
        Fixed one-way latency of the upload [s] (paid whenever something is sent, k < n).
    result_bytes : float, optional
        If given, the cloud returns this many bytes to the device when k < n, paying
        ``latency_s + 8·result_bytes/downlink_bps``. Default: no return trip (the draft's model).
    downlink_bps : float, optional
        Rate of the return trip [bit/s]; defaults to ``bandwidth_bps``.

    Returns
    -------
    Split
        ``s.k`` (layers on the edge), ``s.latency_s``, ``s.latencies_s`` (one per k = 0..n).

    Notes
    -----
    T(k) = E_k/P_e + [k<n](L + 8·D_k/B) + (F − E_k)/P_c + T_return(k) (registry formula
    ``split_latency_flops``), evaluated for all k at once from prefix sums of the per-layer
    times f_i/P (:func:`best_split_times`). Exact, O(n).

    Examples
    --------
    Three layers of 1, 2, 3 GFLOP; edge 1 TFLOP/s, cloud 10 TFLOP/s; 1 MB input, outputs
    0.5, 0.1, 0.1 MB; 80 Mbit/s, 10 ms. T(0) = 10 ms + 100 ms + 0.6 ms; T(1) = 1 + 10 + 50 +
    0.5 = 61.5 ms; T(2) = 3 + 10 + 10 + 0.3 = 23.3 ms; T(3) = 6 ms (nothing sent).

    >>> s = best_split([1e9, 2e9, 3e9], [5e5, 1e5, 1e5], 1e6, 1e12, 1e13, 8e7, 0.01)
    >>> s.k, round(s.latency_s * 1e3, 9)
    (3, 6.0)
    """
    f, _, _ = _flop_chain(layer_flops, out_bytes, input_bytes, edge_flops, cloud_flops)
    return best_split_times(f / float(edge_flops), f / float(cloud_flops), out_bytes, input_bytes, bandwidth_bps,
                            latency_s, result_bytes, downlink_bps)


def best_split_times(edge_times_s: Any, cloud_times_s: Any, out_bytes: Any, input_bytes: float,
                     bandwidth_bps: float, latency_s: float, result_bytes: float | None = None,
                     downlink_bps: float | None = None) -> Split:
    """Best single cut when each layer has its own edge and cloud time (e.g. from the roofline).

    Same model and result as :func:`best_split`, with ``Σ_{i<k} edge_times_s[i]`` and
    ``Σ_{i>=k} cloud_times_s[i]`` in place of FLOPs / rate (registry formula ``split_latency``).
    """
    te = _vector("edge_times_s", edge_times_s)
    tc = _vector("cloud_times_s", cloud_times_s)
    ob = _vector("out_bytes", out_bytes)
    n = _same_length(edge_times_s=te, cloud_times_s=tc, out_bytes=ob)
    v.nonnegative("input_bytes", input_bytes)
    sent = _crossing(ob, input_bytes)
    lat_fixed, ret = _link_terms(n, sent, bandwidth_bps, latency_s, result_bytes, downlink_bps)
    edge, cloud = _prefix_times(te, tc)
    up = link_transfer_time(L=lat_fixed, t_prop=0.0, t_proc=0.0, S=sent, B_eff=float(bandwidth_bps))
    total = split_latency(T_e=edge, T_up=up, T_c=cloud, T_down=ret)
    return _result(total, edge, up, cloud, ret, sent)


# -- networks ------------------------------------------------------------------------------------
def chain_of(net: "Network") -> tuple[np.ndarray, np.ndarray]:
    """Per-layer FLOPs and output bytes of a network's layer list, in order."""
    flops = np.array([float(ly.cost.flops) for ly in net.layers])
    out = np.array([float(ly.cost.out_bytes) for ly in net.layers])
    return flops, out


def layer_times(costs: "Network | Sequence[Cost]", hw: Hardware, dtype: str | None = None,
                levels: str = "dram") -> np.ndarray:
    """Roofline time of each layer on ``hw`` [s] (:func:`npucourse.roofline.analyze`).

    Layers with neither FLOPs nor bytes (pure reshapes) take 0 s.
    """
    from ..roofline import analyze

    records = [ly.cost for ly in costs.layers] if hasattr(costs, "layers") else list(costs)
    if not records:
        raise ValueError("costs is empty: a chain needs at least one layer")
    out = np.zeros(len(records))
    for i, c in enumerate(records):
        if not isinstance(c, Cost):
            raise ValueError(f"layer {i} must be a Cost record, got {type(c).__name__}")
        if float(c.flops) == 0 and float(c.bytes) == 0:
            continue
        out[i] = analyze(c, hw, dtype=dtype, levels=levels).time_s
    return out


def split_network(net: "Network", edge: "Hardware | float", cloud: "Hardware | float", *, input_bytes: float,
                  link: Link | None = None, bandwidth_bps: float | None = None, latency_s: float | None = None,
                  dtype: str | None = None, result_bytes: float | None = None) -> Split:
    """Best cut of ``net``'s layer list.

    ``edge`` / ``cloud`` are either a :class:`~npucourse.hardware.Hardware` (per-layer roofline
    times for ``dtype``) or a sustained rate in FLOP/s. The link is a :class:`Link` (its
    effective rate and fixed latency are used) or ``bandwidth_bps`` + ``latency_s``.
    """
    if link is not None:
        if bandwidth_bps is not None or latency_s is not None:
            raise ValueError("give either link or bandwidth_bps/latency_s, not both")
        bandwidth_bps, latency_s = link.effective_bandwidth_bps, link.fixed_latency_s
    if bandwidth_bps is None or latency_s is None:
        raise ValueError("a link is needed: pass link=Link(...) or both bandwidth_bps and latency_s")
    flops, out = chain_of(net)
    if not isinstance(edge, Hardware) and not isinstance(cloud, Hardware):
        return best_split(flops, out, input_bytes, edge, cloud, bandwidth_bps, latency_s, result_bytes)

    def times(side: "Hardware | float", label: str) -> np.ndarray:
        if isinstance(side, Hardware):
            return layer_times(net, side, dtype=dtype)
        v.positive(label, side)
        return flops / float(side)

    return best_split_times(times(edge, "edge"), times(cloud, "cloud"), out, input_bytes, bandwidth_bps,
                            latency_s, result_bytes)


# -- the draft's recurrence ------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DraftDP:
    """What the draft's recurrence (§21.4.1) computes.

    Attributes
    ----------
    k : int
        The cut it selects.
    dp : ndarray, shape (n + 1,)
        DP[0..n] as the recurrence defines them [s].
    latency_s : float
        The value it reports for its cut [s].
    base : str
        Reading of the unstated base case (see :func:`draft_dp_split`).
    """

    k: int
    dp: np.ndarray
    latency_s: float
    base: str


def draft_dp_split(layer_flops: Any, out_bytes: Any, input_bytes: float, edge_flops: float, cloud_flops: float,
                   bandwidth_bps: float, latency_s: float, base: str = "k0") -> DraftDP:
    """Reproduce the draft's recurrence for the split point, literally, in O(n²).

    DP[i] = min_{j<i} { DP[j] + T_edge(j+1..i) + T_transfer(i) + T_cloud(i+1..n) },
    T_transfer(i) = 8·Size(i)/B + L (layers numbered 1..n as in the draft; Size(0) = input).

    The draft gives no base case and no read-out; two readings:

    * ``base="k0"``: DP[0] = T_transfer(0) + T_cloud(1..n) (its objective with no edge layer)
      and the answer argmin_i DP[i]. Every DP[i], i >= 1, then equals DP[0] + T(i): the
      transfer and cloud time already inside DP[j] are counted a second time, so the answer is
      always k = 0 (everything in the cloud), whatever the network and the link.
    * ``base="zero"``: DP[0] = 0 and the answer DP[n]. The best j is then always 0 and DP[n] is
      "all layers on the edge, then send the final output": always k = n.

    Use :func:`best_split` for the right answer.
    """
    v.choice("base", base, ("k0", "zero"))
    f, ob, n = _flop_chain(layer_flops, out_bytes, input_bytes, edge_flops, cloud_flops)
    v.positive("bandwidth_bps", bandwidth_bps)
    v.nonnegative("latency_s", latency_s)
    size = np.concatenate(([float(input_bytes)], ob))  # Size(i) for i = 0..n, as the draft writes it
    xfer = link_transfer_time(L=float(latency_s), t_prop=0.0, t_proc=0.0, S=size, B_eff=float(bandwidth_bps))
    E = np.concatenate(([0.0], np.cumsum(f)))
    F = E[-1]
    dp = np.zeros(n + 1)
    dp[0] = xfer[0] + F / cloud_flops if base == "k0" else 0.0
    for i in range(1, n + 1):
        j = np.arange(i)
        dp[i] = np.min(dp[j] + (E[i] - E[j]) / edge_flops + xfer[i] + (F - E[i]) / cloud_flops)
    k = int(np.argmin(dp)) if base == "k0" else n
    return DraftDP(k=k, dp=dp, latency_s=float(dp[k]), base=base)


# -- three tiers -----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Split3:
    """Best pair of cuts device → edge server → cloud.

    Layers 0..a-1 on the device, a..b-1 on the edge server, b..n-1 in the cloud (0 <= a <= b <= n).
    Link 1 carries D_a when a < n; link 2 carries D_b when b < n (relayed if a = b).
    """

    a: int
    b: int
    latency_s: float
    device_s: float
    link1_s: float
    edge_s: float
    link2_s: float
    cloud_s: float


def best_split_3tier(device_times_s: Any, edge_times_s: Any, cloud_times_s: Any, out_bytes: Any,
                     input_bytes: float, link1: Link, link2: Link) -> Split3:
    """Exact best two cuts for a chain over device, edge server and cloud, in O(n).

    T(a, b) = P_dev[a] + X1(a) + (P_edge[b] − P_edge[a]) + X2(b) + (P_cloud[n] − P_cloud[b])
    (registry formula ``split_latency_3tier``), with prefix sums P and X = link transfer time
    (0 when nothing crosses). It splits into g1(a) + g2(b) with
    g1(a) = P_dev[a] − P_edge[a] + X1(a) and g2(b) = P_edge[b] + X2(b) − P_cloud[b] + P_cloud[n],
    so min over a <= b is a running minimum of g1 (dynamic programming over the two cuts).
    """
    td = _vector("device_times_s", device_times_s)
    te = _vector("edge_times_s", edge_times_s)
    tc = _vector("cloud_times_s", cloud_times_s)
    ob = _vector("out_bytes", out_bytes)
    n = _same_length(device_times_s=td, edge_times_s=te, cloud_times_s=tc, out_bytes=ob)
    v.nonnegative("input_bytes", input_bytes)
    for name, lk in (("link1", link1), ("link2", link2)):
        if not isinstance(lk, Link):
            raise ValueError(f"{name} must be an npucourse.edgecloud.Link, got {type(lk).__name__}")
    sent = _crossing(ob, input_bytes)
    crosses = np.arange(n + 1) < n
    x1 = np.where(crosses, link1.transfer_time(sent), 0.0)
    x2 = np.where(crosses, link2.transfer_time(sent), 0.0)
    pd_, pe, pc = (np.concatenate(([0.0], np.cumsum(t))) for t in (td, te, tc))
    g1 = pd_ - pe + x1
    g2 = pe + x2 - pc + pc[-1]
    run_min = np.minimum.accumulate(g1)
    best_a = np.maximum.accumulate(np.where(g1 == run_min, np.arange(n + 1), 0))
    b = int(np.argmin(run_min + g2))
    a = int(best_a[b])
    parts = dict(T_1=pd_[a], X_1=x1[a], T_2=pe[b] - pe[a], X_2=x2[b], T_3=pc[-1] - pc[b])
    total = float(split_latency_3tier(**parts))
    return Split3(a=a, b=b, latency_s=total, device_s=float(parts["T_1"]), link1_s=float(parts["X_1"]),
                  edge_s=float(parts["T_2"]), link2_s=float(parts["X_2"]), cloud_s=float(parts["T_3"]))
