"""Build the bundled demo workspace in data/demo/ from a folder of real public data.

    python scripts/build_demo.py [--real DIR] [--out data/demo]

DIR (default: ``$HOTSPOT_REAL_DATA``) holds the real files it reads:
``police_uk_api/lambeth_wandsworth_street_crime_api_2016-01_2018-06.csv.gz``;
``boundaries/london/`` with ``london_boroughs.gpkg``, ``London_Ward_Boundaries.shp`` and
``london-2011-lsoa-gen20.shp``; ``population/london-lsoa11-mid2020-pop.csv``; and
``lfb/lfb_incident_records_sample_2009-01.csv``.

What it holds (see data/demo/README.md):
- real police.uk records for Lambeth and Wandsworth, 2016-01 to 2018-06 (police.uk API,
  flattened), with SIMULATED times of day drawn from category hour-of-week profiles
  (source ``police_uk_times_simulated``);
- real boundaries: London wards (2014 set) and LSOA 2011 for the two boroughs, the two
  borough outlines, and ONS mid-2020 LSOA population;
- SIMULATED council ASB reports, street-drinking complaints and fire incident records,
  placed around real police.uk map points (sources ending ``_simulated``), written as the
  raw CSVs a council or fire service would export (data/demo/raw/) and imported through
  the ordinary readers, rejects and all.

Seeded: the same inputs give the same workspace.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import demo_simulation as sim  # noqa: E402

from hotspot_tasking.boundaries.layers import load_layer  # noqa: E402
from hotspot_tasking.boundaries.store import add_layer, add_population  # noqa: E402
from hotspot_tasking.geo import coords  # noqa: E402
from hotspot_tasking.geo.area import Area  # noqa: E402
from hotspot_tasking.geo.workspace import Workspace  # noqa: E402
from hotspot_tasking.intake.ingest import read_incidents  # noqa: E402
from hotspot_tasking.intake.readers import fire, mapped_csv, police_uk_api  # noqa: E402

SEED = 20160101
BOROUGHS = ("Lambeth", "Wandsworth")
START, END = "2016-01-01", "2018-06-30"
REPO = Path(__file__).resolve().parent.parent
#: The folder of real input files when ``--real`` is not given (None: ``--real`` is needed).
REAL_DATA = Path(os.environ["HOTSPOT_REAL_DATA"]) if os.environ.get("HOTSPOT_REAL_DATA") else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", dest="real", type=Path, default=REAL_DATA, metavar="DIR",
                        help="folder of the real police.uk, boundary, population and fire files")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "demo")
    args = parser.parse_args(argv)
    if args.real is None:
        parser.error("give --real DIR (a folder of the real source files listed above) or set HOTSPOT_REAL_DATA")
    rng = np.random.default_rng(SEED)

    keep = [p for p in ("README.md", "SIMULATION.md") if (args.out / p).exists()]
    saved = {p: (args.out / p).read_text(encoding="utf-8") for p in keep}
    if args.out.exists():
        shutil.rmtree(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        files, area = extract_boundaries(args.real, Path(tmp))
        ws = Workspace.create(args.out, area=area, name="Lambeth and Wandsworth (demo)")
        for path, kind, vintage, name in files["layers"]:
            add_layer(ws, load_layer(path, kind=kind, vintage=vintage, name=name))
        add_population(ws, files["population"], code_col="LSOA11CD", value_col="Persons_All-Ages", layer="lsoa_2011")
    for name, text in saved.items():
        (args.out / name).write_text(text, encoding="utf-8")
    raw = args.out / "raw"
    raw.mkdir()
    zones = write_zones(raw)
    add_layer(ws, load_layer(zones, kind="zone", name="nte_zones_illustrative"))

    police = import_police(ws, args.real, rng)
    points = police[["easting", "northing", "category", "location_text"]]
    write_council_asb(raw, points, rng)
    write_street_drinking(raw, points, rng)
    write_fires(raw, points, rng, args.real / "lfb" / "lfb_incident_records_sample_2009-01.csv")
    for source, mapping_name in (("council_asb", "council_asb_simulated_mapping.toml"),
                                 ("street_drinking", "street_drinking_simulated_mapping.toml")):
        mapping = mapped_csv.load_mapping(raw / mapping_name)
        reader = mapped_csv.make_reader(source, mapping)
        commit(ws, raw / f"{source}_simulated.csv", reader, f"demo-{source}")
    commit(ws, raw / "fire_simulated.csv", fire.make_reader("Motive", source="fire_simulated"), "demo-fire")
    for rep in ws.imports:
        print(rep.format().splitlines()[0])


def commit(ws: Workspace, path: Path, reader, import_id: str) -> None:
    result = read_incidents([path], reader, taxonomy=ws.taxonomy(), area=ws.area, import_id=import_id)
    ws.commit(result)


def extract_boundaries(real: Path, out: Path) -> tuple[dict, Area]:
    """Cut the two boroughs' wards (2014), LSOAs (2011) and population out of the London
    files; return the files to load and the boroughs' area."""
    london = real / "boundaries" / "london"
    boroughs = gpd.read_file(london / "london_boroughs.gpkg")
    boroughs = boroughs[boroughs["name"].isin(BOROUGHS)][["gss_code", "name", "geometry"]]
    boroughs.to_file(out / "boroughs.gpkg", layer="boroughs")
    wards = gpd.read_file(london / "London_Ward_Boundaries.shp")
    wards[wards["BOROUGH"].isin(BOROUGHS)].to_file(out / "wards_2014.shp")  # keeps the ESRI .prj's words
    lsoa = gpd.read_file(london / "london-2011-lsoa-gen20.shp")
    lsoa[lsoa["LAD11NM"].isin(BOROUGHS)].to_file(out / "lsoa_2011.gpkg", layer="lsoa_2011")
    pop = pd.read_csv(real / "population" / "london-lsoa11-mid2020-pop.csv", dtype={"LSOA11CD": str})
    pop[pop["LAD11NM"].isin(BOROUGHS)].to_csv(out / "population_lsoa11_mid2020.csv", index=False)
    minx, miny, maxx, maxy = boroughs.total_bounds
    files = {
        "layers": [(out / "wards_2014.shp", "ward", "2014", "ward_2014"),
                   (out / "lsoa_2011.gpkg", "lsoa", "2011", "lsoa_2011"),
                   (out / "boroughs.gpkg", "zone", "", "boroughs")],
        "population": out / "population_lsoa11_mid2020.csv",
    }
    return files, Area(float(minx), float(miny), float(maxx), float(maxy), margin_m=5000.0)


def write_zones(raw: Path) -> Path:
    """ILLUSTRATIVE night-time economy zones: 400 m circles round five town centres (not official areas)."""
    centres = {"NTE-BRX": "Brixton", "NTE-CLH": "Clapham Common", "NTE-VXH": "Vauxhall",
               "NTE-CLJ": "Clapham Junction", "NTE-TOO": "Tooting Broadway"}
    lon, lat = np.array([sim.STREET_DRINKING_HUBS[name] for name in centres.values()]).T
    e, n = coords.to_bng(lon, lat)
    zones = gpd.GeoDataFrame({"code": list(centres),
                              "name": [f"{v} NTE zone (illustrative)" for v in centres.values()]},
                             geometry=gpd.points_from_xy(e, n).buffer(400, quad_segs=16), crs=27700).to_crs(4326)
    path = raw / "nte_zones_illustrative.geojson"
    zones.to_file(path, driver="GeoJSON")
    return path


def import_police(ws: Workspace, real: Path, rng: np.random.Generator) -> pd.DataFrame:
    """Real records with simulated times: read as police.uk API records, then draw each
    record's day and time within its real month from its category's profile."""
    reader = replace(police_uk_api.READER, source="police_uk_times_simulated")
    path = real / "police_uk_api" / "lambeth_wandsworth_street_crime_api_2016-01_2018-06.csv.gz"
    result = read_incidents([path], reader, taxonomy=ws.taxonomy(), area=ws.area, import_id="demo-police")
    inc = result.incidents
    month_start = inc["occurred_from"].dt.tz_localize(None)
    naive = sim.draw_times(month_start, sim.POLICE_PROFILES, inc["category"], rng)
    local = naive.dt.tz_localize("Europe/London", ambiguous=np.ones(len(naive), bool), nonexistent="shift_forward")
    inc["occurred_from"] = local.to_numpy()
    inc["occurred_to"] = local.to_numpy()
    inc["time_precision"] = "minute"
    result.report.notes.append("Times of day are SIMULATED from category hour-of-week profiles "
                               "(scripts/demo_simulation.py); places, categories and months are real.")
    ws.commit(result)
    return inc


def _sample_points(points: pd.DataFrame, n: int, rng: np.random.Generator, jitter_m: float) -> pd.DataFrame:
    """``n`` real map points drawn by their record counts, moved by a Gaussian jitter (metres)."""
    pick = points.iloc[rng.integers(0, len(points), n)].reset_index(drop=True)
    pick = pick.assign(easting=np.round(pick["easting"] + rng.normal(0, jitter_m, n)),
                       northing=np.round(pick["northing"] + rng.normal(0, jitter_m, n)))
    pick["street"] = pick["location_text"].str.replace("On or near ", "", regex=False)
    return pick


def _choose(options: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    names = list(options)
    p = np.array([options[k] for k in names])
    return np.array(names, dtype=object)[rng.choice(len(names), n, p=p / p.sum())]


def write_council_asb(raw: Path, points: pd.DataFrame, rng: np.random.Generator, n: int = 8000) -> None:
    """A council ASB case-system export: BNG coordinates, UK dates, separate time column."""
    asb = points[points["category"] == "Anti-social behaviour"]
    where = _sample_points(asb, n, rng, jitter_m=30)
    when = sim.draw_dates(START, END, n, sim.COUNCIL_ASB_PROFILE, rng, lambda d: sim.summer(d, 1.4))
    frame = pd.DataFrame({
        "Case reference": [f"ASB/{y}/{i:05d}" for i, y in enumerate(when.dt.year, start=1)],
        "Received date": when.dt.strftime("%d/%m/%Y"),
        "Received time": when.dt.strftime("%H:%M"),
        "ASB type": _choose(sim.COUNCIL_ASB_TYPES, n, rng),
        "Easting": where["easting"].astype(int).astype(str),
        "Northing": where["northing"].astype(int).astype(str),
        "Street": where["street"],
        "Case status": _choose({"Open": 0.2, "Closed": 0.8}, n, rng),
    })
    # Realistic faults, so the demo's quarantine has something in it (see SIMULATION.md).
    bad = rng.choice(n, 24, replace=False)
    frame.loc[bad[:12], ["Easting", "Northing"]] = ""
    frame.loc[bad[12:18], "Received date"] = "31/02/2017"
    frame.loc[bad[18:], "ASB type"] = "Nuisance neighbours"
    frame.to_csv(raw / "council_asb_simulated.csv", index=False, encoding="cp1252")
    (raw / "council_asb_simulated_mapping.toml").write_text(
        '# Column mapping for a council ASB case-system export (SIMULATED demo data).\n'
        'source_name = "council_asb_simulated"\nvocabulary = "council_asb"\ncoordinates = "auto"\n'
        'location_precision_m = 0\n\n[columns]\nid = "Case reference"\ndate = "Received date"\n'
        'time = "Received time"\ncategory = "ASB type"\neasting = "Easting"\nnorthing = "Northing"\n'
        'location_text = "Street"\n', encoding="utf-8")


def write_street_drinking(raw: Path, points: pd.DataFrame, rng: np.random.Generator, n: int = 1500) -> None:
    """A street-drinking complaint log: WGS84, ISO date-times (some date only), around town centres."""
    hub_e, hub_n = coords.to_bng(*np.array(list(sim.STREET_DRINKING_HUBS.values())).T)
    asb = points[points["category"] == "Anti-social behaviour"]
    parts = []
    hub_of = rng.integers(0, len(hub_e), n)
    for h, (he, hn) in enumerate(zip(hub_e, hub_n)):
        near = asb[np.hypot(asb["easting"] - he, asb["northing"] - hn) < 400]
        k = int((hub_of == h).sum())
        parts.append(_sample_points(near, k, rng, jitter_m=20).assign(hub=list(sim.STREET_DRINKING_HUBS)[h]))
    where = pd.concat(parts, ignore_index=True).iloc[rng.permutation(n)].reset_index(drop=True)
    lon, lat = coords.to_wgs84(where["easting"].to_numpy(), where["northing"].to_numpy())
    when = sim.draw_dates(START, END, n, sim.STREET_DRINKING_PROFILE, rng, lambda d: sim.summer(d, 2.0))
    logged = when.dt.strftime("%Y-%m-%d %H:%M")
    date_only = rng.random(n) < 0.1
    logged[date_only] = when[date_only].dt.strftime("%Y-%m-%d")
    frame = pd.DataFrame({
        "Complaint ID": [f"SD-{i:06d}" for i in range(1, n + 1)],
        "Logged": logged,
        "Complaint type": _choose(sim.STREET_DRINKING_TYPES, n, rng),
        "Latitude": np.round(lat, 6).astype(str),
        "Longitude": np.round(lon, 6).astype(str),
        "Location": where["hub"] + ", " + where["street"],
    })
    swapped = rng.choice(n, 8, replace=False)
    frame.loc[swapped, ["Latitude", "Longitude"]] = frame.loc[swapped, ["Longitude", "Latitude"]].to_numpy()
    frame.to_csv(raw / "street_drinking_simulated.csv", index=False, encoding="utf-8-sig")
    (raw / "street_drinking_simulated_mapping.toml").write_text(
        '# Column mapping for a street-drinking complaint log (SIMULATED demo data).\n'
        'source_name = "street_drinking_simulated"\nvocabulary = "street_drinking"\ncoordinates = "auto"\n'
        'location_precision_m = 10\n\n[columns]\nid = "Complaint ID"\ndate = "Logged"\n'
        'category = "Complaint type"\nlatitude = "Latitude"\nlongitude = "Longitude"\nlocation_text = "Location"\n',
        encoding="utf-8")


#: (StopCodeDescription, PropertyCategory, Motive, share, profile, season, points category, rounded?)
FIRE_KINDS = (
    ("Secondary Fire", "Outdoor", "Deliberate", 0.40, sim.SECONDARY_FIRE_PROFILE, sim.fire_season,
     "Criminal damage and arson", False),
    ("Secondary Fire", "Outdoor Structure", "Deliberate", 0.10, sim.SECONDARY_FIRE_PROFILE, sim.fire_season,
     "Criminal damage and arson", False),
    ("Secondary Fire", "Outdoor", "Accidental", 0.08, sim.SECONDARY_FIRE_PROFILE, sim.fire_season, None, False),
    ("Primary Fire", "Non Residential", "Deliberate", 0.08, sim.NIGHT_FIRE_PROFILE, None,
     "Criminal damage and arson", False),
    ("Primary Fire", "Road Vehicle", "Deliberate", 0.08, sim.NIGHT_FIRE_PROFILE, None, "Vehicle crime", False),
    ("Primary Fire", "Dwelling", "Accidental", 0.18, sim.DWELLING_FIRE_PROFILE, sim.winter, "Burglary", True),
    ("Primary Fire", "Dwelling", "Deliberate", 0.03, sim.NIGHT_FIRE_PROFILE, None, "Burglary", True),
    ("Primary Fire", "Non Residential", "Accidental", 0.05, sim.DWELLING_FIRE_PROFILE, None, None, False),
)


def write_fires(raw: Path, points: pd.DataFrame, rng: np.random.Generator, lfb_sample: Path,
                n_fires: int = 2400, n_other: int = 500) -> None:
    """Fire and rescue incident records in the London Fire Brigade's 39-column layout plus a
    ``Motive`` column; dwelling locations rounded to 50 m as the LFB publishes them."""
    parts = []
    for stop, prop, motive, share, profile, season, from_cat, rounded in FIRE_KINDS:
        n = int(round(n_fires * share))
        pool = points if from_cat is None else points[points["category"] == from_cat]
        where = _sample_points(pool, n, rng, jitter_m=40)
        when = sim.draw_dates(START, END, n, profile, rng, season)
        parts.append(pd.DataFrame({"when": when, "IncidentGroup": "Fire", "StopCodeDescription": stop,
                                   "PropertyCategory": prop, "Motive": motive, "e": where["easting"],
                                   "n": where["northing"], "rounded": rounded}))
    where = _sample_points(points, n_other, rng, jitter_m=40)
    other = _choose({"Special Service": 0.6, "AFA": 0.3, "False alarm - Good intent": 0.1}, n_other, rng)
    parts.append(pd.DataFrame({
        "when": sim.draw_dates(START, END, n_other, sim.DWELLING_FIRE_PROFILE, rng),
        "IncidentGroup": np.where(other == "Special Service", "Special Service", "False Alarm"),
        "StopCodeDescription": other,
        "PropertyCategory": _choose({"Dwelling": 0.5, "Non Residential": 0.3, "Road Vehicle": 0.2}, n_other, rng),
        "Motive": "", "e": where["easting"], "n": where["northing"], "rounded": False}))
    f = pd.concat(parts, ignore_index=True).sort_values("when", kind="stable").reset_index(drop=True)
    lon, lat = coords.to_wgs84(f["e"].to_numpy(), f["n"].to_numpy())
    exact = ~f["rounded"].to_numpy()
    header = pd.read_csv(lfb_sample, nrows=0).columns
    out = pd.DataFrame({c: "" for c in header}, index=f.index)
    out["IncidentNumber"] = [f"{i:06d}-{d:%d%m%Y}" for i, d in zip(range(1, len(f) + 1), f["when"])]
    out["DateOfCall"] = f["when"].dt.strftime("%d %b %Y")
    out["CalYear"] = f["when"].dt.year.astype(str)
    out["TimeOfCall"] = f["when"].dt.strftime("%H:%M:%S")
    out["HourOfCall"] = f["when"].dt.hour.astype(str)
    for col in ("IncidentGroup", "StopCodeDescription", "PropertyCategory"):
        out[col] = f[col]
    out["Easting_m"] = np.where(exact, f["e"].astype(int).astype(str), "")
    out["Northing_m"] = np.where(exact, f["n"].astype(int).astype(str), "")
    out["Easting_rounded"] = (np.floor(f["e"] / 100) * 100 + 50).astype(int).astype(str)
    out["Northing_rounded"] = (np.floor(f["n"] / 100) * 100 + 50).astype(int).astype(str)
    out["Latitude"] = np.where(exact, np.round(lat, 6).astype(str), "")
    out["Longitude"] = np.where(exact, np.round(lon, 6).astype(str), "")
    out["FRS"] = "London"
    out["Motive"] = f["Motive"]
    out.to_csv(raw / "fire_simulated.csv", index=False)


if __name__ == "__main__":
    main()
