"""The ``nl2seg`` command: a thin shell over the library.

Library errors become one readable line on stderr and exit code 1; never a traceback for a
user mistake. Usage errors (a bad option value) exit 1 too: 2 means refused. Each command
group lives in its own module and is attached here.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from nl2seg.cli.catalog import catalog
from nl2seg.cli.demo import app_cmd, demo, start
from nl2seg.cli.eval import eval_cmd
from nl2seg.cli.options import EXAMPLE_RULE
from nl2seg.cli.review import approve_cmd, audit, export_cmd
from nl2seg.cli.rules import compile_cmd, preview_cmd, translate_cmd
from nl2seg.inert import one_line

__all__ = ["EXAMPLE_RULE", "main"]


class _Main(click.Group):
    """click's own errors as one inert line; a usage error exits 1, not click's 2 (our 2
    means "refused")."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone = kwargs.pop("standalone_mode", True)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[call-overload]
        except click.UsageError as exc:
            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(f"error [usage]: {one_line(exc.format_message())}{where}", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(f"error: {one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        if not standalone:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nl2seg")
def main() -> None:
    """nl2seg: describe an audience in words, check it, preview it, approve it."""


for command in (start, app_cmd, demo, catalog, translate_cmd, approve_cmd, export_cmd, audit,
                eval_cmd, compile_cmd, preview_cmd):
    main.add_command(command)
