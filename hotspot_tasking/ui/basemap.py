"""The sidebar's one basemap switch, and the workspace's ``[map]`` setting every map follows.

Off by default: the maps draw their own streets and ask the internet for nothing (see
:func:`hotspot_tasking.ui.maps.deck`). On, every map asks for the style ``[map] tile_style``
of the workspace's ``tasking.toml`` names, and says the provider's attribution under it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..geo.workspace import Workspace
from ..reports.errors import ReportError
from ..reports.setting import MapSetting
from .text import plain

#: The switch's session key.
TILES_KEY = "basemap_tiles"
TILES_LABEL = "Basemap tiles (needs the internet)"


def draw_basemap_toggle() -> None:
    """The switch, in the sidebar (call once, from app.py); off unless turned on."""
    st.sidebar.toggle(TILES_LABEL, key=TILES_KEY, value=False,
                      help="Lays a street basemap under every map, from [map] tile_style in the workspace's "
                           "config/tasking.toml. The maps read without it: they draw the roads layer and street "
                           "names from the data.")


@st.cache_data(show_spinner=False, max_entries=8)
def _setting(path: str, stamp: int) -> MapSetting:
    """``[map]`` of one ``tasking.toml``, read again when the file changes (``stamp``)."""
    return MapSetting.load(path)


def map_setting(ws: Workspace) -> MapSetting | None:
    """The basemap every map asks for now: None while the switch is off (or when the setting
    is wrong: a warning says what to fix and the maps are drawn without tiles)."""
    if not st.session_state.get(TILES_KEY, False):
        return None
    path = Path(ws.config_path("tasking.toml"))
    try:
        return _setting(str(path), path.stat().st_mtime_ns)
    except ReportError as err:
        st.warning(f"{plain(err)} The maps are drawn without basemap tiles until then.", icon=":material/map:")
        return None


def tile_style(setting: MapSetting | None) -> str | None:
    """The style URL a deck asks for (None: no basemap)."""
    return None if setting is None else setting.tile_style
