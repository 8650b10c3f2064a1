"""Exercise 2.8: the cost of turning a 7B VLM into a VLA by adding 1000 action tokens, and what
RT-2 actually does (Chapter 2 §2.2.3).

The draft's parameter and storage counts (2 × 4.1 M, 2 × 8.2 MB, LoRA 8.4 M) are right, but its
"+0.014 GFLOPs per token (0.1 %)" is wrong: the extra work is the LM head's 1000 new logits,
2 × 4096 × 1000 = 8.19 MFLOPs per token (0.06 % of a LLaMA-7B decode step at context 1024). And
RT-2 adds no tokens at all: the 256 action bins reuse existing vocabulary entries, so the
vocabulary overhead is zero — see ``corrections/ch2_vlm.py`` (``ch2-vlm-ex28-*``,
``ch2-vlm-rt2-action-tokens``). The exercise is built on :mod:`npucourse.networks.rt2` and
:func:`npucourse.networks.llama`.
"""

from __future__ import annotations

from functools import partial

import random

from ...corrections.ch2_vlm import EX28_D, EX28_DTYPE, EX28_NEW
from ...networks.llama import config, llama
from ...networks.rt2 import ACTION_TOKENS, ADDED_ACTION_TOKENS, action_vocab_overhead, lora_params
from ...units import dtype_bytes
from ..spec import Check, single_value

#: Bytes per element the cases use, and the element type the package models them with.
DTYPE_OF = {1: "int8", 2: "fp16", 4: "fp32"}
assert all(dtype_bytes(t) == s for s, t in DTYPE_OF.items())
#: The setting the notebook states: LLaMA-7B shape, 1000 new tokens, fp16, LoRA r = 16 on Q and V,
#: decode context 1024, 8 tokens per RT-2 action.
LM = "7b"
CFG = config(LM)
assert (CFG.d, CFG.layers, CFG.vocab, CFG.tied) == (4096, 32, 32000, False)
assert (EX28_D, EX28_NEW, dtype_bytes(EX28_DTYPE)) == (CFG.d, 1000, 2.0)
LORA_RANK, LORA_MATRICES, CONTEXT = 16, 2, 1024
assert ACTION_TOKENS == 8


def _vocab_cases(rng: random.Random) -> list[dict]:
    """Both tied and untied every time (forgetting the LM head must fail a case)."""
    out = [{"d_model": 128 * rng.randint(1, 64), "n_new": rng.randint(1, 5000), "tied": t} for t in (False, True)]
    out += [{"d_model": 64 * rng.randint(1, 128), "n_new": rng.randint(0, 20000), "tied": rng.random() < 0.5}
            for _ in range(4)]
    rng.shuffle(out)
    return out


def _bytes_cases(rng: random.Random) -> list[dict]:
    return [dict(c, s=rng.choice(list(DTYPE_OF))) for c in _vocab_cases(rng)]


def _flops_cases(rng: random.Random) -> list[dict]:
    return [{"d_model": 64 * rng.randint(1, 128), "n_new": rng.randint(1, 20000)} for _ in range(6)]


def _lora_cases(rng: random.Random) -> list[dict]:
    """Mostly d_in != d_out (grouped-query K/V projections, FFN matrices)."""
    out = []
    for i in range(6):
        d_in = 128 * rng.randint(1, 64)
        d_out = d_in if i == 0 else 128 * rng.randint(1, 112)
        out.append({"d_in": d_in, "d_out": d_out, "rank": rng.choice((1, 2, 4, 8, 16, 32, 64)),
                    "matrices_per_layer": rng.randint(1, 7), "layers": rng.randint(1, 96)})
    rng.shuffle(out)
    return out


def _overhead(n_new: int = EX28_NEW):
    return action_vocab_overhead(EX28_D, n_new, tied=CFG.tied, dtype=EX28_DTYPE)


def _lora() -> float:
    return lora_params(CFG.d, CFG.d, LORA_RANK, LORA_MATRICES, CFG.layers)


_value = partial(single_value, rtol=1e-3)  # this exercise's tolerance for final values


CHECKS = {
    "vocab_params": Check(
        cases=_vocab_cases,
        reference=lambda d_model, n_new, tied: action_vocab_overhead(d_model, n_new, tied).params,
        describe="vocab_params(d_model, n_new, tied)：词表新增 n_new 个 token 带来的参数",
        rtol=1e-12,
    ),
    "vocab_bytes": Check(
        cases=_bytes_cases,
        reference=lambda d_model, n_new, tied, s: action_vocab_overhead(d_model, n_new, tied, DTYPE_OF[s]).bytes,
        describe="vocab_bytes(d_model, n_new, tied, s)：这些参数占用的字节数（s 为每个参数的字节数）",
        rtol=1e-12,
    ),
    "extra_flops": Check(
        cases=_flops_cases,
        reference=lambda d_model, n_new: action_vocab_overhead(d_model, n_new).flops_per_token,
        describe="extra_flops_per_token(d_model, n_new)：每生成一个 token 多出的 FLOPs",
        rtol=1e-12,
    ),
    "lora": Check(
        cases=_lora_cases,
        reference=lora_params,
        describe="lora_params(d_in, d_out, rank, matrices_per_layer, layers)：LoRA 适配器的参数个数",
        rtol=1e-12,
    ),
    "answer_params": _value(lambda: _overhead().params, "ADDED_PARAMS_2_8：新增 1000 个 token 的参数"),
    "answer_bytes": _value(lambda: _overhead().bytes, "ADDED_BYTES_2_8：这些参数的 fp16 字节数"),
    "answer_flops": _value(lambda: _overhead().flops_per_token, "EXTRA_FLOPS_2_8：每个 token 多出的 FLOPs"),
    "answer_head_increase": _value(
        lambda: _overhead().flops_per_token / action_vocab_overhead(CFG.d, CFG.vocab).flops_per_token,
        "LM_HEAD_INCREASE_2_8：LM head 的计算量增加的比例"),
    "answer_decode_increase": _value(
        lambda: _overhead().flops_per_token / float(llama(LM).decode(CONTEXT).flops),
        "DECODE_INCREASE_2_8：一步解码的 FLOPs 增加的比例"),
    "answer_lora": _value(_lora, "LORA_PARAMS_2_8：LoRA 参数个数"),
    "answer_lora_bytes": _value(lambda: _lora() * dtype_bytes(EX28_DTYPE), "LORA_BYTES_2_8：LoRA 参数的 fp16 字节数"),
    "answer_param_share": _value(lambda: (_overhead().params + _lora()) / llama(LM).params,
                                 "PARAM_SHARE_2_8：新增参数（词表 + LoRA）占 LLaMA-7B 参数的比例"),
    "answer_rt2_params": _value(lambda: _overhead(ADDED_ACTION_TOKENS).params,
                                "RT2_ADDED_PARAMS_2_8：按 RT-2 的做法，词表部分新增的参数"),
    "answer_action_flops": _value(lambda: ACTION_TOKENS * _overhead().flops_per_token,
                                  "ACTION_EXTRA_FLOPS_2_8：新增 token 方案下，每输出一个动作多出的 FLOPs"),
}
