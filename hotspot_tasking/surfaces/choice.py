"""The rolling backtest that chooses a tasking list's surface among the candidates of
:mod:`.candidates`.

For each pair of consecutive periods (*t*, *t+1*) among the last ``pairs`` before and up to
the period being tasked, every candidate scores the study area's cells with the data up to
*t*; the hottest ``share`` of the cells (``floor(share x cells)``, at least 1, ties in
row-major order as :func:`hotspot_tasking.hotspots.accuracy.accuracy` takes them) are the hotspot, and it is scored
on *t+1*: hit rate = hits / incidents, PAI = hit rate / area share (Chainey, Tompson and
Uhlig 2008), RRI = (hits / hits at *t*) / (incidents / incidents at *t*) (Levine 2008).
Pairs where either period has no incidents in the study area are skipped.

The choice: among the candidates whose mean PAI is at least the naive baseline's (last
period's counts) at **every** share, the one with the highest mean PAI over the shares
(ties: the simpler, earlier candidate); naive itself always qualifies, so the default
never predicts worse than last period's counts on the periods tested. A person can pin
any candidate instead; its figures are still shown beside the baseline's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..hotspots.card import MethodCard
from .candidates import NAIVE, Surface, SurfaceStack, top_sparse
from .errors import SurfaceError

#: Shares of the study area at which candidates are scored (the list's coverage).
DEFAULT_SHARES: tuple[float, ...] = (0.02, 0.05)
#: Period pairs scored: the last twelve (a year of months).
BACKTEST_PAIRS = 12

TABLE_COLUMNS = ("period", "next_period", "surface", "share", "cells", "hits", "total", "hit_rate", "pai",
                 "hits_before", "total_before", "rri", "tied_left_out")


@dataclass(frozen=True)
class SurfaceChoice:
    """What :func:`choose_surface` returns.

    Attributes
    ----------
    chosen : Surface
        The default (or the pinned candidate).
    table : pandas.DataFrame
        One row per (pair, candidate, share): :data:`TABLE_COLUMNS`.
    summary : pandas.DataFrame
        One row per (candidate, share): mean ``hit_rate``, ``pai``, ``rri`` and ``periods``
        (pairs scored), candidates in their order.
    card : MethodCard
        The choice, the rule, the periods and the figures.
    """

    chosen: Surface
    table: pd.DataFrame
    summary: pd.DataFrame
    card: MethodCard

    def mean_pai(self, name: str) -> dict[float, float]:
        """``{share: mean PAI}`` of a candidate (empty when nothing was scored)."""
        rows = self.summary[self.summary["surface"] == name]
        return dict(zip(rows["share"].astype(float), rows["pai"].astype(float)))


def choose_surface(stack: SurfaceStack, labels: Sequence[str], candidates: Sequence[Surface], *,
                   end: int | None = None, pairs: int = BACKTEST_PAIRS, shares: Sequence[float] = DEFAULT_SHARES,
                   pinned: str | None = None, every: str = "month") -> SurfaceChoice:
    """Score every candidate on the period pairs up to ``end`` and choose the default.

    Parameters
    ----------
    stack : SurfaceStack
        The per-period fields of the study area's cells.
    labels : sequence of str
        Per period position, its label (``"2017-07"``).
    candidates : sequence of Surface
        :func:`.candidates.candidate_surfaces`; must hold ``naive``.
    end : int, optional
        The last period whose incidents may be used (the period being tasked); default the
        last period.
    pairs : int, default=12
        Period pairs (t, t+1) scored, the last ones ending at ``end``.
    shares : sequence of float, default=(0.02, 0.05)
        Shares of the study area's cells taken as the hotspot.
    pinned : str, optional
        A candidate's name to use instead of the best.
    every : {"month", "week"}, default="month"
        For the card's wording.

    Returns
    -------
    SurfaceChoice

    Raises
    ------
    SurfaceError
        ``pinned`` is not a candidate's name, or the candidates have no ``naive``.
    """
    by_name = {s.name: s for s in candidates}
    if NAIVE not in by_name:
        raise SurfaceError(f"choose_surface: the candidates must include '{NAIVE}', the baseline.")
    if pinned is not None and pinned not in by_name:
        raise SurfaceError(f"surface '{pinned}' is not a candidate here; choose one of {', '.join(by_name)}.")
    end = stack.periods - 1 if end is None else int(end)
    first = max(0, end - pairs)
    ts = [t for t in range(first, end) if stack.totals[t] > 0 and stack.totals[t + 1] > 0]
    skipped = [f"{labels[t]} -> {labels[t + 1]}" for t in range(first, end) if t not in ts]
    n = len(stack.cells)
    ks = [max(1, int(np.floor(share * n + 1e-9))) for share in shares]
    counts = stack.sparse_counts
    stack.prepare([s.bandwidth_m for s in candidates])  # every period's fields, as tasks on the engine
    frames = []
    for surface in candidates:  # one step per candidate
        scores = stack.sparse_scores(surface)
        for t in ts:
            for share, k in zip(shares, ks):
                taken, left = top_sparse(scores.values[t], scores.idx, n, k)
                frames.append((labels[t], labels[t + 1], surface.name, share, k, float(counts.at(t + 1, taken).sum()),
                               float(stack.totals[t + 1]), float(counts.at(t, taken).sum()), float(stack.totals[t]),
                               left))
    table = _table(frames, n)
    summary = _summary(table, [s.name for s in candidates])
    chosen, rule = _choose(summary, candidates, shares, pinned)
    card = _card(chosen, rule, summary, shares, ts, labels, skipped, stack, every)
    return SurfaceChoice(chosen, table, summary, card)


def _table(rows: list[tuple], n: int) -> pd.DataFrame:
    raw = pd.DataFrame(rows, columns=["period", "next_period", "surface", "share", "cells", "hits", "total",
                                      "hits_before", "total_before", "tied_left_out"])
    with np.errstate(divide="ignore", invalid="ignore"):
        raw["hit_rate"] = raw["hits"] / raw["total"]
        raw["pai"] = raw["hits"] * n / (raw["total"] * raw["cells"])
        ok = (raw["hits_before"] > 0) & (raw["total_before"] > 0)
        raw["rri"] = np.where(ok, (raw["hits"] / raw["hits_before"]) / (raw["total"] / raw["total_before"]), np.nan)
    raw["cells"] = raw["cells"].astype(float)
    raw["tied_left_out"] = raw["tied_left_out"].astype(float)
    return raw[list(TABLE_COLUMNS)]


def _summary(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    if not len(table):
        return pd.DataFrame({c: [] for c in ("surface", "share", "hit_rate", "pai", "rri", "periods")})
    grouped = table.groupby(["surface", "share"], sort=False)
    out = grouped[["hit_rate", "pai", "rri"]].mean()
    out["periods"] = grouped.size()
    out = out.reset_index()
    out["order"] = out["surface"].map({name: i for i, name in enumerate(names)})
    return out.sort_values(["order", "share"], kind="stable").drop(columns="order").reset_index(drop=True)


def _choose(summary: pd.DataFrame, candidates: Sequence[Surface], shares: Sequence[float],
            pinned: str | None) -> tuple[Surface, str]:
    by_name = {s.name: s for s in candidates}
    if pinned is not None:
        return by_name[pinned], "given"
    if not len(summary):
        return by_name[NAIVE], ("no pair of consecutive periods with incidents to backtest on: last period's "
                                "counts (the baseline)")
    pai = summary.pivot(index="surface", columns="share", values="pai").reindex(list(by_name))
    naive = pai.loc[NAIVE]
    eligible = (pai.fillna(-np.inf) >= naive.fillna(np.inf) - 1e-9).all(axis=1)
    mean = pai.mean(axis=1).where(eligible, -np.inf)
    best = str(mean.index[int(np.argmax(mean.to_numpy()))])
    share_words = " and ".join(f"{s:.0%}" for s in shares)
    return by_name[best], (f"the highest mean PAI at {share_words} of the study area among the candidates at least "
                           "as good as last period's counts at each share (rolling backtest)")


def _card(chosen: Surface, rule: str, summary: pd.DataFrame, shares: Sequence[float], ts: list[int],
          labels: Sequence[str], skipped: list[str], stack: SurfaceStack, every: str) -> MethodCard:
    card = MethodCard("surface")
    card.choose("surface", chosen.name, rule)
    card.parameters["surface_means"] = chosen.describe(every)
    card.rules["surface_means"] = "the chosen candidate in words"
    card.choose("cell_size_m", stack.grid.cell_size_m, stack.grid.rule)
    card.data["candidates"] = int(summary["surface"].nunique()) if len(summary) else 0
    card.data["backtest_shares"] = [float(s) for s in shares]
    card.data["backtest_pairs"] = len(ts)
    if ts:
        card.data["backtest_periods"] = f"{labels[ts[0]]} to {labels[ts[-1] + 1]} ({len(ts)} {every}s scored)"
    card.data["study_cells"] = len(stack.cells)
    if stack.outside:
        card.data["incidents_outside_study_area"] = round(stack.outside, 1)
    card.data["backtest"] = figures(summary, chosen.name, shares)
    if skipped:
        card.warn(f"{len(skipped)} period pairs were not scored because a period has no incidents in the study area: "
                  f"{', '.join(skipped)}.")
    if len(ts) < 3:
        card.warn(f"the backtest scored only {len(ts)} pairs of {every}s: the choice of surface is weak; "
                  "import more history.")
    return card


def figures(summary: pd.DataFrame, name: str, shares: Sequence[float]) -> str:
    """The chosen candidate's mean PAI beside the baseline's, in one line.

    >>> s = pd.DataFrame({"surface": ["naive", "naive", "counts-6", "counts-6"], "share": [0.02, 0.05] * 2,
    ...                   "pai": [10.0, 6.0, 12.5, 6.4], "hit_rate": [0.2, 0.3, 0.25, 0.32], "rri": 1.0,
    ...                   "periods": 7})
    >>> figures(s, "counts-6", (0.02, 0.05))
    'mean PAI 12.5 at 2% and 6.4 at 5% of the study area over 7 periods; naive 10.0 and 6.0'
    """
    if not len(summary):
        return "not backtested (too few periods)"
    mine = summary[summary["surface"] == name].set_index("share")
    base = summary[summary["surface"] == NAIVE].set_index("share")
    at = " and ".join(f"{mine['pai'].get(s, np.nan):.1f} at {s:.0%}" for s in shares)
    periods = int(mine["periods"].max()) if len(mine) else 0
    text = f"mean PAI {at} of the study area over {periods} periods"
    if name != NAIVE:
        naive = " and ".join(f"{base['pai'].get(s, np.nan):.1f}" for s in shares)
        text += f"; naive {naive}"
    return text
