"""Edge–cloud inference models (Chapter 21 §21.4): links, queueing, split points, offloading,
privacy noise.

Modules: :mod:`.link` (rates, latencies, presets), :mod:`.queueing` (M/M/1, M/D/1, Little),
:mod:`.split` (chains, three tiers, the draft's recurrence), :mod:`.dag` (DAG split by min-cut),
:mod:`.offload` (weighted latency/energy/price decision), :mod:`.privacy` (DP noise,
composition, obfuscation cost), :mod:`.cases` (the chapter's worked cases and exercises).

>>> import npucourse as npc
>>> s = npc.edgecloud.best_split(layer_flops=[1e9, 2e9, 3e9], out_bytes=[5e5, 1e5, 1e5], input_bytes=1e6,
...                              edge_flops=1e12, cloud_flops=1e13, bandwidth_bps=8e7, latency_s=0.01)
>>> s.k
3
>>> round(npc.edgecloud.gaussian_sigma(1.0, 0.5, 1e-5), 4)
9.6896
"""

from __future__ import annotations

from . import dag, link, offload, privacy, queueing, split
from .dag import Dag, DagSplit, best_split_dag, dag_latency, topological_prefix_split
from .link import Link
from .offload import (
    CloudPrice,
    DevicePower,
    OffloadCosts,
    Weights,
    decide_over_bandwidth,
    offload_costs,
    threshold_bandwidth,
    threshold_bandwidth_weighted,
)
from .privacy import (
    compose_advanced,
    compose_basic,
    compose_sequence,
    gaussian_sigma,
    laplace_scale,
    noise_rms_norm,
    obfuscation_cost,
    overhead_ratio,
)
from .queueing import QueueStats, md1, mg1_wait, mm1, utilization
from .split import (
    DraftDP,
    Split,
    Split3,
    best_split,
    best_split_3tier,
    best_split_times,
    chain_of,
    draft_dp_split,
    layer_times,
    split_network,
)

__all__ = [
    "dag", "link", "offload", "privacy", "queueing", "split",
    "Dag", "DagSplit", "best_split_dag", "dag_latency", "topological_prefix_split",
    "Link",
    "CloudPrice", "DevicePower", "OffloadCosts", "Weights", "decide_over_bandwidth", "offload_costs",
    "threshold_bandwidth", "threshold_bandwidth_weighted",
    "compose_advanced", "compose_basic", "compose_sequence", "gaussian_sigma", "laplace_scale", "noise_rms_norm",
    "obfuscation_cost", "overhead_ratio",
    "QueueStats", "md1", "mg1_wait", "mm1", "utilization",
    "DraftDP", "Split", "Split3", "best_split", "best_split_3tier", "best_split_times", "chain_of",
    "draft_dp_split", "layer_times", "split_network",
]
