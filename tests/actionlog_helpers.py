"""What the action log tests share: a meeting's items, the ``url`` fixture (SQLite and
PostgreSQL), and :func:`add`.

Use it from a test module with
``from actionlog_helpers import ITEMS, JULY, add, url  # noqa: F401`` and
``from pg import postgres_server, postgres_url  # noqa: F401`` (the fixtures ``url`` needs).
"""

from __future__ import annotations

import datetime as dt

import pytest

from hotspot_tasking.actions.log import ActionLog

JULY = dt.date(2017, 7, 4)
ITEMS = [
    {"tasking_id": "H3-8a195da4", "place_name": "Brixton Road", "rank": 1, "summary": "12 incidents, 2.3x average"},
    {"tasking_id": "E01003029", "place_name": "Stockwell Park", "rank": 2},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """An empty database on each backend (PostgreSQL: a new schema of the test server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'actions.sqlite'}"
    return request.getfixturevalue("postgres_url")


def add(log: ActionLog, meeting_id: int, tasking_id: str = "H3-8a195da4", **fields) -> int:
    """Add a patrol action to ``tasking_id`` at ``meeting_id``; ``fields`` override its values."""
    base = {"agency": "Police", "action": "High-visibility patrols Fri-Sat 21:00-03:00", "tactic": "patrol",
            "pier": "Enforcement", "owner_role": "Neighbourhood sergeant", "due_on": dt.date(2017, 7, 31)}
    return log.add_action(meeting_id, tasking_id, **(base | fields))
