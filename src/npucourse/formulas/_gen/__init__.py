"""Numeric functions generated from ``formulas/defs`` (no sympy here)."""
