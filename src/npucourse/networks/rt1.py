"""RT-1, Robotics Transformer 1 (Chapter 2 §2.2.3).

Brohan et al., "RT-1: Robotics Transformer for Real-World Control at Scale", arXiv 2212.06817,
and the released code ``google-research/robotics_transformer`` (paths below):

* image tokenizer, per image (``tokenizers/image_tokenizer.py``,
  ``film_efficientnet/pretrained_efficientnet_encoder.py``, ``film_efficientnet_encoder.py``):
  300×300 RGB → ImageNet EfficientNet-B3 without its classifier, a FiLM layer after every one
  of the 26 MBConv blocks, conditioned on the 512-d instruction embedding (Universal Sentence
  Encoder, computed outside the policy) → 1×1 conv 1536→512 (no bias) → FiLM(512) → one token
  per feature-map position → TokenLearner (LayerNorm, Dense 512→64 GELU, Dense 64→8, softmax
  over positions, weighted sum) → 8 tokens of 512.
* FiLM (``film_conditioning_layer.py``): two Dense(512→C) with bias give γ and β;
  ``y = (1 + γ)·x + β`` per channel (2 operations per element).
* transformer (``transformer.py``, ``configs/transformer_mixin.gin``): decoder-only, 8 layers;
  token and position embeddings are Dense layers (the position one on one-hot positions);
  each layer: LayerNorm → Keras MultiHeadAttention (8 heads, key_dim 128, biases) → residual →
  LayerNorm → one Dense(512→512) → residual; output Dense(512→256) (256 action bins).
* actions: 11 dimensions (7 arm: x, y, z, roll, pitch, yaw, gripper; 3 base: x, y, yaw;
  1 mode), each one token of 256 bins; control at 3 Hz (paper §4, §5).

Two sequence models (``sequence``):

* ``"paper"`` — 6 images × 8 tokens = 48 tokens, one forward pass per control step;
* ``"code"`` — the released inference path: the sequence interleaves the 8 image tokens with
  11 (zeroed) action-token slots per time step, 6·(8+11) = 114 tokens, and the transformer runs
  once per action dimension (11 passes per step, no KV cache).

Assumptions (stated): every image of the history is tokenized per step unless
``encode_images`` says otherwise (the released code caches the tokens of the 5 previous
images, ``encode_images=1``); the feature-map size follows from convolution arithmetic —
B3 on 300×300 gives 10×10 = 100 positions, where the paper writes 9×9 = 81.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _validate as v
from ..cost import Cost
from ..hardware import Hardware
from ..ops import conv2d, gemm
from ..ops.elementwise import elementwise, softmax
from . import _transformer as tb
from .base import LayerList, Network
from .efficientnet import features

SOURCE = ("Brohan et al., RT-1, arXiv 2212.06817 §4; google-research/robotics_transformer "
          "(transformer_network.py, transformer.py, tokenizers/, film_efficientnet/, configs/transformer_mixin.gin)")

#: RT-1's control rate [Hz] (paper §5: "runs at 3 Hz").
CONTROL_HZ = 3.0
CONTROL_HZ_SOURCE = "Brohan et al., arXiv 2212.06817, §4-5 (3 Hz control)"
#: Action space: 7 arm + 3 base + 1 mode dimensions, 256 bins each (paper §4).
ACTION_DIMS = {"arm": 7, "base": 3, "mode": 1}
ACTION_BINS = 256
#: Gin configuration of the released model (configs/transformer_mixin.gin).
GIN = {"layers": 8, "key_dim": 128, "heads": 8, "ff": 512, "vocab": 256, "width": 512, "history": 6}
#: Operations per element of FiLM, (1 + γ)·x + β (γ, β broadcast per channel): multiply, add.
FILM_OPS = 2.0


def _film(b: LayerList, stage: str, shape: tuple[int, int, int, int], context_dim: int, dtype: str, name: str) -> None:
    n, c, _, _ = shape
    b.add(stage, tb.linear(n, context_dim, c, bias=True, dtype=dtype, name=f"{name}_gamma"))
    b.add(stage, tb.linear(n, context_dim, c, bias=True, dtype=dtype, name=f"{name}_beta"))
    b.add(stage, elementwise(shape, 1, FILM_OPS, dtype, f"{name}_apply"))


def image_tokenizer(b: LayerList, images: int, image_size: int, tokens: int, width: int, context_dim: int,
                    dtype: str, prefix: str = "tokenizer/") -> int:
    """Append the FiLM-EfficientNet-B3 + TokenLearner of ``images`` images; return positions per image."""

    def film_after_block(bl: LayerList, stage: str, shape: tuple[int, int, int, int]) -> None:
        _film(bl, prefix + stage, shape, context_dim, dtype, "film")

    inner = LayerList()
    x = features(inner, "b3", image_size, images, dtype, after_block=film_after_block)
    for ly in inner.build("b3", source="").layers:
        b.add(ly.stage if ly.stage.startswith(prefix) else prefix + ly.stage, ly.cost)
    st = prefix + "project"
    x = b.add(st, conv2d(x[1], width, x[2], x[3], kernel=1, batch=images, dtype=dtype, name="conv1x1")).out_shape
    _film(b, st, x, context_dim, dtype, "film_out")
    hw = x[2] * x[3]
    rows = images * hw
    st = prefix + "token_learner"
    b.add(st, tb.norm("layernorm", rows, width, dtype, "tl_norm"))
    b.add(st, tb.linear(rows, width, 64, bias=True, dtype=dtype, name="tl_fc1"))
    b.add(st, tb.act("gelu_tanh", rows, 64, dtype, "tl_gelu"))
    b.add(st, tb.linear(rows, 64, tokens, bias=True, dtype=dtype, name="tl_fc2"))
    b.add(st, softmax((images, tokens, hw), dtype=dtype, name="tl_softmax"))
    # weighted sum over positions: per image [tokens, hw] @ [hw, width]
    pool = gemm(tokens, width, hw, dtype=dtype, weights="none", name="tl_pool")
    b.add(st, pool * images)
    return hw


@dataclass(frozen=True)
class LatencyBudget:
    """Time of one control step on a device against the period of the control rate."""

    time_s: float
    budget_s: float
    rate_hz: float

    @property
    def fraction(self) -> float:
        """Share of the control period the step takes."""
        return self.time_s / self.budget_s

    @property
    def fits(self) -> bool:
        return self.time_s <= self.budget_s


def rt1(*, history: int = GIN["history"], image_size: int = 300, tokens_per_image: int = 8,
        layers: int = GIN["layers"], width: int = GIN["width"], heads: int = GIN["heads"],
        key_dim: int = GIN["key_dim"], ff: int = GIN["ff"], vocab: int = GIN["vocab"],
        context_dim: int = 512, encode_images: int | None = None, sequence: str = "paper",
        dtype: str = "fp16") -> Network:
    """RT-1 policy: one control step (tokenize images, run the transformer, emit action logits).

    Parameters
    ----------
    history : images in the context window (6)
    image_size : input side [px] after the encoder's resize (300)
    tokens_per_image : TokenLearner outputs per image (8)
    layers, width, heads, key_dim, ff, vocab : transformer shape (gin: 8, 512, 8, 128, 512, 256)
    context_dim : instruction-embedding width for FiLM (512)
    encode_images : images tokenized this step (default ``history``: no caching; the released
        code caches tokens and encodes 1)
    sequence : ``"paper"`` (48 tokens, one pass) or ``"code"`` (114 tokens, 11 passes)
    dtype : element type

    Returns
    -------
    Network
        Stages ``tokenizer/...``, ``transformer/embed``, ``transformer/layer{i}``, ``transformer/head``.
    """
    for name, val in (("history", history), ("tokens_per_image", tokens_per_image), ("width", width),
                      ("heads", heads), ("key_dim", key_dim), ("ff", ff), ("vocab", vocab),
                      ("context_dim", context_dim)):
        v.positive_int(name, val)
    v.nonnegative_int("layers", layers)
    v.choice("sequence", sequence, ("paper", "code"))
    enc = history if encode_images is None else encode_images
    v.positive_int("encode_images", enc)
    if enc > history:
        raise ValueError(f"encode_images={enc} exceeds history={history}")
    n_actions = sum(ACTION_DIMS.values())
    if sequence == "paper":
        seq, passes, action_slots = history * tokens_per_image, 1, 0
    else:
        seq, passes, action_slots = history * (tokens_per_image + n_actions), n_actions, history * n_actions

    b = LayerList()
    positions = image_tokenizer(b, enc, image_size, tokens_per_image, width, context_dim, dtype)

    def rep(c: Cost) -> Cost:  # the released code re-runs the whole transformer once per action token
        return tb.runs(c, passes)

    st = "transformer/embed"
    if action_slots:
        b.add(st, rep(tb.linear(action_slots, vocab, width, bias=True, dtype=dtype, name="action_token_emb")))
    b.add(st, rep(tb.linear(seq, width, ff, bias=True, dtype=dtype, name="token_emb")))
    b.add(st, rep(tb.linear(seq, seq, ff, bias=True, dtype=dtype, name="position_emb")))  # Dense on one-hot
    b.add(st, rep(tb.add(seq, ff, dtype, "embed_add")))
    one = LayerList()
    tb.self_attention(one, "", tokens=seq, seq=seq, d=ff, heads=heads, head_dim=key_dim, dtype=dtype,
                      qkv_bias=True, out_bias=True)
    one.add("", tb.norm("layernorm", seq, ff, dtype, "norm2"))
    one.add("", tb.linear(seq, ff, ff, bias=True, dtype=dtype, name="ff"))
    one.add("", tb.add(seq, ff, dtype, "residual2"))
    layer = [rep(ly.cost) for ly in one.build("layer", source="").layers]
    for i in range(layers):
        b.extend(f"transformer/layer{i}", layer)
    b.add("transformer/head", rep(tb.linear(seq, ff, vocab, bias=True, dtype=dtype, name="action_logits")))
    return b.build(f"rt1[{sequence}] {enc}/{history} images", source=SOURCE, history=history,
                   image_size=image_size, feature_positions=positions, tokens_per_image=tokens_per_image,
                   sequence_tokens=seq, passes=passes, encode_images=enc, layers=layers, dtype=dtype,
                   action_dims=n_actions, action_bins=ACTION_BINS)


def transformer_params(net: Network) -> float:
    """Parameters of the transformer part (embeddings, layers, action head) of an :func:`rt1` network."""
    return float(sum(c.params for name, c in net.stages.items() if name.startswith("transformer/")))


def latency_budget(net: Network, hw: Hardware, rate_hz: float = CONTROL_HZ, dtype: str | None = None) -> LatencyBudget:
    """Roofline time of one control step of ``net`` on ``hw`` against the period ``1/rate_hz``.

    Layers run one after another (:meth:`Network.time_on`); RT-1's rate is 3 Hz (333 ms).
    """
    v.positive("rate_hz", rate_hz)
    return LatencyBudget(time_s=net.time_on(hw, dtype=dtype), budget_s=1.0 / rate_hz, rate_hz=float(rate_hz))
