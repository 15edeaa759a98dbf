"""The one exception class of :mod:`hotspot_tasking.boundaries`."""

from ..errors import UserError


class BoundaryError(UserError):
    """A boundary file or option a person can fix; the message names the file, column or value."""
