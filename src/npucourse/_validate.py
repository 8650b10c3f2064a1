"""Input checks shared by every model: each error names the parameter, its value and what is allowed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _plain(value: Any) -> bool:
    """A Python int or float (not bool): checked without numpy, the common case in models."""
    t = type(value)
    return t is int or t is float


def _arr(name: str, value: Any) -> np.ndarray:
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):  # ragged sequences
        a = np.asarray(None)
    if a.dtype.kind not in "biuf":  # strings, objects, None: not numbers even if numpy could parse them
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}")
    a = a.astype(float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return a


def positive(name: str, value: Any) -> Any:
    """Return ``value`` unchanged if every element is finite and > 0, else raise ValueError."""
    if _plain(value):
        if 0 < value < math.inf:
            return value
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    a = _arr(name, value)
    if not np.all(a > 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def nonnegative(name: str, value: Any) -> Any:
    """Return ``value`` unchanged if every element is finite and >= 0, else raise ValueError."""
    if _plain(value):
        if 0 <= value < math.inf:
            return value
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    a = _arr(name, value)
    if not np.all(a >= 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def positive_int(name: str, value: Any) -> Any:
    """Return ``value`` if every element is a whole number >= 1 (ints or integral floats)."""
    if type(value) is int:
        if value >= 1:
            return value
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    a = _arr(name, value)
    if not np.all(a >= 1) or not np.all(a == np.floor(a)):
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return value


def nonnegative_int(name: str, value: Any) -> Any:
    """Return ``value`` if every element is a whole number >= 0."""
    if type(value) is int:
        if value >= 0:
            return value
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    a = _arr(name, value)
    if not np.all(a >= 0) or not np.all(a == np.floor(a)):
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    return value


def probability(name: str, value: Any) -> Any:
    """Return ``value`` if every element lies in [0, 1]."""
    a = _arr(name, value)
    if not np.all((a >= 0) & (a <= 1)):
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return value


def choice(name: str, value: Any, allowed: tuple[Any, ...]) -> Any:
    """Return ``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed!r}, got {value!r}")
    return value
