"""Altair charts of a place or an area: the hour-of-week grid, the trend and the category mix.
Colour-blind-safe (viridis, Okabe and Ito), local time, units on every axis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..geo.timebands import DAY_NAMES
from .style import CATEGORICAL

if TYPE_CHECKING:
    import altair as alt


def heat_grid(counts: pd.DataFrame) -> alt.Chart:
    """A 7 x 24 hour-of-week grid (Monday at the top), viridis, in incidents."""
    import altair as alt  # a third of a second: only when a chart is drawn

    long = counts.rename_axis(index="day", columns="hour").stack().rename("incidents").reset_index()
    long["day"] = long["day"].str[:3]
    return alt.Chart(long).mark_rect().encode(
        x=alt.X("hour:O", title="hour of day (local time)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:O", sort=[d[:3] for d in DAY_NAMES], title=None, axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("incidents:Q", scale=alt.Scale(scheme="viridis"), title="incidents"),
        tooltip=["day", "hour", alt.Tooltip("incidents:Q", format=".1f")]).properties(height=210)


def trend_line(trend: pd.DataFrame, every: str) -> alt.Chart:
    """Incidents per period over the baseline, the review period marked; a period without
    data (NaN) is a break in the line, not a zero."""
    import altair as alt  # a third of a second: only when a chart is drawn

    starts = pd.to_datetime(trend["period"].str.slice(0, 10), format="mixed")
    data = trend.assign(now=[False] * (len(trend) - 1) + [True],
                        label=starts.dt.strftime("%d/%m/%y" if every == "week" else "%b %Y"))
    base = alt.Chart(data).encode(x=alt.X("label:O", sort=None, title=f"{every} (from)" if every == "week" else None,
                                          axis=alt.Axis(labelAngle=-45)),
                                  y=alt.Y("incidents:Q", title=f"incidents per {every}"))
    return (base.mark_line(color=CATEGORICAL[0], invalid=None) + base.mark_point(filled=True, size=60).encode(
        color=alt.Color("now:N", scale=alt.Scale(domain=[False, True], range=[CATEGORICAL[0], CATEGORICAL[5]]),
                        legend=None),
        tooltip=[alt.Tooltip("label:O", title=every), alt.Tooltip("incidents:Q", format=".1f")])
            ).properties(height=230)


def category_bars(categories: pd.DataFrame, *, top: int = 6) -> alt.Chart:
    """The leading categories (the rest as "other") as horizontal bars, most first."""
    import altair as alt  # a third of a second: only when a chart is drawn

    head = categories.head(top)
    rest = categories.iloc[top:]
    if len(rest):
        head = pd.concat([head, pd.DataFrame({"category": ["other categories"], "incidents": [rest["incidents"].sum()],
                                              "share": [rest["share"].sum()]})], ignore_index=True)
    return alt.Chart(head).mark_bar(color=CATEGORICAL[0]).encode(
        x=alt.X("incidents:Q", title="incidents this period"),
        y=alt.Y("category:N", sort=head["category"].tolist(), title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=["category", alt.Tooltip("incidents:Q", format=".1f"), alt.Tooltip("share:Q", format=".0%")],
    ).properties(height=230)
