"""The action log on SQLite and on a real PostgreSQL (see tests/pg.py for where that comes from).

Every test taking ``url`` runs on both backends; PostgreSQL tests are skipped, saying
why, when no server can be found or started. Concurrency and kill-safety are tested in
test_actionlog_concurrency.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from actionlog_helpers import ITEMS, JULY, add, url  # noqa: F401  (url: a pytest fixture)
from hypothesis import given
from hypothesis import strategies as st
from pg import postgres_server, postgres_url  # noqa: F401  (pytest fixtures)
from sqlalchemy.dialects import postgresql, sqlite

from hotspot_tasking.actions import schema
from hotspot_tasking.actions.log import (
    ACTION_COLUMNS,
    FREE_TEXT_COLUMNS,
    LAST_STATUS_COLUMNS,
    LOG_COLUMNS,
    ActionLog,
    TaskingConfig,
)
from hotspot_tasking.errors import TaskingError
from hotspot_tasking.geo.workspace import Workspace


@pytest.fixture
def log(url):
    with ActionLog.open(url) as opened:
        yield opened


@pytest.fixture
def meeting(log):
    return log.record_meeting(JULY, group="Lambeth JAG", period="2017-07", band="night-time economy", items=ITEMS)


def write_config(path: Path, *, jag_limit: str = "1000", extra: str = "") -> Path:
    text = TaskingConfig.load().path.read_text(encoding="utf-8").replace("up_to_gbp = 1000", f"up_to_gbp = {jag_limit}")
    path.write_text(text + extra, encoding="utf-8")
    return path


# --- opening, settings and migrations ------------------------------------------------------
def test_workspace_log_is_sqlite_in_wal_mode_with_full_sync(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    with ActionLog.open(ws) as log, log.engine.connect() as conn:
        assert Path(log.engine.url.database) == (tmp_path / "ws" / "actions.sqlite").resolve()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with ActionLog.open(tmp_path / "ws") as log:  # a folder works too
        assert log.schema_version == schema.LATEST_VERSION


def test_workspace_config_sets_the_thresholds(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    write_config(tmp_path / "ws" / "config" / "tasking.toml", jag_limit="3000")  # Hastings
    with ActionLog.open(ws) as log:
        assert log.funding_route(Decimal("3000")) == "jag"
        assert log.funding_route("3000.01") == "partnership"


def test_fresh_database_has_the_latest_schema(url):
    with ActionLog.open(url) as log, log.engine.connect() as conn:
        assert log.schema_version == schema.LATEST_VERSION == 2
        inspector = sa.inspect(conn)
        for name, table in schema.METADATA.tables.items():
            assert [c["name"] for c in inspector.get_columns(name)] == [c.name for c in table.columns]
        assert "ix_actions_status" in {i["name"] for i in inspector.get_indexes("actions")}
        rows = conn.execute(sa.select(schema.SCHEMA_VERSION.c.version).order_by("version")).scalars().all()
        assert rows == [1, 2]
    with ActionLog.open(url) as again:  # opening again applies nothing twice
        assert again.schema_version == 2


def test_upgrade_from_version_1_keeps_the_data_and_adds_the_column(url):
    engine = schema.create_engine(url)
    assert schema.migrate(engine, to_version=1) == 0
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        assert "funding_decided_on" not in {c["name"] for c in sa.inspect(conn).get_columns("actions")}
        conn.execute(schema.MEETINGS.insert().values(held_on=JULY, group_name="Lambeth JAG", period="2017-07",
                                                     created_at=now))
        conn.execute(schema.ITEMS.insert().values(meeting_id=1, tasking_id="E01003029", rank=1))
        conn.execute(schema.ACTIONS.insert().values(
            meeting_id=1, tasking_id="E01003029", agency="Council ASB team", action="Clean-up", status="open",
            funding_bid_gbp=Decimal("1500.50"), approval_route="partnership", funding_status="bid",
            created_at=now, updated_at=now, version=1))
    engine.dispose()
    with ActionLog.open(url) as log:
        assert log.schema_version == 2
        before = log.action(1)
        assert before["funding_bid_gbp"] == Decimal("1500.50") and before["funding_decided_on"] is None
        log.update_action(1, expected_version=1, funding_status="approved", funding_decided_on="2017-07-20")
        assert log.action(1)["funding_decided_on"] == dt.date(2017, 7, 20)


def test_a_newer_schema_is_refused(url):
    with ActionLog.open(url) as log, log.engine.begin() as conn:
        conn.execute(schema.SCHEMA_VERSION.insert().values(version=99, description="from the future",
                                                           applied_at=dt.datetime.now(dt.UTC)))
        where = schema.describe(log.engine.url)
    message = (f"{where}: the action log has schema version 99, newer than the 2 this hotspot-tasking knows; "
               "upgrade hotspot-tasking to open it.")
    with pytest.raises(TaskingError) as err:
        ActionLog.open(url)
    assert str(err.value) == message


def test_a_database_that_is_not_an_action_log_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE actions (x INTEGER)")
    engine.dispose()
    with pytest.raises(TaskingError, match=r"other\.sqlite: has an 'actions' table but no 'schema_version'; it is not"):
        ActionLog.open(f"sqlite:///{path}")


def test_an_unreachable_server_is_one_sentence():
    with pytest.raises(TaskingError, match=r"^postgresql://nobody:\*\*\*@127\.0\.0\.1:1/x: cannot open the action log "
                                           r"\(.*\); check the URL, that the server is running and that you may "
                                           r"connect\.$"):
        ActionLog.open("postgresql://nobody:secret@127.0.0.1:1/x")


# --- round trips and reading ---------------------------------------------------------------
def test_due_dates_typed_day_first_or_given_as_timestamps(log, meeting):
    a = add(log, meeting, due_on=" 31/07/2017 ")
    b = add(log, meeting, due_on=pd.Timestamp("2017-08-01 09:30"))
    c = add(log, meeting, due_on=pd.NaT)
    assert [log.action(x)["due_on"] for x in (a, b, c)] == [dt.date(2017, 7, 31), dt.date(2017, 8, 1), None]


def test_round_trip_with_money_and_dates(log, meeting):
    a = add(log, meeting, funding_bid_gbp=Decimal("1234.56"), notes="Ask for overtime budget")
    b = log.add_action(meeting, "E01003029", agency="Council ASB team", action="Deployable CCTV", pier="Prevent",
                       funding_bid_gbp="0.10", status="proposed")
    got = log.action(a)
    assert got["funding_bid_gbp"] == Decimal("1234.56") and isinstance(got["funding_bid_gbp"], Decimal)
    assert got["due_on"] == dt.date(2017, 7, 31) and got["approval_route"] == "partnership"
    assert got["funding_status"] == "bid" and got["status"] == "open" and got["version"] == 1
    assert got["created_at"].tzinfo is not None and got["created_at"] == got["updated_at"]
    assert log.action(b)["funding_bid_gbp"] == Decimal("0.10") and log.action(b)["approval_route"] == "jag"

    frame = log.actions_for(tasking_ids=["H3-8a195da4", "E01003029"])
    assert list(frame.columns) == list(ACTION_COLUMNS) and frame["action_id"].tolist() == [a, b]
    assert frame["funding_bid_gbp"].tolist() == [Decimal("1234.56"), Decimal("0.10")]
    assert frame["due_on"].iloc[0] == pd.Timestamp("2017-07-31")
    assert log.actions_for(status="proposed")["action_id"].tolist() == [b]
    assert (log.actions_for(status=["done"]).empty
            and list(log.actions_for(status="done").columns) == list(ACTION_COLUMNS))

    hist = log.history("H3-8a195da4")
    assert list(hist.columns) == list(LOG_COLUMNS)
    assert hist[["held_on", "group_name", "period", "place_name", "rank"]].iloc[0].tolist() == [
        pd.Timestamp(JULY), "Lambeth JAG", "2017-07", "Brixton Road", 1]
    assert log.meetings()["group_name"].tolist() == ["Lambeth JAG"]


def test_exports_carry_no_free_text_by_default(log, meeting):
    add(log, meeting, outcome="Two arrests", notes="Sergeant asked for overtime")
    plain = log.to_frame()
    assert not set(FREE_TEXT_COLUMNS) & set(plain.columns)
    assert "Two arrests" not in plain.to_csv() and "overtime" not in plain.to_csv()
    assert len(plain) == 2  # the action, and the listed item with none
    full = log.to_frame(include_free_text=True)
    assert list(full.columns) == list(LOG_COLUMNS) and "Two arrests" in full["outcome"].tolist()


def test_items_given_as_a_frame_are_not_modified(log):
    items = pd.DataFrame(ITEMS)
    before = items.copy()
    log.record_meeting(JULY, group="Lambeth JAG", period="2017-07", items=items)
    pd.testing.assert_frame_equal(items, before)


def test_last_status_says_new_carried_over_closed_or_not_tasked(log):
    june = log.record_meeting("2017-06-06", group="Lambeth JAG", period="2017-06",
                              items=[{"tasking_id": t} for t in ("A", "B", "C")])
    july = log.record_meeting(JULY, group="Lambeth JAG", period="2017-07",
                              items=[{"tasking_id": t} for t in ("A", "D")])
    first = add(log, june, "A", due_on=None)
    log.update_action(first, expected_version=1, status="done", outcome="Reports down from 14 to 5")
    add(log, july, "A", due_on=None)
    add(log, june, "B", due_on=None, status="done", outcome="No change")
    add(log, july, "D", due_on=None, status="cancelled")
    got = log.last_status(["A", "B", "C", "D", "E"]).set_index("tasking_id")
    assert list(got.reset_index().columns) == list(LAST_STATUS_COLUMNS)
    assert got["state"].tolist() == ["carried over", "actions closed", "listed, no action", "actions closed", "new"]
    assert got.loc["A", "last_period"] == "2017-07" and got.loc["A", "times_listed"] == 2
    assert got.loc["A", "status"] == "open" and got.loc["B", "outcome"] == "No change"
    assert pd.isna(got.loc["E", "last_meeting_id"]) and got.loc["E", "actions"] == 0
    earlier = log.last_status(["A"], before=JULY).iloc[0]
    assert earlier["state"] == "actions closed" and earlier["outcome"] == "Reports down from 14 to 5"


# --- funding -------------------------------------------------------------------------------
@pytest.mark.parametrize("amount, route", [
    (0, "jag"), ("999.99", "jag"), (1000, "jag"), (Decimal("1000.00"), "jag"), ("£1,000", "jag"),
    ("1000.01", "partnership"), (250_000, "partnership"),
])
def test_funding_route_at_the_default_threshold(amount, route):
    assert TaskingConfig.load().funding_route(amount) == route


@given(st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False))
def test_money_is_exact_on_both_backends_and_routed_by_the_inclusive_limit(amount):
    money = schema.Money()
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        stored = money.process_bind_param(amount, dialect)
        assert money.process_result_value(stored, dialect) == amount
    assert TaskingConfig.load().funding_route(amount) == ("jag" if amount <= 1000 else "partnership")


def test_hastings_threshold(tmp_path):
    config = TaskingConfig.load(write_config(tmp_path / "tasking.toml", jag_limit="3000"))
    assert [config.funding_route(a) for a in ("1000.01", "3000", "3000.01")] == ["jag", "jag", "partnership"]


def test_a_changed_bid_is_routed_again_and_needs_a_new_decision(log, meeting):
    a = add(log, meeting, funding_bid_gbp="800")
    v = log.update_action(a, expected_version=1, funding_status="approved")
    assert log.action(a)["funding_decided_on"] == dt.date.today() and log.action(a)["approval_route"] == "jag"
    log.update_action(a, expected_version=v, funding_bid_gbp="1200")
    got = log.action(a)
    assert (got["approval_route"], got["funding_status"], got["funding_decided_on"]) == ("partnership", "bid", None)


@pytest.mark.parametrize("toml, message", [
    ('[[funding.routes]]\nroute = "jag"\nup_to_gbp = 1000\n', "tasking.toml, [[funding.routes]] number 1: the last "
     "route takes every larger bid, so remove its up_to_gbp."),
    ('[[funding.routes]]\nroute = "a"\nup_to_gbp = 500\n[[funding.routes]]\nroute = "b"\nup_to_gbp = 100\n'
     '[[funding.routes]]\nroute = "c"\n', "tasking.toml, [[funding.routes]] number 2: up_to_gbp must be a number of "
     "pounds above the previous route's limit (500); got 100. Fix: list the routes from the smallest limit to the "
     "largest."),
])
def test_bad_routes_are_one_sentence(tmp_path, toml, message):
    path = tmp_path / "tasking.toml"
    path.write_text('[statuses.open]\nclosed = false\n' + toml, encoding="utf-8")
    with pytest.raises(TaskingError) as err:
        TaskingConfig.load(path)
    assert str(err.value) == message


def test_an_unknown_default_status_is_one_sentence(tmp_path):
    path = tmp_path / "tasking.toml"
    path.write_text('default_status = "opne"\n[statuses.open]\nclosed = false\n[[funding.routes]]\nroute = "jag"\n')
    with pytest.raises(TaskingError, match=r"^tasking\.toml: default_status 'opne' is not one of the \[statuses\] "
                                           r"\(open\); fix the spelling or add that status\.$"):
        TaskingConfig.load(path)


# --- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize("fields, message", [
    ({"status": "finished"}, "The 'status' parameter of ActionLog.add_action (statuses from tasking.toml) must be "
                             "one of 'proposed', 'open', 'in_progress', 'done', 'cancelled'. Got 'finished' instead."),
    ({"funding_bid_gbp": -5}, "funding_bid_gbp must be 0 or more, got -5; "
                              "give the bid in pounds, without a minus sign."),
    ({"funding_bid_gbp": "12.345"}, "funding_bid_gbp 12.345 has fractions of a penny; round it to pence."),
    ({"funding_bid_gbp": "lots"}, "funding_bid_gbp 'lots' is not an amount in pounds; give a number such as '250.00'."),
    ({"pier": "Reassurance"}, "The 'pier' parameter of ActionLog.add_action must be one of 'Prevent', 'Intelligence', "
                              "'Enforcement', 'Reassure'. Got 'Reassurance' instead."),
    ({"funding_bid_gbp": 10, "funding_status": "agreed"}, "The 'funding_status' parameter of ActionLog.add_action must "
                                                          "be one of 'none', 'bid', 'approved', 'refused', "
                                                          "'withdrawn'. Got 'agreed' instead."),
    ({"due_on": dt.date(2017, 7, 1)}, "due_on 2017-07-01 is before the meeting on 2017-07-04; give a date on or "
                                      "after it."),
    ({"due_on": "31/06/2017"}, "due_on must be a date written YYYY-MM-DD (or DD/MM/YYYY, day first); got "
                               "'31/06/2017'. Fix: write it as e.g. 2017-07-04."),
    ({"agency": " "}, "agency is empty; give it as text."),
    ({"funding_status": "approved"}, "funding_status 'approved' does not fit funding_bid_gbp None; give an amount "
                                     "with 'bid', 'approved', 'refused' or 'withdrawn', and none with 'none'."),
])
def test_bad_action_fields_are_one_sentence_and_write_nothing(log, meeting, fields, message):
    with pytest.raises(TaskingError) as err:
        add(log, meeting, **fields)
    assert str(err.value) == message
    assert log.actions_for().empty


def test_bad_references_are_one_sentence(log, meeting):
    with pytest.raises(TaskingError, match=r"^meeting 99 is not in the action log; record it first with "
                                           r"record_meeting\(\)\.$"):
        add(log, 99)
    with pytest.raises(TaskingError, match=r"^tasking item 'E0999' is not on meeting 1's list; check the id, or add "
                                           r"it with add_item\(\) first\.$"):
        add(log, meeting, "E0999")
    log.add_item(meeting, tasking_id="E0999", place_name="Larkhall Park")
    add(log, meeting, "E0999")
    with pytest.raises(TaskingError, match=r"^Lambeth JAG already has a meeting on 2017-07-04 \(meeting 1\); add"):
        log.record_meeting(JULY, group="Lambeth JAG", period="2017-07")
    with pytest.raises(TaskingError, match=r"^items, item 2: tasking_id 'X' is listed twice; list each place once\.$"):
        log.record_meeting(JULY, group="Brixton JAG", period="2017-07", items=[{"tasking_id": "X"}] * 2)
    assert log.meetings()["meeting_id"].tolist() == [1]


def test_bad_updates_are_one_sentence(log, meeting):
    a = add(log, meeting)
    with pytest.raises(TaskingError, match=r"^update_action\(1\): cannot change meeting_id, version; change only"):
        log.update_action(a, expected_version=1, meeting_id=2, version=5)
    with pytest.raises(TaskingError, match=r"^action 77 is not in the action log; check the id\.$"):
        log.update_action(77, expected_version=1, status="done")
    with pytest.raises(TaskingError, match=r"^The 'status' parameter of ActionLog\.update_action \(statuses from "
                                           r"tasking\.toml\) must be one of 'proposed', .*Got 'complete' instead\.$"):
        log.update_action(a, expected_version=1, status="complete")
    with pytest.raises(TaskingError, match=r"^The 'expected_version' parameter of ActionLog\.update_action must be an "
                                           r"int in the range \[1, inf\)\. Got 0 instead\.$"):
        log.update_action(a, expected_version=0, status="done")
    with pytest.raises(TaskingError, match=r"^The 'pier' parameter of ActionLog\.update_action must be one of"):
        log.update_action(a, expected_version=1, pier="Deter")
    assert log.action(a)["version"] == 1 and log.action(a)["status"] == "open"


@pytest.mark.parametrize("call, message", [
    (lambda log: log.add_action("1", "E01003029", agency="Police", action="Patrols"),
     "The 'meeting_id' parameter of ActionLog.add_action must be an int. Got '1' instead."),
    (lambda log: log.add_item(1.0, tasking_id="E0999"),
     "The 'meeting_id' parameter of ActionLog.add_item must be an int. Got 1.0 instead."),
    (lambda log: log.update_action(1, expected_version="1", status="done"),
     "The 'expected_version' parameter of ActionLog.update_action must be an int. Got '1' instead."),
    (lambda log: log.update_action(True, expected_version=1, status="done"),
     "The 'action_id' parameter of ActionLog.update_action must be an int. Got True instead."),
    (lambda log: log.action(None),
     "The 'action_id' parameter of ActionLog.action must be an int. Got None instead."),
    (lambda log: log.actions_for(tasking_ids="E01003029"),
     "The 'tasking_ids' parameter of ActionLog.actions_for must be a list of str (e.g. ['E01003029']). "
     "Got 'E01003029' instead."),
    (lambda log: log.actions_for(status=["done", 3]),
     "The 'status' parameter of ActionLog.actions_for must be a list of str; 1 item(s) are not, e.g. 3."),
    (lambda log: log.actions_for(meeting_id="1"),
     "The 'meeting_id' parameter of ActionLog.actions_for must be an int. Got '1' instead."),
    (lambda log: log.last_status("E01003029"),
     "The 'tasking_ids' parameter of ActionLog.last_status must be a list of str (e.g. ['E01003029']). "
     "Got 'E01003029' instead."),
    (lambda log: log.history(3029),
     "The 'tasking_id' parameter of ActionLog.history must be a str. Got 3029 instead."),
    (lambda log: log.to_frame(include_free_text="yes"),
     "The 'include_free_text' parameter of ActionLog.to_frame must be a bool. Got 'yes' instead."),
    (lambda log: ActionLog.open(3),
     "The 'target' parameter of ActionLog.open must be a Workspace, its folder (str or pathlib.Path) or an "
     "SQLAlchemy URL. Got 3 instead."),
    (lambda log: ActionLog.open("sqlite://", config=3),
     "The 'config' parameter of ActionLog.open must be a TaskingConfig or the path of a tasking.toml or None. "
     "Got 3 instead."),
])
def test_arguments_of_the_wrong_type_are_a_type_error(log, meeting, call, message):
    with pytest.raises(TypeError) as err:
        call(log)
    assert str(err.value) == message
    assert log.actions_for().empty and log.meetings()["meeting_id"].tolist() == [meeting]


def test_ids_out_of_range_are_one_sentence(log, meeting):
    with pytest.raises(TaskingError, match=r"^The 'meeting_id' parameter of ActionLog\.add_item must be an int in the "
                                           r"range \[1, inf\)\. Got 0 instead\.$"):
        log.add_item(0, tasking_id="E0999")
    with pytest.raises(TaskingError, match=r"^The 'action_id' parameter of ActionLog\.action must be an int in the "
                                           r"range \[1, inf\)\. Got -1 instead\.$"):
        log.action(-1)
    with pytest.raises(TaskingError, match=r"^The 'status' parameter of ActionLog\.actions_for \(statuses from "
                                           r"tasking\.toml\) must be one of"):
        log.actions_for(status="finished")


def test_ids_may_be_numpy_integers(log, meeting):
    """Ids read back from a frame (numpy integers) are accepted and stored as ints."""
    first = log.meetings()["meeting_id"].to_numpy(dtype="int64")[0]
    log.add_item(first, tasking_id="E0999")
    a = add(log, first, "E0999")
    assert log.action(log.actions_for(meeting_id=first)["action_id"].to_numpy(dtype="int64")[0])["action_id"] == a
