"""Run the warnings evaluation: ``python evals/run_warnings.py [--cases …] [--markdown …]``.

The same as ``nl2seg eval warnings``: correct rules (those the local translator gets exactly
right on the eval cases) are corrupted the way translators fail, and the report says how
often the warnings and the disagreement check catch it. The runner's code is
``nl2seg/evaluation/corruption.py``.
"""

import sys

from nl2seg.cli import main

if __name__ == "__main__":
    main(["eval", "warnings", *sys.argv[1:]])
