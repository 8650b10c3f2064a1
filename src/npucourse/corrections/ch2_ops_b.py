"""Corrections to Chapter 2 §2.3.3 (attention, FlashAttention), §2.3.4 (2:4 sparsity) and
exercises 2.5 and 2.6. Every model value is computed by the package."""

from __future__ import annotations

from . import Correction

#: Exercise 2.5 of the draft: SRAM = 96 KB (the draft computes 96 × 1024 B), d = 64, fp16, one head.
EX25_SRAM_BYTES = 96 * 1024
EX25_D = 64
EX25_DTYPE = "fp16"
#: The draft's answers to exercise 2.5: standard IO, Flash IO (as printed), reduction.
EX25_DRAFT = {512: ("100MB", "6.3MB"), 1024: ("402MB", "25MB"), 2048: ("1.6GB", "101MB"),
              4096: ("6.4GB", "404MB")}

FLASH = "Dao et al., FlashAttention, arXiv 2205.14135"


def _attention() -> list[Correction]:
    from .. import formulas
    from ..ops.attention import attention, flash_attention, flash_block_sizes, sram_elements

    out: list[Correction] = []
    lead = formulas.get("flash_hbm_asymptotic")
    std_sq = formulas.get("attn_standard_hbm_square")
    out.append(Correction(
        id="ch2-opsb-flash-io-complexity", chapter=2, section="2.3.3",
        claim="FlashAttention 的 HBM 访问量为 O(N²d/√M)，M 为 SRAM 大小",
        draft_value="O(N^2 d / M^{1/2})",
        model_value=f"{lead.expr} (elements, one head; Θ(N²d²/M))", unit="",
        convention="HBM accesses in elements, N_q = N_kv = N", verdict="wrong",
        reason=("论文定理 2 给出的是 Θ(N²d²/M)：外层循环有 T_c = N/B_c ≈ 4dN/M 个 K/V 块，每一块都要把 "
                "Q、O 整体读写一遍（约 3Nd 个元素），乘起来正比于 d²/M 而不是 d/√M；按算法 1 精确计数，"
                "首项常数为 12。"),
        source="npucourse.formulas flash_hbm_asymptotic (derived from flash_reads + flash_writes); " + FLASH))
    out.append(Correction(
        id="ch2-opsb-standard-io-complexity", chapter=2, section="2.3.3",
        claim="标准 attention 的访存为 O(N²d)，FlashAttention 相比它显著降低",
        draft_value="O(N^2 d)",
        model_value=f"{std_sq.expr} (elements, one head; Θ(Nd + N²))", unit="",
        convention="HBM accesses in elements, N_q = N_kv = N", verdict="wrong",
        reason=("N²d 是 QKᵀ 与 PV 的乘加次数，不是访存量。按论文算法 0，标准实现读 Q、K、V，写 O（共 4Nd），"
                "S 写一次读一次、P 写一次读一次（共 4N²），所以是 Θ(Nd + N²)；FlashAttention 的 "
                "Θ(N²d²/M) 只有在 M 明显大于 3d² 时才更小。"),
        source="npucourse.ops.attention.attention; " + FLASH + ", Algorithm 0 and Theorem 2"))
    n = 2048
    score = formulas.get("attn_score_bytes")(N_q=n, N_kv=n, s=2.0)
    out.append(Correction(
        id="ch2-opsb-score-matrix-bytes", chapter=2, section="2.3.3",
        claim="N = 2048、fp16 时注意力矩阵占 2048² × 2 = 8 MB",
        draft_value="8MB", model_value=float(score), unit="B", convention="one head, one sample",
        verdict="misleading",
        reason=(f"2048² × 2 B = {score:,.0f} B，是 8 MiB（二进制前缀），即 {score / 1e6:.2f} MB（十进制）；"
                "而且这只是单个头、单个样本的 S，多头多 batch 要乘以 heads × batch，标准实现还要再存一份同样大小的 P。"),
        source="npucourse.formulas attn_score_bytes"))
    out.append(Correction(
        id="ch2-opsb-online-softmax", chapter=2, section="2.3.3",
        claim="online softmax：m 取新旧最大值，ℓ 按 e^{m_old − m_new} 与 e^{m̃ − m_new} 重新缩放后相加",
        draft_value="m^{(j+1)} = max(m^{(j)}, m~^{(j)}); l^{(j+1)} = e^{m^{(j)}-m^{(j+1)}} l^{(j)} + e^{m~^{(j)}-m^{(j+1)}} l~^{(j)}",
        model_value=str(formulas.get("online_softmax_sum").expr), unit="", convention="",
        verdict="correct",
        reason="与论文算法 1 第 11 行一致；npucourse.ops.attention.online_softmax 按此递推逐块计算，结果等于 softmax。",
        source="npucourse.formulas online_softmax_max, online_softmax_sum; " + FLASH + ", Algorithm 1"))

    m = sram_elements(EX25_SRAM_BYTES, EX25_DTYPE)
    br, bc = flash_block_sizes(EX25_SRAM_BYTES, EX25_D, EX25_DTYPE)
    ratio_limit = float(formulas.get("flash_traffic_ratio_limit")(d=EX25_D, B_c=bc))
    out.append(Correction(
        id="ch2-opsb-ex25-block-size", chapter=2, section="练习 2.5",
        claim="96 KB SRAM、d = 64、fp16 时，由 B_r × d × 3 × 2 ≤ SRAM 得最大 B_r = 256",
        draft_value="B_r = 256", model_value=float(br), unit="rows", convention="B_r = Q rows per block",
        verdict="wrong",
        reason=(f"论文的分块是 B_c = ⌈M/4d⌉、B_r = min(⌈M/4d⌉, d)，M 是以元素计的 SRAM（{m:.0f} 个 fp16）："
                f"B_c = {bc}，B_r = {br}。片上要同时放 K_j、V_j、Q_i、O_i 和 S_ij，不只是三个 d 宽的块；"
                "并且 B_r 不超过 d。"),
        source="npucourse.ops.attention.flash_block_sizes; " + FLASH + ", Algorithm 1 line 1"))
    for n, (std_draft, flash_draft) in EX25_DRAFT.items():
        std = attention(n, n, EX25_D, dtype=EX25_DTYPE).bytes
        fl = flash_attention(n, n, EX25_D, dtype=EX25_DTYPE, sram_bytes=EX25_SRAM_BYTES).bytes
        out.append(Correction(
            id=f"ch2-opsb-ex25-standard-io-n{n}", chapter=2, section="练习 2.5",
            claim=f"seq_len = {n} 时标准 attention 的 IO" + (" = 512²×64×2×3" if n == 512 else ""),
            draft_value=std_draft, model_value=float(std), unit="B", convention="one head, batch 1, fp16",
            verdict="wrong",
            reason=("草稿把 N²·d·2 B·3 当成访存，那是乘加次数量级；按算法 0 计数为 2 B × (4Nd + 4N²)"
                    f" = {std / 1e6:.3g} MB。"),
            source="npucourse.ops.attention.attention"))
        out.append(Correction(
            id=f"ch2-opsb-ex25-flash-io-n{n}", chapter=2, section="练习 2.5",
            claim=f"seq_len = {n} 时 FlashAttention 的 IO = 标准 IO / √(96K/384)",
            draft_value=flash_draft, model_value=float(fl), unit="B", convention="one head, batch 1, fp16",
            verdict="wrong",
            reason=(f"按算法 1 的循环精确计数：K、V 各读一次，{-(-n // bc)} 个 K/V 块各让 Q、O、ℓ、m 读一遍并写回 "
                    f"O、ℓ、m，再加上初始化写，共 {fl / 1e6:.3g} MB；除以 √(M/…) 的做法没有依据。"),
            source="npucourse.ops.attention.flash_attention"))
        out.append(Correction(
            id=f"ch2-opsb-ex25-reduction-n{n}", chapter=2, section="练习 2.5",
            claim=f"seq_len = {n} 时 IO 降低 94%（各序列长度都相同）",
            draft_value="94%", model_value=100.0 * (1.0 - fl / std), unit="%",
            convention="1 − Flash/standard HBM bytes", verdict="wrong",
            reason=("降低率随 N 变化：比值约为 (3d+4)/(4B_c) 加上 O(1/N) 项，"
                    f"B_c = {bc} 时长序列的上限约 {100 * (1 - ratio_limit):.1f}%，"
                    "短序列更低。"),
            source="npucourse.ops.attention.attention, flash_attention"))
    return out


def corrections() -> list[Correction]:
    """All corrections of this module (model values computed by the package)."""
    return _attention()
