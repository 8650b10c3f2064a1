"""The public API contract of DESIGN.md, checked with hand-derived values."""

import subprocess
import sys

import pytest

import npucourse as npc


def test_dtype_bytes():
    assert npc.dtype_bytes("fp16") == 2.0
    assert npc.dtype_bytes("int8") == 1.0
    assert npc.dtype_bytes("nvfp4_raw") == 0.5
    # NVFP4: 4-bit E2M1 values plus one 8-bit E4M3 scale per 16 values = 4.5 bits.
    assert npc.dtype_bytes("nvfp4") == pytest.approx(4.5 / 8)
    with pytest.raises(KeyError, match="fp7"):
        npc.dtype_bytes("fp7")


def test_npu200_ridge():
    hw = npc.hardware.get("npu-200")
    assert hw.ridge_point("int8") == 200.0  # 200e12 / 1e12
    with pytest.raises(KeyError, match="npu-300"):
        npc.hardware.get("npu-300")


def test_gemm_contract_exercise_2_3():
    c = npc.ops.gemm(512, 768, 256, dtype="fp16")
    assert c.macs == 512 * 768 * 256
    assert c.flops == 2 * 512 * 768 * 256 == 201_326_592
    assert c.bytes == (512 * 256 + 256 * 768 + 512 * 768) * 2 == 1_441_792
    assert c.intensity == pytest.approx(201_326_592 / 1_441_792)
    r = npc.roofline.analyze(c, npc.hardware.get("npu-200"))
    assert r.bound == "compute"  # fp16 ridge 100 < 139.6
    assert r.time_s == pytest.approx(201_326_592 / 100e12)


def test_formula_contract():
    f = npc.formulas.get("gemm_intensity")
    assert f(M=512, N=768, K=256, s=2) == pytest.approx(139.636363636)
    assert "frac" in f.latex


def test_import_is_cheap():
    # Using the numeric side (ops, roofline, hardware) must not pull in sympy, matplotlib or pandas.
    code = (
        "import sys, npucourse as npc; c = npc.ops.gemm(8, 8, 8); "
        "npc.roofline.analyze(c, npc.hardware.get('npu-200')); "
        "print('sympy' in sys.modules, 'matplotlib' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]
