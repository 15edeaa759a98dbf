"""The one exception class of :mod:`hotspot_tasking.reports`."""

from ..errors import TaskingError


class ReportError(TaskingError):
    """A tasking list or option that cannot be written to a file, or a disclosure setting that is wrong."""
