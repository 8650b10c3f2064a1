"""Flamingo: Perceiver Resampler and gated cross-attention layers (Chapter 2 §2.2.2).

Architecture of ``mlfoundations/open_flamingo`` ``open_flamingo/src/helpers.py`` (taken from
lucidrains/flamingo-pytorch; Alayrac et al., arXiv 2204.14198):

* ``PerceiverResampler(dim, depth=6, dim_head=64, heads=8, num_latents=64, ff_mult=4)``: learned
  latents (num_latents × dim); each of ``depth`` layers is a ``PerceiverAttention`` — LayerNorm of
  the media tokens and of the latents, queries from the latents, **keys and values from
  concat(media, latents)**, all projections bias-free (inner width heads·dim_head) — plus a
  FeedForward (LayerNorm, Linear dim→4·dim, GELU, Linear back, bias-free), both residual; a final
  LayerNorm. Every image becomes ``num_latents`` visual tokens, whatever its token count.
* ``GatedCrossAttentionBlock`` (GATED XATTN-DENSE): ``MaskedCrossAttention`` (LayerNorm, text
  queries, keys/values from the visual tokens of width ``dim_visual``, bias-free) scaled by
  ``tanh(attn_gate)`` plus residual, then FeedForward scaled by ``tanh(ff_gate)`` plus residual;
  both gates are scalars initialised to 0. OpenFlamingo inserts one before every
  ``cross_attn_every_n_layers``-th decoder layer of the (frozen) language model.

Assumptions (stated): the text-to-image mask (``only_attend_immediate_media``) is applied to a
full score matrix, so attention is counted over all visual tokens; the vision encoder is not
part of these records (see :func:`npucourse.networks.clip_image`).
"""

from __future__ import annotations

from .. import _validate as v
from ..cost import Cost
from . import _transformer as tb
from .base import LayerList, Network
from .llama import llama

SOURCE = ("mlfoundations/open_flamingo open_flamingo/src/helpers.py (PerceiverResampler, GatedCrossAttentionBlock) "
          "and flamingo_lm.py (cross_attn_every_n_layers); Alayrac et al., arXiv 2204.14198 §2.1-2.2")


def _feedforward(b: LayerList, stage: str, rows: int, dim: int, mult: int, dtype: str, prefix: str) -> None:
    b.add(stage, tb.norm("layernorm", rows, dim, dtype, f"{prefix}ff_norm"))
    b.add(stage, tb.linear(rows, dim, dim * mult, bias=False, dtype=dtype, name=f"{prefix}ff_fc1"))
    b.add(stage, tb.act("gelu", rows, dim * mult, dtype, f"{prefix}ff_gelu"))
    b.add(stage, tb.linear(rows, dim * mult, dim, bias=False, dtype=dtype, name=f"{prefix}ff_fc2"))


def perceiver_resampler(dim: int, depth: int = 6, dim_head: int = 64, heads: int = 8, num_latents: int = 64,
                        ff_mult: int = 4, media_tokens: int = 256, *, images: int = 1,
                        dtype: str = "fp16") -> Network:
    """Perceiver Resampler on ``images`` images of ``media_tokens`` tokens of width ``dim``.

    Parameters
    ----------
    dim : visual token width (1024 for CLIP ViT-L/14)
    depth, dim_head, heads, num_latents, ff_mult : open_flamingo defaults 6, 64, 8, 64, 4
    media_tokens : tokens per image from the vision encoder (assumption: 256 patch tokens of
        ViT-L/14 at 224)
    images : images (media) resampled independently

    Returns
    -------
    Network
        Stages ``resampler{i}`` and ``resampler_out``. Per layer and image:
        MACs = dim·inner·(2·(M + n) + 2·n) + 2·n·(M + n)·inner + 2·n·dim²·ff_mult with
        n latents, M media tokens, inner = heads·dim_head.
    """
    for name, val in (("dim", dim), ("dim_head", dim_head), ("heads", heads), ("num_latents", num_latents),
                      ("ff_mult", ff_mult), ("media_tokens", media_tokens), ("images", images)):
        v.positive_int(name, val)
    v.nonnegative_int("depth", depth)
    inner = heads * dim_head
    lat, med, kv = images * num_latents, images * media_tokens, images * (media_tokens + num_latents)
    b = LayerList()
    one = LayerList()
    one.add("", tb.norm("layernorm", med, dim, dtype, "norm_media"))
    one.add("", tb.norm("layernorm", lat, dim, dtype, "norm_latents"))
    one.add("", tb.linear(lat, dim, inner, bias=False, dtype=dtype, name="to_q"))
    one.add("", tb.linear(kv, dim, 2 * inner, bias=False, dtype=dtype, name="to_kv"))  # concat(media, latents)
    one.add("", tb.attention(num_latents, media_tokens + num_latents, dim_head, heads=heads, batch=images,
                             dtype=dtype, name="attn"))
    one.add("", tb.linear(lat, inner, dim, bias=False, dtype=dtype, name="to_out"))
    one.add("", tb.add(lat, dim, dtype, "residual1"))
    _feedforward(one, "", lat, dim, ff_mult, dtype, "")
    one.add("", tb.add(lat, dim, dtype, "residual2"))
    layer = [ly.cost for ly in one.build("layer", source="").layers]
    if depth:
        # the learned latents (num_latents·dim parameters) enter the first layer
        layer0 = [tb.with_params(layer[1], num_latents * dim, dtype), *layer[2:]]
        b.extend("resampler0", [layer[0], *layer0])
    for i in range(1, depth):
        b.extend(f"resampler{i}", layer)
    b.add("resampler_out", tb.norm("layernorm", lat, dim, dtype, "norm"))
    return b.build(f"perceiver_resampler d{dim} x{depth}", source=SOURCE, dim=dim, depth=depth, dim_head=dim_head,
                   heads=heads, num_latents=num_latents, ff_mult=ff_mult, media_tokens=media_tokens,
                   kv_tokens=media_tokens + num_latents, images=images, dtype=dtype)


def gated_xattn_dense(text_tokens: int, dim: int, dim_visual: int, visual_tokens: int, *, dim_head: int = 64,
                      heads: int = 8, ff_mult: int = 4, batch: int = 1, dtype: str = "fp16") -> list[Cost]:
    """Records of one GATED XATTN-DENSE block: ``text_tokens`` queries of width ``dim`` attend to
    ``visual_tokens`` visual tokens of width ``dim_visual`` (e.g. images × 64 latents).

    Parameters: 2·dim (LN) + dim·inner + dim_visual·2·inner + inner·dim + 1 (gate)
    + 2·dim (LN) + 2·ff_mult·dim² + 1 (gate).
    """
    for name, val in (("text_tokens", text_tokens), ("dim", dim), ("dim_visual", dim_visual),
                      ("visual_tokens", visual_tokens), ("dim_head", dim_head), ("heads", heads),
                      ("ff_mult", ff_mult), ("batch", batch)):
        v.positive_int(name, val)
    inner = heads * dim_head
    rows = batch * text_tokens
    b = LayerList()
    b.add("", tb.norm("layernorm", rows, dim, dtype, "xattn_norm"))
    b.add("", tb.linear(rows, dim, inner, bias=False, dtype=dtype, name="xattn_to_q"))
    b.add("", tb.linear(batch * visual_tokens, dim_visual, 2 * inner, bias=False, dtype=dtype, name="xattn_to_kv"))
    b.add("", tb.attention(text_tokens, visual_tokens, dim_head, heads=heads, batch=batch, dtype=dtype,
                           name="xattn"))
    b.add("", tb.linear(rows, inner, dim, bias=False, dtype=dtype, name="xattn_to_out"))
    b.add("", tb.with_params(tb.mul(rows, dim, dtype, "attn_gate"), 1, dtype))  # tanh(α)·x, α scalar
    b.add("", tb.add(rows, dim, dtype, "xattn_residual"))
    _feedforward(b, "", rows, dim, ff_mult, dtype, "x")
    b.add("", tb.with_params(tb.mul(rows, dim, dtype, "ff_gate"), 1, dtype))
    b.add("", tb.add(rows, dim, dtype, "xff_residual"))
    return [ly.cost for ly in b.build("xattn", source="").layers]


def flamingo(lm: str | None = "7b", *, text_tokens: int = 64, images: int = 1, cross_attn_every: int = 4,
             vis_dim: int = 1024, media_tokens: int = 256, num_latents: int = 64, depth: int = 6,
             dim_head: int = 64, heads: int = 8, ff_mult: int = 4, dtype: str = "fp16") -> Network:
    """OpenFlamingo-style model over one prompt: resampler per image, then the language model's
    decoder layers with a GATED XATTN-DENSE block before every ``cross_attn_every``-th one.

    Parameters
    ----------
    lm : a :func:`~npucourse.networks.llama` size (OpenFlamingo v1: LLaMA-7B, every 4th layer);
        ``None`` gives only the added Flamingo parts (resampler + cross-attention blocks of a
        32-layer, d = 4096 model)
    text_tokens : prompt tokens (prefilled together)
    images, cross_attn_every, vis_dim, media_tokens, num_latents, depth, dim_head, heads, ff_mult :
        as in :func:`perceiver_resampler` and :func:`gated_xattn_dense`

    Returns
    -------
    Network
        Stages ``resampler*``, ``xattn{i}`` (before LM layer i) and, with ``lm``, ``embed``,
        ``layer{i}``, ``head``. ``table("stage")`` shows the cost per layer.
    """
    v.positive_int("cross_attn_every", cross_attn_every)
    model = llama(lm, dtype) if lm is not None else None
    d, n_layers = (model.config.d, model.config.layers) if model else (4096, 32)
    b = LayerList()
    for ly in perceiver_resampler(vis_dim, depth, dim_head, heads, num_latents, ff_mult, media_tokens,
                                  images=images, dtype=dtype).layers:
        b.add(ly.stage, ly.cost)
    xattn = gated_xattn_dense(text_tokens, d, vis_dim, images * num_latents, dim_head=dim_head, heads=heads,
                              ff_mult=ff_mult, dtype=dtype)
    parts = model.parts(text_tokens, 0, 1, "last", text_tokens) if model else None
    if parts and parts[0] is not None:
        b.add("embed", parts[0])
    for i in range(n_layers):
        if (i + 1) % cross_attn_every == 0:  # open_flamingo flamingo_lm.py: block precedes decoder layer i
            b.extend(f"xattn{i}", xattn)
        if parts:
            b.extend(f"layer{i}", parts[1])
    if parts:
        b.extend("head", parts[2])
    return b.build(f"flamingo[{lm}] every {cross_attn_every}", source=SOURCE, lm=lm, text_tokens=text_tokens,
                   images=images, cross_attn_every=cross_attn_every, xattn_blocks=n_layers // cross_attn_every,
                   dtype=dtype)
