"""The measure: section, the measurement as a run record stores it, and the decisions read back."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer.commands.report import decided_between
from optimizer.config import load_settings
from optimizer.deploy.model import RunRecord
from optimizer.errors import ConfigError
from optimizer.history.from_host import past_proposals
from optimizer.history.from_records import history_from_records, past_proposal
from optimizer.history.model import History, PastProposal
from optimizer.measure.effects import guards_from, measure_agent
from optimizer.measure.rollback_policy import DEFAULT_GUARDS
from optimizer.timeutil import parse_timestamp
from tests.support.host_records import META, pull, remark
from tests.support.known_effects import Batch
from tests.support.metrics import versions

WINDOW = ("2026-11-13T00:00:00Z", "2026-11-20T00:00:00Z")


def load_settings_of(text, folder):
    (folder / "optimizer.yaml").write_text(text)
    return load_settings(folder)


def test_the_default_guards_are_the_policys(tmp_path):
    assert guards_from(load_settings_of("", tmp_path).measure.guards) == DEFAULT_GUARDS


def test_the_section_overrides_turns_off_and_adds_guards(tmp_path):
    settings = load_settings_of(
        "measure:\n  lookback_days: 14\n  min_samples: 50\n  auto_merge_rollback: true\n  webhook_url_env: TEAM_HOOK\n"
        "  guards: {cost_per_trace: 0.2, escalation_rate: null, latency_per_trace: 0.3}\n",
        tmp_path,
    )
    measure = settings.measure
    assert (measure.lookback_days, measure.min_samples, measure.auto_merge_rollback) == (14, 50, True)
    assert measure.webhook_url_env == "TEAM_HOOK"
    assert dict(measure.guards) == {
        "cost_per_trace": 0.2,
        "latency_per_trace": 0.3,
        "tool_failure_rate": 0.05,
        "negative_sentiment_rate": 0.05,
    }


@pytest.mark.parametrize(
    "text",
    [
        "measure: {lookback_days: 0}\n",
        "measure: {min_samples: 0}\n",
        "measure: {guards: {cost: 0.1}}\n",
        "measure: {guards: {cost_per_trace: -0.1}}\n",
        "measure: {webhook_url: https://hooks.slack.com/services/T/B/secret}\n",  # a secret where a name belongs
        "measure: {auto_merge_rollback: maybe}\n",
    ],
)
def test_a_bad_section_is_one_clear_error(text, tmp_path):
    with pytest.raises(ConfigError, match=r"optimizer\.yaml"):
        load_settings_of(text, tmp_path)


def measured():
    old, new = versions(
        Batch("3f9c2e1", 1100, 1, 4, failure_rate=0.33, seed=1).traces(),
        Batch("8a41d07", 420, 5, 2, failure_rate=0.04, seed=2).traces(),
    )
    merged = PastProposal(
        "fp1",
        "Retry",
        ("tool_failure:check_availability",),
        "approved",
        3,
        "https://github.com/acme/frontdesk/pull/3",
        decided_at="2026-11-18T06:00:00Z",
        merge_sha="8a41d07bb1e6c8d0f2a4b6c8d0e2f4a6b8c0d2e4",
    )
    old_rejection = PastProposal(
        "fp2", "FAQ", ("knowledge_gap:parking",), "rejected", 1, decided_at="2026-10-01T00:00:00Z"
    )
    recent_rejection = PastProposal(
        "fp3", "Tone", ("negative_sentiment:all",), "rejected", 4, reasons=("No.",), decided_at="2026-11-19T00:00:00Z"
    )
    history = History((old_rejection, merged, recent_rejection))
    return measure_agent("frontdesk", [old, new], history, WINDOW, min_samples=100)


def test_the_record_keeps_recent_decisions_and_every_measured_effect():
    data = measured().to_dict()
    assert [d["fingerprint"] for d in data["decisions"]] == ["fp1", "fp3"]  # the October rejection is out of window
    assert data["decisions"][0]["effects"][0]["verdict"] == "better"
    assert data["newest"]["prompt_version"] == "8a41d07" and data["revert"] is False
    assert {c["metric"]: c["guarded"] for c in data["changes"]}["latency per trace"] is False


def test_decisions_read_back_from_run_records_once_each_oldest_first():
    stored = measured().to_dict()
    newer = RunRecord("r2", "frontdesk", "2026-11-20T06:00:00Z", "2026-11-20T06:01:00Z", "nothing", measurement=stored)
    older = RunRecord("r1", "frontdesk", "2026-11-19T06:00:00Z", "2026-11-19T06:01:00Z", "nothing", measurement=stored)
    broken = RunRecord("r0", "frontdesk", "2026-11-18T06:00:00Z", "x", "failed", measurement={"decisions": [1, {}]})
    history = history_from_records([newer, older, broken, RunRecord("r", None, "a", "b", "failed")])
    assert [(p.fingerprint, p.outcome) for p in history.proposals] == [("fp1", "approved"), ("fp3", "rejected")]
    merged = history.proposals[0]
    assert merged.merge_sha == "8a41d07bb1e6c8d0f2a4b6c8d0e2f4a6b8c0d2e4" and merged.pr_number == 3
    assert history.proposals[1].reasons == ("No.",)
    assert past_proposal({"fingerprint": "x", "outcome": "open"}) is None


def test_the_report_counts_the_decisions_of_its_period_only():
    history = History(
        (
            PastProposal("a", "A", (), "approved", decided_at="2026-11-12T23:59:59Z"),
            PastProposal("b", "B", (), "rejected", decided_at="2026-11-13T00:00:00Z"),
            PastProposal("c", "C", (), "open"),
            PastProposal("d", "D", (), "approved", decided_at="2026-11-20T00:00:00Z"),
        )
    )
    start, end = (parse_timestamp(t) for t in WINDOW)
    assert [p.fingerprint for p in decided_between(history, start, end).proposals] == ["b"]


def test_an_approved_proposal_remembers_the_merge_commit_that_deployed_it():
    merged = replace(pull(merged=True), merge_commit_sha="c" * 40)
    drop = '<!-- optimizer:dropped {"fingerprint":"f2","by":"ada"} -->'
    approved, dropped = past_proposals(merged, META, [remark("optimizer-app[bot]", drop)])
    assert (approved.outcome, approved.merge_sha) == ("approved", "c" * 40)
    assert (dropped.outcome, dropped.merge_sha) == ("rejected", None)  # dropped before the merge: not deployed
    [closed, _] = past_proposals(replace(pull(), merge_commit_sha="d" * 40), META, [])
    assert (closed.outcome, closed.merge_sha) == ("rejected", None)
