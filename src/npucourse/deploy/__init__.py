"""Deployment models for Chapter 21: conversion, quantization, compatibility, performance.

- :mod:`.conv_semantics` — ONNX Conv output shapes (asymmetric pads, ``auto_pad``) and a NumPy reference
- :mod:`.bn_folding` — BatchNorm folded into the preceding conv: :func:`fold_bn`
- :mod:`.gelu` — exact GELU and its tanh/sigmoid forms: values, error, per-element cost
- :mod:`.quantization` — affine/symmetric parameters (PyTorch), min-max / percentile / MSE /
  KL (TensorRT) calibration, quantize/dequantize, error metrics
"""

from __future__ import annotations

from .bn_folding import fold_bn
from .conv_semantics import AUTO_PAD, ConvAttrs, conv2d_reference, conv_output_shape, resolve_pads
from .gelu import GELU_NODES, GeluError, gelu, gelu_cost, gelu_error, gelu_ops_per_element, normal_cdf
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
]
