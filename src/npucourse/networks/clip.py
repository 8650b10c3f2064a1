"""CLIP image and text towers as in OpenCLIP (Chapter 2 §2.2.1).

Architecture of OpenCLIP ``src/open_clip/transformer.py`` with the model configurations of
``src/open_clip/model_configs/<model>.json`` (Radford et al., arXiv 2103.00020):

* image tower (``VisionTransformer``): bias-free P×P patch convolution, class token, position
  embedding, ``ln_pre``, L pre-norm residual blocks (fused QKV with bias, GELU MLP with ratio 4),
  ``ln_post``, and a bias-free projection ``width → embed_dim`` of the pooled class token;
* text tower (``TextTransformer``): token embedding (vocabulary 49408), position embedding of the
  77-token context, L blocks with a causal mask, ``ln_final``, and a bias-free projection of the
  end-of-text token.

Counting: OpenCLIP's ``docs/model_profile.csv`` (written by ``src/training/profiler.py`` with
``torch.utils.flop_counter.FlopCounterMode``) lists GFLOPs = 2 × MACs of the matrix products
(mm, bmm, convolution, scaled-dot-product attention) for one image and one 77-token text: every
one of the 77 positions is processed, and the causal mask is applied to a full 77×77 score
matrix (the counter does not discount masked entries), so the text attention is counted in
full here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _validate as v
from . import _transformer as tb
from .base import LayerList, Network
from .vit import encoder

SOURCE = ("OpenCLIP src/open_clip/transformer.py (VisionTransformer, TextTransformer) and "
          "src/open_clip/model_configs/*.json; Radford et al., arXiv 2103.00020")


@dataclass(frozen=True)
class ClipConfig:
    """An OpenCLIP model configuration (``model_configs/<name>.json``)."""

    embed_dim: int
    image_size: int
    patch: int
    width: int
    layers: int
    head_width: int
    mlp: int
    text_width: int
    text_heads: int
    text_layers: int
    context: int = 77
    vocab: int = 49408

    @property
    def heads(self) -> int:
        return self.width // self.head_width


MODELS: dict[str, ClipConfig] = {
    "ViT-B-32": ClipConfig(512, 224, 32, 768, 12, 64, 3072, 512, 8, 12),
    "ViT-B-16": ClipConfig(512, 224, 16, 768, 12, 64, 3072, 512, 8, 12),
    "ViT-L-14": ClipConfig(768, 224, 14, 1024, 24, 64, 4096, 768, 12, 12),
    "ViT-L-14-336": ClipConfig(768, 336, 14, 1024, 24, 64, 4096, 768, 12, 12),
    "ViT-H-14": ClipConfig(1024, 224, 14, 1280, 32, 80, 5120, 1024, 16, 24),
}


def config(model: str) -> ClipConfig:
    """Configuration of an OpenCLIP model; ``"ViT-L/14"`` and ``"ViT-L-14"`` both work."""
    key = model.replace("/", "-")
    try:
        return MODELS[key]
    except KeyError:
        raise KeyError(f"unknown CLIP model {model!r}; known: {', '.join(MODELS)}") from None


def clip_image(model: str = "ViT-L/14", image_size: int | None = None, *, batch: int = 1, dtype: str = "fp16",
               granularity: str = "op") -> Network:
    """The image tower of an OpenCLIP model, projection included.

    Parameters
    ----------
    model : ``"ViT-B/32"``, ``"ViT-B/16"``, ``"ViT-L/14"``, ``"ViT-L/14-336"``, ``"ViT-H/14"``
    image_size : input side [px]; default the model's (224, or 336 for ``-336``)
    batch, dtype, granularity : as in :func:`npucourse.networks.vit`

    Examples
    --------
    >>> net = clip_image("ViT-L/14")
    >>> round(2 * net.macs / 1e9, 2), round(net.params / 1e6, 2)   # model_profile.csv
    (162.03, 303.97)
    """
    cfg = config(model)
    size = cfg.image_size if image_size is None else image_size
    b = LayerList()
    n = encoder(b, image_size=size, patch=cfg.patch, width=cfg.width, layers=cfg.layers, heads=cfg.heads,
                mlp_dim=cfg.mlp, batch=batch, dtype=dtype, granularity=granularity, conv_bias=False,
                pre_norm=True, final_norm=True)
    b.add("head", tb.linear(batch, cfg.width, cfg.embed_dim, bias=False, dtype=dtype, name="proj"))
    return b.build(f"clip_{model.replace('/', '-')}_image@{size}", source=SOURCE, model=model, image_size=size,
                   tokens=n, width=cfg.width, layers=cfg.layers, heads=cfg.heads, embed_dim=cfg.embed_dim,
                   batch=batch, dtype=dtype)


def clip_text(width: int = 768, layers: int = 12, heads: int = 12, context: int = 77, vocab: int = 49408, *,
              embed_dim: int | None = None, mlp_ratio: int = 4, batch: int = 1, dtype: str = "fp16",
              model: str | None = None, granularity: str = "op") -> Network:
    """The text tower of an OpenCLIP model (defaults: ViT-L/14's, width 768, 12 layers, 12 heads).

    Parameters
    ----------
    width, layers, heads : transformer shape
    context : tokens processed (all of them, padding included, as OpenCLIP does)
    vocab : token-embedding rows (a lookup: parameters, no MACs)
    embed_dim : output of the text projection (default ``width``)
    mlp_ratio : MLP hidden width / width
    model : take width, layers, heads, context, vocab and embed_dim from this OpenCLIP model instead

    Returns
    -------
    Network
        Stages ``embed``, ``block0`` …, ``head``. MACs per block 12·T·w² + 2·T²·w (T = context).
    """
    if model is not None:
        cfg = config(model)
        width, layers, heads, context, vocab = cfg.text_width, cfg.text_layers, cfg.text_heads, cfg.context, cfg.vocab
        embed_dim = cfg.embed_dim
    for name, val in (("width", width), ("heads", heads), ("context", context), ("vocab", vocab),
                      ("batch", batch), ("mlp_ratio", mlp_ratio)):
        v.positive_int(name, val)
    v.nonnegative_int("layers", layers)
    if width % heads:
        raise ValueError(f"heads={heads} must divide width={width}")
    e = width if embed_dim is None else embed_dim
    v.positive_int("embed_dim", e)
    rows = batch * context
    b = LayerList()
    # token lookup: V·w table, one row read per token; position embedding (context·w) added
    lookup = tb.with_params(tb.add(rows, width, dtype, "token_pos_embed"), (vocab + context) * width, dtype,
                            read=False)
    b.add("embed", lookup)
    ops = LayerList()
    tb.self_attention(ops, "", tokens=rows, seq=context, d=width, heads=heads, dtype=dtype, qkv_bias=True,
                      out_bias=True)
    tb.mlp(ops, "", tokens=rows, d=width, hidden=mlp_ratio * width, dtype=dtype, bias=True)
    for i in range(layers):
        tb.emit(b, f"block{i}", ops, granularity)
    b.add("head", tb.norm("layernorm", rows, width, dtype, "ln_final"))
    b.add("head", tb.linear(batch, width, e, bias=False, dtype=dtype, name="text_projection"))
    return b.build(f"clip_text_w{width}_L{layers}_T{context}", source=SOURCE, width=width, layers=layers,
                   heads=heads, context=context, vocab=vocab, embed_dim=e, batch=batch, dtype=dtype)


__all__ = ["clip_image", "clip_text", "config", "MODELS", "ClipConfig"]
