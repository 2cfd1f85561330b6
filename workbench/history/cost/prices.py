"""The AWS price list as data: ``prices.json`` (dated, with its source pages) and a small loader.

Prices live in JSON, not in code, so updating them is a data change a reviewer can diff against the
AWS page, and a team with a negotiated rate can point :func:`load_prices` at its own copy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from workbench.core.diagnostics import WorkbenchError
from workbench.core.yaml_load import InputError, loads_json, read_text
from workbench.history._types import JsonDict, JsonMapping

DEFAULT_PRICES_PATH = Path(__file__).with_name("prices.json")
DEFAULT_REGION = "us-east-1"
Arch = Literal["x86_64", "arm64"]
ARCHES: tuple[Arch, ...] = ("x86_64", "arm64")


class PricingError(WorkbenchError):
    """A price is missing or the price file is malformed; the message names the region/field and the fix."""


@dataclass(frozen=True)
class Tier:
    """One band of a tiered price: ``width`` units (``None`` = everything beyond) at ``price`` per unit."""

    width: float | None
    price: float


@dataclass(frozen=True)
class ExpressPrices:
    """Express Workflows in one region: per-request price plus GB-hour duration tiers."""

    per_million_requests: float
    gb_hour_tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class LambdaPrices:
    """Lambda on-demand in one region: per-request price and GB-second tiers per architecture."""

    per_million_requests: float
    gb_second_tiers: Mapping[Arch, tuple[Tier, ...]]


@dataclass(frozen=True)
class FreeTier:
    """The monthly free allowances of one AWS account, shared by all its regions.

    AWS: "Your Free Tier usage is calculated each month across all regions and automatically applied
    to your bill". The Lambda allowance is shared by x86_64 and arm64; Express has none.

    Example:
        >>> load_prices().free_tier.lambda_gb_seconds
        400000.0
    """

    standard_transitions: int
    lambda_requests: int
    lambda_gb_seconds: float


@dataclass(frozen=True)
class PriceTable:
    """Every price the cost model uses, with the date and pages they were copied from.

    Example:
        >>> table = load_prices()
        >>> table.standard_per_1000("eu-west-3")
        0.0297
    """

    as_of: str
    sources: Mapping[str, str]
    free_tier: FreeTier
    standard: Mapping[str, float]
    express_by_region: Mapping[str, ExpressPrices]
    lambda_by_region: Mapping[str, LambdaPrices]
    path: str = field(default=str(DEFAULT_PRICES_PATH))

    @property
    def standard_free_transitions(self) -> int:
        """Free Standard state transitions a month, per account (all regions together).

        Example:
            >>> load_prices().standard_free_transitions
            4000
        """
        return self.free_tier.standard_transitions

    @property
    def citation(self) -> str:
        """Where and when these prices come from, for every cost output to show.

        Example:
            >>> load_prices().citation.split(" (")[0]
            'AWS list prices as of 2026-11-26'
        """
        pages = ", ".join(v for k, v in self.sources.items() if k != "free_tier")
        where = "" if Path(self.path) == DEFAULT_PRICES_PATH else f", price file {Path(self.path).name}"
        return f"AWS list prices as of {self.as_of} ({pages or 'no source given'}{where})"

    def standard_per_1000(self, region: str) -> float:
        """Price of 1,000 Standard state transitions in ``region``."""
        if region not in self.standard:
            raise self._missing("Standard state transitions", region, self.standard, "step_functions")
        return self.standard[region]

    def express(self, region: str) -> ExpressPrices:
        """Express Workflows prices in ``region``."""
        if region not in self.express_by_region:
            raise self._missing("Express Workflows", region, self.express_by_region, "step_functions")
        return self.express_by_region[region]

    def lambda_(self, region: str) -> LambdaPrices:
        """Lambda prices in ``region``."""
        if region not in self.lambda_by_region:
            raise self._missing("Lambda", region, self.lambda_by_region, "lambda")
        return self.lambda_by_region[region]

    def assume_region(self, region: str, like: str = DEFAULT_REGION) -> PriceTable:
        """A copy that prices ``region`` like ``like`` wherever the table has no figure for it.

        For regions whose Express/Lambda prices are not in the file: an explicit, visible assumption
        rather than a silent fallback.

        Example:
            >>> load_prices().assume_region("eu-west-3").lambda_("eu-west-3").per_million_requests
            0.2
        """
        def fill(table: JsonMapping) -> JsonDict:
            out = dict(table)
            if region not in out and like in out:
                out[region] = out[like]
            return out

        return replace(self, standard=fill(self.standard), express_by_region=fill(self.express_by_region),
                       lambda_by_region=fill(self.lambda_by_region))

    def _missing(self, what: str, region: str, known: JsonMapping, source: str) -> PricingError:
        return PricingError(
            f"no {what} price for region {region!r} in {self.path} (prices as of {self.as_of}); "
            f"known regions: {', '.join(sorted(known))}. Fix: copy the price from "
            f"{self.sources.get(source, 'the AWS pricing page')} into a copy of the file and load it with "
            f"load_prices(path), or state an assumption with load_prices().assume_region({region!r})."
        )


def load_prices(path: str | Path | None = None) -> PriceTable:
    """Read a price file (default: the bundled, dated ``prices.json``).

    Example:
        >>> load_prices().as_of
        '2026-11-26'
    """
    if path is None:
        return _default_table()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _default_table() -> PriceTable:
    return _load(DEFAULT_PRICES_PATH)


def _load(path: Path) -> PriceTable:
    try:
        raw = loads_json(read_text(path), str(path))
    except InputError as exc:  # binary, over 10 MiB or nested too deep
        raise PricingError(str(exc)) from None
    except OSError as exc:
        raise PricingError(f"cannot read price file {path}: {exc.strerror}. Fix: check the path.") from exc
    except json.JSONDecodeError as exc:
        raise PricingError(
            f"{path}:{exc.lineno}:{exc.colno}: price file is not valid JSON ({exc.msg}). Fix: repair the JSON."
        ) from exc
    reader = _Reader(path)
    doc = reader.obj(raw, "")
    free = reader.obj(doc.get("free_tier"), "free_tier")
    standard = reader.obj(doc.get("standard"), "standard")
    per_1000 = reader.obj(standard.get("per_1000_transitions"), "standard.per_1000_transitions")
    express = reader.obj(doc.get("express"), "express")
    lam = reader.obj(doc.get("lambda"), "lambda")
    return PriceTable(
        as_of=str(doc.get("as_of", "unknown date")),
        sources={str(k): str(v) for k, v in reader.obj(doc.get("sources", {}), "sources").items()},
        free_tier=FreeTier(
            standard_transitions=int(reader.number(free.get("standard_transitions"), "free_tier.standard_transitions")),
            lambda_requests=int(reader.number(free.get("lambda_requests"), "free_tier.lambda_requests")),
            lambda_gb_seconds=reader.number(free.get("lambda_gb_seconds"), "free_tier.lambda_gb_seconds"),
        ),
        standard={r: reader.number(p, f"standard.per_1000_transitions.{r}") for r, p in per_1000.items()},
        express_by_region={r: reader.express(v, f"express.{r}") for r, v in express.items()},
        lambda_by_region={r: reader.lambda_(v, f"lambda.{r}") for r, v in lam.items()},
        path=str(path),
    )


class _Reader:
    """Validates the JSON shape and names the offending field in errors."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> PricingError:
        return PricingError(
            f"{self.path}: field '{where or '<top>'}' {what}. Fix: compare with the bundled prices.json.")

    def obj(self, value: object, where: str) -> JsonDict:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        return value

    def number(self, value: object, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(where, f"must be a non-negative number, got {value!r}")
        return float(value)

    def tiers(self, value: object, where: str) -> tuple[Tier, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "must be a non-empty list of {width, price}")
        out: list[Tier] = []
        for i, item in enumerate(value):
            t = self.obj(item, f"{where}[{i}]")
            width = t.get("width")
            last = i == len(value) - 1
            if (width is None) != last:
                raise self.fail(f"{where}[{i}].width", "must be null on the last tier and a number before it")
            out.append(
                Tier(None if width is None else self.number(width, f"{where}[{i}].width"),
                     self.number(t.get("price"), f"{where}[{i}].price"))
            )
        return tuple(out)

    def express(self, value: object, where: str) -> ExpressPrices:
        v = self.obj(value, where)
        return ExpressPrices(
            per_million_requests=self.number(v.get("per_million_requests"), f"{where}.per_million_requests"),
            gb_hour_tiers=self.tiers(v.get("gb_hour_tiers"), f"{where}.gb_hour_tiers"),
        )

    def lambda_(self, value: object, where: str) -> LambdaPrices:
        v = self.obj(value, where)
        tiers = self.obj(v.get("gb_second_tiers"), f"{where}.gb_second_tiers")
        by_arch: dict[Arch, tuple[Tier, ...]] = {}
        for arch in ARCHES:
            by_arch[arch] = self.tiers(tiers.get(arch), f"{where}.gb_second_tiers.{arch}")
        return LambdaPrices(
            per_million_requests=self.number(v.get("per_million_requests"), f"{where}.per_million_requests"),
            gb_second_tiers=by_arch,
        )


def tier_bounds(tiers: Sequence[Tier]) -> list[tuple[float, float | None, float]]:
    """``(start, end, price)`` per tier, cumulative; handy for showing a price table in a notebook."""
    out: list[tuple[float, float | None, float]] = []
    start = 0.0
    for t in tiers:
        end = None if t.width is None else start + t.width
        out.append((start, end, t.price))
        if end is not None:
            start = end
    return out
