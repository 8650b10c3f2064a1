"""Deployment models for Chapter 21 §21.1–21.2: conversion, quantization, compatibility, performance.

- :mod:`.conv_semantics` — ONNX Conv output shapes (asymmetric pads, ``auto_pad``) and a NumPy reference
- :mod:`.bn_folding` — BatchNorm folded into the preceding conv: :func:`fold_bn`
- :mod:`.gelu` — exact GELU and its tanh/sigmoid forms: values, error, per-element cost
- :mod:`.quantization` — affine/symmetric parameters (PyTorch), min-max / percentile / MSE /
  KL (TensorRT) calibration, quantize/dequantize, error metrics
- :mod:`.mixed_precision` — per-layer FP32/FP16/INT8 assignment under an accuracy budget (exact
  and greedy), plan checking
- :mod:`.compatibility` — operator compatibility matrix with sources; native / decompose / CPU fallback
- :mod:`.batching` — batch time, throughput and efficiency on the roofline (weights read once per batch)
- :mod:`.latency` — LLM latency breakdown (init, prefill, decode, post), operator shares, Amdahl
- :mod:`.conv_bounds` — where 1×1 and 3×3 convolutions sit on a roofline (exercise 21.2)

Note: ``npc.deploy.gelu`` is the function; the module is ``npucourse.deploy.gelu`` in ``sys.modules``.
"""

from __future__ import annotations

from .batching import (
    BatchSweep,
    PaddedBatch,
    batch_cost,
    batch_sweep,
    optimal_batch,
    padded_batch,
    padding_overhead_of,
    ridge_batch,
)
from .bn_folding import fold_bn
from .compatibility import MATRIX, SUPPORT, CompatEntry, FallbackDecision, fallback, lookup
from .conv_bounds import ConvBound, conv_bound, conv_bounds
from .conv_semantics import AUTO_PAD, ConvAttrs, conv2d_reference, conv_output_shape, resolve_pads
from .gelu import GELU_NODES, GeluError, gelu, gelu_cost, gelu_error, gelu_ops_per_element, normal_cdf
from .latency import (
    LatencyBreakdown,
    Priority,
    amdahl,
    amdahl_max,
    decode_step_costs,
    llm_latency,
    op_shares,
    optimization_priority,
)
from .mixed_precision import (
    PRECISIONS,
    Plan,
    PlanCheck,
    check_plan,
    precision_error,
    roofline_latencies,
    solve_brute_force,
    solve_exact,
    solve_greedy,
    weight_drops,
)
from .quantization import (
    METHODS,
    QuantError,
    QuantParams,
    code_range,
    dequantize,
    entropy_amax,
    fake_quant,
    quant_error,
    quant_params,
    quantize,
    relative_error,
)

__all__ = [
    "fold_bn",
    "AUTO_PAD", "ConvAttrs", "conv2d_reference", "conv_output_shape", "resolve_pads",
    "GELU_NODES", "GeluError", "gelu", "gelu_cost", "gelu_error", "gelu_ops_per_element", "normal_cdf",
    "METHODS", "QuantError", "QuantParams", "code_range", "dequantize", "entropy_amax", "fake_quant",
    "quant_error", "quant_params", "quantize", "relative_error",
    "PRECISIONS", "Plan", "PlanCheck", "check_plan", "precision_error", "roofline_latencies", "solve_brute_force",
    "solve_exact", "solve_greedy", "weight_drops",
    "MATRIX", "SUPPORT", "CompatEntry", "FallbackDecision", "fallback", "lookup",
    "BatchSweep", "PaddedBatch", "batch_cost", "batch_sweep", "optimal_batch", "padded_batch", "padding_overhead_of",
    "ridge_batch",
    "LatencyBreakdown", "Priority", "amdahl", "amdahl_max", "decode_step_costs", "llm_latency", "op_shares",
    "optimization_priority",
    "ConvBound", "conv_bound", "conv_bounds",
]
