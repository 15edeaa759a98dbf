"""Did it work? Counts before and after an action in the tasked place, in a ring round it
and in a control area, with the weighted displacement difference (WDD) and its test.

Areas (all in EPSG:27700 metres)
--------------------------------
- target *T*: incidents inside the place's outline (a point on the edge counts);
- displacement ring *D*: inside the ``buffer_m`` buffer of the outline but not in the
  target (shapely's buffer, 8 segments per quarter circle);
- control *C*: incidents in the control area (default: everywhere the incident table
  covers; or the union of the polygons given, e.g. the workspace's wards) but outside
  **every** place evaluated together and its ring, so that one tasked place does not sit in
  another's control. All places evaluated together therefore share one control area.

Windows (local calendar days, Europe/London)
--------------------------------------------
With ``start`` the day the action began (e.g. the meeting), *before* is the
``window_days`` days ending the day before ``start`` and *after* the ``window_days`` days
from ``start``: ``[start - window_days, start)`` and ``[start, start + window_days)``,
each from local midnight to local midnight. A record counts in a window only if its whole
``[occurred_from, occurred_to]`` lies inside it. Records whose time is a span crossing a
window edge are left out and counted in ``left_out``: month-only police.uk records (1
March 00:00 to 31 March 23:59) never fit a 28-day window and are always left out, and a
burglary "between 18:00 and 08:00" over the start's midnight is too. Spreading them over
days (aoristic weights) was not chosen: fractional counts would no longer be Poisson
counts, and a month spread evenly over its days would show no change by construction.

Months without data are missing, never zero
-------------------------------------------
A place is judged only when both windows are covered by the ranking's rule: every calendar
month a window touches holds records of every source with records in the months of either
window (:func:`.inputs.window_gaps`; a month-only record counts for its month, the counting
above is unchanged). An uncovered window's counts are NaN and the verdict says why ("not
judged: no data for 2017-10 to 2022-01 in its 28-day before window").

The statistic (Wheeler and Ratcliffe 2018)
------------------------------------------
Wheeler, A. P. and Ratcliffe, J. H. (2018) "A simple weighted displacement difference test
to evaluate place based crime interventions", *Crime Science* 7:11, define, with Δ = after
− before, a control area *Ct* for the target and *Cd* for the ring::

    WDD = ΔT − ΔCt + ΔD − ΔCd
    Var(WDD) = T0 + T1 + D0 + D1 + Ct0 + Ct1 + Cd0 + Cd1     (Poisson: variance = count)
    z = WDD / √Var(WDD)

(:func:`wdd_test`; their worked example gives WDD = −118, Var = 1568, z = −2.98.) They ask
for control areas with counts like the target's. Here one large control area stands in for
both, so its change is **scaled to each area's pre-period level**: k_T = T0 / C0 and
k_D = D0 / C0, treated as constants (as ``time_weights`` are in Wheeler's ``ptools::wdd``)::

    WDD = ΔT − k_T·ΔC + ΔD − k_D·ΔC = (T1 + D1) − (T0 + D0)·C1/C0
    Var(WDD) = T0 + T1 + D0 + D1 + (k_T + k_D)²·(C0 + C1)

i.e. the incidents after minus those the control area's trend predicts. One area in both
control roles adds its terms before squaring. With k_T = 1 and k_D = 0 (C0 = T0, D0 = 0)
this is the paper's formula exactly, C being Ct and Cd empty. With ``weights`` (harm or band weights) counts are
weighted sums and each variance term is the sum of the squared weights.

p is **two-sided**, 2·Φ(−|z|): W&R's power analysis asks one-sided whether crime fell, but
a tasking group must also see places that got worse; halve p for a one-sided test of a fall. The
normal approximation is poor for a handful of incidents; the method card warns. Pooled per
action type (:func:`evaluate_by_action_type`), WDD and variances are summed as if places
were independent (they share the control; with a large control its share is small).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..hotspots.card import MethodCard
from ..validation import check_strings
from .inputs import (
    UNSPECIFIED,
    check_alpha,
    check_columns,
    check_coverage_records,
    check_data_period,
    check_incidents,
    check_options,
    check_outlines,
    check_places,
    control_area,
    data_days,
    incident_arrays,
    midnight_us,
    place_arrays,
    source_months,
    window_gaps,
)
from .wdd import fill_card, judged_text, pooled_verdict, verdict_words, wdd_z

ActionTypeField = Literal["tactic", "pier", "agency"]
#: Columns of :func:`evaluate_places`, in order.
EVALUATION_COLUMNS = ("tasking_id", "action_type", "start", "T0", "T1", "D0", "D1", "C0", "C1", "change_pct",
                      "z_target", "wdd", "wdd_var", "wdd_z", "p_value", "verdict", "displacement", "left_out")
#: Columns of :func:`evaluate_by_action_type`, in order.
BY_ACTION_TYPE_COLUMNS = ("action_type", "places", "not_evaluated", "T0", "T1", "D0", "D1", "C0", "C1", "wdd",
                          "wdd_var", "wdd_z", "p_value", "fell", "rose", "verdict")
_COUNTS = ("T0", "T1", "D0", "D1", "C0", "C1")


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate_actions` returns.

    Attributes
    ----------
    places : pandas.DataFrame
        ``meeting_id``, ``action_ids`` (``"3; 4"``: the actions of one type a meeting agreed
        for the place) then :data:`EVALUATION_COLUMNS`.
    by_action_type : pandas.DataFrame
        :func:`evaluate_by_action_type` of ``places``.
    card : MethodCard
        Window, buffer, control, rules, what was left out and why.
    """

    places: pd.DataFrame
    by_action_type: pd.DataFrame
    card: MethodCard

    @property
    def summary(self) -> str:
        """Actions judged and not judged, and why, in one sentence (:func:`~.wdd.judged_text`)."""
        return judged_text(self.places)


def evaluate_places(incidents: pd.DataFrame, places: gpd.GeoDataFrame, *, window_days: int = 28,
                    buffer_m: float = 250.0, control=None, weights: str | pd.Series | None = None,
                    alpha: float = 0.05, data_period: tuple[Any, Any] | None = None,
                    coverage_records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts before and after in each place, its ring and the control area, with the WDD test.

    Parameters
    ----------
    incidents : pandas.DataFrame
        ``easting``, ``northing`` (EPSG:27700 metres), ``occurred_from``, ``occurred_to``
        (timezone-aware, as the workspace stores them). Filter it first (category, source)
        to evaluate one problem. Not modified.
    places : geopandas.GeoDataFrame
        EPSG:27700 (or no CRS): ``tasking_id``, ``geometry`` (polygons, the tasked
        outline), ``start`` (date the action began; a time of day is ignored) and
        optionally ``action_type`` (tactic or PIER tag). Not modified.
    window_days : int, default=28
        Days in each of the two equal windows, 1 or more.
    buffer_m : float, default=250.0
        Width of the displacement ring in metres, 0 or more (0: no ring).
    control : shapely geometry, GeoSeries or GeoDataFrame, optional
        The control area (EPSG:27700; the union of the polygons); default everywhere.
        Either way every place and its ring is taken out of it.
    weights : str or pandas.Series, optional
        A column (e.g. ``"harm_weight"``) or a Series aligned to ``incidents``; NaN counts 0.
        Default: each incident counts 1.
    alpha : float, default=0.05
        Two-sided significance level for the verdicts, in (0, 0.5).
    data_period : (date, date), optional
        First and last days the data cover (inclusive); default the first and last incident
        dates. A place whose windows reach outside is counted but not judged.
    coverage_records : pandas.DataFrame, optional
        The records that say which months hold data: every record of the sources evaluated,
        any category (``occurred_from``, time-zone aware; ``source``). Default ``incidents``.
        A place with a window in months without data is not judged. Not modified.

    Returns
    -------
    pandas.DataFrame
        One row per place, in order, :data:`EVALUATION_COLUMNS`: ``tasking_id``,
        ``action_type`` (``"unspecified"`` if none), ``start`` (local date), ``T0, T1, D0,
        D1, C0, C1`` (target, ring, control; before, after; NaN in a window without data), ``change_pct``,
        ``z_target`` = 2(√T1 − √T0), ``wdd`` (incidents), ``wdd_var``, ``wdd_z``,
        ``p_value`` (two-sided), ``verdict`` and ``displacement`` (words), ``left_out``
        (records in the place or ring whose span crosses a window edge).
        ``.attrs``: ``left_out_control`` and ``card`` (a :class:`MethodCard` as a dict).

    Raises
    ------
    TypeError, EvaluationError
        For an option of the wrong type or out of its range (scikit-learn's wording),
        places or a control area in another CRS than EPSG:27700, places without a polygon
        or a start date, incidents without a location or a time-zone-aware time window
        (``coverage_records`` without a time-zone-aware ``occurred_from``), or negative
        weights. Everything is checked before any counting.

    Examples
    --------
    A 100 m square tasked on 1 July 2017, 50 m ring; the control has 4 incidents in each
    window, so k_T = 2/4, k_D = 1/4 and Var = 2 + 1 + 1 + 0 + (0.5 + 0.25)² × 8 = 8.5:

    >>> import datetime as dt
    >>> def at(x, day):
    ...     t = pd.Timestamp(day, tz="Europe/London")
    ...     return {"easting": x, "northing": 50.0, "occurred_from": t, "occurred_to": t}
    >>> rows = [at(50, "2017-06-20"), at(50, "2017-06-21"), at(50, "2017-07-05"), at(120, "2017-06-10")]
    >>> rows += [at(900, d) for d in ["2017-06-05"] * 4 + ["2017-07-10"] * 4]
    >>> place = gpd.GeoDataFrame({"tasking_id": ["A"], "start": [dt.date(2017, 7, 1)]},
    ...                          geometry=[shapely.box(0, 0, 100, 100)], crs=27700)
    >>> out = evaluate_places(pd.DataFrame(rows), place, buffer_m=50,
    ...                       data_period=("2017-01-01", "2017-12-31"))
    >>> out[["T0", "T1", "D0", "D1", "C0", "C1", "wdd", "wdd_var"]].values.tolist()
    [[2.0, 1.0, 1.0, 0.0, 4.0, 4.0, -2.0, 8.5]]
    >>> out.loc[0, "verdict"]
    'no clear change against the control area (p = 0.49)'
    """
    return _evaluate(incidents, places, window_days=window_days, buffer_m=buffer_m, control=control,
                     weights=weights, alpha=alpha, data_period=data_period, coverage_records=coverage_records,
                     where="evaluate_places")[0]


def evaluate_by_action_type(results: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Pool :func:`evaluate_places` results per action type: sums of counts, WDD and variances.

    Parameters
    ----------
    results : pandas.DataFrame
        From :func:`evaluate_places` (or :attr:`Evaluation.places`). Not modified.
    alpha : float, default=0.05
        Two-sided significance level for ``fell``, ``rose`` and the verdict.

    Returns
    -------
    pandas.DataFrame
        One row per action type, sorted: ``action_type``, ``places`` (judged),
        ``not_evaluated`` (no WDD: windows outside the data or in months without data, no
        control counts), ``T0 ... C1`` summed over the judged places (the shared control once
        per place), ``wdd`` (sum),
        ``wdd_var`` (sum), ``wdd_z``, ``p_value`` (two-sided), ``fell``/``rose`` (places
        significant each way) and ``verdict``.
    """
    where = "evaluate_by_action_type"
    check_alpha(alpha, where)
    check_columns(results, EVALUATION_COLUMNS, where, name="results",
                  fix="pass the frame evaluate_places returns (or Evaluation.places).")
    frame = results.assign(ok=results["wdd"].notna() & results["wdd_var"].notna())
    judged = frame[frame["ok"]]
    sig = judged["p_value"] < alpha
    groups = judged.assign(fell=sig & (judged["wdd"] < 0), rose=sig & (judged["wdd"] > 0)).groupby("action_type")
    out = groups[list(_COUNTS) + ["wdd", "wdd_var", "fell", "rose"]].sum()
    out.insert(0, "places", groups.size())
    out = out.reindex(sorted(frame["action_type"].unique()), fill_value=0)
    out.insert(1, "not_evaluated", (~frame["ok"]).groupby(frame["action_type"]).sum().reindex(out.index))
    out = out.rename_axis("action_type").reset_index()
    stats = wdd_z(out["wdd"].to_numpy(float), out["wdd_var"].to_numpy(float))
    out["wdd_z"], out["p_value"] = stats["wdd_z"].to_numpy(), stats["p_value"].to_numpy()
    out["verdict"] = [pooled_verdict(r.wdd, r.p_value, r.places, alpha) for r in out.itertuples()]
    return out.astype({"places": "int64", "not_evaluated": "int64", "fell": "int64", "rose": "int64"})[
        list(BY_ACTION_TYPE_COLUMNS)]


def evaluate_actions(incidents: pd.DataFrame, actions: pd.DataFrame, outlines: gpd.GeoDataFrame, *,
                     window_days: int = 28, buffer_m: float = 250.0, control=None,
                     weights: str | pd.Series | None = None, alpha: float = 0.05,
                     action_type: ActionTypeField = "tactic", exclude_statuses: Sequence[str] = ("cancelled",),
                     data_period: tuple[Any, Any] | None = None, coverage_records: pd.DataFrame | None = None,
                     where: str = "evaluate_actions") -> Evaluation:
    """Evaluate every tasked place from the meeting that tasked it (the action log's actions).

    Parameters
    ----------
    incidents : pandas.DataFrame
        As for :func:`evaluate_places`. Not modified.
    actions : pandas.DataFrame
        One row per action: ``action_id``, ``tasking_id``, ``meeting_id``, ``held_on`` (the
        meeting's day: the start of the after window), ``status`` and the ``action_type``
        field (``tactic``, ``pier`` or ``agency``), as the action log's actions joined to
        their meetings. Not modified.
    outlines : geopandas.GeoDataFrame
        ``tasking_id`` (unique) and ``geometry`` (EPSG:27700), e.g. from the tasking store.
        Not modified.
    window_days, buffer_m, control, weights, alpha, data_period, coverage_records
        As in :func:`evaluate_places`.
    action_type : {"tactic", "pier", "agency"}, default="tactic"
        The action field to pool by; empty ones are ``"unspecified"``.
    exclude_statuses : sequence of str, default=("cancelled",)
        Actions with these statuses were not carried out and are not evaluated.
    where : str, default="evaluate_actions"
        The function named in error messages (the pipeline's ``evaluate_log`` passes its own).

    Returns
    -------
    Evaluation
        One row per place, meeting and action type; pooled per action type; the method card.
        Actions whose tasking id has no outline are listed in the card's warnings; the
        card's ``judged`` (and :attr:`Evaluation.summary`) counts actions judged and not.

    Raises
    ------
    TypeError, EvaluationError
        As :func:`evaluate_places`; also for outlines in another CRS, without ``tasking_id``
        or with a tasking id twice, actions without the columns needed, or an unknown
        ``action_type``.
    """
    check_outlines(outlines, action_type, where)
    exclude_statuses = check_strings(exclude_statuses, "exclude_statuses", where)
    check_options(window_days, buffer_m, alpha, where)
    check_columns(actions, ("action_id", "tasking_id", "meeting_id", "held_on", "status", action_type), where,
                  name="actions", fix="pass the action log's actions joined to their meetings' held_on.")
    actions = actions[~actions["status"].isin(list(exclude_statuses))]
    acts = pd.DataFrame({"tasking_id": actions["tasking_id"].astype(str), "meeting_id": actions["meeting_id"],
                         "start": actions["held_on"],
                         "action_type": actions[action_type].fillna(UNSPECIFIED).astype(str),
                         "action_id": actions["action_id"].astype(str)})
    keys = ["tasking_id", "meeting_id", "start", "action_type"]
    acts = acts.groupby(keys, sort=True)["action_id"].agg("; ".join).rename("action_ids").reset_index()
    known = acts["tasking_id"].isin(outlines["tasking_id"].astype(str))
    geometry = outlines.assign(tasking_id=outlines["tasking_id"].astype(str)).set_index("tasking_id").geometry
    places = gpd.GeoDataFrame(acts[known].reset_index(drop=True),
                              geometry=geometry.reindex(acts.loc[known, "tasking_id"]).to_numpy(), crs=outlines.crs)
    table, card = _evaluate(incidents, places, window_days=window_days, buffer_m=buffer_m, control=control,
                            weights=weights, alpha=alpha, data_period=data_period,
                            coverage_records=coverage_records, where=where)
    table.insert(0, "action_ids", places["action_ids"].to_numpy())
    table.insert(0, "meeting_id", places["meeting_id"].to_numpy())
    card.choose("action_type", action_type, "given" if action_type != "tactic" else "default: the action's tactic")
    card.choose("exclude_statuses", list(exclude_statuses), "actions not carried out")
    card.data["actions"] = len(actions)
    card.data["judged"] = judged_text(table)
    if (~known).any():
        lost = acts.loc[~known, "tasking_id"]
        card.warn(f"{int((~known).sum())} place-meeting rows ({lost.nunique()} tasking ids, e.g. "
                  f"{', '.join(sorted(lost.unique())[:3])}) have no outline and were not evaluated.")
    table.attrs["card"] = card.to_dict()
    return Evaluation(table, evaluate_by_action_type(table, alpha=alpha), card)


# --- the steps -------------------------------------------------------------------------------
def _evaluate(incidents, places, *, window_days, buffer_m, control, weights, alpha, data_period, coverage_records,
              where):
    check_options(window_days, buffer_m, alpha, where)  # every check first, then the work
    check_places(places, where)
    check_incidents(incidents, weights, where)
    area = control_area(control, where)
    given_period = check_data_period(data_period, where)
    check_coverage_records(coverage_records, where)
    outline, start, kind = place_arrays(places, where)
    e, n, t_from, t_to, w = incident_arrays(incidents, weights, where)
    card = MethodCard("wdd evaluation")
    card.choose("window_days", int(window_days),
                "default: four weeks, one tasking cycle" if window_days == 28 else "given")
    card.choose("buffer_m", float(buffer_m), "default: a couple of street blocks" if buffer_m == 250 else "given")
    card.choose("alpha", alpha, "default" if alpha == 0.05 else "given")
    card.rules.update(windows="local days [start - window_days, start) and [start, start + window_days)",
                      time_spans="counted only if the whole [occurred_from, occurred_to] lies in a window",
                      coverage="judged only if every month a window touches holds records of every source with "
                               "records in the months of either window; else not judged, never counted as zero",
                      statistic="WDD, control scaled to each area's before count (Wheeler & Ratcliffe 2018)",
                      test="two-sided normal test, Poisson variances")
    card.parameters["weights"] = "counts" if weights is None else (weights if isinstance(weights, str) else "given")
    days = np.timedelta64(int(window_days), "D")
    bounds = tuple(midnight_us(start + d) for d in (-days, np.timedelta64(0, "D"), days))
    c, left_control = _count(e, n, t_from, t_to, w, outline, float(buffer_m), bounds, area, card)
    first, last = data_days(given_period, t_from, t_to)
    complete = (start - days >= first) & (start + days <= last + np.timedelta64(1, "D"))
    covered = window_gaps(*source_months(incidents if coverage_records is None else coverage_records), start,
                          int(window_days))
    out = _table(places["tasking_id"].astype(str).to_numpy(), kind, start, c, complete, covered,
                 f"{float(buffer_m):g} m ring" if buffer_m > 0 else "", alpha)
    fill_card(card, out, len(e), left_control, first, last, complete, covered)
    out.attrs.update(left_out_control=int(left_control.sum()), card=card.to_dict())
    return out, card


def _count(e, n, t_from, t_to, w, outline, buffer_m, bounds, area, card):
    """Weighted counts ``T0 ... C1``, sums of squared weights ``vT0 ... vC1`` and ``left_out`` per place."""
    lo, mid, hi = bounds
    pts = shapely.points(e, n)
    tree = shapely.STRtree(pts)
    tp = tree.query(outline, predicate="covers")
    bp = tree.query(shapely.buffer(outline, buffer_m) if buffer_m > 0 else outline, predicate="covers")
    rp = bp[:, ~np.isin(bp[0] * len(pts) + bp[1], tp[0] * len(pts) + tp[1])]
    c = {}
    c["T0"], c["T1"], c["vT0"], c["vT1"], left_t = _pair_counts(tp, t_from, t_to, w, bounds, len(mid))
    c["D0"], c["D1"], c["vD0"], c["vD1"], left_d = _pair_counts(rp, t_from, t_to, w, bounds, len(mid))
    c["left_out"] = left_t + left_d
    base = np.ones(len(pts), bool)
    base[bp[1]] = base[tp[1]] = False  # outside every place and ring
    if area is not None:
        inside = np.zeros(len(pts), bool)
        inside[tree.query(area, predicate="covers")] = True
        base &= inside
        card.parameters["control"] = f"given area of {area.area / 1e6:.2f} km² minus the places and rings"
    else:
        card.parameters["control"] = "every incident outside the places and their rings"
    for key in ("C0", "C1", "vC0", "vC1"):
        c[key] = np.zeros(len(mid))
    left_control = np.zeros(len(mid), dtype=np.int64)
    f, t, cw = t_from[base], t_to[base], w[base]
    for value in np.unique(mid):  # places sharing a start share the control's counts
        at = mid == value
        j = np.flatnonzero(at)[0]
        b, a = (f >= lo[j]) & (t < mid[j]), (f >= mid[j]) & (t < hi[j])
        c["C0"][at], c["C1"][at], c["vC0"][at], c["vC1"][at] = (cw[b].sum(), cw[a].sum(), (cw[b] ** 2).sum(),
                                                                 (cw[a] ** 2).sum())
        left_control[at] = ((t >= lo[j]) & (f < hi[j]) & ~a & ~b).sum()
    return c, left_control


def _table(ids, kind, start, c, complete, covered, ring, alpha) -> pd.DataFrame:
    """The result frame: counts (NaN in a window without data), the target's change, the WDD test and the words."""
    before_ok, after_ok, gaps = covered
    c = c | {k: np.where(before_ok if k.endswith("0") else after_ok, c[k], np.nan) for k in _COUNTS}
    t0, t1, d0, d1, c0, c1 = (c[k] for k in _COUNTS)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = complete & before_ok & after_ok & (c0 > 0)
        scale = np.where(ok, (t0 + d0) / np.where(c0 > 0, c0, 1), np.nan)  # k_T + k_D
        wdd = np.where(ok, (t1 - t0) + (d1 - d0) - (t0 + d0) * (c1 - c0) / np.where(c0 > 0, c0, 1), np.nan)
        var = np.where(ok, c["vT0"] + c["vT1"] + c["vD0"] + c["vD1"] + scale ** 2 * (c["vC0"] + c["vC1"]), np.nan)
        exp_t, exp_d = t0 * c1 / c0, d0 * c1 / c0  # after-window counts the control's trend predicts
        change = np.where(t0 > 0, 100 * (t1 - t0) / np.where(t0 > 0, t0, 1), np.nan)
    stats = wdd_z(wdd, var)
    words = [verdict_words(*x, ring, alpha) for x in zip(t0, t1, d0, d1, exp_t, exp_d, wdd, stats["p_value"], complete,
                                                   gaps, c0 > 0)]
    out = pd.DataFrame({"tasking_id": pd.array(ids, dtype="str"), "action_type": pd.array(kind, dtype="str"),
                        "start": start.astype("datetime64[s]"), **{k: c[k] for k in _COUNTS},
                        "change_pct": change, "z_target": 2 * (np.sqrt(t1) - np.sqrt(t0))})
    out[["wdd", "wdd_var", "wdd_z", "p_value"]] = stats.to_numpy()
    out["verdict"] = pd.array([v for v, _ in words], dtype="str")
    out["displacement"] = pd.array([d for _, d in words], dtype="str")
    out["left_out"] = c["left_out"].astype("int64")
    return out


def _pair_counts(pairs, t_from, t_to, w, bounds, n_places):
    """Weighted counts (and sums of squared weights) before and after per place, and records left out."""
    lo, mid, hi = bounds
    p, i = pairs
    f, t, wi = t_from[i], t_to[i], w[i]
    b = (f >= lo[p]) & (t < mid[p])
    a = (f >= mid[p]) & (t < hi[p])
    left = (t >= lo[p]) & (f < hi[p]) & ~a & ~b
    def s(mask, x): return np.bincount(p[mask], weights=x[mask], minlength=n_places).astype(float)
    return s(b, wi), s(a, wi), s(b, wi ** 2), s(a, wi ** 2), np.bincount(p[left], minlength=n_places)
