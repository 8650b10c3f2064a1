"""Transformer, ViT and LLM cost in closed form (Chapter 2 §2.2).

Counting convention: MACs of the matrix products only (linear layers, patch-embedding
convolution, the two attention products Q·Kᵀ and P·V); normalisations, activations, softmax
and residual adds are non-MAC operations and are not part of these closed forms. This is the
convention of torchvision's published "GFLOPS" (really GMACs) and, times two, of OpenCLIP's
``docs/model_profile.csv``. The network models (``npucourse.networks``) sum their layers; the
tests check that the sum equals these expressions.
"""

import sympy as sp

from ..registry import Topic

t = Topic("transformer", section="2.2.1")

# -- ViT -----------------------------------------------------------------------------------------
Himg = t.symbol("H", "image height", "px", integer=True)
Wimg = t.symbol("W", "image width", "px", integer=True)
P = t.symbol("P", "patch size", "px", integer=True)
N = t.symbol("N", "tokens per image (patches + class token)", "1", integer=True)
D = t.symbol("D", "model width", "1", integer=True)
Dm = t.symbol("D_mlp", "MLP hidden width", "1", integer=True)
L = t.symbol("L", "number of transformer layers", "1", integer=True)
C = t.symbol("C", "classes of the classification head", "1", integer=True)

SRC_VIT = "Dosovitskiy et al., arXiv 2010.11929, eqs. 1-4; torchvision models/vision_transformer.py"

t.formula("vit_tokens", sp.floor(Himg / P) * sp.floor(Wimg / P) + 1, unit="1",
          description="ViT sequence length: one token per P×P patch plus the class token",
          source=SRC_VIT, lhs="N")

layer = t.formula(
    "vit_layer_macs",
    4 * N * D**2 + 2 * N * D * Dm + 2 * N**2 * D,
    unit="MAC",
    description="one ViT encoder layer: QKV and output projections 4ND², MLP 2N·D·D_mlp, "
                "attention products Q·Kᵀ and P·V 2N²D",
    source=SRC_VIT,
    lhs=r"\mathrm{MACs}_{\mathrm{layer}}",
)

# Derived, not typed: the usual MLP ratio 4 (D_mlp = 4D) gives 12ND² + 2N²D.
t.formula(
    "vit_layer_macs_r4",
    sp.expand(layer.expr.subs(Dm, 4 * D)),
    unit="MAC",
    description="one ViT encoder layer with MLP ratio 4 (derived by sympy from vit_layer_macs)",
    source="derived: vit_layer_macs with D_mlp = 4D",
    lhs=r"\mathrm{MACs}_{\mathrm{layer}}^{(D_{mlp}=4D)}",
)

t.formula(
    "vit_macs",
    L * layer.expr + (N - 1) * D * 3 * P**2 + D * C,
    unit="MAC",
    description="whole ViT: L layers + patch embedding (N-1 patches × 3P² × D) + head on the class token",
    source=SRC_VIT,
    lhs=r"\mathrm{MACs}_{\mathrm{ViT}}",
)

# -- LLaMA-style decoder ---------------------------------------------------------------------------
d = t.symbol("d", "model width", "1", integer=True)
Hq = t.symbol("H_q", "attention (query) heads", "1", integer=True)
Hkv = t.symbol("H_kv", "key/value heads (H_kv = H_q: multi-head; fewer: grouped-query)", "1", integer=True)
f = t.symbol("f", "feed-forward (SwiGLU) hidden width", "1", integer=True)
V = t.symbol("V", "vocabulary size", "1", integer=True)
E = t.symbol("E", "embedding matrices stored: 1 tied, 2 untied (input embedding and LM head)", "1",
             integer=True)
c = t.symbol("c", "context: positions the new token attends to (itself included)", "1", integer=True)
T = t.symbol("T", "prompt tokens processed in one prefill", "1", integer=True)
b = t.symbol("b", "batch (sequences)", "1", integer=True)
s = t.symbol("s", "bytes per element", "B")

SRC_LLAMA = ("Touvron et al., arXiv 2302.13971 (LLaMA) Table 2 and HF LlamaForCausalLM "
             "(modeling_llama.py): q,k,v,o and gate,up,down projections without bias, RMSNorm weights only")

attn_w = d * d + 2 * d * (Hkv * d / Hq) + d * d      # Wq, Wk, Wv (grouped), Wo
ffn_w = 3 * d * f                                     # gate, up, down
params = t.formula(
    "llama_params",
    E * V * d + L * (attn_w + ffn_w + 2 * d) + d,
    unit="1",
    description="LLaMA parameter count: embeddings E·V·d + L·(attention + SwiGLU FFN + 2 RMSNorm) + final norm",
    source=SRC_LLAMA,
    lhs=r"N_{\mathrm{params}}",
)
decode = t.formula(
    "llama_decode_macs",
    L * (attn_w + ffn_w) + V * d + 2 * L * c * d,
    unit="MAC",
    description="MACs to generate one token at context c: every weight matrix once (LM head included, "
                "embedding lookup free) plus Q·Kᵀ and P·V over c positions (2·L·c·d)",
    source=SRC_LLAMA + "; Kaplan et al., arXiv 2001.08361, Table 1",
    lhs=r"\mathrm{MACs}_{\mathrm{decode}}",
)
t.formula(
    "llama_prefill_macs",
    T * L * (attn_w + ffn_w) + L * d * T * (T + 1) + V * d,
    unit="MAC",
    description="MACs of a causal prefill of T tokens: weights applied to every token, Q·Kᵀ and P·V over "
                "the lower triangle T(T+1)/2 per layer, logits for the last token only",
    source=SRC_LLAMA,
    lhs=r"\mathrm{MACs}_{\mathrm{prefill}}",
)
# Derived: how far "decode FLOPs ≈ 2 × non-embedding parameters" is from the exact count.
t.formula(
    "llama_decode_vs_params",
    sp.simplify(decode.expr - (params.expr - (E - 1) * V * d)),
    unit="MAC",
    description="decode MACs minus the parameters that multiply (all but the input embedding): the "
                "attention term 2Lcd minus the norm weights (2L+1)d, which scale but do not multiply-accumulate",
    source="derived: llama_decode_macs - (llama_params - (E-1)·V·d)",
    lhs=r"\Delta",
)
t.formula(
    "llama_kv_cache_bytes",
    2 * L * Hkv * (d / Hq) * c * b * s,
    unit="B",
    description="KV cache: keys and values of H_kv heads of width d/H_q, per layer, position and sequence",
    source="Pope et al., arXiv 2211.05102 §2; grouped-query attention: Ainslie et al., arXiv 2305.13245",
    lhs=r"\mathrm{KV}",
)

# -- VLA adaptation (exercise 2.8) ---------------------------------------------------------------------
n_new = t.symbol("n_new", "tokens added to the vocabulary", "1", integer=True)
r = t.symbol("r", "LoRA rank", "1", integer=True)
m = t.symbol("m", "adapted weight matrices per layer", "1", integer=True)
d_in = t.symbol("d_in", "input width of an adapted matrix", "1", integer=True)
d_out = t.symbol("d_out", "output width of an adapted matrix", "1", integer=True)

t.formula("vocab_extension_params", E * n_new * d, unit="1", section="2.2.3",
          description="parameters added by n_new vocabulary rows: embedding rows, and LM-head rows if untied (E = 2)",
          source="definition: embedding W_E[V, d] and LM head W_U[d, V] gain n_new rows/columns",
          lhs=r"\Delta N_{\mathrm{params}}")
t.formula("vocab_extension_flops", 2 * d * n_new, unit="FLOP", section="2.2.3",
          description="extra FLOPs per generated token: n_new more logits, each a d-long dot product (2 per MAC); "
                      "the embedding lookup adds none",
          source="definition: logits = h · W_U", lhs=r"\Delta\mathrm{FLOPs}_{\mathrm{token}}")
t.formula("lora_params", L * m * r * (d_in + d_out), unit="1", section="2.2.3",
          description="LoRA adapter parameters: per adapted matrix A[d_in, r] and B[r, d_out]",
          source="Hu et al., LoRA, arXiv 2106.09685, §4.1", lhs=r"N_{\mathrm{LoRA}}")
