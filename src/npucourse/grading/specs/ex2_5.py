"""Exercise 2.5: FlashAttention block sizes and HBM traffic for SRAM = 96 KiB, d = 64, fp16,
N = 512 … 4096 (Chapter 2 §2.3.3).

The draft's reference answer is wrong in every number: B_r = 256 from ``B_r·d·3·s ≤ SRAM`` (the
paper's Algorithm 1 gives B_c = ⌈M/4d⌉ = 192, B_r = min(B_c, d) = 64), standard IO taken as
N²·d·2·3 (that is MAC-sized, not traffic), Flash IO as standard/√(M/…), and a 94% reduction at
every N (the exact counts give 66–73%, rising towards 1 − (3d+4)/(4B_c) ≈ 74.5%). See
``corrections/ch2_ops_b.py`` (``ch2-opsb-ex25-*``). The exercise is built on
:func:`npucourse.ops.attention`, :func:`npucourse.ops.flash_attention` and
:func:`npucourse.ops.flash_block_sizes`.
"""

from __future__ import annotations

import random

from ...corrections.ch2_ops_b import EX25_D, EX25_DTYPE, EX25_SRAM_BYTES
from ...formulas._gen.attention import flash_breakeven_sram, flash_traffic_ratio_limit
from ...ops.attention import attention, flash_attention, flash_block_sizes, kv_blocks
from ...units import dtype_bytes
from ..spec import Check, single_value

#: Bytes per element the cases use, and the element type the package models them with.
DTYPE_OF = {1: "fp8_e4m3", 2: "fp16", 4: "fp32"}
assert all(dtype_bytes(t) == s for s, t in DTYPE_OF.items())
#: The exercise's setting, stated once (in corrections/ch2_ops_b.py) and checked here.
EX25_S = int(dtype_bytes(EX25_DTYPE))
assert (EX25_SRAM_BYTES, EX25_D, EX25_S) == (96 * 1024, 64, 2)  # what the notebook states
EX25_N = (512, 1024, 2048, 4096)
_D = (16, 32, 64, 80, 96, 128, 256)


def _sram_cases(rng: random.Random, n: int = 6) -> list[dict]:
    """SRAM sizes that hold at least one row each of Q_i, K_j, V_j, O_i (M >= 4d). Even cases have
    ⌈M/4d⌉ <= d (B_r = B_c), odd ones ⌈M/4d⌉ > d (B_r = d); the first two use s >= 2 (so bytes
    taken for elements always shows); sizes are not multiples of s or of 4d."""
    out = []
    for i in range(n):
        d = rng.choice(_D)
        s = rng.choice((2, 4)) if i < 2 else rng.choice(list(DTYPE_OF))
        m = rng.randint(4 * d, 4 * d * d) if i % 2 == 0 else rng.randint(4 * d * d + 1, 40 * d * d)
        out.append({"sram_bytes": m * s + rng.randint(0, s - 1), "d": d, "s": s})
    rng.shuffle(out)
    return out


def _blocks(sram_bytes: int, d: int, s: int):
    return flash_block_sizes(sram_bytes, d, DTYPE_OF[s])


def _with_n(rng: random.Random, n_max: int = 32768) -> list[dict]:
    return [{"N": rng.randint(1, n_max), **c} for c in _sram_cases(rng)]


def _std_cases(rng: random.Random) -> list[dict]:
    return [{"N": rng.randint(1, 65536), "d": rng.choice(_D), "s": rng.choice(list(DTYPE_OF))} for _ in range(6)]


def _std(N: int, d: int, s: int) -> float:
    return float(attention(N, N, d, dtype=DTYPE_OF[s]).bytes)


def _flash(N: int, d: int, sram_bytes: int, s: int) -> float:
    return float(flash_attention(N, N, d, dtype=DTYPE_OF[s], sram_bytes=sram_bytes).bytes)


def _ex25(fn) -> dict[str, float]:
    return {str(n): fn(n) for n in EX25_N}


CHECKS = {
    "block_rows": Check(
        cases=_sram_cases,
        reference=lambda sram_bytes, d, s: float(_blocks(sram_bytes, d, s).B_r),
        describe="block_sizes(sram_bytes, d, s)[0]：Q 的块行数 B_r",
    ),
    "block_cols": Check(
        cases=_sram_cases,
        reference=lambda sram_bytes, d, s: float(_blocks(sram_bytes, d, s).B_c),
        describe="block_sizes(sram_bytes, d, s)[1]：K、V 的块行数 B_c",
    ),
    "kv_blocks": Check(
        cases=_with_n,
        reference=lambda N, d, sram_bytes, s: float(kv_blocks(N, d, sram_bytes, DTYPE_OF[s])),
        describe="kv_blocks(N, d, sram_bytes, s) 返回 K/V 块数 T_c",
    ),
    "standard_bytes": Check(
        cases=_std_cases,
        reference=_std,
        describe="standard_bytes(N, d, s) 返回标准 attention（算法 0）的 HBM 字节",
        rtol=1e-12,
    ),
    "flash_bytes": Check(
        cases=_with_n,
        reference=_flash,
        describe="flash_bytes(N, d, sram_bytes, s) 返回 FlashAttention（算法 1）的 HBM 字节",
        rtol=1e-12,
    ),
    "ratio_limit": Check(
        cases=lambda rng: [{"d": d, "B_c": rng.randint(1, 2048)} for d in rng.sample(_D, 5)],
        reference=lambda d, B_c: float(flash_traffic_ratio_limit(d=d, B_c=B_c)),
        describe="ratio_limit(d, B_c) 返回 N → ∞ 时 Flash 与标准 attention 的 HBM 字节之比",
        rtol=1e-9,
    ),
    "breakeven_sram": Check(
        cases=lambda rng: [{"d": d, "s": rng.choice(list(DTYPE_OF))} for d in rng.sample(range(1, 513), 5)],
        reference=lambda d, s: float(flash_breakeven_sram(d=d)) * s,
        describe="breakeven_sram_bytes(d, s) 返回长序列下 Flash 开始比标准 attention 省流量的 SRAM 字节数",
        rtol=1e-9,
    ),
    "answer_blocks": single_value(lambda: [float(x) for x in _blocks(EX25_SRAM_BYTES, EX25_D, EX25_S)],
                            "BLOCKS_2_5：本题的 (B_r, B_c)"),
    "answer_standard": single_value(lambda: _ex25(lambda n: _std(n, EX25_D, EX25_S)),
                              "STANDARD_2_5：四个序列长度下标准 attention 的 HBM 字节（字典，键为 N）"),
    "answer_flash": single_value(lambda: _ex25(lambda n: _flash(n, EX25_D, EX25_SRAM_BYTES, EX25_S)),
                           "FLASH_2_5：四个序列长度下 FlashAttention 的 HBM 字节（字典，键为 N）"),
    "answer_reduction": single_value(
        lambda: _ex25(lambda n: 1.0 - _flash(n, EX25_D, EX25_SRAM_BYTES, EX25_S) / _std(n, EX25_D, EX25_S)),
        "REDUCTION_2_5：四个序列长度下的 IO 降低率（字典，键为 N，值为 0 到 1 之间的小数）", rtol=1e-4),
}
