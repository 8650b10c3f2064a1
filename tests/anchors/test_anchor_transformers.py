"""Published numbers for the transformer / VLM / VLA network models (REFERENCE.md §Backbones,
§CLIP, §LLaMA-7B / LLaVA-1.5 / Flamingo / RT-1 / RT-2). Each anchor names its source and its
tolerance; parameter counts that a source prints exactly are checked exactly."""

import pytest

from npucourse.networks.vit import vit


# -- ViT ---------------------------------------------------------------------------------------------
def test_vit_b_16_params_exact():
    # torchvision models/vision_transformer.py, ViT_B_16_Weights.IMAGENET1K_V1 meta "num_params": 86567656
    assert vit("B/16", 224).params == 86_567_656


def test_vit_b_16_macs():
    # torchvision ViT_B_16_Weights meta "_ops": 17.564 "GFLOPS" at 224x224; counted with aten
    # mm/addmm/bmm/convolution, one op per multiply-accumulate (torchvision PR #6936) -> GMACs.
    # Tolerance 0.5 % (brief); the published value is rounded to 0.001 G.
    assert vit("B/16", 224).macs == pytest.approx(17.564e9, rel=5e-3)
    assert vit("B/16", 224).macs == pytest.approx(17.564e9, abs=0.0005e9)


def test_vit_l_16_params_exact():
    # torchvision ViT_L_16_Weights.IMAGENET1K_V1 meta "num_params": 304326632 (at 224, 197 tokens)
    assert vit("L/16", 224).params == 304_326_632


def test_vit_b_32_params_exact():
    # torchvision ViT_B_32_Weights.IMAGENET1K_V1 meta "num_params": 88224232
    assert vit("B/32", 224).params == 88_224_232


@pytest.mark.parametrize("variant, gmacs", [("B/32", 4.409), ("L/16", 61.555)])
def test_vit_other_variants_macs(variant, gmacs):
    # torchvision ViT_B_32_Weights / ViT_L_16_Weights meta "_ops" (GMACs, rounded to 0.001 G)
    assert vit(variant, 224).macs == pytest.approx(gmacs * 1e9, abs=0.0005e9)


# -- LLaMA ---------------------------------------------------------------------------------------------
def test_llama_7b_params_exact():
    # REFERENCE.md: LLaMA-7B 6,738,415,616 params (HF huggyllama/llama-7b; = 2·V·d + L·(4d² + 3·d·ff + 2d) + d)
    from npucourse.networks.llama import llama

    m = llama("7b")
    assert m.params == 6_738_415_616
    assert m.prefill_network(4).params == 6_738_415_616  # the layer list carries every parameter once
    assert 2 * 32000 * 4096 + 32 * (4 * 4096**2 + 3 * 4096 * 11008 + 2 * 4096) + 4096 == 6_738_415_616
