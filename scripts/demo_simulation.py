"""Simulated parts of the demo workspace: documented, seeded, and labelled as simulated.

Nothing here is real except the places it starts from (real police.uk map points in
Lambeth and Wandsworth). Profiles are hour-of-week weights W[day, hour] (Monday = 0),
built from a few named shapes; they are plausible patterns drawn from the partnership
plans in docs/sources.md (night-time economy on Friday and Saturday nights, after-school
hours, summer and bonfire-season fires), not measurements.

Used by build_demo.py; see data/demo/SIMULATION.md for the same in prose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HOURS = np.arange(24)


def _bump(centre: float, sd: float) -> np.ndarray:
    """A circular Gaussian bump over the 24 hours (wraps midnight)."""
    d = np.minimum(np.abs(HOURS - centre), 24 - np.abs(HOURS - centre))
    return np.exp(-0.5 * (d / sd) ** 2)


def _week(hour_curve: np.ndarray, day_weights: list[float], night_spill: bool = False) -> np.ndarray:
    """W[day, hour] = day weight x hour curve; with ``night_spill`` the hours 00-05 take the
    weight of the evening before (Saturday 01:00 belongs to Friday night)."""
    days = np.asarray(day_weights, float)
    w = np.outer(days, hour_curve)
    if night_spill:
        w[:, :6] = np.outer(np.roll(days, 1), hour_curve[:6])
    return w / w.sum()


FLAT = [1, 1, 1, 1, 1, 1, 1]
WEEKDAYS = [1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.7]
WEEKEND_NIGHTS = [0.8, 0.8, 0.9, 1.0, 1.8, 2.0, 0.9]

#: Hour-of-week profile per police.uk crime type (times are simulated; places and months are real).
POLICE_PROFILES: dict[str, np.ndarray] = {
    "Violence and sexual offences": _week(0.25 + _bump(23, 2.5) + 0.5 * _bump(16, 3), WEEKEND_NIGHTS, night_spill=True),
    "Public order": _week(0.2 + _bump(22, 2.5) + 0.4 * _bump(16, 2), WEEKEND_NIGHTS, night_spill=True),
    "Theft from the person": _week(0.2 + _bump(22, 2) + 0.6 * _bump(17.5, 1.5), WEEKEND_NIGHTS, night_spill=True),
    "Anti-social behaviour": _week(0.15 + _bump(20, 3) + 0.5 * _bump(16, 1.5), [0.9, 0.9, 0.9, 1.0, 1.4, 1.5, 1.0],
                                   night_spill=True),
    "Criminal damage and arson": _week(0.2 + _bump(21, 3.5), [0.9, 0.9, 0.9, 1.0, 1.3, 1.4, 1.0], night_spill=True),
    "Robbery": _week(0.1 + _bump(20, 3) + 0.6 * _bump(16, 1.2), [1.0, 1.0, 1.0, 1.0, 1.2, 1.1, 0.8], night_spill=True),
    "Burglary": _week(0.2 + 0.8 * _bump(11.5, 2) + _bump(19, 2.5), WEEKDAYS),
    "Vehicle crime": _week(0.15 + _bump(1, 3.5), FLAT),
    "Shoplifting": _week(0.02 + _bump(15, 3), [1, 1, 1, 1, 1.1, 1.3, 0.8]),
    "Bicycle theft": _week(0.1 + _bump(13, 4), WEEKDAYS),
    "Other theft": _week(0.15 + _bump(14, 4), FLAT),
    "Drugs": _week(0.1 + _bump(18, 4), [1, 1, 1, 1, 1.2, 1.2, 0.9]),
    "Possession of weapons": _week(0.1 + _bump(19, 4), FLAT),
    "Other crime": _week(0.3 + _bump(13, 5), WEEKDAYS),
}
DEFAULT_PROFILE = _week(np.ones(24), FLAT)


def draw_times(month_start: pd.Series, weights: dict[str, np.ndarray], key: pd.Series,
               rng: np.random.Generator, season: dict[int, float] | None = None) -> pd.Series:
    """Draw a local time within each row's month from the row's hour-of-week profile.

    Parameters
    ----------
    month_start : pandas.Series of naive datetime64
        First day of each row's month (00:00).
    weights : dict
        ``{key value: W[7, 24]}``; keys not listed use a flat profile.
    key : pandas.Series
        Which profile each row uses.
    season : dict, optional
        ``{month number: multiplier}`` applied per day (only matters across months of a
        multi-month draw; kept for the fire and street-drinking generators).

    Returns
    -------
    pandas.Series of naive datetime64[us], minute resolution.
    """
    out = np.empty(len(month_start), dtype="datetime64[us]")
    groups = pd.DataFrame({"m": month_start.to_numpy(), "k": key.to_numpy()}).groupby(["m", "k"]).indices
    for (month, k), rows in groups.items():
        start = pd.Timestamp(month)
        days = pd.date_range(start, start + pd.offsets.MonthEnd(0), freq="D")
        w = weights.get(k, DEFAULT_PROFILE)[days.day_of_week.to_numpy()]  # [ndays, 24]
        if season:
            w = w * np.array([season.get(d.month, 1.0) for d in days])[:, None]
        p = (w / w.sum()).ravel()
        cell = rng.choice(p.size, size=len(rows), p=p)
        minutes = rng.integers(0, 60, size=len(rows))
        stamp = days.to_numpy()[cell // 24] + (cell % 24).astype("timedelta64[h]") + minutes.astype("timedelta64[m]")
        out[rows] = stamp.astype("datetime64[us]")
    return pd.Series(out, index=month_start.index)


def draw_dates(start: str, end: str, n: int, profile: np.ndarray, rng: np.random.Generator,
               day_factor=None) -> pd.Series:
    """Draw ``n`` local times between two dates from an hour-of-week profile and an
    optional per-day multiplier ``day_factor(dates) -> array`` (seasons, bonfire night)."""
    days = pd.date_range(start, end, freq="D")
    w = profile[days.day_of_week.to_numpy()]
    if day_factor is not None:
        w = w * np.asarray(day_factor(days), float)[:, None]
    p = (w / w.sum()).ravel()
    cell = rng.choice(p.size, size=n, p=p)
    minutes = rng.integers(0, 60, size=n)
    stamp = days.to_numpy()[cell // 24] + (cell % 24).astype("timedelta64[h]") + minutes.astype("timedelta64[m]")
    return pd.Series(np.sort(stamp.astype("datetime64[us]")))


def summer(days: pd.DatetimeIndex, factor: float) -> np.ndarray:
    """``factor`` from May to August, 1 otherwise."""
    return np.where(days.month.isin([5, 6, 7, 8]), factor, 1.0)


def fire_season(days: pd.DatetimeIndex) -> np.ndarray:
    """Secondary fires: x1.8 April to September (grass and open-space fires), x3 from
    25 October to 10 November (bonfire season, peaking on 5 November x6)."""
    f = np.where(days.month.isin([4, 5, 6, 7, 8, 9]), 1.8, 1.0)
    doy = days.month * 100 + days.day
    f = np.where((doy >= 1025) & (doy <= 1110), 3.0, f)
    return np.where(doy == 1105, 6.0, f)


def winter(days: pd.DatetimeIndex) -> np.ndarray:
    """Accidental dwelling fires: x1.3 November to February."""
    return np.where(days.month.isin([11, 12, 1, 2]), 1.3, 1.0)


# Profiles for the simulated sources.
COUNCIL_ASB_PROFILE = _week(0.1 + _bump(19.5, 3) + 0.4 * _bump(16, 1.5), [0.9, 0.9, 0.9, 1.0, 1.4, 1.6, 1.1],
                            night_spill=True)
STREET_DRINKING_PROFILE = _week(0.05 + _bump(17, 3.5), [0.9, 0.9, 0.9, 1.0, 1.3, 1.5, 1.3])
SECONDARY_FIRE_PROFILE = _week(0.1 + _bump(20, 2.5), [1, 1, 1, 1, 1.2, 1.3, 1.1])
NIGHT_FIRE_PROFILE = _week(0.1 + _bump(1, 3), [1, 1, 1, 1, 1.2, 1.3, 1.1], night_spill=True)
DWELLING_FIRE_PROFILE = _week(0.3 + _bump(18.5, 2), FLAT)

# "rowdy and inconsiderate" is ~75% of ASB reports (Southampton Safe City Partnership Plan
# 2009-12); councils see more variety
COUNCIL_ASB_TYPES = {
    "Rowdy or inconsiderate behaviour": 0.52, "Noise nuisance": 0.13, "Youth nuisance": 0.08,
    "Vandalism and graffiti": 0.07, "Fly-tipping": 0.08, "Drug-related ASB": 0.05,
    "Vehicle nuisance": 0.03, "Begging": 0.02, "Street drinking": 0.02,
}
STREET_DRINKING_TYPES = {
    "Street drinking": 0.7, "Street drinking - aggressive behaviour": 0.15,
    "Street drinking - litter and urination": 0.15,
}
#: Street-drinking hubs: real town centres (WGS84 lon, lat of the station or high street).
STREET_DRINKING_HUBS = {
    "Brixton": (-0.1146, 51.4627), "Clapham Common": (-0.1382, 51.4618), "Vauxhall": (-0.1236, 51.4861),
    "Stockwell": (-0.1227, 51.4723), "Tooting Broadway": (-0.1680, 51.4275), "Clapham Junction": (-0.1703, 51.4642),
    "Streatham": (-0.1318, 51.4258), "Wandsworth Town": (-0.1915, 51.4568),
}
