"""The action log: what a tasking meeting agreed for each place, who owns it, and how it ended.

One database per partnership: SQLite at ``WORKSPACE/actions.sqlite`` by default, or any
SQLAlchemy URL (PostgreSQL for a shared deployment). Tables, migrations and connection
settings are in :mod:`.schema`; the reading methods in :mod:`.queries`; status values and
funding routes come from ``tasking.toml`` (the workspace's own copy, else the packaged
default).

Two people updating one action at once lose nothing: every action has a ``version``;
:meth:`ActionLog.update_action` takes the version the caller read and changes the row
only if it is still that version (one ``UPDATE ... WHERE version = ?``), else raises
:class:`ActionConflictError` and changes nothing. Every write is one transaction, so a
process killed mid-write leaves everything committed before it and nothing after.

Examples
--------
>>> import datetime as dt
>>> log = ActionLog.open("sqlite://")
>>> m = log.record_meeting(dt.date(2017, 7, 4), group="Lambeth JAG", period="2017-07",
...                        items=[{"tasking_id": "H3-8a195da49", "place_name": "Brixton Road", "rank": 1}])
>>> a = log.add_action(m, "H3-8a195da49", agency="Police", action="High-visibility patrols Fri-Sat 21:00-03:00",
...                    pier="Enforcement", owner_role="Neighbourhood sergeant", due_on="2017-07-31",
...                    funding_bid_gbp="1000.00")
>>> log.action(a)["approval_route"]
'jag'
>>> log.update_action(a, expected_version=1, status="done", outcome="Reports down from 14 to 5 in four weeks")
2
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa

from ..labels import PIER_TAGS
from ..validation import check_choice, check_number, check_type
from . import DB_FILE, schema
from .config import TaskingConfig
from .errors import ActionConflictError, ActionLogError
from .fields import check_due, date_field, item_rows, money_field, text_field
from .queries import ACTION_COLUMNS, FREE_TEXT_COLUMNS, LAST_STATUS_COLUMNS, LOG_COLUMNS, ActionLogQueries, record_id
from .schema import ACTIONS, FUNDING_STATUSES, ITEMS, MEETINGS

__all__ = ["ActionLog", "DB_FILE", "ACTION_COLUMNS", "LOG_COLUMNS", "LAST_STATUS_COLUMNS", "FREE_TEXT_COLUMNS",
           "Pier", "FundingStatus", "ReviewState", "TaskingConfig"]

log = logging.getLogger(__name__)

Pier = Literal["Prevent", "Intelligence", "Enforcement", "Reassure"]
FundingStatus = Literal["none", "bid", "approved", "refused", "withdrawn"]
ReviewState = Literal["new", "carried over", "actions closed", "listed, no action"]
_DECIDED = ("approved", "refused", "withdrawn")
_UPDATABLE = ("agency", "action", "tactic", "pier", "owner_role", "due_on", "status", "outcome", "notes",
              "funding_bid_gbp", "funding_status", "funding_decided_on")


class ActionLog(ActionLogQueries):
    """An open action log. Make one with :meth:`open`; it is safe to share between threads.

    The methods that write are here; those that read (:meth:`action`, :meth:`actions_for`,
    :meth:`history`, :meth:`to_frame`, :meth:`meetings`, :meth:`last_status`) come from
    :class:`~.queries.ActionLogQueries`.
    """

    def __init__(self, engine: sa.Engine, config: TaskingConfig):
        self._engine = engine
        self.config = config

    @classmethod
    def open(cls, target: Any, *, config: TaskingConfig | str | Path | None = None) -> ActionLog:
        """Open (creating or upgrading as needed) the action log of a workspace or at a URL.

        Parameters
        ----------
        target : Workspace, str, pathlib.Path or sqlalchemy.URL
            A workspace (or its folder): SQLite at ``WORKSPACE/actions.sqlite``, configured by
            the workspace's ``tasking.toml``. Or an SQLAlchemy URL such as
            ``postgresql://user@host/db`` (a shared deployment) or ``sqlite:///path.sqlite``.
        config : TaskingConfig or path, optional
            Statuses and funding routes; default the workspace's ``tasking.toml``, else the
            packaged default.

        Raises
        ------
        TypeError
            If ``target`` or ``config`` is of another type.
        ActionLogError
            If the database cannot be reached, is not an action log, or has a schema newer
            than this program.
        """
        if not hasattr(target, "config_path"):  # a Workspace
            check_type(target, "target", "ActionLog.open", (str, os.PathLike, sa.URL),
                       type_name="a Workspace, its folder (str or pathlib.Path) or an SQLAlchemy URL")
        check_type(config, "config", "ActionLog.open", (TaskingConfig, str, os.PathLike),
                   type_name="a TaskingConfig or the path of a tasking.toml", optional=True)
        workspace = None
        if isinstance(target, sa.URL) or (isinstance(target, str) and "://" in target):
            url = sa.make_url(target)
        else:
            workspace = target
            if not hasattr(target, "config_path"):
                from ..geo.workspace import Workspace
                workspace = Workspace.open(target)
            url = sa.URL.create("sqlite", database=str(Path(workspace.root).resolve() / DB_FILE))
        if not isinstance(config, TaskingConfig):
            if config is None and workspace is not None:
                config = workspace.config_path("tasking.toml")
            config = TaskingConfig.load(config)
        engine = schema.create_engine(url)
        try:
            before = schema.migrate(engine)
        except sa.exc.OperationalError as err:
            engine.dispose()
            reason = str(err.orig).strip().splitlines()[0] if err.orig else type(err).__name__
            raise ActionLogError(f"{schema.describe(url)}: cannot open the action log ({reason}); check the "
                               "URL, that the server is running and that you may connect.") from err
        except BaseException:
            engine.dispose()
            raise
        if before < schema.LATEST_VERSION:
            log.info("action log %s: schema upgraded from version %d to %d", schema.describe(engine.url), before,
                     schema.LATEST_VERSION)
        return cls(engine, config)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for tools and tests; use the methods to change the log)."""
        return self._engine

    @property
    def schema_version(self) -> int:
        """The database's schema version."""
        with self._engine.connect() as conn:
            return schema.current_version(conn)

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> ActionLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self):
        """A connection whose transaction takes the write lock at once (SQLite ``BEGIN IMMEDIATE``)."""
        return self._engine.connect().execution_options(hotspot_write=True)

    # --- configuration -------------------------------------------------------------------
    def funding_route(self, amount_gbp: Decimal | int | str) -> str:
        """Who approves a bid of ``amount_gbp`` pounds (see :meth:`TaskingConfig.funding_route`).

        Parameters
        ----------
        amount_gbp : Decimal, int or str
            Pounds, 0 or more, at most two decimal places.

        Returns
        -------
        str
            ``"jag"`` up to and including the JAG's limit (default £1,000; Hastings £3,000),
            else ``"partnership"`` (route names as in ``tasking.toml``).
        """
        return self.config.funding_route(amount_gbp)

    # --- writing -------------------------------------------------------------------------
    def record_meeting(self, held_on: dt.date | str, *, group: str, period: str, band: str | None = None,
                       notes: str | None = None,
                       items: Iterable[Mapping[str, Any]] | pd.DataFrame | None = None) -> int:
        """Record a meeting and the tasking items on its list; return the meeting id.

        Parameters
        ----------
        held_on : datetime.date or str
            The meeting's date (ISO ``YYYY-MM-DD`` if a string).
        group : str
            Which group met, e.g. ``"Lambeth JAG"``. One meeting per group and date.
        period : str
            The review period, e.g. ``"2017-07"`` or ``"2017-W27"``.
        band : str, optional
            The time band reviewed, e.g. ``"night-time economy"``.
        notes : str, optional
            Free text (left out of exports by default).
        items : DataFrame or iterable of mappings, optional
            The tasking list: ``tasking_id`` (required, unique), ``place_name``, ``rank``, ``summary``.
        """
        row = {"held_on": date_field("held_on", held_on), "group_name": text_field("group", group, 100),
               "period": text_field("period", period, 20), "band": text_field("band", band, 60, required=False),
               "notes": text_field("notes", notes, None, required=False), "created_at": _now()}
        rows = item_rows(items)
        with self._write() as conn, conn.begin():
            clash = conn.execute(sa.select(MEETINGS.c.id).where(MEETINGS.c.group_name == row["group_name"],
                                                                MEETINGS.c.held_on == row["held_on"])).scalar()
            if clash is not None:
                raise ActionLogError(f"{row['group_name']} already has a meeting on {row['held_on']} "
                                     f"(meeting {clash}); add items and actions to it, or give another date.")
            try:
                meeting_id = conn.execute(MEETINGS.insert().values(row).returning(MEETINGS.c.id)).scalar_one()
            except sa.exc.IntegrityError as err:  # recorded by someone else since our check
                raise ActionLogError(f"{row['group_name']} already has a meeting on {row['held_on']}; add items and "
                                   "actions to it, or give another date.") from err
            if rows:
                conn.execute(ITEMS.insert(), [{**r, "meeting_id": meeting_id} for r in rows])
        return meeting_id

    def meeting_for(self, held_on: dt.date | str, *, group: str, period: str, band: str | None = None,
                    items: Iterable[Mapping[str, Any]] | pd.DataFrame | None = None) -> tuple[int, bool]:
        """The group's meeting on ``held_on``, recorded now (with ``items``) if there is none.

        Two people recording the first decisions of one meeting at the same moment both join
        the one meeting: whoever's record loses the race finds the other's, not a refusal.
        Takes :meth:`record_meeting`'s arguments.

        Returns
        -------
        tuple of (int, bool)
            The meeting id, and whether it was recorded by this call.
        """
        try:
            return self.record_meeting(held_on, group=group, period=period, band=band, items=items), True
        except ActionLogError:
            held, name = date_field("held_on", held_on), text_field("group", group, 100)
            with self._engine.connect() as conn:
                found = conn.execute(sa.select(MEETINGS.c.id).where(MEETINGS.c.group_name == name,
                                                                    MEETINGS.c.held_on == held)).scalar()
            if found is None:  # refused for another reason
                raise
            return int(found), False

    def add_item(self, meeting_id: int, *, tasking_id: str, place_name: str | None = None, rank: int | None = None,
                 summary: str | None = None) -> None:
        """Add one tasking item to a recorded meeting's list.

        Parameters
        ----------
        meeting_id : int
            From :meth:`record_meeting`.
        tasking_id : str
            The stable id from the tasking list (at most 64 characters).
        place_name : str, optional
            Ward, LSOA or street name as the list shows it.
        rank : int, optional
            Its rank on the list, from 1.
        summary : str, optional
            The list's explanation (free text, left out of exports by default).
        """
        meeting_id = record_id(meeting_id, "meeting_id", "ActionLog.add_item")
        (row,) = item_rows([{"tasking_id": tasking_id, "place_name": place_name, "rank": rank, "summary": summary}])
        with self._write() as conn, conn.begin():
            self._meeting_date(conn, meeting_id)
            if self._has_item(conn, meeting_id, row["tasking_id"]):
                raise ActionLogError(f"tasking item {row['tasking_id']!r} is already on meeting {meeting_id}'s list; "
                                   "add actions to it instead.")
            conn.execute(ITEMS.insert().values({**row, "meeting_id": meeting_id}))

    def add_action(self, meeting_id: int, tasking_id: str, *, agency: str, action: str, tactic: str | None = None,
                   pier: Pier | None = None, owner_role: str | None = None, due_on: dt.date | str | None = None,
                   status: str | None = None, outcome: str | None = None, notes: str | None = None,
                   funding_bid_gbp: Decimal | int | str | None = None, funding_status: FundingStatus | None = None,
                   funding_decided_on: dt.date | str | None = None) -> int:
        """Record an action agreed at a meeting for one of its tasking items; return its id.

        Parameters
        ----------
        meeting_id : int
            From :meth:`record_meeting`.
        tasking_id : str
            An item on that meeting's list.
        agency : str
            The lead agency, e.g. ``"Police"``, ``"Council ASB team"``, ``"Fire and rescue"``.
        action : str
            What will be done (free text; no personal names).
        tactic : str, optional
            e.g. ``"patrol"``, ``"deployable CCTV"``, ``"licensing visit"``.
        pier : {"Prevent", "Intelligence", "Enforcement", "Reassure"}, optional
            The PIER tag.
        owner_role : str, optional
            The role that owns it, e.g. ``"Neighbourhood sergeant"`` (a role, not a name).
        due_on : datetime.date or str, optional
            On or after the meeting date.
        status : str, optional
            One of ``tasking.toml``'s statuses; default its ``default_status``.
        outcome, notes : str, optional
            Free text (left out of exports by default).
        funding_bid_gbp : Decimal, int or str, optional
            A bid in pounds, 0 or more with at most two decimal places; its approval route
            is computed from ``tasking.toml``.
        funding_status : {"none", "bid", "approved", "refused", "withdrawn"}, optional
            Default ``"bid"`` with an amount, else ``"none"``.
        funding_decided_on : datetime.date or str, optional
            When the bid was decided; default today for approved, refused or withdrawn.
        """
        meeting_id = record_id(meeting_id, "meeting_id", "ActionLog.add_action")
        tasking_id = text_field("tasking_id", tasking_id, 64)
        row = self._checked({"agency": agency, "action": action, "tactic": tactic, "pier": pier,
                             "owner_role": owner_role, "due_on": due_on,
                             "status": self.config.default_status if status is None else status,
                             "outcome": outcome, "notes": notes, "funding_bid_gbp": funding_bid_gbp,
                             "funding_status": funding_status, "funding_decided_on": funding_decided_on},
                            "ActionLog.add_action")
        now = _now()
        with self._write() as conn, conn.begin():
            check_due(row["due_on"], self._meeting_date(conn, meeting_id))
            if not self._has_item(conn, meeting_id, tasking_id):
                raise ActionLogError(f"tasking item {tasking_id!r} is not on meeting {meeting_id}'s list; "
                                     "check the id, or add it with add_item() first.")
            values = dict(row, meeting_id=meeting_id, tasking_id=tasking_id, created_at=now, updated_at=now, version=1)
            return conn.execute(ACTIONS.insert().values(values).returning(ACTIONS.c.id)).scalar_one()

    def update_action(self, action_id: int, *, expected_version: int, **changes: Any) -> int:
        """Change an action if nobody else has since it was read; return its new version.

        Parameters
        ----------
        action_id : int
            The action.
        expected_version : int
            The ``version`` the caller read (from :meth:`action` or :meth:`actions_for`).
        **changes
            New values for any of ``agency, action, tactic, pier, owner_role, due_on, status,
            outcome, notes, funding_bid_gbp, funding_status, funding_decided_on``, checked as
            in :meth:`add_action`. A changed amount gets its approval route again.

        Raises
        ------
        ActionConflictError
            If the action's version is no longer ``expected_version``: nothing is changed;
            reload the action and apply the change again.
        ActionLogError
            For an unknown action or field, or a bad value.
        """
        where = "ActionLog.update_action"
        action_id = record_id(action_id, "action_id", where)
        check_number(expected_version, "expected_version", where, low=1, low_open=False, integer=True,
                     error=ActionLogError)
        unknown = sorted(set(changes) - set(_UPDATABLE))
        if unknown:
            raise ActionLogError(f"update_action({action_id}): cannot change {', '.join(unknown)}; "
                               f"change only {', '.join(_UPDATABLE)}.")
        if not changes:
            raise ActionLogError(f"update_action({action_id}): no changes given; "
                                 "pass at least one, e.g. status='done'.")
        with self._write() as conn, conn.begin():
            current = conn.execute(sa.select(ACTIONS).where(ACTIONS.c.id == action_id)).mappings().first()
            if current is None:
                raise ActionLogError(f"action {action_id} is not in the action log; check the id.")
            if current["version"] != expected_version:
                raise ActionConflictError(action_id, current["version"], expected_version)
            merged = {k: current[k] for k in _UPDATABLE} | changes
            new_amount = changes.get("funding_bid_gbp", current["funding_bid_gbp"])
            amount_changed = (None if new_amount is None else money_field("funding_bid_gbp", new_amount)) \
                != current["funding_bid_gbp"]
            status_changed = merged["funding_status"] != current["funding_status"]
            if amount_changed and "funding_status" not in changes:
                merged["funding_status"] = None  # a new amount needs a new decision: 'bid' again (or 'none')
            if (amount_changed or status_changed) and "funding_decided_on" not in changes:
                merged["funding_decided_on"] = None
            row = self._checked(merged, where)
            check_due(row["due_on"], self._meeting_date(conn, current["meeting_id"]))
            values = {k: v for k, v in row.items() if v != current[k]}
            result = conn.execute(ACTIONS.update()
                                  .where(ACTIONS.c.id == action_id, ACTIONS.c.version == expected_version)
                                  .values({**values, "version": ACTIONS.c.version + 1, "updated_at": _now()}))
            if result.rowcount != 1:  # changed between our read and our write (PostgreSQL read committed)
                now = conn.execute(sa.select(ACTIONS.c.version).where(ACTIONS.c.id == action_id)).scalar_one()
                raise ActionConflictError(action_id, now, expected_version)
        return expected_version + 1

    # --- helpers -------------------------------------------------------------------------
    def _meeting_date(self, conn: sa.Connection, meeting_id: int) -> dt.date:
        held_on = conn.execute(sa.select(MEETINGS.c.held_on).where(MEETINGS.c.id == meeting_id)).scalar()
        if held_on is None:
            raise ActionLogError(f"meeting {meeting_id} is not in the action log; "
                                 "record it first with record_meeting().")
        return held_on

    @staticmethod
    def _has_item(conn: sa.Connection, meeting_id: int, tasking_id: str) -> bool:
        return conn.execute(sa.select(ITEMS.c.rank).where(ITEMS.c.meeting_id == meeting_id,
                                                          ITEMS.c.tasking_id == tasking_id)).first() is not None

    def _checked(self, values: Mapping[str, Any], where: str) -> dict[str, Any]:
        """Validate an action's fields (all of ``_UPDATABLE``) for ``where``; derive its approval route."""
        pier = values["pier"]
        if pier is not None:
            check_choice(pier, "pier", where, PIER_TAGS, error=ActionLogError)
        amount = (None if values["funding_bid_gbp"] is None
                  else money_field("funding_bid_gbp", values["funding_bid_gbp"]))
        funding_status = values["funding_status"]
        if funding_status is None:
            funding_status = "none" if amount is None else "bid"
        check_choice(funding_status, "funding_status", where, FUNDING_STATUSES, error=ActionLogError)
        if (amount is None) != (funding_status == "none"):
            raise ActionLogError(f"funding_status {funding_status!r} does not fit funding_bid_gbp {amount}; "
                                 "give an amount with 'bid', 'approved', 'refused' or 'withdrawn', "
                                 "and none with 'none'.")
        decided = date_field("funding_decided_on", values["funding_decided_on"], required=False)
        if funding_status in _DECIDED and decided is None:
            decided = dt.date.today()
        if funding_status not in _DECIDED and decided is not None:
            raise ActionLogError(f"funding_decided_on is for a decided bid but funding_status is {funding_status!r}; "
                               "leave the date out or set funding_status to approved, refused or withdrawn.")
        return {
            "agency": text_field("agency", values["agency"], 100),
            "action": text_field("action", values["action"], None),
            "tactic": text_field("tactic", values["tactic"], 100, required=False), "pier": pier,
            "owner_role": text_field("owner_role", values["owner_role"], 100, required=False),
            "due_on": date_field("due_on", values["due_on"], required=False),
            "status": self._status(values["status"], where),
            "outcome": text_field("outcome", values["outcome"], None, required=False),
            "notes": text_field("notes", values["notes"], None, required=False),
            "funding_bid_gbp": amount, "approval_route": None if amount is None else self.funding_route(amount),
            "funding_status": funding_status, "funding_decided_on": decided,
        }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
