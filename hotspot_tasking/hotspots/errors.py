"""The one exception class of :mod:`hotspot_tasking.hotspots`."""

from ..errors import UserError


class HotspotError(UserError):
    """A hotspot option or input a person can fix; the message names the parameter, the value and the fix."""
