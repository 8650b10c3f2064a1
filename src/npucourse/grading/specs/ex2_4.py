"""Exercise 2.4: fuse a Transformer block into three kernels, DRAM traffic before and after
(Chapter 2 §2.3.5).

The draft's reference answer (14 → 5 feature-map transfers, 11 MB → 3.9 MB, −64%) is wrong: the
model (:func:`npucourse.ops.transformer_block_fusion`) counts 38 → 9 L×d tensors, plus the score
matrices S and P (written and read back before fusion, on chip after) and the weights (read once
either way) — see ``corrections/ch2_ops_a.py`` (``ch2-opsa-ex24-*``). The exercise is built on the
model; the draft's plan of three kernels is kept.
"""

from __future__ import annotations

from functools import partial

import random

from ...corrections.ch2_ops_a import EX24, NPU
from ...formulas._gen.fusion import fusion_link_saved_bytes, pointwise_chain_saved_fraction
from ...ops.elementwise import elementwise
from ...ops.fusion import fuse_vertical, transformer_block_fusion
from ...units import dtype_bytes
from ..spec import Check, single_value

#: Bytes per element the cases use, and the element type the package models them with.
DTYPE_OF = {1: "int8", 2: "fp16", 4: "fp32"}
assert all(dtype_bytes(t) == s for s, t in DTYPE_OF.items())
assert dtype_bytes(EX24["dtype"]) == 2.0  # the notebook states fp16 = 2 bytes


def _chain(E: int, n: int, s: int):
    return fuse_vertical([elementwise((E,), 1, 1.0, DTYPE_OF[s], name=f"op{i}") for i in range(n)])


def _chain_cases(rng: random.Random) -> list[dict]:
    return [{"E": rng.randint(1, 10**7), "n": rng.randint(2, 12), "s": rng.choice(list(DTYPE_OF))}
            for _ in range(6)]


def _link_cases(rng: random.Random) -> list[dict]:
    # both kinds of link every time, so that ignoring `needed_later` always fails a case
    out = [{"B": float(rng.randint(1, 10**8)), "needed_later": k} for k in (True, False)]
    out += [{"B": float(rng.randint(1, 10**8)), "needed_later": rng.random() < 0.5} for _ in range(4)]
    rng.shuffle(out)
    return out


def _block_cases(rng: random.Random, n: int = 6) -> list[dict]:
    out = []
    for _ in range(n):
        h = rng.choice((1, 2, 4, 8, 12, 16, 32))
        out.append({"L": rng.randint(1, 8192), "d": h * rng.choice((16, 32, 64, 128)), "heads": h,
                    "ffn_mult": rng.randint(1, 8), "s": rng.choice(list(DTYPE_OF))})
    return out


def _block(L: int, d: int, heads: int, ffn_mult: int, s: int):
    return transformer_block_fusion(seq=L, hidden=d, heads=heads, ffn_mult=ffn_mult, dtype=DTYPE_OF[s])


def _pick(cases, keys):
    return lambda rng: [{k: c[k] for k in keys} for c in cases(rng)]


def _latency_saved() -> float:
    """1 − (Σ roofline time of the fused kernels)/(Σ over the separate operators) on the NPU."""
    from ...hardware import get
    from ...roofline import analyze

    r, hw = transformer_block_fusion(**EX24), get(NPU)
    t_un = sum(float(analyze(c, hw, levels="dram").time_s) for c in r.ops)
    t_fu = sum(float(analyze(k.fused, hw, levels="dram").time_s) for k in r.kernels)
    return 1.0 - t_fu / t_un


_value = partial(single_value, rtol=1e-3)  # this exercise's tolerance for final values


CHECKS = {
    "link_saved": Check(
        cases=_link_cases,
        reference=lambda B, needed_later: float(fusion_link_saved_bytes(B=B, kappa=int(needed_later))),
        describe="link_saved_bytes(B, needed_later) 返回融合一条生产者→消费者链接省下的 DRAM 字节",
        rtol=1e-12,
    ),
    "chain_unfused": Check(
        cases=_chain_cases,
        reference=lambda E, n, s: float(_chain(E, n, s).unfused.bytes),
        describe="chain_unfused_bytes(E, n, s) 返回 n 个逐点算子各自成 kernel 时的 DRAM 字节",
        rtol=1e-12,
    ),
    "chain_fused": Check(
        cases=_chain_cases,
        reference=lambda E, n, s: float(_chain(E, n, s).fused.bytes),
        describe="chain_fused_bytes(E, n, s) 返回整条逐点链融合成一个 kernel 后的 DRAM 字节",
        rtol=1e-12,
    ),
    "chain_fraction": Check(
        cases=lambda rng: [{"n": n} for n in rng.sample(range(2, 40), 6)],
        reference=lambda n: float(pointwise_chain_saved_fraction(n=n)),
        describe="chain_saved_fraction(n) 返回融合 n 个逐点算子节省的 DRAM 流量比例",
        rtol=1e-9,
    ),
    "weight_bytes": Check(
        cases=_pick(_block_cases, ("d", "ffn_mult", "s")),
        reference=lambda d, ffn_mult, s: _block(1, d, 1, ffn_mult, s).weight_bytes,
        describe="block_weight_bytes(d, ffn_mult, s) 返回一个 block 的参数字节（四个线性层 + 两个 LayerNorm 的 γ、β）",
        rtol=1e-12,
    ),
    "score_bytes": Check(
        cases=_pick(_block_cases, ("L", "heads", "s")),
        reference=lambda L, heads, s: _block(L, 16 * heads, heads, 4, s).score_bytes,
        describe="block_score_bytes(L, heads, s) 返回未融合时分数矩阵 S、P 的 DRAM 流量",
        rtol=1e-12,
    ),
    "unfused_transfers": Check(
        cases=lambda rng: [{"ffn_mult": m} for m in rng.sample(range(1, 17), 5)],
        reference=lambda ffn_mult: _block(8, 16, 1, ffn_mult, 2).unfused_transfers,
        describe="unfused_transfers(ffn_mult) 返回未融合时 L×d 大小的激活张量读写次数（不含 S、P 和权重）",
        rtol=1e-9,
    ),
    "fused_transfers": Check(
        cases=lambda rng: [{"ffn_mult": m} for m in rng.sample(range(1, 17), 5)],
        reference=lambda ffn_mult: _block(8, 16, 1, ffn_mult, 2).fused_transfers,
        describe="fused_transfers(ffn_mult) 返回按三个 kernel 融合后 L×d 大小的激活张量读写次数",
        rtol=1e-9,
    ),
    "block_unfused": Check(
        cases=_block_cases,
        reference=lambda **c: float(_block(**c).unfused.bytes),
        describe="block_unfused_bytes(L, d, heads, ffn_mult, s) 返回 12 个算子各自成 kernel 时的 DRAM 总字节",
        rtol=1e-9,
    ),
    "block_fused": Check(
        cases=_block_cases,
        reference=lambda **c: float(_block(**c).fused.bytes),
        describe="block_fused_bytes(L, d, heads, ffn_mult, s) 返回三个融合 kernel 的 DRAM 总字节",
        rtol=1e-9,
    ),
    "answer_unfused": _value(lambda: float(transformer_block_fusion(**EX24).unfused.bytes),
                             "UNFUSED_BYTES_2_4：本题 block 融合前的 DRAM 字节"),
    "answer_fused": _value(lambda: float(transformer_block_fusion(**EX24).fused.bytes),
                           "FUSED_BYTES_2_4：本题 block 融合后的 DRAM 字节"),
    "answer_saved": _value(lambda: float(transformer_block_fusion(**EX24).saved_fraction),
                           "SAVED_2_4：融合节省的 DRAM 流量比例（0 到 1 之间的小数）"),
    "answer_latency": _value(_latency_saved, "LATENCY_SAVED_2_4：npu-200 上 roofline 时间降低的比例（0 到 1 之间的小数）",
                             rtol=1e-2),
}
