"""The area comparison's choices from a workspace: which layers can be compared, in what
order, and which areas to show first.
"""

from __future__ import annotations

import pandas as pd

from ..geo.select import select_incidents
from ..geo.workspace import Workspace
from ..validation import check_columns, check_number, check_type

#: Layer kinds in the order they are offered, with their labels.
KIND_LABELS = {"ward": "Wards", "zone": "Zones", "lsoa": "LSOAs"}


def comparable_layers(ws: Workspace) -> dict[str, str]:
    """``{layer name: label}`` of the area layers: wards first, then zones, then LSOAs, by name.

    A label reads ``"Wards · ward 2014 (41)"``: the kind, the name and how many areas.
    """
    check_type(ws, "ws", "comparable_layers", Workspace, type_name="a Workspace")
    layers = ws.layers()
    order = sorted(layers, key=lambda n: (list(KIND_LABELS).index(layers[n]["kind"])
                                          if layers[n]["kind"] in KIND_LABELS else len(KIND_LABELS), n))
    return {n: f"{KIND_LABELS.get(layers[n]['kind'], layers[n]['kind'])} · {n.replace('_', ' ')} "
               f"({layers[n].get('features', '?')})" for n in order}


def busiest_areas(incidents: pd.DataFrame, layer: str, start: str, end: str, *, n: int = 2) -> list[str]:
    """The codes of the ``n`` areas with the most incidents from ``start`` to ``end`` (local
    dates, inclusive): the areas a comparison opens with. Ties: the lower code.

    Parameters
    ----------
    incidents : pandas.DataFrame
        With ``occurred_from``, ``occurred_to`` and the ``layer`` column of area codes (zones may hold
        several joined by ``;``). Not modified.
    layer : str
    start, end : str
    n : int, default=2

    >>> import pandas as pd
    >>> day = pd.to_datetime(["2017-07-01"] * 4).tz_localize("Europe/London")
    >>> t = pd.DataFrame({"occurred_from": day, "occurred_to": day, "wards": ["B", "A", "A;C", "B"]})
    >>> busiest_areas(t, "wards", "2017-07-01", "2017-07-31")
    ['A', 'B']
    """
    check_columns(incidents, ("occurred_from", "occurred_to", layer), "busiest_areas", name="incidents")
    check_number(n, "n", "busiest_areas", low=1, low_open=False, integer=True)
    codes = incidents.loc[select_incidents(incidents, start=start, end=end), layer].astype("str")
    codes = codes.str.split(";").explode()
    counts = codes[codes.ne("")].value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [code for code, _ in ranked[:n]]
