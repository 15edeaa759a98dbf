"""Labels and constants shared across packages: one place for each, and a leaf module
(it imports nothing of the project) so no two packages import each other for a word.

Colours are Okabe and Ito's palette (distinguishable with the common colour-vision
deficiencies); dates are written the UK way.
"""

from __future__ import annotations

#: The band name meaning every hour of the week (no time band).
ALL_TIMES = "all"
#: Its label in tables, captions and files.
ALL_TIMES_LABEL = "All times"

#: Direction of travel: ▲ rising (Poisson z >= 2), ▼ falling (z <= -2), ► no clear change.
RISING, FALLING, STEADY = "▲", "▼", "►"

#: Okabe and Ito (2008) colours by name.
OKABE_ITO = {"orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7", "black": "#000000"}
#: Okabe and Ito's palette in order of use (charts, categories).
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
#: Place fill by direction of travel (the ``arrow`` column), with the legend's words.
TREND_STYLE = {RISING: (OKABE_ITO["vermillion"], "rising ▲"), STEADY: (OKABE_ITO["yellow"], "no clear change ►"),
               FALLING: (OKABE_ITO["blue"], "falling ▼")}
#: Outline and text colours: a darker shade of each fill, so yellow reads on white.
TREND_EDGES = {OKABE_ITO["vermillion"]: "#8F3F00", OKABE_ITO["yellow"]: "#8A8000", OKABE_ITO["blue"]: "#004A75",
               OKABE_ITO["reddish purple"]: "#8A4A70"}

#: Choices the command line offers, here so that building its parser (``hotspot-tasking --help``)
#: imports no pandas: the incident sources (:data:`hotspot_tasking.geo.schema.SOURCES`), the
#: area layer kinds (:data:`hotspot_tasking.boundaries.layers.AREA_KINDS`), the hotspot methods
#: (:data:`hotspot_tasking.hotspots.run.METHODS`), the tasking list's place kinds
#: (:data:`hotspot_tasking.ranking.schema.CANDIDATE_KINDS`) and its ranking methods
#: (:data:`hotspot_tasking.ranking.request.RANK_METHODS`); tests check each equals its source.
SOURCES = ("police_uk", "police_uk_api", "fire", "council_asb", "street_drinking")
AREA_KINDS = ("ward", "lsoa", "zone")
HOTSPOT_METHODS = ("kde", "dbscan", "gistar")
CANDIDATE_KINDS = ("hotspot", *AREA_KINDS)
RANK_METHODS = ("surface", "dbscan")
#: A workspace's manifest file (:data:`hotspot_tasking.geo.workspace.MANIFEST`), for the command
#: line's demo copy, which needs no pandas.
WORKSPACE_MANIFEST = "workspace.json"

#: The time zone of every local date and time (wall-clock time across clock changes).
LOCAL_TZ = "Europe/London"
#: British National Grid: every distance and area is worked out in it.
BNG_EPSG = 27700

#: UK date format for tables, captions and files.
UK_DATE = "%d/%m/%Y"

#: The PIER tags of an action: Prevent, Intelligence, Enforcement, Reassure.
PIER_TAGS = ("Prevent", "Intelligence", "Enforcement", "Reassure")
#: Action-log columns holding free text, which anything leaving the room leaves out by default.
FREE_TEXT_COLUMNS = ("action", "outcome", "notes", "summary")
#: How sensitive categories (domestic abuse, sexual offences, hate) are named where places are described.
SENSITIVE_LABEL = "sensitive (aggregated)"

#: Attribution of police.uk and other public sector data.
OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
#: Attribution of boundaries from Ordnance Survey data (format with the year).
#: Places numbered on an overview map (the app's review map, the pack's overview): a meeting
#: discusses the first few, and more numbers than this crowd a city centre.
NUMBERED_RANKS = 20
OS_DATA = "Contains OS data © Crown copyright and database right {year}."
