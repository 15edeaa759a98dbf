"""Data: what the workspace holds, importing new files, rejects and caveats."""

import streamlit as st

from hotspot_tasking.ui.cache import boundary_summary, import_log, quarantine_reasons, workspace_summary
from hotspot_tasking.ui.importer import import_form, report_table
from hotspot_tasking.ui.style import UK_DATE, colours
from hotspot_tasking.ui.text import plain
from hotspot_tasking.ui.workspace_picker import current_workspace

ws = current_workspace()
path = str(ws.root)
summary = workspace_summary(path, ws.data_version)

st.title("Data")
st.info("police.uk publishes a month, not a time, for each record; those records count under all times and are "
        "left out of hour bands. Locations are anonymised map points (each for at least eight addresses).",
        icon=":material/info:")
simulated = [s for s in summary.by_source.index if s.endswith("_simulated")]
if simulated:
    st.warning(
        "This workspace includes **simulated** data: " + ", ".join(plain(s) for s in simulated) + ". "
        "In the bundled demo, police.uk places, categories and months are real but their times of day are "
        "simulated; council ASB, street-drinking and fire records are simulated around real police.uk map "
        "points; police.uk has no data for March 2016. See data/demo/README.md.", icon=":material/warning:")

tab_holds, tab_import, tab_rejects, tab_areas = st.tabs(["What it holds", "Import", "Rejected rows", "Boundaries"])
with tab_holds:
    if summary.incidents == 0:
        st.info("No incidents yet: import a file on the Import tab or with `hotspot-tasking ingest`.")
    else:
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Incidents", f"{summary.incidents:,}")
        c2.metric("From", summary.first.strftime(UK_DATE))
        c3.metric("To", summary.last.strftime(UK_DATE))
        c4.metric("Rows rejected at import", f"{summary.rows_rejected:,}", help="Kept with file, row and reason.")
        st.subheader("Incidents per month, by source")
        st.bar_chart(summary.by_month, y_label="incidents per month", x_label="month", height=300,
                     color=colours(len(summary.by_month.columns)))
        counts = {"incidents": st.column_config.NumberColumn("incidents", format="localized")}
        left, right = st.columns(2)
        left.dataframe(summary.by_source, width="stretch", column_config=counts)
        right.dataframe(summary.by_category, width="stretch", height=360, column_config=counts)
    st.subheader("Import log")
    st.caption("Every import: rows read = accepted + rejected.")
    st.dataframe(import_log(path, ws.version), width="stretch", hide_index=True)
with tab_import:
    report = import_form(ws)
    if report is not None:
        st.success(plain(report.format().splitlines()[0]))
        st.dataframe(report_table(report), hide_index=True)
        for line in report.format().splitlines()[1:]:
            st.text(line)
with tab_rejects:
    reasons, sample = quarantine_reasons(path, ws.version)
    if reasons.empty:
        st.info("No rows have been rejected.")
    else:
        st.dataframe(reasons, hide_index=True)
        st.caption("The first rejected rows, with file, row (the header is row 1) and reason; all are in quarantine/.")
        st.dataframe(sample, hide_index=True, width="stretch")
with tab_areas:
    st.dataframe(boundary_summary(path, ws.version), hide_index=True, width="stretch")
