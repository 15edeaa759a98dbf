"""The method card: every parameter of an analysis and the rule that chose it, so that an
analyst can reproduce any map. Written into every output (GeoPackage metadata, GeoTIFF
tags, the briefing pack).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from .. import __version__

log = logging.getLogger(__name__)


@dataclass
class MethodCard:
    """What was done, with which parameters, chosen how.

    Attributes
    ----------
    method : str
        e.g. ``"kde"``, ``"dbscan"``, ``"gistar"``.
    parameters : dict
        ``{name: value}`` with units in the names (``bandwidth_m``, ``cell_size_m``).
    rules : dict
        ``{name: how the value was chosen}``, e.g. "shorter side of the extent / 50,
        rounded down to 10 m (automatic)"; parameters set by the user say "given".
    data : dict
        What went in: incidents, distinct points, filters (band, category, period).
    warnings : list of str
        Things a person should act on (bandwidth below cell size, few incidents, ...).
    """

    method: str
    parameters: dict = field(default_factory=dict)
    rules: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    software: str = f"hotspot-tasking {__version__}"

    def choose(self, name: str, value, rule: str) -> None:
        """Record a parameter and its rule; automatic choices are announced through logging."""
        self.parameters[name] = value
        self.rules[name] = rule
        if rule != "given":
            log.info("%s: %s set to %s automatically (%s)", self.method, name, value, rule)

    def warn(self, message: str) -> None:
        """Record and log a warning a person can act on."""
        self.warnings.append(message)
        log.warning("%s: %s", self.method, message)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), default=str, indent=1)

    def lines(self) -> list[str]:
        """The card as short lines of text, for reports and the app."""
        out = [f"Method: {self.method} ({self.software}, {self.created})"]
        out += [f"{k} = {v} ({self.rules.get(k, 'given')})" for k, v in self.parameters.items()]
        out += [f"{k}: {v}" for k, v in self.data.items()]
        out += [f"Warning: {w}" for w in self.warnings]
        return out
