"""A project whose max-rows setting is 7 (PostgREST caps every read at it, RPC sets included): each
reader of the optimizer still reads everything there is, since none trusts a page size."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from optimizer.config import SupabaseSettings
from optimizer.deploy.model import Artifact, RunRecord
from optimizer.deploy.remote import SupabaseRegistry
from optimizer.runtime.stores import SupabaseArtifactStore
from optimizer.traces.supabase import SupabaseAnalysis
from tests.support.builders import trace
from tests.support.postgres import insert_traces, postgrest

MAX_ROWS = 7
FILES = 17  # more than two pages
COMMITS = [f"{n:040x}" for n in range(1, 11)]  # ten releases
RUNS = 20


@pytest.fixture
def capped(database_url):
    with postgrest(database_url, max_rows=MAX_ROWS) as server:
        yield server


@pytest.fixture
def registry(capped):
    return SupabaseRegistry(capped.url, capped.key("service_role"), SupabaseSettings())


def parts(text: str) -> list[Artifact]:
    return [Artifact("frontdesk", f"prompts/frontdesk/p{n:02d}.md", "prompt", f"{text} {n}.\n") for n in range(FILES)]


def run(n: int) -> RunRecord:
    return RunRecord(
        run_id=f"frontdesk-{n:03d}",
        agent="frontdesk",
        started_at=f"2026-11-{n % 28 + 1:02d}T06:00:00Z",
        finished_at=f"2026-11-{n % 28 + 1:02d}T06:01:00Z",
        outcome="nothing",
    )


def test_deployed_files_and_releases_are_read_whole(registry, capped):
    for n, sha in enumerate(COMMITS):
        registry.deploy(sha, parts(f"Version {n}"))
    assert len(registry.active()) == FILES
    contents = registry.active_contents("frontdesk")
    latest = parts(f"Version {len(COMMITS) - 1}")
    assert contents == {artifact.path: artifact.content for artifact in latest}
    assert [release.git_sha for release in registry.releases("frontdesk")] == COMMITS[::-1]
    store = SupabaseArtifactStore(capped.url, capped.key("anon"), capped.key("optimizer_trace_writer"))
    try:
        loaded = store.load("frontdesk")
    finally:
        store.close()
    assert loaded is not None and len(loaded.prompts) == FILES


def test_run_records_are_read_to_the_limit_asked_for(registry):
    for n in range(RUNS):
        registry.record_run(run(n))
    newest_first = [run(n).run_id for n in reversed(range(RUNS))]
    assert [record.run_id for record in registry.runs("frontdesk")] == newest_first  # 20 of at most 50
    assert [record.run_id for record in registry.runs("frontdesk", limit=12)] == newest_first[:12]


def test_the_analysis_counts_every_trace_and_version(database_url, capped):
    versions = [f"v{n}" for n in range(12)]
    insert_traces(database_url, [trace(prompt_version=versions[n % 12]) for n in range(30)])
    analysis = SupabaseAnalysis(capped.url, capped.key("service_role"), SupabaseSettings())
    [state] = analysis.aggregate(datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)).values()
    assert state.traces == 30 and sorted(state.versions) == sorted(versions)
