"""The action log's tables, its migrations and its database connections.

Schema history (``schema_version`` holds one row per step applied):

1. ``meetings``, ``items`` (the tasking items on a meeting's list) and ``actions``.
2. ``actions.funding_decided_on`` (the date a bid was approved, refused or withdrawn)
   and an index on ``actions.status``.

Each step runs once, in order, inside one transaction taken when the log is opened
(with ``BEGIN IMMEDIATE`` on SQLite and an advisory lock on PostgreSQL, so that two
processes opening a new log at once do not both create it). A failed step leaves the
database as it was. A database whose version is newer than :data:`LATEST_VERSION` is
refused: an older program must not write into a schema it does not know.

The tables are defined once: :func:`_define_v1` builds version 1 (frozen: never edit
it), and each later step appends its columns and indexes both to the live
:data:`METADATA` and, through ``ALTER TABLE``, to an existing database.

SQLite connections use WAL journal mode, ``synchronous=FULL`` (a committed transaction
survives a killed process and a power cut), foreign keys on, and a busy timeout; write
transactions start with ``BEGIN IMMEDIATE`` so that concurrent writers queue rather
than fail. Switching a new file into WAL mode is the one step that the busy timeout does
not cover, so it is retried for as long as the timeout (see :func:`_use_wal`): any
number of threads and processes may open a new log at once. Money is exact on both backends:
``NUMERIC(12, 2)`` on PostgreSQL, whole pence in an integer column on SQLite (which has
no decimal type).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from .errors import ActionLogError

log = logging.getLogger(__name__)

#: Seconds a SQLite writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_S = 30.0
#: The PostgreSQL advisory lock key taken while migrating (any fixed 64-bit number).
_PG_MIGRATION_LOCK = 0x48_6F_74_73_70_6F_74  # "Hotspot"
_PENNY = Decimal("0.01")
FUNDING_STATUSES = ("none", "bid", "approved", "refused", "withdrawn")


class Money(sa.types.TypeDecorator):
    """Pounds sterling as :class:`decimal.Decimal` with two places, exact on every backend."""

    impl = sa.Numeric(12, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(_PENNY)
        return int(value * 100) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(_PENNY)
        return Decimal(value).quantize(_PENNY)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp (SQLite stores it without the zone, always in UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _define_v1(metadata: sa.MetaData) -> None:
    """Version 1 of the tables. Frozen: later versions add to it in their own steps."""
    sa.Table(
        "meetings", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("group_name", sa.String(100), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("band", sa.String(60)),
        sa.Column("notes", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("group_name", "held_on", name="uq_meetings_group_held_on"),
    )
    sa.Table(
        "items", metadata,
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("meetings.id", name="fk_items_meeting"), primary_key=True),
        sa.Column("tasking_id", sa.String(64), primary_key=True),
        sa.Column("place_name", sa.String(200)),
        sa.Column("rank", sa.Integer),
        sa.Column("summary", sa.Text),
        sa.Index("ix_items_tasking_id", "tasking_id"),
    )
    sa.Table(
        "actions", metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer, nullable=False),
        sa.Column("tasking_id", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(100), nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("tactic", sa.String(100)),
        sa.Column("pier", sa.String(12)),
        sa.Column("owner_role", sa.String(100)),
        sa.Column("due_on", sa.Date),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("outcome", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("funding_bid_gbp", Money),
        sa.Column("approval_route", sa.String(40)),
        sa.Column("funding_status", sa.String(12), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(["meeting_id", "tasking_id"], ["items.meeting_id", "items.tasking_id"],
                                name="fk_actions_item"),
        sa.CheckConstraint("pier IS NULL OR pier IN ('Prevent', 'Intelligence', 'Enforcement', 'Reassure')",
                           name="ck_actions_pier"),
        sa.CheckConstraint("funding_bid_gbp IS NULL OR funding_bid_gbp >= 0", name="ck_actions_bid"),
        sa.CheckConstraint("version >= 1", name="ck_actions_version"),
        sa.Index("ix_actions_tasking_id", "tasking_id"),
        sa.Index("ix_actions_meeting_id", "meeting_id"),
    )


def _v2_additions(metadata: sa.MetaData) -> tuple[sa.Column, sa.Index]:
    """Version 2: when a funding decision was made, and an index for filtering by status."""
    actions = metadata.tables["actions"]
    column = sa.Column("funding_decided_on", sa.Date)
    actions.append_column(column)
    index = sa.Index("ix_actions_status", actions.c.status)
    return column, index


def _schema_version_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "schema_version", metadata,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("description", sa.String(200), nullable=False),
        sa.Column("applied_at", UTCDateTime, nullable=False),
    )


#: The live schema, at :data:`LATEST_VERSION`, used by every query.
METADATA = sa.MetaData()
_define_v1(METADATA)
_v2_additions(METADATA)
SCHEMA_VERSION = _schema_version_table(METADATA)
MEETINGS = METADATA.tables["meetings"]
ITEMS = METADATA.tables["items"]
ACTIONS = METADATA.tables["actions"]


def _migrate_1(conn: Connection) -> None:
    metadata = sa.MetaData()
    _define_v1(metadata)
    metadata.create_all(conn)


def _migrate_2(conn: Connection) -> None:
    metadata = sa.MetaData()
    _define_v1(metadata)
    column, index = _v2_additions(metadata)
    type_sql = column.type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE actions ADD COLUMN {column.name} {type_sql}")
    index.create(conn)


@dataclass(frozen=True)
class Migration:
    """One step of the schema history."""

    version: int
    description: str
    apply: Callable[[Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "meetings, items and actions", _migrate_1),
    Migration(2, "actions.funding_decided_on and an index on actions.status", _migrate_2),
)
LATEST_VERSION = MIGRATIONS[-1].version


def create_engine(url: str | sa.URL) -> Engine:
    """An engine for the action log at ``url``, set up for safe concurrent use.

    ``postgresql://`` URLs use the psycopg (version 3) driver unless they name another.
    """
    url = make_url(url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        if url.database not in (None, "", ":memory:"):
            _use_wal(cursor, url)
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        write = conn.get_execution_options().get("hotspot_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _use_wal(cursor: sqlite3.Cursor, url: sa.URL) -> None:
    """Put the SQLite database in WAL journal mode, waiting for other connections as a writer would.

    WAL mode is stored in the file, so this changes something only the first time: on a
    file already in WAL mode the pragma only reads. The first time, SQLite takes a read
    lock, sees that the file is not in WAL mode yet and asks for the write lock. A
    connection holding a read lock does not wait for another connection's write (the
    writer may be waiting for that read to end: they would wait for each other for
    ever), so the busy timeout does not apply: while another connection is writing, the
    pragma fails at once with "database is locked". That is what happens when several
    threads or processes open a new action log at once: one switches the file to WAL
    mode, a write, while the others try to. A failed pragma leaves no lock behind, so it
    is tried again after a short random pause (up to 1 ms at first, doubling to at most
    100 ms) for as long as :data:`SQLITE_BUSY_TIMEOUT_S`, the time a writer waits for
    another, and then fails with the last error.

    Parameters
    ----------
    cursor : sqlite3.Cursor
        A cursor of the new connection, in autocommit mode (no transaction open).
    url : sqlalchemy.URL
        The database's URL, for the warning when the file cannot use WAL mode.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    pause_s = 0.001
    while True:
        try:
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as err:
            code = getattr(err, "sqlite_errorcode", None)  # SQLITE_BUSY, or an extended SQLITE_BUSY_* code
            if code is None or code & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                raise
        if pause_s == 0.001:
            log.debug("action log %s: another connection is using it; waiting to switch it to WAL mode",
                      describe(url))
        time.sleep(random.uniform(pause_s / 2, pause_s))
        pause_s = min(2 * pause_s, 0.1)
    if str(mode).lower() != "wal":
        log.warning("action log %s: SQLite kept journal mode %r instead of WAL; concurrent readers and writers "
                    "will wait for each other more often", describe(url), mode)


def describe(url: sa.URL) -> str:
    """The URL without its password, for messages."""
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database)) if url.database else "an in-memory SQLite database"
    return url.render_as_string(hide_password=True)


def current_version(conn: Connection) -> int:
    """The schema version of the database (0 when it has no action log yet)."""
    if not sa.inspect(conn).has_table("schema_version"):
        if sa.inspect(conn).has_table("actions"):
            raise ActionLogError(
                f"{describe(conn.engine.url)}: has an 'actions' table but no 'schema_version'; "
                "it is not a hotspot-tasking action log, so choose another database."
            )
        return 0
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(SCHEMA_VERSION.c.version), 0))).scalar_one())


def migrate(engine: Engine, *, to_version: int = LATEST_VERSION) -> int:
    """Bring the database up to ``to_version`` in one transaction; return the version before.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        From :func:`create_engine`.
    to_version : int, default=LATEST_VERSION
        Stop after this step (tests use 1 to build an old log).

    Raises
    ------
    ActionLogError
        If the database is newer than this program, or cannot be reached.
    """
    with engine.connect() as conn:
        conn.execution_options(hotspot_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
            before = current_version(conn)
            if before > LATEST_VERSION:
                raise ActionLogError(
                    f"{describe(engine.url)}: the action log has schema version {before}, newer than the "
                    f"{LATEST_VERSION} this hotspot-tasking knows; upgrade hotspot-tasking to open it."
                )
            if before < to_version:
                SCHEMA_VERSION.create(conn, checkfirst=True)
            for step in MIGRATIONS:
                if before < step.version <= to_version:
                    step.apply(conn)
                    conn.execute(SCHEMA_VERSION.insert().values(
                        version=step.version, description=step.description, applied_at=dt.datetime.now(dt.UTC)))
    return before
