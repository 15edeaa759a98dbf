"""The partnership's taxonomy: each source's own category words mapped to a canonical
category, subcategory, groups, harm weight, lead agency and sensitivity.

The mapping lives in ``taxonomy.toml`` (defaults in ``data/config/``, a workspace's own
copy in ``WORKSPACE/config/``). Keys are a source's category words; a key may be a
glob pattern (``"Secondary Fire / * / Deliberate"``). Matching ignores case; an exact
key wins over a pattern, and patterns are tried in the order the file lists them.
Words with no match are kept as category ``"unmapped"`` and reported, never dropped.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import GeoError
from .validate import check_type

UNMAPPED = "unmapped"
FIELDS = ("category", "subcategory", "groups", "harm_weight", "lead_agency", "sensitive")


def default_config_path(name: str) -> Path:
    """Path of a default configuration file shipped with the package (``data/config/NAME``)."""
    check_type(name, "name", "default_config_path", str, type_name="a file name (str)")
    return Path(str(resources.files("hotspot_tasking.default_config").joinpath(name)))


@dataclass(frozen=True)
class Taxonomy:
    """A loaded taxonomy.

    Attributes
    ----------
    vocabularies : dict
        ``{vocabulary: {source words: entry}}``; an entry has the keys of ``FIELDS``.
    groups : dict
        ``{group id: {"label": ..., "source": ...}}``.
    unmapped_harm_weight : float
        Harm weight given to words the taxonomy does not know.
    path : pathlib.Path or None
        The file it came from.
    """

    vocabularies: dict[str, dict[str, dict]]
    groups: dict[str, dict]
    unmapped_harm_weight: float = 1.0
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Taxonomy":
        """Read ``taxonomy.toml`` (the packaged default when ``path`` is None)."""
        path = Path(path) if path is not None else default_config_path("taxonomy.toml")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise GeoError(f"{path.name}: not valid TOML ({err}); fix the line it names.") from err
        groups = data.get("groups", {})
        vocabularies = {}
        for vocab, entries in data.get("vocabularies", {}).items():
            vocabularies[vocab] = {key: _entry(path, vocab, key, entry, groups) for key, entry in entries.items()}
        defaults = data.get("defaults", {})
        return cls(vocabularies, groups, float(defaults.get("unmapped_harm_weight", 1.0)), path)

    def lookup(self, vocabulary: str, words: str) -> dict | None:
        """The entry for one source's words, or None when nothing matches (both arguments str)."""
        check_type(vocabulary, "vocabulary", "Taxonomy.lookup", str, type_name="a str")
        check_type(words, "words", "Taxonomy.lookup", str, type_name="a str")
        entries = self.vocabularies.get(vocabulary, {})
        folded = words.strip().casefold()
        for key, entry in entries.items():
            if key.casefold() == folded:
                return entry
        for key, entry in entries.items():
            if any(ch in key for ch in "*?[") and fnmatchcase(folded, key.casefold()):
                return entry
        return None

    def apply(self, vocabulary: str, source_category: pd.Series) -> pd.DataFrame:
        """Map a column of source words to the taxonomy's fields, once per distinct value.

        Returns a frame aligned to ``source_category`` with the columns ``category,
        subcategory, groups`` (ids joined with ``;``), ``harm_weight, lead_agency,
        sensitive``. Unknown words get category ``"unmapped"`` and the source's words
        as subcategory. ``vocabulary`` is a str, ``source_category`` a pandas Series.
        """
        check_type(vocabulary, "vocabulary", "Taxonomy.apply", str, type_name="a str")
        check_type(source_category, "source_category", "Taxonomy.apply", pd.Series, type_name="a pandas Series")
        codes, uniques = pd.factorize(source_category.astype("str").str.strip(), use_na_sentinel=False)
        rows = []
        for words in uniques:
            entry = self.lookup(vocabulary, words)
            if entry is None:
                entry = {"category": UNMAPPED, "subcategory": words, "groups": [],
                         "harm_weight": self.unmapped_harm_weight, "lead_agency": "", "sensitive": False}
            rows.append({**entry, "groups": ";".join(entry["groups"])})
        table = pd.DataFrame(rows, columns=list(FIELDS)) if rows else pd.DataFrame(columns=list(FIELDS))
        out = table.iloc[codes].reset_index(drop=True)
        out.index = source_category.index
        return out.astype({"harm_weight": "float32", "sensitive": "bool"})


def _entry(path: Path, vocab: str, key: str, entry: dict, groups: dict) -> dict:
    where = f"{path.name}, [vocabularies.{vocab}.\"{key}\"]"
    if "category" not in entry:
        raise GeoError(f"{where}: has no 'category'; add one.")
    weight = entry.get("harm_weight", 1.0)
    if not isinstance(weight, (int, float)) or not np.isfinite(weight) or weight < 0:
        raise GeoError(f"{where}: harm_weight must be a number of 0 or more, got {weight!r}.")
    unknown = [g for g in entry.get("groups", []) if g not in groups]
    if unknown:
        raise GeoError(f"{where}: names groups {unknown} that [groups] does not define; add them there or fix the spelling.")
    return {
        "category": str(entry["category"]),
        "subcategory": str(entry.get("subcategory", "")),
        "groups": list(entry.get("groups", [])),
        "harm_weight": float(weight),
        "lead_agency": str(entry.get("lead_agency", "")),
        "sensitive": bool(entry.get("sensitive", False)),
    }
