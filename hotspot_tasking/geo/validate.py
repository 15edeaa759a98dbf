"""Validators for the public geo functions: the shared ones of
:mod:`hotspot_tasking.validation`, raising :class:`~.errors.GeoError` for a wrong value
(TypeError for a wrong type), in scikit-learn's wording:
"The 'system' parameter of locate must be one of 'auto', 'wgs84', 'bng'. Got 'osgb' instead."
"""

from __future__ import annotations

import functools

from .. import validation
from ..validation import check_frame, check_paths, check_strings, check_type
from .errors import GeoError

#: The shared validators raising GeoError (see :mod:`hotspot_tasking.validation`).
check_number = functools.partial(validation.check_number, error=GeoError)
check_choice = functools.partial(validation.check_choice, error=GeoError)
check_columns = functools.partial(validation.check_columns, error=GeoError)
check_coordinates = functools.partial(validation.check_coordinates, error=GeoError)
check_crs = functools.partial(validation.check_crs, error=GeoError)
check_datetimes = functools.partial(validation.check_datetimes, error=GeoError)
check_series = functools.partial(validation.check_series, error=GeoError)
check_date = functools.partial(validation.check_date, error=GeoError)

__all__ = ["check_choice", "check_columns", "check_coordinates", "check_crs", "check_date", "check_datetimes",
           "check_frame", "check_number", "check_paths", "check_series", "check_strings", "check_type"]
