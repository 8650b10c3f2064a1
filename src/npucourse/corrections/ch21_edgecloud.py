"""Corrections to Chapter 21 §21.4 (edge–cloud inference) and exercises 21.4, 21.6, 21.7.

Every model value is computed by :mod:`npucourse.edgecloud`; the assumptions of the exercises
live in :mod:`npucourse.edgecloud.cases`.
"""

from __future__ import annotations

from . import Correction


def _latex(name: str, **subs: object) -> str:
    """LaTeX of a registered formula, optionally with symbols replaced (for display)."""
    from .. import formulas

    f = formulas.get(name)
    if not subs:
        return f.latex
    import sympy as sp

    by_name = {s.name: s.symbol for s in f.symbols}
    expr = f.expr.subs({by_name[k]: sp.sympify(val) for k, val in subs.items()})
    return f"{f.latex.split(' = ')[0]} = {sp.latex(expr)}"


def _network() -> list[Correction]:
    from ..edgecloud import cases, link

    out = []
    up, down = cases.ex21_4_transfer("up"), cases.ex21_4_transfer("down")
    embb = link.get("5g-embb", "up")
    out.append(Correction(
        id="ch21-edge-ex4-uplink", chapter=21, section="练习 21.4",
        claim="经 5G 传输 1MB 激活：传输延迟 = 8Mb/100Mbps = 80ms，加传播和协议开销，总延迟约 100ms",
        draft_value="≈ 0.1 s（80 ms 传输）", model_value=up["total"], unit="s",
        convention="1 MB = 1e6 B = 8e6 bit; 协议效率 0.9; 传播 10 ms（草稿的假设）",
        verdict="wrong",
        reason=(f"边缘设备发送激活走的是上行链路。ITU-R M.2410 的用户体验速率下限是下行 100、上行 "
                f"{embb.bandwidth_bps / 1e6:.0f} Mbit/s，所以 8e6 bit 的纯传输要 {up['transmission'] * 1e3:.0f} ms，"
                f"协议开销再加 {up['protocol_overhead'] * 1e3:.1f} ms，加上 {embb.latency_s * 1e3:.0f} ms 用户面时延和"
                f"草稿自己的 10 ms 传播，共 {up['total'] * 1e3:.1f} ms；草稿用的是下行速率（同样算法得 "
                f"{down['total'] * 1e3:.1f} ms）。"),
        source="npucourse.edgecloud.cases.ex21_4_transfer; link preset '5g-embb' (ITU-R M.2410)"))

    mib = cases.ex21_4_transfer("down", payload_bytes=cases.EX21_4.payload_mib_bytes)
    out.append(Correction(
        id="ch21-edge-ex4-megabyte", chapter=21, section="练习 21.4",
        claim="1MB = 8Mb，在 100Mbps 上传输 80ms",
        draft_value="8 Mb, 80 ms", model_value=mib["transmission"], unit="s",
        convention="1 MiB = 1,048,576 B = 8,388,608 bit", verdict="correct",
        reason=(f"按十进制 1 MB = 1e6 B = 8e6 bit，在 100 Mbit/s 上正好 80 ms；若 1MB 指 1 MiB，则是 8.39 Mbit、"
                f"{mib['transmission'] * 1e3:.1f} ms（多 4.9%）。书中应写明字节的含义，并始终把字节乘 8 再除以 bit/s。"),
        source="npucourse.edgecloud.link.Link.components; npucourse.units.MIB"))

    out.append(Correction(
        id="ch21-edge-transfer-units", chapter=21, section="21.4.1",
        claim="传输时间 T_transfer(k) = Size_activation(k) / Bandwidth_network + Latency_network",
        draft_value="Size / Bandwidth", model_value=_latex("link_transmission_time"), unit="s",
        convention="S in bytes, B in bit/s", verdict="unit-mismatch",
        reason=("激活大小按字节计、网络带宽按 bit/s 计，直接相除差 8 倍；要先把字节换成比特（8·S），"
                "并且用有效带宽 B_eff（协议、拥塞、信号系数之后）。"),
        source="formula link_transmission_time"))

    far = link.Link("fibre", 1e9, 0.0, "propagation example", distance_m=1.0e6)
    vacuum = far.with_(propagation_speed_mps=link.SPEED_OF_LIGHT_MPS)
    out.append(Correction(
        id="ch21-edge-propagation-speed", chapter=21, section="21.4.2",
        claim="传播延迟 Latency_prop = Distance / Speed_light",
        draft_value="Distance / c", model_value=far.propagation_s, unit="s",
        convention="1000 km 光纤，群折射率 1.468", verdict="misleading",
        reason=(f"信号在光纤中的速度约为 c/1.468 ≈ {link.FIBRE_SPEED_MPS / 1e8:.2f}e8 m/s，只有真空光速的 "
                f"{link.FIBRE_SPEED_MPS / link.SPEED_OF_LIGHT_MPS * 100:.0f}%：1000 km 的单程传播是 "
                f"{far.propagation_s * 1e3:.2f} ms 而不是 {vacuum.propagation_s * 1e3:.2f} ms。"),
        source="npucourse.edgecloud.link.Link.propagation_s (FIBRE_SPEED_MPS)"))

    from ..edgecloud.queueing import mm1

    q = mm1(500.0, 1000.0)
    out.append(Correction(
        id="ch21-edge-queue-mm1", chapter=21, section="21.4.2",
        claim="排队延迟用 M/M/1 模型：Latency_queue = 1/(μ − λ)，与传输延迟等相加",
        draft_value="1/(μ − λ)", model_value=_latex("mm1_waiting_time"), unit="s",
        convention="M/M/1, ρ = λ/μ < 1", verdict="wrong",
        reason=(f"1/(μ − λ) 是请求在系统中的平均时间 W（排队 + 服务），纯排队等待是 W_q = ρ/(μ − λ)。"
                f"链路的“服务”就是传输，所以再加 Latency_trans 会把传输算两次。例：λ = 500/s、μ = 1000/s 时 "
                f"W_q = {q.waiting_time_s * 1e3:.0f} ms，W = {q.system_time_s * 1e3:.0f} ms；ρ ≥ 1 时队列不稳定，公式不再适用。"),
        source="npucourse.edgecloud.queueing.mm1; formulas mm1_waiting_time, mm1_system_time (from Pollaczek-Khinchine)"))

    urllc = link.get("5g-urllc")
    out.append(Correction(
        id="ch21-edge-5g-latency", chapter=21, section="21.4.2",
        claim="5G 网络：延迟 10–30ms",
        draft_value="10–30 ms", model_value=embb.latency_s, unit="s",
        convention="ITU-R M.2410 用户面时延：单向、空载、仅无线接入网", verdict="misleading",
        reason=(f"IMT-2020 的最低要求是用户面单向时延 {embb.latency_s * 1e3:.0f} ms（eMBB）和 "
                f"{urllc.latency_s * 1e3:.0f} ms（URLLC）。10–30 ms 只可能是包含核心网和互联网到云端的往返时间，"
                "那不是 5G 本身的指标；模型把接入时延和传播距离分开给出。"),
        source="link presets '5g-embb', '5g-urllc' (ITU-R M.2410)"))
    out.append(Correction(
        id="ch21-edge-5g-rate", chapter=21, section="21.4.2",
        claim="5G 网络：带宽 100–1000 Mbps",
        draft_value="100–1000 Mbps", model_value=embb.bandwidth_bps, unit="bit/s",
        convention="用户体验速率（密集城区 5% 分位），上行", verdict="misleading",
        reason=(f"M.2410 的用户体验速率下限是下行 100 Mbit/s、上行 {embb.bandwidth_bps / 1e6:.0f} Mbit/s；"
                "协同推理中边缘设备上传激活，受限的是上行。1000 Mbps 量级是峰值或理想条件，不能当作可依赖的速率。"),
        source="link preset '5g-embb' (ITU-R M.2410)"))
    out.append(Correction(
        id="ch21-edge-5g-reliability", chapter=21, section="21.4.2",
        claim="5G 网络：可靠性 99.9%",
        draft_value="99.9%", model_value=link.URLLC_RELIABILITY, unit="",
        convention="32 字节层 2 PDU 在 1 ms 内送达的成功概率", verdict="wrong",
        reason=("IMT-2020 对 URLLC 的可靠性要求是 1 − 10⁻⁵（99.999%），失败概率比草稿的 99.9% 低两个数量级；"
                "可靠性必须和包长、时限一起说才有意义。"),
        source="npucourse.edgecloud.link.URLLC_RELIABILITY (ITU-R M.2410)"))

    lte = link.get("4g-lte", "up")
    lte_down = link.get("4g-lte", "down")
    out.append(Correction(
        id="ch21-edge-lte-rate", chapter=21, section="21.4.2",
        claim="4G LTE：带宽 10–100 Mbps",
        draft_value="10–100 Mbps", model_value=lte.bandwidth_bps, unit="bit/s",
        convention="实测中位数，上行", verdict="misleading",
        reason=(f"Huang 等（MobiSys 2012）实测 LTE 吞吐中位数为下行 {lte_down.bandwidth_bps / 1e6:.0f}、上行 "
                f"{lte.bandwidth_bps / 1e6:.0f} Mbit/s；100 Mbps 是 LTE 的设计目标而非典型值，上传激活时应按几 Mbit/s 估算。"),
        source="link preset '4g-lte' (Huang et al., MobiSys 2012)"))

    out.append(Correction(
        id="ch21-edge-mec-latency", chapter=21, section="21.4.5",
        claim="5G 边缘计算（MEC）：超低延迟（<5ms）",
        draft_value="< 5 ms", model_value=embb.latency_s, unit="s",
        convention="ITU-R M.2410 用户面单向时延（eMBB）", verdict="correct",
        reason=(f"与 IMT-2020 的 eMBB 用户面时延 {embb.latency_s * 1e3:.0f} ms 一致，但那只是无线接入部分的单向时延；"
                "MEC 上的排队和计算时间要另算。"),
        source="link preset '5g-embb' (ITU-R M.2410)"))
    out.append(Correction(
        id="ch21-edge-6g-latency", chapter=21, section="21.4.5",
        claim="6G 展望：延迟 <1ms",
        draft_value="< 1 ms", model_value=urllc.latency_s, unit="s",
        convention="ITU-R M.2410 用户面单向时延（URLLC）", verdict="misleading",
        reason=(f"1 ms 已经是 IMT-2020（5G）URLLC 的最低要求（{urllc.latency_s * 1e3:.0f} ms 用户面单向），"
                "并非 6G 才有的新能力；草稿其余的 6G 数字（带宽、可靠性）没有出处，M.2410 也不涉及 6G，书中应标明是展望而非要求。"),
        source="link preset '5g-urllc' (ITU-R M.2410)"))
    return out


def _split() -> list[Correction]:
    from ..edgecloud import cases, link

    out = []
    s = cases.ex21_6_split()
    n = s.n
    k_draft = 1 + cases.EX21_6.draft_blocks_on_edge
    dp = cases.ex21_6_draft_dp("k0")
    over = float(dp.dp[k_draft] - s.latencies_s[k_draft])
    up = link.get("4g-lte", "up")  # the LTE uplink preset (Huang et al., MobiSys 2012)
    lte = cases.ex21_6_split(bandwidth_bps=up.bandwidth_bps, latency_s=up.latency_s)
    dp_lte = cases.ex21_6_draft_dp("k0", bandwidth_bps=up.bandwidth_bps, latency_s=up.latency_s)
    out.append(Correction(
        id="ch21-edge-dp-recurrence", chapter=21, section="21.4.1",
        claim="DP[i] = min_{j<i} {DP[j] + T_edge(j+1,i) + T_transfer(i) + T_cloud(i+1,n)}，复杂度 O(n²)",
        draft_value="DP 递推", model_value=over, unit="s",
        convention="练习 21.6 的链（20 块 ViT-B/16）；DP[0] = 不在边缘执行时的目标值",
        verdict="wrong",
        reason=(f"DP[j] 已经包含切点 j 的传输和云端时间，再加上 T_transfer(i) + T_cloud(i+1,n) 就重复计算；"
                f"在练习 21.6 上 DP[{k_draft}] 比真实延迟多 {over * 1e3:.1f} ms，恰好是整网上云的延迟 DP[0]。"
                f"于是递推永远选“全部上云”：换成 LTE 上行（{up.bandwidth_bps / 1e6:.0f} Mbit/s、{up.latency_s * 1e3:.0f} ms）时它仍给出 k = {dp_lte.k}、"
                f"{dp_lte.latency_s * 1e3:.0f} ms，而最优是全部在边缘（k = {lte.k}，{lte.latency_s * 1e3:.0f} ms）。"
                f"链上只有一个切点，用前缀和对 k = 0..{n} 逐一求值就是精确解，O(n)。"),
        source="npucourse.edgecloud.split.draft_dp_split vs best_split (cases.ex21_6_*)"))

    lat = s.latencies_s
    block_macs = float(cases.ex21_6_chain()["net"].stage("block0").macs)
    out.append(Correction(
        id="ch21-edge-ex6-split", chapter=21, section="练习 21.6",
        claim="用 DP 找出在第 12 层分割最优：早期视觉特征在边缘，复杂语义在云端",
        draft_value="第 12 层", model_value=float(max(s.k - 1, 0)), unit="边缘上的编码器块数",
        convention="ViT-B/16@224，20 块，fp16 激活 197×768×2 B，uint8 输入 150528 B；0.5/50 TFLOP/s 持续算力；"
                   "100 Mbit/s 上行，20 ms",
        verdict="wrong",
        reason=(f"每个块边界的激活都是 197×768×2 = {s.sent_bytes[2]:,.0f} B，传输代价与切点无关，而每多放一块到边缘"
                f"就多 {(lat[3] - lat[2]) * 1e3:.2f} ms（边缘比云慢 100 倍），所以中间切点的延迟随 k 单调上升，"
                f"最优只能在两端：整图上传 {lat[0] * 1e3:.1f} ms（k = 0），全部在边缘 {lat[-1] * 1e3:.1f} ms，"
                f"草稿的 12 块切点为 {lat[k_draft] * 1e3:.1f} ms。提示里的“计算量 ∝ hidden_dim²”也不完整："
                f"每块 12·N·D² + 2·N²·D = {block_macs / 1e9:.2f} GMAC，随 token 数 N 增长。"),
        source="npucourse.edgecloud.cases.ex21_6_split (npucourse.networks.vit, best_split)"))

    from ..edgecloud import offload

    c = cases.ex21_6_chain()
    bstar = offload.threshold_bandwidth(float(c["layer_flops"].sum()), c["input_bytes"], cases.EX21_6.edge_flops,
                                        cases.EX21_6.cloud_flops, cases.EX21_6.latency_s)
    out.append(Correction(
        id="ch21-edge-offload-units", chapter=21, section="21.4.3",
        claim="Cost(loc) = w₁·Latency + w₂·Energy + w₃·Price；Cost_edge = FLOPs/Perf × Power + 机会成本，"
              "Cost_cloud = Latency_network + FLOPs/Perf_cloud + Price_cloud",
        draft_value="秒 + 焦耳 + 货币直接相加", model_value=_latex("offload_cost"), unit="1",
        convention="每项除以同单位的参考值后再加权", verdict="unit-mismatch",
        reason=(f"Cost_edge 的单位是焦耳，Cost_cloud 却是秒加货币，两者不能比较；把每项除以同单位的参考值"
                f"（如截止时间、能量预算、价格预算）变成无量纲再加权。只看延迟时，练习 21.6 的网络在上行高于 "
                f"{bstar / 1e6:.1f} Mbit/s 时整体卸载才比本地快（sympy 解出的阈值带宽）。"),
        source="formula offload_cost; npucourse.edgecloud.offload.threshold_bandwidth"))
    return out


def _privacy() -> list[Correction]:
    from ..edgecloud import cases, privacy
    from ..ops import gemm

    out = []
    out.append(Correction(
        id="ch21-edge-gaussian-range", chapter=21, section="21.4.4",
        claim="差分隐私噪声尺度 Noise_Scale = Sensitivity/ε × √(2 log(1.25/δ))",
        draft_value="Sensitivity/ε·√(2 log(1.25/δ))", model_value=_latex("gaussian_sigma", delta_inv="1/delta"),
        unit="", convention="Dwork & Roth Thm A.1", verdict="misleading",
        reason=("这是高斯机制的标定，但定理只对 0 < ε < 1 成立，Sensitivity 必须是 L2 敏感度 Δ₂，log 是自然对数，"
                "且 σ 要严格大于该值；ε ≥ 1 时这个式子没有隐私保证，ε 较大时按它取的 σ 确实达不到 (ε, δ)"
                "（需要解析高斯机制等其他标定）。"),
        source="formula gaussian_sigma; npucourse.edgecloud.gaussian_sigma"))

    ratio = privacy.laplace_scale(1.0, 2.0) / privacy.laplace_scale(1.0, 1.0)
    out.append(Correction(
        id="ch21-edge-budget-direction", chapter=21, section="21.4.4",
        claim="优化每层隐私预算：敏感层分配更多隐私预算，抽象层放松隐私要求",
        draft_value="敏感层 → 更多预算", model_value=float(ratio), unit="",
        convention="Laplace 机制 b = Δ₁/ε，ε 从 1 增到 2", verdict="wrong",
        reason=(f"隐私预算 ε 越大，噪声越小、保护越弱：ε 加倍时噪声尺度变为 {ratio:.1f} 倍。"
                "敏感层应该分配更少的预算（更小的 ε），抽象层才可以给更多。"),
        source="npucourse.edgecloud.laplace_scale"))

    eps_b, _ = privacy.compose_basic(0.1, 1e-6, 100)
    eps_a, d_a = privacy.compose_advanced(0.1, 1e-6, 100, 1e-5)
    out.append(Correction(
        id="ch21-edge-budget-sum", chapter=21, section="21.4.4",
        claim="隐私预算分配：ε_total = Σ ε_i",
        draft_value="Σ ε_i", model_value=float(eps_b), unit="",
        convention="100 次发布，每次 (ε, δ) = (0.1, 1e-6)", verdict="correct",
        reason=(f"这是基本组合定理，成立（δ 也要相加）。发布次数多时高级组合更紧：100 次 ε = 0.1 的发布，"
                f"基本组合给 ε = {eps_b:.1f}，高级组合（δ' = 1e-5）给 ε' = {eps_a:.2f}、总 δ = {d_a:.2g}。"),
        source="npucourse.edgecloud.compose_basic, compose_advanced (Dwork & Roth Thm 3.16, 3.20)"))

    tokens, d = 197, 768
    proj = gemm(tokens, d, d, dtype="fp16")
    block = cases.ex21_6_chain()["layer_flops"][1]
    out.append(Correction(
        id="ch21-edge-projection-cost", chapter=21, section="21.4.4",
        claim="随机投影 Ã = RA：计算开销 O(n²) 矩阵乘法",
        draft_value="O(n²)", model_value=float(proj.flops), unit="FLOP",
        convention="n = 197 个 token，宽度 d = 768，d×d 投影，FLOPs = 2×MAC", verdict="misleading",
        reason=(f"对 n×d 的激活乘 d×d 的矩阵是 2·n·d² 次运算（此例 {proj.flops / 1e6:.0f} MFLOP，约为一个 ViT-B 块的 "
                f"{proj.flops / block * 100:.0f}%），随宽度平方增长，不是 O(n²)；R 若是随机正交矩阵才严格保持内积。"),
        source="npucourse.ops.gemm; cases.ex21_6_chain"))

    o1, o2 = cases.ex21_7_overhead(1), cases.ex21_7_overhead(2)
    o_draft = cases.ex21_7_overhead(1 + cases.EX21_6.draft_blocks_on_edge)
    out.append(Correction(
        id="ch21-edge-ex7-overhead", chapter=21, section="练习 21.7",
        claim="PCA 降到 50% 维度 + ε = 1.0 噪声 + 随机旋转，总开销 < 18%",
        draft_value="< 18%", model_value=o1["overhead"], unit="",
        convention="ViT-B/16 激活 197×768 fp16；边缘只跑 patch embedding；高斯采样 10 次运算/样本（假设）",
        verdict="misleading",
        reason=(f"方案本身是 {o1['scheme_flops'] / 1e6:.0f} MFLOP（PCA {o1['projection_flops'] / 1e6:.0f}、旋转 "
                f"{o1['rotation_flops'] / 1e6:.0f}、噪声 {o1['noise_flops'] / 1e6:.1f}），开销比例取决于边缘上跑了多少："
                f"只跑 patch embedding 时是 {o1['overhead'] * 100:.0f}%，再加一个块是 {o2['overhead'] * 100:.1f}%，"
                f"草稿的 12 块切点是 {o_draft['overhead'] * 100:.2f}%。而练习 21.6 的最优解是整图上传，边缘没有可比的计算。"
                f"PCA 把发送字节减半（{o1['bytes_before']:,.0f} → {o1['bytes_after']:,.0f} B）。"),
        source="npucourse.edgecloud.cases.ex21_7_overhead (obfuscation_cost, ops.gemm)"))

    nsr = cases.ex21_7_noise_to_signal()
    out.append(Correction(
        id="ch21-edge-ex7-epsilon", chapter=21, section="练习 21.7",
        claim="添加轻量级噪声（ε = 1.0 差分隐私）",
        draft_value="ε = 1.0", model_value=nsr, unit="",
        convention="每个 token 的 384 维向量裁剪到范数 C，Δ₂ = 2C，δ = 1e-5（假设）；值为噪声 RMS 范数 / C",
        verdict="wrong",
        reason=(f"草稿的高斯机制公式只在 ε < 1 时有证明，ε = 1.0 不在其范围内；即使照公式算，噪声的均方根范数也是信号"
                f"最大范数的 {nsr:.0f} 倍，激活被噪声淹没，谈不上“轻量级”。随机旋转是后处理，不增加差分隐私保证。"),
        source="npucourse.edgecloud.cases.ex21_7_noise_to_signal (gaussian_sigma, noise_rms_norm)"))
    return out


def corrections() -> list[Correction]:
    """Every checked claim of draft §21.4 and exercises 21.4, 21.6, 21.7."""
    return [*_network(), *_split(), *_privacy()]
