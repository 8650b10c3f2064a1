"""A named-preset registry shared by the power models (OPP tables, idle states, thermal packages)."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Presets(Generic[T]):
    """Presets of one kind, keyed by their ``name`` attribute; unknown names raise KeyError listing them."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        """Add a preset (names are unique)."""
        name = getattr(item, "name")
        if name in self._items:
            raise ValueError(f"{self.kind} preset {name!r} already exists")
        self._items[name] = item
        return item

    def get(self, name: str) -> T:
        """The preset named ``name``; KeyError listing the presets."""
        try:
            return self._items[name]
        except (KeyError, TypeError):
            raise KeyError(f"unknown {self.kind} {name!r}; presets: {', '.join(sorted(self._items))}") from None

    def names(self) -> tuple[str, ...]:
        """Names of all presets, sorted."""
        return tuple(sorted(self._items))
