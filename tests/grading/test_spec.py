"""The oracle's comparison rules, hand-checked."""

from npucourse.grading.spec import close


def test_numbers_with_tolerance():
    assert close(1.0 + 1e-7, 1.0, rtol=1e-6, atol=0)
    assert not close(1.1, 1.0, rtol=1e-6, atol=0)
    assert close(1e-13, 0.0, rtol=1e-6, atol=1e-12)
    assert not close(float("nan"), 1.0, rtol=1, atol=1)
    assert not close("1.0", 1.0, rtol=1e-6, atol=0)


def test_booleans_are_not_numbers():
    assert close(True, True, 0, 0)
    assert not close(1, True, 0, 0)
    assert not close(0, False, 0, 0)
    assert not close(True, 1.0, 0, 0)  # a bool is not a number answer either


def test_strings_lists_dicts():
    assert close(" Compute", "compute", 0, 0)
    assert close([1.0, "memory"], [1.0, "memory"], 1e-9, 0)
    assert not close([1.0], [1.0, 2.0], 1e-9, 0)
    assert close({"a": 1.0}, {"a": 1.0 + 1e-12}, 1e-9, 0)
    assert not close({"a": 1.0, "b": 2.0}, {"a": 1.0}, 1e-9, 0)
