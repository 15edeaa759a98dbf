"""``tasking.toml``: action status values and funding approval routes."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from .errors import ActionLogError
from .fields import money_field


@dataclass(frozen=True)
class FundingRoute:
    """Who approves a bid of up to ``up_to_gbp`` pounds (None: no upper limit)."""

    route: str
    label: str
    up_to_gbp: Decimal | None


@dataclass(frozen=True)
class TaskingConfig:
    """Status values and funding routes from ``tasking.toml``.

    Attributes
    ----------
    statuses : dict
        ``{status: {"label": str, "closed": bool, "description": str}}`` in file order.
    default_status : str
        Given to a new action unless the caller chooses another.
    routes : tuple of FundingRoute
        Ascending limits; the last has ``up_to_gbp`` None.
    path : pathlib.Path or None
        The file it came from.
    """

    statuses: dict[str, dict]
    default_status: str
    routes: tuple[FundingRoute, ...]
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> "TaskingConfig":
        """Read and check ``tasking.toml`` (the packaged default when ``path`` is None)."""
        if path is None:  # the packaged default (data/config/), without importing the geo package
            path = resources.files("hotspot_tasking.default_config").joinpath("tasking.toml")
        path = Path(str(path))
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ActionLogError(f"{path.name}: not valid TOML ({err}); fix the line it names.") from err
        statuses = {}
        for key, entry in data.get("statuses", {}).items():
            if not isinstance(entry, dict) or not isinstance(entry.get("closed"), bool):
                raise ActionLogError(f"{path.name}, [statuses.{key}]: 'closed' must be true or false; add it.")
            if len(key) > 30:
                raise ActionLogError(f"{path.name}, [statuses.{key}]: the name is {len(key)} characters long; "
                                   "shorten it to 30 at most and put the long form in its label.")
            statuses[key] = {"label": str(entry.get("label", key)), "closed": entry["closed"],
                             "description": str(entry.get("description", ""))}
        if not statuses:
            raise ActionLogError(f"{path.name}: has no [statuses.NAME] tables; copy them from the default tasking.toml.")
        default = data.get("default_status", next(iter(statuses)))
        if default not in statuses:
            raise ActionLogError(f"{path.name}: default_status {default!r} is not one of the [statuses] "
                               f"({', '.join(statuses)}); fix the spelling or add that status.")
        return cls(statuses, default, _routes(path, data.get("funding", {}).get("routes", [])), path)

    @property
    def closed_statuses(self) -> tuple[str, ...]:
        """Statuses that mark a finished action."""
        return tuple(k for k, v in self.statuses.items() if v["closed"])

    def funding_route(self, amount_gbp: Decimal | int | str) -> str:
        """The approval route of a bid: the first route whose limit it does not exceed.

        Parameters
        ----------
        amount_gbp : Decimal, int or str
            Pounds, 0 or more, at most two decimal places (``"£1,000"`` is read as 1000).

        Returns
        -------
        str
            A route name from ``tasking.toml``: by default ``"jag"`` up to and including
            £1,000, else ``"partnership"``.
        """
        amount = money_field("funding_bid_gbp", amount_gbp)
        return next(r.route for r in self.routes if r.up_to_gbp is None or amount <= r.up_to_gbp)


def _routes(path: Path, raw: list) -> tuple[FundingRoute, ...]:
    routes, previous = [], Decimal("-1")
    for n, entry in enumerate(raw, start=1):
        where = f"{path.name}, [[funding.routes]] number {n}"
        if not isinstance(entry, dict) or not isinstance(entry.get("route"), str) or not 0 < len(entry["route"]) <= 40:
            raise ActionLogError(f"{where}: needs a 'route' name of 1 to 40 characters; add one such as route = \"jag\".")
        limit = entry.get("up_to_gbp")
        last = n == len(raw)
        if last and limit is not None:
            raise ActionLogError(f"{where}: the last route takes every larger bid, so remove its up_to_gbp.")
        if not last:
            if isinstance(limit, bool) or not isinstance(limit, (int, float)) or Decimal(str(limit)) <= previous:
                raise ActionLogError(f"{where}: up_to_gbp must be a number of pounds above the previous route's "
                                   f"limit, got {limit!r}; fix it.")
            previous = Decimal(str(limit))
        routes.append(FundingRoute(str(entry["route"]), str(entry.get("label", entry["route"])),
                                   None if last else previous))
    if not routes:
        raise ActionLogError(f"{path.name}: has no [[funding.routes]]; copy them from the default tasking.toml.")
    return tuple(routes)
