"""Eval cases: the public JSON Lines format, read strictly, with errors that point at a line.

One case per line::

    {"id": "tp-001", "request": "…", "lang": "fr", "tags": ["purchase", "conditions:2"],
     "gold_sql": "SELECT customer_id FROM …"}
    {"id": "cr-090", "request": "bonjour", "lang": "fr", "tags": ["refusal"],
     "expect": "refusal"}

A case's *split* is the name of the folder its file sits in: read from ``evals/cases``, every
subfolder is a split (``dev``, ``test``, ``blind-1``…, files deeper down belong to their
first-level folder); a file read alone, or one directly in the folder read, takes the name of
its own folder. Blank lines and lines starting with ``//`` are skipped.

>>> c = EvalCase.model_validate({"id": "x", "request": "VIP", "lang": "en", "tags": [],
...                              "expect": "refusal"})
>>> c.expects_refusal, c.conditions
(True, None)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nl2seg.errors import Nl2SegError


class EvalCaseError(Nl2SegError):
    """A case file is unreadable or a case breaks the format."""

    code = "eval_case_invalid"


class EvalCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    request: str
    lang: Literal["fr", "en"]
    tags: list[str] = Field(default_factory=list)
    gold_sql: str | None = None
    expect: Literal["refusal"] | None = None
    split: str = Field(default="-", description="Set by the loader from the folder name.")
    source: str = Field(default="", description="file:line, set by the loader.")

    @model_validator(mode="after")
    def _one_answer(self) -> EvalCase:
        if (self.gold_sql is None) == (self.expect is None):
            raise ValueError("a case needs exactly one of 'gold_sql' or 'expect': 'refusal'")
        if self.gold_sql is not None and not self.gold_sql.strip():
            raise ValueError("'gold_sql' is empty")
        return self

    @property
    def expects_refusal(self) -> bool:
        return self.expect == "refusal"

    @property
    def conditions(self) -> int | None:
        """From the ``conditions:N`` tag, if any."""
        for t in self.tags:
            if t.startswith("conditions:") and t.split(":", 1)[1].isdigit():
                return int(t.split(":", 1)[1])
        return None


def case_files(path: str | Path) -> list[Path]:
    p = Path(path)
    if p.is_file():
        return [p]
    if p.is_dir():
        files = sorted(p.rglob("*.jsonl"))
        if files:
            return files
        raise EvalCaseError(f"no *.jsonl case file under {p}", code="eval_no_cases")
    raise EvalCaseError(f"case file or folder not found: {p}", code="eval_no_cases")


def split_of(file: Path, root: Path) -> str:
    """The split of a case file read from ``root`` (a folder, or the file itself).

    >>> split_of(Path("evals/cases/blind-1/fr/a.jsonl"), Path("evals/cases"))
    'blind-1'
    >>> split_of(Path("evals/cases/dev/a.jsonl"), Path("evals/cases/dev"))
    'dev'
    """
    try:
        parts = file.relative_to(root).parts
    except ValueError:
        parts = ()
    return parts[0] if len(parts) >= 2 else (file.parent.name or "-")


def load_cases(path: str | Path) -> list[EvalCase]:
    """Every case under ``path`` (a file or a folder), ids unique across files."""
    cases: list[EvalCase] = []
    seen: dict[str, str] = {}
    for f in case_files(path):
        split = split_of(f, Path(path))
        try:
            lines = f.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise EvalCaseError(f"cannot read {f}: {exc}") from None
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            where = f"{f}:{n}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalCaseError(f"{where}: not JSON ({exc.msg}); one case per line") \
                    from None
            if not isinstance(data, dict):
                raise EvalCaseError(f"{where}: a case is a JSON object")
            try:
                case = EvalCase.model_validate({**data, "split": split, "source": where})
            except ValidationError as exc:
                first = exc.errors()[0]
                loc = ".".join(str(x) for x in first["loc"]) or "case"
                raise EvalCaseError(f"{where}: {loc}: {first['msg']}") from None
            if case.id in seen:
                raise EvalCaseError(f"{where}: duplicate id '{case.id}' (also {seen[case.id]})")
            seen[case.id] = where
            cases.append(case)
    return cases
