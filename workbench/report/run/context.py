"""Report options, and the context every section reads (data, figures, redaction, shared results)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

import pandas as pd

from workbench.core.arn import short_name
from workbench.core.redact import DEFAULT_SECRET_KEYS, Redactor, redact_frame
from workbench.history.analysis import failures
from workbench.history.cost.frame_costs import execution_costs, region_of
from workbench.history.cost.prices import PriceTable, load_prices
from workbench.report.inputs.data import ReportData, ReportError
from workbench.report.page.html import Figures


def subset_frames(frames: Any, executions: Any) -> dict[str, pd.DataFrame]:
    """The four frames restricted to some executions (like ``analysis.select_executions``, but comparing the
    categorical column directly: no string conversion of a million event rows).

    Failure and retry analysis look at one execution at a time, so running them on the executions that
    failed or retried gives the same rows as on all executions, several times faster.
    """
    keep = set(map(str, executions))
    out: dict[str, pd.DataFrame] = {}
    for name in ("events", "states", "attempts", "executions"):
        df = getattr(frames, name) if not isinstance(frames, Mapping) else frames[name]
        col = df["execution"]
        mask = col.isin([c for c in col.cat.categories if c in keep]) if isinstance(col.dtype, pd.CategoricalDtype) \
            else col.astype(str).isin(keep)
        out[name] = df[mask].reset_index(drop=True)
    return out


@dataclass(frozen=True)
class ReportOptions:
    """How a report is built. Every field can be passed to :func:`workbench.report.run.build` by name.

    * ``secret_keys``: field names redacted in payloads (any depth); ``max_payload_bytes``: cut longer payloads;
    * ``examples``: failed states whose inputs/outputs are shown; ``timeline_execution``: which run's timeline
      (default: the slowest failed one, else the slowest); ``timeline_rows``: row cap of the timeline;
    * ``target``: where the runs happened, shown as given (say ``"aws eu-west-1"``; never a profile name);
    * ``stamp``: add the generation time (off: the same input gives the same bytes);
    * ``show_paths``: keep this machine's home/working folder in error texts (hidden by default);
    * ``tools``/``prices``/``region``: Lambda memory per tool and the price table for the cost section.
    """

    secret_keys: Sequence[str] = DEFAULT_SECRET_KEYS
    max_payload_bytes: int = 4096
    examples: int = 10
    timeline_execution: str | None = None
    timeline_rows: int = 300
    target: str | None = None
    stamp: bool = False
    show_paths: bool = False
    tools: Mapping[str, Any] | None = None
    prices: PriceTable | None = None
    region: str | None = None

    @classmethod
    def from_kwargs(cls, options: Mapping[str, Any]) -> ReportOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ReportError(f"unknown report option(s): {', '.join(unknown)}. Valid options: "
                              f"{', '.join(sorted(known))}.")
        if isinstance(options.get("secret_keys"), str):
            options = {**options, "secret_keys": (options["secret_keys"],)}
        return cls(**options)


class RedactedFrames:
    """History frames with the ``error`` and ``cause`` columns redacted (each frame on first access)."""

    TEXT_COLUMNS = ("error", "cause")

    def __init__(self, frames: Any, redactor: Redactor) -> None:
        self.raw = frames
        self._redactor = redactor
        self._done: dict[str, pd.DataFrame] = {}

    def _get(self, name: str) -> pd.DataFrame:
        if name not in self._done:
            df = self.raw[name] if isinstance(self.raw, Mapping) else getattr(self.raw, name)
            self._done[name] = redact_frame(df, self.TEXT_COLUMNS, redactor=self._redactor)
        return self._done[name]

    @property
    def events(self) -> pd.DataFrame:
        return self._get("events")

    @property
    def states(self) -> pd.DataFrame:
        return self._get("states")

    @property
    def attempts(self) -> pd.DataFrame:
        return self._get("attempts")

    @property
    def executions(self) -> pd.DataFrame:
        return self._get("executions")


@dataclass
class Context:
    """One report being built: inputs, options, the figures registered so far, notes for the reader."""

    data: ReportData
    options: ReportOptions
    figures: Figures = field(default_factory=Figures)
    notes: list[str] = field(default_factory=list)
    inspectors: int = 0  # execution inspectors on the page (the inspector script is embedded when any)

    @cached_property
    def redactor(self) -> Redactor:
        return Redactor(tuple(self.options.secret_keys), self.options.max_payload_bytes,
                        hide_paths=not self.options.show_paths)

    @cached_property
    def frames(self) -> RedactedFrames:
        """The frames every section and figure reads, their error names and causes already redacted.

        Failure patterns, hover texts, graph titles and tables are all built from these, so none of
        them can show a secret an error or cause carried. Payload columns stay as they are (the cost
        section reads function names there); payloads are shown only through :attr:`redactor`.
        """
        return RedactedFrames(self.data.frames, self.redactor)

    @cached_property
    def n_executions(self) -> int:
        return len(self.data.executions)

    @cached_property
    def prices(self) -> tuple[PriceTable, list[str]]:
        """The price table with every region of these executions covered, and the assumptions made."""
        table = self.options.prices or load_prices()
        arns = self.data.executions["execution"].astype(str).unique()
        regions = sorted({self.options.region or region_of(a) for a in arns})
        assumed: list[str] = []
        for reg in regions:
            if (reg not in table.standard or reg not in table.lambda_by_region
                    or reg not in table.express_by_region):
                table = table.assume_region(reg)
                assumed.append(reg)
        return table, assumed

    @cached_property
    def tools(self) -> Mapping[str, Any] | None:
        return self.options.tools if self.options.tools is not None else self.data.tools

    @cached_property
    def execution_costs(self) -> pd.DataFrame:
        """Per-execution cost (computed once: the summary and the cost section both use it)."""
        table, _ = self.prices
        return execution_costs(self.frames, self.tools, region=self.options.region, prices=table)

    @cached_property
    def failing(self) -> dict[str, pd.DataFrame]:
        """The frames of the executions with a failed or caught state visit: all that failure analysis needs."""
        states = self.frames.states
        bad = states.loc[states["status"].isin(["failed", "caught"]), "execution"].unique()
        return subset_frames(self.frames, bad)

    @cached_property
    def origins(self) -> pd.DataFrame:
        """Failure origins with their fate (computed once; the graph, tables and examples share it)."""
        return failures(self.failing)

    @cached_property
    def retrying(self) -> dict[str, pd.DataFrame]:
        """The frames of the executions that retried or had a failed Task attempt: all retry analysis needs."""
        ex, attempts = self.frames.executions, self.frames.attempts
        failed = attempts.loc[~attempts["outcome"].isin(["succeeded", "running"]), "execution"].unique()
        wanted = set(ex.loc[ex["retries"] > 0, "execution"]) | set(failed)
        return subset_frames(self.frames, list(wanted))

    def short(self, arn: object) -> str:
        """An execution's name (read from its ARN): what people call a run."""
        return short_name(str(arn))
