"""The LLM translator (issue 3 §2): OpenAI-compatible endpoint, strict schema, repair loop."""

from nl2seg.translate.llm.config import LLMConfig
from nl2seg.translate.llm.schema import Answer, strict_schema
from nl2seg.translate.llm.translator import LLMTranslator

__all__ = ["Answer", "LLMConfig", "LLMTranslator", "strict_schema"]
