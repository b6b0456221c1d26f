"""What several commands share: the error wrapper, the options, and reading their input.

Options that a deployment sets have environment twins (``NL2SEG_DB``, ``NL2SEG_CATALOG``,
``NL2SEG_AS_OF``, ``NL2SEG_STATE``, ``NL2SEG_TRANSLATOR``, ``NL2SEG_LLM_MODEL``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from nl2seg.compile.compiler import DIALECTS
from nl2seg.errors import Nl2SegError
from nl2seg.inert import one_line

F = TypeVar("F", bound=Callable[..., Any])
Lang = Literal["fr", "en"]
DEFAULT_DB = ".nl2seg/demo.duckdb"
EXAMPLE_RULE = Path(__file__).resolve().parent.parent / "examples" / "vip_store.json"


# A reading the request does not have is answered like a refusal: the request, as asked, has
# no such rule.
_EXIT_CODES = {"unknown_reading": 2}


def error_line(message: object) -> str:
    r"""An error on one inert line: the lines of a listed error ("3 problems:\n  - a\n  - b")
    joined with "; ", every control character dropped (messages quote the user's words).

    >>> error_line("2 problems in the rule:\n  - a\n  - b\x1b[2J")
    '2 problems in the rule: a; b'
    """
    head, *rest = str(message).splitlines() or [""]
    items = [line.strip().removeprefix("- ") for line in rest if line.strip()]
    if not items:
        return one_line(head)
    return one_line(head + (" " if head.rstrip().endswith(":") else "; ") + "; ".join(items))


def friendly_errors(fn: F) -> F:
    """Print nl2seg errors as one line and exit 1 (2 for a missing reading); an operating
    system error (disk full, read-only folder) the library did not name is one line too."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Nl2SegError as exc:
            click.echo(f"error [{exc.code}]: {error_line(exc)}", err=True)
            sys.exit(_EXIT_CODES.get(exc.code, 1))
        except OSError as exc:  # a backstop: the library names the failures it foresees
            click.echo(f"error [os_error]: {error_line(exc)}: check the path, its "
                       "permissions and the free space", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def parse_date_option(_ctx: click.Context, _param: click.Parameter,
                      value: str | None) -> dt.date | None:
    from nl2seg.reference import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                         envvar="NL2SEG_DB", help="DuckDB database file.")
catalog_option = click.option("--catalog", "catalog_path", default=None, envvar="NL2SEG_CATALOG",
                              help="Catalog YAML (default: the demo catalog).")
as_of_option = click.option("--as-of", callback=parse_date_option, envvar="NL2SEG_AS_OF",
                            help="Reference date YYYY-MM-DD (default: the database's reference "
                                 "date, else today).")
state_option = click.option("--state", "state_path", default=".nl2seg/state.sqlite",
                            show_default=True, envvar="NL2SEG_STATE",
                            help="The app's state file (audiences, approvals, audit log).")
segments_option = click.option("--segments", "segments_dir", default=None,
                               type=click.Path(file_okay=False),
                               help="Folder of saved segments (NAME.json rule files).")
dialect_option = click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb",
                              show_default=True)
translator_option = click.option(
    "--translator", type=click.Choice(["auto", "local", "llm"]), default="auto",
    show_default=True, envvar="NL2SEG_TRANSLATOR",
    help="auto: the LLM when OPENAI_BASE_URL or OPENAI_API_KEY is set (cross-checked by the "
         "local one), else local. local: deterministic, catalog-driven, no network. llm: "
         "any OpenAI-compatible endpoint.")
model_option = click.option("--model", default=None, envvar="NL2SEG_LLM_MODEL",
                            help="LLM model name (default gpt-4o-mini).")
reading_option = click.option(
    "--reading", type=int, default=1, show_default=True, metavar="N",
    help="Which reading of the request to use when its words allow several (each is listed "
         "with its size; 1 is the conventions' choice).")


def looks_like_request(arg: str) -> bool:
    """A rule file is ``-``, an existing file or a ``.json`` name; anything else is words
    (a request too long to be a file name included)."""
    if arg == "-" or arg.endswith(".json"):
        return False
    try:
        return not Path(arg).is_file()
    except (OSError, ValueError):  # "File name too long", a NUL byte: words, not a path
        return True


def read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Nl2SegError(f"rule file not found: {path}", code="rule_file_missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Nl2SegError(f"cannot read rule file {path}: {exc}",
                          code="rule_file_unreadable") from None


def read_rule(path: str) -> Any:
    from nl2seg.validate import parse_rule

    return parse_rule(read_text(path))


def segments(folder: str | None) -> dict[str, Any]:
    """Saved segments: each ``NAME.json`` in the folder is a rule named NAME."""
    from nl2seg.validate import parse_rule

    if folder is None:
        return {}
    out = {}
    for f in sorted(Path(folder).glob("*.json")):
        try:
            out[f.stem] = parse_rule(f.read_text(encoding="utf-8"))
        except Nl2SegError as exc:
            raise Nl2SegError(f"saved segment {f} is invalid: {exc}",
                              code="segment_invalid") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise Nl2SegError(f"cannot read saved segment {f} ({exc}): save it as UTF-8 JSON "
                              "or remove it from the folder", code="segment_unreadable") from None
    return out


def resolve_day(cat: Any, db_path: str | None, explicit: dt.date | None) -> dt.date:
    """``explicit``, else the catalog's reference date (stated, or read from ``db_path``),
    else today."""
    from nl2seg.db import open_db
    from nl2seg.reference import resolve_as_of

    if explicit is not None or db_path is None:
        return resolve_as_of(cat, None, explicit)
    with open_db(db_path) as con:
        return resolve_as_of(cat, con, explicit)


def translate_or_exit(request: str, cat: Any, as_of: dt.date, translator: str = "auto",
                      model: str | None = None, con: Any = None, *,
                      as_json: bool = False) -> Any:
    """The translation outcome, or exit 2 with the refusal's reason, suggestions and partial
    reading on stderr (and the refusal as JSON on stdout when ``as_json``)."""
    from nl2seg.cli.render import echo_refusal, refusal_json
    from nl2seg.readback import read_back
    from nl2seg.translate.choose import translate_request
    from nl2seg.translate.llm import LLMConfig
    from nl2seg.validate import validate

    out = translate_request(request, cat, as_of, choice=translator,  # type: ignore[arg-type]
                            config=LLMConfig.from_env(model=model), con=con)
    t = out.translation
    if t.refused or t.rule is None:
        partial = None
        # a starting point to edit: an invalid one is shown as JSON only, never read back
        with contextlib.suppress(Nl2SegError):
            if t.partial is not None:
                partial = read_back(validate(t.partial, cat, as_of).rule, cat, as_of,
                                    lang=t.lang)
        if as_json:
            click.echo(refusal_json(out, partial))
        echo_refusal(t, partial)
        if out.cross_check is not None and out.cross_check.secondary_refused is False:
            click.echo(f"  (the {out.cross_check.secondary} translator does give a rule: "
                       "try --translator local)", err=True)
        sys.exit(2)
    return out


def pick_reading(outcome: Any, n: int) -> Any:
    """The outcome with reading ``n`` of its translation as the rule (ReadingError if none)."""
    from nl2seg.readings import choose

    if n == 1:
        return outcome
    return dataclasses.replace(outcome, translation=choose(outcome.translation, n))


def rule_file_reading(n: int) -> None:
    """A rule file has one reading: any other number is the same error as for a request."""
    from nl2seg.readings import ReadingError

    if n != 1:
        raise ReadingError(f"reading {n} does not exist: a rule file has 1 reading; use "
                           "--reading 1 or leave it out")


def reading_views(translation: Any, cat: Any, as_of: dt.date, lang: Lang, con: Any = None,
                  counts: dict[str, int | None] | None = None) -> list[Any]:
    """Every reading of ``translation`` (none when it has a single one), sized on ``con``, or
    from ``counts`` (fingerprint → size) that a preview and its warnings already measured."""
    from nl2seg.readings import readings
    from nl2seg.rule.canonical import fingerprint

    if not translation.alternatives:
        return []
    views = readings(translation, cat, as_of, None if counts is not None else con, lang)
    if counts is None:
        return views
    return [v.model_copy(update={"count": counts.get(fingerprint(v.rule))}) for v in views]


def measured_counts(preview: Any, warnings: list[Any]) -> dict[str, int | None]:
    """Sizes by rule fingerprint: the previewed rule's and the ambiguous_reading warning's."""
    counts: dict[str, int | None] = {preview.fingerprint: preview.count}
    for w in warnings:
        if w.code == "ambiguous_reading":
            counts |= {r["fingerprint"]: r["count"] for r in w.data["readings"]}
    return counts
