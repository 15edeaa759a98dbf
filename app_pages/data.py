"""Data: what the workspace holds, where it came from, and what was rejected."""

import streamlit as st

from hotspot_tasking.ui.cache import import_log, workspace_summary
from hotspot_tasking.ui.style import UK_DATE, colours
from hotspot_tasking.ui.workspace_picker import current_workspace

ws = current_workspace()
path = str(ws.root)
summary = workspace_summary(path, ws.version)

st.title("Data")
simulated = [s for s in summary.by_source.index if s.endswith("_simulated")]
if simulated:
    st.warning(
        "This workspace includes **simulated** data: " + ", ".join(f"`{s}`" for s in simulated) + ". "
        "In the bundled demo, police.uk places, categories and months are real but their times of day are "
        "simulated (police.uk publishes month only); council ASB, street-drinking and fire records are "
        "simulated around real police.uk map points; police.uk has no data for March 2016. "
        "See data/demo/README.md.",
        icon="⚠️",
    )

if summary.incidents == 0:
    st.info("No incidents yet. Import files with `hotspot-tasking ingest WORKSPACE --source SOURCE FILES`.")
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric("Incidents", f"{summary.incidents:,}")
c2.metric("From", summary.first.strftime(UK_DATE))
c3.metric("To", summary.last.strftime(UK_DATE))
c4.metric("Rows rejected at import", f"{summary.rows_rejected:,}", help="Kept with file, row and reason in quarantine/.")

st.subheader("Incidents per month, by source")
st.bar_chart(summary.by_month, y_label="incidents per month", x_label="month", height=320,
             color=colours(len(summary.by_month.columns)))

left, right = st.columns(2)
left.subheader("By source")
counts = {"incidents": st.column_config.NumberColumn("incidents", format="localized")}
left.dataframe(summary.by_source, width="stretch", column_config=counts)
right.subheader("By category")
right.dataframe(summary.by_category, width="stretch", height=420, column_config=counts)

st.subheader("Import log")
st.caption("Every import: rows read = accepted + rejected.")
st.dataframe(import_log(path, ws.version), width="stretch", hide_index=True)
if summary.rejected_by_reason:
    st.caption("Rejected rows by reason: " + "; ".join(f"{r}: {n:,}" for r, n in summary.rejected_by_reason.items()))
