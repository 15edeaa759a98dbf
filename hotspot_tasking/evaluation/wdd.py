"""The weighted displacement difference test (Wheeler and Ratcliffe, 2018, Crime Science
7:11) and the words a tasking group reads for its result.

WDD = ΔT − ΔC_T + ΔD − ΔC_D; under Poisson counts Var = T0+T1+D0+D1+Ct0+Ct1+Cd0+Cd1;
z = WDD / √Var; p two-sided. :mod:`.evaluate` applies it to tasked places.

:func:`wdd_test` and :func:`wdd_z` check their arguments; the wording helpers
(:func:`verdict_words`, :func:`pooled_verdict`, :func:`judged_text`, :func:`fill_card`,
:func:`p_text`, :func:`count_text`) are called on values :mod:`.evaluate` has checked, so
they do not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import EvaluationError

_COUNT_NAMES = ("t0", "t1", "d0", "d1", "ct0", "ct1", "cd0", "cd1")


def wdd_test(t0, t1, d0, d1, ct0, ct1, cd0, cd1) -> pd.DataFrame:
    """Wheeler and Ratcliffe's (2018) WDD test on counts of four areas (their formula, unscaled).

    Parameters
    ----------
    t0, t1, d0, d1, ct0, ct1, cd0, cd1 : float or array-like of float
        Incidents before (0) and after (1) in the target, the displacement area, the
        target's control and the displacement area's control; 0 or more.

    Returns
    -------
    pandas.DataFrame
        One row per set of counts: ``wdd`` (incidents; negative = fell), ``wdd_var``,
        ``wdd_z``, ``p_value`` (two-sided; NaN when the variance is 0).

    Raises
    ------
    TypeError, EvaluationError
        For counts that are not numbers, are negative or not finite, or arrays of
        different lengths (a single number goes with every place).

    Examples
    --------
    The paper's worked example:

    >>> wdd_test(207, 110, 178, 157, 308, 318, 150, 140).round(4)
         wdd  wdd_var  wdd_z  p_value
    0 -118.0   1568.0  -2.98   0.0029
    """
    t0, t1, d0, d1, ct0, ct1, cd0, cd1 = _counts((t0, t1, d0, d1, ct0, ct1, cd0, cd1), "wdd_test")
    var = t0 + t1 + d0 + d1 + ct0 + ct1 + cd0 + cd1
    return wdd_z(t1 - t0 - (ct1 - ct0) + d1 - d0 - (cd1 - cd0), var)


def wdd_z(wdd, var) -> pd.DataFrame:
    """The z and two-sided p of WDDs with their variances (NaN where the variance is 0 or NaN).

    Parameters
    ----------
    wdd, var : float or array-like of float
        Of one length; ``var`` 0 or more (NaN for places not judged).

    Returns
    -------
    pandas.DataFrame
        ``wdd``, ``wdd_var``, ``wdd_z``, ``p_value``, one row per value.

    >>> wdd_z([-118.0], [1568.0]).round(2)["wdd_z"].tolist()
    [-2.98]
    """
    wdd, var = _arrays((wdd, var), ("wdd", "var"), "wdd_z")
    if wdd.shape != var.shape:
        raise EvaluationError(f"wdd_z: 'wdd' has {wdd.size:,} values but 'var' has {var.size:,}; give one variance "
                              "per WDD.")
    if (var < 0).any():
        raise EvaluationError(f"wdd_z: variances must be 0 or more; {int((var < 0).sum()):,} are negative.")
    from scipy.stats import norm

    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, wdd / np.sqrt(np.where(var > 0, var, 1.0)), np.nan)
    return pd.DataFrame({"wdd": wdd, "wdd_var": var, "wdd_z": z, "p_value": 2 * norm.sf(np.abs(z))})


def _arrays(values, names, where: str) -> list[np.ndarray]:
    """Each value as a 1-d float array (a number as one value); TypeError for what is not numbers."""
    out = []
    for value, name in zip(values, names):
        try:
            arr = np.atleast_1d(np.asarray(value, dtype=float))
        except (TypeError, ValueError):
            arr = None
        if arr is None or arr.ndim != 1:
            shown = repr(value) if isinstance(value, (str, int, float)) else type(value).__name__
            raise TypeError(f"The '{name}' parameter of {where} must be numbers (a number or an array of numbers). "
                            f"Got {shown} instead.")
        out.append(arr)
    return out


def _counts(values, where: str) -> list[np.ndarray]:
    """The eight counts of :func:`wdd_test` as float arrays, each finite and 0 or more, of one length (or one value)."""
    arrays = _arrays(values, _COUNT_NAMES, where)
    for arr, name in zip(arrays, _COUNT_NAMES):
        bad = int((~np.isfinite(arr) | (arr < 0)).sum())
        if bad:
            raise EvaluationError(f"{where}: the counts must be finite and 0 or more; '{name}' has {bad:,} that "
                                  f"{'is' if bad == 1 else 'are'} not.")
    lengths = sorted({len(a) for a in arrays} - {1})
    if len(lengths) > 1:
        raise EvaluationError(f"{where}: the counts must have one value per place, or one for all; got lengths "
                              f"{', '.join(map(str, lengths))}.")
    return arrays


def verdict_words(t0, t1, d0, d1, exp_t, exp_d, wdd, p, complete, gap, has_control, ring, alpha):
    """(verdict, displacement note) for one place; ``gap`` says which months of its windows have no data ("")."""
    if not complete:
        return "not judged: the windows reach outside the data's dates", ""
    if gap:
        return f"not judged: {gap}", ""
    if not has_control:
        return "not judged: no control-area incidents in the before window", ""
    if t0 + t1 + d0 + d1 == 0:
        return "no incidents in the place or its ring in either window", ""
    fell_t, moved = t1 < exp_t and not np.isclose(t1, exp_t), 0.0 if np.isclose(d1, exp_d) else d1 - exp_d
    trend = f"{count_text(d0)} to {count_text(d1)}; {count_text(exp_d)} expected from the control area's trend"
    if not ring:
        note = ""
    elif not fell_t:
        note = "not assessed: the place did not fall against the control area"
    elif moved > 0:
        note = f"possible displacement into the {ring} ({trend})"
    elif moved < 0:
        note = f"diffusion of benefit: the {ring} fell too ({trend})"
    else:
        note = f"no change in the {ring} against the control area's trend ({trend})"
    ptxt = p_text(p)
    if not p < alpha:
        return f"no clear change against the control area ({ptxt})", note
    if wdd > 0:
        return f"rose more than the control area ({ptxt})", note
    if not fell_t:
        return f"the {ring} fell more than the control area, the place itself did not ({ptxt})", note
    if not ring or moved == 0:
        clause = "; no sign of displacement" if ring else ""
    elif moved > 0:
        clause = f", net of possible displacement into the {ring}"
    else:
        clause = f", with diffusion of benefit into the {ring}"
    return f"fell more than the control area{clause} ({ptxt})", note


def pooled_verdict(wdd, p, places, alpha) -> str:
    if places == 0:
        return "no place could be judged"
    over = f"over {places} place{'s' if places != 1 else ''}"
    if np.isnan(p):
        return f"no incidents {over}"
    if not p < alpha:
        return f"no clear change against the control area {over} ({p_text(p)})"
    return f"{'fell' if wdd < 0 else 'rose'} more than the control area {over} ({p_text(p)})"


def judged_text(places: pd.DataFrame) -> str:
    """How many actions (places, without ``action_ids``) were judged and why the others were not, in one sentence.

    >>> judged_text(pd.DataFrame({"action_ids": ["1; 2", "3", "4"], "wdd": [-2.0, np.nan, np.nan], "verdict": [
    ...     "fell more than the control area (p = 0.01)", "not judged: no data for 2017-01 in its 28-day after window",
    ...     "not judged: no control-area incidents in the before window"]}))  # doctest: +NORMALIZE_WHITESPACE
    '2 of 4 actions judged; 2 not judged (1: no data in the months of a window; 1: no control-area incidents in
    the before window).'
    """
    noun = "actions" if "action_ids" in places.columns else "places"
    n = places["action_ids"].astype(str).str.count(";").to_numpy() + 1 if noun == "actions" else 1
    size = pd.Series(n, index=places.index, dtype="int64")
    why = places.loc[places["wdd"].isna(), "verdict"].astype(str).str.removeprefix("not judged: ")
    why = why.where(~why.str.startswith("no data for "), "no data in the months of a window")
    counts = size[why.index].groupby(why.to_numpy(), sort=False).sum()
    text = f"{int(size.sum()) - int(counts.sum())} of {int(size.sum())} {noun} judged"
    if counts.empty:
        return text + "."
    return f"{text}; {int(counts.sum())} not judged ({'; '.join(f'{k}: {why}' for why, k in counts.items())})."


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def count_text(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if np.isfinite(x) else "?"


def fill_card(card, out, n_incidents, left_control, first, last, complete, covered) -> None:
    """What went into an evaluation and the warnings about its result, on its method card."""
    card.data.update(places=len(out), incidents=int(n_incidents),
                     data_period=f"{pd.Timestamp(first):%Y-%m-%d} to {pd.Timestamp(last):%Y-%m-%d}",
                     left_out_places=int(out["left_out"].sum()), left_out_control=int(left_control.sum()),
                     judged=judged_text(out))
    if out["left_out"].sum() or left_control.sum():
        card.warn(f"{int(out['left_out'].sum())} records in places or rings and {int(left_control.sum())} in the "
                  "control area (summed over places) span a window edge (e.g. month-only police.uk records) "
                  "and were not counted.")
    if (~complete).any():
        card.warn(f"{int((~complete).sum())} places have windows outside the data ({pd.Timestamp(first):%d/%m/%Y} "
                  f"to {pd.Timestamp(last):%d/%m/%Y}) and were not judged.")
    gaps = complete & (covered[2] != "")
    if gaps.any():
        card.warn(f"{int(gaps.sum())} places were not judged: a window falls in months without data (each verdict "
                  "names them); those months are missing, not counted as zero.")
    few = int((out[["T0", "T1", "D0", "D1"]].sum(axis=1, skipna=False) < 10).sum())
    if few:
        card.warn(f"{few} places have fewer than 10 incidents in the place and ring over both windows: the test "
                  "has little power there, so 'no clear change' is not evidence of no effect.")
