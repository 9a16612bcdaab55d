"""The shipped example: the frontdesk agent's soul and prompts, its traces, and their generator."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from optimizer.schemas import schema_errors

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GENERATOR = EXAMPLES / "generate_traces.py"
TRACE_FILES = [
    EXAMPLES / "traces" / "frontdesk-2026-11-17.jsonl",
    EXAMPLES / "traces" / "frontdesk-2026-11-18.jsonl",
    EXAMPLES / "traces" / "frontdesk-2026-11-19.jsonl",
]
HEALTHY_FILE = EXAMPLES / "healthy" / "frontdesk-healthy.jsonl"
SHIPPED = [*TRACE_FILES, HEALTHY_FILE]
TOOLS = [
    "check_availability",
    "create_booking",
    "lookup_booking",
    "cancel_booking",
    "send_confirmation_email",
    "issue_refund",
]
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, f"{path} has no YAML front matter"
    return yaml.safe_load(match.group(1)), text[match.end() :]


def test_regenerating_reproduces_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(GENERATOR), "--examples-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for shipped in SHIPPED:
        fresh = tmp_path / shipped.relative_to(EXAMPLES)
        assert fresh.read_bytes() == shipped.read_bytes(), f"{shipped} differs from a fresh run"
    assert sorted(p.name for p in (tmp_path / "traces").iterdir()) == [p.name for p in TRACE_FILES]


def test_bulk_mode_is_deterministic_and_gzips(tmp_path: Path) -> None:
    def generate(name: str, *extra: str) -> bytes:
        out = tmp_path / name
        args = ["--count", "500", "--out", str(out), "--seed", "7", "--days", "1", *extra]
        subprocess.run([sys.executable, str(GENERATOR), *args], check=True, capture_output=True)
        return out.read_bytes()

    plain = generate("a.jsonl")
    assert plain == generate("b.jsonl")
    assert plain.count(b"\n") == 500
    assert gzip.decompress(generate("c.jsonl.gz", "--gzip")) == plain


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_record_is_a_valid_trace(path: Path) -> None:
    data = path.read_bytes()
    assert data.endswith(b"\n")
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        record = json.loads(line)
        assert schema_errors("trace", record) == [], f"{path.name}:{number}"
        # compact, keys in a fixed order: what json.dumps writes
        assert json.dumps(record, ensure_ascii=False, separators=(",", ":")) == line


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout.strip()


def example_versions() -> tuple[str, str]:
    """The example's versions are commits of this clone: the prompt change and the commit before it."""
    new = git("log", "--format=%H", "--grep=^frontdesk: repeat the booking rules in the system prompt$")
    return git("rev-parse", f"{new}^")[:10], new[:10]


def test_the_example_versions_are_commits_any_clone_can_revert() -> None:
    old, new = example_versions()
    assert git("diff", "--name-only", old, new) == "prompts/frontdesk/system.md"
    assert "Booking rules:" in git("show", f"{new}:prompts/frontdesk/system.md")
    assert "Booking rules:" not in git("show", f"{old}:prompts/frontdesk/system.md")


def test_staff_replies_follow_hand_offs_and_the_owner_corrects_in_writing() -> None:
    records = [r for path in TRACE_FILES for r in _records(path)]
    staff = [r for r in records if any(m["role"] == "human" for m in r["messages"])]
    assert staff and all(r["escalated"] and r["metadata"]["topic"] in ("pets", "parking") for r in staff)
    owner = [r for r in records if any(m["role"] == "owner" for m in r["messages"])]
    assert owner and all(r["owner_corrected"] for r in owner)
    assert len(owner) == sum(r["owner_corrected"] for r in records)


def test_the_shipped_traces_carry_the_planted_problems() -> None:
    records = [r for path in TRACE_FILES for r in _records(path)]
    assert len(records) >= 2400
    for path in TRACE_FILES:
        day = path.stem.removeprefix("frontdesk-")
        assert all(r["started_at"].startswith(day) for r in _records(path))
    calls = [c for r in records for c in r["tool_calls"] if c["name"] == "check_availability"]
    assert 0.25 < sum(not c["ok"] for c in calls) / len(calls) < 0.35
    assert not any(c["name"] == "issue_refund" for r in records for c in r["tool_calls"])
    old, new = example_versions()
    assert {r["prompt_version"] for r in records} == {old, new}
    assert all((r["prompt_version"] == new) == (r["started_at"] >= "2026-11-18T12:00") for r in records)
    assert sum("sk-test-" in m["content"] for r in records for m in r["messages"]) in (1, 2)


def test_the_healthy_traces_have_none_of_them() -> None:
    records = _records(HEALTHY_FILE)
    assert 300 <= len(records) <= 500
    assert {r["prompt_version"] for r in records} == {example_versions()[0]}
    assert not {"pets", "parking"} & {r["metadata"]["topic"] for r in records}
    calls = [c for r in records for c in r["tool_calls"]]
    assert sum(not c["ok"] for c in calls) / len(calls) < 0.02
    assert sum(r["escalated"] for r in records) / len(records) < 0.05


def test_the_soul_parses_with_every_section() -> None:
    soul = yaml.safe_load((ROOT / "souls" / "frontdesk.yaml").read_text(encoding="utf-8"))
    assert schema_errors("soul", soul) == []
    assert soul["name"] == "frontdesk"
    for key in ("description", "personality", "tone", "closing"):
        assert isinstance(soul[key], str) and soul[key].strip()
    for key in ("always_do", "never_do", "escalation"):
        assert soul[key] and all(isinstance(item, str) for item in soul[key])
    assert 4 <= len(soul["faq"]) <= 6
    assert all(set(entry) == {"question", "answer"} for entry in soul["faq"])
    faq_text = " ".join(f"{e['question']} {e['answer']}" for e in soul["faq"]).lower()
    # the knowledge gaps the example traces are about
    assert not re.search(r"\b(pets?|dogs?|parking|car park)\b", faq_text)


def test_the_prompts_declare_the_tools_and_placeholders() -> None:
    system, system_body = _front_matter(ROOT / "prompts" / "frontdesk" / "system.md")
    tools, _ = _front_matter(ROOT / "prompts" / "frontdesk" / "tools.md")
    assert system["tools"] == TOOLS
    assert tools["tools"] == TOOLS
    assert "{{PLAYBOOKS}}" in system["required_placeholders"]
    for placeholder in system["required_placeholders"]:
        assert system_body.count(placeholder) == 1
    assert 2000 <= len(system_body) <= 3000


def test_one_paragraph_is_duplicated_across_the_prompts() -> None:
    _, system_body = _front_matter(ROOT / "prompts" / "frontdesk" / "system.md")
    _, tools_body = _front_matter(ROOT / "prompts" / "frontdesk" / "tools.md")
    shared = [p for p in system_body.split("\n\n") if len(p) >= 120 and p in tools_body.split("\n\n")]
    assert len(shared) == 1
    assert "create_booking" in shared[0]
    assert "{{" not in shared[0]
