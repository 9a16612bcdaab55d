#!/usr/bin/env python3
"""The closed loop, simulated: does the agent get better, day after day?

A world whose behaviour follows the agent's files, the real ``optimizer run``, a reviewer, a
deploy, the next day. The agent is ``shopdesk``, the chat assistant of a bike shop, with five
defects a prompt or soul edit can fix:

- **gift cards**: seven phrasings of one topic (gift card, voucher, gift certificate, present
  card...) the agent cannot answer; an FAQ entry with a real answer makes them answered.
- **a flaky tool**: ``check_stock`` times out on a third of its calls; a soul rule to retry it
  once lowers the failures users see (a turn fails only when the last call failed).
- **a duplicated block** in the system prompt: removing it lowers input tokens on every turn.
- **an unused declared tool**: ``schedule_repair`` is declared and never called; removing it
  from the front matter ends the finding.
- **refunds**, escalated 85% of the time: an FAQ entry with a real answer lets the agent answer
  them, and escalations fall.

Staff reply after a hand-off (messages with role ``human``), so the answers the FAQ needs exist
in the traces. A decoy gap (holiday opening hours) is rejected by the reviewer on purpose. Later,
a person ships a bad prompt change (a verbose block, +35% input tokens) and, separately, code
makes every turn cost 35% more; the reviewer accepts that regression on its third report.

Each simulated day: traces of the day under the deployed version (the base branch's tip), then
``optimizer run`` over the last 48 hours, then the reviewer: cherry-picks each sound proposal
onto the base branch, writes any answer left to the owner, rejects the decoy (``optimizer
reject``), merges a proposed revert, accepts the code regression (``optimizer accept``). The
base branch's new tip is the next day's version.

The healthy scenario runs the same agent with no defects and a harmless second version (day 3),
compared with the first over every day so far: its findings and "worse" verdicts are false alarms.

    python bench/closed_loop.py              # 14 days, then 30 healthy days
    python bench/closed_loop.py --days 6 --healthy-days 0
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

AGENT = "shopdesk"
START = datetime(2026, 10, 1, tzinfo=UTC)
TRACES_PER_DAY = 400
PRICE_INPUT = 3.0 / 1_000_000
PRICE_OUTPUT = 15.0 / 1_000_000
FIXABLE = ("gift_card", "flaky_tool", "duplicate_block", "unused_tool", "refund_escalation")
BAD_CHANGE_DAY = 8  # a person merges a verbose prompt block
HEALTHY_CHANGE_DAY = 3
HEALTHY_LOOKBACK_DAYS = 45
CODE_REGRESSION_DAY = 10  # code makes every turn 35% dearer, with a harmless soul tweak deployed
ACCEPT_AFTER_REPORTS = 3

GIFT_CARD = (
    "Do you sell gift cards?",
    "Can I buy a voucher for a friend?",
    "Do you have gift certificates?",
    "Is there a present card I can give someone?",
    "Can I get a gift voucher for my brother's birthday?",
    "Do you do e-gift cards?",
    "How do gift cards work here?",
)
GIFT_CARD_ANSWER = (
    "Yes: gift cards from £10 to £200, bought online or in the shop, valid for two years and usable on bikes, "
    "parts and servicing."
)
REFUND = (
    "How do I get a refund for my order?",
    "Can I return this helmet and get my money back?",
    "I want a refund, the bell arrived broken.",
    "What is your refund policy?",
)
REFUND_ANSWER = (
    "Any item can be returned within 30 days for a full refund: start the return from your order page and we "
    "email a free label; the refund reaches your card within five working days."
)
HOLIDAY = (
    "Are you open on bank holidays?",
    "What are your opening hours on bank holiday Monday?",
    "Is the shop open on Easter Monday?",
)
ANSWERED = (
    ("Do you deliver to Scotland?", "Yes, we deliver across the UK in two to three working days."),
    ("What size frame do I need for 175 cm?", "A medium frame (54 cm road, 17 inch mountain) fits 170-180 cm."),
    ("Can I collect my order in the shop?", "Yes, choose click and collect at checkout; it is ready in two hours."),
)
DONT_KNOW = "I'm sorry, I don't have information about that. Let me pass you to a colleague."
RETRY_WORDS = ("retry", "try again")

SOUL = """\
name: shopdesk
description: Chat assistant of Harbour Cycles, a bike shop with a workshop and a web store.
personality: Friendly, practical, knows bikes.
tone: Plain British English, short answers.
always_do:
  - Confirm the order number before changing an order.
never_do:
  - Never take card details in the chat.
escalation:
  - The customer asks to speak to a person.
faq:
  - question: Do you deliver to Scotland?
    answer: Yes, we deliver across the UK in two to three working days.
closing: Thank the customer and wish them good rides.
"""
DUPLICATE = (
    "Always check stock with check_stock before promising a delivery date, and quote the delivery date the tool "
    "returns, never an estimate of your own; if the tool gives no date, say you will confirm by email."
)
PROMPT = f"""\
---
tools: [check_stock, place_order, schedule_repair]
required_placeholders: []
---
# Harbour Cycles: shop assistant

You answer customers of Harbour Cycles on the web chat. Be brief and helpful.

{DUPLICATE}

## Orders

Use place_order only after the customer confirms the items and the address.

{DUPLICATE}
"""
VERBOSE = (
    "\n## Style guide\n\n"
    + " ".join(["Write in full, warm sentences and restate the customer's question before answering it."] * 40)
    + "\n"
)
CONFIG = """\
traces: {source: jsonl, path: traces}
window: {hours: 48}
analyst: heuristic
limits: {max_proposals: 5}
measure: {lookback_days: LOOKBACK}
labels: [optimizer]
"""


# --- the world: what the agent does, given its files -------------------------------------------------


@dataclass(frozen=True)
class Behaviour:
    """What the deployed files make the agent do."""

    answers: dict[str, str]  # topic -> the FAQ answer the agent gives
    retries_stock: bool
    declared_tools: tuple[str, ...]
    prompt_tokens: int
    duplicate: bool

    @classmethod
    def of(cls, repo: Path) -> Behaviour:
        soul = yaml.safe_load((repo / "souls" / f"{AGENT}.yaml").read_text(encoding="utf-8")) or {}
        prompt = (repo / "prompts" / AGENT / "system.md").read_text(encoding="utf-8")
        front = yaml.safe_load(prompt.split("---", 2)[1]) or {}
        answers = {}
        for entry in soul.get("faq") or ():
            topic = world_topic(str(entry.get("question", "")))
            answer = str(entry.get("answer") or "")
            if topic and not answer.startswith("TODO"):
                answers[topic] = answer
        rules = " ".join(str(rule) for rule in soul.get("always_do") or ()).lower()
        text = prompt + (repo / "souls" / f"{AGENT}.yaml").read_text(encoding="utf-8")
        return cls(
            answers=answers,
            retries_stock="check_stock" in rules and any(word in rules for word in RETRY_WORDS),
            declared_tools=tuple(front.get("tools") or ()),
            prompt_tokens=len(text) // 4 + 1200,
            duplicate=prompt.count(DUPLICATE) > 1,
        )


def world_topic(question: str) -> str | None:
    """The world's own reading of a question (the optimizer never sees this)."""
    text = question.lower()
    if any(word in text for word in ("gift", "voucher", "present card", "certificate")):
        return "gift_card"
    if "refund" in text or "money back" in text or "return" in text:
        return "refund"
    if "holiday" in text or "easter" in text:
        return "holiday"
    return None


def defects_fixed(behaviour: Behaviour) -> dict[str, bool]:
    return {
        "gift_card": "gift_card" in behaviour.answers,
        "flaky_tool": behaviour.retries_stock,
        "duplicate_block": not behaviour.duplicate,
        "unused_tool": "schedule_repair" not in behaviour.declared_tools,
        "refund_escalation": "refund" in behaviour.answers,
    }


@dataclass
class DayFigures:
    traces: int = 0
    cost: float = 0.0
    questions: int = 0
    unanswered: int = 0
    turns_with_stock: int = 0
    stock_failed_turns: int = 0
    escalated: int = 0


def day_traces(
    day: int, version: str, behaviour: Behaviour, *, healthy: bool, seed: int
) -> tuple[list[dict], DayFigures]:
    """One day of traces under ``behaviour``, and what users experienced."""
    rng = random.Random(seed * 1000 + day)
    figures = DayFigures()
    traces = []
    day_start = START + timedelta(days=day)
    cost_factor = 1.35 if (not healthy and day >= CODE_REGRESSION_DAY) else 1.0
    for n in range(TRACES_PER_DAY):
        started = day_start + timedelta(seconds=n * 86400 / TRACES_PER_DAY + rng.random() * 60)
        trace = _conversation(rng, behaviour, healthy, f"d{day:02d}-{n:04d}")
        tokens = behaviour.prompt_tokens + rng.randint(150, 400)
        output = rng.randint(60, 200)
        cost = (tokens * PRICE_INPUT + output * PRICE_OUTPUT) * cost_factor * rng.uniform(0.95, 1.05)
        trace.update(
            agent=AGENT,
            started_at=started.isoformat().replace("+00:00", "Z"),
            prompt_version=version,
            model="claude-sonnet-4-5",
            channel="web",
            usage={"input_tokens": tokens, "output_tokens": output},
            cost_usd=round(cost, 6),
            latency_ms=rng.randint(800, 2400),
        )
        traces.append(trace)
        _tally(figures, trace, cost)
    return traces, figures


def _conversation(rng: random.Random, b: Behaviour, healthy: bool, trace_id: str) -> dict[str, Any]:
    roll = rng.random()
    escalate = rng.random() < 0.04
    calls: list[dict[str, Any]] = []
    messages: list[dict[str, Any]]
    if not healthy and roll < 0.06:
        question = rng.choice(GIFT_CARD)
        messages, escalate = _gap(rng, question, b.answers.get("gift_card"), GIFT_CARD_ANSWER, escalate)
    elif not healthy and roll < 0.14:
        question = rng.choice(REFUND)
        answer = b.answers.get("refund")
        escalate = rng.random() < (0.2 if answer else 0.85)
        reply = answer or "I understand. I'll pass you to a colleague who can help with refunds."
        messages = [_msg("user", question), _msg("assistant", reply)]
        if escalate:
            messages.append(_msg("human", REFUND_ANSWER))
    elif not healthy and roll < 0.17:
        question = rng.choice(HOLIDAY)
        messages = [_msg("user", question), _msg("assistant", DONT_KNOW)]
    elif roll < 0.55:
        question = "Do you have the Trek Domane in a 56 cm frame?"
        calls = _stock_calls(rng, b.retries_stock, healthy)
        ok = calls[-1]["ok"]
        reply = "Yes, it is in stock and ships tomorrow." if ok else "Sorry, I can't check stock right now."
        messages = [_msg("user", question), _msg("assistant", reply)]
    else:
        question, answer = rng.choice(ANSWERED)
        messages = [_msg("user", question), _msg("assistant", answer)]
        if rng.random() < 0.3:
            calls = [{"name": "place_order", "ok": True, "latency_ms": rng.randint(200, 500)}]
    return {
        "trace_id": trace_id,
        "session_id": f"s-{trace_id}",
        "tool_calls": calls,
        "messages": messages,
        "escalated": escalate,
        "sentiment": "neutral",
        "metadata": {"question": question},
    }


def _gap(
    rng: random.Random, question: str, answer: str | None, staff_answer: str, escalate: bool
) -> tuple[list[dict[str, Any]], bool]:
    if answer:
        return [_msg("user", question), _msg("assistant", answer)], escalate
    messages = [_msg("user", question), _msg("assistant", DONT_KNOW)]
    if rng.random() < 0.6:
        messages.append(_msg("human", staff_answer))
        escalate = True
    return messages, escalate


def _stock_calls(rng: random.Random, retries: bool, healthy: bool) -> list[dict[str, Any]]:
    failure = 0.02 if healthy else 0.33
    calls = [_stock(rng, failure)]
    if retries and not calls[0]["ok"]:
        calls.append({**_stock(rng, failure), "retry": True})
    return calls


def _stock(rng: random.Random, failure: float) -> dict[str, Any]:
    if rng.random() < failure:
        return {"name": "check_stock", "ok": False, "error": "Timeout after 3000ms", "latency_ms": 3000}
    return {"name": "check_stock", "ok": True, "latency_ms": rng.randint(150, 600)}


def _msg(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def _tally(figures: DayFigures, trace: dict[str, Any], cost: float) -> None:
    figures.traces += 1
    figures.cost += cost
    figures.escalated += bool(trace["escalated"])
    messages = trace["messages"]
    if world_topic(messages[0]["content"]) in ("gift_card", "refund", "holiday"):
        figures.questions += 1
        figures.unanswered += messages[1]["content"] in (DONT_KNOW,) or "pass you" in messages[1]["content"]
    stock = [c for c in trace["tool_calls"] if c["name"] == "check_stock"]
    if stock:
        figures.turns_with_stock += 1
        figures.stock_failed_turns += not stock[-1]["ok"]


# --- the repo, the optimizer, the reviewer -----------------------------------------------------------


def git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    if check and done.returncode:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def optimizer(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ANTHROPIC_", "SUPABASE_"))}
    env["CI"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args, "--repo", str(repo)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def make_repo(root: Path, *, healthy: bool) -> Path:
    repo = root / "shop"
    (repo / "souls").mkdir(parents=True)
    (repo / "prompts" / AGENT).mkdir(parents=True)
    (repo / "souls" / f"{AGENT}.yaml").write_text(SOUL, encoding="utf-8")
    prompt = PROMPT if not healthy else PROMPT.replace(f"\n{DUPLICATE}\n", "\n", 1).replace(", schedule_repair", "")
    (repo / "prompts" / AGENT / "system.md").write_text(prompt, encoding="utf-8")
    # the healthy agent compares its two versions over every day so far: samples grow, daily re-tests
    lookback = str(HEALTHY_LOOKBACK_DAYS if healthy else 7)
    (repo / "optimizer.yaml").write_text(CONFIG.replace("LOOKBACK", lookback), encoding="utf-8")
    (repo / ".gitignore").write_text("traces/\n.optimizer/\nout/\n", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "shopdesk: first version")
    return repo


@dataclass
class Proposed:
    day: int
    fingerprint: str
    target: str  # what it changes, as the world reads it: near-duplicates share it
    title: str
    kind: str  # the finding kind it answers


@dataclass
class Log:
    days: list[dict[str, Any]] = field(default_factory=list)
    decided: dict[str, tuple[int, str]] = field(default_factory=dict)  # fingerprint or target -> (day, outcome)
    repeated: list[str] = field(default_factory=list)
    failed_to_apply: list[str] = field(default_factory=list)
    fixed_on: dict[str, int] = field(default_factory=dict)
    regression_reports: list[int] = field(default_factory=list)
    revert_proposed_on: int | None = None
    accepted_on: int | None = None
    worse_verdicts: int = 0
    verdicts: int = 0


def run_day(repo: Path, day: int, log: Log, *, healthy: bool, seed: int) -> None:
    version = git(repo, "rev-parse", "HEAD")
    behaviour = Behaviour.of(repo)
    for defect, fixed in defects_fixed(behaviour).items():
        if fixed and defect not in log.fixed_on:
            log.fixed_on[defect] = day - 1  # deployed at the end of the day before
    traces, figures = day_traces(day, version, behaviour, healthy=healthy, seed=seed)
    write_traces(repo / "traces" / f"day-{day:02d}.jsonl", traces)
    now = (START + timedelta(days=day + 1)).isoformat().replace("+00:00", "Z")
    out = repo / "out" / f"day-{day:02d}"
    done = optimizer(repo, "run", "--agent", AGENT, "--now", now, "--output", str(out))
    if done.returncode:
        raise RuntimeError(f"day {day}: optimizer run failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    findings = json.loads((out / "findings.json").read_text())["agents"][0]["findings"]
    proposals = json.loads((out / "proposals.json").read_text())
    row = _day_row(day, figures, findings, proposals)
    _record_measurement(log, done.stderr)
    proposed = [_proposed(day, p, findings) for p in proposals["proposals"]]
    _count_repeats(log, proposed)
    if any(f["kind"] == "cost_regression" for f in findings) or "cost per trace" in _last_change(done.stderr):
        log.regression_reports.append(day)
    if not healthy:
        row["merged"] = review(repo, day, log, proposed)
    log.days.append(row)


def _day_row(day: int, figures: DayFigures, findings: list[dict], proposals: dict) -> dict[str, Any]:
    return {
        "day": day,
        "findings": ", ".join(sorted({f["kind"] for f in findings})) or "-",
        "proposals": len(proposals["proposals"]),
        "merged": 0,
        "cost_per_trace": figures.cost / figures.traces,
        "unanswered_rate": figures.unanswered / figures.questions if figures.questions else 0.0,
        "failure_rate": figures.stock_failed_turns / figures.turns_with_stock if figures.turns_with_stock else 0.0,
        "escalation_rate": figures.escalated / figures.traces,
    }


def _last_change(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if ": last change: " in line]
    return lines[-1] if lines else ""


def _record_measurement(log: Log, stderr: str) -> None:
    summary = _last_change(stderr)
    if "nothing to compare" in summary or not summary:
        return
    log.verdicts += 1
    log.worse_verdicts += ": worse" in summary or "worse;" in summary


def _proposed(day: int, proposal: dict[str, Any], findings: list[dict]) -> Proposed:
    edit = proposal["edit"]
    kinds = {f["key"]: f["kind"] for f in findings}
    kind = next((kinds.get(k, k.split(":")[0]) for k in proposal["finding_keys"]), "?")
    if edit["op"] == "add_faq":
        target = f"faq:{world_topic(edit.get('question', '')) or edit.get('question', '')}"
    elif edit["op"] == "append_item":
        target = f"{edit.get('field')}:{' '.join(sorted(set(re.findall(r'[a-z_]{4,}', edit.get('new', '').lower()))))}"
    else:
        target = f"{edit['op']}:{edit['path']}:{(edit.get('old') or '')[:60]}"
    return Proposed(day, proposal["fingerprint"], target, proposal["title"], kind)


def _count_repeats(log: Log, proposed: list[Proposed]) -> None:
    for p in proposed:
        for key in (p.fingerprint, p.target):
            if key in log.decided:
                decided_day, outcome = log.decided[key]
                log.repeated.append(f"day {p.day}: {p.title} ({outcome} on day {decided_day})")
                break


def review(repo: Path, day: int, log: Log, proposed: list[Proposed]) -> int:
    """Cherry-pick each sound proposal, write the answers asked for, reject the decoy, merge a revert."""
    merged = 0
    branch = f"optimizer/{AGENT}"
    commits = git(repo, "rev-list", "--reverse", f"main..{branch}", check=False).split()
    by_fingerprint = {p.fingerprint: p for p in proposed}
    for sha in commits:
        message = git(repo, "log", "-1", "--format=%B", sha)
        found = re.search(r"^Optimizer-Fingerprint:\s*(\S+)", message, re.MULTILINE)
        proposal = by_fingerprint.get(found.group(1)) if found else None
        if proposal is None:
            continue
        if proposal.target.startswith("faq:holiday") or "holiday" in proposal.title.lower():
            optimizer(repo, "reject", AGENT, proposal.fingerprint, "--reason", "We do not publish holiday hours.")
            _decide(log, proposal, day, "rejected")
            continue
        git(repo, "cherry-pick", "-x", sha, check=False)
        if _conflicted(repo):
            git(repo, "cherry-pick", "--abort", check=False)
            log.failed_to_apply.append(f"day {day}: {proposal.title}")
            continue
        write_answers(repo)
        _decide(log, proposal, day, "merged")
        merged += 1
    merged += _merge_revert(repo, day, log)
    _accept_regression(repo, day, log)
    return merged


def _conflicted(repo: Path) -> bool:
    return (
        bool(git(repo, "diff", "--name-only", "--diff-filter=U", check=False))
        or (repo / ".git" / "CHERRY_PICK_HEAD").exists()
    )


def _decide(log: Log, proposal: Proposed, day: int, outcome: str) -> None:
    log.decided[proposal.fingerprint] = (day, outcome)
    log.decided[proposal.target] = (day, outcome)


def write_answers(repo: Path) -> None:
    """The reviewer writes every answer left to the owner in place (one line), in a commit of their own."""
    path = repo / "souls" / f"{AGENT}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    question = ""
    changed = False
    for index, line in enumerate(lines):
        stripped = line.strip().removeprefix("- ")
        if stripped.startswith("question:"):
            question = stripped
        elif stripped.startswith("answer:") and "TODO" in stripped and world_topic(question) in ("gift_card", "refund"):
            indent = line[: len(line) - len(line.lstrip())]
            dash = "- " if line.strip().startswith("- ") else ""
            answer = GIFT_CARD_ANSWER if world_topic(question) == "gift_card" else REFUND_ANSWER
            lines[index] = f"{indent}{dash}answer: {json.dumps(answer, ensure_ascii=False)}\n"
            changed = True
    if changed:
        path.write_text("".join(lines), encoding="utf-8")
        git(repo, "commit", "-q", "-am", "shopdesk: write the FAQ answers the optimizer asked for")


def _merge_revert(repo: Path, day: int, log: Log) -> int:
    branch = f"optimizer/rollback-{AGENT}"
    if not git(repo, "rev-parse", "--verify", "--quiet", branch, check=False):
        return 0
    commits = git(repo, "rev-list", f"main..{branch}", check=False).split()
    if not commits:
        return 0
    if log.revert_proposed_on is None:
        log.revert_proposed_on = day
    if day < CODE_REGRESSION_DAY:  # the bad prompt change: revert it
        git(repo, "cherry-pick", "-x", commits[-1], check=False)
        if _conflicted(repo):
            git(repo, "cherry-pick", "--abort", check=False)
            return 0
        git(repo, "branch", "-D", branch, check=False)
        return 1
    return 0


def _accept_regression(repo: Path, day: int, log: Log) -> None:
    reports = [d for d in log.regression_reports if d >= CODE_REGRESSION_DAY]
    if log.accepted_on is None and len(reports) >= ACCEPT_AFTER_REPORTS:
        optimizer(repo, "accept", AGENT, "cost_regression", "--reason", "The new retrieval costs more; worth it.")
        log.accepted_on = day


def plant(repo: Path, day: int) -> None:
    """The changes people make outside the loop."""
    if day == BAD_CHANGE_DAY:
        path = repo / "prompts" / AGENT / "system.md"
        path.write_text(path.read_text(encoding="utf-8") + VERBOSE, encoding="utf-8")
        git(repo, "commit", "-q", "-am", "shopdesk: a style guide for warmer answers")
    if day == CODE_REGRESSION_DAY:
        path = repo / "souls" / f"{AGENT}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("short answers.", "short answers, kindly."))
        git(repo, "commit", "-q", "-am", "shopdesk: a kinder tone (deployed with the new retrieval code)")


def healthy_change(repo: Path, day: int) -> None:
    if day == HEALTHY_CHANGE_DAY:  # a harmless second version: every later day re-tests the same two
        path = repo / "souls" / f"{AGENT}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("knows bikes.", "knows bikes well."))
        git(repo, "commit", "-q", "-am", "shopdesk: a word in the personality")


def write_traces(path: Path, traces: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for trace in traces:
            out.write(json.dumps(trace) + "\n")


# --- scenarios and the report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    log: Log
    fixed_within_5: int


def run_scenario(root: Path, days: int, *, healthy: bool = False, seed: int = 7) -> Result:
    repo = make_repo(root, healthy=healthy)
    os.environ.setdefault("GIT_AUTHOR_NAME", "Rae Viewer")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "rae@example.com")
    os.environ.setdefault("GIT_COMMITTER_NAME", "Rae Viewer")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "rae@example.com")
    log = Log()
    for day in range(1, days + 1):
        _clock(day)
        if healthy:
            healthy_change(repo, day)
        else:
            plant(repo, day)
        run_day(repo, day, log, healthy=healthy, seed=seed)
    fixed = sum(1 for defect in FIXABLE if log.fixed_on.get(defect, 99) <= 5)
    return Result(log, fixed)


def _clock(day: int) -> None:
    """Every commit of the day (the reviewer's and the optimizer's) carries the simulated time."""
    moment = (START + timedelta(days=day + 1, hours=2)).isoformat()
    os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = moment


def print_days(log: Log) -> None:
    head = f"{'day':>3}  {'findings':58} {'prop':>4} {'merged':>6} {'cost/trace':>10} {'unanswered':>10}"
    head += f" {'failures':>8} {'escal.':>6}"
    print(head)
    for row in log.days:
        print(
            f"{row['day']:>3}  {row['findings'][:58]:58} {row['proposals']:>4} {row['merged']:>6} "
            f"{row['cost_per_trace']:>10.5f} {row['unanswered_rate']:>10.1%} {row['failure_rate']:>8.1%} "
            f"{row['escalation_rate']:>6.1%}"
        )


def report(result: Result, healthy: Result | None) -> None:
    log = result.log
    print_days(log)
    print()
    print(f"fixable defects fixed within 5 days: {result.fixed_within_5} of {len(FIXABLE)}", end="")
    print(f"  ({', '.join(f'{d} day {log.fixed_on[d]}' for d in FIXABLE if d in log.fixed_on) or 'none'})")
    print(f"proposals repeated after their merge or rejection: {len(log.repeated)}")
    for line in log.repeated[:10]:
        print(f"  {line}")
    print(f"proposals that failed to apply for the reviewer: {len(log.failed_to_apply)}")
    for line in log.failed_to_apply[:10]:
        print(f"  {line}")
    print(f"bad change (day {BAD_CHANGE_DAY}): revert proposed on day {log.revert_proposed_on}")
    code = [d for d in log.regression_reports if d >= CODE_REGRESSION_DAY]
    print(f"code regression (day {CODE_REGRESSION_DAY}): reported on days {code}; accepted on day {log.accepted_on}")
    if healthy is not None:
        h = healthy.log
        with_findings = [row["day"] for row in h.days if row["findings"] != "-"]
        print(
            f"healthy agent, {len(h.days)} days: days with a finding {len(with_findings)} {with_findings[:10]}; "
            f"'worse' verdicts {h.worse_verdicts} of {h.verdicts} daily re-tests"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--healthy-days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Keep the simulated repositories here.")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="closed-loop-")) if args.keep is None else args.keep
    try:
        result = run_scenario(root / "defects", args.days, seed=args.seed)
        healthy = (
            run_scenario(root / "healthy", args.healthy_days, healthy=True, seed=args.seed)
            if args.healthy_days
            else None
        )
        report(result, healthy)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
