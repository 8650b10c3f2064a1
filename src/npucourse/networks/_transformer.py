"""Transformer building blocks shared by the ViT, CLIP, LLaMA, LLaVA, Flamingo, RT-1 and
Wayformer models (Chapter 2 §2.1.4, §2.2).

A token-wise linear layer is a GEMM ``[tokens, d_in] @ [d_in, d_out]`` (:func:`npucourse.ops.gemm`)
plus, if it has one, a bias (``d_out`` parameters, one add per output element). Batch is folded
into the token count (activations are ``(tokens, width)`` matrices). The attention core
(Q·Kᵀ, softmax, P·V; standard, unfused) is :func:`npucourse.ops.attention`; norms, activations
and residual adds are the element-wise operators of :mod:`npucourse.ops.elementwise`.
"""

from __future__ import annotations

from dataclasses import replace

from .. import _validate as v
from ..cost import DRAM, Cost
from ..ops import gemm
from ..ops.attention import attention
from ..ops.elementwise import activation, elementwise, layernorm, rmsnorm
from ..ops._common import elem_bytes
from .base import LayerList

__all__ = ["linear", "norm", "act", "add", "mul", "with_params", "rope", "self_attention", "mlp", "swiglu",
           "emit", "runs", "attention", "GRANULARITIES", "ROPE_OPS"]

#: Operations per element of rotary position embedding, ``x·cos θ + rot(x)·sin θ``: two multiplies
#: and one add (assumption: cos/sin tables precomputed, the pair swap of rot(x) is free).
ROPE_OPS = 3.0

GRANULARITIES = ("op", "block")


def linear(tokens: int, d_in: int, d_out: int, *, bias: bool, dtype: str, name: str) -> Cost:
    """Token-wise linear layer ``Y[tokens, d_out] = X[tokens, d_in] @ W (+ b)``.

    MACs = tokens·d_in·d_out (a :func:`~npucourse.ops.gemm`); a bias adds ``d_out`` parameters
    (read once) and ``tokens·d_out`` additions (FLOPs, not MACs).
    """
    c = gemm(tokens, d_out, d_in, dtype=dtype, name=name)
    if not bias:
        return c
    return replace(with_params(c, d_out, dtype), flops=c.flops + tokens * d_out)


def with_params(c: Cost, n_params: int, dtype: str, *, read: bool = True) -> Cost:
    """``c`` with ``n_params`` more parameters (a bias, a position-embedding table), read once from
    DRAM — or not at all with ``read=False`` (a lookup table of which ``c`` already reads its rows)."""
    s = elem_bytes(dtype)
    reads = {**c.reads, DRAM: c.reads.get(DRAM, 0.0) + n_params * s} if read else c.reads
    return replace(c, params=c.params + n_params, weight_bytes=c.weight_bytes + n_params * s, reads=reads)


def runs(c: Cost, k: int) -> Cost:
    """``c`` executed ``k`` times with the same weights: work and traffic scale, parameters do not."""
    if k == 1:
        return c
    return replace(c * k, name=f"{c.name} x{k}", params=c.params, weight_bytes=c.weight_bytes)


def norm(kind: str, tokens: int, d: int, dtype: str, name: str) -> Cost:
    """LayerNorm (weight and bias: 2d parameters) or RMSNorm (weight: d parameters) over rows of d."""
    if kind == "layernorm":
        return layernorm((tokens, d), dtype=dtype, name=name)
    if kind == "rmsnorm":
        return rmsnorm((tokens, d), dtype=dtype, name=name)
    raise KeyError(f"unknown norm {kind!r}; known: layernorm, rmsnorm")


def act(kind: str, tokens: int, width: int, dtype: str, name: str | None = None) -> Cost:
    """Activation (``"gelu"``, ``"gelu_tanh"``, ``"silu"``, ``"relu"``...) on a (tokens, width) tensor."""
    return activation((tokens, width), kind, dtype, name)


def add(tokens: int, width: int, dtype: str, name: str) -> Cost:
    """Residual (or position-embedding) add of two (tokens, width) tensors."""
    return elementwise((tokens, width), 2, 1.0, dtype, name)


def mul(tokens: int, width: int, dtype: str, name: str) -> Cost:
    """Element-wise product of two (tokens, width) tensors (SwiGLU gate, gating)."""
    return elementwise((tokens, width), 2, 1.0, dtype, name)


def rope(tokens: int, width: int, dtype: str, name: str = "rope") -> Cost:
    """Rotary position embedding on a (tokens, width) tensor (:data:`ROPE_OPS` per element)."""
    return elementwise((tokens, width), 1, ROPE_OPS, dtype, name)


def self_attention(b: LayerList, stage: str, *, tokens: int, seq: int, d: int, heads: int,
                   dtype: str, qkv_bias: bool, out_bias: bool, norm_kind: str = "layernorm",
                   head_dim: int | None = None, causal: bool = False, prefix: str = "") -> None:
    """Pre-norm self-attention sub-block appended to ``b`` under ``stage``: norm, fused QKV
    projection, attention over ``seq`` tokens, output projection, residual add.

    ``tokens`` = batch·seq rows.
    """
    hd = head_dim or d // heads
    batch = tokens // seq
    p = prefix
    b.add(stage, norm(norm_kind, tokens, d, dtype, f"{p}norm1"))
    b.add(stage, linear(tokens, d, 3 * heads * hd, bias=qkv_bias, dtype=dtype, name=f"{p}qkv"))
    b.add(stage, attention(seq, seq, hd, heads=heads, batch=batch, causal=causal, dtype=dtype, name=f"{p}attn"))
    b.add(stage, linear(tokens, heads * hd, d, bias=out_bias, dtype=dtype, name=f"{p}proj"))
    b.add(stage, add(tokens, d, dtype, f"{p}residual1"))


def mlp(b: LayerList, stage: str, *, tokens: int, d: int, hidden: int, dtype: str, bias: bool,
        act_kind: str = "gelu", norm_kind: str | None = "layernorm", prefix: str = "",
        residual: bool = True) -> None:
    """Pre-norm MLP sub-block: norm, Linear(d→hidden), activation, Linear(hidden→d), residual."""
    p = prefix
    if norm_kind:
        b.add(stage, norm(norm_kind, tokens, d, dtype, f"{p}norm2"))
    b.add(stage, linear(tokens, d, hidden, bias=bias, dtype=dtype, name=f"{p}fc1"))
    b.add(stage, act(act_kind, tokens, hidden, dtype, f"{p}{act_kind}"))
    b.add(stage, linear(tokens, hidden, d, bias=bias, dtype=dtype, name=f"{p}fc2"))
    if residual:
        b.add(stage, add(tokens, d, dtype, f"{p}residual2"))


def swiglu(b: LayerList, stage: str, *, tokens: int, d: int, hidden: int, dtype: str, prefix: str = "") -> None:
    """LLaMA feed-forward: RMSNorm, gate and up projections, SiLU(gate)·up, down projection, residual."""
    p = prefix
    b.add(stage, norm("rmsnorm", tokens, d, dtype, f"{p}norm2"))
    b.add(stage, linear(tokens, d, hidden, bias=False, dtype=dtype, name=f"{p}gate"))
    b.add(stage, linear(tokens, d, hidden, bias=False, dtype=dtype, name=f"{p}up"))
    b.add(stage, act("silu", tokens, hidden, dtype, f"{p}silu"))
    b.add(stage, mul(tokens, hidden, dtype, f"{p}gate_mul"))
    b.add(stage, linear(tokens, hidden, d, bias=False, dtype=dtype, name=f"{p}down"))
    b.add(stage, add(tokens, d, dtype, f"{p}residual2"))


def emit(b: LayerList, stage: str, ops: LayerList, granularity: str) -> None:
    """Append the operators collected in ``ops`` to ``b`` under ``stage``: one layer per operator
    (``granularity="op"``) or their sum as one layer named ``stage`` (``"block"``), whose
    ``out_bytes`` is that of the block's last operator (what a split after the block would send).
    """
    v.choice("granularity", granularity, GRANULARITIES)
    costs = [ly.cost for ly in ops.build("scratch", source="").layers]
    if granularity == "op":
        b.extend(stage, costs)
    else:
        b.add(stage, sum(costs[1:], costs[0]).renamed(stage))
