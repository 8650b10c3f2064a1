"""Generated from npucourse/formulas/defs/transformer.py by
``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition
and regenerate."""

import numpy


def vit_tokens(*, H, W, P):
    """ViT sequence length: one token per P×P patch plus the class token [1]: floor(H/P)*floor(W/P) + 1"""
    return numpy.floor(H/P)*numpy.floor(W/P) + 1


def vit_layer_macs(*, N, D, D_mlp):
    """one ViT encoder layer: QKV and output projections 4ND², MLP 2N·D·D_mlp, attention products Q·Kᵀ and P·V 2N²D [MAC]: 4*D**2*N + 2*D*D_mlp*N + 2*D*N**2"""
    return 4*D**2*N + 2*D*D_mlp*N + 2*D*N**2


def vit_layer_macs_r4(*, N, D):
    """one ViT encoder layer with MLP ratio 4 (derived by sympy from vit_layer_macs) [MAC]: 12*D**2*N + 2*D*N**2"""
    return 12*D**2*N + 2*D*N**2


def vit_macs(*, P, N, D, D_mlp, L, C):
    """whole ViT: L layers + patch embedding (N-1 patches × 3P² × D) + head on the class token [MAC]: C*D + 3*D*P**2*(N - 1) + L*(4*D**2*N + 2*D*D_mlp*N + 2*D*N**2)"""
    return C*D + 3*D*P**2*(N - 1) + L*(4*D**2*N + 2*D*D_mlp*N + 2*D*N**2)


def llama_params(*, L, d, H_q, H_kv, f, V, E):
    """LLaMA parameter count: embeddings E·V·d + L·(attention + SwiGLU FFN + 2 RMSNorm) + final norm [1]: E*V*d + L*(2*H_kv*d**2/H_q + 2*d**2 + 3*d*f + 2*d) + d"""
    return E*V*d + L*(2*H_kv*d**2/H_q + 2*d**2 + 3*d*f + 2*d) + d


def llama_decode_macs(*, L, d, H_q, H_kv, f, V, c):
    """MACs to generate one token at context c: every weight matrix once (LM head included, embedding lookup free) plus Q·Kᵀ and P·V over c positions (2·L·c·d) [MAC]: 2*L*c*d + L*(2*H_kv*d**2/H_q + 2*d**2 + 3*d*f) + V*d"""
    return 2*L*c*d + L*(2*H_kv*d**2/H_q + 2*d**2 + 3*d*f) + V*d


def llama_prefill_macs(*, L, d, H_q, H_kv, f, V, T):
    """MACs of a causal prefill of T tokens: weights applied to every token, Q·Kᵀ and P·V over the lower triangle T(T+1)/2 per layer, logits for the last token only [MAC]: L*T*d*(T + 1) + L*T*(2*H_kv*d**2/H_q + 2*d**2 + 3*d*f) + V*d"""
    return L*T*d*(T + 1) + L*T*(2*H_kv*d**2/H_q + 2*d**2 + 3*d*f) + V*d


def llama_decode_vs_params(*, L, d, c):
    """decode MACs minus the parameters that multiply (all but the input embedding): the attention term 2Lcd minus the norm weights (2L+1)d, which scale but do not multiply-accumulate [MAC]: d*(2*L*c - 2*L - 1)"""
    return d*(2*L*c - 2*L - 1)


def llama_kv_cache_bytes(*, L, d, H_q, H_kv, c, b, s):
    """KV cache: keys and values of H_kv heads of width d/H_q, per layer, position and sequence [B]: 2*H_kv*L*b*c*d*s/H_q"""
    return 2*H_kv*L*b*c*d*s/H_q


def vocab_extension_params(*, d, E, n_new):
    """parameters added by n_new vocabulary rows: embedding rows, and LM-head rows if untied (E = 2) [1]: E*d*n_new"""
    return E*d*n_new


def vocab_extension_flops(*, d, n_new):
    """extra FLOPs per generated token: n_new more logits, each a d-long dot product (2 per MAC); the embedding lookup adds none [FLOP]: 2*d*n_new"""
    return 2*d*n_new


def lora_params(*, L, r, m, d_in, d_out):
    """LoRA adapter parameters: per adapted matrix A[d_in, r] and B[r, d_out] [1]: L*m*r*(d_in + d_out)"""
    return L*m*r*(d_in + d_out)
