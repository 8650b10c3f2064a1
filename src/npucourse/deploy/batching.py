"""Batching efficiency on the roofline (Chapter 21 §21.2.4).

A batch of B samples runs every layer once for all of them: the weights are read from DRAM
ONCE per batch and reused by every sample, while activations (inputs, outputs, KV cache...)
scale with B (registry ``batch_dram_bytes``)::

    Q(B) = Q_w + B·Q_a          F(B) = B·F_1          T(B) = max(F(B)/P, Q(B)/BW)

The draft's "BW_required(B) = B × BW_single" and "Working Set(B) = B × (Model Size +
Activation Size)" charge the weights once per *sample* (``batch_dram_bytes_draft``): for a
weight-dominated, memory-bound model that predicts no throughput gain from batching at all,
whereas the roofline gives almost B times the throughput until the batch reaches the ridge
(``batch_ridge``).

Throughput ``B/T(B)`` (``batch_throughput``), efficiency ``T(1)/T(B)`` as the draft defines it
(``batch_efficiency``), and the padding overhead of variable-length batches
(``padding_overhead``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.deploy_performance import (
    batch_dram_bytes,
    batch_dram_bytes_draft,
    batch_efficiency,
    batch_ridge,
    batch_throughput,
    padding_overhead,
)
from ..hardware import Hardware
from ..roofline import analyze

__all__ = ["batch_cost", "BatchSweep", "batch_sweep", "optimal_batch", "ridge_batch", "padding_overhead_of",
           "weight_read_bytes", "PaddedBatch", "padded_batch"]


def weight_read_bytes(per_sample: Cost, weight_bytes: float | None = None) -> float:
    """DRAM bytes of weights one pass reads: ``weight_bytes`` if given, else ``per_sample.weight_bytes``.

    Raises ValueError if that exceeds the record's DRAM reads (the weights must be part of them).
    """
    if not isinstance(per_sample, Cost):
        raise ValueError(f"per_sample must be a npucourse Cost record, got {type(per_sample).__name__}")
    qw = float(per_sample.weight_bytes if weight_bytes is None else weight_bytes)
    v.nonnegative("weight_bytes", qw)
    reads = float(per_sample.reads.get(DRAM, 0.0))
    if qw > reads * (1 + 1e-12):
        raise ValueError(f"weight_bytes={qw:g} exceeds the DRAM reads of {per_sample.name or 'the record'} "
                         f"({reads:g} B); pass the weight bytes one pass actually reads")
    return qw


def batch_cost(per_sample: Cost, batch: Any, weight_bytes: float | None = None) -> Cost:
    """The record of ``batch`` samples processed together (vectorised over ``batch``).

    Parameters
    ----------
    per_sample : Cost of one sample (batch 1), DRAM reads including the weights
    batch : B, whole number >= 1 (or an array of them)
    weight_bytes : weight bytes read per pass (default ``per_sample.weight_bytes``)

    Returns
    -------
    Cost
        macs, flops, writes × B; reads ``Q_w + B·(reads − Q_w)`` (registry ``batch_dram_bytes``);
        params and weight bytes unchanged.

    Examples
    --------
    A linear layer: ``batch_cost(gemm(1, N, K), B)`` moves the bytes of ``gemm(B, N, K)``.
    """
    v.positive_int("batch", batch)
    qw = weight_read_bytes(per_sample, weight_bytes)
    b = np.asarray(batch, dtype=float)
    b = float(b) if b.ndim == 0 else b
    reads = batch_dram_bytes(B=b, Q_w=qw, Q_a=float(per_sample.reads.get(DRAM, 0.0)) - qw)
    return Cost(
        name=f"{per_sample.name}x{batch}" if np.ndim(batch) == 0 else f"{per_sample.name}xB",
        macs=b * per_sample.macs, flops=b * per_sample.flops,
        reads={**{k: b * x for k, x in per_sample.reads.items() if k != DRAM}, DRAM: reads},
        writes={k: b * x for k, x in per_sample.writes.items()},
        params=per_sample.params, weight_bytes=per_sample.weight_bytes, out_bytes=b * per_sample.out_bytes,
        out_shape=None, dtype=per_sample.dtype,
    )


@dataclass(frozen=True)
class BatchSweep:
    """Batch sizes and what the roofline says about them (arrays of equal length).

    Attributes
    ----------
    batch : B
    time_s : time of one batch [s] — also the latency of every sample in it
    throughput : samples per second ``B/T(B)``
    efficiency : ``T(1)/T(B)`` (the draft's Throughput(B)/(B·Throughput(1)))
    bound : "compute" or "memory" per B
    dram_bytes : ``Q_w + B·Q_a`` [B]
    draft_dram_bytes : ``B·(Q_w + Q_a)`` — the draft's per-sample weight traffic [B]
    draft_time_s : roofline time with the draft's traffic [s]
    """

    batch: np.ndarray
    time_s: np.ndarray
    throughput: np.ndarray
    efficiency: np.ndarray
    bound: np.ndarray
    dram_bytes: np.ndarray
    draft_dram_bytes: np.ndarray
    draft_time_s: np.ndarray


def batch_sweep(per_sample: Cost, hw: Hardware, batches: Sequence[int] | np.ndarray, dtype: str | None = None,
                weight_bytes: float | None = None) -> BatchSweep:
    """Roofline time, throughput and efficiency of ``per_sample`` at each batch size in ``batches``."""
    b = np.asarray(batches)
    if b.ndim != 1 or b.size == 0:
        raise ValueError(f"batches must be a non-empty 1-D sequence of whole numbers, got {batches!r}")
    v.positive_int("batches", b)
    b = b.astype(float)
    qw = weight_read_bytes(per_sample, weight_bytes)
    c = batch_cost(per_sample, b, qw)
    r = analyze(c, hw, dtype=dtype, levels="dram")
    t1 = analyze(batch_cost(per_sample, 1, qw), hw, dtype=dtype, levels="dram").time_s
    qa = float(per_sample.bytes) - qw
    draft_q = batch_dram_bytes_draft(B=b, Q_w=qw, Q_a=qa)
    draft = Cost(name="draft", flops=b * float(per_sample.flops), reads={DRAM: draft_q}, dtype=c.dtype)
    draft_t = np.asarray(analyze(draft, hw, dtype=dtype, levels="dram").time_s, dtype=float)
    t = np.asarray(r.time_s, dtype=float)
    return BatchSweep(batch=b, time_s=t, throughput=np.asarray(batch_throughput(B=b, T_B=t)),
                      efficiency=np.asarray(batch_efficiency(T_1=t1, T_B=t)), bound=np.asarray(r.bound),
                      dram_bytes=np.asarray(c.bytes, dtype=float), draft_dram_bytes=np.asarray(draft_q),
                      draft_time_s=draft_t)


def optimal_batch(per_sample: Cost, hw: Hardware, latency_budget_s: float, max_batch: int = 1024,
                  dtype: str | None = None, weight_bytes: float | None = None,
                  memory_bytes: float | None = None, per_sample_memory: float | None = None) -> int:
    """Largest-throughput batch whose batch time (= each sample's latency) fits ``latency_budget_s``.

    Parameters
    ----------
    latency_budget_s : seconds (> 0)
    max_batch : largest batch considered
    memory_bytes, per_sample_memory : optional capacity check ``Q_w + B·m <= memory_bytes``
        (weights held once, ``m`` bytes of activations per sample)

    Returns
    -------
    int
        The smallest B reaching the best feasible throughput (throughput never falls with B on
        the roofline, so this is the largest feasible B unless throughput has saturated).

    Raises
    ------
    ValueError
        If even B = 1 misses the budget or the memory.
    """
    v.positive("latency_budget_s", latency_budget_s)
    v.positive_int("max_batch", max_batch)
    s = batch_sweep(per_sample, hw, np.arange(1, int(max_batch) + 1), dtype, weight_bytes)
    ok = s.time_s <= latency_budget_s
    if memory_bytes is not None or per_sample_memory is not None:
        if memory_bytes is None or per_sample_memory is None:
            raise ValueError("give both memory_bytes and per_sample_memory, or neither")
        v.positive("memory_bytes", memory_bytes)
        v.nonnegative("per_sample_memory", per_sample_memory)
        ok &= weight_read_bytes(per_sample, weight_bytes) + s.batch * per_sample_memory <= memory_bytes
    if not ok.any():
        raise ValueError(f"no batch size fits: batch 1 takes {s.time_s[0]:.4g} s against a budget of "
                         f"{latency_budget_s:g} s (or exceeds memory_bytes)")
    thr = np.where(ok, s.throughput, -np.inf)
    return int(s.batch[int(np.argmax(thr >= thr.max() * (1 - 1e-12)))])


def ridge_batch(per_sample: Cost, hw: Hardware, dtype: str | None = None,
                weight_bytes: float | None = None) -> float:
    """Batch size where compute time catches up with memory time (registry ``batch_ridge``).

    ``inf`` when the per-sample activation intensity ``F_1/Q_a`` is at or below the ridge point
    (then more batching never makes the workload compute-bound).
    """
    qw = weight_read_bytes(per_sample, weight_bytes)
    qa = float(per_sample.bytes) - qw
    f1 = float(per_sample.flops)
    p, bw = hw.peak_ops(dtype or per_sample.dtype or ""), hw.bandwidth(DRAM)
    if bw * f1 - p * qa <= 0:
        return float("inf")
    return float(batch_ridge(Q_w=qw, Q_a=qa, F_1=f1, P=p, BW=bw))


def padding_overhead_of(lengths: Sequence[int]) -> float:
    """Share of padded tokens when every sequence in the batch is padded to the longest one.

    ``1 − ΣL_i/(B·L_max)`` (registry ``padding_overhead``; the draft's formula, correct).
    """
    a = np.asarray(lengths)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"lengths must be a non-empty 1-D sequence, got {lengths!r}")
    v.positive_int("lengths", a)
    return float(padding_overhead(B=a.size, L_sum=float(a.sum()), L_max=float(a.max())))


@dataclass(frozen=True)
class PaddedBatch:
    """A batch of variable-length sequences padded to the longest one.

    Attributes
    ----------
    time_s : roofline time of the padded batch (B·L_max tokens) [s]
    useful_tokens_per_s : real tokens ΣL_i per second
    padded_tokens_per_s : tokens processed, padding included, per second
    overhead : share of padded tokens (``padding_overhead``)
    """

    time_s: float
    useful_tokens_per_s: float
    padded_tokens_per_s: float
    overhead: float


def padded_batch(per_token: Cost, hw: Hardware, lengths: Sequence[int], dtype: str | None = None,
                 weight_bytes: float | None = None) -> PaddedBatch:
    """Time and useful throughput of one padded batch of sequences of ``lengths`` tokens.

    Per-token model: the batch costs ``batch_cost(per_token, B·L_max)`` — weights read once,
    every token (real or padding) pays its activations and FLOPs. Terms that grow faster than
    the token count (attention over the sequence) are not in a per-token record.
    """
    a = np.asarray(lengths)
    overhead = padding_overhead_of(lengths)
    n = int(a.size * a.max())
    t = float(analyze(batch_cost(per_token, n, weight_bytes), hw, dtype=dtype, levels="dram").time_s)
    return PaddedBatch(time_s=t, useful_tokens_per_s=float(a.sum()) / t, padded_tokens_per_s=n / t,
                       overhead=overhead)
