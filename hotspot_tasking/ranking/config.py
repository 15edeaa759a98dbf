"""How places are scored and ranked: the ``[ranking]`` table of ``tasking.toml``.

:class:`RankingConfig` holds the score's weights (:data:`WEIGHT_NAMES`) and the ranking's
other settings (baseline periods, repeat locations, trend, hot places, peak times, id
inheritance, disclosure), read and checked by :meth:`RankingConfig.load` from a
workspace's ``tasking.toml`` or the packaged default (that file explains every value).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..configfile import Number, default_config_path, read_toml
from .errors import RankingError

#: The score's components, in the order of ``[ranking.weights]``.
WEIGHT_NAMES = ("harm", "trend", "persistence", "repeat")
#: The keys of ``[ranking]`` (besides ``[ranking.weights]``): type, range and default.
RANKING = {
    "baseline_periods": Number(12, low=0, low_open=True, integer=True, unit="review periods"),
    "repeat_min_incidents": Number(3.0, low=0, low_open=True, unit="incidents"),
    "trend_full_z": Number(4.0, low=0, low_open=True),
    "hot_multiple": Number(2.0, low=0, low_open=True),
    "peak_cover": Number(0.5, low=0, high=1, low_open=True),
    "inherit_overlap": Number(0.3, low=0, high=1, low_open=True),
    "disclosure_min_count": Number(5.0, low=0, low_open=True, unit="incidents"),
    "place_max_across_m": Number(250.0, low=0, low_open=True, unit="metres"),
    "hot_coverage": Number(0.05, low=0, high=1, low_open=True),
    "backtest_periods": Number(12, low=0, low_open=True, integer=True, unit="review periods"),
}
#: The keys of ``[ranking.weights]``: each 0 or more, not all 0.
WEIGHTS = {
    "harm": Number(0.4, low=0),
    "trend": Number(0.2, low=0),
    "persistence": Number(0.25, low=0),
    "repeat": Number(0.15, low=0),
}
_DEFAULT_WEIGHTS = {name: spec.default for name, spec in WEIGHTS.items()}


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
    place_max_across_m : float
        The widest a hotspot place may be, metres (larger hotspots are split at their peaks).
    hot_coverage : float
        Share (0-1] of the study area whose hottest cells make the hotspots.
    backtest_periods : int
        Period pairs the surface backtest scores.
    path : pathlib.Path or None
        The file the table came from (None: the built-in defaults).
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    baseline_periods: int = RANKING["baseline_periods"].default
    repeat_min_incidents: float = RANKING["repeat_min_incidents"].default
    trend_full_z: float = RANKING["trend_full_z"].default
    hot_multiple: float = RANKING["hot_multiple"].default
    peak_cover: float = RANKING["peak_cover"].default
    inherit_overlap: float = RANKING["inherit_overlap"].default
    disclosure_min_count: float = RANKING["disclosure_min_count"].default
    place_max_across_m: float = RANKING["place_max_across_m"].default
    hot_coverage: float = RANKING["hot_coverage"].default
    backtest_periods: int = RANKING["backtest_periods"].default
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> RankingConfig:
        """Read ``[ranking]`` from ``path``; a file without it uses the packaged default's.

        ``disclosure_min_count`` defaults to ``[disclosure] min_count`` of ``path`` (else of
        the packaged default, else 5).

        Raises
        ------
        RankingError
            The file cannot be read, or a key of ``[ranking]`` is unknown or out of range.
        """
        default = default_config_path("tasking.toml")
        path = default if path is None else Path(path)
        file = read_toml(path, error=RankingError)
        min_count = file.table("disclosure").number("min_count", None, low=0, low_open=True)
        if "ranking" not in file and path != default:  # a workspace copy from before [ranking]: the packaged one
            path, file = default, read_toml(default, error=RankingError)
            if min_count is None:
                min_count = file.table("disclosure").number("min_count", None, low=0, low_open=True)
        ranking = file.table("ranking")
        fields = dict(RANKING)
        if min_count is not None:
            fields["disclosure_min_count"] = replace(RANKING["disclosure_min_count"], default=min_count)
        values = ranking.read(fields, also=("weights",))
        weights = ranking.table("weights").read(WEIGHTS)
        if not sum(weights.values()) > 0:
            raise ranking.table("weights").problem(
                "harm, trend, persistence and repeat must not all be 0; got 0 for each. Fix: give at least one of "
                "them a weight above 0.")
        integers = {k: int(values.pop(k)) for k in ("baseline_periods", "backtest_periods")}
        return cls({k: float(w) for k, w in weights.items()}, **integers,
                   **{k: float(v) for k, v in values.items()}, path=path)
