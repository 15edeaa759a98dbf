"""The form that records a tasking group's decision about one listed place into the action log.

:func:`decision_form` draws the form and shows the outcome; the writing and its rules are
:func:`hotspot_tasking.pipeline.decisions.record_decision`.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ..actions.config import TaskingConfig
from ..errors import UserError
from ..geo.workspace import Workspace
from ..labels import PIER_TAGS
from ..pipeline.decisions import (
    AGENCIES,
    DEFAULT_GROUP,
    DUE_AFTER_DAYS,
    Recorded,
    default_meeting_day,
    record_decision,
    tactic_choices,
)
from ..ranking.request import TaskingRequest
from ..ranking.schema import TaskingList
from .style import UK_DATE
from .tasking_cache import action_log, log_version, meeting_groups, place_history


def decision_form(ws: Workspace, tasking_list: TaskingList, tasking_id: str,
                  request: TaskingRequest | None = None) -> Recorded | None:
    """Draw the decision form for one place of the list; record it when submitted (the list is
    stored under ``request``, the question it answers, so the next list can say what changed)."""
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
                                   funding_bid_gbp=f"{bid:.2f}" if bid else None, request=request)
    except UserError as err:  # TaskingError, or the workspace refusing to store the list
        st.error(str(err))
        return None
    n = len(tasking_list.frame)
    meeting = (f"a new meeting, whose list of {n} places is now stored in the workspace" if done.new_meeting
               else f"meeting {done.meeting_id}")
    st.success(f"Recorded action {done.action_id} for #{row['rank']} {row['place_name']}: {group}, {meeting}, "
               f"held on {held_on:{UK_DATE}}." + (f" Funding bid £{bid:,.2f}: {done.approval}." if bid else ""))
    return done
