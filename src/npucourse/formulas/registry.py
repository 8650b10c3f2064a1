"""The formula registry: every formula of the course exactly once, as a sympy expression.

A *definitions module* (``npucourse/formulas/defs/<topic>.py``) declares its symbols and
formulas through a :class:`Topic`::

    t = Topic("gemm", section="2.3.1")
    M = t.symbol("M", "rows of A and C", "1", integer=True)
    t.formula("gemm_macs", M * N * K, unit="MAC", description="...", source="...")

Numbers never come from a second hand-written copy: ``python -m npucourse.formulas.codegen``
prints each expression as plain numpy code into ``npucourse/formulas/_gen/<topic>.py``; the
operator models import those generated functions (so ``import npucourse`` needs no sympy), and a
test checks that the generated files are up to date and equal to the expressions.

This module imports sympy; it is loaded only when ``npucourse.formulas`` is used.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

import sympy as sp

__all__ = ["SymbolInfo", "Formula", "Topic", "REGISTRY", "TOPICS"]


@dataclass(frozen=True)
class SymbolInfo:
    """Meaning and unit of one symbol of a formula."""

    symbol: sp.Symbol
    meaning: str
    unit: str

    @property
    def name(self) -> str:
        return self.symbol.name


@dataclass(frozen=True, eq=False)
class Formula:
    """One registered formula.

    Attributes
    ----------
    name : str
        Registry key, also the name of the generated numeric function.
    expr : sympy.Expr
        The expression, in the symbols of :attr:`symbols`.
    symbols : tuple of SymbolInfo
        The free symbols (arguments), in declaration order, with meaning and unit.
    unit : str
        Unit of the result.
    section : str
        Book section the formula serves (e.g. ``"2.3.1"``).
    description : str
        One line in Chinese or English, shown in the book's formula tables.
    source : str
        Paper, repository file or "derived: ..." for formulas derived by sympy.
    topic : str
        Definitions module the formula lives in.
    lhs : str
        LaTeX for the left-hand side (defaults to ``\\mathrm{name}``).
    """

    name: str
    expr: sp.Expr
    symbols: tuple[SymbolInfo, ...]
    unit: str
    section: str
    description: str
    source: str
    topic: str
    lhs: str = ""

    @property
    def args(self) -> tuple[str, ...]:
        """Argument names of the numeric function, in declaration order."""
        return tuple(s.name for s in self.symbols)

    @property
    def latex(self) -> str:
        """LaTeX of ``lhs = expr``."""
        lhs = self.lhs or r"\mathrm{" + self.name.replace("_", r"\_") + "}"
        return f"{lhs} = {sp.latex(self.expr)}"

    @property
    def numeric(self) -> Callable[..., Any]:
        """The generated numpy function (keyword-only arguments named as :attr:`args`)."""
        mod = importlib.import_module(f"npucourse.formulas._gen.{self.topic}")
        return getattr(mod, self.name)

    def __call__(self, **values: Any) -> Any:
        """Evaluate numerically (vectorised over numpy arrays).

        Raises
        ------
        TypeError
            If an argument is missing or unknown; the message lists the expected names.
        """
        missing = [a for a in self.args if a not in values]
        extra = [k for k in values if k not in self.args]
        if missing or extra:
            raise TypeError(
                f"formula {self.name!r} takes {', '.join(self.args)}; "
                f"missing {missing or 'none'}, unexpected {extra or 'none'}"
            )
        return self.numeric(**values)

    def exact(self, **values: Any) -> sp.Expr:
        """Evaluate exactly in sympy (rationals stay rational)."""
        subs = {s.symbol: sp.Rational(values[s.name]) if isinstance(values[s.name], (int, float, str))
                else sp.sympify(values[s.name]) for s in self.symbols}
        return self.expr.subs(subs)

    def __repr__(self) -> str:
        return f"Formula({self.name}: {self.expr} [{self.unit}], §{self.section})"


REGISTRY: dict[str, Formula] = {}
TOPICS: dict[str, "Topic"] = {}


@dataclass
class Topic:
    """Registrar for one definitions module: its symbols and its formulas."""

    name: str
    section: str
    symbols: dict[sp.Symbol, SymbolInfo] = field(default_factory=dict)
    formulas: list[Formula] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.name in TOPICS:
            raise ValueError(f"formula topic {self.name!r} is defined twice")
        TOPICS[self.name] = self

    def symbol(self, name: str, meaning: str, unit: str, **assumptions: Any) -> sp.Symbol:
        """Declare a symbol (positive by default) with its meaning and unit."""
        assumptions.setdefault("positive", True)
        s = sp.Symbol(name, **assumptions)
        if s in self.symbols:
            raise ValueError(f"symbol {name!r} declared twice in topic {self.name!r}")
        self.symbols[s] = SymbolInfo(s, meaning, unit)
        return s

    def formula(
        self,
        name: str,
        expr: Any,
        *,
        unit: str,
        description: str,
        source: str,
        section: str | None = None,
        lhs: str = "",
    ) -> Formula:
        """Register ``expr`` under ``name``; its free symbols must have been declared here."""
        if name in REGISTRY:
            raise ValueError(f"formula {name!r} is registered twice")
        expr = sp.sympify(expr)
        order = list(self.symbols)
        undeclared = [s for s in expr.free_symbols if s not in self.symbols]
        if undeclared:
            raise ValueError(f"formula {name!r} uses undeclared symbols {undeclared}")
        used = sorted(expr.free_symbols, key=order.index)
        f = Formula(
            name=name,
            expr=expr,
            symbols=tuple(self.symbols[s] for s in used),
            unit=unit,
            section=section or self.section,
            description=description,
            source=source,
            topic=self.name,
            lhs=lhs,
        )
        REGISTRY[name] = f
        self.formulas.append(f)
        return f
