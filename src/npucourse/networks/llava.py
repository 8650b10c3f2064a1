"""LLaVA-1.5: CLIP vision tower, MLP projector, Vicuna language model (Chapter 2 §2.2.2).

Architecture of ``haotian-liu/LLaVA`` (Liu et al., arXiv 2310.03744):

* vision tower ``openai/clip-vit-large-patch14-336`` run as HF ``CLIPVisionModel``
  (``llava/model/multimodal_encoder/clip_encoder.py``): 336×336 image → 24×24 = 576 patches
  + class token = 577 tokens, width 1024, 24 layers. LLaVA takes ``hidden_states[-2]`` (the
  output of layer 23, ``mm_vision_select_layer = -2``) and drops the class token
  (``select_feature = "patch"``): 576 image tokens.
* projector ``mlp2x_gelu`` (``llava/model/multimodal_projector/builder.py``):
  Linear(1024→4096), GELU, Linear(4096→4096) on each of the 576 tokens — 20,979,712 parameters.
* language model Vicuna-7B v1.5 (LLaMA shape, :func:`npucourse.networks.llama`): the prompt is
  the 576 image embeddings plus the text tokens, prefilled together; answers are decoded.

What is counted for the vision tower (``vision_layers``): ``"executed"`` (default) — what the
reference code runs: HF ``CLIPVisionModel`` computes all 24 layers (and the post-LayerNorm of
the class token) although only layer 23's output is used; ``"needed"`` — the 23 layers whose
output LLaVA uses (a deployed graph can drop the last one). The class token is processed in
both (it takes part in attention); it is dropped only after the tower.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _validate as v
from ..cost import Cost
from . import _transformer as tb
from .base import LayerList, Network
from .llama import LanguageModel, llama
from .vit import encoder

SOURCE = ("haotian-liu/LLaVA: llava/model/multimodal_encoder/clip_encoder.py (select_layer -2, 'patch'), "
          "llava/model/multimodal_projector/builder.py (mlp2x_gelu); Liu et al., arXiv 2310.03744")

#: CLIP ViT-L/14-336 as HF CLIPVisionModel (openai/clip-vit-large-patch14-336 config.json).
VISION = {"image_size": 336, "patch": 14, "width": 1024, "layers": 24, "heads": 16, "mlp": 4096}


@dataclass(frozen=True)
class Llava:
    """LLaVA-1.5 as three parts: vision tower, projector, language model.

    Attributes
    ----------
    lm : LanguageModel
    vision_layers : {"executed", "needed"}
    dtype : str
    """

    lm: LanguageModel
    vision_layers: str = "executed"
    dtype: str = "fp16"

    @property
    def image_tokens(self) -> int:
        """Patch tokens handed to the LM per image: (336/14)² = 576 (class token dropped)."""
        return (VISION["image_size"] // VISION["patch"]) ** 2

    # -- parts -------------------------------------------------------------------------------------
    def vision_network(self, images: int = 1) -> Network:
        """CLIP ViT-L/14-336 vision tower on ``images`` images, then the projector."""
        v.positive_int("images", images)
        executed = self.vision_layers == "executed"
        b = LayerList()
        n = encoder(b, image_size=VISION["image_size"], patch=VISION["patch"], width=VISION["width"],
                    layers=VISION["layers"] - (0 if executed else 1), heads=VISION["heads"],
                    mlp_dim=VISION["mlp"], batch=images, dtype=self.dtype, granularity="op", conv_bias=False,
                    pre_norm=True, final_norm=False)
        if executed:  # CLIPVisionModel's post_layernorm on the pooled class token
            b.add("head", tb.norm("layernorm", images, VISION["width"], self.dtype, "post_layernorm"))
        rows = images * (n - 1)
        dt, d_lm = self.dtype, self.lm.config.d
        b.add("projector", tb.linear(rows, VISION["width"], d_lm, bias=True, dtype=dt, name="mm_fc1"))
        b.add("projector", tb.act("gelu", rows, d_lm, dt, "mm_gelu"))
        b.add("projector", tb.linear(rows, d_lm, d_lm, bias=True, dtype=dt, name="mm_fc2"))
        return b.build(f"llava-1.5 vision+projector x{images}", source=SOURCE, images=images,
                       vision_layers=self.vision_layers, tokens=n)

    def projector_params(self) -> float:
        """Parameters of ``mlp2x_gelu`` (vision width → LM width → LM width, with biases):
        1024·4096 + 4096 + 4096·4096 + 4096 for Vicuna-7B."""
        return float(self.vision_network().stage("projector").params)

    @property
    def params(self) -> float:
        """Vision tower + projector + language model parameters."""
        return self.vision_network().params + self.lm.params

    # -- phases ------------------------------------------------------------------------------------
    def prompt_tokens(self, text_tokens: int, images: int = 1) -> int:
        """Tokens the LM prefills: ``images·576 + text_tokens``."""
        v.nonnegative_int("text_tokens", text_tokens)
        v.positive_int("images", images)
        return images * self.image_tokens + text_tokens

    def prefill_network(self, text_tokens: int, images: int = 1) -> Network:
        """Vision tower and projector, then the LM prefill over image + text tokens (one sequence)."""
        n = self.prompt_tokens(text_tokens, images)
        b = LayerList()
        for ly in self.vision_network(images).layers:
            b.add(f"vision/{ly.stage}", ly.cost)
        for ly in self.lm.network(n, 0, 1, embed_tokens=text_tokens).layers:
            b.add(f"llm/{ly.stage}", ly.cost)
        return b.build(f"llava-1.5 prefill {images}x{self.image_tokens}+{text_tokens}", source=SOURCE,
                       text_tokens=text_tokens, images=images, prompt_tokens=n)

    def prefill(self, text_tokens: int, images: int = 1) -> Cost:
        """Cost of encoding the image(s) and prefilling ``images·576 + text_tokens`` tokens."""
        n = self.prompt_tokens(text_tokens, images)
        llm = self.lm.forward(n, 0, 1, "last", "llm prefill", embed_tokens=text_tokens)
        return (self.vision_network(images).total + llm).renamed(f"llava-1.5 prefill {n}")

    def decode(self, context: int) -> Cost:
        """One generated token attending to ``context`` positions (image tokens included)."""
        return self.lm.decode(context)

    def generate(self, text_tokens: int, new_tokens: int, images: int = 1) -> Cost:
        """Image encoding + prefill + ``new_tokens - 1`` decode steps (the prefill yields the first)."""
        v.positive_int("new_tokens", new_tokens)
        n = self.prompt_tokens(text_tokens, images)
        total = self.prefill(text_tokens, images)
        for ctx in range(n + 1, n + new_tokens):
            total = total + self.lm.decode(ctx)
        return total.renamed(f"llava-1.5 generate {n}+{new_tokens}")


def llava(lm: str = "vicuna-7b", *, vision_layers: str = "executed", dtype: str = "fp16") -> Llava:
    """LLaVA-1.5 with language model ``lm`` (a :func:`~npucourse.networks.llama` size).

    Examples
    --------
    >>> m = llava()
    >>> int(m.projector_params()), m.image_tokens
    (20979712, 576)
    """
    v.choice("vision_layers", vision_layers, ("executed", "needed"))
    return Llava(llama(lm, dtype), vision_layers, dtype)
