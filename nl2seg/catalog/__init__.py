"""The catalog of sources: models, loading, checking against a database, drafting."""

from nl2seg.catalog.load import DEMO_CATALOG, default_catalog_path, load_catalog, parse_catalog
from nl2seg.catalog.models import Catalog, Column, Event, Table

__all__ = ["DEMO_CATALOG", "Catalog", "Column", "Event", "Table", "default_catalog_path",
           "load_catalog", "parse_catalog"]
