"""The shipped example's traces sign emails with guests' names; its pull request names nobody."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from tests.support.example_repo import PROJECT


def _guest_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    spec = importlib.util.spec_from_file_location("generate_traces", PROJECT / "examples" / "generate_traces.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FIRST_NAMES, module.LAST_NAMES


def test_the_example_pull_request_holds_no_guest_name(repo: Path, run_cli, tmp_path):
    first_names, last_names = _guest_names()
    traces = "".join(path.read_text(encoding="utf-8") for path in (repo / "examples" / "traces").glob("*.jsonl"))
    assert "Kind regards,\\n" + first_names[0] in traces or "Kind regards" in traces  # the traces do name guests
    out = tmp_path / "out"
    result = run_cli("run", "--repo", repo, "--dry-run", "--analyst", "heuristic", "--output", out)
    assert result.code == 0, result.err
    texts = {"stdout": result.out, "stderr": result.err, **{p.name: p.read_text() for p in out.iterdir()}}
    found = [
        f"{name} in {where}"
        for where, text in texts.items()
        for name in (*first_names, *last_names)
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)
    ]
    assert found == []
    assert "[name]" in texts["findings.json"]
