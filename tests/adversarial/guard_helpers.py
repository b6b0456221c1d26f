"""Shared set-up of the guard's adversarial tests: approve a rule on the demo database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from nl2seg.catalog import load_catalog
from nl2seg.guard import StateStore, decide, prepare
from nl2seg.guard.approval import Approval
from nl2seg.rule import Attribute
from nl2seg.rule.nodes import Rule

AS_OF = dt.date(2026, 6, 30)
CAT = load_catalog()
VIP = Attribute(field="crm.customers.loyalty_tier", op="eq", value="vip", phrase="VIP")


def approve(store: StateStore, con: duckdb.DuckDBPyConnection, rule: Rule, name: str = "a",
            **kw: Any) -> Approval:
    p = prepare(rule, CAT, AS_OF, con, name=name, store=store)
    args: dict[str, Any] = dict(name=name, rule=rule, catalog=CAT, preview=p.preview,
                                warnings=p.warnings, approver="bob", author="ann",
                                acknowledged=[w.id for w in p.to_acknowledge])
    args.update(kw)
    return decide(store, **args)
