"""Corrections to Chapter 21 §21.1 (model conversion), §21.2 (performance analysis) and exercises
21.1, 21.2. Every model value is computed by ``npucourse.deploy`` and the models it builds on."""

from __future__ import annotations

import numpy as np

from . import Correction

#: Settings the checks use, stated once.
EDGE = "edge-gpu"             # exercise 21.2's device: 1 TFLOPS fp32, 25.6 GB/s
GELU_SHAPE = (1, 512, 3072)   # a BERT-base FFN activation (batch 1, 512 tokens, 4·768 features)
LLM = "7b"                    # LLaMA-7B, fp16
CONTEXT = 512                 # decode context / prefill length of the LLM checks
BATCH = 8


def _gelu() -> list[Correction]:
    from ..deploy import gelu_cost, gelu_error, gelu_ops_per_element
    from ..hardware import get
    from ..units import dtype_bytes
    from ..roofline import analyze

    out = []
    sig, tnh = gelu_error("sigmoid", interval=(-3, 3)), gelu_error("tanh", interval=(-3, 3))
    out.append(Correction(
        id="ch21-deploy-gelu-sigmoid-error", chapter=21, section="21.1.5",
        claim="Fast GELU x·σ(1.702x)：输入主要在 [-3, 3] 时近似误差 < 0.1%（练习 21.1 答案：精度损失 < 0.1%）",
        draft_value="< 0.1%", model_value=sig.max_abs, unit="", convention="max |approx − GELU| on [-3, 3]",
        verdict="wrong",
        reason=(f"sigmoid 形式在 [-3, 3] 上的最大绝对误差是 {sig.max_abs:.4f}（x ≈ {sig.x_max_abs:.2f} 处），"
                f"相对误差在 x = -3 处达到 {sig.max_rel:.0%}（精确值 -0.00405，近似值约 -0.018）；"
                f"无论按绝对还是相对理解都远超 0.1%。tanh 形式的最大绝对误差是 {tnh.max_abs:.1e}，"
                f"约小 {sig.max_abs / tnh.max_abs:.0f} 倍，但负半轴尾部的相对误差也有 {tnh.max_rel:.0%}。"),
        source="npucourse.deploy.gelu_error (exact GELU via math.erfc)"))

    hw = get(EDGE)
    fused = {a: analyze(gelu_cost(GELU_SHAPE, a, "fp32"), hw) for a in (None, "tanh", "sigmoid")}
    unfused = {a: analyze(gelu_cost(GELU_SHAPE, a, "fp32", fused=False), hw) for a in (None, "tanh", "sigmoid")}
    same = len({round(r.time_s, 15) for r in fused.values()}) == 1
    ratio = {a: unfused[a].time_s / fused[a].time_s for a in unfused}
    out.append(Correction(
        id="ch21-deploy-gelu-trt-options", chapter=21, section="练习 21.1",
        claim="GELU 转 TensorRT 三种方案：分解为基础算子性能损失约 10-15%，plugin 最佳，Fast GELU 近似性能提升 5-10%",
        draft_value="−10–15% / best / +5–10%",
        model_value=("融合后三种形式耗时相同" if same else "融合后耗时不同")
        + f"；未融合分解时 GELU 本身慢 {ratio[None]:.1f}×（erf）/ {ratio['tanh']:.1f}×（tanh）/ "
          f"{ratio['sigmoid']:.1f}×（sigmoid）",
        unit="", convention=f"fp32, tensor {GELU_SHAPE}, {EDGE}", verdict="misleading",
        reason=(f"三种形式都是逐元素算子：tanh 形式每元素 {gelu_ops_per_element('tanh'):.0f} 次运算、读写 "
                f"{2 * dtype_bytes('fp32'):.0f} 字节，强度 "
                f"{fused['tanh'].intensity:.2f} FLOP/B，远低于屋脊点 {fused['tanh'].ridge:.1f}，全部访存受限。"
                "只要整条链融合成一个 kernel（plugin、ONNX opset 20 的 Gelu，或 TensorRT 自 6.0 起的逐点融合），"
                "三者搬运的字节相同、耗时相同，近似形式没有 5-10% 的收益；若分解后不融合，"
                "每个节点都要把整个张量读写一遍，GELU 本身变慢数倍，而不是 10-15%。"
                "对整个网络的影响取决于 GELU 占总时间的比例，草稿的百分比没有模型支撑。"),
        source="npucourse.deploy.gelu_cost (npucourse.ops.elementwise) + npucourse.roofline.analyze"))

    ai_fused, ai_unfused = fused["tanh"].intensity, unfused["tanh"].intensity
    out.append(Correction(
        id="ch21-deploy-fusion-bound", chapter=21, section="21.1.2",
        claim="融合后 AI_fused ≫ AI_original，使得操作从 memory-bound 转变为 compute-bound",
        draft_value="memory-bound → compute-bound", model_value=float(ai_fused), unit="FLOP/B",
        convention=f"GELU tanh form fused into one kernel, fp32, {EDGE}", verdict="misleading",
        reason=(f"融合把逐元素链的强度从 {ai_unfused:.3f} 提到 {ai_fused:.3f} FLOP/B（{ai_fused / ai_unfused:.0f} 倍），"
                f"但仍远低于屋脊点 {fused['tanh'].ridge:.1f} FLOP/B，依旧访存受限：融合的收益来自少搬字节"
                "（时间按字节比例缩短），而不是越过屋脊点。只有和 GEMM/卷积这类本身计算密集的算子融合时，"
                "才谈得上变成计算受限。"),
        source="npucourse.deploy.gelu_cost (fused and unfused) + npucourse.roofline.analyze"))
    return out


def _quant_and_bn() -> list[Correction]:
    from ..deploy import conv2d_reference, fake_quant, fold_bn, quant_error, quant_params

    out = []
    x = np.random.default_rng(0).standard_normal(100_000)
    e = quant_error(x, fake_quant(x, quant_params(x)))
    out.append(Correction(
        id="ch21-deploy-layer-threshold", chapter=21, section="21.1.2",
        claim="逐层误差 ε_layer = ‖Y_fp32 − Y_reduced‖₂/‖Y_fp32‖₂ > τ（如 0.01）时该层应保持 FP32",
        draft_value="τ = 0.01", model_value=e.rel_l2, unit="",
        convention="ε of 8-bit per-tensor affine min-max quantization of N(0,1) data (100 000 samples)",
        verdict="misleading",
        reason=(f"τ = 0.01 相当于 SQNR 40 dB。8 位 min-max 量化标准正态数据本身的 ε 就是 {e.rel_l2:.4f}"
                f"（SQNR {e.sqnr_db:.1f} dB）：按这条规则几乎每一层都得留在 FP32。阈值应按任务精度"
                "（逐层敏感度）校准，而不是取一个固定的 1%。"),
        source="npucourse.deploy.quant_params / fake_quant / quant_error"))

    rng = np.random.default_rng(1)
    xx, w = rng.standard_normal((1, 8, 12, 12)), rng.standard_normal((16, 8, 3, 3))
    b, g, bt, mu = (rng.standard_normal(16) for _ in range(4))
    var = rng.uniform(0.1, 2.0, 16)
    ref = conv2d_reference(xx, w, b, pads=1)
    r = lambda a: a[None, :, None, None]  # noqa: E731
    bn = r(g) * (ref - r(mu)) / np.sqrt(r(var) + 1e-5) + r(bt)
    wf, bf = fold_bn(w, b, g, bt, mu, var)
    err = float(np.max(np.abs(conv2d_reference(xx, wf, bf, pads=1) - bn)))
    out.append(Correction(
        id="ch21-deploy-bn-fold", chapter=21, section="21.1.3",
        claim="BatchNorm 折叠到卷积：W' = γ/√(σ²+ε)·W，b' = γ/√(σ²+ε)·(b − μ) + β",
        draft_value="W' = γW/√(σ²+ε), b' = γ(b−μ)/√(σ²+ε) + β", model_value=err, unit="",
        convention="max |conv(x, W') + b' − BN(conv(x, W) + b)|, random fp64 tensors", verdict="correct",
        reason=("公式与 PyTorch fuse_conv_bn_weights 一致（γ/√(σ²+ε) 按输出通道缩放 W 的第 0 维）；"
                f"折叠前后输出的最大差 {err:.1e}，只是浮点舍入。"),
        source="npucourse.deploy.fold_bn + conv2d_reference"))
    return out


def _compat() -> list[Correction]:
    from ..deploy import lookup

    out = []
    trt = lookup("LayerNorm", "TensorRT", "8.0")
    out.append(Correction(
        id="ch21-deploy-layernorm-tensorrt", chapter=21, section="21.1.5",
        claim="LayerNorm 在 TensorRT 8.x 原生支持（FP32/FP16/INT8 with dequant）",
        draft_value="TensorRT 8.x: native", model_value=f"8.0–8.5: {trt.support}; 8.6+: "
        f"{lookup('LayerNorm', 'TensorRT', '8.6').support}", unit="", convention="", verdict="wrong",
        reason=("TensorRT 的归一化层 INormalizationLayer 和对 ONNX opset 17 LayerNormalization 的支持从 8.6 才有"
                "（8.6 的发布说明建议为此导出 opset 17；8.5.2 的开源版还靠 LayerNormPlugin）；"
                "8.0–8.5 中 LayerNorm 以 ReduceMean/Sub/Pow/Sqrt/Div 等基础算子出现，由构建器自行融合。"
                "INT8 支持在资料中没有看到。"),
        source="npucourse.deploy.compatibility.MATRIX (TensorRT 8.6.1 API, 8.6 release notes)"))
    cml = lookup("LayerNorm", "CoreML", "4")
    out.append(Correction(
        id="ch21-deploy-layernorm-coreml", chapter=21, section="21.1.5",
        claim="LayerNorm：CoreML 5+ 原生支持，CoreML 4- 需要分解为均值、方差、缩放操作",
        draft_value="CoreML 4-: decompose", model_value=f"Core ML 3–4: {cml.support}", unit="", convention="",
        verdict="wrong",
        reason=("Core ML 规范第 4 版（Core ML 3，iOS 13）的 NeuralNetwork.proto 已经有 LayerNormalizationLayer"
                "（还有 GeluLayer），Core ML 3 和 4 都能原生执行 LayerNorm，不必分解。"),
        source="npucourse.deploy.compatibility.MATRIX (coremltools NeuralNetwork.proto)"))
    nn = lookup("LayerNorm", "NNAPI", "1.2")
    out.append(Correction(
        id="ch21-deploy-layernorm-nnapi", chapter=21, section="21.1.5",
        claim="LayerNorm：NNAPI 1.3+ 通过扩展算子支持，NNAPI 1.2- 需要 CPU fallback",
        draft_value="NNAPI 1.2-: CPU fallback", model_value=f"NNAPI 1.2: {nn.support}", unit="", convention="",
        verdict="misleading",
        reason=("NNAPI 任何版本都没有 LayerNorm 算子；但从 1.2 起有 MEAN、SUB、MUL、ADD 和 RSQRT，"
                "可以在加速器上分解执行，只有 1.2 之前（没有 RSQRT/SQRT）才只能回退到 CPU。"
                "1.3 的“扩展算子”是厂商私有扩展，不是标准能力。"),
        source="npucourse.deploy.compatibility.MATRIX (NNAPI operation list)"))
    return out


def _perf() -> list[Correction]:
    from ..deploy import amdahl, conv_bound, op_shares
    from ..hardware import get
    from ..networks.llama import llama
    from ..ops.elementwise import elementwise, layernorm, softmax
    from ..roofline import analyze

    out = []
    hw = get(EDGE)
    c1, c3 = conv_bound(hw, 64, 64, 56, 56, 1), conv_bound(hw, 64, 64, 56, 56, 3)
    e1, e3 = conv_bound(hw, 8, 8, 56, 56, 1), conv_bound(hw, 8, 8, 56, 56, 3)
    c256 = conv_bound(hw, 256, 256, 14, 14, 1)
    out.append(Correction(
        id="ch21-deploy-edge-ridge", chapter=21, section="练习 21.2",
        claim="边缘 GPU 峰值 1 TFLOPS、带宽 25.6 GB/s 的屋脊点 = 39.06 FLOPs/byte",
        draft_value="39.06 FLOP/B", model_value=float(hw.ridge_point("fp32")), unit="FLOP/B", convention="fp32",
        verdict="correct",
        reason=(f"屋脊点 = 峰值 / 带宽 = {hw.peak_ops('fp32'):.3g} / {hw.bandwidth():.3g} = "
                f"{hw.ridge_point('fp32'):.4f} FLOP/B，草稿正确。"),
        source="npucourse.hardware.get('edge-gpu').ridge_point"))
    out.append(Correction(
        id="ch21-deploy-conv-intensity", chapter=21, section="练习 21.2",
        claim="1×1 卷积 AI ≈ 2（memory-bound），3×3 卷积 AI ≈ 18（接近 ridge point，取决于通道数）",
        draft_value="1×1: 2, 3×3: 18", model_value=f"1×1: {c1.intensity:.1f}, 3×3: {c3.intensity:.1f}",
        unit="FLOP/B", convention="64→64 channels, 56×56, fp32, every tensor moved once", verdict="misleading",
        reason=(f"卷积的强度主要由通道数决定：大特征图下约为 2·C_in·C_out·K²/((C_in+C_out)·s)，1×1 C→C 在 fp32 下约 C/4，"
                f"3×3 约 9C/4。草稿的 2 和 18 只对 8 个通道成立（{e1.intensity:.2f} 与 {e3.intensity:.1f}）。"
                f"64 通道、56×56 时 1×1 为 {c1.intensity:.1f}（{c1.bound}-bound），3×3 为 {c3.intensity:.1f}"
                f"（{c3.bound}-bound，远过屋脊点 39）；256 通道、14×14 的 1×1 为 {c256.intensity:.1f}，已贴近屋脊点。"),
        source="npucourse.deploy.conv_bound (npucourse.ops.conv2d + roofline.analyze); formula conv_intensity_large_map"))

    ln, sm = layernorm((512, 4096), dtype="fp16"), softmax((32, 512, 512), dtype="fp16")
    add = elementwise((512, 4096), 2, 1.0, "fp16")
    low = min(3 / ln.intensity, 2 / sm.intensity)
    high = max(6 / ln.intensity, 5 / sm.intensity)
    out.append(Correction(
        id="ch21-deploy-norm-intensity", chapter=21, section="21.2.2",
        claim="典型计算密度：ElementWise 0.25-1，Softmax 2-5，LayerNorm 3-6 FLOPs/byte",
        draft_value="EW 0.25–1, Softmax 2–5, LN 3–6",
        model_value=f"EW add {add.intensity:.2f}, Softmax {sm.intensity:.2f}, LN {ln.intensity:.2f}",
        unit="FLOP/B", convention="fp16, each tensor read once and written once; one op per +, ×, exp, ...",
        verdict="wrong",
        reason=(f"每个元素只做几次运算、却要读写 2 字节以上：fp16 下 LayerNorm 约 {ln.intensity:.2f}、"
                f"Softmax 约 {sm.intensity:.2f}、残差加法 {add.intensity:.2f} FLOP/B（fp32 再减半），"
                f"比草稿的区间低 {low:.1f}-{high:.1f} 倍；这几类算子在任何设备上都访存受限。"),
        source="npucourse.ops.layernorm / softmax / elementwise (registry *_intensity_limit)"))

    m = llama(LLM, "fp16")
    one, many = m.decode(CONTEXT, 1), m.decode(CONTEXT, BATCH)
    t1, tb = analyze(one, hw).time_s, analyze(many, hw).time_s
    out.append(Correction(
        id="ch21-deploy-batch-weight-traffic", chapter=21, section="21.2.4",
        claim="批大小增加时带宽需求 BW_required(B) = B × BW_single，工作集 Working Set(B) = B × (Model Size + Activation Size)",
        draft_value="B·(Q_w + Q_a)", model_value=float(BATCH * one.bytes / many.bytes), unit="×",
        convention=f"draft bytes / model bytes, LLaMA-7B fp16 decode step, context {CONTEXT}, batch {BATCH}",
        verdict="wrong",
        reason=(f"同一批样本共享权重，每批只读一次：Q(B) = Q_w + B·Q_a。LLaMA-7B 解码一步、batch {BATCH} 时草稿公式"
                f"多算了 {BATCH * one.bytes / many.bytes:.1f} 倍流量；按屋顶线 batch {BATCH} 的一步只比 batch 1 慢 "
                f"{tb / t1:.2f} 倍，吞吐提高 {BATCH * t1 / tb:.1f} 倍，而草稿公式预测吞吐不变。"
                "工作集同理：权重只存一份，随 B 增长的只有激活和 KV cache。"),
        source="npucourse.networks.llama(...).decode(context, batch); npucourse.deploy.batch_cost; "
               "formula batch_dram_bytes"))

    s_dec = op_shares(m, hw, "decode", CONTEXT)
    s_pre = op_shares(m, hw, "prefill", CONTEXT)
    pre_bound = analyze(m.prefill(CONTEXT), hw).bound
    long = {c: op_shares(m, hw, "decode", c)["attention"] for c in (2048, 8192, 16384)}
    ffn_over_qkv = 3 * m.config.d * m.config.ffn / (m.config.d * (m.config.heads + 2 * m.config.kv_heads)
                                                     * m.config.head_dim)
    out.append(Correction(
        id="ch21-deploy-llama-op-shares", chapter=21, section="21.2.5",
        claim="LLaMA-7B 典型时间占比：QKV 15-20%、QK matmul 20-25%、Softmax 5-10%、AV 15-20%、输出投影 10-15%、FFN 25-30%",
        draft_value="attention core (QK+softmax+AV) 40–55%, FFN 25–30%",
        model_value=f"decode: attention core {s_dec['attention']:.1%}, FFN {s_dec['ffn']:.1%}; "
                    f"prefill: attention core {s_pre['attention']:.1%}, FFN {s_pre['ffn']:.1%}",
        unit="", convention=f"{EDGE}, fp16, batch 1, context / prompt {CONTEXT}", verdict="wrong",
        reason=(f"batch 1 解码访存受限，时间按读的字节分配：每层 FFN 权重 3·d·ff 是 QKV 3d² 的 {ffn_over_qkv:.1f} 倍，"
                f"所以 FFN 占 {s_dec['ffn']:.0%}、QKV {s_dec['qkv_proj']:.0%}、输出投影 {s_dec['out_proj']:.0%}；"
                f"QKᵀ、softmax、PV 只读 {CONTEXT} 个位置的 KV cache，合计 {s_dec['attention']:.1%}。"
                f"prefill {CONTEXT} 个 token 时（{pre_bound}-bound）注意力核心也只有 {s_pre['attention']:.1%}。"
                f"解码时注意力核心的占比在上下文 2048（LLaMA-7B 的上限）时是 {long[2048]:.0%}，"
                f"8192 时 {long[8192]:.0%}，16384 时 {long[16384]:.0%}。"),
        source="npucourse.deploy.op_shares (npucourse.networks.llama decode/prefill networks + roofline)"))

    s_flash = amdahl(s_dec["attention"], 4.0)
    out.append(Correction(
        id="ch21-deploy-attention-priority", chapter=21, section="21.2.5",
        claim="Attention 优化通常占 40-50% 时间（Flash Attention 2-4× 加速）；线性层占 30-40% 时间",
        draft_value="attention 40–50%, linear 30–40%", model_value=float(s_flash), unit="×",
        convention=f"end-to-end decode speed-up from a 4× faster attention core, LLaMA-7B, {EDGE}, context {CONTEXT}",
        verdict="misleading",
        reason=(f"按 Amdahl 定律，注意力核心只占 {s_dec['attention']:.1%} 时，把它加速 4 倍只让解码快 "
                f"{s_flash:.3f} 倍；线性层（QKV、输出投影、FFN、LM head）占 "
                f"{1 - s_dec['attention'] - s_dec['norm'] - s_dec['other']:.0%}。"
                "短上下文的边缘解码应先减少权重字节（量化、投机解码摊薄读权重），FlashAttention 的收益在长序列 prefill。"),
        source="npucourse.deploy.amdahl + op_shares"))

    a100 = get("a100-80gb")
    t = {dt: analyze(llama(LLM, dt).decode(CONTEXT), a100).time_s for dt in ("fp16", "int8", "int4")}
    out.append(Correction(
        id="ch21-deploy-weight-quant-speedup", chapter=21, section="21.2.5",
        claim="权重量化：INT8 2-4× 加速，INT4 4-8× 加速",
        draft_value="INT8 2–4×, INT4 4–8×",
        model_value=f"INT8 {t['fp16'] / t['int8']:.2f}×, INT4 {t['fp16'] / t['int4']:.2f}×", unit="",
        convention=f"LLaMA-7B decode step vs fp16, batch 1, context {CONTEXT}, a100-80gb (memory-bound)",
        verdict="wrong",
        reason=("batch 1 解码访存受限，时间正比于搬运的字节：相对 fp16，INT8 最多快 2 倍、INT4 最多快 4 倍"
                f"（模型给出 {t['fp16'] / t['int8']:.2f} 与 {t['fp16'] / t['int4']:.2f} 倍）。"
                "4-8 倍只有拿 FP32 作基准才可能；计算受限时还取决于硬件有没有 INT4 算力。"),
        source="npucourse.networks.llama(dtype=...).decode + roofline.analyze"))
    return out


def _conv_formula() -> list[Correction]:
    from ..deploy import conv2d_reference

    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((1, 4, 6, 6)), rng.standard_normal((4, 2, 3, 3))
    y = conv2d_reference(x, w, pads=1, group=2)
    # the draft's formula sums over all input channels: equivalent to expanding W to full C_in with zeros
    # only if group = 1; read literally with group = 2 it is undefined (W has C_in/2 channels)
    wfull = np.zeros((4, 4, 3, 3))
    wfull[:2, :2], wfull[2:, 2:] = w[:2], w[2:]
    y_as_dense = conv2d_reference(x, wfull, pads=1)
    diff = float(np.max(np.abs(y - y_as_dense)))
    return [Correction(
        id="ch21-deploy-onnx-conv-group", chapter=21, section="21.1.1",
        claim="ONNX Conv 的计算公式：Y[n,c_o,y,x] = Σ_{c_i,ky,kx} X[n,c_i,y·s_y+ky·d_y−p_y, x·s_x+kx·d_x−p_x]·W[c_o,c_i,ky,kx] + B[c_o]",
        draft_value="Σ over all c_i; one pad p per axis",
        model_value="Σ over c_i of group ⌊c_o/(M/G)⌋; pads = [top, left, bottom, right]", unit="", convention="",
        verdict="misleading",
        reason=("草稿的公式只是 group = 1、对称填充的特例：ONNX Conv 有 group 属性（W 的形状是 M×C/G×kH×kW，"
                "输出通道 c_o 只累加自己那组的 C/G 个输入通道，深度可分离卷积就是 G = C），"
                "pads 分上、左、下、右四个值，还有 auto_pad（SAME_UPPER/SAME_LOWER/VALID）。"
                f"分组卷积等价于块对角权重的稠密卷积（检验差值 {diff:.1e}）。"),
        source="npucourse.deploy.conv2d_reference (ONNX Conv semantics)")]


def corrections() -> list[Correction]:
    """All Chapter 21 §21.1–21.2 corrections (computed; takes a few seconds)."""
    return _gelu() + _quant_and_bn() + _compat() + _perf() + _conv_formula()
