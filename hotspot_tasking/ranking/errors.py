"""The one exception class of :mod:`hotspot_tasking.ranking`."""

from ..errors import TaskingError


class RankingError(TaskingError):
    """A bad period, option or configuration for a ranked tasking list, or nothing to rank."""
