"""Hostile and messy police.uk files: whatever is done to a real file's text (extra or missing
fields, quotes left open, NUL bytes, mixed line endings, truncation, byte-order marks), the
import either reads it with every row accepted or rejected, or refuses it with the package's
error in one sentence; it never raises anything else and never brings the process down."""

from __future__ import annotations

import re

import pytest
from conftest import CITY_AREA, POLICE_2014_10, read
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspot_tasking.intake.errors import IntakeError

LINES = POLICE_2014_10.read_bytes().splitlines()
HEADER, RECORDS = LINES[0], LINES[1:25]


def insert_extra_field(line: bytes, at: int) -> bytes:
    cells = line.split(b",")
    return b",".join(cells[: at % len(cells)] + [b"extra"] + cells[at % len(cells):])


def drop_field(line: bytes, at: int) -> bytes:
    cells = line.split(b",")
    return b",".join(cells[: at % len(cells)] + cells[at % len(cells) + 1:])


def open_quote(line: bytes, at: int) -> bytes:
    at %= len(line) + 1
    return line[:at] + b'"' + line[at:]


def nul_bytes(line: bytes, at: int) -> bytes:
    at %= len(line) + 1
    return line[:at] + b"\x00\x00" + line[at:]


def unquoted_comma(line: bytes, at: int) -> bytes:
    return line.replace(b"On or near ", b"On or near Flat 2, ", 1) if at % 2 else line + b","


MUTATIONS = [insert_extra_field, drop_field, open_quote, nul_bytes, unquoted_comma]


@st.composite
def messy_files(draw) -> bytes:
    records = list(RECORDS)
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(records) - 1))
        mutate = draw(st.sampled_from(MUTATIONS))
        records[i] = mutate(records[i], draw(st.integers(0, 200)))
    lines = [HEADER, *records]
    endings = draw(st.lists(st.sampled_from([b"\n", b"\r\n", b"\r"]), min_size=len(lines), max_size=len(lines)))
    if draw(st.booleans()):  # one ending throughout, as most files have
        endings = [endings[0]] * len(lines)
    text = b"".join(line + end for line, end in zip(lines, endings, strict=True))
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    if draw(st.booleans()):
        text = b"\xef\xbb\xbf" + text
    if draw(st.booleans()):
        text = text.replace(b",", draw(st.sampled_from([b"\t", b";", b"|"])))
    return text


def check(text: bytes, folder) -> None:
    path = folder / "2014-10-city-of-london-street.csv"
    path.write_bytes(text)
    try:
        result = read("police_uk", path, area=CITY_AREA)
    except IntakeError as err:
        message = str(err)
        assert "\n" not in message and "\r" not in message, message
        assert message.rstrip().endswith("."), message
        assert len(re.findall(r"\.\s+[A-Z]", message.split("(", 1)[0])) == 0, message
        return
    report = result.report
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert sum(report.rejected_by_reason.values()) == report.rows_rejected
    assert len(result.rejects) == report.rows_rejected
    assert len(result.incidents) == report.rows_accepted
    assert not result.rejects.astype(str).apply(lambda c: c.str.match(r"[=+\-@\t\r]")).to_numpy().any()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=messy_files())
def test_a_messy_file_is_read_or_refused_in_one_sentence(tmp_path, text):
    check(text, tmp_path)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=messy_files())
def test_a_messy_file_is_read_or_refused_in_one_sentence_long_run(tmp_path, text):
    check(text, tmp_path)


@pytest.mark.parametrize("text", [
    b"",
    b"\xef\xbb\xbf",
    b"\x00\x00\x00",
    HEADER[:20],
    HEADER + b"\n" + RECORDS[0][:30],
    HEADER + b'\n"' + b"\n".join(RECORDS),
    HEADER.replace(b",", b"\r") + b"\r" + RECORDS[0],
    b"\r\n".join([HEADER, *RECORDS]).replace(b",", b"|"),
])
def test_the_worst_cases(tmp_path, text):
    check(text, tmp_path)
