"""Guardrails (issue 5): warnings, approval, export and the audit log.

The logic lives here, not in the app: the CLI, the app and the evals share it.
"""

from nl2seg.guard.approval import Approval, ApprovalError, check_approval, decide
from nl2seg.guard.export import ExportError, ExportResult, export_audience
from nl2seg.guard.review import Prepared, prepare
from nl2seg.guard.state import DEFAULT_STATE, StateError, StateStore
from nl2seg.guard.warnings import GuardConfig, GuardWarning, assess

__all__ = [
    "DEFAULT_STATE", "Approval", "ApprovalError", "ExportError", "ExportResult", "GuardConfig",
    "GuardWarning", "Prepared", "StateError", "StateStore", "assess", "check_approval", "decide",
    "export_audience", "prepare",
]
