"""LLaMA-family decoder-only language models: prefill, decode and KV cache (Chapter 2 §2.2.2).

Architecture of HF ``LlamaForCausalLM`` (``transformers/models/llama/modeling_llama.py``;
Touvron et al., arXiv 2302.13971 and 2307.09288): token embedding, L layers of
[RMSNorm → Q, K, V projections (grouped-query: ``kv_heads`` K/V heads) → RoPE → causal
attention → output projection → residual; RMSNorm → SwiGLU FFN (gate, up, down) → residual],
final RMSNorm, LM head. No biases anywhere.

Phases (the new tokens attend causally to everything before them):

* ``prefill(tokens)`` — the prompt in one pass: every weight matrix multiplies every token,
  attention covers the lower triangle T(T+1)/2 per head, logits for the last token only
  (formula ``llama_prefill_macs``).
* ``decode(context)`` — one new token per sequence that attends to ``context`` positions, itself
  included: every weight matrix is read once per step, and the KV cache of ``context``
  positions is read by the attention (formula ``llama_decode_macs``). The embedding lookup reads
  one row; it is not a multiply.

Counting: MACs of the matrix products, FLOPs = 2·MACs + element-wise operations (norms, RoPE,
SiLU, residuals, softmax).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import _validate as v
from ..cost import DRAM, Cost, Num
from ..formulas._gen.transformer import llama_kv_cache_bytes, llama_params
from ..ops._common import canonical, elem_bytes
from ..units import dtype_bytes
from . import _transformer as tb
from .base import LayerList, Network

SOURCE = ("HF transformers models/llama/modeling_llama.py (LlamaForCausalLM); Touvron et al., "
          "arXiv 2302.13971 (LLaMA) and 2307.09288 (Llama 2)")


@dataclass(frozen=True)
class LlamaConfig:
    """Shape of a LLaMA-style decoder.

    Attributes
    ----------
    name : str
    d : model width (hidden_size)
    layers : decoder layers
    heads : query heads (head width d / heads)
    kv_heads : key/value heads (= heads: multi-head attention; fewer: grouped-query)
    ffn : SwiGLU hidden width (intermediate_size)
    vocab : vocabulary size
    tied : LM head shares the embedding matrix
    source : where the numbers come from
    """

    name: str
    d: int
    layers: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int
    tied: bool
    source: str

    def __post_init__(self) -> None:
        for f in ("d", "layers", "heads", "kv_heads", "ffn", "vocab"):
            v.positive_int(f"LlamaConfig.{f}", getattr(self, f))
        if self.d % self.heads or self.heads % self.kv_heads:
            raise ValueError(f"LlamaConfig {self.name}: heads must divide d and kv_heads must divide heads")

    @property
    def head_dim(self) -> int:
        return self.d // self.heads


_L1 = "LLaMA paper (arXiv 2302.13971) Table 2; HF config.json (huggyllama/llama-{}) intermediate_size"
_L2 = "Llama 2 paper (arXiv 2307.09288); HF meta-llama/Llama-2-{}-hf config.json"
CONFIGS: dict[str, LlamaConfig] = {c.name: c for c in (
    LlamaConfig("7b", 4096, 32, 32, 32, 11008, 32000, False, _L1.format("7b")),
    LlamaConfig("13b", 5120, 40, 40, 40, 13824, 32000, False, _L1.format("13b")),
    LlamaConfig("33b", 6656, 60, 52, 52, 17920, 32000, False, _L1.format("30b")),
    LlamaConfig("65b", 8192, 80, 64, 64, 22016, 32000, False, _L1.format("65b")),
    LlamaConfig("2-7b", 4096, 32, 32, 32, 11008, 32000, False, _L2.format("7b")),
    LlamaConfig("2-13b", 5120, 40, 40, 40, 13824, 32000, False, _L2.format("13b")),
    LlamaConfig("2-70b", 8192, 80, 64, 8, 28672, 32000, False, _L2.format("70b") + " (num_key_value_heads 8)"),
    LlamaConfig("3-8b", 4096, 32, 32, 8, 14336, 128256, False,
                "HF meta-llama/Meta-Llama-3-8B config.json (num_key_value_heads 8, vocab 128256)"),
    LlamaConfig("3-70b", 8192, 80, 64, 8, 28672, 128256, False, "HF meta-llama/Meta-Llama-3-70B config.json"),
    LlamaConfig("vicuna-7b", 4096, 32, 32, 32, 11008, 32000, False,
                "HF lmsys/vicuna-7b-v1.5 config.json (Llama 2 7B shape), LLaVA-1.5's language model"),
)}


def config(size: str) -> LlamaConfig:
    """The configuration record of ``size``; KeyError listing the known sizes."""
    try:
        return CONFIGS[size]
    except KeyError:
        raise KeyError(f"unknown LLaMA size {size!r}; known: {', '.join(CONFIGS)}") from None


@dataclass(frozen=True)
class LanguageModel:
    """A decoder-only LLM as the course sees it: parameters, prefill, decode, KV cache.

    Attributes
    ----------
    config : LlamaConfig
    dtype : str
        Element type of weights, activations and KV cache.
    """

    config: LlamaConfig
    dtype: str = "fp16"

    # -- parameters --------------------------------------------------------------------------------
    @property
    def params(self) -> float:
        """Parameter count, formula ``llama_params`` (exact)."""
        c = self.config
        return float(llama_params(L=c.layers, d=c.d, H_q=c.heads, H_kv=c.kv_heads, f=c.ffn, V=c.vocab,
                                  E=1 if c.tied else 2))

    @property
    def weight_bytes(self) -> float:
        """Bytes of all parameters in :attr:`dtype`."""
        return self.params * elem_bytes(self.dtype)

    # -- phases ------------------------------------------------------------------------------------
    def network(self, new_tokens: int, past: int = 0, batch: int = 1, *, logits: str = "last",
                embed_tokens: int | None = None) -> Network:
        """Layer list of one forward pass: ``new_tokens`` per sequence after ``past`` cached ones.

        Parameters
        ----------
        new_tokens : tokens processed in this pass (prompt length for a prefill, 1 for a decode step)
        past : positions already in the KV cache
        batch : sequences
        logits : ``"last"`` (LM head on the last token, as generation needs) or ``"all"``
        embed_tokens : tokens looked up in the embedding (default ``new_tokens``; fewer when other
            embeddings — e.g. LLaVA's image tokens — fill the rest of the sequence)
        """
        v.positive_int("new_tokens", new_tokens)
        v.nonnegative_int("past", past)
        v.positive_int("batch", batch)
        v.choice("logits", logits, ("last", "all"))
        c, dt = self.config, self.dtype
        n_embed = new_tokens if embed_tokens is None else embed_tokens
        v.nonnegative_int("embed_tokens", n_embed)
        if n_embed > new_tokens:
            raise ValueError(f"embed_tokens={n_embed} exceeds new_tokens={new_tokens}")
        embed, layer, head = self.parts(new_tokens, past, batch, logits, n_embed)
        b = LayerList()
        if embed is not None:
            b.add("embed", embed)
        for i in range(c.layers):
            b.extend(f"layer{i}", layer)  # identical layers: the same (frozen) records
        b.extend("head", head)
        return b.build(f"llama-{c.name}[{new_tokens}|{past}]x{batch}", source=SOURCE + "; " + c.source,
                       size=c.name, new_tokens=new_tokens, past=past, batch=batch, logits=logits, dtype=dt)

    def parts(self, new_tokens: int, past: int, batch: int, logits: str,
               n_embed: int) -> tuple[Cost | None, list[Cost], list[Cost]]:
        """The records of one forward pass: embedding (or None), one decoder layer, the head.

        All L decoder layers are identical; :meth:`network` repeats the layer records, other
        models (LLaVA, Flamingo) interleave them with their own layers.
        """
        c, dt = self.config, self.dtype
        rows = batch * new_tokens
        hd = c.head_dim
        embed = _embedding(batch * n_embed, c.vocab, c.d, dt) if n_embed else None
        ly = LayerList()
        ly.add("", tb.norm("rmsnorm", rows, c.d, dt, "norm1"))
        ly.add("", tb.linear(rows, c.d, (c.heads + 2 * c.kv_heads) * hd, bias=False, dtype=dt, name="qkv"))
        ly.add("", tb.rope(rows, (c.heads + c.kv_heads) * hd, dt))
        ly.add("", tb.attention(new_tokens, past + new_tokens, hd, heads=c.heads, batch=batch,
                                kv_heads=c.kv_heads, causal=True, dtype=dt, name="attn"))
        ly.add("", tb.linear(rows, c.heads * hd, c.d, bias=False, dtype=dt, name="o_proj"))
        ly.add("", tb.add(rows, c.d, dt, "residual1"))
        tb.swiglu(ly, "", tokens=rows, d=c.d, hidden=c.ffn, dtype=dt)
        layer = [x.cost for x in ly.build("layer", source="").layers]
        out_rows = batch if logits == "last" else rows
        head = tb.linear(out_rows, c.d, c.vocab, bias=False, dtype=dt, name="lm_head")
        if c.tied:  # the weights are the embedding's: stored (and counted) once
            head = replace(head, params=0.0, weight_bytes=0.0)
        return embed, layer, [tb.norm("rmsnorm", out_rows, c.d, dt, "norm_final"), head]

    def forward(self, new_tokens: int, past: int, batch: int, logits: str, name: str,
                embed_tokens: int | None = None) -> Cost:
        """Cost of :meth:`network` (same arguments), computed fast as embed + L × layer + head."""
        n_embed = new_tokens if embed_tokens is None else embed_tokens
        embed, layer, head = self.parts(new_tokens, past, batch, logits, n_embed)
        one = sum(layer[1:], layer[0])
        parts = ([embed] if embed is not None else []) + [one * self.config.layers] + head
        return sum(parts[1:], parts[0]).renamed(name)

    def prefill_network(self, tokens: int, batch: int = 1, *, logits: str = "last") -> Network:
        """Layer list of a prefill of ``tokens`` prompt tokens per sequence (causal, empty cache)."""
        v.positive_int("tokens", tokens)
        return self.network(tokens, 0, batch, logits=logits)

    def decode_network(self, context: int, batch: int = 1) -> Network:
        """Layer list of one decode step whose token attends to ``context`` positions (itself included)."""
        v.positive_int("context", context)
        return self.network(1, context - 1, batch)

    def prefill(self, tokens: int, batch: int = 1, *, logits: str = "last") -> Cost:
        """Cost of the prefill (equal to ``prefill_network(...).total``)."""
        v.positive_int("tokens", tokens)
        v.positive_int("batch", batch)
        v.choice("logits", logits, ("last", "all"))
        return self.forward(tokens, 0, batch, logits, f"llama-{self.config.name} prefill {tokens}x{batch}")

    def decode(self, context: int, batch: int = 1) -> Cost:
        """Cost of one decode step at ``context`` (equal to ``decode_network(...).total``)."""
        v.positive_int("context", context)
        v.positive_int("batch", batch)
        return self.forward(1, context - 1, batch, "last", f"llama-{self.config.name} decode @{context}x{batch}")

    def generate(self, prompt: int, new_tokens: int, batch: int = 1) -> Cost:
        """Cost of generating ``new_tokens`` tokens after a prompt of ``prompt`` tokens.

        The prefill's last logits give the first new token; each decode step then feeds the
        previous token, so the steps are at contexts ``prompt + 1`` … ``prompt + new_tokens - 1``
        — ``new_tokens - 1`` decode steps in all.
        """
        v.positive_int("prompt", prompt)
        v.positive_int("new_tokens", new_tokens)
        total = self.prefill(prompt, batch)
        for ctx in range(prompt + 1, prompt + new_tokens):
            total = total + self.decode(ctx, batch)
        return total.renamed(f"llama-{self.config.name} generate {prompt}+{new_tokens}")

    # -- KV cache ----------------------------------------------------------------------------------
    def kv_cache_bytes(self, context: Num, batch: Num = 1, dtype: str | None = None) -> Num:
        """Bytes of the KV cache holding ``context`` positions of ``batch`` sequences.

        ``2·L·kv_heads·(d/heads)·context·batch·s`` (formula ``llama_kv_cache_bytes``); vectorised.
        Grouped-query attention divides it by ``heads/kv_heads``.
        """
        v.positive_int("context", context)
        v.positive_int("batch", batch)
        c = self.config
        s = dtype_bytes(dtype or self.dtype)
        out = np.asarray(llama_kv_cache_bytes(L=c.layers, d=c.d, H_q=c.heads, H_kv=c.kv_heads, c=context,
                                              b=batch, s=s), dtype=float)
        return float(out) if out.ndim == 0 else out


def _embedding(rows: int, vocab: int, d: int, dtype: str) -> Cost:
    """Token embedding lookup: reads ``rows`` rows of the V×d table, writes them; no arithmetic."""
    s = elem_bytes(dtype)
    return Cost(name="embed_tokens", reads={DRAM: rows * d * s}, writes={DRAM: rows * d * s},
                params=float(vocab * d), weight_bytes=vocab * d * s, out_bytes=rows * d * s,
                out_shape=(rows, d), dtype=canonical(dtype))


def llama(size: str = "7b", dtype: str = "fp16") -> LanguageModel:
    """A LLaMA-family model by name: ``"7b"``, ``"13b"``, ``"33b"``, ``"65b"``, ``"2-7b"``,
    ``"2-13b"``, ``"2-70b"``, ``"3-8b"``, ``"3-70b"``, ``"vicuna-7b"`` (KeyError otherwise).

    Examples
    --------
    >>> m = llama("7b")
    >>> int(m.params)
    6738415616
    >>> m.kv_cache_bytes(4096) / 2**30      # fp16, one sequence: 2 GiB
    2.0
    """
    canonical(dtype)
    return LanguageModel(config(size), dtype)
