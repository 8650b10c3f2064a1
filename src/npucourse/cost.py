"""The one cost record every operator returns, and that networks add up.

Fields may be floats or numpy arrays (a sweep is one call). Records add field by field;
``k * cost`` repeats a layer k times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping, Union

import numpy as np

Num = Union[float, np.ndarray]

#: Name of the off-chip memory level (HBM, LPDDR, DDR...) in every record and hardware model.
DRAM = "dram"


def _freeze(m: Mapping[str, Num] | None) -> Mapping[str, Num]:
    return MappingProxyType(dict(m or {}))


def _check_field(label: str, value: Any) -> None:
    """ValueError naming ``label`` unless ``value`` is a finite number (or array) >= 0."""
    t = type(value)
    if t is float or t is int or t is np.float64:  # fast path: most records hold plain numbers
        if 0 <= value < math.inf:
            return
        raise ValueError(f"{label} must be finite and >= 0, got {value!r}")
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{label} must be a number or an array of numbers, got {value!r}") from None
    if np.any(~np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"{label} must be finite and >= 0, got {value!r}")


def _add_maps(a: Mapping[str, Num], b: Mapping[str, Num]) -> Mapping[str, Num]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out[k] + v if k in out else v
    return _freeze(out)


@dataclass(frozen=True, eq=False)
class Cost:
    """Cost of one operator, layer or network.

    Attributes
    ----------
    name : str
        What this is (layer name, or ``a+b`` for a sum).
    macs : float or ndarray
        Multiply–accumulates.
    flops : float or ndarray
        Operations: 2·MACs plus every non-MAC operation (adds, compares, exponentials...).
    reads, writes : Mapping[str, float or ndarray]
        Bytes read from / written to each memory level (key :data:`DRAM` for off-chip).
    params : float or ndarray
        Parameter count (elements).
    weight_bytes : float or ndarray
        Bytes of the parameters as stored.
    out_bytes : float or ndarray
        Bytes of the output activation (what a split point would send).
    out_shape : tuple of int, optional
        Output shape of the last operator in the record.
    dtype : str, optional
        Data type whose peak rate applies; ``None`` for a sum of mixed types.
    """

    name: str = ""
    macs: Num = 0.0
    flops: Num = 0.0
    reads: Mapping[str, Num] = field(default_factory=dict)
    writes: Mapping[str, Num] = field(default_factory=dict)
    params: Num = 0.0
    weight_bytes: Num = 0.0
    out_bytes: Num = 0.0
    out_shape: tuple[int, ...] | None = None
    dtype: str | None = None

    #: Let numpy defer to Cost's own operators (``np.int64(2) * cost`` repeats; an array fails).
    __array_ufunc__ = None

    def __post_init__(self) -> None:
        for label in ("reads", "writes"):
            m = getattr(self, label)
            if not isinstance(m, Mapping):
                raise ValueError(f"Cost.{label} must map memory level names to bytes, got {m!r}")
            object.__setattr__(self, label, _freeze(m))
        for fname in ("macs", "flops", "params", "weight_bytes", "out_bytes"):
            _check_field(f"Cost.{fname}", getattr(self, fname))
        for label, m in (("reads", self.reads), ("writes", self.writes)):
            for k, val in m.items():
                if not isinstance(k, str):
                    raise ValueError(f"Cost.{label} keys must be memory level names, got {k!r}")
                _check_field(f"Cost.{label}[{k!r}]", val)

    # -- traffic -----------------------------------------------------------------------------
    def bytes_at(self, level: str = DRAM) -> Num:
        """Bytes read plus written at memory ``level`` (0 where the record has no entry)."""
        return self.reads.get(level, 0.0) + self.writes.get(level, 0.0)

    @property
    def bytes(self) -> Num:
        """Off-chip (DRAM) bytes read plus written."""
        return self.bytes_at(DRAM)

    @property
    def levels(self) -> tuple[str, ...]:
        """Memory levels with traffic in this record."""
        return tuple(dict.fromkeys([*self.reads, *self.writes]))

    @property
    def intensity(self) -> Num:
        """Arithmetic intensity ``flops / bytes`` at DRAM [FLOP/B].

        Raises
        ------
        ValueError
            If the record moves no DRAM bytes (intensity undefined).
        """
        return self.intensity_at(DRAM)

    def intensity_at(self, level: str) -> Num:
        """Arithmetic intensity ``flops / bytes_at(level)``; ValueError if no bytes move there."""
        b = np.asarray(self.bytes_at(level), dtype=float)
        if np.any(b <= 0):
            raise ValueError(f"intensity undefined: {self.name or 'cost'} moves no bytes at level {level!r}")
        out = np.asarray(self.flops, dtype=float) / b
        return float(out) if out.ndim == 0 else out

    # -- algebra -----------------------------------------------------------------------------
    def __add__(self, other: "Cost") -> "Cost":
        if isinstance(other, (int, float)) and other == 0:
            return self
        if not isinstance(other, Cost):
            return NotImplemented
        names = [n for n in (self.name, other.name) if n]
        return Cost(
            name="+".join(names),
            macs=self.macs + other.macs,
            flops=self.flops + other.flops,
            reads=_add_maps(self.reads, other.reads),
            writes=_add_maps(self.writes, other.writes),
            params=self.params + other.params,
            weight_bytes=self.weight_bytes + other.weight_bytes,
            out_bytes=other.out_bytes,
            out_shape=other.out_shape,
            dtype=self.dtype if self.dtype == other.dtype else None,
        )

    def __radd__(self, other: Any) -> "Cost":
        if isinstance(other, (int, float)) and other == 0:  # sum() starts at 0
            return self
        return NotImplemented

    def __mul__(self, k: Any) -> "Cost":
        """``k`` identical copies (e.g. repeated blocks); ``k`` a whole number ≥ 0 (int or integral float)."""
        whole = isinstance(k, (int, np.integer)) or (isinstance(k, (float, np.floating)) and float(k).is_integer())
        if isinstance(k, (bool, np.bool_)) or not whole or k < 0:
            raise ValueError(f"a cost can be repeated a whole number >= 0 of times, got k={k!r}")
        return Cost(
            name=self.name,
            macs=self.macs * k,
            flops=self.flops * k,
            reads={lv: v * k for lv, v in self.reads.items()},
            writes={lv: v * k for lv, v in self.writes.items()},
            params=self.params * k,
            weight_bytes=self.weight_bytes * k,
            out_bytes=self.out_bytes,
            out_shape=self.out_shape,
            dtype=self.dtype,
        )

    __rmul__ = __mul__

    def renamed(self, name: str) -> "Cost":
        """The same record under another name."""
        return replace(self, name=name)

    def __repr__(self) -> str:
        def f(v: Num) -> str:
            a = np.asarray(v)
            return f"{float(a):.6g}" if a.ndim == 0 else f"array{a.shape}"

        return (
            f"Cost({self.name!r}, macs={f(self.macs)}, flops={f(self.flops)}, dram_bytes={f(self.bytes)}, "
            f"params={f(self.params)}, out_shape={self.out_shape}, dtype={self.dtype})"
        )
