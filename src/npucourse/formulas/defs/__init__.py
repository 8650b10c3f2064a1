"""Definitions modules: one per topic, each declaring symbols and formulas via ``Topic``."""
