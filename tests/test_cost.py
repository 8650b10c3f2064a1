"""The cost record: algebra (sum, repeat), traffic accessors and validation."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npucourse.cost import DRAM, Cost

NUMERIC = ("macs", "flops", "params", "weight_bytes")

# Integer-valued floats below 2**40: sums of a few are exact, so equality is exact.
val = st.integers(0, 2**40).map(float)
levels = st.sampled_from([DRAM, "sram", "l2"])


@st.composite
def costs(draw):
    return Cost(
        name=draw(st.sampled_from(["", "a", "b"])),
        macs=draw(val), flops=draw(val), params=draw(val), weight_bytes=draw(val), out_bytes=draw(val),
        reads=draw(st.dictionaries(levels, val, max_size=3)),
        writes=draw(st.dictionaries(levels, val, max_size=3)),
        dtype=draw(st.sampled_from([None, "fp16", "int8"])),
    )


def same_numbers(x: Cost, y: Cost) -> bool:
    if any(getattr(x, f) != getattr(y, f) for f in NUMERIC):
        return False
    for lv in {*x.levels, *y.levels}:
        if x.reads.get(lv, 0.0) != y.reads.get(lv, 0.0) or x.writes.get(lv, 0.0) != y.writes.get(lv, 0.0):
            return False
    return True


@given(a=costs(), b=costs())
def test_addition_is_commutative(a, b):
    assert same_numbers(a + b, b + a)
    assert (a + b).dtype == (b + a).dtype


@given(a=costs(), b=costs(), c=costs())
def test_addition_is_associative(a, b, c):
    assert same_numbers((a + b) + c, a + (b + c))


@given(a=costs(), b=costs())
def test_addition_adds_every_field(a, b):
    s = a + b
    for f in NUMERIC:
        assert getattr(s, f) == getattr(a, f) + getattr(b, f)
    for lv in (DRAM, "sram", "l2"):
        assert s.bytes_at(lv) == a.bytes_at(lv) + b.bytes_at(lv)
    assert s.out_bytes == b.out_bytes  # the output of a sequence is the last operator's
    assert s.dtype == (a.dtype if a.dtype == b.dtype else None)


@given(cs=st.lists(costs(), min_size=1, max_size=6))
def test_sum_works(cs):
    total = sum(cs)
    assert isinstance(total, Cost)
    assert total.macs == math.fsum(c.macs for c in cs)
    assert total.bytes == math.fsum(c.bytes for c in cs)
    assert same_numbers(total, sum(cs, Cost()))


@given(a=costs(), k=st.integers(0, 1000))
def test_repeat(a, k):
    r = k * a
    assert same_numbers(r, a * k)
    for f in NUMERIC:
        assert getattr(r, f) == k * getattr(a, f)
    assert r.bytes == k * a.bytes
    if 1 <= k <= 12:
        assert same_numbers(r, sum([a] * k))
    assert same_numbers(a * 3.0, 3 * a)  # an integral float is a whole number too


def test_named_sum_and_identity():
    a = Cost("conv", macs=1.0, flops=2.0, reads={DRAM: 3.0}, dtype="fp16")
    b = Cost("relu", flops=1.0, reads={DRAM: 1.0}, writes={DRAM: 1.0}, dtype="fp16")
    assert (a + b).name == "conv+relu"
    assert a + 0 is a and 0 + a is a
    assert (a + b).levels == (DRAM,)
    assert (a + b).intensity == 3.0 / 5.0


@pytest.mark.parametrize("k", [-1, 1.5, True, "2", None, np.array([2])])
def test_repeat_needs_a_whole_number(k):
    a = Cost("x", macs=1.0)
    with pytest.raises((ValueError, TypeError)):
        k * a
    with pytest.raises((ValueError, TypeError)):
        a * k


def test_repeat_message_names_k():
    with pytest.raises(ValueError, match="k=-1"):
        Cost("x") * -1


def test_adding_something_else_fails():
    with pytest.raises(TypeError):
        Cost("x") + 1
    with pytest.raises(TypeError):
        "x" + Cost("x")


@pytest.mark.parametrize("field", ["macs", "flops", "params", "weight_bytes", "out_bytes"])
@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), np.array([1.0, -2.0]), "many"])
def test_validation_names_the_field(field, bad):
    with pytest.raises(ValueError, match=f"Cost.{field}"):
        Cost("x", **{field: bad})


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_traffic_validation_names_the_level(bad):
    with pytest.raises(ValueError, match=r"Cost.reads\['sram'\]"):
        Cost("x", reads={"sram": bad})
    with pytest.raises(ValueError, match=r"Cost.writes\['dram'\]"):
        Cost("x", writes={DRAM: bad})
    with pytest.raises(ValueError, match="Cost.reads"):
        Cost("x", reads=[("dram", 1.0)])


def test_records_are_frozen():
    a = Cost("x", reads={DRAM: 1.0})
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.macs = 3.0
    with pytest.raises(TypeError):
        a.reads[DRAM] = 5.0


def test_intensity_needs_bytes():
    with pytest.raises(ValueError, match="no bytes"):
        Cost("x", flops=1.0).intensity
    a = Cost("x", flops=6.0, reads={DRAM: 1.0, "sram": 2.0}, writes={"sram": 1.0})
    assert a.intensity == 6.0
    assert a.intensity_at("sram") == 2.0


def test_array_fields_add_and_repeat():
    a = Cost("x", macs=np.array([1.0, 2.0]), flops=np.array([2.0, 4.0]), reads={DRAM: np.array([1.0, 1.0])})
    b = Cost("y", macs=1.0, flops=2.0, reads={DRAM: 3.0})
    s = 2 * (a + b)
    assert np.array_equal(s.macs, [4.0, 6.0])
    assert np.array_equal(s.bytes, [8.0, 8.0])
    assert np.array_equal(s.intensity, [1.0, 1.5])
