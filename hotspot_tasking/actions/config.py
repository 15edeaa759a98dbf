"""``tasking.toml``: action status values and funding approval routes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..configfile import Boolean, ConfigTable, Number, Text, default_config_path, read_toml
from .errors import ActionLogError
from .fields import money_field

#: The keys of one ``[statuses.NAME]`` table (the label defaults to NAME).
STATUS = {
    "label": Text(None),
    "closed": Boolean(),
    "description": Text(""),
}
#: The keys of one ``[[funding.routes]]`` block; every route but the last has a limit.
ROUTE = {
    "route": Text(min_len=1, max_len=40),
    "label": Text(None),
    "up_to_gbp": Number(None, low=0, unit="pounds"),
}
#: The longest status name (longer wording goes in its label).
MAX_STATUS_LEN = 30


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
    def load(cls, path: str | Path | None = None) -> TaskingConfig:
        """Read and check ``tasking.toml`` (the packaged default when ``path`` is None)."""
        path = default_config_path("tasking.toml") if path is None else Path(str(path))
        file = read_toml(path, error=ActionLogError)
        statuses = {}
        for key, entry in file.table("statuses").tables().items():
            values = entry.read(STATUS, strict=False)
            if len(key) > MAX_STATUS_LEN:
                raise entry.problem(f"the name is {len(key)} characters long; shorten it to {MAX_STATUS_LEN} at most "
                                    "and put the long form in its label.")
            label = key if values["label"] is None else values["label"]
            statuses[key] = {"label": label, "closed": values["closed"],
                             "description": values["description"]}
        if not statuses:
            raise file.problem("has no [statuses.NAME] tables; copy them from the default tasking.toml.")
        default = file.text("default_status", next(iter(statuses)))
        if default not in statuses:
            raise file.problem(f"default_status {default!r} is not one of the [statuses] ({', '.join(statuses)}); fix "
                               "the spelling or add that status.")
        return cls(statuses, default, _routes(file), path)

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


def _routes(file: ConfigTable) -> tuple[FundingRoute, ...]:
    blocks = file.table("funding").list_of_tables("routes")
    if not blocks:
        raise file.problem("has no [[funding.routes]]; copy them from the default tasking.toml.")
    routes, previous = [], None
    for n, entry in enumerate(blocks, start=1):
        values = entry.read(ROUTE, strict=False)
        limit = values["up_to_gbp"]
        last = n == len(blocks)
        if last and limit is not None:
            raise entry.problem("the last route takes every larger bid, so remove its up_to_gbp.")
        if not last:
            if limit is None:
                raise entry.problem("has no 'up_to_gbp'; add the largest bid in pounds this route approves (only "
                                    "the last route has none).")
            if previous is not None and Decimal(str(limit)) <= previous:
                raise entry.fail("up_to_gbp", f"a number of pounds above the previous route's limit ({previous})",
                                 limit, "list the routes from the smallest limit to the largest")
            previous = Decimal(str(limit))
        label = values["route"] if values["label"] is None else values["label"]
        routes.append(FundingRoute(values["route"], label, None if last else previous))
    return tuple(routes)
