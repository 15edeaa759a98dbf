"""Hotspot methods on EPSG:27700 incidents: KDE, DBSCAN (and HDBSCAN), Gi*, hotspot areas,
persistence over periods, accuracy (hit rate, PAI, RRI) and by-band comparisons.

Each method takes incidents first, keyword-only options, and returns a result with a
method card (every parameter and the rule that chose it). Uses :mod:`hotspot_tasking.geo`;
never imports Streamlit.
"""

from .accuracy import accuracy, backtest, naive_scores
from .areas import hotspot_areas
from .bands import ALL_TIMES, compare_bands, exclusive_areas, select_band
from .card import MethodCard
from .clusters import ClusterResult
from .dbscan import CLUSTER_METHODS, dbscan
from .errors import HotspotError
from .gistar import GISTAR_CLASSES, gistar
from .grid import Grid
from .kde import KERNELS, KdeResult, kde
from .persistence import PERSISTENCE_CLASSES, grid_counts_by_period, persistence

__all__ = [
    "ALL_TIMES", "CLUSTER_METHODS", "ClusterResult", "GISTAR_CLASSES", "Grid", "HotspotError", "KERNELS", "KdeResult",
    "MethodCard", "PERSISTENCE_CLASSES", "accuracy", "backtest", "compare_bands", "dbscan", "exclusive_areas",
    "gistar", "grid_counts_by_period", "hotspot_areas", "kde", "naive_scores", "persistence", "select_band",
]
