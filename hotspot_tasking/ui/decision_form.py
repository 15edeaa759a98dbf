"""The form that records a tasking group's decision about one listed place into the action log.

:func:`decision_form` draws the form and shows the outcome; the writing and its rules are
:func:`hotspot_tasking.pipeline.decisions.record_decision`. The decision is recorded in the
submit button's callback, before the page runs, so the same run draws the list with the
place's new status (one run, and only the action log's reads are redone).
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
    default_meeting_day,
    record_decision,
    tactic_choices,
)
from ..ranking.request import TaskingRequest
from ..ranking.schema import TaskingList
from .style import UK_DATE
from .tasking_cache import action_log, log_version, meeting_groups, place_history
from .text import plain

#: Session keys of the last decision's confirmation and of a refusal, each shown once.
RECORDED, REFUSED = "decision_recorded", "decision_refused"


def decision_form(ws: Workspace, tasking_list: TaskingList, tasking_id: str,
                  request: TaskingRequest | None = None) -> None:
    """Draw the decision form for one place of the list; record it when submitted (the list is
    stored under ``request``, the question it answers, so the next list can say what changed).
    The confirmation, or why the log refused it, shows above the form."""
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
    if RECORDED in st.session_state:
        st.success(plain(st.session_state.pop(RECORDED)))
    if REFUSED in st.session_state:
        st.error(plain(st.session_state.pop(REFUSED)))
    with st.form(f"decision_{gen}", border=True):
        st.markdown(f"**Record a decision for #{row['rank']} {plain(row['place_name'])}**")
        c1, c2, c3 = st.columns(3)
        c1.selectbox("Group", groups, key=f"decision_group_{gen}", accept_new_options=True)
        c2.date_input("Meeting date", value=held, format="DD/MM/YYYY", key=f"decision_held_{gen}")
        c3.selectbox("Status", statuses, index=statuses.index(config.default_status),
                     format_func=lambda s: config.statuses[s]["label"], key=f"decision_status_{gen}")
        c1.selectbox("Agency", agencies, key=f"decision_agency_{gen}", accept_new_options=True)
        c2.selectbox("Tactic", [t for t, _, _ in tactics] or ["Patrol"], key=f"decision_tactic_{gen}",
                     accept_new_options=True, help="Suggested for this place; type another if needed.")
        c3.selectbox("PIER tag", PIER_TAGS, key=f"decision_pier_{gen}",
                     index=PIER_TAGS.index(tactics[0][1]) if tactics else 0,
                     help="Prevent, Intelligence, Enforcement, Reassure.")
        st.text_area("Action agreed", key=f"decision_action_{gen}", height=68,
                     placeholder="e.g. High-visibility patrols Fri-Sat 21:00-03:00 (no personal names)")
        c1, c2, c3 = st.columns(3)
        c1.text_input("Owner role", key=f"decision_owner_{gen}", placeholder="e.g. Neighbourhood sergeant")
        c2.date_input("Due", value=held + dt.timedelta(days=DUE_AFTER_DAYS), format="DD/MM/YYYY",
                      key=f"decision_due_{gen}")
        c3.number_input("Funding bid, £", min_value=0.0, step=50.0, format="%.2f", key=f"decision_bid_{gen}",
                        help="0 for no bid.")
        st.caption("Funding approval: " + "; ".join(
            (f"up to £{r.up_to_gbp:,.0f}: {plain(r.label)}" if r.up_to_gbp is not None
             else f"above that: {plain(r.label)}")
            for r in config.routes) + ".")
        st.form_submit_button("Record decision", type="primary", on_click=_record,
                              args=(path, tasking_list, tid, request, gen, f"#{row['rank']} {row['place_name']}"))


def _record(path: str, tasking_list: TaskingList, tid: str, request: TaskingRequest | None, gen: str,
            place: str) -> None:
    """The submit button's callback: record the form's decision, and say what happened."""
    values = {name: st.session_state.get(f"decision_{name}_{gen}") for name in
              ("group", "held", "status", "agency", "tactic", "pier", "action", "owner", "due", "bid")}
    bid, group, held_on = values["bid"], values["group"] or "", values["held"]
    try:
        done = record_decision(Workspace.open(path), action_log(path), tasking_list, tid, group=group,
                               held_on=held_on, agency=values["agency"] or "", action=values["action"] or "",
                               tactic=values["tactic"], pier=values["pier"], owner_role=values["owner"] or None,
                               due_on=values["due"], status=values["status"],
                               funding_bid_gbp=f"{bid:.2f}" if bid else None, request=request)
    except UserError as err:  # TaskingError, or the workspace refusing to store the list
        st.session_state[REFUSED] = str(err)
        return
    n = len(tasking_list.frame)
    meeting = (f"a new meeting, whose list of {n} places is now stored in the workspace" if done.new_meeting
               else f"meeting {done.meeting_id}")
    funding = f" Funding bid £{bid:,.2f}: {done.approval}." if bid else ""
    st.session_state[RECORDED] = (f"Recorded action {done.action_id} for {place}: {group}, {meeting}, held on "
                                  f"{held_on:{UK_DATE}}.{funding}")
