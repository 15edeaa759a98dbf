"""The base of every error a person can fix.

Each package has its own subclass (``GeoError``, ``IntakeError``, ``BoundaryError``, ``HotspotError``,
``RankingError``, ...); the CLI and the app catch :class:`UserError` and show its
one-sentence message, no traceback. The packages that build and act on tasking lists
(ranking, actions, reports, evaluation, patrol, pipeline) share :class:`TaskingError`, so a
caller can catch any of theirs at once.
"""


class UserError(ValueError):
    """A problem with the user's data, files or options, worded for them: what, where, and the fix."""


class PeriodError(UserError):
    """A review period that cannot be read, or that does not fit what was asked for."""


class TaskingError(UserError):
    """A problem with a tasking list, the action log, an export or their configuration.

    The message is one sentence naming the field, action or file, what is wrong and
    what to do about it; the app and the CLI show it as it is, without a traceback.
    """
