"""What a tasking list is asked for (:class:`TaskingRequest`), and what the workspace gives
the ranking besides the incidents (:class:`RankingContext`).

A request is frozen and hashable: the CLI builds one from its options, the pages from
their widgets, and the same request gives the same list and ids everywhere (the pipeline
caches and stores lists by it). The context is read from a workspace at the pipeline's
edge (:func:`hotspot_tasking.pipeline.context.ranking_context`), so the ranking itself
reads no files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

import geopandas as gpd

from ..boundaries.study import latest_layer
from ..geo.timebands import TimeBands
from ..labels import ALL_TIMES
from ..validation import check_choice, check_number, check_strings, check_type
from .config import RankingConfig
from .errors import RankingError
from .names import RoadIndex
from .schema import CANDIDATE_KINDS, CandidateKind
from .tactics import TacticMenu

RankMethod = Literal["surface", "dbscan"]
RANK_METHODS: tuple[str, ...] = get_args(RankMethod)
_WHERE = "TaskingRequest"


@dataclass(frozen=True)
class TaskingRequest:
    """One tasking list, as a person asks for it.

    Attributes
    ----------
    period : str
        ``"2017-07"`` (a month), ``"2017-07-03"`` (the week from that Monday) or ``"2017-W27"``.
    band : str, default="all"
        A band of ``time_bands.toml``, or ``"all"``.
    candidates : {"hotspot", "ward", "lsoa", "zone"}, default="hotspot"
        Hotspot outlines found in the period, or the areas of a layer.
    method : {"surface", "dbscan"}, default="surface"
        How hotspots are found (``candidates="hotspot"`` only): micro-places split from the
        hottest cells of the surface the backtest chose (:mod:`.micro`), or DBSCAN's clusters
        as found.
    surface : str, optional
        Pin a candidate surface by name (``"naive"``, ``"counts-6-decay"``,
        ``"kde-150m-3"``: ``hotspot-tasking backtest`` lists them) instead of the
        backtest's best (``method="surface"`` only).
    layer : str, optional
        The area layer for ward, LSOA or zone candidates; default the latest ward or LSOA
        layer, or every zone layer.
    categories, groups, sources : tuple of str, optional
        Only these incidents (None: all). Lists are turned into tuples.
    top : int, optional
        Keep the first ``top`` places (scores are computed over all of them first).
    baseline_periods : int, optional
        Periods in the baseline, 1 or more; default ``[ranking] baseline_periods`` (12).
    cell_size_m, bandwidth_m : float, optional
        The grid cell and the candidate kernels' bandwidth, metres; None leaves each to its
        documented rule.
    eps_m : float, optional
        DBSCAN neighbourhood radius, metres; None: its rule.
    min_samples : int, optional
        DBSCAN core-point weight; None: its rule.
    area : (str, str), optional
        ``(layer name, area code)``: list the places as a partnership whose study area is
        this one area would (``hotspot-tasking tasking --each-area``); the pipeline reads the
        area's outline and the incidents within the import margin of it
        (:func:`hotspot_tasking.pipeline.context.area_reach`). None: the workspace's study area.

    Raises
    ------
    TypeError, RankingError
        A value of the wrong type, or a choice or number out of range.
    """

    period: str
    band: str = ALL_TIMES
    candidates: CandidateKind = "hotspot"
    method: RankMethod = "surface"
    surface: str | None = None
    layer: str | None = None
    categories: tuple[str, ...] | None = None
    groups: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    top: int | None = None
    baseline_periods: int | None = None
    cell_size_m: float | None = None
    bandwidth_m: float | None = None
    eps_m: float | None = None
    min_samples: int | None = None
    area: tuple[str, str] | None = None

    def __post_init__(self):
        check_type(self.period, "period", _WHERE, str, type_name="a str")
        check_type(self.band, "band", _WHERE, str, type_name="a str")
        check_type(self.layer, "layer", _WHERE, str, type_name="a str", optional=True)
        check_type(self.surface, "surface", _WHERE, str, type_name="a str", optional=True)
        check_choice(self.candidates, "candidates", _WHERE, CANDIDATE_KINDS, error=RankingError)
        check_choice(self.method, "method", _WHERE, RANK_METHODS, error=RankingError)
        for name in ("categories", "groups", "sources"):
            object.__setattr__(self, name, check_strings(getattr(self, name), name, _WHERE))
        if self.area is not None:
            area = check_strings(self.area, "area", _WHERE)
            if len(area) != 2:
                raise RankingError(f"The 'area' parameter of {_WHERE} must be a (layer, area code) pair. "
                                   f"Got {len(area)} values instead.")
            object.__setattr__(self, "area", area)
        for name in ("top", "baseline_periods", "min_samples"):
            value = getattr(self, name)
            if value is not None:
                check_number(value, name, _WHERE, low=1, low_open=False, integer=True, error=RankingError)
        for name in ("cell_size_m", "bandwidth_m", "eps_m"):
            value = getattr(self, name)
            if value is not None:
                check_number(value, name, _WHERE, error=RankingError)

    def key(self) -> str:
        """A short stable digest of the question this request asks, the same for every period.

        Two requests are the same question when they would list the same kind of places
        the same way: same band, candidates, categories, groups, sources (in any order)
        and ``baseline_periods``; for hotspots the same method, ``surface``,
        ``cell_size_m`` and ``bandwidth_m`` (and ``eps_m``, ``min_samples`` for DBSCAN);
        for areas the same ``layer``; and the same ``area`` (left out of the digest when None,
        so the workspace's own lists keep their keys). ``period`` (the list's own) and ``top`` (which only
        cuts the list) are left out, and so are options the places do not use (a layer for
        hotspots, DBSCAN's options for a surface list). An option left to its rule (None)
        and the same value spelled out are different questions. Stored lists are found by
        this key (:mod:`hotspot_tasking.pipeline.store`).

        Returns
        -------
        str
            10 lower-case hex digits.

        Examples
        --------
        >>> TaskingRequest("2017-07").key() == TaskingRequest("2017-08", top=5).key()
        True
        >>> TaskingRequest("2017-07").key() == TaskingRequest("2017-07", method="dbscan").key()
        False
        >>> TaskingRequest("2017-07").key() == TaskingRequest("2017-07", area=("ward_2014", "E05000416")).key()
        False
        >>> len(TaskingRequest("2017-07").key())
        10
        """
        hotspot = self.candidates == "hotspot"
        dbscan = hotspot and self.method == "dbscan"

        def number(value, kind: type, used: bool = True):
            return None if value is None or not used else kind(value)

        def words(value):
            return None if value is None else sorted(value)

        question = {"band": self.band, "candidates": self.candidates, "categories": words(self.categories),
                    "groups": words(self.groups), "sources": words(self.sources),
                    "baseline_periods": number(self.baseline_periods, int),
                    "method": self.method if hotspot else None, "surface": self.surface if hotspot else None,
                    "cell_size_m": number(self.cell_size_m, float, hotspot),
                    "bandwidth_m": number(self.bandwidth_m, float, hotspot),
                    "eps_m": number(self.eps_m, float, dbscan), "min_samples": number(self.min_samples, int, dbscan),
                    "layer": None if hotspot else self.layer}
        if self.area is not None:
            question["area"] = list(self.area)
        text = json.dumps(question, sort_keys=True, separators=(",", ":"))
        return hashlib.blake2b(text.encode("utf-8"), digest_size=5).hexdigest()


@dataclass(frozen=True)
class RankingContext:
    """What the ranking needs from a workspace besides the incidents.

    Attributes
    ----------
    bands : TimeBands
        The workspace's ``time_bands.toml``.
    config : RankingConfig
        ``[ranking]`` of its ``tasking.toml``.
    tactics : TacticMenu
        Its ``tactics.toml``.
    layers : mapping
        ``{layer name: (kind, GeoDataFrame)}`` of the area layers the request needs: the
        latest ward and LSOA layers (for codes and names) and the candidate layers.
    study_area : shapely geometry or None
        The partnership's area (EPSG:27700): the union of the latest ward layer, else
        the LSOA layer; None when it has neither.
    roads : RoadIndex or None
        The workspace's named roads, when it has a roads layer: places are then named by
        the road under most of their incidents (:mod:`.names`).
    """

    bands: TimeBands
    config: RankingConfig = field(default_factory=RankingConfig)
    tactics: TacticMenu = field(default_factory=TacticMenu.load)
    layers: Mapping[str, tuple[str, gpd.GeoDataFrame]] = field(default_factory=dict)
    study_area: object = None
    roads: RoadIndex | None = None

    def latest(self, kind: str) -> str | None:
        """The name of the latest layer of a kind (``lsoa_2021`` over ``lsoa_2011``), or None."""
        return latest_layer(self.layers, kind)

    def names(self, kind: str) -> dict[str, str]:
        """``{code: name}`` of the latest layer of a kind (empty without one)."""
        name = self.latest(kind)
        if name is None:
            return {}
        layer = self.layers[name][1]
        names = layer["name"] if "name" in layer else layer["code"]
        return dict(zip(layer["code"].astype("str"), names.astype("str")))
