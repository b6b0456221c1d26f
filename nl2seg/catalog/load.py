"""Reading a catalog file, with errors that point at the line to fix."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from nl2seg.catalog.models import Catalog
from nl2seg.errors import CatalogError

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
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"catalog file not found: {p}. Pass --catalog PATH or set "
                           "NL2SEG_CATALOG.", code="catalog_not_found") from None
    except OSError as exc:
        raise CatalogError(f"cannot read catalog {p}: {exc}", code="catalog_unreadable") from None
    return parse_catalog(text, origin=str(p))


def parse_catalog(text: str, origin: str = "<catalog>") -> Catalog:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin} is not valid YAML: {exc}", code="catalog_yaml") from None
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
