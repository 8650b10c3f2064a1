"""The machine a benchmark ran on, printed at the top of every benchmark's output."""

from __future__ import annotations

import os
import platform
import sys


def describe() -> str:
    """One line: platform, CPU count, Python and numpy versions."""
    import numpy

    return (f"machine: {platform.platform()} | {platform.machine()} | cpus={os.cpu_count()} | "
            f"Python {platform.python_version()} ({sys.implementation.name}) | numpy {numpy.__version__}")


def load() -> str:
    """The 1-minute load average (where the OS reports it): a busy machine makes timings noisy."""
    try:
        return f"load average (1 min): {os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "load average: unavailable"
