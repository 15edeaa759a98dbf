"""Hotspots by time band: band weights and the only-in-one-band summaries."""

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot_tasking.hotspots.bands import compare_bands, exclusive_areas, select_band


def incidents(*rows):
    frame = pd.DataFrame(rows, columns=["from", "to", "time_precision"])
    return pd.DataFrame({
        "occurred_from": pd.to_datetime(frame["from"]).dt.tz_localize("Europe/London"),
        "occurred_to": pd.to_datetime(frame["to"]).dt.tz_localize("Europe/London"),
        "time_precision": frame["time_precision"],
    })


def test_band_weights_and_untimed_records():
    inc = incidents(("2024-06-07 23:00", "2024-06-07 23:00", "minute"),   # Friday night: NTE
                    ("2024-06-05 12:00", "2024-06-05 12:00", "minute"),   # Wednesday noon
                    ("2024-06-01 00:00", "2024-06-30 23:59", "month"))    # police.uk month
    nte = select_band(inc, "nte")
    assert nte.weights.tolist() == [1.0, 0.0, 0.0]
    assert nte.no_time_of_day == 1
    assert "1 incidents have no time of day" in nte.message and "Night-time economy" in nte.message
    everything = select_band(inc)
    assert everything.weights.tolist() == [1.0, 1.0, 1.0] and everything.message is None


def test_compare_bands_counts_cells_hot_in_one_band_only():
    day = np.array([[True, True], [False, False]])
    nte = np.array([[True, False], [True, False]])
    table = compare_bands({"daytime": day, "nte": nte})
    assert table.loc["daytime"].tolist() == [2, 1, 0.5]
    assert table.loc["nte", "only_this_band"] == 1


def test_exclusive_areas_marks_hotspots_no_other_band_shares():
    day = gpd.GeoDataFrame({"hotspot_id": [1, 2]}, geometry=[shapely.box(0, 0, 10, 10), shapely.box(50, 50, 60, 60)],
                           crs=27700)
    nte = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[shapely.box(5, 5, 20, 20)], crs=27700)
    out = exclusive_areas({"daytime": day, "nte": nte})
    assert out[["band", "hotspot_id", "also_in", "only_in_band"]].values.tolist() == [
        ["daytime", 1, "nte", False], ["daytime", 2, "", True], ["nte", 1, "daytime", False]]
    assert len(exclusive_areas({"daytime": day.iloc[:0]})) == 0
