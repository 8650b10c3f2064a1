"""Input checks shared by every model: each error names the parameter, its value and what is allowed."""

from __future__ import annotations

from typing import Any

import numpy as np


def _arr(name: str, value: Any) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return a


def positive(name: str, value: Any) -> Any:
    """Return ``value`` unchanged if every element is finite and > 0, else raise ValueError."""
    a = _arr(name, value)
    if not np.all(a > 0):
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def nonnegative(name: str, value: Any) -> Any:
    """Return ``value`` unchanged if every element is finite and >= 0, else raise ValueError."""
    a = _arr(name, value)
    if not np.all(a >= 0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def positive_int(name: str, value: Any) -> Any:
    """Return ``value`` if every element is a whole number >= 1 (ints or integral floats)."""
    a = _arr(name, value)
    if not np.all(a >= 1) or not np.all(a == np.floor(a)):
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return value


def nonnegative_int(name: str, value: Any) -> Any:
    """Return ``value`` if every element is a whole number >= 0."""
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
