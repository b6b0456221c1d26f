"""Every error nl2seg raises on purpose.

Each error has a stable ``code`` (so the app and the evals can count errors by kind), a
message that says what to do next, and optional context: where it happened (``path``, e.g.
``where.conditions[1].field``), the offending value and the nearest valid names.
"""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable
from typing import Any


class Nl2SegError(Exception):
    """Base class of all nl2seg errors."""

    code: str = "nl2seg_error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        value: Any = None,
        suggestions: Iterable[str] = (),
        code: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.value = value
        self.suggestions = list(suggestions)
        if code is not None:
            self.code = code
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "value": self.value if isinstance(self.value, (str, int, float, bool)) else None,
            "suggestions": self.suggestions,
        }


class CatalogError(Nl2SegError):
    """The catalog file is unreadable, inconsistent, or does not match its database."""

    code = "catalog_error"


class CatalogMismatch(CatalogError):
    """``catalog check``: the database differs from what the catalog says."""

    code = "catalog_mismatch"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"the catalog does not match the database ({len(problems)} problem(s)):\n{lines}\n"
            "Fix the catalog (or regenerate a starting point with `nl2seg catalog draft`)."
        )


class RuleError(Nl2SegError):
    """A rule is malformed or does not make sense against the catalog."""

    code = "rule_invalid"


class RuleValidationError(RuleError):
    """One or more problems found while validating a rule; ``errors`` lists them all."""

    code = "rule_invalid"

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        if len(errors) == 1:
            e = errors[0]
            super().__init__(e.message, path=e.path, value=e.value,
                             suggestions=e.suggestions, code=e.code)
        else:
            lines = "\n".join(f"  - {e}" for e in errors)
            super().__init__(f"{len(errors)} problems in the rule:\n{lines}")


class CompileError(Nl2SegError):
    """The rule could not be turned into SQL, or the SQL failed the safety checks."""

    code = "compile_error"


class UnsafeQueryError(CompileError):
    """A query reads a table outside the catalog, or is not one read-only SELECT."""

    code = "unsafe_query"


class DatabaseError(Nl2SegError):
    """The database file is missing, corrupt, locked, or a query failed."""

    code = "database_error"


class TranslatorError(Nl2SegError):
    """A translator could not answer: its endpoint failed, or it gave no valid rule."""

    code = "translator_error"


class OutputError(Nl2SegError):
    """A file could not be written: a full disk, a read-only or missing folder."""

    code = "output_error"


class RequestTooLong(Nl2SegError):
    """A request longer than :data:`nl2seg.limits.MAX_REQUEST_CHARS`."""

    code = "request_too_long"


def output_error(path: object, exc: BaseException) -> OutputError:
    """The operating system's (or DuckDB's) write failure as an error that says what to do."""
    detail = " ".join(str(exc).split())
    low, no = detail.lower(), getattr(exc, "errno", None)
    if no == errno.ENOSPC or "no space left" in low:
        what, code = "the disk is full", "output_disk_full"
    elif no == errno.EROFS or "read-only file system" in low:
        what, code = "the folder is on a read-only file system", "output_read_only"
    elif no in (errno.EACCES, errno.EPERM) or "permission denied" in low:
        what, code = "permission denied", "output_permission"
    elif no in (errno.ENOTDIR, errno.ENOENT) or "not a directory" in low:
        what, code = "the folder cannot be created there", "output_no_folder"
    else:
        what, code = detail, "output_error"
    return OutputError(f"cannot write to {path}: {what} ({detail[:200]}); free some space or "
                       "pick another folder you can write to", code=code)


def did_you_mean(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to ``name``, best first; only those nearly as close as the best.

    >>> did_you_mean("loyality_tier", ["loyalty_tier", "loyalty_points", "city"])
    ['loyalty_tier']
    """
    pool = list(dict.fromkeys(candidates))
    scored = sorted(
        ((difflib.SequenceMatcher(None, name.lower(), c.lower()).ratio(), c) for c in pool),
        key=lambda x: -x[0])
    if not scored or scored[0][0] < 0.6:
        return []
    best = scored[0][0]
    return [c for score, c in scored[:n] if score >= best - 0.03]


def suggestion_text(suggestions: list[str]) -> str:
    """`` — did you mean 'x'?`` or an empty string."""
    if not suggestions:
        return ""
    quoted = " or ".join(f"'{s}'" for s in suggestions)
    return f" — did you mean {quoted}?"
