"""The one exception class of :mod:`hotspot_tasking.intake`."""

from ..geo.errors import GeoError


class IntakeError(GeoError):
    """A file that cannot be imported as it is, worded for the person who can fix it.

    The message is one sentence naming the file, row or column, what is wrong and what to
    do about it. A :class:`~hotspot_tasking.geo.errors.GeoError`, so a caller that catches
    the geo package's errors around an import (which also meets the workspace's, the
    taxonomy's and the coordinates' errors) catches these too.
    """
