"""The surface backtest as the CLI prints it: the period-by-period table, the means, the
default's row named ``default``, the naive rows, the cell and bandwidths, and how to read RRI.
"""

from __future__ import annotations

import pandas as pd

from ..surfaces.candidates import NAIVE
from ..surfaces.choice import SurfaceChoice

RRI_NOTE = ("RRI (recapture rate index): above 1, the hotspot kept more of its incidents from one period to the next "
            "than the study area as a whole did; below 1, they moved elsewhere.")


def backtest_lines(choice: SurfaceChoice, every: str) -> list[str]:
    """The lines ``hotspot-tasking backtest`` prints.

    Parameters
    ----------
    choice : SurfaceChoice
    every : {"month", "week"}

    Returns
    -------
    list of str
    """
    card, chosen = choice.card, choice.chosen.name
    default = f"default ({chosen})"
    lines = [f"Candidate surfaces scored {every} by {every}: each scores the study area's cells with the {every}s up "
             f"to one {every} and is judged on the next (hit rate, PAI, RRI at "
             f"{' and '.join(f'{s:.0%}' for s in card.data['backtest_shares'])} of the study area).",
             f"Cell: {card.parameters['cell_size_m']:g} m ({card.rules['cell_size_m']}). Kernels: "
             f"{_bandwidths(choice)}; location precision {card.data.get('location_precision_m', 0):g} m.",
             f"Default: {chosen}, {card.parameters['surface_means']}; chosen as {card.rules['surface']}."]
    if not len(choice.table):
        lines.append(f"No {every}s to score: {card.data['backtest']}.")
        lines += [f"Warning: {w}" for w in card.warnings]
        return lines
    lines.append(f"Backtest periods: {card.data.get('backtest_periods', '')}.")
    table = choice.table[choice.table["surface"].isin([chosen, NAIVE])].copy()
    table["surface"] = table["surface"].where(table["surface"] != chosen, default)
    wide = table.pivot_table(index=["period", "next_period"], columns=["surface", "share"], values="pai",
                             sort=False)
    wide.columns = [f"PAI {s} {share:.0%}" for s, share in wide.columns]
    lines.append(f"\nPAI {every} by {every} (hotspots from the first {every}, scored on the second):")
    with pd.option_context("display.width", 200, "display.float_format", "{:,.2f}".format):
        lines.append(wide.reset_index().to_string(index=False))
        summary = choice.summary.copy()
        summary["surface"] = summary["surface"].where(summary["surface"] != chosen, default)
        order = [default, NAIVE] + [s for s in summary["surface"].unique() if s not in (default, NAIVE)]
        summary["order"] = summary["surface"].map({s: i for i, s in enumerate(order)})
        summary = summary.sort_values(["order", "share"], kind="stable").drop(columns="order")
        summary["share"] = summary["share"].map("{:.0%}".format)
        lines.append(f"\nMeans over the {every}s scored (every candidate):")
        lines.append(summary.to_string(index=False))
    lines.append(RRI_NOTE)
    lines += [f"Warning: {w}" for w in card.warnings]
    return lines


def _bandwidths(choice: SurfaceChoice) -> str:
    widths = sorted({float(name.split("-")[1].removesuffix("m")) for name in choice.summary["surface"].unique()
                     if name.startswith("kde-")})
    return ", ".join(f"{w:g} m" for w in widths) + " (quartic)" if widths else "none"
