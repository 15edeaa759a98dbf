"""The briefing pack: a PDF to send round before the tasking meeting.

Pages (A4 portrait), in order:

1. Cover: title, partnership, period, band (its label), date produced (dd/mm/yyyy), sources, data
   caveats, the disclosure rules applied, attribution; the protective marking (``[disclosure]
   marking`` in ``tasking.toml``, e.g. "OFFICIAL") heads and foots every page when set.
2. Overview map: the area's wards and boroughs with every listed place numbered by rank.
3. The ranked list: rank, place, trend arrow, count now and before, peak band, lead, status
   (more pages only when the list is longer than a page holds, about 30 rows).
4. One page per top place: its map (zoomed, wards around it), its figures, why it ranks
   there, suggested lead and tactics, and its last actions from the action log.
5. One page per method card.

Everything shown comes from :class:`.disclosure.Disclosed`, so small counts read "fewer
than 5" and sensitive categories are aggregated. Maps are drawn by :mod:`.maps` (Agg, PNG
at 150 to 170 dpi), with the street names of a :class:`.streets.StreetBackground` written
over them as PDF text (:mod:`.placement`), and text is set in DejaVu Sans (shipped with
matplotlib), which has the arrows ▲ ▼ ►.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from ..labels import OGL, OS_DATA, TREND_EDGES, TREND_STYLE
from ..periods import describe_period
from .disclosure import Disclosed, strip_free_text
from .errors import ReportError
from .maps import hotspot_figure, map_title, overview_figure
from .placement import figure_parts, write_texts
from .setting import Background
from .tables import card_rows, method_summary, uk_date

#: Place pages when the caller gives no ``top``.
DEFAULT_PAGES = 10
#: Last actions shown per place.
LAST_ACTIONS = 5
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_GREY = (90, 90, 90)
_HEAD = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))
#: Action-log columns shown, with widths in mm (None: free text, sharing what is left).
_ACTION_WIDTHS = {"held_on": 17, "agency": 24, "tactic": 24, "pier": 19, "owner_role": 24, "due_on": 17,
                  "status": 17, "action": None, "outcome": None, "notes": None}
#: The same when free-text columns are shown beside them.
_NARROW_WIDTHS = {"held_on": 16, "agency": 18, "tactic": 18, "pier": 17, "owner_role": 18, "due_on": 16, "status": 15}
_ACTION_NAMES = {"held_on": "Meeting", "agency": "Agency", "tactic": "Tactic", "pier": "PIER",
                 "owner_role": "Owner role", "due_on": "Due", "status": "Status", "action": "Action",
                 "outcome": "Outcome", "notes": "Notes"}


class _Pack(FPDF):
    """A4 portrait with the marking, date and page numbers on every page."""

    def __init__(self, marking: str, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.marking, self.footer_text = marking, footer_text
        self.set_margins(12, 14, 12)
        self.set_auto_page_break(True, margin=16)
        self.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(_FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_font("DejaVu", size=10)
        self.set_title("Tasking briefing pack")
        self.set_creator("hotspot-tasking")

    def header(self) -> None:
        if self.marking:
            self.set_font("DejaVu", "B", 9)
            self.set_y(5)
            self.cell(0, 5, self.marking, align="C")
            self.set_y(self.t_margin)
        self.set_font("DejaVu", size=10)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("DejaVu", size=7)
        self.set_text_color(*_GREY)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)
        if self.marking:
            self.set_xy(self.l_margin, -8.5)
            self.set_font("DejaVu", "B", 9)
            self.cell(0, 4, self.marking, align="C")


def write_pack(disclosed: Disclosed, path: str | Path, *, background: Background | None = None,
               actions: pd.DataFrame | None = None, pages: int | None = None) -> Path:
    """Write the briefing pack of a disclosed tasking list.

    Parameters
    ----------
    disclosed : Disclosed
        From :func:`.tables.disclose_list` (``export_tasking`` makes it).
    path : str or Path
        The PDF to write.
    background : Background, optional
        The ward and borough outlines drawn under the maps (None: places drawn alone).
    actions : pandas.DataFrame, optional
        The action log (``tasking_id`` and any of ``held_on``, ``agency``, ``tactic``,
        ``pier``, ``owner_role``, ``due_on``, ``status``; ``action``, ``outcome`` and
        ``notes`` only when the rules include free text).
    pages : int, optional
        Place pages (ranks 1 to ``pages``); None: :data:`DEFAULT_PAGES` at most.

    Returns
    -------
    Path
    """
    path = Path(path)
    rules = disclosed.rules
    produced = uk_date(disclosed.produced)
    pdf = _Pack(rules.marking, f"Tasking briefing pack · {disclosed.partnership or 'partnership not named'} · "
                               f"{describe_period(disclosed.period)} · produced {produced}")
    background = Background() if background is None else background
    _cover(pdf, disclosed)
    _overview(pdf, disclosed, background)
    _ranked(pdf, disclosed)
    log = _actions(actions, rules.include_free_text, dict(rules.status_labels))
    n = min(len(disclosed.frame), pages if pages is not None else DEFAULT_PAGES)
    for i in range(n):
        _place(pdf, disclosed, i, background, log)
    for card in card_rows(disclosed.cards).groupby("card", sort=True):
        _card(pdf, card[1])
    pdf.output(str(path))
    return path


# --- pages ------------------------------------------------------------------------------------
def _cover(pdf: _Pack, d: Disclosed) -> None:
    pdf.add_page()
    pdf.ln(18)
    pdf.set_font("DejaVu", "B", 26)
    _para(pdf, 12, "Tasking briefing pack")
    pdf.set_font("DejaVu", "", 16)
    _para(pdf, 9, d.partnership or "Partnership not named")
    pdf.ln(6)
    shown = len(d.frame)
    facts = [("Period", describe_period(d.period)), ("Time band", d.band),
             ("Places listed", f"{shown}" + (f" (the top {shown} of {d.rows_total})" if shown < d.rows_total else "")),
             ("Produced", uk_date(d.produced))]
    if method_summary(d.cards):
        facts.insert(3, ("Places found by", method_summary(d.cards)))
    if d.rules.marking:
        facts.append(("Marking", d.rules.marking))
    pdf.set_font("DejaVu", "", 11)
    with pdf.table(col_widths=(35, 151), first_row_as_headings=False, borders_layout="NONE", text_align="LEFT",
                   line_height=6.5) as table:
        for key, value in facts:
            row = table.row()
            row.cell(key, style=FontFace(emphasis="BOLD"))
            row.cell(value)
    for heading, lines in (("Sources", d.sources or ["not given"]), ("Data caveats", d.caveats or ["none recorded"]),
                           ("Disclosure control", d.rules.describe())):
        _heading(pdf, heading, size=12)
        pdf.set_font("DejaVu", "", 9.5)
        for line in lines:
            _para(pdf, 5, f"•  {line}")
    pdf.ln(4)
    pdf.set_font("DejaVu", "I", 8)
    pdf.set_text_color(*_GREY)
    _para(pdf, 4.2, "Contents: overview map (page 2), ranked list (page 3), one page per top place, then the "
                    "method cards.\n" + OGL + " " + OS_DATA.format(year=d.produced.year))
    pdf.set_text_color(0, 0, 0)


def _overview(pdf: _Pack, d: Disclosed, background: Background) -> None:
    pdf.add_page()
    _heading(pdf, "Overview map")
    room = pdf.h - pdf.b_margin - pdf.get_y()
    fig = overview_figure(d.frame, background=background, title=map_title(d.period, d.band), width_in=pdf.epw / 25.4,
                          max_height_in=room / 25.4)
    width, height = fig.get_size_inches() * 25.4
    _map(pdf, fig, 150, x=pdf.l_margin, y=pdf.get_y(), w=width, h=height)


def _ranked(pdf: _Pack, d: Disclosed) -> None:
    pdf.add_page()
    _heading(pdf, f"Ranked tasking list, {describe_period(d.period)}")
    pdf.set_font("DejaVu", "", 8.5)
    shown = d.shown
    with pdf.table(col_widths=(11.5, 48.5, 12.5, 15, 15, 34, 25, 24.5), text_align="LEFT", line_height=4.4,
                   headings_style=_HEAD, borders_layout="HORIZONTAL_LINES", padding=1) as table:
        head = table.row()
        for text in ("Rank", "Place", "Trend", "Now", "Before", "Peak band", "Lead", "Status"):
            head.cell(text)
        for _, r in shown.iterrows():
            row = table.row()
            row.cell(_fmt(r["rank"]))
            row.cell(_fmt(r["place_name"]))
            row.cell(_fmt(r["arrow"]), align="C", style=_arrow_style(r["arrow"]))
            row.cell(_fmt(r["count_now"]))
            row.cell(_fmt(r["count_before"]))
            row.cell(_fmt(r["peak_band"]))
            row.cell(_fmt(r["lead_agency"]))
            row.cell(_fmt(r["status"]))
    pdf.ln(3)
    pdf.set_font("DejaVu", "I", 7.5)
    pdf.set_text_color(*_GREY)
    _para(pdf, 4, "Now: incidents in the period (weighted by the time band). Before: mean per period over the "
                  "baseline. ▲ rising (Poisson z ≥ 2), ▼ falling (z ≤ −2), ► no clear change. "
                  f"Counts above 0 and below {d.rules.min_count} read \"{d.rules.fewer_than}\".")
    pdf.set_text_color(0, 0, 0)


def _place(pdf: _Pack, d: Disclosed, i: int, background: Background, log: pd.DataFrame | None) -> None:
    r = d.shown.iloc[i]
    rank = int(d.frame["rank"].iloc[i])
    pdf.add_page()
    _heading(pdf, f"{rank}. {_fmt(r['place_name'])}", size=14)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(*_GREY)
    ward = " ".join(x for x in (_fmt(r["ward_name"]), f"({_fmt(r['ward_code'])})" if _fmt(r["ward_code"]) else "") if x)
    _para(pdf, 4.5, f"Tasking ID {_fmt(r['tasking_id'])} · {_fmt(r['kind'])} · ward {ward or 'not given'}"
                    f" · LSOA {_fmt(r['lsoa_code']) or 'not given'}")
    pdf.set_text_color(0, 0, 0)
    top = pdf.get_y() + 1
    fig = hotspot_figure(d.frame, rank, background=background)
    _map(pdf, fig, 170, x=pdf.l_margin, y=top, w=92, h=92)
    pdf.set_xy(pdf.l_margin + 96, top)
    figures = [("Count now", _fmt(r["count_now"])), ("Count before (mean)", _fmt(r["count_before"])),
               ("Change", _pct(r["change_pct"])), ("Trend (z)", f"{_fmt(r['arrow'])} {_fmt(r['z'])}".strip()),
               ("Harm now", _fmt(r["harm_now"])), ("Persistence", _fmt(r["persistence"])),
               ("Repeat locations", _fmt(r["repeat_locations"])), ("Peak band", _fmt(r["peak_band"])),
               ("Peak days", _fmt(r["peak_days"])), ("Peak hours", _fmt(r["peak_hours"])),
               ("Area", f"{_fmt(r['area_km2'])} km²"), ("Score", _fmt(r["score"])),
               *([("Part of", _fmt(r["hotspot_group"]).removeprefix("part of "))] if _fmt(r["hotspot_group"]) else []),
               ("Dominant categories", _fmt(r["dominant_categories"])), ("Status", _fmt(r["status"]))]
    with pdf.table(col_widths=(33, 57), width=90, align="RIGHT", first_row_as_headings=False, text_align="LEFT",
                   line_height=4.3, borders_layout="HORIZONTAL_LINES", padding=0.8) as table:
        for key, value in figures:
            row = table.row()
            row.cell(key, style=FontFace(emphasis="BOLD"))
            row.cell(value)
    pdf.set_y(max(pdf.get_y(), top + 94))
    _heading(pdf, "Why it ranks here", size=11)
    pdf.set_font("DejaVu", "", 9)
    why = _fmt(r["explanation"])[:700]
    _para(pdf, 4.6, why[:1].upper() + why[1:] if why else "No explanation given.")
    _heading(pdf, "Suggested lead and tactics", size=11)
    pdf.set_font("DejaVu", "", 9)
    _para(pdf, 4.6, f"Lead: {_fmt(r['lead_agency']) or 'not given'}")
    for tactic in [t.strip() for t in _fmt(r["tactics"]).split(";") if t.strip()][:6]:
        _para(pdf, 4.6, f"•  {tactic}")
    _heading(pdf, "Last actions", size=11)
    _last_actions(pdf, log, _fmt(r["tasking_id"]))


def _last_actions(pdf: _Pack, log: pd.DataFrame | None, tasking_id: str) -> None:
    """The place's latest actions, as many as fit on its page (the rest counted in a note)."""
    pdf.set_font("DejaVu", "", 7.5)
    if log is None:
        _para(pdf, 4.5, "No action log was given for this pack.")
        return
    mine = log[log["tasking_id"].astype(str) == tasking_id].head(LAST_ACTIONS)
    if mine.empty:
        _para(pdf, 4.5, "No actions recorded for this place.")
        return
    total = int((log["tasking_id"].astype(str) == tasking_id).sum())
    for limit in (200, 90):
        for n in range(len(mine), 0, -1):
            with pdf.offset_rendering() as trial:
                _actions_table(trial, mine.head(n), total, limit)
            if not trial.page_break_triggered:
                _actions_table(pdf, mine.head(n), total, limit)
                return
    _para(pdf, 4.5, f"{total} actions for this place are in the action log (too long to print here).")


def _actions_table(pdf, rows: pd.DataFrame, total: int, limit: int) -> None:
    """The actions as a table, text cut at ``limit`` characters, then how many are left out."""
    columns = [c for c in _ACTION_WIDTHS if c in rows.columns]
    free = [c for c in columns if not _ACTION_WIDTHS[c]]
    fixed_widths = _NARROW_WIDTHS if free else _ACTION_WIDTHS
    fixed = sum(fixed_widths[c] for c in columns if c not in free)
    widths = [(pdf.epw - fixed) / len(free) if c in free else fixed_widths[c] for c in columns]
    with pdf.table(col_widths=widths, width=sum(widths), text_align="LEFT", line_height=3.7, headings_style=_HEAD,
                   borders_layout="HORIZONTAL_LINES", padding=0.8) as table:
        head = table.row()
        for c in columns:
            head.cell(_ACTION_NAMES[c])
        for _, a in rows.iterrows():
            row = table.row()
            for c in columns:
                text = _fmt(a[c])
                row.cell(text if len(text) <= limit else text[:limit - 1] + "…")
    if total > len(rows):
        pdf.ln(1)
        _para(pdf, 4, f"{total - len(rows)} earlier actions for this place are in the action log.")


def _card(pdf: _Pack, rows: pd.DataFrame) -> None:
    pdf.add_page()
    method = rows["method"].iloc[0]
    _heading(pdf, f"Method card {int(rows['card'].iloc[0])}: {method}")
    pdf.set_font("DejaVu", "", 8)
    with pdf.table(col_widths=(19, 33, 72, 62), text_align="LEFT", line_height=3.9, headings_style=_HEAD,
                   borders_layout="HORIZONTAL_LINES", padding=0.8) as table:
        head = table.row()
        for text in ("Section", "Name", "Value", "How it was chosen"):
            head.cell(text)
        for _, r in rows.iterrows():
            row = table.row()
            for c in ("section", "name", "value", "rule"):
                row.cell(_fmt(r[c])[:400])


# --- helpers ------------------------------------------------------------------------------------
def _para(pdf: _Pack, line_mm: float, text: str) -> None:
    """A left-aligned paragraph across the page, the cursor left at the next line."""
    pdf.multi_cell(0, line_mm, text, new_x="LMARGIN", new_y="NEXT", align="L")


def _heading(pdf: _Pack, text: str, *, size: float = 16) -> None:
    pdf.ln(2 if size < 14 else 0)
    pdf.set_font("DejaVu", "B", size)
    _para(pdf, size * 0.5, text)
    pdf.ln(1)
    pdf.set_font("DejaVu", "", 10)


def _map(pdf: _Pack, fig, dpi: int, *, x: float, y: float, w: float, h: float) -> None:
    """The map as an image fpdf2 embeds (compressed losslessly, like a PNG) at ``x``, ``y``
    (mm), ``w`` by ``h`` mm, with its street names written over it as text."""
    image, texts = figure_parts(fig, dpi=dpi)
    pdf.image(image, x=x, y=y, w=w, h=h)
    write_texts(pdf, texts, x=x, y=y, w=w, h=h, figure_width_in=fig.get_size_inches()[0])


def _actions(actions: pd.DataFrame | None, include_free_text: bool, labels: dict[str, str]) -> pd.DataFrame | None:
    """The log without free text, newest first (by meeting date, else created or due date)."""
    if actions is None:
        return None
    if "tasking_id" not in actions.columns:
        raise ReportError("actions: needs a 'tasking_id' column; pass ActionLog.to_frame() or actions_for().")
    log = strip_free_text(actions, include_free_text=include_free_text)
    if "status" in log.columns and labels:
        log["status"] = log["status"].map(lambda v: labels.get(v, v))
    order = [c for c in ("held_on", "created_at", "due_on", "action_id") if c in log.columns]
    return log.sort_values(order, ascending=False, kind="stable", na_position="last") if order else log


def _fmt(value) -> str:
    """Text for a table cell: whole numbers without decimals, dates dd/mm/yyyy, blanks empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.0f}" if value == int(value) else f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{int(value):,}"
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _pct(value) -> str:
    text = _fmt(value)
    return f"{float(value):+.0f}%" if isinstance(value, numbers.Real) and text else text


def _arrow_style(arrow) -> FontFace | None:
    """The arrow in the darker shade of its map colour."""
    colour = TREND_STYLE.get(arrow, (None,))[0]
    return FontFace(emphasis="BOLD", color=TREND_EDGES[colour]) if colour else None
