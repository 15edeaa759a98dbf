"""Validators for the public boundary functions: the shared ones of
:mod:`hotspot_tasking.validation`, raising :class:`~.errors.BoundaryError` for a wrong
value (TypeError for a wrong type), in scikit-learn's wording:
"The 'kind' parameter of load_layer must be one of 'ward', 'lsoa', 'zone'. Got 'borough' instead."
"""

from __future__ import annotations

import functools

from .. import validation
from ..validation import check_frame, check_strings, check_type
from .errors import BoundaryError

#: The shared validators raising BoundaryError (see :mod:`hotspot_tasking.validation`).
check_number = functools.partial(validation.check_number, error=BoundaryError)
check_choice = functools.partial(validation.check_choice, error=BoundaryError)
check_columns = functools.partial(validation.check_columns, error=BoundaryError)
check_coordinates = functools.partial(validation.check_coordinates, error=BoundaryError)
check_crs = functools.partial(validation.check_crs, error=BoundaryError)
check_datetimes = functools.partial(validation.check_datetimes, error=BoundaryError)
check_layer = functools.partial(validation.check_layer, error=BoundaryError)
check_series = functools.partial(validation.check_series, error=BoundaryError)
check_date = functools.partial(validation.check_date, error=BoundaryError)

#: The period kinds of :func:`~.stats.assign_periods` besides a custom (start, end) range.
PERIOD_KINDS = ("week", "month")


def check_period(period, where: str) -> None:
    """Raise unless ``period`` is ``"week"``, ``"month"`` or a ``(start, end)`` pair of dates, end not before start.

    TypeError for another type; :class:`BoundaryError` for another word, text that is not
    a date, or a range that ends before its start.

    >>> check_period(("2017-06-30", "2017-06-01"), "area_stats")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    hotspot_tasking.boundaries.errors.BoundaryError: area_stats: the period ends (01/06/2017)
    before its start (30/06/2017); swap the dates.
    """
    if isinstance(period, str):
        check_choice(period, "period", where, PERIOD_KINDS)
        return
    if not isinstance(period, (tuple, list)) or len(period) != 2:
        raise TypeError(f"The 'period' parameter of {where} must be 'week', 'month' or a (start, end) pair of dates "
                        f"such as ('2017-06-01', '2017-08-31'). Got {type(period).__name__} instead.")
    first, last = check_date(period[0], "period", where), check_date(period[1], "period", where)
    if last < first:
        raise BoundaryError(f"{where}: the period ends ({last:%d/%m/%Y}) before its start ({first:%d/%m/%Y}); "
                            "swap the dates.")


__all__ = ["PERIOD_KINDS", "check_choice", "check_columns", "check_coordinates", "check_crs", "check_date",
           "check_datetimes", "check_frame", "check_layer", "check_number", "check_period", "check_series",
           "check_strings", "check_type"]
