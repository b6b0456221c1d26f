"""Translators: a marketer's request → a rule of the AST (issue 3)."""

from nl2seg.translate.local import LocalTranslator, translate_local
from nl2seg.translate.result import Reading, Suggestion, Translation, Translator

__all__ = ["LocalTranslator", "Reading", "Suggestion", "Translation", "Translator",
           "translate_local"]
