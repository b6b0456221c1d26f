"""Compilation of validated rules to SQL, and the safety checks every query passes."""

from nl2seg.compile.compiler import DIALECTS, CompiledRule, Step, compile_rule

__all__ = ["DIALECTS", "CompiledRule", "Step", "compile_rule"]
