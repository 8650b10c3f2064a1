"""ResNet against torchvision's published weights metadata (REFERENCE.md "Backbones")."""

import pytest

import npucourse as npc

# Source: torchvision/models/resnet.py, ResNet{18,34,50,101}_Weights.IMAGENET1K_V1.meta:
# "num_params" (exact) and "_ops" ("GFLOPS" that count multiply–accumulates) at 224×224.
TORCHVISION = {18: (11_689_512, 1.814), 34: (21_797_672, 3.664), 50: (25_557_032, 4.089),
               101: (44_549_160, 7.801)}


@pytest.mark.parametrize("depth", list(TORCHVISION))
def test_params_exact(depth):
    assert npc.networks.resnet(depth, fused=False).params == TORCHVISION[depth][0]


@pytest.mark.parametrize("depth", list(TORCHVISION))
def test_gmacs_within_half_percent(depth):
    assert npc.networks.resnet(depth, 224).macs / 1e9 == pytest.approx(TORCHVISION[depth][1], rel=0.005)


def test_resnet50_reference_values():
    # REFERENCE.md: torchvision resnet50, 25,557,032 params, 4.09 "GFLOPS" (GMACs) at 224×224.
    net = npc.networks.resnet(50, fused=False)
    assert net.params == 25_557_032
    assert net.macs / 1e9 == pytest.approx(4.09, rel=0.005)
