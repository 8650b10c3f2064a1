"""SI prefixes, data-type sizes and human-readable formatting.

Conventions (see DESIGN.md): every quantity is a float in SI base units — seconds, bytes,
FLOP, watts, joules, hertz, bit/s. Rates use decimal prefixes (1 TB/s = 1e12 B/s,
100 Mbps = 1e8 bit/s); binary prefixes appear only for capacities where the source uses
them (96 KiB of SRAM). Bits and bytes never mix silently: :data:`BITS_PER_BYTE` is the one
conversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Decimal prefixes (SI).
KILO = 1e3
MEGA = 1e6
GIGA = 1e9
TERA = 1e12
PETA = 1e15
MILLI = 1e-3
MICRO = 1e-6
NANO = 1e-9
PICO = 1e-12

# Binary prefixes (IEC), for capacities only.
KIB = 1024.0
MIB = 1024.0**2
GIB = 1024.0**3

BITS_PER_BYTE = 8.0


@dataclass(frozen=True)
class DType:
    """A numeric format as the cost models see it.

    Attributes
    ----------
    name : str
        Canonical name (``"fp16"``, ``"nvfp4"``...).
    bits : float
        Bits per stored element, including any per-block scale overhead amortised over
        the block (e.g. nvfp4: 4 + 8/16 = 4.5 bits).
    family : str
        ``"float"`` or ``"int"``.
    source : str
        Where the layout is defined.
    """

    name: str
    bits: float
    family: str
    source: str

    @property
    def bytes(self) -> float:
        """Bytes per element: ``bits / 8``."""
        return self.bits / BITS_PER_BYTE


_DTYPES: dict[str, DType] = {
    d.name: d
    for d in (
        DType("fp64", 64, "float", "IEEE 754 binary64"),
        DType("fp32", 32, "float", "IEEE 754 binary32"),
        # TF32 is computed with a 10-bit mantissa but stored in 32-bit registers/memory.
        DType("tf32", 32, "float", "NVIDIA A100 whitepaper: TF32 operands are stored as FP32"),
        DType("bf16", 16, "float", "Google bfloat16 (8-bit exponent, 7-bit mantissa)"),
        DType("fp16", 16, "float", "IEEE 754 binary16"),
        DType("fp8_e4m3", 8, "float", "OCP 8-bit Floating Point Specification (OFP8) 1.0"),
        DType("fp8_e5m2", 8, "float", "OCP 8-bit Floating Point Specification (OFP8) 1.0"),
        DType("int32", 32, "int", "two's complement"),
        DType("int16", 16, "int", "two's complement"),
        DType("int8", 8, "int", "two's complement"),
        DType("int4", 4, "int", "two's complement, two values per byte"),
        # NVFP4: E2M1 values; one FP8 (E4M3) scale per block of 16 values.
        DType("nvfp4_raw", 4, "float", "NVIDIA Blackwell NVFP4: E2M1 element, scale not counted"),
        DType("nvfp4", 4 + 8 / 16, "float",
              "NVIDIA Blackwell NVFP4: E2M1 element + one E4M3 scale per 16 values"),
    )
}

_ALIASES = {
    "fp8": "fp8_e4m3",
    "e4m3": "fp8_e4m3",
    "e5m2": "fp8_e5m2",
    "float32": "fp32",
    "float16": "fp16",
    "half": "fp16",
    "float64": "fp64",
    "bfloat16": "bf16",
    "e2m1": "nvfp4_raw",
}


def dtype(name: str) -> DType:
    """Look up a data type by name or alias.

    Raises
    ------
    KeyError
        If ``name`` is not a known data type; the message lists the known names.
    """
    if not isinstance(name, str):
        raise KeyError(f"dtype must be a string name, got {name!r}")
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return _DTYPES[key]
    except KeyError:
        known = ", ".join(sorted(_DTYPES) + sorted(_ALIASES))
        raise KeyError(f"unknown dtype {name!r}; known: {known}") from None


def dtype_bytes(name: str) -> float:
    """Bytes per element of data type ``name`` (``dtype_bytes("fp16") == 2.0``).

    ``"nvfp4"`` includes its block scale (4.5 bits = 0.5625 B); ``"nvfp4_raw"`` is 0.5 B.
    """
    return dtype(name).bytes


def dtypes() -> tuple[str, ...]:
    """Canonical names of all known data types."""
    return tuple(_DTYPES)


_DECIMAL = ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""))
_BINARY = ((GIB * 1024, "Ti"), (GIB, "Gi"), (MIB, "Mi"), (KIB, "Ki"), (1.0, ""))


def _scaled(value: float, unit: str, table: tuple[tuple[float, str], ...], digits: int) -> str:
    if not math.isfinite(value):
        raise ValueError(f"cannot format non-finite value {value!r}")
    mag = abs(value)
    for factor, prefix in table:
        if mag >= factor:
            return f"{value / factor:.{digits}g} {prefix}{unit}"
    return f"{value:.{digits}g} {unit}"


def fmt_flops(x: float, digits: int = 4) -> str:
    """``fmt_flops(7.89e10) == '78.9 GFLOP'`` (decimal prefixes)."""
    return _scaled(float(x), "FLOP", _DECIMAL, digits)


def fmt_bytes(x: float, digits: int = 4, binary: bool = False) -> str:
    """``fmt_bytes(1.5e6) == '1.5 MB'``; ``binary=True`` gives KiB/MiB/GiB."""
    return _scaled(float(x), "iB" if binary else "B", _BINARY if binary else _DECIMAL, digits).replace(
        " iB", " B"
    )


def fmt_rate(x: float, unit: str = "FLOP/s", digits: int = 4) -> str:
    """A rate with a decimal prefix: ``fmt_rate(2e14) == '200 TFLOP/s'``."""
    return _scaled(float(x), unit, _DECIMAL, digits)


def fmt_time(seconds: float, digits: int = 4) -> str:
    """``fmt_time(2.5e-3) == '2.5 ms'``."""
    s = float(seconds)
    if not math.isfinite(s):
        raise ValueError(f"cannot format non-finite time {seconds!r}")
    mag = abs(s)
    for factor, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if mag >= factor:
            return f"{s / factor:.{digits}g} {unit}"
    return f"{s / 1e-12:.{digits}g} ps"
