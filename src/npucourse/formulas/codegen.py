"""Generate ``_gen/<topic>.py`` — plain numpy functions — from the sympy registry.

Run ``python -m npucourse.formulas.codegen`` after changing a definitions module;
``tests/test_formulas.py`` fails while a generated file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from . import load_all
from .registry import TOPICS, Topic

GEN_DIR = Path(__file__).with_name("_gen")


class _Printer(NumPyPrinter):
    """NumPy printer whose Max/Min broadcast element-wise (numpy.maximum, not amax)."""

    def _print_Max(self, expr: sp.Max) -> str:  # noqa: N802 (sympy's naming)
        args = [self._print(a) for a in expr.args]
        out = args[0]
        for a in args[1:]:
            out = f"numpy.maximum({out}, {a})"
        return out

    def _print_erf(self, expr: sp.erf) -> str:  # noqa: N802
        return f"_erf({self._print(expr.args[0])})"

    def _print_Min(self, expr: sp.Min) -> str:  # noqa: N802
        args = [self._print(a) for a in expr.args]
        out = args[0]
        for a in args[1:]:
            out = f"numpy.minimum({out}, {a})"
        return out


def render(topic: Topic) -> str:
    """Source text of the generated module for ``topic``."""
    printer = _Printer({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
    body: list[str] = []
    for f in topic.formulas:
        code = printer.doprint(f.expr)
        args = ", ".join(f.args)
        sig = f"*, {args}" if args else ""
        body += [
            "",
            f"def {f.name}({sig}):",
            f'    """{f.description} [{f.unit}]: {sp.sstr(f.expr)}"""',
            f"    return {code}",
            "",
        ]
    modules = sorted(m for m in printer.module_imports if m != "numpy")
    head = [
        f'"""Generated from npucourse/formulas/defs/{topic.name}.py by',
        "``python -m npucourse.formulas.codegen``. Do not edit: change the sympy definition",
        'and regenerate."""',
        "",
        *[f"import {m}" for m in modules],
        "import math" if any("_erf(" in ln for ln in body) and "math" not in modules else "",
        "import numpy",
        "",
    ]
    if any("_erf(" in ln for ln in body):
        head += ["_erf = numpy.vectorize(math.erf, otypes=[float])  # numpy has no erf", ""]
    return "\n".join(ln for ln in head if ln is not None).replace("\n\nimport numpy", "\nimport numpy").rstrip() + "\n\n" + "\n".join(body).rstrip() + "\n"


def generate(check: bool = False) -> list[str]:
    """Write (or with ``check`` only compare) every generated module; return stale names."""
    load_all()
    GEN_DIR.mkdir(exist_ok=True)
    stale = []
    for name, topic in sorted(TOPICS.items()):
        path = GEN_DIR / f"{name}.py"
        text = render(topic)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
            if not check:
                path.write_text(text, encoding="utf-8")
    return stale


if __name__ == "__main__":
    check = "--check" in sys.argv
    stale = generate(check=check)
    if check and stale:
        print("stale generated formula modules: " + ", ".join(stale))
        sys.exit(1)
    print(("up to date" if not stale else "regenerated: " + ", ".join(stale)))
