"""How places are scored and ranked: the ``[ranking]`` table of ``tasking.toml``.

:class:`RankingConfig` holds the score's weights (:data:`WEIGHT_NAMES`) and the ranking's
other settings (baseline periods, repeat locations, trend, hot places, peak times, id
inheritance, disclosure), read and checked by :meth:`RankingConfig.load` from a
workspace's ``tasking.toml`` or the packaged default (that file explains every value).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..geo.taxonomy import default_config_path
from ..geo.workspace import Workspace
from .errors import RankingError

#: The score's components, in the order of ``[ranking.weights]``.
WEIGHT_NAMES = ("harm", "trend", "persistence", "repeat")
_DEFAULTS = {"baseline_periods": 12, "repeat_min_incidents": 3.0, "trend_full_z": 4.0, "hot_multiple": 2.0,
             "peak_cover": 0.5, "inherit_overlap": 0.3, "disclosure_min_count": 5.0}
_DEFAULT_WEIGHTS = {"harm": 0.4, "trend": 0.2, "persistence": 0.25, "repeat": 0.15}


@dataclass(frozen=True)
class RankingConfig:
    """The ``[ranking]`` table of ``tasking.toml`` (that file explains every value).

    Attributes
    ----------
    weights : dict
        ``{"harm", "trend", "persistence", "repeat": weight >= 0}``, not all 0.
    baseline_periods : int
        Periods before the review period in the baseline.
    repeat_min_incidents : float
        Incidents at one map point in the period that make it a repeat location.
    trend_full_z : float
        z at which the trend component reaches 1.
    hot_multiple : float
        Density multiple of the study area's mean that makes a place hot in a period.
    peak_cover : float
        Share (0-1] of timed incidents the peak days and the peak hours must hold.
    inherit_overlap : float
        Intersection over the smaller outline (0-1] for a hotspot to keep a previous id.
    disclosure_min_count : float
        Incidents a sensitive category needs at a place to be named in its categories
        (default ``[disclosure] min_count``, else 5).
    path : pathlib.Path or None
        The file the table came from (None: the built-in defaults).
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    baseline_periods: int = 12
    repeat_min_incidents: float = 3.0
    trend_full_z: float = 4.0
    hot_multiple: float = 2.0
    peak_cover: float = 0.5
    inherit_overlap: float = 0.3
    disclosure_min_count: float = 5.0
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> "RankingConfig":
        """Read ``[ranking]`` from ``path``; a file without it uses the packaged default's."""
        default = Path(default_config_path("tasking.toml"))
        path = default if path is None else Path(path)
        data = _toml(path)
        disclosure = data.get("disclosure", {}).get("min_count")
        table = data.get("ranking")
        if table is None and path != default:  # a workspace copy from before [ranking]: the packaged one
            path, data = default, _toml(default)
            table = data.get("ranking")
        table = dict(table or {})
        if disclosure is None:
            disclosure = data.get("disclosure", {}).get("min_count")
        if "disclosure_min_count" not in table and disclosure is not None:
            table["disclosure_min_count"] = disclosure
        where = f"{path.name}, [ranking]"
        unknown = sorted(set(table) - set(_DEFAULTS) - {"weights"})
        if unknown:
            raise RankingError(f"{where}: unknown keys {', '.join(unknown)}; use {', '.join([*_DEFAULTS, 'weights'])}.")
        values = {k: table.get(k, v) for k, v in _DEFAULTS.items()}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise RankingError(f"{where}: {key} must be a number above 0, got {value!r}; fix it.")
        for key in ("peak_cover", "inherit_overlap"):
            if values[key] > 1:
                raise RankingError(f"{where}: {key} is a share from 0 to 1, got {values[key]!r}; fix it.")
        if int(values["baseline_periods"]) != values["baseline_periods"]:
            raise RankingError(f"{where}: baseline_periods must be a whole number, got {values['baseline_periods']!r}.")
        weights = {**_DEFAULT_WEIGHTS, **table.get("weights", {})}
        bad = [k for k in weights if k not in WEIGHT_NAMES]
        if bad or any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in weights.values()) \
                or not sum(weights.values()) > 0:
            raise RankingError(f"{where}.weights: give harm, trend, persistence and repeat as numbers of 0 or more, "
                               f"not all 0; got {table.get('weights')!r}.")
        return cls({k: float(weights[k]) for k in WEIGHT_NAMES}, int(values.pop("baseline_periods")),
                   **{k: float(v) for k, v in values.items()}, path=path)

    @classmethod
    def for_workspace(cls, ws: Workspace) -> "RankingConfig":
        """The workspace's ``tasking.toml`` ``[ranking]``, else the packaged default's."""
        return cls.load(ws.config_path("tasking.toml"))


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise RankingError(f"{path.name}: not valid TOML ({err}); fix the line it names.") from err
