"""Reading a catalog file, with errors that point at the line to fix."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from nl2seg.catalog.models import Catalog
from nl2seg.errors import CatalogError
from nl2seg.limits import MAX_CATALOG_BYTES, MAX_CATALOG_NODES

#: The catalog of the demo dataset, shipped with the project.
DEMO_CATALOG = Path(__file__).resolve().parents[2] / "schema_catalog" / "demo_retail.yaml"


def default_catalog_path() -> Path:
    """``$NL2SEG_CATALOG`` if set, else the demo catalog."""
    env = os.environ.get("NL2SEG_CATALOG")
    return Path(env) if env else DEMO_CATALOG


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Load and check a catalog YAML file (default: :func:`default_catalog_path`)."""
    p = Path(path) if path is not None else default_catalog_path()
    try:
        if p.is_file() and p.stat().st_size > MAX_CATALOG_BYTES:  # issue 12 §7
            raise CatalogError(f"catalog {p} has {p.stat().st_size:,} bytes, more than "
                               f"{MAX_CATALOG_BYTES:,}: a catalog describes tables and fields, "
                               "not data; remove the value lists that hold data",
                               code="catalog_too_large")
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"catalog file not found: {p}. Pass --catalog PATH or set "
                           "NL2SEG_CATALOG.", code="catalog_not_found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read catalog {p} ({exc}): a catalog is a UTF-8 YAML text "
                           "file; pass --catalog PATH of one", code="catalog_unreadable") from None
    return parse_catalog(text, origin=str(p))


class _Loader(yaml.SafeLoader):
    """``yaml.safe_load`` that counts the nodes its aliases expand to before building them:
    nine nested anchors of nine aliases each are a billion nodes ("billion laughs")."""

    def construct_document(self, node: yaml.Node) -> object:
        _check_expansion(node)
        return super().construct_document(node)


def _check_expansion(root: yaml.Node) -> None:
    sizes: dict[int, int] = {}  # expanded size of each node, computed once (aliases share it)
    open_: set[int] = set()  # nodes whose children are being sized: met again, a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if not done and id(node) in open_:
            raise CatalogError("the catalog has a recursive YAML alias (an anchor used inside "
                               "itself): write the structure out", code="catalog_yaml")
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in children)
            if sizes[id(node)] > MAX_CATALOG_NODES:
                raise CatalogError(
                    f"the catalog's YAML aliases expand to more than {MAX_CATALOG_NODES:,} "
                    "nodes: write the repeated parts out, or use fewer nested aliases",
                    code="catalog_too_large")
            continue
        open_.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def parse_catalog(text: str, origin: str = "<catalog>") -> Catalog:
    if len(text) > MAX_CATALOG_BYTES:
        raise CatalogError(f"{origin} has {len(text):,} characters, more than "
                           f"{MAX_CATALOG_BYTES:,}: a catalog describes tables and fields, not "
                           "data", code="catalog_too_large")
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader, with a cap
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin} is not valid YAML: {exc}", code="catalog_yaml") from None
    except RecursionError:
        raise CatalogError(f"{origin} is nested too deeply to be a catalog",
                           code="catalog_yaml") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{origin} must hold a YAML mapping at top level",
                           code="catalog_yaml")
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
            lines.append(f"  - {loc}: {err['msg']}")
        raise CatalogError(f"{origin} is not a valid catalog:\n" + "\n".join(lines),
                           code="catalog_invalid") from None
    from nl2seg.concepts import concept_problems  # concepts are rules: checked as rules

    problems = concept_problems(catalog)
    if problems:
        raise CatalogError(f"{origin} defines invalid concepts:\n"
                           + "\n".join(f"  - {p}" for p in problems)
                           + "\nFix them in the catalog: see docs/catalog.md, \"Concepts\".",
                           code="catalog_concept")
    return catalog
