"""Hotspot methods: KDE, DBSCAN, Gi*, persistence, accuracy (issue 4). Never imports Streamlit."""
