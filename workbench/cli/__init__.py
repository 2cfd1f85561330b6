"""The ``workbench`` command. One module per group of commands, in sub-packages by job (``compose/``,
``launch/``, ``analyse/``, ``change/``, ``fleet/``); each module registers itself on the app.

No traceback reaches the user: every command handles what it can foresee (one line naming the file,
line, step or field, exit 2 for unusable input, 1 for a failed check or run); Ctrl-C prints
``interrupted`` (exit 130); usage errors are one line (exit 2); anything else is reported by
:func:`main` as a bug in one line (exit 70), or re-raised with ``WORKBENCH_DEBUG=1``.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, TextIO

import typer
from typer.core import TyperGroup

try:  # typer >= 0.20 ships its own copy of click
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer uses click itself
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[assignment,no-redef]

from workbench.cli.analyse import history, report
from workbench.cli.catalog import plans, templates
from workbench.cli.change import replay, whatif
from workbench.cli.compose import build, mission_test
from workbench.cli.fleet import sql as sql_cli
from workbench.cli.fleet import store as store_cli
from workbench.cli.launch import demo, run
from workbench.cli.output import bug_line, debugging, interruptible


class _OneLineUsageErrors(TyperGroup):
    """Usage errors (unknown option, bad value, missing argument) as one ``error:`` line, exit 2."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except NoArgsIsHelpError:
            raise  # shows the help, as asked
        except UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except UsageError as exc:
            raise _one_line(exc) from None


def _one_line(exc: Any) -> typer.Exit:
    where = f"; see `{exc.ctx.command_path} --help`" if exc.ctx is not None else ""
    typer.echo(f"error: {' '.join(exc.format_message().split()).rstrip('.')}{where}", err=True)
    return typer.Exit(exc.exit_code)


app = typer.Typer(
    name="workbench",
    help="Mission Workbench: compose, validate, run and analyse Missions on AWS Step Functions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_OneLineUsageErrors,
)

for _module in (build, demo, run, history, report, mission_test, replay, whatif, store_cli, sql_cli, templates, plans):
    _module.register(app)


def _guard_commands(typer_app: typer.Typer) -> None:
    """Wrap every registered command (sub-apps included) so Ctrl-C ends it with one line, exit 130."""
    for command in typer_app.registered_commands:
        if command.callback is not None:
            command.callback = interruptible(command.callback)
    for group in typer_app.registered_groups:
        if isinstance(group.typer_instance, typer.Typer):
            _guard_commands(group.typer_instance)


_guard_commands(app)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """Warnings as one plain line (no source excerpt): they are for operators, not developers."""
    print(f"warning: {' '.join(str(message).split())}", file=file or sys.stderr)


def main() -> None:
    """Entry point of the ``workbench`` console script: one line for any error, never a traceback.

    Example:
        >>> import sys; sys.argv = ["workbench", "schema"]
        >>> main()  # doctest: +SKIP
    """
    warnings.showwarning = _show_warning
    try:
        app()
    except KeyboardInterrupt:  # outside a command (while parsing the arguments)
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        if debugging():
            raise
        print(bug_line(exc), file=sys.stderr)
        sys.exit(70)
