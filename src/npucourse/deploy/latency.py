"""Latency breakdown of LLM inference and Amdahl-based optimisation priority (Chapter 21 §21.2.5).

End to end (registry ``llm_latency_total``)::

    T_total = T_init + T_prefill + Σ_steps T_decode(context) + T_post

with the prefill and every decode step timed on the roofline of a :class:`~npucourse.hardware.Hardware`
from :func:`npucourse.networks.llama` cost records. A decode step at batch 1 reads every weight
once for a single token: its intensity is about 1 FLOP/B (fp16), far below any ridge point, so
decode is memory-bound and its time is ≈ weight bytes / bandwidth. The per-step decode cost
grows with the context (KV cache reads); it is affine in the context, which this module uses to
time all steps in one vectorised call (checked at the last step).

Amdahl (``amdahl_speedup``, ``amdahl_limit``, ``amdahl_time_saved``): the overall gain of
making a share p of the time s times faster; :func:`optimization_priority` ranks candidate
optimisations by the end-to-end time they save.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .. import _validate as v
from ..cost import Cost
from ..formulas._gen.deploy_performance import (
    amdahl_limit,
    amdahl_speedup,
    amdahl_time_saved,
    init_load_time,
    llm_latency_total,
)
from ..hardware import Hardware
from ..roofline import analyze

__all__ = ["LatencyBreakdown", "llm_latency", "decode_step_costs", "amdahl", "amdahl_max", "Priority",
           "optimization_priority", "op_shares", "OP_GROUPS"]


def _model(model: Any, dtype: str | None) -> Any:
    from ..networks.llama import llama

    if isinstance(model, str):
        return llama(model, dtype or "fp16")
    if not hasattr(model, "prefill") or not hasattr(model, "decode"):
        raise ValueError(f"model must be a LLaMA size name or a networks.llama(...) model, got {model!r}")
    if dtype is not None and dtype != model.dtype:
        return llama(model.config.name, dtype)
    return model


def _affine(c0: Cost, c1: Cost, steps: np.ndarray) -> Cost:
    """Cost ``c0 + steps·(c1 − c0)`` field by field (vectorised over ``steps``)."""
    def lerp(a: Any, b: Any) -> Any:
        return a + steps * (b - a)

    return Cost(name=c0.name, macs=lerp(c0.macs, c1.macs), flops=lerp(c0.flops, c1.flops),
                reads={k: lerp(c0.reads.get(k, 0.0), c1.reads.get(k, 0.0)) for k in set(c0.reads) | set(c1.reads)},
                writes={k: lerp(c0.writes.get(k, 0.0), c1.writes.get(k, 0.0))
                        for k in set(c0.writes) | set(c1.writes)},
                params=c0.params, weight_bytes=c0.weight_bytes, out_bytes=c0.out_bytes, dtype=c0.dtype)


def decode_step_costs(model: Any, contexts: Any, batch: int = 1) -> Cost:
    """Decode-step costs at each context in ``contexts`` as one vectorised :class:`Cost`.

    Uses that a decode step's cost is affine in the context (attention products and KV reads
    grow linearly): built from the steps at the first two contexts, and checked against a direct
    ``model.decode`` at the last one (ValueError if the model were not affine).
    """
    ctx = np.asarray(contexts)
    if ctx.ndim != 1 or ctx.size == 0:
        raise ValueError(f"contexts must be a non-empty 1-D sequence, got {contexts!r}")
    v.positive_int("contexts", ctx)
    c0 = int(ctx[0])
    a, b = model.decode(c0, batch), model.decode(c0 + 1, batch)
    out = _affine(a, b, ctx.astype(float) - c0)
    last = model.decode(int(ctx[-1]), batch)
    for got, want in ((out.flops[-1], last.flops), (out.bytes[-1], last.bytes)):
        if not np.isclose(got, want, rtol=1e-9):
            raise ValueError("decode cost is not affine in the context for this model; time the steps one by one")
    return out


@dataclass(frozen=True)
class LatencyBreakdown:
    """End-to-end latency of one generation.

    Attributes
    ----------
    init_s, prefill_s, decode_s, post_s, total_s : seconds (decode_s summed over all steps)
    decode_steps : number of decode steps (new_tokens − 1: the prefill yields the first token)
    decode_step_s : time of each decode step [s]
    prefill_bound, decode_bound : roofline bound of the prefill and of the first decode step
    shares : phase → share of total_s
    """

    init_s: float
    prefill_s: float
    decode_s: float
    post_s: float
    total_s: float
    decode_steps: int
    decode_step_s: np.ndarray
    prefill_bound: str
    decode_bound: str
    shares: Mapping[str, float]


def llm_latency(model: Any, hw: Hardware, prompt: int, new_tokens: int, batch: int = 1, dtype: str | None = None,
                init_s: float | None = None, storage_bandwidth: float | None = None,
                post_s: float = 0.0) -> LatencyBreakdown:
    """Latency breakdown (init, prefill, decode, post) of generating ``new_tokens`` after ``prompt``.

    Parameters
    ----------
    model : "7b", ... or a ``npucourse.networks.llama(...)`` model
    hw : device
    prompt, new_tokens : tokens (>= 1); decode steps run at contexts prompt+1 ... prompt+new_tokens−1
    batch : sequences
    dtype : overrides the model's dtype
    init_s : initialisation time if known [s]; otherwise, with ``storage_bandwidth`` [B/s], the
        weight load time ``weight_bytes / storage_bandwidth`` (``init_load_time``); else 0
    post_s : post-processing (detokenisation...) [s]
    """
    m = _model(model, dtype)
    v.positive_int("prompt", prompt)
    v.positive_int("new_tokens", new_tokens)
    v.positive_int("batch", batch)
    v.nonnegative("post_s", post_s)
    if init_s is not None and storage_bandwidth is not None:
        raise ValueError("give init_s or storage_bandwidth, not both")
    if init_s is not None:
        v.nonnegative("init_s", init_s)
        t_init = float(init_s)
    elif storage_bandwidth is not None:
        v.positive("storage_bandwidth", storage_bandwidth)
        t_init = float(init_load_time(Q_w=m.weight_bytes, B_storage=storage_bandwidth))
    else:
        t_init = 0.0
    rp = analyze(m.prefill(prompt, batch), hw, levels="dram")
    n_steps = int(new_tokens) - 1
    if n_steps:
        rd = analyze(decode_step_costs(m, np.arange(prompt + 1, prompt + new_tokens), batch), hw, levels="dram")
        step_t = np.atleast_1d(np.asarray(rd.time_s, dtype=float))
        decode_bound = str(np.atleast_1d(rd.bound)[0])
    else:
        step_t, decode_bound = np.zeros(0), "none"
    t_dec = float(step_t.sum())
    mean_step = t_dec / n_steps if n_steps else 0.0
    total = float(llm_latency_total(T_init=t_init, T_prefill=rp.time_s, T_decode=mean_step, N=n_steps,
                                    T_post=post_s))
    parts = {"init": t_init, "prefill": float(rp.time_s), "decode": t_dec, "post": float(post_s)}
    return LatencyBreakdown(init_s=t_init, prefill_s=float(rp.time_s), decode_s=t_dec, post_s=float(post_s),
                            total_s=total, decode_steps=n_steps, decode_step_s=step_t, prefill_bound=str(rp.bound),
                            decode_bound=decode_bound, shares={k: x / total for k, x in parts.items()})


#: How the layers of a LLaMA forward pass group into the draft's categories (§21.2.5).
OP_GROUPS: Mapping[str, tuple[str, ...]] = {
    "qkv_proj": ("qkv",),
    "attention": ("attn",),   # Q·Kᵀ, softmax, P·V over the KV cache (ops.attention)
    "out_proj": ("o_proj",),
    "ffn": ("gate", "up", "down", "silu", "gate_mul"),
    "norm": ("norm1", "norm2", "norm_final"),
    "other": ("rope", "residual1", "residual2", "embed_tokens"),
    "lm_head": ("lm_head",),
}


def op_shares(model: Any, hw: Hardware, phase: str = "decode", tokens: int = 512, batch: int = 1,
              dtype: str | None = None) -> dict[str, float]:
    """Share of roofline time per operator group (:data:`OP_GROUPS`) for one prefill or decode step.

    ``phase="decode"``: one step at context ``tokens``; ``"prefill"``: a prompt of ``tokens``.
    Layers run one after another; shares sum to 1.
    """
    v.choice("phase", phase, ("decode", "prefill"))
    m = _model(model, dtype)
    net = m.decode_network(tokens, batch) if phase == "decode" else m.prefill_network(tokens, batch)
    df = net.analyze(hw, levels="dram")
    by_layer = df.groupby("layer")["time_s"].sum()
    known = {name: g for g, names in OP_GROUPS.items() for name in names}
    unknown = sorted(set(by_layer.index) - set(known))
    if unknown:
        raise KeyError(f"layers {unknown} are not in OP_GROUPS; known: {sorted(known)}")
    total = float(by_layer.sum())
    out = {g: 0.0 for g in OP_GROUPS}
    for name, t in by_layer.items():
        out[known[name]] += float(t) / total
    return out


def amdahl(p: Any, s: Any) -> Any:
    """Overall speed-up ``1/((1−p) + p/s)`` of making a share ``p`` of the time ``s`` times faster.

    p in [0, 1], s > 0 (s < 1 is a slow-down); vectorised.
    """
    v.probability("p", p)
    v.positive("s", s)
    out = np.asarray(amdahl_speedup(p=np.asarray(p, dtype=float), s=np.asarray(s, dtype=float)), dtype=float)
    return float(out) if out.ndim == 0 else out


def amdahl_max(p: Any) -> Any:
    """Limit of :func:`amdahl` as s → ∞: ``1/(1−p)`` (inf for p = 1)."""
    v.probability("p", p)
    a = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        out = np.where(a < 1, amdahl_limit(p=np.where(a < 1, a, 0.0)), np.inf)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class Priority:
    """One optimisation candidate ranked by the end-to-end time it saves."""

    name: str
    share: float
    speedup: float
    overall_speedup: float
    time_saved_s: float


def optimization_priority(times: Mapping[str, float], speedups: Mapping[str, float]) -> list[Priority]:
    """Rank optimisations: each makes one part (``times[name]`` seconds) ``speedups[name]`` times faster.

    Returns the candidates sorted by end-to-end time saved ``T·p·(1 − 1/s)``
    (``amdahl_time_saved``), largest first — Amdahl's law as a priority list. Parts without a
    speed-up are not candidates. KeyError for a speed-up of a part that is not in ``times``.
    """
    if not times:
        raise ValueError("times must name at least one part")
    for k, t in times.items():
        v.nonnegative(f"times[{k!r}]", t)
    total = float(sum(times.values()))
    if total <= 0:
        raise ValueError("times must not all be zero")
    out = []
    for name, s in speedups.items():
        if name not in times:
            raise KeyError(f"no part named {name!r}; parts: {', '.join(times)}")
        v.positive(f"speedups[{name!r}]", s)
        p = float(times[name]) / total
        out.append(Priority(name=name, share=p, speedup=float(s), overall_speedup=amdahl(p, s),
                            time_saved_s=float(amdahl_time_saved(T=total, p=p, s=float(s)))))
    return sorted(out, key=lambda r: -r.time_saved_s)
