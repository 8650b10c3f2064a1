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
#: Device and sequence lengths for the bound-transition check.
BOUND_HW = "npu-200"
BOUND_N = (512, 1024, 2048, 4096)


def _attention() -> list[Correction]:
    from .. import formulas, hardware
    from ..ops.attention import attention, flash_attention, flash_block_sizes, sram_elements
    from ..roofline import analyze
    from ..units import dtype_bytes

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

    hw = hardware.get(BOUND_HW)
    ridge = hw.ridge_point(EX25_DTYPE)
    i_lim = float(formulas.get("attn_standard_intensity_limit")(d=EX25_D, s=dtype_bytes(EX25_DTYPE)))
    flash_bounds = {n: analyze(flash_attention(n, n, EX25_D, dtype=EX25_DTYPE, sram_bytes=EX25_SRAM_BYTES), hw).bound
                    for n in BOUND_N}
    std_bounds = {n: analyze(attention(n, n, EX25_D, dtype=EX25_DTYPE), hw).bound for n in BOUND_N}
    out.append(Correction(
        id="ch2-opsb-attention-bound-transition", chapter=2, section="2.3.4",
        claim="Attention 是“混合特征”：随序列长度从 memory-bound 转为 compute-bound",
        draft_value="Attention随序列长度转换", model_value=i_lim, unit="FLOP/B",
        convention=f"standard attention, d = {EX25_D}, fp16, limit N → ∞; ridge of {BOUND_HW} = {ridge:g}",
        verdict="misleading",
        reason=(f"标准 attention 的算术强度随 N 增长但有上限 {formulas.get('attn_standard_intensity_limit').expr}"
                f"（d = {EX25_D}、fp16 时 {i_lim:g} FLOP/B），低于 {BOUND_HW} 的 fp16 拐点 {ridge:g}，"
                f"所以在 N = {', '.join(map(str, BOUND_N))} 时都是 {'/'.join(sorted(set(std_bounds.values())))}-bound；"
                f"会随 N 转换的是 FlashAttention（96 KiB SRAM）：依次为 "
                f"{', '.join(flash_bounds[n] for n in BOUND_N)}。"),
        source="npucourse.formulas attn_standard_intensity_limit; npucourse.roofline.analyze"))
    out.append(Correction(
        id="ch2-opsb-ridge-npu200", chapter=2, section="2.3.4",
        claim="200 TOPS、1 TB/s 的 NPU 拐点 AI_ridge = 200 ops/byte",
        draft_value="200 ops/byte", model_value=float(hardware.get(BOUND_HW).ridge_point("int8")), unit="op/B",
        convention="int8 ops (2 per MAC) per DRAM byte", verdict="correct",
        reason="峰值除以带宽；注意这是 int8 的拐点，fp16 峰值减半时拐点也减半。",
        source="npucourse.hardware npu-200; npucourse.formulas roofline_ridge"))

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


#: Operators the 2:4 corrections are shown on: exercise 2.3's GEMM (M, N, K) and a decoding GEMV.
EX23_GEMM = (512, 768, 256)
GEMV = (1, 4096, 4096)
SPARSE_HW = "npu-200"
SPARSE_DTYPE = "fp16"
MISHRA = "Mishra et al., arXiv 2104.08378"


def _sparsity() -> list[Correction]:
    from .. import formulas, hardware
    from ..ops.gemm import gemm
    from ..ops.sparsity import sparse_2to4, speedup_2to4, weight_ratio

    hw = hardware.get(SPARSE_HW)
    ridge = hw.ridge_point(SPARSE_DTYPE)
    dense = gemm(*EX23_GEMM, dtype=SPARSE_DTYPE)
    sparse = sparse_2to4(dense)
    s23 = speedup_2to4(dense, hw)
    s_gemv = speedup_2to4(GEMV, hw, SPARSE_DTYPE)
    s_gemv8 = speedup_2to4(GEMV, hw, "int8")
    r16, r8 = weight_ratio("fp16"), weight_ratio("int8")
    speedup = formulas.get("sparse_speedup").expr
    full = formulas.get("sparse_full_speedup_intensity").expr
    where = f"{SPARSE_DTYPE} GEMM {EX23_GEMM[0]}×{EX23_GEMM[1]}×{EX23_GEMM[2]} on {SPARSE_HW}"
    out = [
        Correction(
            id="ch2-opsb-sparse-intensity", chapter=2, section="2.3.4",
            claim="2:4 稀疏后 AI_sparse = AI_dense/2 × 1/0.75（压缩 50%，索引开销 25%）",
            draft_value=f"{dense.intensity:.4g}/2/0.75 = {dense.intensity / 1.5:.4g}",
            model_value=float(sparse.intensity), unit="FLOP/B", convention=f"FLOPs = 2×MAC; {where}",
            verdict="wrong",
            reason=(f"只有权重被压缩：保留一半数值，再加每个保留值 2 bit 索引（fp16 为保留值的 1/8，"
                    f"压缩后是稠密权重的 {r16:g}；int8 为 1/4，{r8:g}），激活和输出不变。"
                    f"所以 AI_sparse = {formulas.get('sparse_intensity').expr}，q = {formulas.get('sparse_traffic_ratio').expr}"
                    "（w 为权重占总访存的比例），不是固定的 AI/1.5。"),
            source="npucourse.ops.sparsity.sparse_2to4; " + MISHRA),
        Correction(
            id="ch2-opsb-sparse-condition", chapter=2, section="2.3.4",
            claim="稀疏加速条件：Speedup > 1 ⟺ AI_dense > 2 × AI_ridge，仅对 compute-bound 算子有效",
            draft_value="AI_dense > 2·AI_ridge",
            model_value=f"S = {speedup}; S > 1 ⟺ I > R or q < 1; S = 2 ⟺ I ≥ {full}", unit="",
            convention="I = dense FLOP/B, R = ridge point, q = sparse/dense DRAM bytes",
            verdict="wrong",
            reason=(f"由 T = max(F/P, Q/B) 推得：只要稠密算子是 compute-bound（I > R）或权重流量变小（q < 1），"
                    f"加速比就大于 1；2·R 附近只是拿到完整 2× 的门槛，且准确门槛是 2qR ≤ 2R。"
                    f"例：练习 2.3 的 GEMM 在 {SPARSE_HW} 上 I = {dense.intensity / ridge:.2f}·R < 2R，"
                    f"加速比仍为 {s23:.2f}。"),
            source="npucourse.formulas sparse_speedup (derived from roofline_time)"),
        Correction(
            id="ch2-opsb-ex26-compute-bound", chapter=2, section="练习 2.6",
            claim="compute-bound 时 S = 2/(1 + decode_overhead) ≈ 1.8",
            draft_value="≈1.8", model_value=float(formulas.get("sparse_speedup_max")()), unit="",
            convention="roofline time, sparse tensor cores at 2× dense math throughput",
            verdict="misleading",
            reason=("稀疏张量核的峰值就是稠密的 2 倍，索引由硬件按全速解码；约 11% 的“解码开销”在来源里没有依据。"
                    f"模型中稀疏化后仍 compute-bound（I ≥ {full}）时加速比恰为 2；低于 2 的原因是访存，"
                    "而不是解码。"),
            source="npucourse.formulas sparse_speedup_max; " + MISHRA),
        Correction(
            id="ch2-opsb-ex26-memory-bound", chapter=2, section="练习 2.6",
            claim="memory-bound 时 S = 1/(0.5 + 0.25) = 1.33",
            draft_value="1.33", model_value=float(s_gemv), unit="",
            convention=f"{SPARSE_DTYPE} GEMV {GEMV[0]}×{GEMV[1]}×{GEMV[2]} on {SPARSE_HW}",
            verdict="wrong",
            reason=(f"memory-bound 时 S = {formulas.get('sparse_speedup_memory_bound').expr}，即总访存的缩小倍数，"
                    "取决于权重占访存的比例 w：几乎全是权重的 GEMV 在 fp16 下是 "
                    f"{s_gemv:.3f}（上限 1/{r16:g}），int8 下 {s_gemv8:.3f}；没有权重的算子（如 attention 的 QKᵀ）为 1。"
                    f"0.25 的索引开销也高估了：fp16 的索引只占稠密权重字节的 {r16 - 0.5:g}。"),
            source="npucourse.ops.sparsity.speedup_2to4"),
        Correction(
            id="ch2-opsb-ex26-threshold", chapter=2, section="练习 2.6",
            claim="临界 AI：AI > 2 × AI_ridge 时才能获得 > 1.5× 加速",
            draft_value="AI > 2·AI_ridge", model_value=float(s23), unit="", convention=where,
            verdict="wrong",
            reason=(f"S > 1.5 只需 I > 1.5·q·R（稠密 compute-bound、稀疏后 memory-bound 区间 S = "
                    f"{formulas.get('sparse_speedup_mixed').expr}），或 memory-bound 时 q < 2/3。"
                    f"练习 2.3 的 GEMM 只有 I = {dense.intensity / ridge:.2f}·R，加速比已是 {s23:.2f}。"),
            source="npucourse.ops.sparsity.speedup_2to4; npucourse.formulas sparse_speedup_mixed"),
    ]
    return out


def corrections() -> list[Correction]:
    """All corrections of this module (model values computed by the package)."""
    return _attention() + _sparsity()
