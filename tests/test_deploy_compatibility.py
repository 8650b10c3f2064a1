"""npc.deploy compatibility matrix and fallback decisions."""

from __future__ import annotations

import pytest

import npucourse as npc
from npucourse.cost import DRAM, Cost
from npucourse.deploy import compatibility as cm
from npucourse.hardware import Hardware, MemLevel


def test_layernorm_lookups():
    assert npc.deploy.lookup("LayerNorm", "TensorRT", "8.6").support == "native"
    assert npc.deploy.lookup("LayerNorm", "TensorRT", "10.0").support == "native"
    assert npc.deploy.lookup("LayerNorm", "TensorRT", "8.5").support == "decompose"  # not native before 8.6
    assert npc.deploy.lookup("LayerNorm", "TensorRT", "7.2").support == "decompose"
    assert npc.deploy.lookup("LayerNorm", "CoreML", "3").support == "native"          # spec 4, iOS 13
    assert npc.deploy.lookup("LayerNorm", "CoreML", "2").support == "decompose"
    assert npc.deploy.lookup("LayerNorm", "NNAPI", "1.3").support == "custom"
    assert npc.deploy.lookup("LayerNorm", "NNAPI", "1.2").support == "decompose"
    assert npc.deploy.lookup("LayerNorm", "NNAPI", "1.1").support == "fallback"
    assert npc.deploy.lookup("GELU", "ONNX", "20").support == "native"
    assert npc.deploy.lookup("GELU", "ONNX", "17").support == "decompose"


def test_every_entry_has_provenance_and_ranges_do_not_overlap():
    versions = [f"{a}.{b}" for a in range(0, 25) for b in range(0, 10)] + ["2021.4"]
    for e in npc.deploy.MATRIX:
        assert e.source and (e.source.startswith(cm.DRAFT) or "draft" not in e.source.split(":")[0])
    for fw in cm.frameworks():
        for op in cm.operators():
            rows = [e for e in npc.deploy.MATRIX if e.framework == fw and e.op == op]
            for ver in versions:
                assert sum(e.covers(ver) for e in rows) <= 1, (fw, op, ver)


def test_version_parsing():
    assert cm.parse_version("8.6") == (8, 6) and cm.parse_version(17) == (17,)
    assert cm.parse_version("8.10") > cm.parse_version("8.9")  # numeric, not lexicographic
    with pytest.raises(ValueError, match="version"):
        cm.parse_version("8.x")


# Toy devices: accelerator 100 GFLOP/s at 10 GB/s; CPU 10 GFLOP/s at 5 GB/s.
ACC = Hardware("acc", {"fp16": 100e9}, (MemLevel(DRAM, bandwidth=10e9),), source="test")
CPU = Hardware("cpu", {"fp32": 10e9}, (MemLevel(DRAM, bandwidth=5e9),), source="test")
OP = Cost(name="ln", flops=1e6, reads={DRAM: 2e6}, writes={DRAM: 2e6}, out_bytes=2e6, dtype="fp16")


def test_fallback_by_hand():
    # Native and the dtype covered: native, timed on the accelerator: max(1e6/1e11, 4e6/1e10) = 0.4 ms
    d = npc.deploy.fallback("LayerNorm", "TensorRT", "8.6", "fp16", cost=OP, accel=ACC)
    assert d.mode == "native" and d.options["native"] == pytest.approx(4e-4)
    # NNAPI 1.1: only the CPU. CPU time max(1e6/1e10, 4e6/5e9) = 0.8 ms; link 1 GB/s, 10 µs:
    # (2e6 in + 2e6 out)/1e9 + 2·1e-5 = 4.02 ms -> 4.82 ms
    d = npc.deploy.fallback("LayerNorm", "NNAPI", "1.1", "fp16", cost=OP, accel=ACC, cpu=CPU,
                            link_bandwidth=1e9, link_latency=1e-5)
    assert d.mode == "cpu" and d.transfer_s == pytest.approx(4.02e-3)
    assert d.options == {"cpu": pytest.approx(0.8e-3 + 4.02e-3)}
    # NNAPI 1.2 can decompose: 5 unfused primitive ops (10x the traffic) = 4 ms on the accelerator
    # beats the CPU's 4.82 ms; with a 10x faster link the CPU (0.8 + 0.42 ms) wins.
    dec = Cost(name="ln-dec", flops=1e6, reads={DRAM: 20e6}, writes={DRAM: 20e6}, dtype="fp16")
    d = npc.deploy.fallback("LayerNorm", "NNAPI", "1.2", "fp16", cost=OP, decomposed=dec, accel=ACC, cpu=CPU,
                            link_bandwidth=1e9, link_latency=1e-5)
    assert d.mode == "decompose" and d.options["decompose"] == pytest.approx(4e-3)
    d = npc.deploy.fallback("LayerNorm", "NNAPI", "1.2", "fp16", cost=OP, decomposed=dec, accel=ACC, cpu=CPU,
                            link_bandwidth=10e9, link_latency=1e-5)
    assert d.mode == "cpu" and d.options["cpu"] == pytest.approx(0.8e-3 + 0.4e-3 + 2e-5)
    # native layer but dtype not covered (TensorRT 8.6 LayerNorm: fp32/fp16 shown, not int8)
    d = npc.deploy.fallback("LayerNorm", "TensorRT", "8.6", "int8")
    assert d.mode == "decompose" and "int8" in d.reason
    # nothing to time: the entry's own level
    assert npc.deploy.fallback("LayerNorm", "NNAPI", "1.1").mode == "cpu"
    assert npc.deploy.fallback("FlashAttention", "ONNX", "17").mode == "custom"


def test_compatibility_bad_inputs():
    with pytest.raises(KeyError, match="TensorRT"):
        npc.deploy.lookup("LayerNorm", "TensorFlowLite", "2.14")
    with pytest.raises(KeyError, match="LayerNorm"):
        npc.deploy.lookup("Softmax", "TensorRT", "8.6")
    with pytest.raises(KeyError, match="no entry covers"):
        npc.deploy.lookup("LayerNorm", "TensorRT", "6.0")
    with pytest.raises(ValueError, match="link_bandwidth"):
        npc.deploy.fallback("LayerNorm", "NNAPI", "1.1", cost=OP, cpu=CPU, link_bandwidth=0)
    with pytest.raises(ValueError, match="support"):
        cm.CompatEntry("X", "Y", None, None, "maybe", (), "test")
    with pytest.raises(KeyError, match="fp7"):
        cm.CompatEntry("X", "Y", None, None, "native", ("fp7",), "test")
