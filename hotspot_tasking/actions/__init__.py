"""The action log: meetings, the places on their lists, and the actions agreed, in SQLite or
PostgreSQL; status values and funding routes from ``tasking.toml``. Never imports Streamlit.

:mod:`.log` holds :class:`~.log.ActionLog` and its writes, :mod:`.queries` its reads,
:mod:`.schema` the tables, migrations and connections, :mod:`.fields` the checks of
the values a person gives it, and :mod:`.config` ``tasking.toml``.
"""

#: The action log's SQLite file, in the workspace folder.
DB_FILE = "actions.sqlite"
