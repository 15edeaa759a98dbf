"""One reader per source format; :func:`reader_for` picks one by source name."""

from __future__ import annotations

from pathlib import Path

from ..errors import IntakeError
from . import fire, mapped_csv, police_uk, police_uk_api
from .base import PARSED_COLUMNS, Reader

__all__ = ["PARSED_COLUMNS", "Reader", "reader_for"]

MAPPED_SOURCES = ("council_asb", "street_drinking")


def reader_for(source: str, mapping: str | Path | None = None, motive_column: str | None = None) -> Reader:
    """The reader for a source name.

    Parameters
    ----------
    source : {"police_uk", "police_uk_api", "fire", "council_asb", "street_drinking"}
    mapping : path, optional
        Column-mapping TOML; required for council_asb and street_drinking.
    motive_column : str, optional
        For fire records: the column saying deliberate or accidental.
    """
    if source == "police_uk":
        return police_uk.READER
    if source == "police_uk_api":
        return police_uk_api.READER
    if source == "fire":
        return fire.make_reader(motive_column)
    if source in MAPPED_SOURCES:
        if mapping is None:
            raise IntakeError(f"--source {source} needs --mapping FILE: a TOML file naming the CSV's id, date, "
                              "category and coordinate columns (see data/demo/raw/*_mapping.toml).")
        return mapped_csv.make_reader(source, mapped_csv.load_mapping(mapping))
    raise IntakeError(f"unknown source {source!r}; "
                      "use one of police_uk, police_uk_api, fire, council_asb, street_drinking.")
