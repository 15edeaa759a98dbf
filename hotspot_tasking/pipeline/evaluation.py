"""Evaluating what the action log says was done, from a workspace: the incidents, the actions
and their meetings, and a control layer are read here, then
:func:`hotspot_tasking.evaluation.evaluate.evaluate_actions` does the counting and the test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from ..actions.log import ActionLog
from ..evaluation.errors import EvaluationError
from ..evaluation.evaluate import ActionTypeField, Evaluation, evaluate_actions
from ..evaluation.inputs import NEEDED, check_choice, check_coverage_records, check_options, check_outlines
from ..geo.workspace import Workspace
from ..validation import check_strings, check_type


def evaluate_log(ws_or_incidents: Workspace | pd.DataFrame, action_log: ActionLog, outlines: gpd.GeoDataFrame, *,
                 window_days: int = 28, buffer_m: float = 250.0, control=None,
                 weights: str | pd.Series | None = None, alpha: float = 0.05, action_type: ActionTypeField = "tactic",
                 exclude_statuses: Sequence[str] = ("cancelled",),
                 data_period: tuple[Any, Any] | None = None,
                 coverage_records: pd.DataFrame | None = None) -> Evaluation:
    """Evaluate every place the action log says was tasked, from the meeting that tasked it.

    Parameters
    ----------
    ws_or_incidents : Workspace or pandas.DataFrame
        A workspace (its incidents are read) or an incident table as for
        :func:`~hotspot_tasking.evaluation.evaluate.evaluate_places`.
    action_log : ActionLog
        Its actions and their meetings (``held_on``: the start of the after window).
    outlines : geopandas.GeoDataFrame
        ``tasking_id`` (unique) and ``geometry`` (EPSG:27700), e.g. from the tasking store.
        Not modified.
    control : polygons or str, optional
        As in ``evaluate_places``; with a workspace, also a layer name such as ``"boroughs"``.
    window_days, buffer_m, weights, alpha, action_type, exclude_statuses, data_period
        As in :func:`~hotspot_tasking.evaluation.evaluate.evaluate_actions`.
    coverage_records : pandas.DataFrame, optional
        The records that say which months hold data (every record of the sources evaluated,
        any category); default the incidents (with a workspace, all of its records and
        their sources). An action with a window in months without data is not judged, and
        its verdict says why.

    Returns
    -------
    Evaluation
        :attr:`~hotspot_tasking.evaluation.evaluate.Evaluation.summary` counts the actions
        judged and not judged.

    Raises
    ------
    TypeError, EvaluationError
        Every argument is checked before anything is read.
    """
    where = "evaluate_log"
    check_type(ws_or_incidents, "ws_or_incidents", where, (Workspace, pd.DataFrame),
               type_name="a Workspace or a pandas DataFrame (the incident table)")
    check_type(action_log, "action_log", where, ActionLog, type_name="an ActionLog (ActionLog.open(url))")
    check_outlines(outlines, action_type, where)
    check_strings(exclude_statuses, "exclude_statuses", where)
    check_options(window_days, buffer_m, alpha, where)
    check_coverage_records(coverage_records, where)
    if isinstance(control, str):
        if not isinstance(ws_or_incidents, Workspace):
            raise EvaluationError(f"{where}: control {control!r} names a layer, which needs a workspace; pass a "
                                  "polygon instead.")
        check_choice(control, "control", where, ws_or_incidents.layers())
        control = ws_or_incidents.read_layer(control)
    incidents = ws_or_incidents
    if isinstance(ws_or_incidents, Workspace):
        if isinstance(weights, pd.Series):
            raise EvaluationError(f"{where}: weights as a Series need the incident table it is aligned to; pass the "
                                  "incidents instead of the workspace, or a column name such as 'harm_weight'.")
        extra = [weights] if isinstance(weights, str) else []
        incidents = ws_or_incidents.incidents(columns=list(NEEDED) + ["source"] + extra)  # source: coverage
    actions = action_log.actions_for()
    held = action_log.meetings().set_index("meeting_id")["held_on"]
    actions = actions.assign(held_on=actions["meeting_id"].map(held))
    return evaluate_actions(incidents, actions, outlines, window_days=window_days, buffer_m=buffer_m, control=control,
                            weights=weights, alpha=alpha, action_type=action_type, exclude_statuses=exclude_statuses,
                            data_period=data_period, coverage_records=coverage_records, where=where)
