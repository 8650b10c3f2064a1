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


# -- CLIP (OpenCLIP docs/model_profile.csv: image/text params in M, GFLOPs = 2 x MACs of matmul/conv) --
# Columns: model, image_mparams, image_gflops, text_mparams, text_gflops. The CSV prints two decimals,
# so the tolerance is half a unit of the last digit (0.005 M / 0.005 G).
CLIP_ROWS = [
    ("ViT-B-32", 87.85, 8.82, 63.43, 5.96),
    ("ViT-B-16", 86.19, 35.13, 63.43, 5.96),
    ("ViT-L-14", 303.97, 162.03, 123.65, 13.30),
    ("ViT-L-14-336", 304.29, 381.92, 123.65, 13.30),
    ("ViT-H-14", 632.08, 334.59, 354.03, 47.09),
]


@pytest.mark.parametrize("model, img_m, img_g, txt_m, txt_g", CLIP_ROWS)
def test_openclip_model_profile(model, img_m, img_g, txt_m, txt_g):
    from npucourse.networks.clip import clip_image, clip_text

    img = clip_image(model)
    txt = clip_text(model=model)
    assert img.params / 1e6 == pytest.approx(img_m, abs=0.005)
    assert 2 * img.macs / 1e9 == pytest.approx(img_g, abs=0.005)
    assert txt.params / 1e6 == pytest.approx(txt_m, abs=0.005)
    assert 2 * txt.macs / 1e9 == pytest.approx(txt_g, abs=0.005)


def test_clip_l14_text_tower_defaults():
    # REFERENCE.md: ViT-L-14 text tower width 768, 12 layers, 77 tokens: 13.3 GFLOPs, 123.65 M params
    from npucourse.networks.clip import clip_text

    t = clip_text()
    assert 2 * t.macs / 1e9 == pytest.approx(13.30, abs=0.005)
    assert t.params / 1e6 == pytest.approx(123.65, abs=0.005)


# -- LLaVA-1.5 -------------------------------------------------------------------------------------
def test_llava_projector_params_exact():
    # REFERENCE.md / LLaVA llava/model/multimodal_projector/builder.py, mlp2x_gelu:
    # Linear(1024, 4096) + GELU + Linear(4096, 4096) = 20,979,712 parameters
    from npucourse.networks.llava import llava

    assert llava().projector_params() == 20_979_712 == 1024 * 4096 + 4096 + 4096 * 4096 + 4096


# -- EfficientNet (torchvision models/efficientnet.py, EfficientNet_B*_Weights.IMAGENET1K_V1 meta:
#    "num_params" exact, "_ops" in GMACs rounded to 0.001 G, at each weight's crop_size) ---------------
@pytest.mark.parametrize("variant, size, params, gmacs", [
    ("b0", 224, 5_288_548, 0.386), ("b1", 240, 7_794_184, 0.687), ("b2", 288, 9_109_994, 1.088),
    ("b3", 300, 12_233_232, 1.827), ("b4", 380, 19_341_616, 4.394), ("b5", 456, 30_389_784, 10.266),
    ("b6", 528, 43_040_704, 19.068), ("b7", 600, 66_347_960, 37.746),
])
def test_efficientnet_torchvision(variant, size, params, gmacs):
    from npucourse.networks.efficientnet import efficientnet

    net = efficientnet(variant)
    assert net.config["image_size"] == size
    assert net.params == params
    assert net.macs == pytest.approx(gmacs * 1e9, abs=0.0005e9)


# -- RT-1 (Brohan et al., arXiv 2212.06817 §4: "8 self-attention layers and 19M total parameters" for the
#    transformer, 35M for the whole model; shapes from google-research/robotics_transformer gin/code).
#    The paper gives two significant digits: tolerance 0.5 M. ------------------------------------------
def test_rt1_parameter_counts():
    from npucourse.networks.rt1 import rt1, transformer_params

    net = rt1()
    assert transformer_params(net) == pytest.approx(19e6, abs=0.5e6)
    assert net.params == pytest.approx(35e6, abs=0.5e6)
