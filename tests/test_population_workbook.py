"""Population from an Excel workbook laid out as ONS publishes its small-area estimates:
a contents sheet, then per-sex sheets with title rows above the header. The figures are
the real ONS mid-2020 ones (the CSV fixture), re-laid as ONS's workbook."""

import csv

import pytest
from conftest import FIXTURES
from openpyxl import Workbook

from hotspot_tasking.boundaries.errors import BoundaryError
from hotspot_tasking.boundaries.store import population
from hotspot_tasking.boundaries.workbook import read_workbook
from hotspot_tasking.cli import main
from hotspot_tasking.geo.workspace import Workspace

B = FIXTURES / "boundaries"


@pytest.fixture(scope="module")
def ons_workbook(tmp_path_factory):
    """The City's LSOAs' mid-2020 residents as ONS's SAPE workbook lays them out."""
    with open(B / "city_lsoa11_population.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    book = Workbook()
    contents = book.active
    contents.title = "Contents"
    contents.append(["Lower layer Super Output Area population estimates, mid-2020"])
    for title, column in (("Mid-2020 Persons", "Persons_All-Ages"), ("Mid-2020 Males", "Males_All-Ages")):
        sheet = book.create_sheet(title)
        sheet.append([f"{title.split()[-1]}: Lower layer Super Output Area population estimates"])
        sheet.append(["Source: Office for National Statistics"])
        sheet.append([])
        sheet.append(["LSOA Code", "LSOA Name", "LA Code (2018 boundaries)", "All Ages", 0, 1])
        for r in rows:
            sheet.append([r["LSOA11CD"], r["LSOA11NM"], r["LAD11CD"], int(r[column]), 10, 11])
    path = tmp_path_factory.mktemp("ons") / "sape23dt10amid2020lsoa.xlsx"
    book.save(path)
    return path


def test_an_ons_workbook_reads_below_its_title_rows(ons_workbook):
    table = read_workbook(ons_workbook, columns=["LSOA Code", "All Ages"])
    assert table.name == "sape23dt10amid2020lsoa.xlsx (sheet Mid-2020 Persons)"
    assert table.frame.loc[0, "LSOA Code"] == "E01000001" and table.frame.loc[0, "All Ages"] == "1749"
    assert table.rows.iloc[0] == 5  # the workbook's own row: three title rows, then the header
    males = read_workbook(ons_workbook, columns=["LSOA Code", "All Ages"], sheet="Mid-2020 Males")
    assert males.frame.loc[0, "All Ages"] == "939"


def test_population_from_the_workbook_through_the_cli(ons_workbook, tmp_path, capsys):
    ws_path = tmp_path / "ws"
    assert main(["init", str(ws_path)]) == 0
    assert main(["boundaries", "add", str(ws_path), "--kind", "lsoa", str(B / "city_lsoa_2011.gpkg")]) == 0
    capsys.readouterr()
    assert main(["boundaries", "population", str(ws_path), str(ons_workbook), "--code-col", "LSOA Code",
                 "--value-col", "All Ages"]) == 0
    assert "Population for 200 of the 200 areas in 'lsoa_2011'" in capsys.readouterr().out
    assert population(Workspace.open(ws_path), "lsoa_2011").loc["E01000001"] == 1749  # the real ONS figure


def test_a_workbook_without_the_columns_says_which_sheets_it_looked_at(ons_workbook, tmp_path):
    with pytest.raises(BoundaryError, match=r"^sape23dt10amid2020lsoa\.xlsx: no header row in the first 30 rows of "
                                            r"any of its sheets \(Contents, Mid-2020 Persons, Mid-2020 Males\) "
                                            r"names every one of 'LSOA11CD', 'All Ages'"):
        read_workbook(ons_workbook, columns=["LSOA11CD", "All Ages"])
    with pytest.raises(BoundaryError, match=r"has no sheet 'Mid-2021 Persons'; its sheets are Contents, "):
        read_workbook(ons_workbook, columns=["LSOA Code"], sheet="Mid-2021 Persons")
    fake = tmp_path / "not_a_workbook.xlsx"
    fake.write_bytes(b"LSOA Code,All Ages\nE01000001,1749\n")
    with pytest.raises(BoundaryError, match=r"^not_a_workbook\.xlsx: cannot be read as an Excel workbook"):
        read_workbook(fake, columns=["LSOA Code"])
