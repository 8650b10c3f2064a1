"""RT-2: a vision-language model that emits robot actions as text tokens (Chapter 2 §2.2.3,
exercise 2.8).

Brohan et al., "RT-2: Vision-Language-Action Models Transfer Web Knowledge to Robotic Control",
arXiv 2307.15818, §3.2: each continuous action dimension is discretised into 256 bins and every
bin is written as an *existing* token of the VLM's vocabulary — for PaLI-X the integers up to
1000 already have their own tokens, for PaLM-E the 256 least frequently used tokens are
overwritten. The vocabulary therefore does not grow: no embedding rows, no LM-head rows, no
extra logits. RT-2-PaLI-X has up to 55 B parameters and runs at 1–3 Hz on a cloud TPU service;
a 5 B variant at about 5 Hz.

:func:`action_vocab_overhead` answers the other design — adding new tokens, as exercise 2.8
assumes — and :func:`lora_params` the adapter sizes; :func:`rt2` gives the per-step cost of a
VLA built on an open 7 B VLM shape (LLaVA-1.5, an assumption: RT-2's own VLMs are not public).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _validate as v
from ..cost import Cost
from ..formulas._gen.transformer import lora_params as _lora_params
from ..formulas._gen.transformer import vocab_extension_flops, vocab_extension_params
from ..units import dtype_bytes
from .llava import Llava, llava

SOURCE = "Brohan et al., RT-2, arXiv 2307.15818, §3.2 (action tokens), §4 and Appendix (model sizes, rates)"

#: Vocabulary tokens RT-2 adds for actions: none (bins reuse existing tokens).
ADDED_ACTION_TOKENS = 0
#: Bins per action dimension.
ACTION_BINS = 256
#: Tokens per action: terminate flag, 3 position deltas, 3 rotation deltas, gripper extension.
ACTION_TOKENS = 8
#: Published variants: parameters and control rate (REFERENCE.md).
VARIANTS = {
    "RT-2-PaLI-X-55B": {"params": 55e9, "rate_hz": (1.0, 3.0)},
    "RT-2-PaLM-E-12B": {"params": 12e9, "rate_hz": None},
    "RT-2-PaLI-X-5B": {"params": 5e9, "rate_hz": (5.0, 5.0)},
}


@dataclass(frozen=True)
class VocabOverhead:
    """What ``n_new_tokens`` new vocabulary entries cost a model of width ``d_model``.

    Attributes
    ----------
    params : added parameters (embedding rows, plus LM-head rows when untied)
    bytes : their storage [B] in ``dtype``
    flops_per_token : extra FLOPs per generated token (the extra logits; 2 per MAC)
    macs_per_token : the same in MACs
    """

    params: float
    bytes: float
    flops_per_token: float
    macs_per_token: float


def action_vocab_overhead(d_model: int, n_new_tokens: int, tied: bool = False,
                          dtype: str = "fp16") -> VocabOverhead:
    """Parameters, bytes and per-token FLOPs of adding ``n_new_tokens`` tokens to a vocabulary.

    ``params = E·n·d`` (E = 2 untied: embedding and LM head; 1 tied), formula
    ``vocab_extension_params``; ``flops_per_token = 2·d·n`` (formula ``vocab_extension_flops``):
    the LM head computes n more logits per generated token; the embedding lookup is free.

    Examples
    --------
    >>> o = action_vocab_overhead(4096, 1000)             # exercise 2.8's assumption
    >>> o.params, o.bytes, o.flops_per_token
    (8192000.0, 16384000.0, 8192000.0)
    >>> action_vocab_overhead(4096, ADDED_ACTION_TOKENS).params   # what RT-2 actually adds
    0.0
    """
    v.positive_int("d_model", d_model)
    v.nonnegative_int("n_new_tokens", n_new_tokens)
    if not isinstance(tied, bool):
        raise ValueError(f"tied must be True or False, got {tied!r}")
    p = 1.0 * vocab_extension_params(E=1 if tied else 2, n_new=n_new_tokens, d=d_model)
    f = 1.0 * vocab_extension_flops(d=d_model, n_new=n_new_tokens)
    return VocabOverhead(params=p, bytes=p * dtype_bytes(dtype), flops_per_token=f, macs_per_token=f / 2)


def lora_params(d_in: int, d_out: int, rank: int, matrices_per_layer: int, layers: int) -> float:
    """LoRA adapter parameters ``layers·m·r·(d_in + d_out)`` (formula ``lora_params``).

    Exercise 2.8: rank 16 on Q and V of a 32-layer, d = 4096 model: 32·2·16·8192 = 8,388,608.
    """
    for name, val in (("d_in", d_in), ("d_out", d_out), ("rank", rank), ("matrices_per_layer", matrices_per_layer),
                      ("layers", layers)):
        v.positive_int(name, val)
    return float(_lora_params(L=layers, m=matrices_per_layer, r=rank, d_in=d_in, d_out=d_out))


@dataclass(frozen=True)
class VLAStep:
    """One control step of an RT-2-style VLA: encode the image, prefill the prompt, decode the
    action tokens one by one (the prefill's logits give the first)."""

    vlm: Llava
    prompt_text_tokens: int
    action_tokens: int

    def cost(self) -> Cost:
        return self.vlm.generate(self.prompt_text_tokens, self.action_tokens).renamed("vla step")

    def decode_share(self) -> float:
        """Share of the step's FLOPs spent decoding action tokens after the prefill."""
        total = self.cost()
        return 1.0 - float(self.vlm.prefill(self.prompt_text_tokens).flops) / float(total.flops)


def rt2(prompt_text_tokens: int = 32, *, action_tokens: int = ACTION_TOKENS, lm: str = "vicuna-7b",
        dtype: str = "fp16") -> VLAStep:
    """A VLA control step on an open 7 B VLM (LLaVA-1.5 shape; assumption — RT-2's PaLI-X and
    PaLM-E are not public): one image, ``prompt_text_tokens`` instruction tokens, then
    ``action_tokens`` generated tokens (8 for RT-2), vocabulary unchanged."""
    v.nonnegative_int("prompt_text_tokens", prompt_text_tokens)
    v.positive_int("action_tokens", action_tokens)
    return VLAStep(llava(lm, dtype=dtype), prompt_text_tokens, action_tokens)
