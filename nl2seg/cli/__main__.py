"""``python -m nl2seg.cli``."""

from nl2seg.cli import main

main()
