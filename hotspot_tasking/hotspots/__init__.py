"""Hotspot methods on EPSG:27700 incidents: KDE, DBSCAN (and HDBSCAN), Gi*, hotspot areas,
persistence over periods, accuracy (hit rate, PAI, RRI) and by-band comparisons.

One method per module, named as the method: ``hotspots.kde.kde``, ``hotspots.dbscan.dbscan``,
``hotspots.gistar.gistar``, ``hotspots.persistence.persistence``, ``hotspots.accuracy.backtest``
(the functions are not re-exported here, where they would hide their modules). Each takes
incidents first and keyword-only options, and returns a result with a method card. Uses
:mod:`hotspot_tasking.geo`; never imports Streamlit.
"""

from .areas import hotspot_areas
from .bands import ALL_TIMES, compare_bands, exclusive_areas, select_band
from .card import MethodCard
from .errors import HotspotError
from .grid import Grid
from .run import METHODS, HotspotRequest, HotspotRun, run_hotspots

__all__ = ["ALL_TIMES", "Grid", "HotspotError", "HotspotRequest", "HotspotRun", "METHODS", "MethodCard",
           "compare_bands", "exclusive_areas", "hotspot_areas", "run_hotspots", "select_band"]
