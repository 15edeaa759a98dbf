"""Place names a patrol officer knows, stable from one list to the next.

A place is named from the street words of its incidents (:func:`place_names`):

- the words are the records' ``location_text`` (:mod:`hotspot_tasking.locations`, one
  reading for tasking and patrol places): police.uk's "On or near Electric Lane" is
  "Electric Lane", a council's street field is taken as given;
- police.uk puts a generic word instead of a street at some places ("On or near
  Nightclub"): the words of ``GENERIC_LOCATIONS`` (compared case-insensitively), and any
  text found in more than ``GENERIC_WARD_SHARE`` (15%, and at least 4) of the wards with
  incidents (``generic_texts``), are generic; they never name a place alone while a
  street is known;
- the street is the commonest specific text over every record passed (the caller passes
  the place's incidents over the baseline and the review period, so one month's mix does
  not rename it), each weighted by its band weight; ties go to the alphabetically first;
- when the commonest text is a generic word, the name is that word "near" the commonest
  specific street ("Nightclub near Above Bar Street"); the generic word alone when no
  street is known;
- with a roads layer (``roads``: per record, the road within :data:`ROAD_NAME_WITHIN_M`
  (60 m) of its map point that its own text names, else the nearest named road there:
  :meth:`RoadIndex.nearest`), the street is instead the road of most of the place's
  records, each weighted by its band weight (ties: the alphabetically first), so
  "Pedestrian Subway" and "Bride Lane" points on Fleet Street read "Fleet Street"; a
  generic word that is the commonest text still leads ("Nightclub near Fleet Street");
  a place with no record within 60 m of a named road keeps the rule above;
- then, in brackets, the wards holding at least :data:`WARD_NAME_SHARE` (20%) of the
  place's incidents, at most two, most first: "Brixton Road (Coldharbour)" (after " – "
  when the street ends in brackets of its own: "Waterloo (station) – Bishop's"); the wards
  alone when no text is known; "Unnamed place" when nothing is.

Sensitive-category records never name a place: the caller leaves them out, or blanks
their text (and their road). :func:`keep_names` keeps the name a place had on the previous list while it
keeps that list's tasking id (:func:`.ids.tasking_ids`), so a name changes only when the
place does.

Examples
--------
>>> import numpy as np
>>> place_names(np.array(["Nightclub", "Nightclub", "Above Bar Street"], dtype=object),
...             np.array(["W1", "W1", "W1"], dtype=object), np.array([0, 0, 0]), np.ones(3), 1,
...             ward_names={"W1": "Bargate"})
['Nightclub near Above Bar Street (Bargate)']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from ..locations import GENERIC_LOCATIONS
from ..validation import check_columns, check_number, check_strings, check_type
from .errors import RankingError
from .schema import TaskingList

#: Share of a place's incidents a ward needs to be named in its place name (at most two are).
WARD_NAME_SHARE = 0.2
#: The name of a place with neither a text nor a ward.
UNNAMED = "Unnamed place"
_CANONICAL = {g.casefold(): g for g in GENERIC_LOCATIONS}
#: Metres: a record names a place by a road only when the road is this near its map point.
ROAD_NAME_WITHIN_M = 60.0


@dataclass(frozen=True)
class RoadIndex:
    """Named road links prepared for nearest-road look-ups (pure: built from a frame, reads no file).

    Attributes
    ----------
    labels : numpy.ndarray of str
        Per link: its name, else its road number.
    tree : shapely.STRtree
        The links' lines (EPSG:27700).
    within_m : float
        Metres: points farther than this from every link get no road.
    """

    labels: np.ndarray
    tree: shapely.STRtree
    within_m: float = ROAD_NAME_WITHIN_M

    @classmethod
    def from_frame(cls, roads, *, within_m: float = ROAD_NAME_WITHIN_M) -> RoadIndex | None:
        """The index of a roads frame (:func:`hotspot_tasking.boundaries.roads.read_roads`), or None.

        Parameters
        ----------
        roads : geopandas.GeoDataFrame or None
            ``name``, ``number`` and line geometries in EPSG:27700. Not modified. Links with
            neither a name nor a number are left out (they never name a place).
        within_m : float, default=60
            Metres a road may be from a record's map point to name it.

        Returns
        -------
        RoadIndex or None
            None when ``roads`` is None or has no named or numbered link.
        """
        where = "RoadIndex.from_frame"
        check_number(within_m, "within_m", where, error=RankingError)
        if roads is None:
            return None
        roads = check_columns(roads, ("name", "number", "geometry"), where, name="roads", error=RankingError,
                              fix="pass read_roads' frame.")
        name = roads["name"].fillna("").astype(str).str.strip()
        label = name.where(name.ne(""), roads["number"].fillna("").astype(str).str.strip())
        keep = label.ne("").to_numpy() & ~shapely.is_missing(np.asarray(roads.geometry.values, dtype=object))
        if not keep.any():
            return None
        geoms = np.asarray(roads.geometry.values, dtype=object)[keep]
        return cls(label.to_numpy(dtype=object)[keep], shapely.STRtree(geoms), float(within_m))

    def nearest(self, easting, northing, *, texts=None) -> np.ndarray:
        """Per point, its road within ``within_m``: the road its own text names, else the nearest
        ("" when none; ties: alphabetical).

        Parameters
        ----------
        easting, northing : array-like of float
            Map points, metres (EPSG:27700).
        texts : array-like of str, optional
            Per point, its record's cleaned location text: a road of that name (compared
            case-insensitively) within ``within_m`` is the point's road even when another is
            nearer (a point at a junction stays on the street its record names), written as the
            roads layer spells it.

        Returns
        -------
        numpy.ndarray of str
        """
        x, y = np.asarray(easting, dtype=float), np.asarray(northing, dtype=float)
        said = None if texts is None else pd.Series(np.asarray(texts, dtype=object)).fillna("").astype(str)
        if x.shape != y.shape or x.ndim != 1 or (said is not None and len(said) != len(x)):
            raise RankingError(f"RoadIndex.nearest: 'easting', 'northing' (and 'texts') must be 1-d arrays of one "
                               f"length; got shapes {x.shape}, {y.shape}"
                               + ("" if said is None else f" and ({len(said)},)") + ". Pass one value per map point.")
        out = np.full(len(x), "", dtype=object)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if not len(ok):
            return out
        points = shapely.points(x[ok], y[ok])
        point, link = self.tree.query_nearest(points, max_distance=self.within_m, all_matches=True)
        found = pd.DataFrame({"p": point, "v": self.labels[link]})
        if said is not None:  # roads named by the point's own text, within reach
            near_p, near_l = self.tree.query(points, predicate="dwithin", distance=self.within_m)
            named = self.labels[near_l]
            own = pd.Series(named).str.casefold().to_numpy() == said.str.casefold().to_numpy()[ok][near_p]
            found = pd.concat([pd.DataFrame({"p": near_p[own], "v": named[own], "o": 0}), found.assign(o=1)])
            found = found.sort_values(["p", "o", "v"], kind="stable")
        else:
            found = found.sort_values(["p", "v"], kind="stable")
        first = found.drop_duplicates("p")
        out[ok[first["p"].to_numpy()]] = first["v"].to_numpy(dtype=object)
        return out


def place_names(text: np.ndarray, ward_code: np.ndarray, cand: np.ndarray, weight: np.ndarray, n: int, *,
                ward_names: Mapping[str, str], generic: Iterable[str] = (),
                roads: np.ndarray | None = None) -> list[str]:
    """Each place's name (see the module notes for the rule).

    Parameters
    ----------
    text, ward_code : numpy.ndarray of str
        Per (record, place) pair: the record's cleaned location text ("" when none) and its
        ward code ("" when none). Sensitive-category records left out, or their text "".
    cand : numpy.ndarray of int
        Per pair: the place, 0..n-1.
    weight : numpy.ndarray of float
        Per pair: its weight (band weight, 0 or more).
    n : int
        Places.
    ward_names : mapping
        Ward code -> name (a code without a name is shown as the code).
    generic : iterable of str, default=()
        More generic texts than ``GENERIC_LOCATIONS`` (e.g. ``locations.generic_texts``).
    roads : numpy.ndarray of str, optional
        Per pair: the nearest named road to the record's map point within 60 m
        (:meth:`RoadIndex.nearest`), "" when none (and for sensitive-category records). None
        (no roads layer) names places from the texts alone, as before roads.

    Returns
    -------
    list of str
        ``n`` names, e.g. "Brixton Road (Coldharbour)", "Nightclub near Above Bar Street
        (Bargate)", "Coldharbour, Brixton" or "Unnamed place".

    Raises
    ------
    TypeError
        An argument of the wrong type.
    RankingError
        Arrays of different lengths, a place outside 0..n-1, or a negative or infinite weight.
    """
    where = "place_names"
    check_number(n, "n", where, low=0, low_open=False, integer=True, error=RankingError)
    check_type(ward_names, "ward_names", where, Mapping, type_name="a mapping of ward code to ward name")
    extra = check_strings(generic, "generic", where) or ()
    text, ward, cand, weight = _pairs(where, n, text=text, ward_code=ward_code, cand=cand, weight=weight)
    road = None if roads is None else _pairs(where, n, text=roads, ward_code=ward, cand=cand, weight=weight)[0]
    streets = _streets(text, cand, weight, n, {g.casefold() for g in extra}, road)
    wards = _wards(ward, cand, weight, n, ward_names)
    return [_joined(s, w) for s, w in zip(streets, wards)]  # one step per place


def keep_names(ids: Sequence[str], names: Sequence[str], previous) -> list[str]:
    """The names to list: a hotspot keeping the previous list's tasking id keeps its name there too.

    A hotspot inherits an id only while its outline overlaps its predecessor's
    (:func:`.ids.tasking_ids`), so it is the same place on the ground and keeps the name the
    group already knows, however the month's records would name it now.

    Parameters
    ----------
    ids : sequence of str
        Per place, its tasking id.
    names : sequence of str
        Per place, its new name (:func:`place_names`).
    previous : TaskingList or None
        The previous list; only its rows of kind "hotspot" count.

    Returns
    -------
    list of str
        Per place: the previous row's ``place_name`` when its id is there (and that name is
        not blank), else its new name.

    Raises
    ------
    TypeError
        An argument of the wrong type.
    RankingError
        ``ids`` and ``names`` differ in length.

    Examples
    --------
    >>> keep_names(["H-1", "H-2"], ["Settle Close", "Acre Lane"], None)
    ['Settle Close', 'Acre Lane']
    """
    where = "keep_names"
    ids, names = check_strings(ids, "ids", where), check_strings(names, "names", where)
    check_type(previous, "previous", where, TaskingList, type_name="a TaskingList", optional=True)
    if len(ids) != len(names):
        raise RankingError(f"keep_names: 'ids' has {len(ids):,} values but 'names' has {len(names):,}; give one name "
                           "per tasking id.")
    if previous is None or not len(previous.frame):
        return list(names)
    old = check_columns(previous.frame, ("tasking_id", "kind", "place_name"), where, name="previous list",
                        error=RankingError, fix="pass a TaskingList made by rank, or None.")
    old = old[old["kind"].astype(str).eq("hotspot") & old["place_name"].notna()]
    old = old[old["place_name"].astype(str).str.strip().ne("")]
    kept = dict(zip(old["tasking_id"].astype(str), old["place_name"].astype(str)))
    return [kept.get(i, name) for i, name in zip(ids, names)]  # one step per place


def near_streets(names: Sequence[str], x: np.ndarray, y: np.ndarray, texts: pd.Series, easting: np.ndarray,
                 northing: np.ndarray, *, within_m: float, generic: Iterable[str] = ()) -> list[str]:
    """Names with a street: a place named by a generic word alone ("Hospital (Farringdon Without)")
    gets the nearest specific street of any record within ``within_m`` of its busiest point
    ("Hospital near Giltspur Street (Farringdon Without)"); other names are unchanged.

    Parameters
    ----------
    names : sequence of str
        Per place, its name (:func:`place_names`).
    x, y : numpy.ndarray of float
        Per place, its busiest map point, metres (EPSG:27700).
    texts : pandas.Series of str
        Per record, its cleaned location text (:func:`clean_location_text`; sensitive records blanked).
    easting, northing : numpy.ndarray of float
        Per record, its map point, metres.
    within_m : float
        How far to look, metres.
    generic : iterable of str, default=()
        More generic texts than ``GENERIC_LOCATIONS``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> near_streets(["Hospital (Farringdon Without)", "Bride Lane"], np.array([0.0, 500]), np.array([0.0, 0]),
    ...              pd.Series(["Giltspur Street", "Hospital", "Fleet Street"]), np.array([40.0, 0, 900]),
    ...              np.array([0.0, 0, 0]), within_m=250)
    ['Hospital near Giltspur Street (Farringdon Without)', 'Bride Lane']
    """
    from scipy.spatial import cKDTree

    words = {g.casefold() for g in GENERIC_LOCATIONS} | {g.casefold() for g in (check_strings(generic, "generic",
                                                                                               "near_streets") or ())}
    heads = [name.split(" (", 1)[0].split(" – ", 1)[0] for name in names]
    alone = [i for i, head in enumerate(heads) if head.casefold() in words]
    text = texts.astype("str").to_numpy(dtype=object)
    specific = np.flatnonzero([t != "" and t.casefold() not in words for t in text])
    out = list(names)
    if not alone or not len(specific):
        return out
    tree = cKDTree(np.column_stack([np.asarray(easting, float)[specific], np.asarray(northing, float)[specific]]))
    dist, at = tree.query(np.column_stack([np.asarray(x, float)[alone], np.asarray(y, float)[alone]]))
    for i, d, j in zip(alone, dist, at):  # one step per place named by a generic word
        if d <= within_m:
            out[i] = names[i].replace(heads[i], f"{heads[i]} near {text[specific[j]]}", 1)
    return out


# --- helpers ---------------------------------------------------------------------------------

def _pairs(where: str, n: int, **arrays) -> tuple[np.ndarray, ...]:
    """The four per-pair arrays, checked: 1-d, one length, places in 0..n-1, weights finite and >= 0."""
    out = {}
    for name, value in arrays.items():  # four arrays
        if isinstance(value, str) or not isinstance(value, (np.ndarray, pd.Series, list, tuple)) \
                or np.ndim(value) != 1:
            shown = type(value).__name__
            raise TypeError(f"The '{name}' parameter of {where} must be a 1-d numpy array. Got {shown} instead.")
        out[name] = np.asarray(value)
    lengths = {len(v) for v in out.values()}
    if len(lengths) > 1:
        raise RankingError(f"{where}: the arrays differ in length (" + ", ".join(
            f"'{k}' {len(v):,}" for k, v in out.items()) + "); give one value per (record, place) pair in each.")
    texts = [pd.Series(out[k], dtype=object).where(pd.notna(out[k]), "").astype(str).to_numpy(dtype=object)
             for k in ("text", "ward_code")]
    try:
        cand = out["cand"].astype(np.int64, casting="safe") if out["cand"].size else out["cand"].astype(np.int64)
        weight = out["weight"].astype(float)
    except (TypeError, ValueError):
        raise TypeError(f"The 'cand' and 'weight' parameters of {where} must be arrays of int and float. "
                        f"Got {out['cand'].dtype} and {out['weight'].dtype} instead.") from None
    outside = (cand < 0) | (cand >= n)
    if outside.any():
        raise RankingError(f"{where}: {int(outside.sum()):,} of {len(cand):,} pairs have a place outside 0..{n - 1} "
                           f"(e.g. {int(cand[outside][0])}); pass n = the number of places.")
    bad = ~np.isfinite(weight) | (weight < 0)
    if bad.any():
        raise RankingError(f"{where}: {int(bad.sum()):,} of {len(weight):,} weights are negative or not finite; "
                           "pass band weights (0 or more).")
    return texts[0], texts[1], cand, weight


def _ranked(frame: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    """``frame`` (``c``, ``v``, ``w``, extra columns) summed per (c, v), weight > 0, most first (ties: v)."""
    sums = frame.groupby(["c", "v"], sort=False).agg(w=("w", "sum"), **{k: (k, "max") for k in extra or []})
    sums = sums.reset_index()
    sums = sums[sums["w"] > 0].assign(r=lambda f: -np.round(f["w"], 9))
    return sums.sort_values(["c", "r", "v"], kind="stable")


def _streets(text: np.ndarray, cand: np.ndarray, weight: np.ndarray, n: int, extra: set[str],
             road: np.ndarray | None = None) -> list[str]:
    """Per place: its commonest specific text (its commonest nearest road, when it has one), or
    "<generic> near <street>", or the generic word ("" if none)."""
    key = pd.Series(text, dtype=object).str.casefold()
    canonical = key.map(_CANONICAL)
    shown = canonical.where(canonical.notna(), pd.Series(text, dtype=object))
    frame = pd.DataFrame({"c": cand, "v": shown.to_numpy(dtype=object), "w": weight,
                          "g": canonical.notna().to_numpy() | key.isin(extra).to_numpy()})
    sums = _ranked(frame[frame["v"] != ""], ["g"])
    top = sums.drop_duplicates("c").set_index("c")
    street = sums[~sums["g"]].drop_duplicates("c").set_index("c")["v"].reindex(range(n), fill_value="")
    if road is not None:
        roads = _ranked(pd.DataFrame({"c": cand, "v": road, "w": weight}).query("v != ''"))
        by_road = roads.drop_duplicates("c").set_index("c")["v"].reindex(range(n), fill_value="")
        street = by_road.where(by_road != "", street)
    first = top["v"].reindex(range(n), fill_value="")
    is_generic = top["g"].reindex(range(n), fill_value=False).astype(bool)
    near = first + " near " + street
    named = street.where(~is_generic, near.where(street != "", first))
    return named.astype(str).tolist()


def _wards(ward: np.ndarray, cand: np.ndarray, weight: np.ndarray, n: int, ward_names: Mapping[str, str]) -> list[str]:
    """Per place: the names of the (at most two) wards with >= WARD_NAME_SHARE of its weight, most first."""
    total = np.bincount(cand, weights=weight, minlength=n)
    sums = _ranked(pd.DataFrame({"c": cand, "v": ward, "w": weight}).query("v != ''"))
    sums = sums.groupby("c", sort=False).head(2)
    sums = sums[sums["w"].to_numpy() / np.maximum(total[sums["c"].to_numpy()], 1e-300) >= WARD_NAME_SHARE]
    named = sums.assign(name=[str(ward_names.get(c, c)) for c in sums["v"]])  # one step per named ward
    joined = named.groupby("c", sort=False)["name"].agg(", ".join).astype(object)
    return joined.reindex(range(n), fill_value="").tolist()


def _joined(street: str, wards: str) -> str:
    """``"Brixton Road (Coldharbour)"``; ``"Waterloo (station) – Bishop's"``; either alone; else "Unnamed place"."""
    if street and wards:
        return f"{street} – {wards}" if street.endswith(")") else f"{street} ({wards})"
    return street or wards or UNNAMED
