"""Suggested tactics and the lead agency of a place on a tasking list.

The tactic menu comes from ``tactics.toml`` (the workspace's copy, else the packaged
default in ``data/config/``; that file documents the format and quotes where each tactic
comes from). The lead agency is the taxonomy's ``lead_agency`` of the place's dominant
category, carried on every incident ("Violent Crime and Criminal Damage - Police; Arson -
Hampshire Fire and Rescue Service; Anti-Social Behaviour - Southampton City Council",
Southampton Safe City Partnership Plan 2009-12).

Examples
--------
>>> menu = TacticMenu.load()
>>> describe(menu.suggest("Robbery", band="after_school"))
'Patrol (Enforcement, Police); School-route presence (Reassure, Police); Transport hub presence (Reassure, TfL/BTP)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, zip_longest
from pathlib import Path

from ..configfile import ConfigTable, Text, default_config_path, read_toml
from ..labels import PIER_TAGS
from .errors import RankingError

FILE = "tactics.toml"
DEFAULT_MAX_PER_PLACE = 3
#: The keys of one ``[tactics.KEY]`` table (``pier`` is checked against :data:`PIER_TAGS`).
TACTIC = {
    "name": Text(min_len=1),
    "pier": Text(),
    "agency": Text(min_len=1),
    "source": Text(""),
}


@dataclass(frozen=True)
class Tactic:
    """One tactic of the menu.

    Attributes
    ----------
    key : str
        Its key in ``tactics.toml`` (``[tactics.KEY]``).
    name : str
        What people call it, e.g. ``"Deployable CCTV"``.
    pier : {"Prevent", "Intelligence", "Enforcement", "Reassure"}
    agency : str
        Who usually owns it.
    source : str
        Where it comes from (the partnership document it is quoted from).
    """

    key: str
    name: str
    pier: str
    agency: str
    source: str = ""

    def label(self) -> str:
        """``"Patrol (Enforcement, Police)"``."""
        return f"{self.name} ({self.pier}, {self.agency})"


@dataclass(frozen=True)
class TacticMenu:
    """The tactic menu of ``tactics.toml``.

    Attributes
    ----------
    tactics : dict
        ``{key: Tactic}`` in file order.
    by_category : dict
        ``{category or "category / subcategory": (key, ...)}``.
    by_band : dict
        ``{band name: (key, ...)}``.
    default : tuple of str
        Keys used when nothing else matches.
    max_per_place : int
        Tactics suggested per place.
    path : pathlib.Path or None
        The file it came from.
    """

    tactics: dict[str, Tactic]
    by_category: dict[str, tuple[str, ...]]
    by_band: dict[str, tuple[str, ...]]
    default: tuple[str, ...]
    max_per_place: int = DEFAULT_MAX_PER_PLACE
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> TacticMenu:
        """Read and check ``tactics.toml`` (the packaged default when ``path`` is None).

        Raises
        ------
        RankingError
            Invalid TOML, a tactic without a name, agency or PIER tag, or a menu naming a
            tactic that is not defined.
        """
        path = Path(default_config_path(FILE) if path is None else path)
        file = read_toml(path, error=RankingError)
        tactics = {key: _tactic(key, entry) for key, entry in file.table("tactics").tables().items()}
        if not tactics:
            raise file.problem("has no [tactics.KEY] tables; copy them from the default tactics.toml.")
        max_per_place = file.number("max_per_place", DEFAULT_MAX_PER_PLACE, low=1, integer=True)
        categories = file.table("categories").tables(quoted=True)  # category names, written in quotes
        by_category = {name: _keys(entry, tactics) for name, entry in categories.items()}
        by_band = {name: _keys(entry, tactics) for name, entry in file.table("bands").tables().items()}
        default = _keys(file.table("default"), tactics) if "default" in file else ()
        return cls(tactics, by_category, by_band, default, max_per_place, path)

    def suggest(self, category: str, *, subcategory: str = "", band: str | None = None) -> list[Tactic]:
        """The tactics for a place (see the rule in ``tactics.toml``'s header).

        Parameters
        ----------
        category : str
            The place's dominant category (taxonomy name).
        subcategory : str, default=""
            The leading subcategory within it, if any.
        band : str, optional
            The list's band, or the place's peak band; None or ``"all"``: none.

        Returns
        -------
        list of Tactic
            At most :attr:`max_per_place`, without duplicates.
        """
        what = list(self.by_category.get(f"{category} / {subcategory}", ())) if subcategory else []
        what += self.by_category.get(category, ())
        when = self.by_band.get(band, ()) if band else ()
        turns = chain.from_iterable(zip_longest(what, when))
        keys = dict.fromkeys(k for k in chain(turns, self.default) if k is not None)
        return [self.tactics[k] for k in list(keys)[: self.max_per_place]]


def describe(tactics: Sequence[Tactic]) -> str:
    """``"Patrol (Enforcement, Police); Licensing visit (Prevent, Licensing)"`` ("" for none)."""
    return "; ".join(t.label() for t in tactics)


def _tactic(key: str, entry: ConfigTable) -> Tactic:
    values = entry.read(TACTIC, strict=False)
    if values["pier"] not in PIER_TAGS:
        raise entry.problem(f"pier {values['pier']!r} is not a PIER tag; use one of {', '.join(PIER_TAGS)}.")
    return Tactic(key, values["name"].strip(), values["pier"], values["agency"].strip(), values["source"])


def _keys(entry: ConfigTable, tactics: dict[str, Tactic]) -> tuple[str, ...]:
    keys = entry.strings("tactics")
    unknown = [k for k in keys if k not in tactics]
    if unknown:
        raise entry.problem(f"{', '.join(map(repr, unknown))} is not a tactic of the file; define "
                            f"[tactics.{unknown[0]}] or use one of {', '.join(tactics)}.")
    return keys
