"""The one exception class of :mod:`hotspot_tasking.evaluation`."""

from ..errors import TaskingError


class EvaluationError(TaskingError):
    """Places, incidents or options that an evaluation of tasked places cannot use."""
