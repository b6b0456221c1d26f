"""The ``nl2seg`` command: a thin shell over the library.

Library errors become one readable line on stderr and exit code 1; never a traceback for a
user mistake. Each command group lives in its own module and is attached here.
"""

from __future__ import annotations

import click

from nl2seg.cli.catalog import catalog
from nl2seg.cli.demo import app_cmd, demo, start
from nl2seg.cli.eval import eval_cmd
from nl2seg.cli.options import EXAMPLE_RULE
from nl2seg.cli.review import approve_cmd, audit, export_cmd
from nl2seg.cli.rules import compile_cmd, preview_cmd, translate_cmd

__all__ = ["EXAMPLE_RULE", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nl2seg")
def main() -> None:
    """nl2seg: describe an audience in words, check it, preview it, approve it."""


for command in (start, app_cmd, demo, catalog, translate_cmd, approve_cmd, export_cmd, audit,
                eval_cmd, compile_cmd, preview_cmd):
    main.add_command(command)
