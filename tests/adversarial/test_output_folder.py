"""`run --output DIR` is all or nothing: a run that fails while writing leaves what DIR held before."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

FILES = ("pr-body.md", "changes.patch", "findings.json", "proposals.json")


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run_with_file_size_limit(repo: Path, out: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """The CLI in a child whose files may not grow past ``limit`` bytes: a full disk, for real."""

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "optimizer", "run", "--repo", str(repo), "--dry-run", "--analyst", "heuristic",
         "--output", str(out)],
        env={k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "GITHUB_"))},
        preexec_fn=limit_writes,  # the child has no threads before exec
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip


def test_a_full_disk_leaves_the_previous_output_intact(repo: Path, run_cli, tmp_path: Path):
    out = tmp_path / "out"
    assert run_cli("run", "--repo", repo, "--dry-run", "--analyst", "heuristic", "--output", out).code == 0
    before = _contents(out)
    assert set(before) == set(FILES) and all(before.values())
    (out / "findings.json").write_text('{"from": "the earlier run"}\n')
    before = _contents(out)
    result = _run_with_file_size_limit(repo, out, limit=16384)  # pr-body.md and findings.json are larger
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("optimizer: error: ") and "cannot write outputs" in lines[-1], result.stderr
    assert _contents(out) == before  # nothing new, nothing truncated, nothing stale replaced
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no staging folder left behind


def test_a_file_in_the_way_leaves_the_other_files_as_they_were(repo: Path, run_cli, tmp_path: Path):
    out = tmp_path / "out"
    assert run_cli("run", "--repo", repo, "--dry-run", "--analyst", "heuristic", "--output", out).code == 0
    (out / "proposals.json").unlink()
    (out / "proposals.json").mkdir()
    before = _contents(out)
    result = run_cli("run", "--repo", repo, "--dry-run", "--analyst", "heuristic", "--output", out)
    assert result.code == 1
    assert "proposals.json" in result.err and "nothing was written" in result.err
    assert _contents(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)


def test_a_second_run_replaces_every_file(repo: Path, run_cli, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    for name in FILES:
        (out / name).write_text("stale\n")
    (out / "notes.txt").write_text("mine\n")
    assert run_cli("run", "--repo", repo, "--dry-run", "--analyst", "heuristic", "--output", out).code == 0
    after = _contents(out)
    assert all(after[name] != b"stale\n" for name in FILES)
    assert after["notes.txt"] == b"mine\n"  # what is not ours is left alone
