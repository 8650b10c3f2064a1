"""Transformer building blocks shared by the ViT, CLIP, LLaMA, LLaVA, Flamingo, RT-1 and
Wayformer models (Chapter 2 §2.1.4, §2.2).

A token-wise linear layer is a GEMM ``[tokens, d_in] @ [d_in, d_out]`` (:func:`npucourse.ops.gemm`)
plus, if it has one, a bias (``d_out`` parameters, one add per output element). Batch is folded
into the token count. The attention core (Q·Kᵀ, softmax, P·V; standard, unfused) is
:func:`npucourse.ops.attention`; :func:`pointwise` is the single place that builds the
normalisation / activation / residual records.
"""

from __future__ import annotations

from dataclasses import replace

from .. import _validate as v
from ..cost import DRAM, Cost
from ..ops import gemm
from ..ops.attention import attention
from ..ops._common import canonical, elem_bytes
from .base import LayerList

# Non-MAC operations per element of the stand-in point-wise records (assumption: one op per
# arithmetic step of the textbook formula; e.g. LayerNorm = mean 1 + variance 3 + normalise 2
# + affine 2). They only affect ``flops - 2*macs``, never MACs or parameters.
_OPS_PER_ELEMENT = {"layernorm": 8.0, "rmsnorm": 4.0, "gelu": 8.0, "silu": 4.0, "relu": 1.0,
                    "sigmoid": 4.0, "add": 1.0, "mul": 1.0, "film": 2.0}


def linear(tokens: int, d_in: int, d_out: int, *, bias: bool, dtype: str, name: str) -> Cost:
    """Token-wise linear layer ``Y[tokens, d_out] = X[tokens, d_in] @ W (+ b)``.

    MACs = tokens·d_in·d_out (a :func:`~npucourse.ops.gemm`); a bias adds ``d_out`` parameters
    and ``tokens·d_out`` additions (FLOPs, not MACs).
    """
    c = gemm(tokens, d_out, d_in, dtype=dtype, name=name)
    if not bias:
        return c
    s = elem_bytes(dtype)
    return replace(
        c,
        flops=c.flops + tokens * d_out,
        reads={DRAM: c.reads[DRAM] + d_out * s},
        params=c.params + d_out,
        weight_bytes=c.weight_bytes + d_out * s,
    )


def pointwise(kind: str, elements: int, *, dtype: str, name: str, inputs: int = 1, params: int = 0,
              out_elements: int | None = None) -> Cost:
    """Element-wise record (normalisation, activation, residual add, FiLM, softmax).

    Reads ``inputs`` tensors of ``elements`` values plus the parameters, writes ``out_elements``
    (default ``elements``); FLOPs = ops-per-element × elements.
    """
    if kind not in _OPS_PER_ELEMENT:
        raise KeyError(f"unknown point-wise kind {kind!r}; known: {', '.join(_OPS_PER_ELEMENT)}")
    s = elem_bytes(dtype)
    out = elements if out_elements is None else out_elements
    return Cost(
        name=name,
        flops=_OPS_PER_ELEMENT[kind] * elements,
        reads={DRAM: (inputs * elements + params) * s},
        writes={DRAM: out * s},
        params=float(params),
        weight_bytes=params * s,
        out_bytes=out * s,
        dtype=canonical(dtype),
    )


def _add(b: LayerList, stage: str, cost: Cost) -> Cost:
    return b.add(stage, cost)


def self_attention(b: LayerList, stage: str, *, tokens: int, seq: int, d: int, heads: int,
                   dtype: str, qkv_bias: bool, out_bias: bool, norm: str = "layernorm",
                   kv_heads: int | None = None, head_dim: int | None = None, causal: bool = False,
                   kv_len: int | None = None, prefix: str = "") -> None:
    """Pre-norm self-attention sub-block: norm, fused QKV projection, attention, output
    projection, residual add — appended to ``b`` under ``stage``.

    ``tokens`` = batch·seq rows; ``kv_len`` (default ``seq``) is the number of keys (a KV cache
    makes it longer than the new tokens).
    """
    hd = head_dim or d // heads
    kvh = kv_heads or heads
    batch = tokens // seq
    p = prefix
    _norm(b, stage, norm, tokens, d, dtype, f"{p}norm1")
    _add(b, stage, linear(tokens, d, (heads + 2 * kvh) * hd, bias=qkv_bias, dtype=dtype, name=f"{p}qkv"))
    _add(b, stage, attention(seq, kv_len or seq, hd, heads=heads, batch=batch, kv_heads=kvh, causal=causal,
                             dtype=dtype, name=f"{p}attn"))
    _add(b, stage, linear(tokens, heads * hd, d, bias=out_bias, dtype=dtype, name=f"{p}proj"))
    _add(b, stage, pointwise("add", tokens * d, inputs=2, dtype=dtype, name=f"{p}residual1"))


def mlp(b: LayerList, stage: str, *, tokens: int, d: int, hidden: int, dtype: str, bias: bool,
        act: str = "gelu", norm: str = "layernorm", prefix: str = "") -> None:
    """Pre-norm MLP sub-block: norm, Linear(d→hidden), activation, Linear(hidden→d), residual."""
    p = prefix
    _norm(b, stage, norm, tokens, d, dtype, f"{p}norm2")
    _add(b, stage, linear(tokens, d, hidden, bias=bias, dtype=dtype, name=f"{p}fc1"))
    _add(b, stage, pointwise(act, tokens * hidden, dtype=dtype, name=f"{p}{act}"))
    _add(b, stage, linear(tokens, hidden, d, bias=bias, dtype=dtype, name=f"{p}fc2"))
    _add(b, stage, pointwise("add", tokens * d, inputs=2, dtype=dtype, name=f"{p}residual2"))


def swiglu(b: LayerList, stage: str, *, tokens: int, d: int, hidden: int, dtype: str, prefix: str = "") -> None:
    """LLaMA feed-forward: RMSNorm, gate and up projections, SiLU(gate)·up, down projection, residual."""
    p = prefix
    _norm(b, stage, "rmsnorm", tokens, d, dtype, f"{p}norm2")
    _add(b, stage, linear(tokens, d, hidden, bias=False, dtype=dtype, name=f"{p}gate"))
    _add(b, stage, linear(tokens, d, hidden, bias=False, dtype=dtype, name=f"{p}up"))
    _add(b, stage, pointwise("silu", tokens * hidden, dtype=dtype, name=f"{p}silu"))
    _add(b, stage, pointwise("mul", tokens * hidden, inputs=2, dtype=dtype, name=f"{p}gate_mul"))
    _add(b, stage, linear(tokens, hidden, d, bias=False, dtype=dtype, name=f"{p}down"))
    _add(b, stage, pointwise("add", tokens * d, inputs=2, dtype=dtype, name=f"{p}residual2"))


def norm(kind: str, tokens: int, d: int, dtype: str, name: str) -> Cost:
    """LayerNorm (weight and bias: 2d parameters) or RMSNorm (weight only: d parameters)."""
    if kind not in ("layernorm", "rmsnorm"):
        raise KeyError(f"unknown norm {kind!r}; known: layernorm, rmsnorm")
    n_params = 2 * d if kind == "layernorm" else d
    return pointwise(kind, tokens * d, params=n_params, dtype=dtype, name=name)


def _norm(b: LayerList, stage: str, kind: str, tokens: int, d: int, dtype: str, name: str) -> Cost:
    return b.add(stage, norm(kind, tokens, d, dtype, name))


GRANULARITIES = ("op", "block")


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
