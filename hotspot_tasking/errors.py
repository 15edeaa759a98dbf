"""The base of every error a person can fix.

Each core package has its own subclass (``GeoError``, ``BoundaryError``, ...); the CLI
and the app catch :class:`UserError` and show its one-sentence message, no traceback.
"""


class UserError(ValueError):
    """A problem with the user's data, files or options, worded for them: what, where, and the fix."""
