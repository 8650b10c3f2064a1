"""Vision Transformer (ViT) as a layer list (Chapter 2 §2.2.1).

Architecture of torchvision ``models/vision_transformer.py`` (Dosovitskiy et al., arXiv
2010.11929): a P×P stride-P convolution cuts the image into patches, a class token is prepended
and a learned position embedding added (N = (H/P)·(W/P) + 1 tokens), then L pre-norm encoder
layers (LayerNorm, fused QKV with bias, attention, output projection, residual; LayerNorm,
Linear→GELU→Linear, residual), a final LayerNorm and a linear head on the class token.

Counting: MACs are the matrix products (patch convolution, linear layers, Q·Kᵀ and P·V) — the
convention behind torchvision's published "GFLOPS" (17.56 for ``vit_b_16``, really GMACs:
torchvision PR #6936 counted aten mm/addmm/bmm/convolution with one op per multiply–add).
Per layer: 12·N·D² + 2·N²·D MACs with MLP ratio 4 (formula ``vit_layer_macs_r4``).

Each encoder layer is one stage (``block0`` ... ``block{L-1}``); with ``granularity="block"``
it is also one layer, so a network is a chain of per-block costs (split-point analyses).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _validate as v
from ..formulas._gen.transformer import vit_tokens
from ..ops import conv2d
from . import _transformer as tb
from .base import LayerList, Network

SOURCE = ("torchvision models/vision_transformer.py (v0.15+); Dosovitskiy et al., "
          "'An Image is Worth 16x16 Words', arXiv 2010.11929, Table 1")


@dataclass(frozen=True)
class ViTConfig:
    """Shape of a ViT variant (paper Table 1; ``L/14`` and ``H/14`` as used by CLIP)."""

    patch: int
    width: int
    layers: int
    heads: int
    mlp: int
    source: str = "Dosovitskiy et al., arXiv 2010.11929, Table 1"


VARIANTS: dict[str, ViTConfig] = {
    "B/16": ViTConfig(16, 768, 12, 12, 3072),
    "B/32": ViTConfig(32, 768, 12, 12, 3072),
    "L/16": ViTConfig(16, 1024, 24, 16, 4096),
    "L/32": ViTConfig(32, 1024, 24, 16, 4096),
    "L/14": ViTConfig(14, 1024, 24, 16, 4096, "Radford et al., arXiv 2103.00020 (CLIP), Table 20"),
    "H/14": ViTConfig(14, 1280, 32, 16, 5120),
}


def config(name: str) -> ViTConfig:
    """The :class:`ViTConfig` of ``name``; KeyError listing the known variants."""
    try:
        return VARIANTS[name]
    except KeyError:
        raise KeyError(f"unknown ViT variant {name!r}; known: {', '.join(VARIANTS)}") from None


def encoder(b: LayerList, *, image_size: int, patch: int, width: int, layers: int, heads: int,
            mlp_dim: int, batch: int, dtype: str, granularity: str, conv_bias: bool,
            pre_norm: bool, final_norm: bool) -> int:
    """Append patch embedding, ``layers`` encoder blocks and (optionally) the final norm to ``b``.

    Shared by :func:`vit`, :func:`npucourse.networks.clip_image` and the LLaVA vision tower.
    Returns N, the tokens per image (class token included).
    """
    v.positive_int("image_size", image_size)
    v.positive_int("batch", batch)
    v.nonnegative_int("layers", layers)
    v.choice("granularity", granularity, tb.GRANULARITIES)
    if image_size < patch:
        raise ValueError(f"image_size={image_size} is smaller than the patch size {patch}")
    n = int(vit_tokens(H=image_size, W=image_size, P=patch))
    rows = batch * n
    b.add("embed", conv2d(3, width, image_size, image_size, kernel=patch, stride=patch, padding=0,
                          bias=conv_bias, batch=batch, dtype=dtype, name="patch_embed"))
    # class token (D parameters) prepended, position embedding (N·D parameters) added
    b.add("embed", tb.with_params(tb.add(rows, width, dtype, "cls_pos_embed"), (n + 1) * width, dtype))
    if pre_norm:
        b.add("embed", tb.norm("layernorm", rows, width, dtype, "ln_pre"))
    ops = LayerList()  # one encoder layer; all layers are identical (frozen records reused)
    tb.self_attention(ops, "", tokens=rows, seq=n, d=width, heads=heads, dtype=dtype, qkv_bias=True, out_bias=True)
    tb.mlp(ops, "", tokens=rows, d=width, hidden=mlp_dim, dtype=dtype, bias=True)
    for i in range(layers):
        tb.emit(b, f"block{i}", ops, granularity)
    if final_norm:
        b.add("head", tb.norm("layernorm", rows, width, dtype, "ln_final"))
    return n


def vit(variant: str = "B/16", image_size: int = 224, *, layers: int | None = None,
        num_classes: int | None = 1000, batch: int = 1, dtype: str = "fp16",
        granularity: str = "op") -> Network:
    """ViT classifier as in torchvision (``vit_b_16`` etc.).

    Parameters
    ----------
    variant : str
        ``"B/16"``, ``"B/32"``, ``"L/16"``, ``"L/32"``, ``"L/14"``, ``"H/14"`` (KeyError otherwise).
    image_size : int
        Square input side [px]; N = (image_size // P)² + 1 tokens.
    layers : int, optional
        Encoder depth (default: the variant's); any depth ≥ 0, e.g. 20 for a split-point chain.
    num_classes : int or None
        Classifier outputs on the class token; ``None`` for no head.
    batch : int
    dtype : str
    granularity : {"op", "block"}
        One layer per operator, or one layer per encoder block.

    Returns
    -------
    Network
        Stages ``embed``, ``block0`` … ``block{L-1}``, ``head``. MACs =
        L·(12·N·D² + 2·N²·D)·batch + patch embedding + head (formula ``vit_macs``).

    Examples
    --------
    >>> net = vit("B/16")
    >>> int(net.params), round(net.macs / 1e9, 2)
    (86567656, 17.56)
    """
    cfg = config(variant)
    depth = cfg.layers if layers is None else layers
    b = LayerList()
    n = encoder(b, image_size=image_size, patch=cfg.patch, width=cfg.width, layers=depth, heads=cfg.heads,
                mlp_dim=cfg.mlp, batch=batch, dtype=dtype, granularity=granularity, conv_bias=True,
                pre_norm=False, final_norm=True)
    if num_classes is not None:
        v.positive_int("num_classes", num_classes)
        b.add("head", tb.linear(batch, cfg.width, num_classes, bias=True, dtype=dtype, name="classifier"))
    tag = variant.lower().replace("/", "_")
    return b.build(f"vit_{tag}@{image_size}" + (f"_L{depth}" if layers is not None else ""),
                   source=SOURCE + "; " + cfg.source, variant=variant, image_size=image_size,
                   layers=depth, tokens=n, width=cfg.width, heads=cfg.heads, mlp=cfg.mlp,
                   num_classes=num_classes, batch=batch, dtype=dtype, granularity=granularity)
