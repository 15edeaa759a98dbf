"""Reports: exports of a tasking list (CSV, Excel, GeoPackage, GeoJSON, the PDF briefing pack,
PNG maps), static maps and disclosure control. Never imports Streamlit.
"""
