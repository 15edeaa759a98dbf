"""The one exception class of :mod:`hotspot_tasking.geo`."""

from ..errors import UserError


class GeoError(UserError):
    """A problem with incident data or a workspace that a person can fix.

    The message is one sentence naming the file, row or column, what is wrong and
    what to do about it; the app and the CLI show it as it is, without a traceback.
    """
