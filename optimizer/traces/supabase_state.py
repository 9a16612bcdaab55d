"""The results of the SQL analysis functions -> the AgentState the JSONL path builds. Pure.

SQL computed the counts, sums, variances and latency histograms (in QuantileSketch's buckets),
grouped error messages by raw text and picked the first few samples of everything. What needs
Python's text code happens here, with the same functions the streaming aggregator calls, in the
same order ("first seen" = by row id, then position in the trace): errors are normalised and
merged, topics named, unanswered candidates confirmed and clustered. The detectors then read
this state exactly as they read the JSONL path's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from optimizer.analysis.aggregate import (
    MAX_ERROR_GROUPS,
    MAX_TOPICS,
    AgentState,
    ErrorGroup,
    Samples,
    ToolCounts,
    VersionState,
    known_topic,
    observe_rendered_prompts,
    sample_of,
)
from optimizer.analysis.conversation import Conversation, read_conversation, topic_named
from optimizer.analysis.stats import DistinctCounter, QuantileSketch, RunningMoments
from optimizer.text.answers import is_unanswered
from optimizer.text.errors import normalize_error
from optimizer.text.redact import redact_name
from optimizer.text.topics import REPLY_CHARS, topic_of
from optimizer.timeutil import parse_timestamp

AgentLookup = Callable[[str], AgentState]  # the agent's state, created on first use
Position = tuple[int, int]  # (row id, position in the trace)
Sample = tuple[Position, str, str | None]  # (where, trace_id, text)


@dataclass
class Truncation:
    """What the SQL functions left out because a cap was reached (0 when nothing was)."""

    error_occurrences: int = 0
    topic_traces: int = 0
    candidates: int = 0
    replies: int = 0

    def notes(self) -> list[str]:
        notes = []
        if self.error_occurrences:
            notes.append(f"{self.error_occurrences} error occurrences past supabase.max_error_groups")
        if self.topic_traces:
            notes.append(f"{self.topic_traces} traces of topics past supabase.max_error_groups")
        if self.candidates:
            notes.append(f"{self.candidates} candidate questions past supabase.max_candidates")
        if self.replies:
            notes.append(f"{self.replies} traces with staff replies past the first 20,000")
        return notes


@dataclass
class _Merged:
    first: Position
    count: int = 0
    extra: int = 0  # escalations, for topics
    samples: list[Sample] = field(default_factory=list)


def states_from_analysis(result: dict[str, Any]) -> tuple[dict[str, AgentState], Truncation]:
    """The per-agent states from one ``optimizer_analyze`` result."""
    agents: dict[str, AgentState] = {}

    def agent(name: str) -> AgentState:
        state = agents.get(name)
        if state is None:
            state = agents[name] = AgentState(name)
        return state

    truncation = Truncation()
    for row in result["traces"]["versions"]:
        state = agent(row["agent"])
        state.versions[redact_name(row["version"])] = _version(row)
        state.traces += row["traces"]
    _tools(result["tools"]["tools"], agent)
    truncation.error_occurrences = _errors(result["tools"]["errors"], agent)
    truncation.topic_traces = _topics(result["traces"]["topics"], agent)
    replies = _read_replies(result["replies"]["rows"])
    truncation.candidates = _unanswered(result["unanswered"], agent, replies)
    _conversations(result["samples"], agent)
    _staff_replies(result["replies"]["rows"], replies, agent)
    truncation.replies = int(result["replies"]["truncated"])
    return agents, truncation


def _version(row: dict[str, Any]) -> VersionState:
    cost, latency, tokens = row["cost"], row["latency"], row["tokens"]
    version = VersionState(
        traces=row["traces"],
        sessions=DistinctCounter.from_count(row["sessions"]),
        first_seen=_time(row["first_seen"]),
        last_seen=_time(row["last_seen"]),
        cost=RunningMoments.from_summary(cost["n"], cost["mean"], cost["var"]),
        cost_total=float(cost["sum"] or 0.0),
        input_tokens=tokens["input"],
        output_tokens=tokens["output"],
        cache_read_input_tokens=tokens["cache_read"],
        cache_creation_input_tokens=tokens["cache_creation"],
        latency=_sketch(latency),
        latency_moments=RunningMoments.from_summary(latency["n"], latency["mean"], latency["var"]),
        escalated=row["escalated"],
        owner_corrected=row["owner_corrected"],
        sentiment=Counter(row["sentiment"]),
        feedback_up=row["feedback_up"],
        feedback_down=row["feedback_down"],
        errors=row["errors"],
    )
    return version


def _time(value: str | None) -> datetime | None:
    return parse_timestamp(value) if value else None


def _sketch(row: dict[str, Any]) -> QuantileSketch:
    return QuantileSketch.from_buckets({int(key): n for key, n in row["buckets"].items()}, row["zeros"])


def _tools(result: dict[str, Any], agent: AgentLookup) -> None:
    for row in result["tools"]:
        version = agent(row["agent"]).versions.setdefault(redact_name(row["version"]), VersionState())
        turns, turn_failures = row.get("turns", 0), row.get("turn_failures", 0)
        version.tools[redact_name(row["name"])] = ToolCounts(
            row["calls"], row["failures"], turns, turn_failures, latency=_sketch(row)
        )
    for row in result["failure_samples"]:
        samples = agent(row["agent"]).tool_failures.setdefault(redact_name(row["name"]), Samples())
        _feed(samples, (((rid, ord_), trace_id, text) for rid, ord_, trace_id, text in row["samples"]))


def _feed(samples: Samples, entries: Iterable[Sample]) -> None:
    """Replay the samples in stream order: Samples keeps the first ids and excerpts, as it does
    when the aggregator streams every occurrence (the SQL sent those and only those)."""
    for _where, trace_id, text in sorted(entries, key=lambda entry: entry[0]):
        samples.add(trace_id, text)


def _errors(result: dict[str, Any], agent: AgentLookup) -> int:
    merged: dict[str, dict[str, _Merged]] = {}
    for row in result["groups"]:
        origin, message = redact_name(row["origin"]), row["message"]
        pattern = normalize_error(message)
        entries = [((rid, ord_), trace_id, message) for rid, ord_, trace_id in row["samples"]]
        first = min(where for where, _id, _text in entries)
        group = merged.setdefault(row["agent"], {}).setdefault(f"{origin}\x1f{pattern}", _Merged(first))
        group.first = min(group.first, first)
        group.count += row["count"]
        group.samples.extend(entries)
    for name, groups in merged.items():
        state = agent(name)
        # Groups open in the order their first occurrence was seen; past the cap they are counted.
        for rank, (key, group) in enumerate(sorted(groups.items(), key=lambda item: item[1].first)):
            if rank >= MAX_ERROR_GROUPS:
                state.errors_dropped += group.count
                continue
            origin, pattern = key.split("\x1f", 1)
            error_group = state.error_groups[key] = ErrorGroup(pattern, origin, group.count)
            _feed(error_group.samples, group.samples)
    truncated = 0
    for name, dropped in result["truncated"].items():
        agent(name).errors_dropped += int(dropped)
        truncated += int(dropped)
    return truncated


def _topics(result: dict[str, Any], agent: AgentLookup) -> int:
    merged: dict[str, dict[str, _Merged]] = {}
    for row in result["topics"]:
        topic = redact_name(row["key"]) if row["kind"] == "topic" else topic_of(row["key"])
        group = merged.setdefault(row["agent"], {}).setdefault(topic, _Merged((row["first_id"], 0)))
        group.first = min(group.first, (row["first_id"], 0))
        group.count += row["traces"]
        group.extra += row["escalations"]
        group.samples.extend(((rid, 0), trace_id, question) for rid, trace_id, question in row["samples"])
    for name, topics in merged.items():
        state = agent(name)
        ordered = sorted(topics.items(), key=lambda item: item[1].first)
        kept = {topic for topic, _group in ordered[:MAX_TOPICS]}
        # Past MAX_TOPICS distinct topics the aggregator counts a trace under "other".
        final: dict[str, _Merged] = {}
        for topic, group in ordered:
            target = topic if topic in kept else "other"
            into = final.setdefault(target, _Merged(group.first))
            into.first = min(into.first, group.first)
            into.count += group.count
            into.extra += group.extra
            into.samples.extend(group.samples)
        for topic, group in sorted(final.items(), key=lambda item: item[1].first):
            state.topic_traces[topic] += group.count
            if group.extra:
                state.topic_escalations[topic] += group.extra
                _feed(state.escalation_samples.setdefault(topic, Samples()), group.samples)
    truncated = 0
    for name, dropped in result["truncated"].items():
        agent(name).topic_traces["other"] += int(dropped)
        truncated += int(dropped)
    return truncated


def _read_replies(rows: list[dict[str, Any]]) -> dict[str, Conversation]:
    """Trace id -> what its conversation says, for the traces where a person wrote after the agent."""
    return {row["trace_id"]: read_conversation(row["messages"]) for row in rows}


def _staff_replies(rows: list[dict[str, Any]], replies: dict[str, Conversation], agent: AgentLookup) -> None:
    """What staff answered after a hand-off, by topic, as the aggregator samples them."""
    for row in sorted(rows, key=lambda row: row["id"]):
        seen = replies[row["trace_id"]]
        if seen.staff is None or not row["escalated"]:
            continue
        state = agent(row["agent"])
        topic = known_topic(state, redact_name(topic_named(row["metadata"], seen.first_question)))
        sample_of(state.staff_replies, topic, REPLY_CHARS).add(row["trace_id"], seen.staff)


def _staff_after(replies: dict[str, Conversation], trace_id: str, question: str) -> str | None:
    """The staff reply that followed this unanswered question in its trace, if any."""
    said = replies.get(trace_id)
    return next((reply for asked, reply in said.gaps if asked == question), None) if said else None


def _unanswered(result: dict[str, Any], agent: AgentLookup, replies: dict[str, Conversation]) -> int:
    # Rows come in stream order. A question answered "I don't know" is consumed: a later reply
    # in the same trace counts only after a new user question, as in the aggregator.
    # Texts come once each in result["texts"]; rows name them (and the agent) by index.
    agents, texts = result["agents"], result["texts"]
    verdicts: dict[int, bool] = {}
    consumed: tuple[int, int] | None = None
    for agent_index, rid, trace_id, _reply_ord, question_ord, question, reply in result["rows"]:
        if consumed == (rid, question_ord):
            continue
        if reply not in verdicts:
            verdicts[reply] = is_unanswered(texts[reply])
        if verdicts[reply]:
            text = texts[question]
            agent(agents[agent_index]).unanswered.add(text, trace_id, _staff_after(replies, trace_id, text))
            consumed = (rid, question_ord)
    return int(result["truncated"])


def _conversations(rows: list[dict[str, Any]], agent: AgentLookup) -> None:
    for row in sorted(rows, key=lambda row: row["id"]):
        state = agent(row["agent"])
        said = read_conversation(row["messages"])
        if row["what"] == "negative":
            state.negative.add(row["trace_id"], said.last_question or said.first_question)
        else:
            state.corrected.add(row["trace_id"], said.correction or said.first_question)


def add_prompt_blocks(states: dict[str, AgentState], result: Any) -> None:
    """The renderings optimizer_prompt_blocks grouped, fed to the aggregator's own check for repeated blocks."""
    rows = result.get("rows") if isinstance(result, dict) else None
    for row in rows if isinstance(rows, list) else ():
        state = states.get(str(row.get("agent"))) if isinstance(row, dict) else None
        if state is not None and isinstance(row.get("traces"), int):
            trace_ids = tuple(str(trace_id) for trace_id in row.get("trace_ids") or ())
            observe_rendered_prompts(state, row.get("blocks"), trace_ids, row["traces"])
