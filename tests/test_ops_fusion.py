"""Fusion: saved traffic by hand, never-more-traffic as a property, BN folding against the BN
definition, and exercise 2.4's Transformer block counted tensor by tensor."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import npucourse as npc
from npucourse.formulas.registry import REGISTRY
from npucourse.formulas._gen.fusion import bn_fold_bias, bn_fold_weight
from npucourse.ops.elementwise import activation
from npucourse.ops.fusion import transformer_block_fusion


def formula(name):
    """A registered formula, loading only this topic's definitions module (fast, and independent of
    other topics' definitions)."""
    importlib.import_module("npucourse.formulas.defs.fusion")
    return REGISTRY[name]


def conv_bn_relu(c_in, c_out, h, stride=1):
    conv = npc.ops.conv2d(c_in, c_out, h, h, 3, stride)
    return [conv, npc.ops.batchnorm(conv.out_shape), activation(conv.out_shape, "relu")]


def test_conv_bn_relu_hand_derived():
    chain = conv_bn_relu(64, 64, 160)
    r = npc.ops.fuse_vertical(chain)
    Y = 64 * 160 * 160                  # conv output = BN output = ReLU output (elements)
    X = 64 * 160 * 160
    P = 64 * 64 * 9 + 4 * 64            # conv weights + stored BN vectors
    # unfused: conv reads X + W, writes Y; BN reads Y + 4C, writes Z; ReLU reads Z, writes A
    assert r.unfused.bytes == (X + 5 * Y + P) * 2
    # fused: reads X + W + 4C, writes A
    assert r.fused.bytes == (X + Y + P) * 2
    assert r.saved_bytes == 4 * Y * 2 == 13_107_200
    assert r.saved_fraction == pytest.approx(4 * Y / (X + 5 * Y + P))
    assert r.saved_fraction < 2 / 3
    f = formula("conv_bn_relu_saved_fraction")
    assert f(X=X, Y=Y, P_e=P) == pytest.approx(r.saved_fraction)
    assert r.fused.macs == chain[0].macs
    assert r.fused.flops == sum(c.flops for c in chain)
    assert r.fused.out_shape == (1, 64, 160, 160)


def test_downsampling_conv_saves_less():
    # stride 2, 64→128: X = 64·160², Y = 128·80² = X/2
    r = npc.ops.fuse_vertical(conv_bn_relu(64, 128, 160, stride=2))
    X, Y, P = 64 * 160 * 160, 128 * 80 * 80, 128 * 64 * 9 + 4 * 128
    assert r.saved_fraction == pytest.approx(4 * Y / (X + 5 * Y + P))
    assert r.saved_fraction < 0.58


def test_pointwise_chain_fraction():
    chain = [npc.ops.elementwise((4, 100), 1, k + 1) for k in range(5)]
    r = npc.ops.fuse_vertical(chain)
    assert r.saved_fraction == pytest.approx(4 / 5)  # (n − 1)/n
    assert formula("pointwise_chain_saved_fraction")(n=5) == 0.8


def test_side_inputs_keep_and_onchip():
    E = 512 * 768
    proj = npc.ops.gemm(512, 768, 768)
    add = npc.ops.elementwise((512, 768), 2)
    ln = npc.ops.layernorm((512, 768))
    with pytest.raises(ValueError, match="do not match"):
        npc.ops.fuse_vertical([proj, add])  # the add also reads the residual
    r = npc.ops.fuse_vertical([proj, add, ln], side_inputs={1: E * 2}, keep={1}, onchip="sram")
    # link proj→add saves write + read (2E); link add→ln saves only the read (the sum is kept)
    assert r.saved_bytes == 3 * E * 2
    assert r.fused.writes["dram"] == 2 * E * 2
    assert r.fused.reads["sram"] == r.fused.writes["sram"] == 2 * E * 2


def test_mismatched_chain_shapes():
    conv = npc.ops.conv2d(16, 32, 20, 20)
    for wrong in ((1, 16, 20, 20), (1, 64, 20, 20), (1, 32, 10, 10)):
        with pytest.raises(ValueError, match="do not match"):
            npc.ops.fuse_vertical([conv, npc.ops.batchnorm(wrong)])
    with pytest.raises(ValueError, match="at least 2"):
        npc.ops.fuse_vertical([conv])
    with pytest.raises(ValueError, match="sequence"):
        npc.ops.fuse_vertical(conv)
    with pytest.raises(ValueError, match="Cost"):
        npc.ops.fuse_vertical([conv, "relu"])
    relu = activation(conv.out_shape)
    with pytest.raises(ValueError, match="side_inputs"):
        npc.ops.fuse_vertical([conv, relu], side_inputs={0: 10.0})
    with pytest.raises(ValueError, match="side_inputs"):
        npc.ops.fuse_vertical([conv, relu], side_inputs={1: -1.0})
    with pytest.raises(ValueError, match="keep"):
        npc.ops.fuse_vertical([conv, relu], keep={1})
    with pytest.raises(ValueError, match="onchip"):
        npc.ops.fuse_vertical([conv, relu], onchip="dram")
    vec = npc.ops.gemm(np.array([4, 8]), 4, 4)
    with pytest.raises(ValueError, match="vectorised"):
        npc.ops.fuse_vertical([vec, npc.ops.elementwise((4, 4))])


@given(shape=st.lists(st.integers(1, 30), min_size=1, max_size=3),
       ops=st.lists(st.integers(1, 8), min_size=1, max_size=6),
       dt=st.sampled_from(["fp16", "int8", "fp32"]), head=st.booleans(), data=st.data())
def test_fusion_never_increases_traffic(shape, ops, dt, head, data):
    shape = tuple(shape)
    chain = [npc.ops.elementwise(shape, 1, q, dt) for q in ops]
    if head:  # a GEMM producing the first tensor
        m = int(np.prod(shape[:-1]))
        chain = [npc.ops.gemm(m, shape[-1], 16, dt)] + chain
    if len(chain) < 2:
        chain = chain * 2
    keep = data.draw(st.sets(st.integers(0, len(chain) - 2)))
    r = npc.ops.fuse_vertical(chain, keep=keep)
    assert r.fused.bytes <= r.unfused.bytes
    inter = sum(float(c.out_bytes) for c in chain[:-1])
    kept = sum(float(chain[i].out_bytes) for i in keep)
    assert r.saved_bytes == pytest.approx(2 * inter - kept)
    assert r.fused.flops == r.unfused.flops and r.fused.params == r.unfused.params
    assert 0 <= r.saved_fraction < 1


def test_horizontal_qkv():
    L, d = 512, 768
    x = L * d * 2
    projs = [npc.ops.gemm(L, d, d, name=n) for n in "qkv"]
    r = npc.ops.fuse_horizontal(projs, x)
    assert r.saved_bytes == 2 * x                      # X read once instead of three times
    assert r.fused.bytes == npc.ops.gemm(L, 3 * d, d).bytes
    assert r.fused.out_shape == (L, 3 * d)
    assert r.fused.out_bytes == 3 * x
    assert formula("horizontal_fusion_saved_bytes")(n=3, B_x=x) == 2 * x
    with pytest.raises(ValueError, match="at least 2"):
        npc.ops.fuse_horizontal(projs[:1], x)
    with pytest.raises(ValueError, match="shared_input_bytes"):
        npc.ops.fuse_horizontal(projs, 2 * x)
    with pytest.raises(ValueError, match="shared_input_bytes"):
        npc.ops.fuse_horizontal(projs, 0)


def test_bn_folding_matches_bn_definition():
    rng = np.random.default_rng(3)
    cout, cin, n = 5, 4, 7
    w = rng.standard_normal((cout, cin))
    b = rng.standard_normal(cout)
    gamma, beta, mu = rng.standard_normal(cout), rng.standard_normal(cout), rng.standard_normal(cout)
    var = rng.random(cout) + 0.1
    eps = 1e-5
    x = rng.standard_normal((cin, n))
    y = w @ x + b[:, None]                                               # 1×1 conv
    bn = (y - mu[:, None]) / np.sqrt(var[:, None] + eps) * gamma[:, None] + beta[:, None]
    w2 = bn_fold_weight(w=w, gamma=gamma[:, None], var=var[:, None], epsilon=eps)
    b2 = bn_fold_bias(b=b, mu=mu, gamma=gamma, beta=beta, var=var, epsilon=eps)
    np.testing.assert_allclose(w2 @ x + b2[:, None], bn, rtol=1e-12, atol=1e-12)


def test_transformer_block_exercise_2_4():
    L, d, h = 512, 768, 12
    r = transformer_block_fusion(L, d, h)
    E = L * d * 2  # one L×d fp16 tensor
    # unfused activation tensors read + written, operator by operator (units of E):
    # ln1 1+1, qkv 1+3, QKᵀ 2, P·V 1+1 (V, O), out_proj 1+1, add 2+1, ln2 1+1, fc1 1+4, gelu 4+4,
    # fc2 4+1, add 2+1
    assert r.unfused_transfers == 2 + 4 + 2 + 2 + 2 + 3 + 2 + 5 + 8 + 5 + 3 == 38
    # fused: K1 reads X writes O; K2 reads O and X, writes h and LN2(h); K3 reads LN2(h) and h, writes out
    assert r.fused_transfers == 2 + 4 + 3 == 9
    assert r.tensor_bytes == E
    # score matrices S and P: written and read once each, h·L² fp16 elements
    assert r.score_bytes == 4 * h * L * L * 2
    # weights: 3d² + d² + 4d² + 4d² = 12d² elements, plus two LayerNorms' γ, β
    assert r.weight_bytes == (12 * d * d + 4 * d) * 2
    assert r.unfused.bytes == 38 * E + 4 * h * L * L * 2 + r.weight_bytes
    assert r.fused.bytes == 9 * E + r.weight_bytes
    assert len(r.kernels) == 3
    # the draft's 11 MB and 3.9 MB are 14·E and 5·E
    assert 14 * E == 11_010_048 and 5 * E == 3_932_160
    # the attention core built here moves the same DRAM bytes as npc.ops.attention (Algorithm 0)
    core = sum(r.ops[2:5])
    assert core.bytes == npc.ops.attention(L, L, d // h, heads=h).bytes


def test_transformer_block_bad_input():
    with pytest.raises(ValueError, match="heads"):
        transformer_block_fusion(512, 768, 7)
    with pytest.raises(ValueError, match="seq"):
        transformer_block_fusion(0, 768)


def test_corrections_are_computed_from_these_models():
    from npucourse.corrections import ch2_ops_a

    cs = {c.id: c for c in ch2_ops_a.corrections()}
    assert all(i.startswith("ch2-opsa-") for i in cs)
    r = transformer_block_fusion(512, 768, 12)
    assert cs["ch2-opsa-ex24-unfused-bytes"].model_value == r.unfused.bytes
    assert cs["ch2-opsa-ex24-fused-bytes"].model_value == r.saved_fraction
    assert cs["ch2-opsa-ex24-transfer-counts"].model_value == "38 → 9"
    # the 3×3-conv check: every YOLO-like layer but the 3-channel stem is far above 100 FLOP/B
    assert cs["ch2-opsa-conv3x3-intensity"].verdict == "wrong"
    assert npc.ops.conv2d(64, 64, 160, 160, 3).intensity > 250
