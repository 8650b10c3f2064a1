"""Transformer / VLM / VLA network models: closed forms, hand-derived small cases, invariants
and bad input. Expected values come from hand arithmetic written in each test."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npucourse as npc
from npucourse.networks.vit import vit


def _f(name):
    return npc.formulas.get(name)


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
    for i in range(cfg["layers"]):
        assert net.stage(f"block{i}").macs == per_layer
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
