"""The one exception class of :mod:`hotspot_tasking.surfaces`."""

from ..hotspots.errors import HotspotError


class SurfaceError(HotspotError):
    """A surface or micro-place option or input a person can fix (a HotspotError: callers catching those catch it)."""
