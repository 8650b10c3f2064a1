"""The worked cases of Chapter 21 §21.4 and exercises 21.4, 21.6, 21.7 — every assumption
stated once, here, and every number computed by the edge–cloud models.

* Exercise 21.4: 1 MB of activations sent over 5G (uplink, M.2410 minimum rate).
* Exercise 21.6: best split of a 20-block ViT-B/16 between a 0.5 TFLOP/s edge and a
  50 TFLOP/s cloud over 100 Mbit/s with 20 ms latency.
* Exercise 21.7: cost and noise level of "PCA to 50 %, ε = 1 Gaussian noise, random rotation".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..units import MEGA, MIB, MILLI, TERA, dtype_bytes
from . import link as _link
from .privacy import gaussian_sigma, noise_rms_norm, obfuscation_cost, overhead_ratio
from .split import DraftDP, Split, best_split, draft_dp_split

__all__ = ["EX21_4", "ex21_4_transfer", "EX21_6", "ex21_6_chain", "ex21_6_split", "ex21_6_draft_dp",
           "EX21_7", "ex21_7_overhead", "ex21_7_noise_to_signal"]


# -- exercise 21.4 -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ex214:
    payload_bytes: float = 1 * MEGA          # "1MB", read as a decimal megabyte (1e6 B = 8e6 bit)
    payload_mib_bytes: float = 1 * MIB       # the binary reading (1 MiB = 8.388608e6 bit)
    protocol_efficiency: float = 0.9         # draft §21.4.2: "TCP ≈ 0.9"
    propagation_s: float = 10 * MILLI        # draft's answer: "传播延迟 ~10ms"
    link: str = "5g-embb"
    source: str = ("draft exercise 21.4 and its answer (payload, ~10 ms propagation, ~10 % protocol "
                   "overhead); rates and user-plane latency: ITU-R M.2410 via link preset '5g-embb'")


EX21_4 = _Ex214()


def ex21_4_transfer(direction: str = "up", payload_bytes: float | None = None,
                    protocol_efficiency: float | None = None) -> dict[str, float]:
    """Latency components [s] of sending exercise 21.4's payload over the 5G eMBB preset.

    ``direction="up"``: the device sends (50 Mbit/s, what an edge device uses for activations);
    ``"down"`` reproduces the draft's 100 Mbit/s. The draft's 10 ms propagation is modelled as
    fibre distance 10 ms × c/n; the M.2410 user-plane latency (4 ms) is added.
    """
    lk = _link.get(EX21_4.link, direction).with_(
        protocol_efficiency=EX21_4.protocol_efficiency if protocol_efficiency is None else protocol_efficiency,
        distance_m=EX21_4.propagation_s * _link.FIBRE_SPEED_MPS)
    return lk.components(EX21_4.payload_bytes if payload_bytes is None else payload_bytes)


# -- exercise 21.6 -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ex216:
    variant: str = "B/16"          # assumption: ViT-B/16 width 768 (the exercise names no variant)
    image_size: int = 224          # assumption: 224×224 input → 197 tokens
    blocks: int = 20               # the exercise's "20-layer" ViT: 20 encoder blocks
    act_dtype: str = "fp16"        # assumption: activations sent in fp16 (197 × 768 × 2 B per boundary)
    input_dtype: str = "int8"      # assumption: the raw image as uint8 pixels (1 byte per value, as int8)
    edge_flops: float = 0.5 * TERA      # exercise: edge 0.5 TFLOPS, assumed sustained (100 % utilisation)
    cloud_flops: float = 50 * TERA      # exercise: cloud 50 TFLOPS, assumed sustained
    bandwidth_bps: float = 100 * MEGA   # exercise: 100 Mbps, taken as the upload rate
    latency_s: float = 20 * MILLI       # exercise: 20 ms, taken as the one-way latency
    draft_blocks_on_edge: int = 12      # draft answer: "在第12层分割"
    source: str = "draft exercise 21.6; network npucourse.networks.vit (torchvision layout)"


EX21_6 = _Ex216()


def ex21_6_chain(input_dtype: str | None = None, **vit_overrides: Any) -> dict[str, Any]:
    """Exercise 21.6's chain: one element per stage of ``npucourse.networks.vit`` (embedding,
    then each encoder block, then the head), with FLOPs, output bytes and the input bytes.

    Returns a dict with ``names``, ``layer_flops``, ``out_bytes``, ``input_bytes``, ``net``.
    """
    from ..networks import vit

    kw = dict(variant=EX21_6.variant, image_size=EX21_6.image_size, layers=EX21_6.blocks, dtype=EX21_6.act_dtype)
    kw.update(vit_overrides)
    net = vit(kw.pop("variant"), kw.pop("image_size"), granularity="block", **kw)
    stages = net.stages
    size = int(net.config["image_size"])
    return {
        "names": list(stages),
        "layer_flops": np.array([float(c.flops) for c in stages.values()]),
        "out_bytes": np.array([float(c.out_bytes) for c in stages.values()]),
        "input_bytes": 3 * size * size * dtype_bytes(input_dtype or EX21_6.input_dtype),
        "net": net,
    }


def ex21_6_split(input_dtype: str | None = None, bandwidth_bps: float | None = None,
                 latency_s: float | None = None, **vit_overrides: Any) -> Split:
    """Best cut for exercise 21.6 (all cuts k = 0..n; k counts stages on the edge, the embedding
    being stage 0, so k = 1 + b means the embedding and b encoder blocks on the edge)."""
    c = ex21_6_chain(input_dtype, **vit_overrides)
    return best_split(c["layer_flops"], c["out_bytes"], c["input_bytes"], EX21_6.edge_flops, EX21_6.cloud_flops,
                      EX21_6.bandwidth_bps if bandwidth_bps is None else bandwidth_bps,
                      EX21_6.latency_s if latency_s is None else latency_s)


def ex21_6_draft_dp(base: str = "k0", bandwidth_bps: float | None = None, latency_s: float | None = None) -> DraftDP:
    """The draft's recurrence on exercise 21.6's chain."""
    c = ex21_6_chain()
    return draft_dp_split(c["layer_flops"], c["out_bytes"], c["input_bytes"], EX21_6.edge_flops, EX21_6.cloud_flops,
                          EX21_6.bandwidth_bps if bandwidth_bps is None else bandwidth_bps,
                          EX21_6.latency_s if latency_s is None else latency_s, base=base)


# -- exercise 21.7 -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ex217:
    keep_fraction: float = 0.5     # draft answer: PCA to 50 % of the width
    epsilon: float = 1.0           # draft answer: ε = 1.0
    delta: float = 1e-5            # assumption: δ = 1e-5 (the draft gives none)
    source: str = "draft exercise 21.7 answer; tokens and width from exercise 21.6's ViT"


EX21_7 = _Ex217()


def ex21_7_overhead(k: int, keep_fraction: float | None = None) -> dict[str, float]:
    """Overhead of the exercise-21.7 scheme on exercise 21.6's ViT cut after ``k`` stages
    (k = 1: only the patch embedding on the edge; k = 1 + b: embedding and b blocks).

    Returns the scheme's FLOPs, the edge part's FLOPs, their ratio, and the bytes sent with
    and without the PCA reduction.
    """
    c = ex21_6_chain()
    n = len(c["names"])
    if not 1 <= k < n:
        raise ValueError(f"k must lie in 1..{n - 1} (the tensor after k stages is protected), got {k}")
    cfg = c["net"].config
    oc = obfuscation_cost(int(cfg["tokens"]), int(cfg["width"]), EX21_7.keep_fraction if keep_fraction is None
                          else keep_fraction, dtype=EX21_6.act_dtype)
    edge = float(np.sum(c["layer_flops"][:k]))
    return {"k": k, "scheme_flops": oc.total_flops, "edge_flops": edge,
            "overhead": float(overhead_ratio(oc.total_flops, edge)),
            "projection_flops": oc.projection_flops, "rotation_flops": oc.rotation_flops,
            "noise_flops": oc.noise_flops, "bytes_before": oc.bytes_before, "bytes_after": oc.bytes_after}


def ex21_7_noise_to_signal(epsilon: float | None = None, delta: float | None = None,
                           keep_fraction: float | None = None) -> float:
    """RMS norm of the Gaussian-mechanism noise on one token's kept coordinates, relative to the
    largest norm a token may have (clipping norm C; L2 sensitivity Δ₂ = 2C, any two tokens in the
    ball differ by at most its diameter).

    ε = 1.0 (the draft's) lies outside Thm A.1; the formula's value is used anyway
    (``allow_large_epsilon``) to show that even the unproven calibration drowns the signal.
    """
    cfg = ex21_6_chain()["net"].config
    kept = obfuscation_cost(int(cfg["tokens"]), int(cfg["width"]),
                            EX21_7.keep_fraction if keep_fraction is None else keep_fraction).kept
    clip = 1.0  # the ratio does not depend on C
    sigma = gaussian_sigma(2 * clip, EX21_7.epsilon if epsilon is None else epsilon,
                           EX21_7.delta if delta is None else delta, allow_large_epsilon=True)
    return float(noise_rms_norm(sigma, kept)) / clip
