"""The action log under concurrency: first opens, racing writers, killed writers.

Every test taking ``url`` runs on SQLite and on a real PostgreSQL (tests/pg.py); the
slow ones repeat a race many times, or race whole processes.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from actionlog_helpers import ITEMS, JULY, add, url  # noqa: F401  (url: a pytest fixture)
from pg import postgres_server, postgres_url  # noqa: F401  (pytest fixtures)

from hotspot_tasking.actions import schema
from hotspot_tasking.actions.errors import ActionConflictError
from hotspot_tasking.actions.log import ActionLog
from hotspot_tasking.errors import TaskingError


def open_at_once(url: str, openers: int) -> list[Exception]:
    """Open the log at ``url`` from ``openers`` threads at the same moment; return what they raised."""
    barrier, errors = threading.Barrier(openers), []

    def opener():
        barrier.wait()
        try:
            ActionLog.open(url).close()
        except Exception as err:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(err)

    threads = [threading.Thread(target=opener) for _ in range(openers)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return errors


def assert_created_once(url: str) -> None:
    """Each schema step is recorded once, and a SQLite file is in WAL mode."""
    with ActionLog.open(url) as log, log.engine.connect() as conn:
        assert conn.execute(sa.select(schema.SCHEMA_VERSION.c.version)).scalars().all() == [1, 2]
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


# --- first opens ---------------------------------------------------------------------------
def test_concurrent_first_opens_create_the_schema_once(url):
    assert open_at_once(url, 4) == []
    assert_created_once(url)


class _Seen(logging.Handler):
    """Sets ``event`` when a record containing ``text`` is logged."""

    def __init__(self, text: str):
        super().__init__(logging.DEBUG)
        self.text, self.event = text, threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


@pytest.fixture
def wal_waits():
    """An event set when an opener finds another connection in the way of switching to WAL mode."""
    logger = logging.getLogger(schema.__name__)
    seen, level = _Seen("waiting to switch it to WAL mode"), logger.level
    logger.addHandler(seen)
    logger.setLevel(logging.DEBUG)
    yield seen.event
    logger.removeHandler(seen)
    logger.setLevel(level)


def writing(path: Path) -> sqlite3.Connection:
    """A connection to a new SQLite file (rollback journal mode) in the middle of a write."""
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE other (x INTEGER)")
    writer.execute("BEGIN IMMEDIATE")  # the write lock, held until COMMIT
    writer.execute("INSERT INTO other VALUES (1)")
    return writer


def test_first_open_waits_while_another_connection_writes_the_new_file(tmp_path, wal_waits):
    """SQLite fails the switch to WAL mode at once, ignoring the busy timeout, while another
    connection writes: the opener tries again until the writer is done."""
    path = tmp_path / "actions.sqlite"
    writer = writing(path)
    errors: list[Exception] = []
    opener = threading.Thread(target=lambda: errors.extend(open_at_once(f"sqlite:///{path}", 1)))
    opener.start()
    try:
        for _ in range(1200):  # until the opener finds the writer in its way (or fails): at most a minute
            if wal_waits.wait(timeout=0.05) or not opener.is_alive():
                break
    finally:
        writer.execute("COMMIT")
        writer.close()
        opener.join()
    assert errors == []
    assert wal_waits.is_set(), "the opener never found the writer in its way"
    assert_created_once(f"sqlite:///{path}")


def test_first_open_gives_up_after_the_busy_timeout(tmp_path, monkeypatch):
    path = tmp_path / "actions.sqlite"
    monkeypatch.setattr(schema, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    writer = writing(path)
    try:
        with pytest.raises(TaskingError, match=r"actions\.sqlite: cannot open the action log \(database is locked\); "
                                               r"check the URL"):
            ActionLog.open(f"sqlite:///{path}")
    finally:
        writer.execute("COMMIT")
        writer.close()
    with ActionLog.open(f"sqlite:///{path}") as log:  # and opens once the writer is done
        assert log.schema_version == schema.LATEST_VERSION


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(100))
def test_concurrent_first_opens_never_fail(url, attempt):
    """The race above, a hundred times over, with eight threads."""
    assert open_at_once(url, 8) == []
    assert_created_once(url)


OPENER = """
import sys
from hotspot_tasking.actions.log import ActionLog
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.readline()  # every process opens at once, once all have started
ActionLog.open(sys.argv[1]).close()
"""


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(5))
def test_concurrent_first_opens_from_processes_create_the_schema_once(url, attempt):
    children = [subprocess.Popen([sys.executable, "-c", OPENER, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        for child in children:
            assert child.stdout.readline() == "ready\n", child.stderr.read()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            _, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    assert_created_once(url)


# --- writers -------------------------------------------------------------------------------
def test_a_stale_update_is_refused_and_applies_after_reloading(url):
    with ActionLog.open(url) as alice, ActionLog.open(url) as bob:  # two users, two connection pools
        m = alice.record_meeting(JULY, group="Lambeth JAG", period="2017-07", items=ITEMS)
        a = add(alice, m)
        seen_by_alice, seen_by_bob = alice.action(a), bob.action(a)
        assert alice.update_action(a, expected_version=seen_by_alice["version"], status="in_progress") == 2
        with pytest.raises(ActionConflictError) as err:
            bob.update_action(a, expected_version=seen_by_bob["version"], outcome="Patrols done twice weekly")
        assert str(err.value) == ("action 1 was changed by someone else since you opened it (version 2, you had 1); "
                                  "reload it and apply your change again.")
        assert bob.action(a)["outcome"] is None  # nothing of Bob's was written
        reloaded = bob.action(a)
        assert bob.update_action(a, expected_version=reloaded["version"], outcome="Patrols done twice weekly") == 3
        final = alice.action(a)
        assert (final["status"], final["outcome"], final["version"]) == ("in_progress", "Patrols done twice weekly", 3)


def test_racing_updaters_lose_no_update(url):
    """Writers append to one field from the same version at once; retries after conflicts keep every one."""
    writers = 4
    with ActionLog.open(url) as setup:
        m = setup.record_meeting(JULY, group="Lambeth JAG", period="2017-07", items=ITEMS)
        a = add(setup, m, notes="log:")
    barrier, conflicts, errors = threading.Barrier(writers), [], []

    def writer(n: int) -> None:
        with ActionLog.open(url) as mine:
            current = mine.action(a)
            barrier.wait()
            while True:
                try:
                    mine.update_action(a, expected_version=current["version"], notes=f"{current['notes']} w{n}")
                    return
                except ActionConflictError as err:
                    conflicts.append(err.expected_version)
                    current = mine.action(a)
                except Exception as err:  # noqa: BLE001 - asserted below
                    errors.append(err)
                    return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    with ActionLog.open(url) as check:
        final = check.action(a)
    assert sorted(final["notes"].split()[1:]) == [f"w{n}" for n in range(writers)]
    assert final["version"] == 1 + writers
    assert conflicts.count(1) == writers - 1  # all started from version 1; exactly one won at first


CHILD = """
import sys, time, datetime as dt
from hotspot_tasking.actions.log import ActionLog
from hotspot_tasking.actions import schema
url, mode, start, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
log = ActionLog.open(url)
for n in range(start, start + count):
    log.add_action(1, "H3-8a195da4", agency="Police", action=f"committed {n}")
if mode == "hang":
    with log.engine.connect().execution_options(hotspot_write=True) as conn:
        if conn.dialect.name == "sqlite":  # a tiny page cache: uncommitted pages spill into the WAL file
            conn.connection.driver_connection.execute("PRAGMA cache_size = 5")
        conn.begin()
        now = dt.datetime.now(dt.UTC)
        conn.execute(schema.ACTIONS.insert(), [dict(meeting_id=1, tasking_id="H3-8a195da4", agency="Police",
                     action="never committed " + "x" * 2000, status="open", funding_status="none", created_at=now,
                     updated_at=now, version=1) for _ in range(500)])
        conn.execute(schema.ACTIONS.update().where(schema.ACTIONS.c.id == 1).values(status="done", version=9))
        sys.stdout.write("ready\\n")
        sys.stdout.flush()
        time.sleep(120)
"""


def run_child(url: str, mode: str, start: int, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, url, mode, str(start), str(count)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_killed_writer_loses_nothing_committed(url):
    with ActionLog.open(url) as log:
        log.record_meeting(JULY, group="Lambeth JAG", period="2017-07", items=ITEMS)
    child = run_child(url, "hang", 0, 3)
    line = child.stdout.readline()
    assert line == "ready\n", child.stderr.read()
    if url.startswith("sqlite"):  # the uncommitted rows really are on disk, in the WAL, when the writer dies
        assert Path(sa.make_url(url).database + "-wal").stat().st_size > 500_000
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with ActionLog.open(url) as log:
        actions = log.actions_for()
        assert actions["action"].tolist() == ["committed 0", "committed 1", "committed 2"]
        assert log.action(1)["status"] == "open" and log.action(1)["version"] == 1
        assert log.update_action(1, expected_version=1, status="done") == 2  # no lock left behind
        add(log, 1)
        if log.engine.dialect.name == "sqlite":
            with log.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_concurrent_writers_all_land(url):
    """Threads and processes adding actions at once: every one is stored, each id once."""
    with ActionLog.open(url) as log:
        log.record_meeting(JULY, group="Lambeth JAG", period="2017-07", items=ITEMS)
    children = [run_child(url, "insert", 100 * (p + 1), 10) for p in range(3)]
    errors = []

    def writer(n: int) -> None:
        try:
            with ActionLog.open(url) as mine:
                for k in range(10):
                    mine.add_action(1, "E01003029", agency="Council ASB team", action=f"thread {n}.{k}")
        except Exception as err:  # noqa: BLE001 - asserted below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
    assert errors == []
    with ActionLog.open(url) as log:
        actions = log.actions_for()
    assert len(actions) == 70 and actions["action_id"].is_unique
    assert sorted(actions["action"]) == sorted([f"thread {n}.{k}" for n in range(4) for k in range(10)]
                                               + [f"committed {n}" for p in range(3) for n in range(100 * (p + 1),
                                                                                                   100 * (p + 1) + 10)])


def test_first_decisions_recorded_at_once_join_one_meeting(url):
    """Twenty people record the first decision of one meeting at the same moment: all join it."""
    log = ActionLog.open(url)
    barrier, results, errors = threading.Barrier(20), [], []

    def record(n: int) -> None:
        try:
            barrier.wait()
            results.append(log.meeting_for("2017-08-01", group="Lambeth JAG", period="2017-07",
                                           items=[{"tasking_id": f"T{n}", "rank": n + 1}]))
        except Exception as err:  # collected, asserted below
            errors.append(err)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    assert len({meeting for meeting, _ in results}) == 1 and sum(new for _, new in results) == 1
    assert len(log.meetings()) == 1
    log.close()
