"""Run records: every run that is not a dry run leaves one per agent; a failed run leaves one saying so."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace

import pytest

from optimizer.analysts.heuristic import HeuristicAnalyst
from optimizer.config import SupabaseSettings, load_settings
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.remote import SupabaseRegistry
from optimizer.errors import TraceSourceError
from optimizer.propose.daily_run import run
from optimizer.propose.window import SelectionArgs, selection_from
from tests.support.postgres import PROJECT, insert_traces


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "agent-repo"
    root.mkdir()
    for name in ("souls", "prompts", "examples"):
        shutil.copytree(PROJECT / name, root / name, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copy(PROJECT / "optimizer.yaml", root / "optimizer.yaml")
    for key, value in {"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "Ada"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "a@x")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "agent"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def test_a_run_records_one_row_per_agent_in_the_local_registry(repo):
    settings = load_settings(repo)
    analysis, outcomes = run(settings, selection_from(settings, SelectionArgs()), HeuristicAnalyst(), dry_run=False)
    records = LocalRegistry(repo / ".optimizer" / "registry.sqlite3").runs()
    assert [(r.agent, r.outcome) for r in records] == [("frontdesk", "proposed")]
    record = records[0]
    assert record.traces == sum(v.traces for v in analysis.agents[0].versions) > 2000
    assert record.window_end == analysis.window.end
    assert {f["kind"] for f in record.findings} >= {"tool_failure", "knowledge_gap"}
    assert [p["fingerprint"] for p in record.proposals] == [p.fingerprint for p in outcomes[0].plan.proposals]
    assert record.head_sha == outcomes[0].branch.head_sha and record.analyst == "heuristic"
    # the registry hides itself from git: the checkout stays clean
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_a_dry_run_records_nothing(repo):
    settings = load_settings(repo)
    run(settings, selection_from(settings, SelectionArgs()), HeuristicAnalyst(), dry_run=True)
    assert not (repo / ".optimizer").exists()


def test_a_failed_run_records_the_failure_and_nothing_else(repo, tmp_path):
    settings = load_settings(repo)
    selection = selection_from(settings, SelectionArgs(traces=tmp_path / "missing"))
    with pytest.raises(TraceSourceError):
        run(settings, selection, HeuristicAnalyst(), dry_run=False)
    records = LocalRegistry(repo / ".optimizer" / "registry.sqlite3").runs()
    assert [(r.agent, r.outcome) for r in records] == [(None, "failed")]
    assert "traces path does not exist" in (records[0].error or "")
    branches = subprocess.run(["git", "branch"], cwd=repo, capture_output=True, text=True, check=True).stdout
    assert "optimizer/" not in branches


def test_with_supabase_the_records_go_to_optimizer_runs(repo, database_url, rest, monkeypatch):
    records = [
        json.loads(line)
        for path in sorted((repo / "examples" / "traces").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    insert_traces(database_url, records)
    monkeypatch.setenv("SUPABASE_URL", rest.url)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", rest.key("service_role"))
    settings = replace(load_settings(repo), traces_source="supabase")
    run(settings, selection_from(settings, SelectionArgs()), HeuristicAnalyst(), dry_run=False)
    stored = SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings()).runs()
    assert [(r.agent, r.outcome, r.traces) for r in stored] == [("frontdesk", "proposed", len(records))]
    assert not (repo / ".optimizer").exists()
