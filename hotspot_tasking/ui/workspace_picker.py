"""The sidebar's workspace choice, shared by every page."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from .. import DEMO_WORKSPACE
from ..geo.errors import GeoError
from ..geo.workspace import Workspace
from .text import error, plain

ENV_VAR = "HOTSPOT_WORKSPACE"


def default_workspace() -> str:
    """``$HOTSPOT_WORKSPACE`` if set, else the bundled demo."""
    return os.environ.get(ENV_VAR) or str(DEMO_WORKSPACE)


def pick_workspace() -> Workspace:
    """Draw the workspace box in the sidebar and open the workspace it names.

    Stops the page with one clear message if the folder is not a workspace.
    """
    path = st.sidebar.text_input("Workspace folder", value=default_workspace(), key="workspace_path",
                                 help=f"A folder made by 'hotspot-tasking init'. Set {ENV_VAR} to change the default.")
    try:
        ws = Workspace.open(Path(path).expanduser())
    except GeoError as err:
        error(err)
        st.stop()
    st.sidebar.caption(f"**{plain(ws.name)}**")
    return ws


def current_workspace() -> Workspace:
    """The workspace chosen in the sidebar (for pages; :func:`pick_workspace` has run in app.py)."""
    return Workspace.open(Path(st.session_state.get("workspace_path") or default_workspace()).expanduser())
