"""Wayformer-style trajectory prediction transformer (Chapter 2 §2.1.4).

Nayakanti et al., "Wayformer: Motion Forecasting via Simple & Efficient Attention Networks",
arXiv 2207.05844: an early-fusion scene encoder over agent-history, road-graph and traffic-light
tokens, and a decoder in which K learned mode queries cross-attend to the encoded scene; each
mode is decoded into a trajectory of T future steps plus a mode score. The paper compares three
encoder attention schemes, all modelled here:

* ``"full"`` — multi-axis self-attention over all S = N·T_h tokens (N scene elements × T_h
  history steps): attention cost 2·S²·D MACs per layer;
* ``"factorized"`` — each layer attends along one axis only, alternating temporal (N sequences of
  T_h) and spatial (T_h sequences of N): 2·N·T_h²·D or 2·T_h·N²·D MACs;
* ``"latent"`` — latent-query attention (Perceiver-style): the first layer's L learned queries
  cross-attend to the S tokens (2·L·S·D), the following layers self-attend among the L latents.

The paper's exact sizes are not all published; the defaults are **assumptions, stated**:
N = 200 scene elements (agents + map, as the draft), T_h = 11 history steps (WOMD: 1 s at
10 Hz + current), D = 256, 8 heads, FFN ×4, 2 encoder and 2 decoder layers, K = 6 modes,
T = 80 future steps (8 s at 10 Hz), and an MLP head per mode D → D → T·5 (bivariate Gaussian:
μx, μy, σx, σy, ρ per step) plus a mode logit.
"""

from __future__ import annotations

from .. import _validate as v
from . import _transformer as tb
from .base import LayerList, Network

SOURCE = "Nayakanti et al., Wayformer, arXiv 2207.05844 (§3 scene encoder, factorized and latent query attention)"
ASSUMPTIONS = ("assumption: N=200 scene tokens, T_h=11 history steps, D=256, 8 heads, FFN x4, 2+2 layers, "
               "K=6 modes, T=80 steps, 5 outputs per step, L=192 latents")
ATTENTION = ("full", "factorized", "latent")
#: Gaussian parameters per predicted step (μx, μy, σx, σy, ρ) — assumption.
OUTPUTS_PER_STEP = 5


def _block(b: LayerList, stage: str, rows: int, seq: int, d: int, heads: int, ffn: int, dtype: str,
           q_rows: int | None = None, q_seq: int | None = None, prefix: str = "") -> None:
    """Pre-norm attention block; with ``q_rows/q_seq`` the queries differ from the keys (cross-attention)."""
    qr, qs = (q_rows or rows), (q_seq or seq)
    batch = qr // qs
    b.add(stage, tb.norm("layernorm", rows, d, dtype, f"{prefix}norm_kv"))
    b.add(stage, tb.linear(qr, d, d, bias=True, dtype=dtype, name=f"{prefix}q"))
    b.add(stage, tb.linear(rows, d, 2 * d, bias=True, dtype=dtype, name=f"{prefix}kv"))
    b.add(stage, tb.attention(qs, seq, d // heads, heads=heads, batch=batch, dtype=dtype, name=f"{prefix}attn"))
    b.add(stage, tb.linear(qr, d, d, bias=True, dtype=dtype, name=f"{prefix}proj"))
    b.add(stage, tb.add(qr, d, dtype, f"{prefix}residual1"))
    tb.mlp(b, stage, tokens=qr, d=d, hidden=ffn, dtype=dtype, bias=True, act_kind="relu", prefix=prefix)


def wayformer(attention: str = "full", *, tokens: int = 200, history: int = 11, d: int = 256, heads: int = 8,
              ffn_mult: int = 4, encoder_layers: int = 2, decoder_layers: int = 2, latents: int = 192,
              modes: int = 6, horizon: int = 80, batch: int = 1, dtype: str = "fp16") -> Network:
    """One scene through a Wayformer-style encoder–decoder.

    Parameters
    ----------
    attention : ``"full"``, ``"factorized"`` or ``"latent"`` encoder attention
    tokens : scene elements N (agents + map polylines + traffic lights)
    history : history steps T_h per element (the encoder's time axis)
    d, heads, ffn_mult : model width, heads, FFN width / d
    encoder_layers, decoder_layers : depths
    latents : L latent queries (``"latent"`` only)
    modes : K trajectory modes (learned decoder queries)
    horizon : T predicted steps per mode (enters only the output head)
    batch : scenes

    Returns
    -------
    Network
        Stages ``encoder{i}``, ``decoder{i}``, ``head``.
    """
    v.choice("attention", attention, ATTENTION)
    for name, val in (("tokens", tokens), ("history", history), ("d", d), ("heads", heads), ("ffn_mult", ffn_mult),
                      ("latents", latents), ("modes", modes), ("horizon", horizon), ("batch", batch)):
        v.positive_int(name, val)
    v.nonnegative_int("encoder_layers", encoder_layers)
    v.nonnegative_int("decoder_layers", decoder_layers)
    if d % heads:
        raise ValueError(f"heads={heads} must divide d={d}")
    s = tokens * history
    rows = batch * s
    ffn = ffn_mult * d
    b = LayerList()
    memory = s  # tokens per scene the decoder attends to
    for i in range(encoder_layers):
        st = f"encoder{i}"
        if attention == "full":
            _block(b, st, rows, s, d, heads, ffn, dtype)
        elif attention == "factorized":
            seq = history if i % 2 == 0 else tokens  # temporal layers (per element), then spatial (per step)
            _block(b, st, rows, seq, d, heads, ffn, dtype, prefix="temporal_" if i % 2 == 0 else "spatial_")
        elif i == 0:  # latent query: L learned queries read the whole scene
            _block(b, st, rows, s, d, heads, ffn, dtype, q_rows=batch * latents, q_seq=latents, prefix="latent_")
            memory = latents
        else:
            _block(b, st, batch * latents, latents, d, heads, ffn, dtype)
    for i in range(decoder_layers):  # K mode queries cross-attend to the encoded scene
        _block(b, f"decoder{i}", batch * memory, memory, d, heads, ffn, dtype, q_rows=batch * modes, q_seq=modes)
    q = batch * modes
    b.add("head", tb.linear(q, d, d, bias=True, dtype=dtype, name="traj_fc1"))
    b.add("head", tb.act("relu", q, d, dtype, "traj_relu"))
    b.add("head", tb.linear(q, d, horizon * OUTPUTS_PER_STEP, bias=True, dtype=dtype, name="traj_fc2"))
    b.add("head", tb.linear(q, d, 1, bias=True, dtype=dtype, name="mode_logit"))
    return b.build(f"wayformer[{attention}] N{tokens}xT{history} D{d}", source=SOURCE + "; " + ASSUMPTIONS,
                   attention=attention, tokens=tokens, history=history, d=d, heads=heads, latents=latents,
                   modes=modes, horizon=horizon, encoder_layers=encoder_layers, decoder_layers=decoder_layers,
                   batch=batch, dtype=dtype)
