"""The form that records a tasking group's decision about one listed place into the action log.

:func:`record_decision` does the writing (no Streamlit): the meeting of that group and date
is found, or recorded with the whole list as its items (and the list is stored in the
workspace, as the CLI does, so the next period can say what changed and evaluation can
find the outline); the place is added to an existing meeting's list if missing; then the
action is added. :func:`decision_form` draws the form and shows the outcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ..errors import UserError
from ..geo.workspace import Workspace
from ..actions.log import ActionLog, Pier
from ..actions.schema import PIER_TAGS
from ..actions.config import TaskingConfig
from ..errors import TaskingError
from ..ranking.schema import TaskingList
from ..pipeline.store import save_tasking_list
from .style import UK_DATE
from .tasking_cache import action_log, default_meeting_day, log_version, meeting_groups, place_history

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
                    funding_bid_gbp: Any = None) -> Recorded:
    """Record one decision: the meeting (made with the list's items if new), the item, the action.

    Raises
    ------
    TaskingError
        For any value the action log refuses; nothing is written when the action, agency
        or group is missing or the due date is before the meeting.
    """
    for name, value in (("the action agreed", action), ("the agency", agency), ("the group", group)):
        if not (value or "").strip():  # checked before anything is written
            raise TaskingError(f"Give {name}: it is needed to record the decision.")
    if due_on is not None and due_on < held_on:
        raise TaskingError(f"The due date {due_on:{UK_DATE}} is before the meeting on {held_on:{UK_DATE}}; "
                           "give a date on or after it.")
    frame = tasking_list.frame
    row = frame[frame["tasking_id"] == tasking_id]
    if row.empty:
        raise TaskingError(f"{tasking_id!r} is not on the {tasking_list.period} list; choose a listed place.")
    meetings = log.meetings()
    same = meetings[(meetings["group_name"] == group.strip()) & (meetings["held_on"].dt.date == held_on)]
    new = same.empty
    if new:
        items = pd.DataFrame(frame[["tasking_id", "place_name", "rank", "explanation"]]).rename(
            columns={"explanation": "summary"})
        meeting_id = log.record_meeting(held_on, group=group, period=tasking_list.period, band=tasking_list.band,
                                        items=items)
        save_tasking_list(ws, tasking_list)
    else:
        meeting_id = int(same["meeting_id"].iloc[0])
        if not (log.history(tasking_id)["meeting_id"] == meeting_id).any():
            first = row.iloc[0]
            log.add_item(meeting_id, tasking_id=tasking_id, place_name=first["place_name"], rank=int(first["rank"]),
                         summary=first["explanation"])
    action_id = log.add_action(meeting_id, tasking_id, agency=agency, action=action, tactic=tactic, pier=pier,
                               owner_role=owner_role, due_on=due_on, status=status, funding_bid_gbp=funding_bid_gbp)
    route = log.action(action_id)["approval_route"]
    labels = {r.route: r.label for r in log.config.routes}
    return Recorded(meeting_id, action_id, new, labels.get(route, route) if route else None)


def decision_form(ws: Workspace, tasking_list: TaskingList, tasking_id: str) -> Recorded | None:
    """Draw the decision form for one place of the list; record it when submitted."""
    path, tid = str(ws.root), tasking_id
    # keys change once the place has one more action: the form is fresh after a decision is recorded
    # (no double recording), and keeps what was typed when the log refuses a value
    gen = f"{tid}_{len(place_history(path, log_version(path), tid))}"
    row = tasking_list.frame[tasking_list.frame["tasking_id"] == tid].iloc[0]
    config = TaskingConfig.load(ws.config_path("tasking.toml"))
    tactics = tactic_choices(row["tactics"])
    agencies = list(dict.fromkeys([row["lead_agency"], *(a for _, _, a in tactics), *AGENCIES]))
    groups = meeting_groups(path, log_version(path)) or [DEFAULT_GROUP]
    held = default_meeting_day(tasking_list.period)
    statuses = list(config.statuses)
    with st.form(f"decision_{gen}", border=True):
        st.markdown(f"**Record a decision for #{row['rank']} {row['place_name']}**")
        c1, c2, c3 = st.columns(3)
        group = c1.selectbox("Group", groups, key=f"decision_group_{gen}", accept_new_options=True)
        held_on = c2.date_input("Meeting date", value=held, format="DD/MM/YYYY", key=f"decision_held_{gen}")
        status = c3.selectbox("Status", statuses, index=statuses.index(config.default_status),
                              format_func=lambda s: config.statuses[s]["label"], key=f"decision_status_{gen}")
        agency = c1.selectbox("Agency", agencies, key=f"decision_agency_{gen}", accept_new_options=True)
        tactic = c2.selectbox("Tactic", [t for t, _, _ in tactics] or ["Patrol"], key=f"decision_tactic_{gen}",
                              accept_new_options=True, help="Suggested for this place; type another if needed.")
        pier = c3.selectbox("PIER tag", PIER_TAGS, key=f"decision_pier_{gen}",
                            index=PIER_TAGS.index(tactics[0][1]) if tactics else 0,
                            help="Prevent, Intelligence, Enforcement, Reassure.")
        action = st.text_area("Action agreed", key=f"decision_action_{gen}", height=68,
                              placeholder="e.g. High-visibility patrols Fri-Sat 21:00-03:00 (no personal names)")
        c1, c2, c3 = st.columns(3)
        owner = c1.text_input("Owner role", key=f"decision_owner_{gen}", placeholder="e.g. Neighbourhood sergeant")
        due = c2.date_input("Due", value=held + dt.timedelta(days=DUE_AFTER_DAYS), format="DD/MM/YYYY",
                            key=f"decision_due_{gen}")
        bid = c3.number_input("Funding bid, £", min_value=0.0, step=50.0, format="%.2f", key=f"decision_bid_{gen}",
                              help="0 for no bid.")
        st.caption("Funding approval: " + "; ".join(
            (f"up to £{r.up_to_gbp:,.0f}: {r.label}" if r.up_to_gbp is not None else f"above that: {r.label}")
            for r in config.routes) + ".")
        submitted = st.form_submit_button("Record decision", type="primary")
    if not submitted:
        return None
    try:
        with st.spinner("Recording…"):
            done = record_decision(Workspace.open(path), action_log(path), tasking_list, tid, group=group or "",
                                   held_on=held_on, agency=agency or "", action=action, tactic=tactic, pier=pier,
                                   owner_role=owner or None, due_on=due, status=status,
                                   funding_bid_gbp=f"{bid:.2f}" if bid else None)
    except UserError as err:  # TaskingError, or the workspace refusing to store the list
        st.error(str(err))
        return None
    n = len(tasking_list.frame)
    meeting = (f"a new meeting, whose list of {n} places is now stored in the workspace" if done.new_meeting
               else f"meeting {done.meeting_id}")
    st.success(f"Recorded action {done.action_id} for #{row['rank']} {row['place_name']}: {group}, {meeting}, "
               f"held on {held_on:{UK_DATE}}." + (f" Funding bid £{bid:,.2f}: {done.approval}." if bid else ""))
    return done
