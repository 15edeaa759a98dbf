"""The exception classes of :mod:`hotspot_tasking.actions`."""

from ..errors import TaskingError


class ActionLogError(TaskingError):
    """A value the action log refuses, a database it cannot open, or a bad ``tasking.toml``."""


class ActionConflictError(ActionLogError):
    """Someone else changed an action since the caller read it (optimistic concurrency).

    Attributes
    ----------
    action_id : int
        The action that was changed.
    current_version : int
        Its version in the database now.
    expected_version : int
        The version the caller had.
    """

    def __init__(self, action_id: int, current_version: int, expected_version: int):
        self.action_id = action_id
        self.current_version = current_version
        self.expected_version = expected_version
        super().__init__(
            f"action {action_id} was changed by someone else since you opened it "
            f"(version {current_version}, you had {expected_version}); reload it and apply your change again."
        )
