"""The measurement where it is stored and read: the run records (local file and Supabase), and the
weekly report over Supabase, which must show the numbers the JSONL path shows for the same traces."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace

from optimizer.commands.report import ReportArgs, report_command
from optimizer.config import SupabaseSettings, load_settings
from optimizer.deploy.local import LocalRegistry
from optimizer.deploy.model import RunRecord
from optimizer.deploy.remote import SupabaseRegistry
from tests.support.known_effects import END, Batch, write_traces
from tests.support.postgres import PROJECT, insert_traces

MEASUREMENT = {
    "window": {"start": "2026-11-13T00:00:00Z", "end": "2026-11-20T00:00:00Z"},
    "changes": [{"metric": "cost per trace", "verdict": "worse", "ci95": [0.0048, 0.0075]}],
    "revert": True,
    "decisions": [{"fingerprint": "fp1", "outcome": "approved", "merge_sha": "8a41d07", "effects": []}],
    "rollback": {"version": "8a41d07", "branch": "optimizer/rollback-frontdesk", "head_sha": None, "refused": None},
}
RECORD = RunRecord("frontdesk-1", "frontdesk", "2026-11-20T06:00:00Z", "2026-11-20T06:01:00Z", "nothing")


def printed(command) -> list[str]:
    """What a command echoed to stdout."""
    out: list[str] = []
    command(lambda text, err=False, **_kw: None if err else out.append(text))
    return out


def test_a_registry_file_from_before_gets_the_column_and_keeps_its_rows(tmp_path):
    path = tmp_path / "registry.sqlite3"
    with sqlite3.connect(path) as conn:  # the runs table as the first release wrote it
        conn.execute(
            "create table runs (id integer primary key autoincrement, run_id text not null, agent text,"
            " started_at text not null, finished_at text not null, window_start text, window_end text,"
            " traces integer not null default 0, findings text not null default '[]',"
            " proposals text not null default '[]', pr_url text, outcome text not null, error text, analyst text,"
            " analysis_cost_usd real, base_sha text, head_sha text)"
        )
        conn.execute(
            "insert into runs (run_id, agent, started_at, finished_at, outcome)"
            " values ('old', 'a', 's', 'f', 'nothing')"
        )
    registry = LocalRegistry(path)

    registry.record_run(replace(RECORD, measurement=MEASUREMENT))

    new, old = registry.runs()
    assert new.measurement == MEASUREMENT and old.measurement is None and old.run_id == "old"


def test_supabase_keeps_the_measurement_as_json(database_url, rest):
    registry = SupabaseRegistry(rest.url, rest.key("service_role"), SupabaseSettings())

    registry.record_run(replace(RECORD, measurement=MEASUREMENT))
    registry.record_run(replace(RECORD, run_id="frontdesk-2"))

    second, first = registry.runs("frontdesk")
    assert first.measurement == MEASUREMENT and second.measurement is None


def test_the_report_through_supabase_equals_the_report_from_jsonl(database_url, rest, tmp_path, monkeypatch):
    repo = tmp_path / "agent-repo"
    for name in ("souls", "prompts"):
        shutil.copytree(PROJECT / name, repo / name)
    traces = write_traces(
        tmp_path / "traces" / "frontdesk.jsonl",
        [Batch("3f9c2e1", 700, 1, 4, failure_rate=0.3, seed=1), Batch("8a41d07", 500, 4, 4, cost=0.03, seed=2)],
    )
    insert_traces(database_url, traces)
    monkeypatch.setenv("SUPABASE_URL", rest.url)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", rest.key("service_role"))
    args = ReportArgs(days=7, output_format="json", traces=tmp_path / "traces", now=END)

    reports = {}
    for source in ("jsonl", "supabase"):
        (repo / "optimizer.yaml").write_text(f"traces: {{source: {source}}}\n")
        reports[source] = json.loads(printed(lambda echo: report_command(repo, args, echo, env={}))[-1])

    assert load_settings(repo).traces_source == "supabase"
    [jsonl], [supabase] = reports["jsonl"]["agents"], reports["supabase"]["agents"]
    assert [d["traces"] for d in jsonl["days"]] == [175, 175, 175, 300, 125, 125, 125]
    assert supabase["days"] == jsonl["days"]
    assert [(v["prompt_version"], v["traces"]) for v in supabase["versions"]] == [("3f9c2e1", 700), ("8a41d07", 500)]
    for ours, theirs in zip(supabase["versions"], jsonl["versions"], strict=True):
        for key in ("cost_per_trace_usd", "escalation_rate", "tools", "sentiment", "cost_total_usd"):
            assert ours[key] == theirs[key], key
