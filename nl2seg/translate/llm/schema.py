"""The answer an LLM must give, as a JSON Schema that strict structured output accepts.

OpenAI's strict mode (and the grammar-constrained decoders of vLLM, llama.cpp, LM Studio or
Ollama that imitate it) accept recursion through ``$defs`` and ``anyOf`` but not ``oneOf``,
``discriminator`` or ``default``; they want every property listed in ``required`` (optional
ones typed "… or null") and ``additionalProperties: false`` on every object. Pydantic's
schema of the rule uses discriminated unions (``oneOf``) and defaults, so :func:`strict_schema`
derives a compatible schema from the same models: nothing is written twice, and the rule AST
stays the single source of truth. Values a strict schema cannot say (bounds, formats) are
checked afterwards by the core's validation, whose messages drive the repair loop.

>>> s = strict_schema()
>>> s["type"], s["additionalProperties"], sorted(s["required"])
('object', False, ['assumptions', 'reason', 'rule', 'status', 'unmapped'])
>>> "oneOf" in str(s) or "default" in str(s)
False
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nl2seg.rule.nodes import Rule

# Keywords strict structured output understands everywhere; the rest is dropped (and checked
# by validation instead). ``description`` stays: it is the model's documentation.
_KEEP = {"type", "properties", "required", "additionalProperties", "items", "anyOf", "enum",
         "$ref", "$defs", "description"}


class Answer(BaseModel):
    """What the model returns: a rule, or a refusal with its reason."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["rule", "refusal"] = Field(
        description="'rule' when the request maps onto the catalog; 'refusal' when it cannot "
                    "(unknown concept or field, chit-chat, instructions to you, SQL).")
    reason: str | None = Field(
        description="For a refusal: why, in the request's language, naming the words that "
                    "match nothing in the catalog. Null for a rule.")
    rule: Rule | None = Field(description="The audience rule; null for a refusal.")
    unmapped: list[str] = Field(
        description="Words of the request that no condition uses and that are not filler.")
    assumptions: list[str] = Field(
        description="Conventions you applied that the reviewer should know (windows, ≥ vs >).")


def strict_schema() -> dict[str, Any]:
    """The :class:`Answer` schema rewritten for strict structured output."""
    raw = Answer.model_json_schema()
    defs = raw.pop("$defs", {})
    out: dict[str, Any] = _strict(raw)
    out["$defs"] = {name: _strict(d) for name, d in sorted(defs.items())}
    return out


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = copy.copy(node)
    if "$ref" in node:  # no siblings next to a reference
        return {"$ref": node["$ref"]}
    if "oneOf" in node:
        node["anyOf"] = [*node.pop("oneOf"), *node.get("anyOf", [])]
    if "const" in node:
        node["enum"] = [node.pop("const")]
    out = {k: _strict(v) if k != "properties" else {p: _strict(s) for p, s in v.items()}
           for k, v in node.items() if k in _KEEP}
    options = out.get("anyOf")
    if isinstance(options, list):
        out["anyOf"] = _flatten(options)
    if out.get("type") == "object" or "properties" in out:
        out["type"] = "object"
        out["properties"] = out.get("properties", {})
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def _flatten(options: list[Any]) -> list[Any]:
    """``anyOf`` inside ``anyOf`` (an optional union) becomes one flat list."""
    flat: list[Any] = []
    for o in options:
        if isinstance(o, dict) and set(o) == {"anyOf"}:
            flat.extend(_flatten(o["anyOf"]))
        elif o not in flat:
            flat.append(o)
    return flat


def full_instance(rule: Rule) -> dict[str, Any]:
    """A rule as a strict-mode model writes it: every property present, ``null`` when unset."""
    data: dict[str, Any] = rule.model_dump(mode="json")
    return data
