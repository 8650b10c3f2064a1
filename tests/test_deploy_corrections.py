"""Chapter 21 §21.1–21.2 corrections: well-formed, computed, and agreeing with hand values."""

from __future__ import annotations

import math
import re

import pytest

from npucourse.corrections import VERDICTS, Correction
from npucourse.corrections.ch21_deploy import corrections

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def corr() -> dict[str, Correction]:
    out = corrections()
    ids = [c.id for c in out]
    assert len(ids) == len(set(ids))
    return {c.id: c for c in out}


def test_well_formed(corr):
    assert len(corr) >= 12
    for c in corr.values():
        assert c.id.startswith("ch21-deploy-") and c.chapter == 21 and c.verdict in VERDICTS
        assert CJK.search(c.claim) and CJK.search(c.reason), c.id
        assert c.source and c.draft_value
        if isinstance(c.model_value, float):
            assert math.isfinite(c.model_value), c.id


def test_model_values_match_hand_derivations(corr):
    assert corr["ch21-deploy-edge-ridge"].model_value == 1e12 / 25.6e9
    assert corr["ch21-deploy-bn-fold"].model_value < 1e-12
    # 1×1 64->64 @56×56 fp32: 2·3136·4096 / (4·(2·64·3136 + 4096)) = 15.84; 3×3: 131.89
    assert "1×1: 15.8, 3×3: 131.9" == corr["ch21-deploy-conv-intensity"].model_value
    # fused GELU tanh form in fp32: 9 ops per element over 4 + 4 bytes
    assert corr["ch21-deploy-fusion-bound"].model_value == pytest.approx(9 / 8)
    # sigmoid GELU max abs error on [-3, 3] is about 0.0203 (>> 0.1 %)
    assert 0.02 < corr["ch21-deploy-gelu-sigmoid-error"].model_value < 0.021
    # memory-bound decode: bytes ratio fp16 / int8 = 2, fp16 / int4 = 4
    assert corr["ch21-deploy-weight-quant-speedup"].model_value == "INT8 2.00×, INT4 4.00×"
    # the draft's traffic B·(Q_w + Q_a) over Q_w + B·Q_a lies between 1 and B = 8
    assert 1 < corr["ch21-deploy-batch-weight-traffic"].model_value < 8
