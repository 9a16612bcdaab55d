"""Bad input, as a careless user or an attacker gives it: each case gets one clear line naming what
and where, and exit 1 (2 for what the command line parser refuses), never exit 3 and never a
traceback. Trace lines that break the contract are skipped and counted instead, their reason naming
the field and never quoting its value.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

SOUL = "souls/frontdesk.yaml"
SYSTEM = "prompts/frontdesk/system.md"
SECRET_VALUE = "sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXz"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]  # after the verb; {repo} and {tmp} are filled in
    code: int
    needles: tuple[str, ...]
    setup: Callable[[Path, Path], None] | None = None


def write(path: str, text: str | bytes) -> Callable[[Path, Path], None]:
    def setup(repo: Path, _tmp: Path) -> None:
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            target.rmdir()
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")

    return setup


def config(text: str) -> Callable[[Path, Path], None]:
    return write("optimizer.yaml", text)


def replace_in(path: str, old: str, new: str) -> Callable[[Path, Path], None]:
    def setup(repo: Path, _tmp: Path) -> None:
        target = repo / path
        target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    return setup


def make_dir(path: str) -> Callable[[Path, Path], None]:
    def setup(repo: Path, _tmp: Path) -> None:
        target = repo / path
        if target.exists():
            target.unlink()
        target.mkdir(parents=True)

    return setup


def symlink_out(path: str, make: str = "dir") -> Callable[[Path, Path], None]:
    """Replace ``path`` with a symlink to a copy of it outside the repository."""

    def setup(repo: Path, tmp: Path) -> None:
        target = repo / path
        outside = tmp / "outside" / target.name
        outside.parent.mkdir(parents=True, exist_ok=True)
        target.rename(outside)
        target.symlink_to(outside, target_is_directory=outside.is_dir())

    return setup


def fifo(path: str) -> Callable[[Path, Path], None]:
    def setup(repo: Path, tmp: Path) -> None:
        target = tmp / path if path.startswith("@tmp/") is False else tmp / path[5:]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(target)

    return setup


def committed(setup: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    """``setup``, then a commit: `run` reads the agent's files from the base branch, not the checkout."""

    def run(repo: Path, tmp: Path) -> None:
        setup(repo, tmp)
        for args in (["add", "-A"], ["commit", "-q", "-m", "spoil"]):
            subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True)

    return run


def nested(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


ANALYZE = ("analyze", "--repo", "{repo}")
RUN = ("run", "--repo", "{repo}", "--dry-run", "--analyst", "heuristic")
VALIDATE = ("validate", "--repo", "{repo}")

CLI_CASES = [
    *(
        Case(f"window-hours {v}", (*ANALYZE, "--window-hours", v), 1, ("--window-hours", "hours"))
        for v in ("nan", "inf", "1e300", "1e309", "NaN", "+inf", "1e20", "878401")
    ),
    *(
        Case(f"window-hours {v} (parser)", (*ANALYZE, "--window-hours", v), 2, ("--window-hours",))
        for v in ("-1", "0", "abc", "", "-inf", "1,5", "0x10")
    ),
    *(
        Case(f"run window-hours {v}", (*RUN, "--window-hours", v), 1, ("--window-hours",))
        for v in ("nan", "inf", "1e300")
    ),
    Case("now year 1", (*ANALYZE, "--now", "0001-01-01T00:00:00Z"), 1, ("--now", "year 1")),
    Case("now year 1 date only", (*ANALYZE, "--now", "0001-01-01"), 1, ("--now", "year 1")),
    Case("run now year 1", (*RUN, "--now", "0001-01-01T00:00:00Z"), 1, ("--now", "year 1")),
    Case("now year 1 short window", (*ANALYZE, "--now", "0001-01-01T00:30:00Z", "--window-hours", "1"), 1, ("--now",)),
    *(
        Case(f"now {v!r}", (*ANALYZE, "--now", v), 2, ("--now",))
        for v in (
            "tomorrow",
            "",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-01T25:00:00Z",
            "1e10",
            "now",
            "🙂",
        )
    ),
    Case("report days huge", ("report", "--repo", "{repo}", "--days", "999999999"), 1, ("--days", "year 1")),
    Case("report days 0", ("report", "--repo", "{repo}", "--days", "0"), 2, ("--days",)),
    Case("report days -5", ("report", "--repo", "{repo}", "--days", "-5"), 2, ("--days",)),
    Case("report days text", ("report", "--repo", "{repo}", "--days", "week"), 2, ("--days",)),
    Case("report now year 1", ("report", "--repo", "{repo}", "--now", "0001-01-02T00:00:00Z"), 1, ("--days", "year 1")),
    Case("traces missing", (*ANALYZE, "--traces", "{tmp}/nowhere.jsonl"), 1, ("nowhere.jsonl", "does not exist")),
    Case(
        "traces path holds a secret", (*ANALYZE, "--traces", "{tmp}/" + SECRET_VALUE), 1, ("[secret]", "does not exist")
    ),
    Case("agent holds a secret", (*ANALYZE, "--agent", SECRET_VALUE), 1, ("unknown agent", "[secret]")),
    Case("traces dev null", (*ANALYZE, "--traces", "/dev/null"), 1, ("/dev/null", "not a regular file")),
    Case("traces dev zero", (*ANALYZE, "--traces", "/dev/zero"), 1, ("/dev/zero", "not a regular file")),
    Case("traces fifo", (*ANALYZE, "--traces", "{tmp}/pipe.jsonl"), 1, ("pipe.jsonl", "FIFO"), fifo("pipe.jsonl")),
    Case("traces empty dir", (*ANALYZE, "--traces", "{repo}/souls"), 1, ("souls", "no .jsonl")),
    Case("run traces missing", (*RUN, "--traces", "{tmp}/gone"), 1, ("gone", "does not exist")),
    Case(
        "traces broken gzip",
        (*ANALYZE, "--traces", "{tmp}/t.jsonl.gz"),
        1,
        ("t.jsonl.gz", "cannot read"),
        lambda _r, tmp: (tmp / "t.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage"),
    ),
    Case(
        "traces truncated gzip",
        (*ANALYZE, "--traces", "{tmp}/t.jsonl.gz"),
        1,
        ("t.jsonl.gz", "cannot read"),
        lambda _r, tmp: (tmp / "t.jsonl.gz").write_bytes(gzip.compress(os.urandom(4096))[:2048]),
    ),
    Case(
        "traces not gzip",
        (*ANALYZE, "--traces", "{tmp}/t.jsonl.gz"),
        1,
        ("t.jsonl.gz", "cannot read"),
        lambda _r, tmp: (tmp / "t.jsonl.gz").write_text("plain text\n"),
    ),
    *(
        Case(f"agent {v!r}", (*ANALYZE, "--agent", v), 1, ("unknown agent", "frontdesk"))
        for v in ("ghost", "../souls/frontdesk", ".hidden", "front/desk", "FRONTDESK", "frontdesk.yaml", "a" * 300)
    ),
    Case("run agent ghost", (*RUN, "--agent", "ghost"), 1, ("ghost", "frontdesk")),
    Case("validate agent ghost", (*VALIDATE, "--agent", "ghost"), 1, ("ghost",)),
    Case("repo missing", ("analyze", "--repo", "{tmp}/none"), 1, ("none", "not a directory")),
    Case("repo is a file", ("analyze", "--repo", "{repo}/optimizer.yaml"), 2, ("--repo",)),
    Case(
        "run repo not git",
        ("run", "--dry-run", "--repo", "{tmp}/plain"),
        1,
        ("not a git repository",),
        lambda _r, tmp: write("souls/a.yaml", "name: a\n")(tmp / "plain", tmp),
    ),
    Case("output is a file", (*RUN, "--output", "{repo}/optimizer.yaml"), 2, ("--output",)),
    Case("output under a file", (*RUN, "--output", "{repo}/optimizer.yaml/out"), 1, ("optimizer.yaml", "cannot write")),
    Case(
        "output blocked by a folder",
        (*RUN, "--output", "{tmp}/out"),
        1,
        ("pr-body.md", "in the way"),
        lambda _r, tmp: (tmp / "out" / "pr-body.md").mkdir(parents=True),
    ),
    Case("format bogus", (*ANALYZE, "--format", "xml"), 2, ("--format",)),
    Case("analyst bogus", (*RUN, "--analyst", "gpt"), 2, ("--analyst",)),
    Case("command no event", ("command", "--repo", "{repo}"), 1, ("no event",)),
    Case("command event missing", ("command", "--repo", "{repo}", "--event", "{tmp}/e.json"), 1, ("e.json",)),
    Case(
        "command event not json",
        ("command", "--repo", "{repo}", "--event", "{tmp}/e.json"),
        1,
        ("e.json",),
        lambda _r, tmp: (tmp / "e.json").write_text("{not json"),
    ),
    Case(
        "command event a list",
        ("command", "--repo", "{repo}", "--event", "{tmp}/e.json"),
        1,
        ("e.json",),
        lambda _r, tmp: (tmp / "e.json").write_text("[1, 2]"),
    ),
    Case(
        "command event binary",
        ("command", "--repo", "{repo}", "--event", "{tmp}/e.json"),
        1,
        ("e.json",),
        lambda _r, tmp: (tmp / "e.json").write_bytes(b"\xff\xfe\x00"),
    ),
    Case("deploy at nonsense", ("deploy", "--repo", "{repo}", "--dry-run", "--at", "no-such-ref"), 1, ("no-such-ref",)),
    Case("deploy at main~1", ("deploy", "--repo", "{repo}", "--dry-run", "--at", "main~99"), 1, ("main~99",)),
    Case("rollback unknown agent", ("rollback", "--repo", "{repo}", "ghost"), 1, ("ghost",)),
    Case("rollback to nonsense", ("rollback", "--repo", "{repo}", "frontdesk", "--to", "zzzz"), 1, ("zzzz",)),
    Case("reject unknown proposal", ("reject", "--repo", "{repo}", "frontdesk", "99"), 1, ("99",)),
    Case("diff-cost bad base", ("diff-cost", "--repo", "{repo}", "--base", "nope"), 1, ("nope",)),
    Case("agents ghost", ("agents", "--repo", "{repo}", "--agent", "ghost"), 1, ("ghost",)),
]

CONFIG_CASES = [
    *(
        Case(f"config window.hours {v}", ANALYZE, 1, ("optimizer.yaml", "hours"), config(f"window: {{hours: {v}}}\n"))
        for v in (".nan", ".NaN", ".inf", "-.inf", "1.0e+308", "1e400", "-3", "0", "abc", "[1]", "null")
    ),
    *(
        Case(f"run config window.hours {v}", RUN, 1, ("optimizer.yaml", "hours"), config(f"window: {{hours: {v}}}\n"))
        for v in (".nan", "1.0e+308")
    ),
    Case(
        "config window.now year 1",
        ANALYZE,
        1,
        ("year 1",),
        config("window: {hours: 24, now: '0001-01-01T00:00:00Z'}\n"),
    ),
    Case("config window.now garbage", ANALYZE, 1, ("optimizer.yaml", "now"), config("window: {now: 'soon'}\n")),
    Case("config is a directory", ANALYZE, 1, ("optimizer.yaml", "not a regular file"), make_dir("optimizer.yaml")),
    Case(
        "config symlink outside",
        ANALYZE,
        1,
        ("optimizer.yaml", "outside the repository"),
        symlink_out("optimizer.yaml"),
    ),
    Case("config huge", ANALYZE, 1, ("optimizer.yaml", "MiB"), config("# " + "x" * (2 << 20) + "\n")),
    Case(
        "config duplicate key",
        ANALYZE,
        1,
        ("optimizer.yaml", "line 2", "twice"),
        config("window: {hours: 1}\nwindow: {hours: 2}\n"),
    ),
    Case(
        "config duplicate nested key",
        ANALYZE,
        1,
        ("optimizer.yaml", "hours", "twice"),
        config("window:\n  hours: 1\n  hours: 2\n"),
    ),
    Case("config deep nesting", ANALYZE, 1, ("optimizer.yaml", "nested"), config(nested(5000))),
    Case("config a list", ANALYZE, 1, ("optimizer.yaml", "mapping"), config("- a\n- b\n")),
    Case("config a scalar", ANALYZE, 1, ("optimizer.yaml", "mapping"), config("just text\n")),
    Case("config bad yaml", ANALYZE, 1, ("optimizer.yaml", "invalid YAML"), config("window: [unclosed\n")),
    Case("config tab indent", ANALYZE, 1, ("optimizer.yaml",), config("window:\n\thours: 3\n")),
    Case("config not utf-8", ANALYZE, 1, ("optimizer.yaml", "cannot read"), config(b"window: {hours: \xff}\n")),
    Case(
        "config registry escapes",
        ANALYZE,
        1,
        ("deploy.registry", "outside the repository"),
        config("deploy: {registry: ../../escape.sqlite3}\n"),
    ),
    Case("config lookback huge", ANALYZE, 1, ("lookback_days",), config("measure: {lookback_days: 1.0e+300}\n")),
    Case("config lookback nan", ANALYZE, 1, ("lookback_days",), config("measure: {lookback_days: .nan}\n")),
    Case("config threshold nan", ANALYZE, 1, ("tool_failure_rate",), config("thresholds: {tool_failure_rate: .nan}\n")),
    Case("config threshold 2", ANALYZE, 1, ("tool_failure_rate",), config("thresholds: {tool_failure_rate: 2}\n")),
    Case(
        "config threshold text", ANALYZE, 1, ("tool_failure_rate",), config("thresholds: {tool_failure_rate: high}\n")
    ),
    Case("config min calls float", ANALYZE, 1, ("tool_min_calls",), config("thresholds: {tool_min_calls: 1.5}\n")),
    Case("config max proposals -1", ANALYZE, 1, ("max_proposals",), config("limits: {max_proposals: -1}\n")),
    Case("config source ftp", ANALYZE, 1, ("source",), config("traces: {source: ftp}\n")),
    Case("config analyst gpt", ANALYZE, 1, ("analyst",), config("analyst: gpt\n")),
    Case("config labels number", ANALYZE, 1, ("labels",), config("labels: 5\n")),
    Case("config reviewers string", ANALYZE, 1, ("reviewers",), config("github: {reviewers: alice}\n")),
    Case("config retries -1", ANALYZE, 1, ("max_retries",), config("claude: {max_retries: -1}\n")),
    Case("config price inf", ANALYZE, 1, ("input_usd_per_mtok",), config("pricing: {input_usd_per_mtok: .inf}\n")),
    Case("config guard nan", ANALYZE, 1, ("cost_per_trace",), config("measure: {guards: {cost_per_trace: .nan}}\n")),
    Case("config traces path a number", ANALYZE, 1, ("path",), config("traces: {path: 5}\n")),
    Case("config traces path missing", ANALYZE, 1, ("nowhere", "does not exist"), config("traces: {path: nowhere}\n")),
    Case(
        "config traces path dev null",
        ANALYZE,
        1,
        ("/dev/null", "not a regular file"),
        config("traces: {path: /dev/null}\n"),
    ),
    Case("config unknown section", ANALYZE, 1, ("optimizer.yaml",), config("windw: {hours: 3}\n")),
    Case(
        "config anchors bomb",
        ANALYZE,
        1,
        ("optimizer.yaml",),
        config("labels: &a [x, x, x, x, x, x, x, x, x]\ngithub: {reviewers: [*a, *a, *a, *a, *a, *a, *a, *a]}\n"),
    ),
]

ARTIFACT_CASES = [
    Case("soul name 123 validate", VALIDATE, 1, ("error(s)",), replace_in(SOUL, "name: frontdesk", "name: 123")),
    Case("soul name 123 run", RUN, 1, (SOUL, "name"), committed(replace_in(SOUL, "name: frontdesk", "name: 123"))),
    Case("soul name 123 analyze", ANALYZE, 1, (SOUL, "name"), replace_in(SOUL, "name: frontdesk", "name: 123")),
    Case("soul faq a string run", RUN, 1, (SOUL, "faq"), committed(replace_in(SOUL, "faq:", "faq: oops\nold_faq:"))),
    Case("soul deep nesting", VALIDATE, 1, (SOUL, "nested"), write(SOUL, nested(5000))),
    Case("soul deep nesting run", RUN, 1, (SOUL, "nested"), committed(write(SOUL, nested(5000)))),
    Case("soul deep nesting analyze", ANALYZE, 1, (SOUL, "nested"), write(SOUL, nested(5000))),
    Case(
        "soul deep block nesting",
        VALIDATE,
        1,
        (SOUL, "nested"),
        write(SOUL, "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n"),
    ),
    Case("soul duplicate key", VALIDATE, 1, (SOUL, "twice"), write(SOUL, "name: a\nname: b\n")),
    Case("soul duplicate key run", RUN, 1, (SOUL, "twice"), committed(write(SOUL, "name: a\nname: b\n"))),
    Case("soul huge", VALIDATE, 1, (SOUL, "MiB"), write(SOUL, "name: frontdesk\n# " + "x" * (30 << 20) + "\n")),
    Case(
        "soul huge run",
        RUN,
        1,
        (SOUL, "MiB"),
        committed(write(SOUL, "name: frontdesk\nfaq: []\n" + "# pad\n" * 400_000)),
    ),
    Case("soul is a directory", VALIDATE, 1, (SOUL, "directory"), make_dir(SOUL)),
    Case(
        "soul is a directory run",
        RUN,
        1,
        (SOUL, "directory"),
        committed(lambda repo, tmp: (make_dir(SOUL)(repo, tmp), write(SOUL + "/inside.yaml", "name: x\n")(repo, tmp))),
    ),
    Case("souls symlink outside", VALIDATE, 1, ("souls", "outside the repository"), symlink_out("souls")),
    Case("souls symlink outside run", RUN, 1, ("souls", "symlink"), committed(symlink_out("souls"))),
    Case("soul symlink outside", VALIDATE, 1, (SOUL, "outside the repository"), symlink_out(SOUL)),
    Case(
        "prompts symlink outside",
        VALIDATE,
        1,
        ("prompts/frontdesk", "outside the repository"),
        symlink_out("prompts/frontdesk"),
    ),
    Case(
        "prompts symlink outside run",
        RUN,
        1,
        ("prompts/frontdesk", "symlink"),
        committed(symlink_out("prompts/frontdesk")),
    ),
    Case("prompt symlink outside", VALIDATE, 1, (SYSTEM, "outside the repository"), symlink_out(SYSTEM)),
    Case("soul a list", VALIDATE, 1, (SOUL, "mapping"), write(SOUL, "- a\n- b\n")),
    Case("soul empty", VALIDATE, 1, (SOUL, "mapping"), write(SOUL, "")),
    Case("soul bad yaml", VALIDATE, 1, (SOUL, "invalid YAML"), write(SOUL, "name: [unclosed\n")),
    Case("soul not utf-8", VALIDATE, 1, (SOUL, "cannot read"), write(SOUL, b"name: \xff\xfe\n")),
    Case("soul nan", VALIDATE, 1, (SOUL, "finite"), write(SOUL, "name: frontdesk\nweight: .nan\n")),
    Case(
        "soul yaml and yml",
        VALIDATE,
        1,
        ("souls/frontdesk.yml", "both exist"),
        write("souls/frontdesk.yml", "name: x\n"),
    ),
    Case("soul fifo", VALIDATE, 1, ("souls/other.yaml",), lambda repo, _t: os.mkfifo(repo / "souls" / "other.yaml")),
    Case(
        "prompt front matter unclosed", VALIDATE, 1, (SYSTEM, "front matter"), write(SYSTEM, "---\ntools: [a]\nbody\n")
    ),
    Case("prompt front matter a list", VALIDATE, 1, (SYSTEM, "mapping"), write(SYSTEM, "---\n- a\n---\nbody\n")),
    Case("prompt tools not strings", VALIDATE, 1, (SYSTEM, "tools"), write(SYSTEM, "---\ntools: [1, 2]\n---\nbody\n")),
    Case(
        "prompt front matter duplicate",
        VALIDATE,
        1,
        (SYSTEM, "line 3", "twice"),
        write(SYSTEM, "---\ntools: [a]\ntools: [b]\n---\nbody\n"),
    ),
    Case(
        "prompt front matter deep",
        VALIDATE,
        1,
        (SYSTEM, "nested"),
        write(SYSTEM, "---\n" + nested(5000) + "---\nbody\n"),
    ),
    Case("prompt huge", VALIDATE, 1, (SYSTEM, "MiB"), write(SYSTEM, "body\n" + "x" * (2 << 20))),
    Case("prompt is a directory", VALIDATE, 1, (SYSTEM, "directory"), make_dir(SYSTEM)),
    Case("prompt not utf-8", VALIDATE, 1, (SYSTEM, "cannot read"), write(SYSTEM, b"\xff\xfe body")),
]

ALL_CASES = CLI_CASES + CONFIG_CASES + ARTIFACT_CASES


@pytest.mark.parametrize("case", ALL_CASES, ids=[case.name for case in ALL_CASES])
def test_bad_input_gets_one_clear_line(case: Case, repo: Path, tmp_path: Path, run_cli) -> None:
    if case.setup is not None:
        case.setup(repo, tmp_path)
    args = [arg.replace("{repo}", str(repo)).replace("{tmp}", str(tmp_path)) for arg in case.args]
    result = run_cli(*args)
    assert result.code == case.code, (result.code, result.err[-2000:])
    assert "Traceback" not in result.err
    assert SECRET_VALUE not in result.out + result.err  # a log line is redacted like everything else
    lines = result.err.strip().splitlines()
    if case.code == 1:
        errors = [line for line in lines if line.startswith("optimizer: error: ")]
        assert len(errors) == 1 and lines[-1] == errors[0], result.err[-2000:]
        assert not [line for line in lines if "unexpected error" in line]
    else:
        assert lines[-1].startswith("Error: "), result.err
    for needle in case.needles:
        assert needle in lines[-1], (needle, lines[-1])


# Trace lines that break the contract: (what is wrong, the record, what the reason says).
GOOD = {"trace_id": "t-1", "agent": "frontdesk", "started_at": "2026-11-19T10:00:00Z"}
BAD_LINES: list[tuple[str, object, str]] = [
    ("an array", [1, 2], "not a JSON object"),
    ("a string", "hello", "not a JSON object"),
    ("a number", 42, "not a JSON object"),
    ("null", None, "not a JSON object"),
    ("no trace_id", {k: v for k, v in GOOD.items() if k != "trace_id"}, "trace_id"),
    ("empty trace_id", {**GOOD, "trace_id": ""}, "trace_id"),
    ("trace_id a number", {**GOOD, "trace_id": 7}, "trace_id"),
    ("no agent", {k: v for k, v in GOOD.items() if k != "agent"}, "agent"),
    ("agent climbs out", {**GOOD, "agent": "../etc"}, "agent"),
    ("agent with a space", {**GOOD, "agent": "front desk"}, "agent"),
    ("agent a list", {**GOOD, "agent": ["frontdesk"]}, "agent"),
    ("no started_at", {k: v for k, v in GOOD.items() if k != "started_at"}, "started_at is missing"),
    ("started_at a secret", {**GOOD, "started_at": SECRET_VALUE}, "started_at is not an ISO 8601 timestamp"),
    ("started_at a date", {**GOOD, "started_at": "2026-11-19"}, "started_at has no time of day"),
    ("started_at a number", {**GOOD, "started_at": 1718000000}, "started_at must be"),
    ("started_at year 1 text", {**GOOD, "started_at": "0001-13-01T00:00:00Z"}, "started_at is not"),
    ("ended_at garbage", {**GOOD, "ended_at": "later"}, "ended_at is not"),
    ("session_id a number", {**GOOD, "session_id": 5}, "session_id"),
    ("prompt_version a list", {**GOOD, "prompt_version": ["main~1"]}, "prompt_version"),
    ("model an object", {**GOOD, "model": {"x": 1}}, "model"),
    ("channel true", {**GOOD, "channel": True}, "channel"),
    ("usage a string", {**GOOD, "usage": "lots"}, "usage must be"),
    ("usage negative", {**GOOD, "usage": {"input_tokens": -1}}, "usage.input_tokens"),
    ("usage fraction", {**GOOD, "usage": {"output_tokens": 1.5}}, "usage.output_tokens"),
    ("usage text", {**GOOD, "usage": {"cache_read_input_tokens": "9"}}, "usage.cache_read_input_tokens"),
    ("cost negative", {**GOOD, "cost_usd": -1}, "cost_usd"),
    ("cost text", {**GOOD, "cost_usd": "0.1"}, "cost_usd"),
    ("cost true", {**GOOD, "cost_usd": True}, "cost_usd"),
    ("latency negative", {**GOOD, "latency_ms": -5}, "latency_ms"),
    ("tool_calls an object", {**GOOD, "tool_calls": {"name": "x"}}, "tool_calls must be"),
    ("tool call a string", {**GOOD, "tool_calls": ["x"]}, "tool_calls[0]"),
    ("tool call no name", {**GOOD, "tool_calls": [{"ok": True}]}, "tool_calls[0].name"),
    ("tool call ok yes", {**GOOD, "tool_calls": [{"name": "x", "ok": "yes"}]}, "tool_calls[0].ok"),
    ("tool call error number", {**GOOD, "tool_calls": [{"name": "x", "error": 500}]}, "tool_calls[0].error"),
    ("tool call latency text", {**GOOD, "tool_calls": [{"name": "x", "latency_ms": "1"}]}, "tool_calls[0].latency_ms"),
    ("messages a string", {**GOOD, "messages": "hi"}, "messages must be"),
    ("message a number", {**GOOD, "messages": [1]}, "messages[0]"),
    ("message no role", {**GOOD, "messages": [{"content": "hi"}]}, "messages[0].role"),
    ("message content number", {**GOOD, "messages": [{"role": "user", "content": 1}]}, "messages[0].content"),
    ("message at number", {**GOOD, "messages": [{"role": "user", "at": 1}]}, "messages[0].at"),
    ("escalated yes", {**GOOD, "escalated": "yes"}, "escalated"),
    ("owner_corrected 1", {**GOOD, "owner_corrected": 1}, "owner_corrected"),
    ("sentiment a secret", {**GOOD, "sentiment": SECRET_VALUE}, "sentiment must be one of"),
    ("feedback a secret", {**GOOD, "feedback": SECRET_VALUE}, "feedback must be"),
    ("error a string", {**GOOD, "error": "boom"}, "error must be"),
    ("error type number", {**GOOD, "error": {"type": 1}}, "error.type"),
    ("metadata a list", {**GOOD, "metadata": [1]}, "metadata"),
]
RAW_LINES = [
    ("not json", "{oops", "not valid JSON"),
    ("truncated json", '{"trace_id": "t-1", "agent": "front', "not valid JSON"),
    ("binary garbage", "\x00\x01\x02", "not valid JSON"),
    (
        "nan literal",
        '{"trace_id": "t", "agent": "a", "started_at": "2026-11-19T10:00:00Z", "cost_usd": NaN}',
        "not valid",
    ),
    ("a secret as json", SECRET_VALUE, "not valid JSON"),
]


def _one_bad_line(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "traces.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + line + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "reason"),
    [(json.dumps(record), reason) for _, record, reason in BAD_LINES] + [(raw, reason) for _, raw, reason in RAW_LINES],
    ids=[name for name, _, _ in BAD_LINES] + [name for name, _, _ in RAW_LINES],
)
def test_a_bad_trace_line_is_skipped_counted_and_named(line: str, reason: str, repo: Path, tmp_path: Path, run_cli):
    traces = _one_bad_line(tmp_path, line)
    result = run_cli("analyze", "--repo", repo, "--traces", traces, "--window-hours", "100", "--format", "json")
    assert result.code == 0, result.err
    source = json.loads(result.out)["source"]
    assert (source["skipped"], source["traces_in_window"]) == (1, 1)
    [example] = source["skipped_examples"]
    assert example["file"].endswith("traces.jsonl") and example["line"] == 2
    assert example["reason"].startswith(reason), example["reason"]
    assert SECRET_VALUE not in result.out + result.err


def test_duplicate_trace_ids_are_counted_once_and_reported(repo: Path, tmp_path: Path, run_cli):
    traces = tmp_path / "traces.jsonl"
    traces.write_text("".join(json.dumps({**GOOD, "cost_usd": 0.5}) + "\n" for _ in range(100)), encoding="utf-8")
    result = run_cli("analyze", "--repo", repo, "--traces", traces, "--window-hours", "100", "--format", "json")
    assert result.code == 0, result.err
    analysis = json.loads(result.out)
    assert (analysis["source"]["traces_in_window"], analysis["source"]["skipped"]) == (1, 99)
    assert "duplicate" in analysis["source"]["skipped_examples"][0]["reason"]


def test_a_cost_that_overflows_still_gives_valid_json(repo: Path, tmp_path: Path, run_cli):
    traces = tmp_path / "traces.jsonl"
    lines = [json.dumps({**GOOD, "trace_id": f"t-{i}", "cost_usd": 1e308}) for i in range(3)]
    traces.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("analyze", "--repo", repo, "--traces", traces, "--window-hours", "100", "--format", "json")
    assert result.code == 0, result.err
    assert "Infinity" not in result.out and "NaN" not in result.out
    json.loads(result.out, parse_constant=lambda name: pytest.fail(f"{name} in JSON output"))


def test_the_suite_tries_at_least_150_bad_inputs():
    assert len(ALL_CASES) + len(BAD_LINES) + len(RAW_LINES) >= 150
