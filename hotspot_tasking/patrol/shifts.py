"""Shifts a supervisor can plan for: the workspace's time bands rounded out to whole hours.

A band runs from a start to an end minute on some days; a shift is planned in whole
local hours, so its start is rounded down to the hour and its end up (a band of
15:00-18:00 stays so; 21:30-03:45 becomes 21:00-04:00), and the hours after midnight
belong to the day the shift began, as in the bands.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..geo.timebands import DAY_NAMES, TimeBands
from ..validation import check_type


@dataclass(frozen=True)
class Shift:
    """A shift: its label, its days (names, Monday first) and whole local hours.

    Attributes
    ----------
    label : str
        The band's label and hours, e.g. ``"Night-time economy (21:00-04:00)"``.
    days : tuple of str
        ``("Friday", "Saturday")``.
    start_hour : int
        0-23, inclusive.
    end_hour : int
        1-24, exclusive; at or before ``start_hour`` the shift runs past midnight.
    """

    label: str
    days: tuple[str, ...]
    start_hour: int
    end_hour: int


def shifts_from_bands(bands: TimeBands) -> dict[str, Shift]:
    """``{band name: Shift}`` for every band, start rounded down and end up to the hour.

    Parameters
    ----------
    bands : TimeBands

    Returns
    -------
    dict
        In the bands' file order.
    """
    check_type(bands, "bands", "shifts_from_bands", TimeBands, type_name="a TimeBands")
    out = {}
    for name in bands.names():
        band = bands.band(name)
        start, end = band.start_minute // 60, -(-band.end_minute // 60)
        out[name] = Shift(f"{band.label} ({start:02d}:00-{end % 24:02d}:00)",
                          tuple(DAY_NAMES[d] for d in sorted(band.days)), start, end)
    return out
