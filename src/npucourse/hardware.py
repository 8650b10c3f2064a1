"""Hardware models: memory levels and peak rates, with named presets and their sources.

Peak rates count operations the way vendors do for "TOPS"/"TFLOPS": two per multiply–
accumulate. Every preset carries ``source`` — a datasheet, paper, or ``"assumption: ..."``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

from . import _validate as v
from .cost import DRAM
from .units import GIB, KIB, MIB, TERA, GIGA, dtype as _dtype


@dataclass(frozen=True)
class MemLevel:
    """One level of the memory hierarchy.

    Attributes
    ----------
    name : str
        Key used by cost records: ``"dram"`` (off-chip), ``"l2"``, ``"sram"``...
    bandwidth : float
        Sustained peak bandwidth [B/s].
    capacity : float, optional
        Capacity [B] (``None`` when it does not constrain the models).
    energy_per_byte : float, optional
        Access energy [J/B].
    label : str
        What it physically is (``"HBM2e"``, ``"LPDDR5"``...).
    """

    name: str
    bandwidth: float
    capacity: float | None = None
    energy_per_byte: float | None = None
    label: str = ""

    def __post_init__(self) -> None:
        v.positive(f"MemLevel({self.name}).bandwidth", self.bandwidth)
        if self.capacity is not None:
            v.positive(f"MemLevel({self.name}).capacity", self.capacity)
        if self.energy_per_byte is not None:
            v.nonnegative(f"MemLevel({self.name}).energy_per_byte", self.energy_per_byte)


@dataclass(frozen=True)
class Hardware:
    """A device as the roofline sees it.

    Attributes
    ----------
    name : str
        Preset name.
    peak : Mapping[str, float]
        Peak dense throughput per data type [op/s, 2 per MAC].
    levels : tuple of MemLevel
        Memory levels from the closest to compute to off-chip; exactly one is named ``"dram"``.
    tdp : float, optional
        Board/chip power [W].
    idle_power : float, optional
        Idle power [W].
    source : str
        Where the numbers come from.
    """

    name: str
    peak: Mapping[str, float]
    levels: tuple[MemLevel, ...]
    source: str
    tdp: float | None = None
    idle_power: float | None = None
    notes: str = ""
    _by_level: Mapping[str, MemLevel] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.peak:
            raise ValueError(f"Hardware {self.name!r}: peak must list at least one dtype")
        for dt, p in self.peak.items():
            _dtype(dt)  # KeyError for an unknown dtype
            v.positive(f"Hardware({self.name}).peak[{dt!r}]", p)
        object.__setattr__(self, "peak", MappingProxyType(dict(self.peak)))
        names = [lv.name for lv in self.levels]
        if len(set(names)) != len(names):
            raise ValueError(f"Hardware {self.name!r}: memory level names repeat: {names}")
        if DRAM not in names:
            raise ValueError(f"Hardware {self.name!r}: needs a memory level named {DRAM!r}, got {names}")
        object.__setattr__(self, "_by_level", MappingProxyType({lv.name: lv for lv in self.levels}))
        for label, p in (("tdp", self.tdp), ("idle_power", self.idle_power)):
            if p is not None:
                v.nonnegative(f"Hardware({self.name}).{label}", p)

    def peak_ops(self, dtype: str) -> float:
        """Peak throughput for ``dtype`` [op/s]; KeyError naming the supported dtypes."""
        key = _dtype(dtype).name
        try:
            return self.peak[key]
        except KeyError:
            raise KeyError(
                f"{self.name} has no peak rate for dtype {dtype!r}; it lists {', '.join(self.peak)}"
            ) from None

    def level(self, name: str = DRAM) -> MemLevel:
        """Memory level ``name``; KeyError naming the levels this device has."""
        try:
            return self._by_level[name]
        except KeyError:
            raise KeyError(f"{self.name} has no memory level {name!r}; it has {', '.join(self._by_level)}") from None

    def bandwidth(self, level: str = DRAM) -> float:
        """Bandwidth of memory ``level`` [B/s]."""
        return self.level(level).bandwidth

    def ridge_point(self, dtype: str, level: str = DRAM) -> float:
        """Ridge point ``peak / bandwidth`` [op/B] for ``dtype`` against memory ``level``."""
        from .formulas._gen.roofline import roofline_ridge

        return float(roofline_ridge(P=self.peak_ops(dtype), B=self.bandwidth(level)))


_PRESETS: dict[str, Hardware] = {}


def register(hw: Hardware) -> Hardware:
    """Add a preset (names are unique)."""
    if hw.name in _PRESETS:
        raise ValueError(f"hardware preset {hw.name!r} already exists")
    _PRESETS[hw.name] = hw
    return hw


def get(name: str) -> Hardware:
    """The preset named ``name``; KeyError listing the presets."""
    try:
        return _PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown hardware preset {name!r}; presets: {', '.join(sorted(_PRESETS))}") from None


def names() -> tuple[str, ...]:
    """Names of all presets."""
    return tuple(sorted(_PRESETS))


register(Hardware(
    name="npu-200",
    peak={"int8": 200 * TERA, "fp8_e4m3": 200 * TERA, "fp8_e5m2": 200 * TERA, "int4": 400 * TERA,
          "nvfp4": 400 * TERA, "fp16": 100 * TERA, "bf16": 100 * TERA, "fp32": 25 * TERA},
    levels=(
        MemLevel("sram", bandwidth=8 * TERA, capacity=16 * MIB, label="on-chip global buffer"),
        MemLevel(DRAM, bandwidth=1 * TERA, label="LPDDR5X/HBM (1 TB/s)"),
    ),
    source=("Chapter 2 draft §2.3.4: 200 TOPS int8, 1 TB/s DRAM. "
            "assumption: fp8 at the int8 rate, int4/nvfp4 at 2x, fp16/bf16 at 1/2, fp32 at 1/8 "
            "(a MAC array whose multipliers are built from int8 slices); "
            "assumption: 16 MiB on-chip SRAM at 8 TB/s"),
))

register(Hardware(
    name="edge-gpu",
    peak={"fp32": 1 * TERA, "fp16": 2 * TERA, "int8": 4 * TERA},
    levels=(MemLevel(DRAM, bandwidth=25.6 * GIGA, label="LPDDR4x, 25.6 GB/s"),),
    source=("Chapter 21 draft exercise 21.2: 1 TFLOPS, 25.6 GB/s (fp32). "
            "assumption: fp16 at 2x and int8 at 4x the fp32 rate"),
))

register(Hardware(
    name="a100-40gb",
    peak={"fp64": 9.7 * TERA, "fp32": 19.5 * TERA, "tf32": 156 * TERA, "fp16": 312 * TERA,
          "bf16": 312 * TERA, "int8": 624 * TERA, "int4": 1248 * TERA},
    levels=(
        MemLevel("sram", bandwidth=19.5 * TERA, capacity=108 * 192 * KIB,
                 label="shared memory/L1, 192 KB per SM x 108 SMs"),
        MemLevel("l2", bandwidth=5.0 * TERA, capacity=40 * MIB, label="L2 cache"),
        MemLevel(DRAM, bandwidth=1555 * GIGA, capacity=40 * GIB, label="HBM2 (1555 GB/s)"),
    ),
    tdp=400.0,
    source=("NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020), Table 1 (dense rates, "
            "SXM4 40 GB: HBM2 1555 GB/s, 40 MB L2, 192 KB L1/shared per SM, 108 SMs, 400 W). "
            "assumption: shared-memory aggregate 19.5 TB/s (128 B/clk/SM at 1.41 GHz) and "
            "L2 ~5 TB/s (measured figures vary)"),
))

_A100_40 = _PRESETS["a100-40gb"]
register(replace(
    _A100_40,
    name="a100-80gb",
    levels=(*_A100_40.levels[:-1],
            MemLevel(DRAM, bandwidth=2039 * GIGA, capacity=80 * GIB, label="HBM2e (2039 GB/s)")),
    source=("NVIDIA A100 80GB datasheet (2021): HBM2e 2039 GB/s (SXM), 400 W; compute rates and "
            "on-chip levels as a100-40gb (same GA100 chip)"),
))

register(Hardware(
    name="jetson-agx-orin",
    peak={"int8": 85 * TERA, "fp16": 42.5 * TERA, "fp32": 5.3 * TERA},
    levels=(MemLevel(DRAM, bandwidth=204.8 * GIGA, capacity=64 * GIB, label="LPDDR5 256-bit"),),
    tdp=60.0,
    source=("NVIDIA Jetson AGX Orin Series datasheet: GPU 170 sparse INT8 TOPS (so 85 dense), "
            "2048 CUDA cores at 1.3 GHz (5.3 TFLOPS fp32), 204.8 GB/s LPDDR5, 15-60 W; DLAs not "
            "modelled. assumption: dense fp16 tensor rate = half the dense int8 rate"),
))
