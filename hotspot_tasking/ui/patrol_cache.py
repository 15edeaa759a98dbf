"""Cached wrappers of the patrol pipeline: the areas, shifts and months on offer, a plan, its PDF.

The patrol page reads the whole joined incident table (:func:`.cache.incidents_with_areas`,
loaded once and shared): the months it offers an area span all its history, and a plan's
weeks end on the workspace's last day with data, which only the whole table gives today.
"""

from __future__ import annotations

import streamlit as st

from ..geo.workspace import Workspace
from ..patrol.plan import PatrolPlan
from ..patrol.shifts import Shift
from ..pipeline import patrol as pipeline
from ..pipeline.patrol import PatrolRequest
from .cache import incidents_with_areas


@st.cache_data(show_spinner=False)
def patrol_areas(path: str, version: str) -> dict[str, dict[str, str]]:
    """``{layer: {code: name}}`` of the ward layers (latest first), then the zone layers."""
    return pipeline.patrol_areas(Workspace.open(path))


@st.cache_data(show_spinner=False)
def shift_choices(path: str, version: str) -> dict[str, Shift]:
    """The workspace's time bands as whole-hour shifts."""
    return pipeline.shift_choices(Workspace.open(path))


@st.cache_data(show_spinner=False, max_entries=64)
def untimed_months(path: str, version: str, area_layer: str, area_code: str) -> list[str]:
    """The area's months (newest first) when none of its records has a time of day, else []."""
    return pipeline.untimed_months(incidents_with_areas(path, version), area_layer, area_code)


@st.cache_data(show_spinner="Planning the patrol…", max_entries=64)
def patrol(path: str, version: str, request: PatrolRequest) -> PatrolPlan:
    """The patrol plan of one area and shift."""
    return pipeline.plan_patrol(Workspace.open(path), request, incidents=incidents_with_areas(path, version))


@st.cache_data(show_spinner=False, max_entries=16)
def patrol_pdf(path: str, version: str, request: PatrolRequest) -> bytes:
    """The printable one-page plan (PDF)."""
    return pipeline.patrol_pdf(Workspace.open(path), request, patrol(path, version, request))
