"""The partnership's taxonomy: each source's own category words mapped to a canonical
category, subcategory, groups, harm weight, lead agency and sensitivity.

The mapping lives in ``taxonomy.toml`` (defaults in ``data/config/``, a workspace's own
copy in ``WORKSPACE/config/``). Keys are a source's category words; a key may be a
glob pattern (``"Secondary Fire / * / Deliberate"``). Matching ignores case; an exact
key wins over a pattern, and patterns are tried in the order the file lists them.
Words with no match are kept as category ``"unmapped"`` and reported, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import pandas as pd

from ..configfile import Boolean, ConfigTable, Number, Strings, Text, default_config_path, read_toml
from .errors import GeoError
from .validate import check_type

__all__ = ["FIELDS", "UNMAPPED", "Taxonomy", "default_config_path"]

UNMAPPED = "unmapped"
FIELDS = ("category", "subcategory", "groups", "harm_weight", "lead_agency", "sensitive")

#: The keys of one ``[vocabularies.VOCABULARY."source words"]`` entry.
ENTRY = {
    "category": Text(),
    "subcategory": Text(""),
    "groups": Strings(()),
    "harm_weight": Number(1.0, low=0),
    "lead_agency": Text(""),
    "sensitive": Boolean(False),
}


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
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """Read ``taxonomy.toml`` (the packaged default when ``path`` is None)."""
        path = Path(path) if path is not None else default_config_path("taxonomy.toml")
        file = read_toml(path, error=GeoError)
        groups = {name: dict(group) for name, group in file.table("groups").tables().items()}
        vocabularies = {vocab: {key: _entry(entry, groups) for key, entry in entries.tables(quoted=True).items()}
                        for vocab, entries in file.table("vocabularies").tables().items()}
        unmapped = file.table("defaults").number("unmapped_harm_weight", 1.0, low=0)
        return cls(vocabularies, groups, float(unmapped), path)

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


def _entry(entry: ConfigTable, groups: dict) -> dict:
    """One entry, checked as :data:`ENTRY` declares (other keys are left alone)."""
    values = entry.read(ENTRY, strict=False)
    unknown = [g for g in values["groups"] if g not in groups]
    if unknown:
        raise entry.problem(f"names groups {unknown} that [groups] does not define; add them there or fix the "
                            "spelling.")
    return {**values, "groups": list(values["groups"]), "harm_weight": float(values["harm_weight"])}
