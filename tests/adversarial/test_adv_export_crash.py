"""Item 3: a kill at any step of an export leaves nothing complete and unrecorded.

The export is write-ahead: an ``export_started`` entry names the file first; the file and its
manifest are written under temporary names (``.nl2seg-tmp-`` prefix), synced, renamed, the
folder synced; then the ``export`` entry. A real process is SIGKILLed at each step (the
``on_step`` seam); afterwards ``audit verify`` (or the next export) reports the unfinished
export and removes the temporary files, and every file left is named by the audit log.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from nl2seg.cli import main
from nl2seg.guard import StateStore, export_audience
from nl2seg.guard.export import STEPS, TMP_PREFIX
from nl2seg.rule.nodes import Rule
from tests.adversarial.guard_helpers import AS_OF, CAT, VIP, approve

SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import duckdb
    from pathlib import Path
    from nl2seg.catalog import Catalog
    from nl2seg.guard import StateStore, export_audience
    from nl2seg.guard.approval import latest_approval
    from nl2seg.rule.nodes import Rule
    from tests.adversarial.guard_helpers import AS_OF, VIP

    db, state, out, step, catalog = sys.argv[1:6]
    CAT = Catalog.model_validate_json(Path(catalog).read_text())  # the one approved

    def kill(at):
        if at == step:
            os.kill(os.getpid(), signal.SIGKILL)

    with duckdb.connect(db, read_only=True) as con, StateStore(state) as store:
        export_audience(store, con, latest_approval(store, "a"), Rule(where=VIP,
                        channel="email"), CAT, AS_OF, channel="email", out_dir=out,
                        on_step=kill)
""")


def test_steps_run_in_write_ahead_order(tmp_path: Path,
                                        demo_con: duckdb.DuckDBPyConnection) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    rule = Rule(where=VIP, channel="email")
    a = approve(store, demo_con, rule)
    out = tmp_path / "o"
    seen: list[tuple[str, list[str], list[str]]] = []

    def look(step: str) -> None:
        kinds = [e.kind for e in store.audit_entries() if e.kind.startswith("export")]
        seen.append((step, kinds, sorted("tmp" if p.name.startswith(TMP_PREFIX) else "final"
                                         for p in out.iterdir() if not p.name.endswith(".lock"))))

    export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email", out_dir=out,
                    on_step=look)
    assert [s for s, _, _ in seen] == list(STEPS)
    first, *_, last = seen
    assert first == ("started", ["export_started"], [])  # the log before any byte
    assert seen[1][2] == ["tmp"] and seen[2][2] == ["tmp", "tmp"]  # synced, not yet named
    assert last == ("finished", ["export_started", "export"], ["final", "final"])


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_each_step_leaves_nothing_complete_and_unrecorded(
        step: str, tmp_path: Path, demo_db: Path) -> None:
    state, out = tmp_path / "s.sqlite", tmp_path / "o"
    with duckdb.connect(str(demo_db), read_only=True) as con, StateStore(state) as store:
        approve(store, con, Rule(where=VIP, channel="email"))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    catalog = tmp_path / "catalog.json"
    catalog.write_text(CAT.model_dump_json())
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(demo_db), str(state), str(out),
                           step, str(catalog)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    left = sorted(p.name for p in out.iterdir())
    if step in ("written", "manifest"):
        assert any(n.startswith(TMP_PREFIX) for n in left)  # what a kill leaves behind

    res = CliRunner().invoke(main, ["audit", "verify"], env={"NL2SEG_STATE": str(state)})
    assert res.exit_code == 0, res.output
    remaining = sorted(p.name for p in out.iterdir())
    assert not any(n.startswith(TMP_PREFIX) for n in remaining), remaining
    with StateStore(state) as store:
        named = {e.payload.get("file") for e in store.audit_entries()
                 if e.kind == "export_started"}
        finished = {e.payload["export"] for e in store.audit_entries() if e.kind == "export"}
        started = [e for e in store.audit_entries() if e.kind == "export_started"]
    for n in remaining:  # every file left is named by the log, before it was published
        assert n.removesuffix(".manifest.json") in named, n
    if step == "finished":
        assert finished and "unfinished" not in res.output
    else:
        assert not finished and started
        assert "unfinished export" in res.output and started[0].payload["export"] in res.output
        if any(not n.endswith(".manifest.json") for n in remaining):
            data = next(n for n in remaining if not n.endswith(".manifest.json"))
            assert data in res.output  # a complete file: the report names it


def test_the_next_export_cleans_up_and_reports(tmp_path: Path,
                                               demo_con: duckdb.DuckDBPyConnection) -> None:
    store = StateStore(tmp_path / "s.sqlite")
    rule = Rule(where=VIP, channel="email")
    a = approve(store, demo_con, rule)
    out = tmp_path / "o"

    def crash(step: str) -> None:
        if step == "manifest":
            raise KeyboardInterrupt  # not a kill: the export takes its files back itself

    with pytest.raises(KeyboardInterrupt):
        export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email", out_dir=out,
                        on_step=crash)
    assert list(out.iterdir()) == []
    assert [e.kind for e in store.audit_entries()][-2:] == ["export_started", "export_failed"]
    # a stray temporary file of ours from a dead process, and one that is not ours
    (out / f"{TMP_PREFIX}dead00000000-x.csv").write_text("customer_id,email\n1,a@b.c\n")
    (out / ".someone-else.tmp").write_text("keep")
    res = export_audience(store, demo_con, a, rule, CAT, AS_OF, channel="email", out_dir=out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([".someone-else.tmp", Path(res.path).name,
                            Path(res.manifest).name])
    assert json.loads(Path(res.manifest).read_text())["count"] == res.count
    shutil.rmtree(out)
