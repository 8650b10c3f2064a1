"""Edge–cloud inference models (Chapter 21 §21.4): links, queueing, split points, offloading,
privacy noise.

>>> import npucourse as npc
>>> s = npc.edgecloud.best_split(layer_flops=[1e9, 2e9, 3e9], out_bytes=[5e5, 1e5, 1e5], input_bytes=1e6,
...                              edge_flops=1e12, cloud_flops=1e13, bandwidth_bps=8e7, latency_s=0.01)
>>> s.k
3
"""

from __future__ import annotations

from . import link, queueing, split
from .link import Link
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
    "link", "queueing", "split", "Link", "QueueStats", "md1", "mg1_wait", "mm1", "utilization",
    "DraftDP", "Split", "Split3", "best_split", "best_split_3tier", "best_split_times", "chain_of",
    "draft_dp_split", "layer_times", "split_network",
]
