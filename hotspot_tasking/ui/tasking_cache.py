"""Cached wrappers of the tasking pipeline for the weekly review and the exports page: the
ranked list, its status, the review table, what changed, a place's detail, the review
periods on offer and the action log's reads.

Data caches take the workspace path and a version: the workspace's ``version``, or for the
weekly review :func:`list_version` (the data and the stored list a request inherits ids
from: storing the period's own list, as recording a decision does, leaves it unchanged);
action-log reads take :func:`log_version` instead (it changes whenever the log is written),
so the ranked list stays cached while a decision is recorded. The action log is opened once per workspace
(``st.cache_resource``) and only when something is written, so merely looking never
creates ``actions.sqlite``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from ..actions import DB_FILE
from ..geo.workspace import Workspace
from ..pipeline import review, tasking
from ..ranking.place import PlaceProfile
from ..ranking.request import TaskingRequest
from ..ranking.schema import TaskingList
from ..reports.setting import band_label, band_labels
from .cache import request_incidents, workspace_summary

if TYPE_CHECKING:
    from ..actions.log import ActionLog

HISTORY_COLUMNS = {"held_on": "meeting", "period": "period", "agency": "agency", "action": "action",
                   "tactic": "tactic", "pier": "PIER", "owner_role": "owner", "due_on": "due", "status": "status",
                   "funding_bid_gbp": "bid, £", "approval_route": "approval"}


# --- the action log ---------------------------------------------------------------------

def list_version(path: str, request: TaskingRequest) -> str:
    """:func:`~hotspot_tasking.pipeline.tasking.ranked_list_version` of the workspace at ``path``."""
    return tasking.ranked_list_version(Workspace.open(path), request)


def log_version(path: str) -> str:
    """Changes whenever the workspace's action log is written ("" when it has none)."""
    files = [Path(path) / DB_FILE, Path(path) / f"{DB_FILE}-wal"]
    return ":".join(f"{f.stat().st_mtime_ns}-{f.stat().st_size}" for f in files if f.is_file())


@st.cache_resource(show_spinner=False, max_entries=4)
def action_log(path: str) -> ActionLog:
    """The workspace's action log, opened (and created if needed) once and shared."""
    from ..actions.log import ActionLog  # SQLAlchemy: only once a log is written or read

    return ActionLog.open(path)


@st.cache_data(show_spinner=False, max_entries=64)
def place_history(path: str, log_version: str, tasking_id: str) -> pd.DataFrame:
    """What was listed and tasked for one place, newest first, for display (no log: empty)."""
    if not log_version:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS.values()))
    log = action_log(path)
    frame = log.history(tasking_id)
    labels = {k: v["label"] for k, v in log.config.statuses.items()}
    listed_only = frame["action_id"].isna()
    frame["status"] = frame["status"].map(lambda s: labels.get(s, s)).where(~listed_only, "listed, no action")
    frame = frame.iloc[::-1][list(HISTORY_COLUMNS)].rename(columns=HISTORY_COLUMNS)
    text = [c for c in frame.columns if c not in ("meeting", "due", "bid, £")]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), "").astype("str")
    return frame


@st.cache_data(show_spinner=False, max_entries=16)
def meeting_groups(path: str, log_version: str) -> list[str]:
    """Groups that have met, most recent first (no log: none)."""
    if not log_version:
        return []
    return list(dict.fromkeys(action_log(path).meetings()["group_name"].iloc[::-1]))


# --- review periods and the list ---------------------------------------------------------------

@st.cache_data(show_spinner=False)
def review_choices(path: str, version: str) -> review.ReviewChoices:
    """The review periods the workspace's data allow, from its summary
    (:func:`~hotspot_tasking.pipeline.review.workspace_review_choices`): no incident rows read."""
    return review.workspace_review_choices(Workspace.open(path), summary=workspace_summary(path, version))


@st.cache_resource(show_spinner="Ranking places…", max_entries=32)
def ranked_list(path: str, version: str, request: TaskingRequest) -> TaskingList:
    """The ranked list before the action log is read, from the request's window only
    (:func:`.cache.request_incidents`); shared, read-only."""
    return tasking.ranked_list(Workspace.open(path), request, incidents=request_incidents(path, request))


@st.cache_resource(show_spinner=False, max_entries=32)
def tasking_list(path: str, version: str, request: TaskingRequest, log_version: str) -> TaskingList:
    """The tasking list with each place's status, as the CLI and every export give it; shared, read-only."""
    ranked = ranked_list(path, version, request)
    log = action_log(path) if log_version else None
    return tasking.with_status(Workspace.open(path), ranked, action_log=log)


@st.cache_data(show_spinner=False, max_entries=64)
def review_table(path: str, version: str, request: TaskingRequest, log_version: str) -> pd.DataFrame:
    """The list for display: rank, place, arrow, now, before, peak band, lead, status, tasking_id,
    explanation and the hotspot it is part of (group)."""
    frame = tasking_list(path, version, request, log_version).frame
    labels = band_labels(Workspace.open(path).time_bands())
    return pd.DataFrame({"rank": frame["rank"], "place": frame["place_name"], "trend": frame["arrow"],
                         "now": frame["count_now"].round(1), "before": frame["count_before"].round(1),
                         "peak band": frame["peak_band"].map(lambda band: band_label(band, labels)),
                         "peak": frame["peak_days"] + " " + frame["peak_hours"],
                         "lead": frame["lead_agency"], "status": frame["status"],
                         "tasking_id": frame["tasking_id"], "explanation": frame["explanation"],
                         "group": frame["hotspot_group"]})


@st.cache_data(show_spinner=False, max_entries=32)
def headline(path: str, version: str, request: TaskingRequest, log_version: str) -> review.Headline:
    """The review's headline figures (:func:`~hotspot_tasking.pipeline.review.headline`)."""
    listed = tasking_list(path, version, request, log_version)
    return review.headline(listed, action_log(path) if log_version else None)


@st.cache_data(show_spinner=False, max_entries=32)
def changes_text(path: str, version: str, request: TaskingRequest) -> str | None:
    """What changed since the stored list of the period before, same question (None: none stored)."""
    changes = review.changes_since(Workspace.open(path), request, ranked_list(path, version, request))
    return None if changes is None else changes.text.replace("\n", "  \n")  # one line each in Markdown


@st.cache_data(show_spinner="Profiling the place…", max_entries=64)
def place_detail(path: str, version: str, request: TaskingRequest, tasking_id: str) -> PlaceProfile:
    """Hour-of-week grid, category mix and trend of one listed place."""
    return review.place_detail(Workspace.open(path), ranked_list(path, version, request), tasking_id,
                               incidents=request_incidents(path, request))
