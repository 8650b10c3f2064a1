"""Transformer / VLM / VLA network models: closed forms, hand-derived small cases, invariants
and bad input. Expected values come from hand arithmetic written in each test."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npucourse as npc
from npucourse.networks.vit import vit


def _f(name):
    # this topic's formulas only (loading every registry topic takes seconds)
    from npucourse.formulas.defs import transformer as defs

    return next(f for f in defs.t.formulas if f.name == name)


# -- ViT ---------------------------------------------------------------------------------------------
def test_vit_tokens_include_class_token():
    # 224/16 = 14 -> 14*14 patches + 1 class token = 197; L/14: 16*16 + 1 = 257 (not 256)
    assert vit("B/16").config["tokens"] == 197
    assert vit("L/14").config["tokens"] == 257
    assert _f("vit_tokens")(H=336, W=336, P=14) == 577


def test_vit_layer_closed_form_is_derived():
    f = _f("vit_layer_macs_r4")
    N, D = (i.symbol for i in f.symbols)
    # hand: QKV 3ND^2 + proj ND^2 + MLP 2*N*D*4D = 12ND^2; QK^T N*N*D + PV N*N*D = 2N^2 D
    assert (f.expr - (12 * N * D**2 + 2 * N**2 * D)).expand() == 0


@pytest.mark.parametrize("variant", ["B/16", "B/32", "L/14", "H/14"])
def test_vit_layer_sum_equals_closed_form(variant):
    net = vit(variant, 224)
    cfg = net.config
    n, d = cfg["tokens"], cfg["width"]
    per_layer = _f("vit_layer_macs_r4")(N=n, D=d)
    stages = net.stages
    for i in range(cfg["layers"]):
        assert stages[f"block{i}"].macs == per_layer
    total = _f("vit_macs")(P=int(variant.split("/")[1]), N=n, D=d, D_mlp=cfg["mlp"], L=cfg["layers"], C=1000)
    assert net.macs == total


def test_vit_b16_by_hand():
    # N = 197, D = 768: 12*197*768^2 = 1_394_343_936; 2*197^2*768 = 59_610_624
    layer = 1_394_343_936 + 59_610_624
    patch = 196 * 768 * (3 * 16 * 16)  # 115_605_504
    head = 768 * 1000
    assert vit("B/16").macs == 12 * layer + patch + head == 17_563_828_224


def test_vit_tiny_hand_params():
    # 32x32 image, B/16 shape with 2 layers: 4 patches + 1 = 5 tokens
    # conv 3*16*16*768 + 768; cls 768; pos 5*768; per layer 7_087_872 (see anchors); ln 1536; head 769_000
    net = vit("B/16", image_size=32, layers=2)
    expected = (3 * 256 * 768 + 768) + 768 + 5 * 768 + 2 * 7_087_872 + 1536 + (768 * 1000 + 1000)
    assert net.params == expected


def test_vit_any_depth_and_block_granularity():
    for depth in (0, 1, 20):
        net = vit("B/16", layers=depth, granularity="block")
        blocks = [ly for ly in net.layers if ly.stage.startswith("block")]
        assert len(blocks) == depth
        assert [ly.name for ly in blocks] == [f"block{i}" for i in range(depth)]
    op = vit("B/16", layers=20)
    blk = vit("B/16", layers=20, granularity="block")
    assert op.macs == blk.macs and op.params == blk.params and op.flops == pytest.approx(blk.flops)
    # a block hands the next one N x D activations: 197*768 fp16 values
    assert blk.layers[3].cost.out_bytes == 197 * 768 * 2


@settings(max_examples=15)
@given(st.integers(1, 4), st.sampled_from([224, 256, 384]))
def test_vit_monotonic_in_batch_and_resolution(batch, size):
    a = vit("B/32", size, batch=batch)
    b = vit("B/32", size, batch=batch + 1)
    c = vit("B/32", size + 32, batch=batch)
    assert b.macs > a.macs and c.macs > a.macs
    assert b.params == a.params  # weights do not grow with batch


def test_vit_bad_input():
    with pytest.raises(KeyError, match="B/16"):
        vit("B/8")
    with pytest.raises(ValueError, match="image_size"):
        vit("B/16", image_size=8)
    with pytest.raises(ValueError, match="layers"):
        vit("B/16", layers=-1)
    with pytest.raises(ValueError, match="granularity"):
        vit("B/16", granularity="tile")
    with pytest.raises(ValueError, match="batch"):
        vit("B/16", batch=0)


# -- LLaMA -----------------------------------------------------------------------------------------
from dataclasses import replace  # noqa: E402

from npucourse.networks.llama import LanguageModel, llama  # noqa: E402


def _decode_closed(m, c):
    k = m.config
    return _f("llama_decode_macs")(L=k.layers, d=k.d, H_q=k.heads, H_kv=k.kv_heads, f=k.ffn, V=k.vocab, c=c)


@pytest.mark.parametrize("size", ["7b", "2-70b", "3-8b"])
@pytest.mark.parametrize("context", [1, 257, 4096])
def test_llama_decode_layer_sum_equals_closed_form(size, context):
    m = llama(size)
    assert m.decode(context).macs == _decode_closed(m, context)


def test_llama_7b_decode_by_hand():
    # MACs = params - V*d (input embedding is a lookup) - (2L+1)*d (RMSNorm weights scale, no MAC)
    #        + 2*L*c*d (Q.K^T and P.V over c positions)
    # 6_738_415_616 - 131_072_000 - 65*4096 = 6_607_077_376; 2*32*4096 = 262_144 per position
    m = llama("7b")
    assert m.decode(1).macs == 6_607_077_376 + 262_144
    assert m.decode(1000).macs == 6_607_077_376 + 262_144_000
    # at a short context FLOPs (2 per MAC + element-wise) ~ 13.27 G per token: "2 x params" within 2 %
    assert m.decode(100).flops == pytest.approx(2 * m.params, rel=0.02)
    f = _f("llama_decode_vs_params")
    assert f(L=32, d=4096, c=1000) == 262_144_000 - 65 * 4096


def test_llama_prefill_equals_sum_of_decodes():
    # brute force: a causal prefill of T tokens does the work of T single-token steps at contexts
    # 1..T, except that only the last token's logits are computed (V*d MACs once, not T times)
    m = llama("7b")
    T = 12
    steps = sum(m.decode(c).macs for c in range(1, T + 1))
    assert m.prefill(T).macs == steps - (T - 1) * 32000 * 4096
    k = m.config
    assert m.prefill(T).macs == _f("llama_prefill_macs")(L=k.layers, d=k.d, H_q=k.heads, H_kv=k.kv_heads,
                                                         f=k.ffn, V=k.vocab, T=T)
    assert m.prefill(T, logits="all").macs == steps


@pytest.mark.parametrize("phase", ["prefill", "decode"])
def test_llama_fast_total_equals_layer_list(phase):
    m = llama("2-70b")
    fast = m.prefill(7, 2) if phase == "prefill" else m.decode(33, 2)
    net = m.prefill_network(7, 2) if phase == "prefill" else m.decode_network(33, 2)
    slow = net.total
    for f in ("macs", "flops", "params", "weight_bytes", "bytes"):
        assert getattr(fast, f) == pytest.approx(getattr(slow, f), rel=1e-12), f
    assert len(net.stage("layer79").name) and net.stage("layer79").macs == net.stage("layer0").macs


def test_llama_decode_reads_weights_once_and_kv_cache():
    m = llama("7b")
    c = 2048
    d = m.decode(c)
    matrices = (m.params - 32000 * 4096 - 65 * 4096) * 2  # every weight matrix, fp16, excluding the table
    assert d.bytes >= matrices + m.kv_cache_bytes(c)
    # one more position of context costs exactly one more position of K and V (+ its scores)
    extra = m.decode(c + 1).bytes - d.bytes
    assert extra >= 2 * 32 * 4096 * 2


def test_kv_cache_by_hand_linear_and_gqa():
    # LLaMA-7B fp16: 2 (K,V) * 32 layers * 4096 * 4096 positions * 2 B = 2 GiB
    assert llama("7b").kv_cache_bytes(4096) == 2 * 32 * 4096 * 4096 * 2 == 2 * 2**30
    # Llama-3-8B: 8 KV heads of 128: 2 * 32 * 8 * 128 * 8192 * 2 B = 1 GiB
    assert llama("3-8b").kv_cache_bytes(8192) == 2 * 32 * 8 * 128 * 8192 * 2 == 2**30
    m = llama("3-8b")
    mha = LanguageModel(replace(m.config, kv_heads=m.config.heads))
    assert mha.kv_cache_bytes(1000) / m.kv_cache_bytes(1000) == 32 / 8
    assert llama("2-70b").kv_cache_bytes(100, dtype="int8") * 2 == llama("2-70b").kv_cache_bytes(100)


@given(st.integers(1, 100_000), st.integers(1, 64))
def test_kv_cache_exactly_linear(context, batch):
    m = llama("2-70b")
    one = m.kv_cache_bytes(1)
    assert m.kv_cache_bytes(context, batch) == one * context * batch


@settings(max_examples=15)
@given(st.integers(1, 64), st.integers(1, 4))
def test_llama_monotonic_in_tokens_and_batch(tokens, batch):
    m = llama("7b")
    a = m.prefill(tokens, batch)
    assert m.prefill(tokens + 1, batch).macs > a.macs
    assert m.prefill(tokens, batch + 1).macs > a.macs
    assert m.decode(tokens + 1, batch).macs > m.decode(tokens, batch).macs
    assert m.decode(tokens, batch + 1).bytes > m.decode(tokens, batch).bytes


def test_llama_tiny_hand_derived():
    # d=8, 1 layer, 2 heads (head 4), 1 KV head, ffn 16, vocab 10, tied; decode at context 3:
    # q 8*8 + k,v 2*8*4 + o 8*8 + ffn 3*8*16 + head 10*8 = 64+64+64+384+80 = 656; attention 2*2*3*4 = 48
    from npucourse.networks.llama import LlamaConfig

    tiny = LanguageModel(LlamaConfig("tiny", 8, 1, 2, 1, 16, 10, True, "test"))
    assert tiny.decode(3).macs == 656 + 48
    # params: embedding 80 (tied) + q,k,v,o 192 + ffn 384 + norms 2*8 + final norm 8 = 680
    assert tiny.params == tiny.prefill_network(2).params == 680


def test_llama_bad_input():
    with pytest.raises(KeyError, match="7b"):
        llama("8b")
    m = llama("7b")
    with pytest.raises(ValueError, match="context"):
        m.decode(0)
    with pytest.raises(ValueError, match="tokens"):
        m.prefill(-3)
    with pytest.raises(ValueError, match="batch"):
        m.prefill(3, batch=0)
    with pytest.raises(ValueError, match="context"):
        m.kv_cache_bytes(0)
    with pytest.raises(ValueError, match="logits"):
        m.prefill(3, logits="first")
    with pytest.raises(KeyError, match="fp7"):
        llama("7b", dtype="fp7")


# -- CLIP ------------------------------------------------------------------------------------------
from npucourse.networks.clip import clip_image, clip_text  # noqa: E402


def test_clip_image_equals_vit_closed_form_plus_projection():
    # ViT-L/14 at 224: 24 * (12*257*1024^2 + 2*257^2*1024) + 256*1024*588 + proj 1024*768
    net = clip_image("ViT-L/14")
    layer = 12 * 257 * 1024**2 + 2 * 257**2 * 1024
    assert net.macs == 24 * layer + 256 * 1024 * 588 + 1024 * 768 == 81_012_768_768
    assert _f("vit_layer_macs_r4")(N=257, D=1024) == layer


def test_clip_text_hand_derived_small():
    # width 8, 1 layer, 2 heads, context 3, vocab 5, embed 4:
    # qkv 3*8*24 + attention 2*3*3*8 + proj 3*8*8 + mlp 2*3*8*32 + text projection 8*4 (one token)
    net = clip_text(width=8, layers=1, heads=2, context=3, vocab=5, embed_dim=4)
    assert net.macs == 576 + 144 + 192 + 1536 + 32
    # params: (5 + 3)*8 embeddings + block (3*8*8+24 + 8*8+8 + 2*16 + 8*32+32 + 32*8+8) + ln 16 + proj 32
    block = (192 + 24) + (64 + 8) + 32 + (256 + 32) + (256 + 8)
    assert net.params == 64 + block + 16 + 32


def test_clip_text_monotonic_in_context():
    assert clip_text(context=78).macs > clip_text(context=77).macs > clip_text(context=32).macs


def test_clip_bad_input():
    with pytest.raises(KeyError, match="ViT-L-14"):
        clip_image("ViT-L/7")
    with pytest.raises(ValueError, match="context"):
        clip_text(context=0)
    with pytest.raises(ValueError, match="heads"):
        clip_text(width=10, heads=3)


# -- LLaVA -----------------------------------------------------------------------------------------
from npucourse.networks.llava import llava  # noqa: E402


def test_llava_sequence_and_vision_count():
    m = llava()
    assert m.image_tokens == 576 and m.prompt_tokens(40) == 616
    # executed (24 layers) - needed (23 layers) = one layer over 577 tokens + post-LN (no MACs)
    one_layer = 12 * 577 * 1024**2 + 2 * 577**2 * 1024
    assert m.vision_network().macs - llava(vision_layers="needed").vision_network().macs == one_layer
    # projector on 576 tokens: 576 * (1024*4096 + 4096*4096) MACs
    assert m.vision_network().stage("projector").macs == 576 * (1024 * 4096 + 4096 * 4096)


def test_llava_prefill_is_vision_plus_lm_prefill():
    m = llava()
    p = m.prefill(40)
    slow = m.prefill_network(40).total
    assert p.macs == pytest.approx(slow.macs, rel=1e-12) and p.bytes == pytest.approx(slow.bytes, rel=1e-12)
    lm = m.lm.prefill(616)  # same MACs: the image embeddings replace lookups, which do no MACs
    assert p.macs == m.vision_network().macs + lm.macs
    # generation: prefill + 99 decode steps at contexts 617..715
    g = m.generate(40, 100)
    assert g.macs == p.macs + sum(m.decode(c).macs for c in range(617, 716))


def test_llava_params_total():
    # vision tower 303,507,456 (CLIPVisionModel ViT-L/14-336) + projector 20,979,712 + Vicuna-7B 6,738,415,616
    assert llava().params == 303_507_456 + 20_979_712 + 6_738_415_616


def test_llava_bad_input():
    with pytest.raises(ValueError, match="vision_layers"):
        llava(vision_layers="some")
    with pytest.raises(ValueError, match="text_tokens"):
        llava().prefill(-1)
    with pytest.raises(ValueError, match="context"):
        llava().decode(0)


# -- EfficientNet ------------------------------------------------------------------------------------
from npucourse.networks.efficientnet import blocks, efficientnet, make_divisible  # noqa: E402


def test_make_divisible_by_hand():
    # B3 (width 1.2): 32*1.2 = 38.4 -> 40; 16*1.2 = 19.2 -> 16 is < 0.9*19.2 -> 24; 112*1.2 = 134.4 -> 136
    assert [make_divisible(c * 1.2) for c in (32, 16, 24, 40, 80, 112, 192, 320)] == \
        [40, 24, 32, 48, 96, 136, 232, 384]


def test_efficientnet_b3_blocks_and_feature_map():
    # depth 1.4: repeats ceil(1.4 * [1,2,2,3,3,4,1]) = [2,3,3,5,5,6,2] -> 26 blocks
    assert len(blocks("b3")) == 26
    # 300 -> 150 (stem) -> 150 -> 75 -> 38 -> 19 -> 19 -> 10 -> 10; head 4 * 384 = 1536 channels
    assert efficientnet("b3", num_classes=None).config["feature_shape"] == (1, 1536, 10, 10)


def test_efficientnet_b0_stem_and_first_block_by_hand():
    # 224x224: stem conv 3->32, 3x3 s2 -> 112x112: 112*112*32*27 MACs
    net = efficientnet("b0")
    stem = net.stage("stem")
    assert stem.macs == 112 * 112 * 32 * 27
    # params: conv 32*27 + BN 2*32
    assert stem.params == 32 * 27 + 64


def test_efficientnet_bad_input():
    with pytest.raises(KeyError, match="b3"):
        efficientnet("b9")
    with pytest.raises(ValueError, match="image_size"):
        efficientnet("b0", image_size=0)


# -- RT-1 ------------------------------------------------------------------------------------------
from npucourse.networks.rt1 import CONTROL_HZ, latency_budget, rt1, transformer_params  # noqa: E402


def test_rt1_transformer_params_by_hand():
    # per layer: QKV 512*3*1024 + 3*1024 = 1_575_936; out 1024*512 + 512 = 524_800; 2 LN 2*1024;
    # ff 512*512 + 512 = 262_656 -> 2_365_440; x8 = 18_923_520
    # token emb 262_656; position emb (one-hot of 48) 48*512 + 512 = 25_088; head 512*256 + 256 = 131_328
    assert transformer_params(rt1()) == 18_923_520 + 262_656 + 25_088 + 131_328 == 19_342_592


def test_rt1_tokenizer_params_by_hand():
    # EfficientNet-B3 without classifier: 12_233_232 - (1536*1000 + 1000)
    # FiLM after 26 blocks: 2*(512*C + C) summed over block widths (2*24 + 3*32 + 3*48 + 5*96 + 5*136
    #   + 6*232 + 2*384 = 3608 channels) = 2*513*3608; conv1x1 1536*512; FiLM(512) 2*513*512;
    # TokenLearner: LN 1024 + Dense 512*64+64 + Dense 64*8+8
    expected = (12_233_232 - 1_537_000) + 2 * 513 * 3608 + 1536 * 512 + 2 * 513 * 512 + (1024 + 32_832 + 520)
    net = rt1()
    assert net.params - transformer_params(net) == expected


def test_rt1_image_caching_and_code_passes():
    full, cached = rt1(), rt1(encode_images=1)
    tok = [sum(c.macs for k, c in n.stages.items() if k.startswith("tokenizer/")) for n in (full, cached)]
    assert tok[0] == 6 * tok[1]
    tr = [sum(c.macs for k, c in n.stages.items() if k.startswith("transformer/")) for n in (full, cached)]
    assert tr[0] == tr[1]
    # released code: 6*(8+11) = 114 tokens, 11 passes; one layer's attention alone:
    # 11 passes * 2 * 8 heads * 114^2 * 128 MACs
    code = rt1(sequence="code")
    attn = [ly.cost for ly in code.layers if ly.stage == "transformer/layer0" and ly.name.startswith("attn")][0]
    assert attn.macs == 11 * 2 * 8 * 114**2 * 128
    assert code.config["sequence_tokens"] == 114 and code.config["action_dims"] == 11


def test_rt1_latency_budget():
    hw = npc.hardware.get("npu-200")
    net = rt1()
    lb = latency_budget(net, hw)
    assert lb.budget_s == pytest.approx(1 / 3) and CONTROL_HZ == 3.0
    assert lb.time_s == pytest.approx(net.time_on(hw)) and lb.fraction == pytest.approx(lb.time_s * 3)
    assert lb.fits
    with pytest.raises(ValueError, match="rate_hz"):
        latency_budget(net, hw, rate_hz=0)


def test_rt1_bad_input():
    with pytest.raises(ValueError, match="sequence"):
        rt1(sequence="both")
    with pytest.raises(ValueError, match="encode_images"):
        rt1(encode_images=7)
    with pytest.raises(ValueError, match="history"):
        rt1(history=0)


def test_lazy_names_stay_callable():
    # importing a module named like its builder must not hide the builder (networks/_callable.py)
    import npucourse.networks.llava  # noqa: F401  (imports llama and vit as modules)

    for _ in range(2):
        assert npc.networks.vit("B/16").params == 86_567_656
        assert npc.networks.llama("7b").params == 6_738_415_616
        assert npc.networks.efficientnet("b3").params == 12_233_232
    assert npc.networks.clip_image("ViT-B/32").params == npc.networks.clip_image("ViT-B-32").params
    assert npc.networks.llava().image_tokens == 576 and npc.networks.rt1().config["passes"] == 1


# -- RT-2 / exercise 2.8 -------------------------------------------------------------------------------
from npucourse.networks.rt2 import ADDED_ACTION_TOKENS, action_vocab_overhead, lora_params, rt2  # noqa: E402


def test_action_vocab_overhead_by_hand():
    # 1000 new tokens, d = 4096, untied: embedding 1000*4096 + LM head 4096*1000 = 8_192_000 params,
    # fp16 2 B each = 16_384_000 B; per generated token 1000 more logits: 2*4096*1000 = 8_192_000 FLOPs
    o = action_vocab_overhead(4096, 1000)
    assert (o.params, o.bytes, o.flops_per_token, o.macs_per_token) == (8_192_000, 16_384_000, 8_192_000, 4_096_000)
    t = action_vocab_overhead(4096, 1000, tied=True, dtype="int8")
    assert (t.params, t.bytes, t.flops_per_token) == (4_096_000, 4_096_000, 8_192_000)
    # RT-2 maps its 256 bins onto existing tokens: nothing is added
    assert ADDED_ACTION_TOKENS == 0 and action_vocab_overhead(4096, ADDED_ACTION_TOKENS).params == 0


def test_lora_params_by_hand():
    # rank 16 on Q and V of 32 layers, 4096 -> 4096: 32 * 2 * 16 * (4096 + 4096) = 8_388_608
    assert lora_params(4096, 4096, 16, 2, 32) == 32 * 2 * (4096 * 16 * 2) == 8_388_608


def test_rt2_step_is_llava_generation():
    step = rt2(32)
    c = step.cost()
    assert c.macs == step.vlm.generate(32, 8).macs
    assert 0 < step.decode_share() < 0.5  # the 576-image-token prefill dominates a step


def test_rt2_bad_input():
    with pytest.raises(ValueError, match="n_new_tokens"):
        action_vocab_overhead(4096, -1)
    with pytest.raises(ValueError, match="d_model"):
        action_vocab_overhead(0, 10)
    with pytest.raises(ValueError, match="tied"):
        action_vocab_overhead(4096, 10, tied="yes")
    with pytest.raises(KeyError, match="fp16"):
        action_vocab_overhead(4096, 10, dtype="fp12")
    with pytest.raises(ValueError, match="rank"):
        lora_params(4096, 4096, 0, 2, 32)
    with pytest.raises(ValueError, match="action_tokens"):
        rt2(action_tokens=0)


# -- Flamingo --------------------------------------------------------------------------------------
from npucourse.networks.flamingo import flamingo, gated_xattn_dense, perceiver_resampler  # noqa: E402


def test_perceiver_resampler_by_hand():
    # dim 1024, inner 8*64 = 512, 64 latents, 256 media tokens (K/V over 256 + 64 = 320 tokens)
    net = perceiver_resampler(1024, media_tokens=256)
    assert net.config["kv_tokens"] == 320
    layer_params = 2 * 2048 + 1024 * 512 + 1024 * 1024 + 512 * 1024 + 2048 + 2 * 1024 * 4096
    assert layer_params == 10_491_904
    assert net.params == 64 * 1024 + 6 * layer_params + 2048 == 63_019_008
    layer_macs = (64 * 1024 * 512 + 320 * 1024 * 1024 + 2 * 8 * 64 * 320 * 64 + 64 * 512 * 1024
                  + 2 * 64 * 1024 * 4096)
    stages = net.stages
    for i in range(6):
        assert stages[f"resampler{i}"].macs == layer_macs


def test_gated_xattn_block_by_hand():
    # LM width 4096, visual width 1024, 64 visual tokens, 10 text tokens, inner 512
    recs = gated_xattn_dense(10, 4096, 1024, 64)
    total = sum(recs[1:], recs[0])
    assert total.params == (2 * 4096 + 4096 * 512 + 1024 * 1024 + 512 * 4096 + 1
                            + 2 * 4096 + 2 * 4 * 4096**2 + 1) == 139_476_994
    assert total.macs == (10 * 4096 * 512 + 64 * 1024 * 1024 + 2 * 8 * 10 * 64 * 64 + 10 * 512 * 4096
                          + 2 * 10 * 4096 * 16384)


def test_flamingo_every_fourth_layer():
    net = flamingo(None, text_tokens=16)
    xs = [s for s in net.stages if s.startswith("xattn")]
    assert xs == [f"xattn{i}" for i in range(3, 32, 4)] and net.config["xattn_blocks"] == 8
    full = flamingo("7b", text_tokens=16)
    # adding the LM adds exactly the LM prefill of the 16 text tokens
    assert full.macs == net.macs + npc.networks.llama("7b").prefill(16).macs


def test_flamingo_bad_input():
    with pytest.raises(ValueError, match="media_tokens"):
        perceiver_resampler(1024, media_tokens=0)
    with pytest.raises(ValueError, match="cross_attn_every"):
        flamingo(cross_attn_every=0)
    with pytest.raises(KeyError, match="7b"):
        flamingo("9b")


# -- Wayformer -------------------------------------------------------------------------------------
from npucourse.networks.wayformer import wayformer  # noqa: E402


def _attn_macs(net, stage):
    return sum(ly.cost.macs for ly in net.layers if ly.stage == stage and ly.name.endswith("attn"))


def test_wayformer_attention_variants_by_hand():
    # N = 200, T_h = 11 -> S = 2200 tokens, D = 256
    full = wayformer("full")
    assert _attn_macs(full, "encoder0") == 2 * 2200**2 * 256
    fac = wayformer("factorized")
    assert _attn_macs(fac, "encoder0") == 2 * 200 * 11**2 * 256   # temporal: 200 sequences of 11
    assert _attn_macs(fac, "encoder1") == 2 * 11 * 200**2 * 256   # spatial: 11 sequences of 200
    lat = wayformer("latent", latents=192)
    assert _attn_macs(lat, "encoder0") == 2 * 192 * 2200 * 256
    assert _attn_macs(lat, "encoder1") == 2 * 192**2 * 256
    # decoder: 6 mode queries over the 2200 scene tokens; head: 6 * (256*256 + 256*400 + 256)
    assert _attn_macs(full, "decoder0") == 2 * 6 * 2200 * 256
    assert full.stage("head").macs == 6 * (256 * 256 + 256 * 80 * 5 + 256)
    assert full.macs > fac.macs > lat.macs


@given(st.integers(10, 300), st.sampled_from(["full", "factorized", "latent"]))
@settings(max_examples=20)
def test_wayformer_monotonic_in_tokens(n, attention):
    assert wayformer(attention, tokens=n + 1).macs > wayformer(attention, tokens=n).macs


def test_wayformer_horizon_only_in_head():
    a, b = wayformer(horizon=80), wayformer(horizon=160)
    assert b.macs - a.macs == 6 * 256 * 80 * 5


def test_wayformer_bad_input():
    with pytest.raises(ValueError, match="attention"):
        wayformer("sparse")
    with pytest.raises(ValueError, match="heads"):
        wayformer(d=250)
    with pytest.raises(ValueError, match="tokens"):
        wayformer(tokens=0)


# -- corrections (ch2_vlm) ---------------------------------------------------------------------------
def test_ch2_vlm_corrections_are_computed():
    from npucourse.corrections import Correction
    from npucourse.corrections.ch2_vlm import corrections

    cs = {c.id: c for c in corrections()}
    assert all(isinstance(c, Correction) and c.id.startswith("ch2-vlm-") for c in cs.values())
    assert len(cs) == len(corrections())
    # independent hand values
    assert cs["ch2-vlm-vit-tokens"].model_value == 257                      # 16*16 + 1
    assert cs["ch2-vlm-clip-image-flops"].model_value == 2 * 81_012_768_768
    assert cs["ch2-vlm-ex28-flops-per-token"].model_value == 2 * 4096 * 1000
    assert cs["ch2-vlm-ex28-embedding"].model_value == 2 * 1000 * 4096
    assert cs["ch2-vlm-ex28-lora"].model_value == 8_388_608
    assert cs["ch2-vlm-rt2-action-tokens"].model_value == 0
    assert cs["ch2-vlm-rt1-action-dims"].model_value == 7 + 3 + 1
    assert cs["ch2-vlm-rt1-control-rate"].model_value == pytest.approx(1 / 3)
    assert cs["ch2-vlm-flamingo-kv"].model_value == 256 + 64
    # projector: 576 tokens * (1024*4096 + 4096*4096) MACs, 2 FLOPs each, plus biases and GELU
    assert cs["ch2-vlm-llava-projection-flops"].model_value > 2 * 576 * (1024 * 4096 + 4096 * 4096)
    assert cs["ch2-vlm-llava-total"].model_value > 400 * 20e9               # the draft's 20 G is far off
    assert "12*D**2*N + 2*D*N**2" in cs["ch2-vlm-vit-flops-formula"].model_value
