"""The house as a maintainer reads it: rooms without import cycles, a thin top level, a pure core,
a command line that loads no client library it does not need, and a map of every module."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.support.import_graph import cycles, import_graph, modules, rooms

PROJECT = Path(__file__).resolve().parents[2]
PACKAGE = PROJECT / "optimizer"
ARCHITECTURE = PROJECT / "docs" / "architecture.md"
MAX_LOOSE_MODULES = 10
# Client libraries of the edges: git, GitHub, Supabase/PostgREST, Anthropic, and the HTTP stacks under them.
EDGE_LIBRARIES = {"git", "github", "supabase", "postgrest", "anthropic", "httpx", "requests"}
# The pure core: no git, HTTP, database or click; clients come in as arguments.
CORE = ["analysis", "measure", "render", "reporting", "history.model", "history.screen", "history.markers"]
CORE += ["artifacts.guardrails", "analysts.claude", "analysts.heuristic", "analysts.claude_answer"]
CORE += ["replay.model", "replay.mine", "replay.grade", "replay.request", "replay.judge", "replay.budget"]


def test_no_module_imports_itself_back():
    assert cycles(import_graph(PACKAGE)) == []


def test_no_room_imports_itself_back():
    assert cycles(rooms(import_graph(PACKAGE))) == []


def test_the_top_level_holds_only_the_shared_few():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE_MODULES, f"{len(loose)} loose modules at the top: {', '.join(loose)}"


def loaded_by(code: str, *args: str) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after running ``code``."""
    report = "import json, sys; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    script = f"{code}\n{report}"
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def run_cli(*args: str) -> str:
    """Runs the CLI in-process (its output discarded) and reports what it loaded."""
    argv = ", ".join(repr(a) for a in args)
    return "\n".join(
        [
            "import contextlib, io",
            "from optimizer.cli import main",
            "with contextlib.redirect_stdout(io.StringIO()):",
            f"    main([{argv}])",
        ]
    )


def test_help_and_version_load_no_client_library():
    for args in (["--help"], ["--version"], ["run", "--help"]):
        assert loaded_by(run_cli(*args)) & EDGE_LIBRARIES == set(), args


def test_analyze_over_jsonl_loads_no_client_library():
    loaded = loaded_by(run_cli("analyze", "--repo", str(PROJECT), "--format", "json"))
    assert "orjson" in loaded  # it did read the traces
    assert loaded & EDGE_LIBRARIES == set()


def test_the_core_loads_no_client_library():
    names = [f"optimizer.{name}" for name in CORE]
    core = [m for m in modules(PACKAGE) if any(m == n or m.startswith(n + ".") for n in names)]
    assert len(core) > 40
    assert (
        loaded_by("import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)", *core)
        & (EDGE_LIBRARIES | {"click", "psycopg", "sqlite3"})
        == set()
    )


def test_the_architecture_page_names_every_module_once():
    listed = re.findall(r"^\| `(optimizer/[\w/]+\.py)` \|", ARCHITECTURE.read_text(encoding="utf-8"), re.MULTILINE)
    on_disk = sorted(p.relative_to(PROJECT).as_posix() for p in PACKAGE.rglob("*.py"))
    assert sorted(set(listed)) == sorted(listed), "a module is listed twice"
    assert sorted(listed) == on_disk
