"""The disclosure settings: ``[disclosure]`` of ``tasking.toml`` with the taxonomy's sensitive
categories (:class:`DisclosureRules`), read by every export. What they do is
:mod:`.disclosure`'s to say.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..configfile import Boolean, Number, Text, default_config_path, read_toml
from .errors import ReportError


@dataclass(frozen=True)
class DisclosureRules:
    """The disclosure settings (``[disclosure]`` of ``tasking.toml``).

    Attributes
    ----------
    min_count : int, default=5
        Counts from above 0 to below this are shown as :attr:`fewer_than`.
    wording : str, default="fewer than {n}"
        ``{n}`` is replaced by ``min_count``.
    sensitive_share : float, default=0.5
        A place with at least this share of sensitive incidents shows no category names.
    sensitive_label : str, default="Sensitive categories (aggregated)"
    include_free_text : bool, default=False
        Keep action-log notes, outcomes and action wording in exports.
    marking : str, default=""
        A protective marking printed on every page of the briefing pack (e.g. "OFFICIAL").
    sensitive_categories : tuple of str
        Category and subcategory names flagged ``sensitive`` in the taxonomy.
    status_labels : tuple of (str, str)
        ``(status, label)`` of ``tasking.toml``'s action statuses: either is kept after
        "tasked last period:", and the briefing pack shows the label.
    round_to : int, default=5
        Counts of places holding sensitive incidents are rounded to a multiple of this
        (harm to a multiple of ``round_to`` times :attr:`sensitive_weight`).
    grid_m : float, default=250
        The coarse grid (metres) that outlines and centroids of sensitive places are put on.
    sensitive_weight : float, default=1
        The heaviest harm weight of a sensitive category in the taxonomy.
    """

    min_count: int = 5
    wording: str = "fewer than {n}"
    sensitive_share: float = 0.5
    sensitive_label: str = "Sensitive categories (aggregated)"
    include_free_text: bool = False
    marking: str = ""
    sensitive_categories: tuple[str, ...] = ()
    status_labels: tuple[tuple[str, str], ...] = ()
    round_to: int = 5
    grid_m: float = 250.0
    sensitive_weight: float = 1.0

    @classmethod
    def load(cls, path: str | Path | None = None, *, taxonomy=None) -> DisclosureRules:
        """Read ``[disclosure]`` and the status names from ``tasking.toml``.

        Parameters
        ----------
        path : str or Path, optional
            ``tasking.toml``; None reads the packaged default.
        taxonomy : Taxonomy, optional
            Gives the sensitive category names (None: the packaged default taxonomy).

        Returns
        -------
        DisclosureRules
        """
        from ..geo.taxonomy import Taxonomy

        path = Path(path) if path is not None else default_config_path("tasking.toml")
        file = read_toml(path, error=ReportError)
        table = file.table("disclosure")
        values = table.read({  # the defaults are the class's; checked() below checks what a type cannot say
            "min_count": Number(cls.min_count, low=1, integer=True),
            "wording": Text(cls.wording),
            "sensitive_share": Number(cls.sensitive_share, low=0, high=1, low_open=True),
            "sensitive_label": Text(cls.sensitive_label),
            "include_free_text": Boolean(cls.include_free_text),
            "marking": Text(cls.marking),
            "round_to": Number(cls.round_to, low=1, integer=True),
            "grid_m": Number(cls.grid_m, low=10, unit="metres"),
        })
        taxonomy = taxonomy if taxonomy is not None else Taxonomy.load()
        entries = [e for vocabulary in taxonomy.vocabularies.values() for e in vocabulary.values()
                   if e.get("sensitive")]
        sensitive = sorted({name for e in entries for name in (e.get("category"), e.get("subcategory")) if name})
        weight = max([float(e.get("harm_weight", 1.0)) for e in entries], default=1.0)
        labels = tuple((key, status.text("label", key)) for key, status in file.table("statuses").tables().items())
        rules = cls(**values, sensitive_categories=tuple(sensitive), status_labels=labels, sensitive_weight=weight)
        return rules.checked(table.where)

    def with_options(self, *, min_count: int | None = None, include_free_text: bool | None = None) -> DisclosureRules:
        """A copy with the caller's overrides.

        Parameters
        ----------
        min_count : int, optional
            None keeps the configured value.
        include_free_text : bool, optional
            None keeps the configured value.

        Returns
        -------
        DisclosureRules
        """
        changes = {k: v for k, v in (("min_count", min_count), ("include_free_text", include_free_text))
                   if v is not None}
        return replace(self, **changes).checked("export options")

    def checked(self, where: str) -> DisclosureRules:
        """Return self if every setting is valid, else raise (TypeError / ReportError)."""
        if isinstance(self.min_count, bool) or not isinstance(self.min_count, (int, np.integer)):
            raise TypeError(f"{where}: min_count must be a whole number. Got {self.min_count!r} instead.")
        if self.min_count < 1:
            raise ReportError(f"{where}: min_count must be 1 or more (1 suppresses nothing). Got {self.min_count}.")
        if not isinstance(self.wording, str) or "{n}" not in self.wording:
            raise ReportError(f"{where}: wording must be text holding {{n}}, e.g. \"fewer than {{n}}\". "
                               f"Got {self.wording!r}.")
        if isinstance(self.sensitive_share, bool) or not isinstance(self.sensitive_share, (int, float)) \
                or not 0 < self.sensitive_share <= 1:
            raise ReportError(f"{where}: sensitive_share must be a number in (0, 1]. Got {self.sensitive_share!r}.")
        if not isinstance(self.include_free_text, bool):
            raise TypeError(f"{where}: include_free_text must be true or false. "
                            f"Got {self.include_free_text!r} instead.")
        if isinstance(self.round_to, bool) or not isinstance(self.round_to, (int, np.integer)) or self.round_to < 1:
            raise ReportError(f"{where}: round_to must be a whole number, 1 or more. Got {self.round_to!r}.")
        if isinstance(self.grid_m, bool) or not isinstance(self.grid_m, (int, float)) or not self.grid_m > 0:
            raise ReportError(f"{where}: grid_m must be a number of metres above 0. Got {self.grid_m!r}.")
        if not isinstance(self.marking, str) or not isinstance(self.sensitive_label, str):
            raise ReportError(f"{where}: marking and sensitive_label must be text (\"\" for no marking).")
        return self

    @property
    def fewer_than(self) -> str:
        """The text shown instead of a small count, e.g. "fewer than 5"."""
        return self.wording.format(n=self.min_count)

    def describe(self) -> list[str]:
        """The rules in words, for the "Suppressed" sheet, the About sheet and the pack's cover."""
        return [
            "Places are exported as outlines and aggregates only: no incident is shown as a point.",
            (f"Counts above 0 and below {self.min_count} are shown as \"{self.fewer_than}\"; every value that "
             "would reveal them is hidden with them: harm, change, z, repeat locations, sensitive share and "
             "category shares are \"suppressed\", the explanation keeps no figure, and the LSOA of a place that "
             "is not itself an LSOA is left out."),
            (f"Sensitive categories ({', '.join(self.sensitive_categories) or 'none configured'}) are aggregated as "
             f"\"{self.sensitive_label}\"; where they make up {self.sensitive_share:.0%} or more of a place, "
             f"no category is named. Fewer than {self.min_count} sensitive incidents at a place hide its "
             "sensitive share."),
            (f"Places holding sensitive incidents show counts rounded to the nearest {self.round_to} and harm to "
             f"the nearest {self._harm_step}, with change, z and the explanation worked from the rounded figures, "
             "so that lists with and without the sensitive categories cannot be differenced into a small count."),
            (f"Sensitive places (and small counts of sensitive incidents) are drawn as the {self.grid_m:g} m grid "
             "squares they reach, their centroids at a square's centre: no outline or point lies on an address."),
            "Free text (action wording, notes, outcomes) is "
            + ("included on request." if self.include_free_text else "left out."),
            "Other centroids are rounded to 10 m, shares to 0.01 and counts to 0.1.",
        ]

    @property
    def _harm_step(self) -> str:
        step = self.round_to * max(self.sensitive_weight, 1.0)
        return f"{step:g}"
