"""Recording a tasking group's decision about one listed place into the action log.

:func:`record_decision`: the meeting of that group and date is found, or recorded with the
whole list as its items (and the list is stored in the workspace, so the next period can
say what changed and evaluation can find the outline); the place is added to an existing
meeting's list if missing; then the action is added. :func:`tactic_choices` and
:func:`default_meeting_day` are the form's suggestions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..actions.errors import ActionLogError
from ..geo.workspace import Workspace
from ..labels import PIER_TAGS, UK_DATE
from ..periods import review_period
from ..ranking.request import TaskingRequest
from ..ranking.schema import TaskingList
from .store import save_tasking_list

if TYPE_CHECKING:  # annotations only: SQLAlchemy loads where a log is opened
    from ..actions.log import ActionLog, Pier

#: Agencies offered besides the place's lead and its tactics' owners (others can be typed).
AGENCIES = ("Police", "Council ASB team", "Community wardens", "Fire and rescue", "Housing", "Licensing", "Parks",
            "Cleansing", "Youth services", "TfL/BTP")
DEFAULT_GROUP = "Partnership tasking group"
DUE_AFTER_DAYS = 14


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_decision` wrote."""

    meeting_id: int
    action_id: int
    new_meeting: bool
    approval: str | None


def tactic_choices(tactics: str) -> list[tuple[str, str, str]]:
    """``[(name, pier, agency)]`` from a list row's ``tactics`` text.

    >>> tactic_choices("Patrol (Enforcement, Police); Licensing visit (Prevent, Licensing)")
    [('Patrol', 'Enforcement', 'Police'), ('Licensing visit', 'Prevent', 'Licensing')]
    """
    out = []
    for part in (tactics or "").split("; "):
        name, _, rest = part.rpartition(" (")
        pier, _, agency = rest.rstrip(")").partition(", ")
        if name and pier in PIER_TAGS:
            out.append((name, pier, agency))
    return out


def record_decision(ws: Workspace, log: ActionLog, tasking_list: TaskingList, tasking_id: str, *, group: str,
                    held_on: dt.date, agency: str, action: str, tactic: str | None = None, pier: Pier | None = None,
                    owner_role: str | None = None, due_on: dt.date | None = None, status: str | None = None,
                    funding_bid_gbp: Any = None, request: TaskingRequest | None = None) -> Recorded:
    """Record one decision: the meeting (made with the list's items if new), the item, the action.

    A new meeting's list is stored in the workspace under ``request`` (the request the list
    was built from: pass it, so next period's list inherits ids from it and says what
    changed since it); without it the list is stored without a key, as the older version
    did (see :func:`.store.save_tasking_list`).

    Raises
    ------
    ActionLogError
        For any value the action log refuses; nothing is written when the action, agency
        or group is missing or the due date is before the meeting.
    """
    for name, value in (("the action agreed", action), ("the agency", agency), ("the group", group)):
        if not (value or "").strip():  # checked before anything is written
            raise ActionLogError(f"Give {name}: it is needed to record the decision.")
    if due_on is not None and due_on < held_on:
        raise ActionLogError(f"The due date {due_on:{UK_DATE}} is before the meeting on {held_on:{UK_DATE}}; "
                           "give a date on or after it.")
    frame = tasking_list.frame
    row = frame[frame["tasking_id"] == tasking_id]
    if row.empty:
        raise ActionLogError(f"{tasking_id!r} is not on the {tasking_list.period} list; choose a listed place.")
    items = pd.DataFrame(frame[["tasking_id", "place_name", "rank", "explanation"]]).rename(
        columns={"explanation": "summary"})
    meeting_id, new = log.meeting_for(held_on, group=group, period=tasking_list.period, band=tasking_list.band,
                                      items=items)  # joined when someone else recorded the meeting first
    if new:
        save_tasking_list(ws, tasking_list, request)
    elif not (log.history(tasking_id)["meeting_id"] == meeting_id).any():
        first = row.iloc[0]
        log.add_item(meeting_id, tasking_id=tasking_id, place_name=first["place_name"], rank=int(first["rank"]),
                     summary=first["explanation"])
    action_id = log.add_action(meeting_id, tasking_id, agency=agency, action=action, tactic=tactic, pier=pier,
                               owner_role=owner_role, due_on=due_on, status=status, funding_bid_gbp=funding_bid_gbp)
    route = log.action(action_id)["approval_route"]
    labels = {r.route: r.label for r in log.config.routes}
    return Recorded(meeting_id, action_id, new, labels.get(route, route) if route else None)


def default_meeting_day(period: str, *, today: dt.date | None = None) -> dt.date:
    """The day after the review period ends, or today if that is still to come.

    >>> default_meeting_day("2017-07", today=dt.date(2020, 1, 1))
    datetime.date(2017, 8, 1)
    """
    return min((review_period(period).end + pd.Timedelta(days=1)).date(), today or dt.date.today())
