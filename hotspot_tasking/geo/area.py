"""The workspace's area: a bounding box in EPSG:27700 metres and a margin.

A workspace stores its area (:meth:`~hotspot_tasking.geo.workspace.Workspace.set_area`);
the import (:mod:`hotspot_tasking.intake`) rejects records farther than the margin from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import GeoError
from .validate import check_coordinates, check_number

#: Metres beyond the workspace area's bounding box before a record is "far outside".
DEFAULT_AREA_MARGIN_M = 5_000.0


@dataclass(frozen=True)
class Area:
    """The workspace's area: a bounding box in EPSG:27700 metres and a margin.

    Records farther than ``margin_m`` from the box are rejected as far outside.

    Raises
    ------
    TypeError, GeoError
        For a bound that is not a finite number, a minimum above its maximum, or a
        negative margin.
    """

    min_easting: float
    min_northing: float
    max_easting: float
    max_northing: float
    margin_m: float = DEFAULT_AREA_MARGIN_M

    def __post_init__(self) -> None:
        for name in ("min_easting", "min_northing", "max_easting", "max_northing"):
            check_number(getattr(self, name), name, "Area", low=-np.inf, high=np.inf)
        check_number(self.margin_m, "margin_m", "Area", low_open=False)
        for axis in ("easting", "northing"):
            low, high = getattr(self, f"min_{axis}"), getattr(self, f"max_{axis}")
            if low > high:
                raise GeoError(f"Area: min_{axis} ({low:g}) is above max_{axis} ({high:g}); swap them.")

    def distance_m(self, easting: np.ndarray, northing: np.ndarray) -> np.ndarray:
        """Metres from each point to the box (0 inside); ``easting``, ``northing`` in EPSG:27700 metres."""
        easting, northing = check_coordinates(easting, northing, "Area.distance_m")
        dx = np.maximum(np.maximum(self.min_easting - easting, easting - self.max_easting), 0.0)
        dy = np.maximum(np.maximum(self.min_northing - northing, northing - self.max_northing), 0.0)
        return np.hypot(dx, dy)
