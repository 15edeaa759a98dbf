"""Reading the action log: the columns of what it returns, and :class:`ActionLogQueries`.

:class:`~.log.ActionLog` takes its reading methods (:meth:`~ActionLogQueries.action`,
:meth:`~ActionLogQueries.actions_for`, :meth:`~ActionLogQueries.history`,
:meth:`~ActionLogQueries.to_frame`, :meth:`~ActionLogQueries.meetings` and
:meth:`~ActionLogQueries.last_status`) from this mixin; its writing methods are in
:mod:`.log`. Every frame comes back with documented dtypes, also when it is empty: ids as
``Int64``, dates as ``datetime64[s]``, timestamps in UTC, text as ``str`` (missing: NaN),
pounds as :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..labels import FREE_TEXT_COLUMNS
from ..validation import check_choice, check_number, check_strings, check_type
from .config import TaskingConfig
from .errors import ActionLogError
from .fields import date_field, text_field
from .schema import ACTIONS, ITEMS, MEETINGS
from .status import period_label

#: Columns of :meth:`ActionLog.actions_for` (and of :meth:`ActionLog.action` as keys).
ACTION_COLUMNS = ("action_id", "meeting_id", "tasking_id", "agency", "action", "tactic", "pier", "owner_role",
                  "due_on", "status", "outcome", "notes", "funding_bid_gbp", "approval_route", "funding_status",
                  "funding_decided_on", "created_at", "updated_at", "version")
#: Columns of :meth:`ActionLog.to_frame` (free-text ones only with ``include_free_text=True``).
LOG_COLUMNS = ("meeting_id", "held_on", "group_name", "period", "band", "tasking_id", "place_name", "rank",
               "summary") + ACTION_COLUMNS[:1] + ACTION_COLUMNS[3:]
#: Columns of :meth:`ActionLog.last_status`.
LAST_STATUS_COLUMNS = ("tasking_id", "state", "last_meeting_id", "last_held_on", "last_period", "times_listed",
                       "actions", "open_actions", "last_action_id", "last_action_held_on", "status", "outcome")
_MEETING_COLUMNS = ("meeting_id", "held_on", "group_name", "period", "band")
_DATES = ("held_on", "due_on", "funding_decided_on", "last_held_on", "last_action_held_on")
_INTS = ("meeting_id", "action_id", "rank", "version", "last_meeting_id", "last_action_id", "times_listed",
         "actions", "open_actions")


class ActionLogQueries:
    """The reading half of :class:`~.log.ActionLog`: needs its ``_engine`` and ``config``."""

    _engine: sa.Engine
    config: TaskingConfig

    def action(self, action_id: int) -> dict[str, Any]:
        """One action, as stored.

        Parameters
        ----------
        action_id : int
            The action.

        Returns
        -------
        dict
            Keys :data:`ACTION_COLUMNS`; ``datetime.date`` dates, ``Decimal`` pounds, aware UTC
            timestamps, None where empty. Pass its ``version`` to :meth:`update_action`.
        """
        action_id = record_id(action_id, "action_id", "ActionLog.action")
        with self._engine.connect() as conn:
            row = conn.execute(_action_select().where(ACTIONS.c.id == action_id)).mappings().first()
        if row is None:
            raise ActionLogError(f"action {action_id} is not in the action log; check the id.")
        return dict(row)

    def actions_for(self, *, tasking_ids: Sequence[str] | None = None, status: str | Sequence[str] | None = None,
                    meeting_id: int | None = None) -> pd.DataFrame:
        """Actions, optionally only for some tasking ids, statuses or one meeting.

        Parameters
        ----------
        tasking_ids : sequence of str, optional
            Only actions for these places.
        status : str or sequence of str, optional
            Only actions with this status (or these), each one of ``tasking.toml``'s.
        meeting_id : int, optional
            Only actions agreed at this meeting.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`ACTION_COLUMNS`, oldest first: ids as ``Int64``, dates as
            ``datetime64``, ``created_at``/``updated_at`` in UTC, text as ``str`` (missing:
            NaN), ``funding_bid_gbp`` as :class:`~decimal.Decimal` pounds (or None).
        """
        where = "ActionLog.actions_for"
        query = _action_select().order_by(ACTIONS.c.id)
        if tasking_ids is not None:
            query = query.where(ACTIONS.c.tasking_id.in_(check_strings(tasking_ids, "tasking_ids", where)))
        if status is not None:
            wanted = (status,) if isinstance(status, str) else check_strings(status, "status", where)
            query = query.where(ACTIONS.c.status.in_([self._status(s, where) for s in wanted]))
        if meeting_id is not None:
            query = query.where(ACTIONS.c.meeting_id == record_id(meeting_id, "meeting_id", where))
        return self._frame(query, ACTION_COLUMNS)

    def history(self, tasking_id: str) -> pd.DataFrame:
        """What was listed and tasked for one place across meetings, with outcomes, oldest first.

        Parameters
        ----------
        tasking_id : str
            The place's id on the tasking lists.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`LOG_COLUMNS`: one row per action, and one (with empty action
            columns) for each meeting that listed the place but tasked nothing.
        """
        check_type(tasking_id, "tasking_id", "ActionLog.history", str, type_name="a str")
        return self._frame(_log_select().where(ITEMS.c.tasking_id == tasking_id), LOG_COLUMNS)

    def to_frame(self, *, include_free_text: bool = False) -> pd.DataFrame:
        """The whole log, one row per action (or per listed item with none), for export.

        Parameters
        ----------
        include_free_text : bool, default=False
            Keep :data:`FREE_TEXT_COLUMNS` (action, outcome, notes, summary). Off by default:
            exports carry no free text.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`LOG_COLUMNS`, less the free-text ones unless asked for.
        """
        check_type(include_free_text, "include_free_text", "ActionLog.to_frame", bool, type_name="a bool")
        frame = self._frame(_log_select(), LOG_COLUMNS)
        return frame if include_free_text else frame.drop(columns=list(FREE_TEXT_COLUMNS))

    def meetings(self) -> pd.DataFrame:
        """Meetings recorded (``meeting_id, held_on, group_name, period, band``), oldest first."""
        query = sa.select(MEETINGS.c.id.label("meeting_id"), MEETINGS.c.held_on, MEETINGS.c.group_name,
                          MEETINGS.c.period, MEETINGS.c.band).order_by(MEETINGS.c.held_on, MEETINGS.c.id)
        return self._frame(query, _MEETING_COLUMNS)

    def last_status(self, tasking_ids: Sequence[str], *, before: dt.date | str | None = None,
                    period: str | None = None) -> pd.DataFrame:
        """Per tasking id, where it stands in the log: for the "status" column of a tasking list.

        Parameters
        ----------
        tasking_ids : sequence of str
            The places on the new list.
        before : datetime.date or str, optional
            Only meetings held before this date (e.g. the meeting being prepared).
        period : str, optional
            Only meetings that reviewed this period's list (their ``period``, e.g.
            ``"2018-06"``), whenever they were held.

        Returns
        -------
        pandas.DataFrame
            One row per tasking id in the order given, columns :data:`LAST_STATUS_COLUMNS`:
            ``state`` is ``"new"`` (never listed), ``"carried over"`` (actions still open),
            ``"actions closed"`` (every action done or cancelled) or ``"listed, no action"``;
            ``last_meeting_id/last_held_on/last_period`` the latest meeting that listed it;
            ``status``/``outcome`` those of its latest action (free text in ``outcome``).
        """
        given = check_strings(tasking_ids, "tasking_ids", "ActionLog.last_status")
        ids = list(dict.fromkeys(text_field("tasking_ids", t, 64) for t in given))
        query = _log_select().where(ITEMS.c.tasking_id.in_(ids))
        if before is not None:
            query = query.where(MEETINGS.c.held_on < date_field("before", before))
        rows = self._frame(query, LOG_COLUMNS)
        if period is not None:  # "2017-W27" and "2017-07-03" name the same week
            wanted = period_label(text_field("period", period, 20))
            labels = {text: period_label(text) for text in rows["period"].dropna().unique()}
            rows = rows[rows["period"].map(labels) == wanted]
        return _last_status(rows, ids, set(self.config.closed_statuses))

    # --- helpers -------------------------------------------------------------------------
    def _frame(self, query: sa.Select, columns: Sequence[str]) -> pd.DataFrame:
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return _typed(pd.DataFrame([dict(r) for r in rows], columns=list(columns)))

    def _status(self, status: Any, where: str) -> str:
        """``status`` if it is one of ``tasking.toml``'s statuses, else ActionLogError."""
        name = self.config.path.name if self.config.path is not None else "tasking.toml"
        return check_choice(status, "status", f"{where} (statuses from {name})", self.config.statuses,
                            error=ActionLogError)


def record_id(value: Any, name: str, where: str) -> int:
    """A meeting or action id: an int from 1 (TypeError for another type, else ActionLogError)."""
    return int(check_number(value, name, where, low=1, low_open=False, integer=True, error=ActionLogError))


def _last_status(rows: pd.DataFrame, ids: list[str], closed: set[str]) -> pd.DataFrame:
    """Where each of ``ids`` stands, from its rows of the log (:data:`LOG_COLUMNS`, oldest first)."""
    last = rows.groupby("tasking_id", sort=False).tail(1).set_index("tasking_id")
    acts = rows[rows["action_id"].notna()]
    by_id = acts.groupby("tasking_id", sort=False)
    latest = by_id.tail(1).set_index("tasking_id")
    out = pd.DataFrame({"tasking_id": ids}).set_index("tasking_id", drop=False)
    out["times_listed"] = rows.groupby("tasking_id")["meeting_id"].nunique().reindex(out.index).fillna(0)
    out["actions"] = by_id.size().reindex(out.index).fillna(0)
    out["open_actions"] = (~acts["status"].isin(closed)).groupby(acts["tasking_id"]).sum().reindex(out.index).fillna(0)
    out["state"] = np.select([out["times_listed"] == 0, out["open_actions"] > 0, out["actions"] > 0],
                             ["new", "carried over", "actions closed"], "listed, no action")
    for name, column in (("last_meeting_id", "meeting_id"), ("last_held_on", "held_on"), ("last_period", "period")):
        out[name] = last[column].reindex(out.index)
    for name, column in (("last_action_id", "action_id"), ("last_action_held_on", "held_on"), ("status", "status"),
                         ("outcome", "outcome")):
        out[name] = latest[column].reindex(out.index)
    return _typed(out.reset_index(drop=True)[list(LAST_STATUS_COLUMNS)])


def _action_select() -> sa.Select:
    return sa.select(*[ACTIONS.c.id.label("action_id") if c == "action_id" else ACTIONS.c[c] for c in ACTION_COLUMNS])


def _log_select() -> sa.Select:
    cols = [MEETINGS.c.id.label("meeting_id"), MEETINGS.c.held_on, MEETINGS.c.group_name, MEETINGS.c.period,
            MEETINGS.c.band, ITEMS.c.tasking_id, ITEMS.c.place_name, ITEMS.c.rank, ITEMS.c.summary,
            ACTIONS.c.id.label("action_id")] + [ACTIONS.c[c] for c in ACTION_COLUMNS[3:]]
    join = ITEMS.join(MEETINGS, ITEMS.c.meeting_id == MEETINGS.c.id).outerjoin(
        ACTIONS, (ACTIONS.c.meeting_id == ITEMS.c.meeting_id) & (ACTIONS.c.tasking_id == ITEMS.c.tasking_id))
    return sa.select(*cols).select_from(join).order_by(MEETINGS.c.held_on, MEETINGS.c.id, ITEMS.c.tasking_id,
                                                       ACTIONS.c.id)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a result frame its documented dtypes (also when empty): text ``str`` (missing: NaN)."""
    out = frame.copy()
    for col in out.columns:
        if col in _DATES:
            out[col] = pd.to_datetime(out[col]).astype("datetime64[s]")
        elif col in _INTS:
            out[col] = pd.array(out[col].tolist(), dtype="Int64")
        elif col in ("created_at", "updated_at"):
            out[col] = pd.to_datetime(out[col], utc=True)
        elif col != "funding_bid_gbp":
            out[col] = out[col].astype("str")
    return out
