"""The one exception class of :mod:`hotspot_tasking.patrol`."""

from ..errors import TaskingError


class PatrolError(TaskingError):
    """An area, shift or window that a patrol plan cannot be made for."""
