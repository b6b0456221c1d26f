"""The catalog: what the sources hold and what marketers call it, as pydantic models.

A catalog is a human-edited YAML file (see ``schema_catalog/``). Nothing else in nl2seg knows
table or column names: the compiler, the validator, the read-back and the translators all ask
the catalog.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

Lang = Literal["en", "fr"]
Scalar = bool | int | float | str


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(_Model):
    """The name of a thing in each language."""

    en: str
    fr: str

    def get(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en


class Words(_Model):
    """Synonyms in each language (lower case is not required: matching folds case)."""

    en: list[str] = Field(default_factory=list)
    fr: list[str] = Field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.en, *self.fr]


class Value(_Model):
    """One value of a closed value list, with the words that mean it."""

    value: Scalar
    label: Labels | None = None
    words: Words = Field(default_factory=Words)


class Level(_Model):
    """A named range of a score ("high churn risk" = churn_score > 0.8)."""

    op: Literal["gt", "gte", "lt", "lte", "between", "top_percent"]
    value: float | None = None
    values: list[float] | None = None
    label: Labels | None = None
    words: Words = Field(default_factory=Words)


class Measure(_Model):
    """A named aggregate of a numeric event property, as marketers say it: "average order
    value" is the ``avg`` of the purchase amount, "revenue" its ``sum``. Not an audience: it
    takes a comparison ("AOV over 80 €")."""

    aggregate: Literal["sum", "avg", "min", "max"]
    label: Labels
    words: Words = Field(default_factory=Words)


class Column(_Model):
    type: str
    description: str = ""
    label: Labels | None = None
    synonyms: Words = Field(default_factory=Words)
    pii: bool = False
    sensitive: bool = False
    values: list[Value] | None = None
    role: str | None = None
    """A free tag a translator may look for (e.g. ``birth_date``, ``signup_date``)."""
    levels: dict[str, Level] | None = None
    """Named ranges, for score columns."""
    unit: str | None = None
    """The unit of a number (a currency code such as ``USD`` or ``EUR``)."""
    expr: str | None = None
    """A computed column: a SQL expression (DuckDB syntax) over this table's own columns,
    e.g. ``make_date(c_birth_year, c_birth_month, c_birth_day)``. Parsed by sqlglot and
    checked against an allow-list of functions (:mod:`nl2seg.catalog.expressions`); never
    free SQL. The column does not exist in the database."""

    @property
    def family(self) -> Family:
        return type_family(self.type)

    def value_names(self) -> list[Scalar]:
        return [v.value for v in self.values or []]


Family = Literal["text", "number", "boolean", "date", "timestamp", "other"]


def type_family(sql_type: str) -> Family:
    t = sql_type.split("(")[0].strip().upper()
    if t in {"VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR"}:
        return "text"
    if t in {"BOOLEAN", "BOOL"}:
        return "boolean"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP") or t == "DATETIME":
        return "timestamp"
    if t in {"TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT", "HUGEINT", "UTINYINT",
             "USMALLINT", "UINTEGER", "UBIGINT", "DOUBLE", "FLOAT", "REAL", "DECIMAL",
             "NUMERIC"}:
        return "number"
    return "other"


class Refresh(_Model):
    cadence: Literal["realtime", "hourly", "daily", "weekly"]
    lag_hours: float = 0
    """How long after the fact a row shows up in this source."""


class Source(_Model):
    label: Labels
    description: str = ""
    refresh: Refresh


class Frozen(_Model):
    """A table recomputed in batch (scores): its date column and how old it may be."""

    column: str
    cadence: Literal["hourly", "daily", "weekly"] = "daily"
    max_age_days: int = 2


class Table(_Model):
    source: str
    grain: Literal["customer", "event", "lookup", "detail"]
    """customer: one row per customer (profile, scores); event: facts in time; lookup: a
    dimension reached through a reference; detail: lines of an event."""
    description: str = ""
    label: Labels | None = None
    primary_key: list[str] = Field(default_factory=list)
    customer_key: str | None = None
    """The column holding the customer entity's key (NULL = anonymous)."""
    references: dict[str, str] = Field(default_factory=dict)
    """Foreign keys: ``column: schema.table.column`` (many-to-one)."""
    frozen: Frozen | None = None
    profile: bool = False
    """A lookup whose columns describe the customer who references it (an address, the
    demographics, a household → its income band): its columns are profile fields, joined
    many-to-one through the ``references`` from the customer table."""
    columns: dict[str, Column]

    @model_validator(mode="after")
    def _keys_exist(self) -> Table:
        for name in [*self.primary_key, *self.references, self.customer_key]:
            if name is not None and name not in self.columns:
                raise ValueError(f"key column '{name}' is not among the table's columns")
        return self


class Hop(_Model):
    """One join step of a property path.

    ``join_on`` maps the current table's columns to ``table``'s columns.
    """

    table: str
    join_on: dict[str, str]


class ColumnPath(_Model):
    """A column of another table, reached from a row through many-to-one hops (an event's
    date in a date dimension: ``{column: d_date, via: [{table: main.date_dim, join_on:
    {ss_sold_date_sk: d_date_sk}}]}``)."""

    column: str
    via: list[Hop] = Field(default_factory=list)


class PropertySource(_Model):
    """How one event source gives a property: a constant, a column, or a column at a path."""

    const: Scalar | None = None
    column: str | None = None
    via: list[Hop] = Field(default_factory=list)
    aggregate: Literal["sum", "min", "max"] | None = None
    """For a source at line grain: how its lines combine into the occurrence's value (an
    amount is the ``sum`` of its lines). Without it the property belongs to each line, and
    an occurrence matches a filter when one of its lines does (a category)."""

    @model_validator(mode="after")
    def _one_kind(self) -> PropertySource:
        if (self.const is None) == (self.column is None):
            raise ValueError("a property source needs exactly one of 'const' or 'column'")
        if self.const is not None and self.via:
            raise ValueError("a constant property cannot have a 'via' path")
        return self


class Filter(_Model):
    """A fixed filter of an event source (e.g. only completed orders)."""

    column: str
    op: Literal["eq", "ne", "in", "not_in", "is_null", "is_not_null"]
    value: Scalar | None = None
    values: list[Scalar] | None = None


class EventSource(_Model):
    name: str
    table: str
    time: str | ColumnPath
    """The event's moment: a column of ``table``, or a column reached through a dimension."""
    key: str
    """The column identifying one occurrence (one purchase: a ticket or order number)."""
    grain: Literal["event", "line"] = "event"
    """``event``: one row per occurrence. ``line``: one row per line (a fact table at line
    grain); the rows sharing a customer and a ``key`` are one occurrence, so counts count
    occurrences and amounts are summed per occurrence before any average."""
    where: list[Filter] = Field(default_factory=list)
    properties: dict[str, PropertySource] = Field(default_factory=dict)

    @property
    def time_path(self) -> ColumnPath:
        return self.time if isinstance(self.time, ColumnPath) else ColumnPath(column=self.time)


class Property(_Model):
    type: str
    label: Labels
    description: str = ""
    synonyms: Words = Field(default_factory=Words)
    values: list[Value] | None = None
    values_from: str | None = None
    """``schema.table.column`` whose closed value list this property shares."""
    unit: str | None = None
    levels: dict[str, Level] | None = None
    """Named ranges of a numeric property ("unhappy" = satisfaction ≤ 2)."""
    measures: dict[str, Measure] | None = None
    """Named aggregates of a numeric property ("AOV" = its average per event)."""


class Event(_Model):
    """A business event ("purchase") made of one or more source tables."""

    label: Labels
    description: str = ""
    definition: Labels | None = None
    """What counts as one, in each language: shown to the reviewer as an assumption (else
    the description)."""
    synonyms: Words = Field(default_factory=Words)
    sources: list[EventSource]
    properties: dict[str, Property] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _properties_declared(self) -> Event:
        for src in self.sources:
            for p in src.properties:
                if p not in self.properties:
                    raise ValueError(f"source '{src.name}' maps undeclared property '{p}'")
        return self


class Channel(_Model):
    label: Labels
    consent: str | None
    """``schema.table.column`` of a BOOLEAN consent flag, or ``null`` when the data holds no
    consent for this channel: an export then needs the approver's explicit acknowledgement
    that no consent data exists, recorded in the approval and the manifest."""
    contact: str | None = None
    """``schema.table.column`` that must be present to reach the customer."""
    contact_format: Literal["email", "phone", "any"] | None = None
    """What a usable contact looks like: ``email`` (something@domain.tld), ``phone`` (E.164,
    ``+33612345678``) or ``any`` (present is enough). Default: ``email`` for a channel named
    email, ``phone`` for one named sms, else ``any``. An empty or malformed contact is not
    reachable (issue 12 §9)."""
    words: Words = Field(default_factory=Words)


class Concept(_Model):
    """A named business concept defined by a rule ("abandoned cart"): its words and the
    conditions it stands for, where the string ``"$window"`` marks the window the request
    gives (else ``default_window``; with none, all history). ``nl2seg.concepts`` turns it
    into conditions; loading a catalog checks them."""

    label: Labels
    description: str = ""
    definition: Labels | None = None
    """What it means, in each language: shown to the reviewer as an assumption when a
    request uses it (else the description)."""
    words: Words = Field(default_factory=Words)
    default_window: dict[str, object] | None = None
    conditions: list[dict[str, object]]


class ReferenceDate(_Model):
    """The reference date, stated (``date``) or computed from the data (``latest``: the day
    of the latest occurrence of an event, optionally of one of its sources only)."""

    date: str | None = None
    latest: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ReferenceDate:
        if (self.date is None) == (self.latest is None):
            raise ValueError("reference_date needs exactly one of 'date' or 'latest'")
        if self.source is not None and self.latest is None:
            raise ValueError("reference_date.source names a source of the 'latest' event")
        return self


class Entity(_Model):
    name: str
    table: str
    key: str
    label: Labels


class Catalog(_Model):
    catalog: str
    version: str
    description: str = ""
    entity: Entity
    reference_date: str | ReferenceDate | None = None
    """The data's "today" (the default ``as_of``): ``schema.table.column`` holding it, or
    computed from the data or stated (:class:`ReferenceDate`). Without it, today's date,
    and the read-back says so."""
    sources: dict[str, Source]
    tables: dict[str, Table]
    events: dict[str, Event] = Field(default_factory=dict)
    channels: dict[str, Channel] = Field(default_factory=dict)
    concepts: dict[str, Concept] = Field(default_factory=dict)
    _data_values: dict[str, tuple[str, ...]] = PrivateAttr(default_factory=dict)
    """Values read from the data for open text fields (``field:<schema.table.column>`` or
    ``prop:<event>.<property>``), see :mod:`nl2seg.catalog.data_values`; not content."""

    def data_values(self) -> dict[str, tuple[str, ...]]:
        return dict(self._data_values)

    @model_validator(mode="after")
    def _consistent(self) -> Catalog:
        from nl2seg.catalog.consistency import check_consistency

        check_consistency(self)
        return self

    # -- look-ups ---------------------------------------------------------------------------
    def column(self, qualified: str) -> Column:
        table, col = split_column(qualified)
        return self.tables[table].columns[col]

    def has_column(self, qualified: str) -> bool:
        try:
            table, col = split_column(qualified)
        except ValueError:
            return False
        return table in self.tables and col in self.tables[table].columns

    def profile_fields(self) -> list[str]:
        """Every ``schema.table.column`` of a one-row-per-customer table, then every column of
        a ``profile`` lookup reachable from the customer (not its join keys)."""
        fields = [f"{t}.{c}" for t, table in self.tables.items() if table.grain == "customer"
                  for c in table.columns]
        paths = self.profile_paths()
        for t, path in paths.items():
            if not path:
                continue
            table = self.tables[t]
            keys = {*table.primary_key, *table.references, path[-1].to_column}
            fields.extend(f"{t}.{c}" for c in table.columns if c not in keys)
        return fields

    def profile_paths(self) -> dict[str, list[Reference]]:
        """How each profile table is reached from the entity: ``[]`` for a one-row-per-
        customer table (joined on its customer key), else the many-to-one references from a
        customer table to that ``profile`` lookup, shortest first (breadth-first)."""
        paths: dict[str, list[Reference]] = {
            t: [] for t, table in self.tables.items() if table.grain == "customer"}
        frontier = list(paths)
        while frontier:
            nxt: list[str] = []
            for t in frontier:
                for column, target in self.tables[t].references.items():
                    to_table, to_column = split_column(target)
                    dest = self.tables.get(to_table)
                    if dest is None or to_table in paths or not dest.profile:
                        continue
                    paths[to_table] = [*paths[t], Reference(t, column, to_table, to_column)]
                    nxt.append(to_table)
            frontier = nxt
        return paths

    def property_values(self, event: str, prop: str) -> list[Value] | None:
        p = self.events[event].properties[prop]
        if p.values is not None:
            return p.values
        if p.values_from is not None:
            return self.column(p.values_from).values
        return None

    def sqlglot_schema(self) -> dict[str, dict[str, dict[str, str]]]:
        """``{schema: {table: {column: type}}}`` for sqlglot's optimizer."""
        out: dict[str, dict[str, dict[str, str]]] = {}
        for name, table in self.tables.items():
            schema, tname = name.split(".", 1)
            out.setdefault(schema, {})[tname] = {c: col.type for c, col in table.columns.items()
                                                 if col.expr is None}
        return out

    def fingerprint(self) -> str:
        """A short hash of the catalog's content (approvals bind to it)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Reference:
    """One many-to-one step: ``from_table.from_column = to_table.to_column``."""

    from_table: str
    from_column: str
    to_table: str
    to_column: str


def split_column(qualified: str) -> tuple[str, str]:
    """``'crm.customers.email'`` → ``('crm.customers', 'email')``."""
    parts = qualified.split(".")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"expected 'schema.table.column', got '{qualified}'")
    return f"{parts[0]}.{parts[1]}", parts[2]
