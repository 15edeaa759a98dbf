"""Cached wrappers around pure core functions.

Each takes the workspace path and its ``version`` (which changes whenever an import
lands), so a cache entry is reused until the data change.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ..geo.workspace import Summary, Workspace


@st.cache_data(show_spinner="Counting incidents…")
def workspace_summary(path: str, version: str) -> Summary:
    """Counts by source, category and month (see :meth:`Workspace.summary`)."""
    return Workspace.open(path).summary()


@st.cache_data(show_spinner=False)
def import_log(path: str, version: str) -> pd.DataFrame:
    """One row per import: when, source, rows read, accepted, rejected."""
    rows = [
        {"import": r.import_id, "started (UTC)": r.started, "source": r.source, "files": len(r.files),
         "rows read": r.rows_read, "accepted": r.rows_accepted, "rejected": r.rows_rejected,
         "unmapped categories": ", ".join(r.unmapped) or "", "notes": " ".join(r.notes)}
        for r in Workspace.open(path).imports
    ]
    return pd.DataFrame(rows)
