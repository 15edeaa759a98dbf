"""Colours and formats shared by every page: colour-blind-safe, UK dates (defined once in
:mod:`hotspot_tasking.labels`)."""

from ..labels import CATEGORICAL, UK_DATE

__all__ = ["CATEGORICAL", "UK_DATE", "colours"]


def colours(n: int) -> list[str]:
    """``n`` categorical colours (cycling past eight)."""
    return [CATEGORICAL[i % len(CATEGORICAL)] for i in range(n)]
