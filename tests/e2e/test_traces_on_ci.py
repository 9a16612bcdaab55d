"""The daily job on a CI runner, whose checkout holds only what is committed: it says how traces reach it."""

from __future__ import annotations

import shutil

from tests.e2e.conftest import optimizer

CI = {"CI": "true", "GITHUB_ACTIONS": "true"}


def test_a_runner_without_traces_is_told_what_to_configure(example_repo):
    shutil.rmtree(example_repo / "examples" / "traces")
    result = optimizer("run", "--dry-run", cwd=example_repo, env=CI)
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1
    assert "no traces in this checkout" in result.err and "traces path does not exist" not in result.err
    assert "traces.source: supabase" in result.err and "commit the JSONL files" in result.err
    assert "artifact" in result.err

    secrets = {"SUPABASE_URL": "https://project.supabase.co", "SUPABASE_SERVICE_ROLE_KEY": "sb_secret_N0tPr1nted"}
    named = optimizer("analyze", cwd=example_repo, env={**CI, **secrets})
    assert named.code == 1 and "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are set" in named.err
    assert "N0tPr1nted" not in named.err

    at_home = optimizer("run", "--dry-run", cwd=example_repo)
    assert at_home.code == 1 and "traces path does not exist" in at_home.err


def test_committed_traces_are_read_on_a_runner(example_repo):
    result = optimizer("run", "--dry-run", cwd=example_repo, env=CI)
    assert result.code == 0, result.err
