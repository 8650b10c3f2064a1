"""Helpers shared by the operator models."""

from __future__ import annotations

from .. import _validate as v
from ..units import dtype as _dtype


def elem_bytes(dtype: str) -> float:
    """Bytes per element of ``dtype`` (KeyError for an unknown name)."""
    return _dtype(dtype).bytes


def canonical(dtype: str) -> str:
    """Canonical dtype name."""
    return _dtype(dtype).name


def dims(**values: int) -> None:
    """Check that every named size is a whole number >= 1."""
    for name, value in values.items():
        v.positive_int(name, value)
