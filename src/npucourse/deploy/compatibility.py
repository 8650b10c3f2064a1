"""Operator compatibility matrix and the fallback decision (Chapter 21 §21.1.5).

The matrix maps (framework, version range, operator) to a support level and the data types it
covers. It is seeded with the draft's LayerNorm table; each entry carries its ``source`` — a
document that shows it — or ``"draft: unverified"`` where only the draft says so. Where the
sources contradict the draft the entry follows the sources (see the corrections module
``ch21_deploy``):

* TensorRT has a native normalization layer (``INormalizationLayer``, ONNX opset-17
  ``LayerNormalization``) only from 8.6; 8.0–8.5 run LayerNorm as the primitive ONNX ops
  (fused by the builder), not as a layer.
* Core ML has a native LayerNorm layer since specification 4 (Core ML 3, iOS 13) — not only
  from Core ML 5.
* NNAPI has no LayerNorm operation at any level; from 1.2 it can be decomposed into MEAN, SUB,
  MUL, ADD and RSQRT.

Support levels: ``native`` (one kernel), ``decompose`` (primitive operators on the
accelerator), ``custom`` (needs a plugin / custom layer / vendor extension), ``fallback`` (run
on the CPU).

:func:`fallback` decides how to run an operator: native if supported for the dtype; otherwise
the faster of decomposition on the accelerator and CPU fallback, where the CPU path pays the
round trip of its tensors over the link (registry ``fallback_transfer_time``) plus its own
roofline time — the draft's rule "fall back only if T_cpu + T_transfer < T_accelerator".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .. import _validate as v
from ..cost import DRAM, Cost
from ..formulas._gen.deploy_performance import fallback_transfer_time
from ..hardware import Hardware
from ..roofline import analyze
from ..units import dtype as _dtype

__all__ = ["SUPPORT", "CompatEntry", "MATRIX", "frameworks", "operators", "lookup", "FallbackDecision",
           "fallback", "parse_version"]

SUPPORT = ("native", "decompose", "custom", "fallback")
DRAFT = "draft: unverified"


def parse_version(version: str | float | int) -> tuple[int, ...]:
    """``"8.6"`` → (8, 6); ``"2021.4"`` → (2021, 4); ValueError for anything else."""
    s = str(version).strip()
    try:
        parts = tuple(int(p) for p in s.split("."))
    except ValueError:
        raise ValueError(f"version must look like '8.6' (dot-separated whole numbers), got {version!r}") from None
    if not parts or any(p < 0 for p in parts):
        raise ValueError(f"version must look like '8.6', got {version!r}")
    return parts


@dataclass(frozen=True)
class CompatEntry:
    """Support of one operator in a range of versions of one framework.

    Attributes
    ----------
    framework, op : names as in :data:`MATRIX`
    min_version : inclusive lower bound, or None
    max_version : exclusive upper bound, or None
    support : one of :data:`SUPPORT`
    dtypes : data types covered (canonical names); empty = every float type the framework runs
    source : document showing it, or ``"draft: unverified"``
    note : what the entry means in practice
    """

    framework: str
    op: str
    min_version: str | None
    max_version: str | None
    support: str
    dtypes: tuple[str, ...]
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        v.choice("support", self.support, SUPPORT)
        for d in self.dtypes:
            _dtype(d)
        for b in (self.min_version, self.max_version):
            if b is not None:
                parse_version(b)

    def covers(self, version: str | float | int) -> bool:
        """Whether ``version`` lies in [min_version, max_version)."""
        ver = parse_version(version)
        lo = parse_version(self.min_version) if self.min_version else None
        hi = parse_version(self.max_version) if self.max_version else None
        return (lo is None or ver >= lo) and (hi is None or ver < hi)

    @property
    def versions(self) -> str:
        lo, hi = self.min_version, self.max_version
        return "all" if lo is None and hi is None else f"[{lo or '-'}, {hi or '-'})"


_TRT86 = ("TensorRT 8.6.1 C++ API: nvinfer1::INormalizationLayer; TensorRT 8.6 release notes: target ONNX "
          "opset 17 LayerNormalization for normalization layers")
_TRT_OLD = ("TensorRT 8.6 release notes (LayerNormalization function op is new to 8.6); TensorRT OSS 8.5.2 "
            "release: LayerNormPlugin added for the diffusion demo (a plugin, not a builder layer)")
_COREML = ("coremltools mlmodel/format/NeuralNetwork.proto: layerNormalization = 1350 and gelu = 795 in the "
           "block 'available only after Core ML Specification version >= 4 (iOS >= 13, macOS >= 10.15)'")
_NNAPI = ("Android NNAPI operation list (types.spec): no LAYER_NORMALIZATION; MEAN and SUB since feature "
          "level 2 (NNAPI 1.1), RSQRT since NNAPI 1.2 (ARM android-nn-driver 19.11 notes: 'Added RSQRT "
          "support - HAL 1.2')")
_ONNX_GELU = "ONNX operator Gelu, since_version 20 (attribute approximate = 'none' | 'tanh')"
_ONNX_LN = "ONNX operator LayerNormalization, since_version 17 (a function op)"

#: The matrix. Keys of :func:`lookup` are framework and operator names exactly as written here.
MATRIX: tuple[CompatEntry, ...] = (
    # LayerNorm (the draft's table, §21.1.5), corrected where a source contradicts it
    CompatEntry("TensorRT", "LayerNorm", "8.6", None, "native", ("fp32", "fp16"), _TRT86,
                "INormalizationLayer; INT8 as the draft says is not shown by the sources"),
    CompatEntry("TensorRT", "LayerNorm", "7.0", "8.6", "decompose", (), _TRT_OLD,
                "ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add from the ONNX graph, fused by the builder"),
    CompatEntry("CoreML", "LayerNorm", "3", None, "native", ("fp32", "fp16"), _COREML,
                "LayerNormalizationLayer (spec 4 = Core ML 3, iOS 13)"),
    CompatEntry("CoreML", "LayerNorm", None, "3", "decompose", (), _COREML, "before spec 4: MVN + scale/bias"),
    CompatEntry("NNAPI", "LayerNorm", "1.3", None, "custom", ("fp32", "fp16"), DRAFT,
                "draft: 'via extension operations' (vendor extensions are device-specific)"),
    CompatEntry("NNAPI", "LayerNorm", "1.2", "1.3", "decompose", ("fp32", "fp16"), _NNAPI,
                "MEAN, SUB, MUL, ADD, RSQRT"),
    CompatEntry("NNAPI", "LayerNorm", None, "1.2", "fallback", (), DRAFT + " (consistent with " + _NNAPI + ")",
                "no RSQRT/SQRT before 1.2"),
    CompatEntry("SNPE", "LayerNorm", "2.0", None, "native", ("fp32", "int8"), DRAFT),
    CompatEntry("SNPE", "LayerNorm", None, "2.0", "custom", (), DRAFT, "custom UDO layer"),
    CompatEntry("OpenVINO", "LayerNorm", None, None, "native", ("fp32", "fp16"), DRAFT,
                "draft: native and fused automatically"),
    CompatEntry("ONNX", "LayerNorm", "17", None, "native", ("fp32", "fp16", "bf16"), _ONNX_LN,
                "version = opset"),
    CompatEntry("ONNX", "LayerNorm", None, "17", "decompose", (), _ONNX_LN, "exporters emit primitive ops"),
    # GELU (§21.1.5, exercise 21.1)
    CompatEntry("ONNX", "GELU", "20", None, "native", ("fp32", "fp16", "bf16"), _ONNX_GELU, "version = opset"),
    CompatEntry("ONNX", "GELU", "9", "20", "decompose", (), "ONNX operator Erf, since_version 9",
                "Div, Erf, Add, Mul, Mul (see deploy.gelu.GELU_NODES)"),
    CompatEntry("CoreML", "GELU", "3", None, "native", ("fp32", "fp16"), _COREML, "GeluLayerParams (exact/tanh/sigmoid)"),
    CompatEntry("TensorRT", "GELU", None, None, "decompose", (),
                "TensorRT 6.0.1 release notes: 'PointWise fusion: multiple adjacent pointwise layers can be fused "
                "into a single pointwise layer'", "the decomposed graph runs as one fused pointwise kernel"),
    # Attention kernels (§21.1.1)
    CompatEntry("ONNX", "FlashAttention", None, None, "custom", (), DRAFT + " (no such ONNX operator)",
                "custom op domain, or decompose into MatMul/Softmax/MatMul (loses the tiling)"),
)


def frameworks() -> tuple[str, ...]:
    """Framework names in :data:`MATRIX`."""
    return tuple(dict.fromkeys(e.framework for e in MATRIX))


def operators() -> tuple[str, ...]:
    """Operator names in :data:`MATRIX`."""
    return tuple(dict.fromkeys(e.op for e in MATRIX))


def lookup(op: str, framework: str, version: str | float | int) -> CompatEntry:
    """The entry for ``op`` in ``framework`` at ``version``.

    Raises
    ------
    KeyError
        Unknown framework, an operator the matrix has no entry for in that framework, or a
        version no entry covers — each message lists what exists.
    """
    if framework not in frameworks():
        raise KeyError(f"unknown framework {framework!r}; known: {', '.join(frameworks())}")
    rows = [e for e in MATRIX if e.framework == framework and e.op == op]
    if not rows:
        ops = sorted({e.op for e in MATRIX if e.framework == framework})
        raise KeyError(f"no entry for operator {op!r} in {framework}; it has: {', '.join(ops)}")
    for e in rows:
        if e.covers(version):
            return e
    raise KeyError(f"{framework} {op}: no entry covers version {version!r}; entries: "
                   f"{', '.join(e.versions for e in rows)}")


@dataclass(frozen=True)
class FallbackDecision:
    """How an operator runs, and the times that decided it.

    Attributes
    ----------
    mode : "native", "decompose", "custom" or "cpu"
    entry : the matrix entry
    reason : one line
    options : candidate mode → time [s] (only those that could be timed)
    transfer_s : CPU round-trip transfer time [s] (0 unless a CPU option was timed)
    """

    mode: str
    entry: CompatEntry
    reason: str
    options: Mapping[str, float]
    transfer_s: float


def fallback(op: str, framework: str, version: str | float | int, dtype: str = "fp16", *,
             cost: Cost | None = None, decomposed: Cost | None = None, accel: Hardware | None = None,
             cpu: Hardware | None = None, cpu_dtype: str = "fp32", link_bandwidth: float | None = None,
             link_latency: float = 0.0, in_bytes: float | None = None, out_bytes: float | None = None,
             ) -> FallbackDecision:
    """Decide native / decompose / CPU fallback for ``op`` in ``framework`` ``version`` at ``dtype``.

    Parameters
    ----------
    cost : the operator's record as one kernel (for the CPU roofline and as the default
        decomposed cost)
    decomposed : the record of its decomposition on the accelerator (e.g. unfused primitive
        ops); defaults to ``cost``
    accel, cpu : devices; the CPU runs ``cost`` at ``cpu_dtype``
    link_bandwidth : bytes/s between accelerator and CPU memory (PCIe, or a memory copy on a
        shared-memory SoC); link_latency : seconds per transfer
    in_bytes, out_bytes : bytes sent to the CPU and back (default: the record's DRAM reads minus
        its weights, and its output bytes)

    Returns
    -------
    FallbackDecision
        native when the entry is native and covers ``dtype``; otherwise the fastest timed option
        among decompose (if the entry allows it) and CPU (if CPU and link are given); with
        nothing to time, the entry's own level (``fallback`` → ``"cpu"``).
    """
    e = lookup(op, framework, version)
    dt = _dtype(dtype).name
    if e.support == "native" and (not e.dtypes or dt in e.dtypes):
        opts = {"native": float(analyze(cost, accel, dtype=dt, levels="dram").time_s)} if cost and accel else {}
        return FallbackDecision("native", e, f"{framework} {e.versions} runs {op} natively in {dt}", opts, 0.0)
    options: dict[str, float] = {}
    transfer = 0.0
    can_decompose = e.support in ("decompose", "custom") or e.support == "native"
    if can_decompose and accel is not None and (decomposed or cost) is not None:
        options["decompose"] = float(analyze(decomposed or cost, accel, dtype=dt, levels="dram").time_s)
    if cpu is not None and cost is not None and link_bandwidth is not None:
        v.positive("link_bandwidth", link_bandwidth)
        v.nonnegative("link_latency", link_latency)
        qin = float(cost.reads.get(DRAM, 0.0)) - float(cost.weight_bytes) if in_bytes is None else float(in_bytes)
        qout = float(cost.out_bytes) if out_bytes is None else float(out_bytes)
        v.nonnegative("in_bytes", qin)
        v.nonnegative("out_bytes", qout)
        transfer = float(fallback_transfer_time(Q_in=qin, Q_out=qout, B_link=link_bandwidth, t_lat=link_latency))
        options["cpu"] = float(analyze(cost, cpu, dtype=cpu_dtype, levels="dram").time_s) + transfer
    why = (f"{dt} not in the native types {e.dtypes}" if e.support == "native"
           else f"{framework} {e.versions}: {e.support}")
    if options:
        mode = min(options, key=options.get)  # type: ignore[arg-type]
        return FallbackDecision(mode, e, f"{why}; fastest option: {mode}", options, transfer)
    mode = {"fallback": "cpu", "custom": "custom"}.get(e.support, "decompose")
    return FallbackDecision(mode, e, f"{why} (no costs given to compare)", options, transfer)
