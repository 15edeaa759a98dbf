"""Area layers: load and repair ward, LSOA and zone boundaries; assign incidents to them;
area statistics (counts, harm, rates per 1,000 residents, change with the Poisson z).

Uses :mod:`hotspot_tasking.geo`; never imports Streamlit.
"""

from .assign import Assignment, assign_areas, lsoa_agreement
from .errors import BoundaryError
from .layers import AREA_KINDS, AreaLayer, load_layer
from .stats import area_stats, assign_periods
from .store import add_layer, add_population, area_layers, incidents_with_areas, population

__all__ = [
    "AREA_KINDS", "AreaLayer", "Assignment", "BoundaryError", "add_layer", "add_population", "area_layers",
    "area_stats", "assign_areas", "assign_periods", "incidents_with_areas", "load_layer", "lsoa_agreement",
    "population",
]
