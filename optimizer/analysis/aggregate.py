"""One streaming pass over the traces: everything the metrics and detectors need, in bounded memory.

``Aggregator.observe`` is called once per trace and is the hot path of the whole analysis; it
only counts, and keeps at most a few samples per finding subject.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from optimizer.analysis.conversation import read_conversation, topic_named
from optimizer.analysis.stats import DistinctCounter, QuantileSketch, RunningMoments
from optimizer.text.blocks import tokens_for_chars
from optimizer.text.errors import normalize_error
from optimizer.text.redact import excerpt, redact_name
from optimizer.text.topics import REPLY_CHARS, QuestionClusterer

UNKNOWN_VERSION = "unknown"
SAMPLE_IDS = 5
SAMPLE_EXCERPTS = 3
MAX_ERROR_GROUPS = 500
MAX_TOPICS = 200
MAX_INJECTED = 50  # distinct blocks filled more than once into one rendered prompt, per agent
_TOPIC_NAMES: dict[str, str] = {}  # topic as named -> redacted
_MAX_TOPIC_NAMES = 50_000


@dataclass
class Samples:
    """Up to a few trace ids and redacted excerpts: the evidence shown to a reviewer."""

    trace_ids: list[str] = field(default_factory=list)
    excerpts: list[str] = field(default_factory=list)
    chars: int = 160  # kept of each excerpt

    def add(self, trace_id: str, text: str | None = None) -> None:
        if len(self.trace_ids) < SAMPLE_IDS and trace_id not in self.trace_ids:
            self.trace_ids.append(trace_id)
        if text and len(self.excerpts) < SAMPLE_EXCERPTS:
            self.excerpts.append(excerpt(text, self.chars))


@dataclass
class ToolCounts:
    calls: int = 0
    failures: int = 0
    turns: int = 0  # traces (turns) that called the tool
    turn_failures: int = 0  # of those, turns whose last call of the tool failed: what the user saw
    retries: int = 0  # calls marked ``retry``
    latency: QuantileSketch = field(default_factory=QuantileSketch)


@dataclass
class VersionState:
    """Running totals for one agent x prompt_version."""

    traces: int = 0
    sessions: DistinctCounter = field(default_factory=DistinctCounter)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    cost: RunningMoments = field(default_factory=RunningMoments)
    cost_total: float = 0.0
    input_tokens: float = 0  # JSON may say 3.0 for 3; made int when reported
    output_tokens: float = 0
    cache_read_input_tokens: float = 0
    cache_creation_input_tokens: float = 0
    latency: QuantileSketch = field(default_factory=QuantileSketch)
    latency_moments: RunningMoments = field(default_factory=RunningMoments)
    escalated: int = 0
    owner_corrected: int = 0
    sentiment: Counter[str] = field(default_factory=Counter)
    feedback_up: int = 0
    feedback_down: int = 0
    errors: int = 0
    tools: dict[str, ToolCounts] = field(default_factory=dict)


@dataclass
class ErrorGroup:
    """Occurrences of one normalised error message."""

    pattern: str
    origin: str  # "tool <name>" or "agent"
    count: int = 0
    samples: Samples = field(default_factory=Samples)


@dataclass
class InjectedBlock:
    """Text the agent filled into one rendered prompt more than once, seen in the block hashes
    optimizer.runtime's compile records (metadata.prompt_blocks): the same paragraphs sent twice."""

    prompt: str
    key: str  # a hash of the repeated paragraphs' hashes: the same repetition in every trace
    placeholders: set[str] = field(default_factory=set)  # the placeholders the copies were filled into
    copies: int = 0  # the most copies seen in one rendered prompt
    chars_per_copy: int = 0
    tokens_per_copy: int = 0
    wasted_tokens: int = 0  # per rendered prompt: the tokens of every copy after the first
    traces: int = 0  # traces that carried the repetition
    samples: Samples = field(default_factory=Samples)


@dataclass
class AgentState:
    """Everything observed for one agent in the window."""

    agent: str
    traces: int = 0
    versions: dict[str, VersionState] = field(default_factory=dict)
    tool_failures: dict[str, Samples] = field(default_factory=dict)
    error_groups: dict[str, ErrorGroup] = field(default_factory=dict)
    errors_dropped: int = 0  # occurrences of error patterns past MAX_ERROR_GROUPS
    unanswered: QuestionClusterer = field(default_factory=QuestionClusterer)
    topic_traces: Counter[str] = field(default_factory=Counter)
    topic_escalations: Counter[str] = field(default_factory=Counter)
    escalation_samples: dict[str, Samples] = field(default_factory=dict)
    staff_replies: dict[str, Samples] = field(default_factory=dict)  # topic -> what staff answered after a hand-off
    negative: Samples = field(default_factory=Samples)
    corrected: Samples = field(default_factory=Samples)  # the owner's corrections (else the question corrected)
    injected: dict[tuple[str, str], InjectedBlock] = field(default_factory=dict)  # by (prompt, block hash)

    def tools_called(self) -> set[str]:
        return {name for version in self.versions.values() for name in version.tools}


class Aggregator:
    """Feeds traces into per-agent state. Pure: give it records, read ``agents`` afterwards."""

    def __init__(self) -> None:
        self.agents: dict[str, AgentState] = {}
        # (agent, prompt_version as the trace says) -> the states: one lookup per trace instead of
        # redacting the version name and two more. As many as the versions (a few names each).
        self._pairs: dict[tuple[str, str | None], tuple[AgentState, VersionState]] = {}

    def observe(self, trace: dict[str, Any], started: datetime) -> None:
        agent, version = self._states(trace)
        _count_version(version, trace, started)
        get = trace.get
        calls = get("tool_calls")
        if calls:
            _observe_tools(agent, version, calls, trace["trace_id"])
        error = get("error")
        if error:
            _group_error(agent, "agent", _error_text(error), trace["trace_id"])
        _observe_conversation(agent, trace)
        metadata = get("metadata")
        if metadata and "prompt_blocks" in metadata:
            observe_rendered_prompts(agent, metadata["prompt_blocks"], (trace["trace_id"],))

    def _states(self, trace: dict[str, Any]) -> tuple[AgentState, VersionState]:
        """The trace's agent and version state, created on first sight; counts the trace."""
        pair = self._pairs.get((trace["agent"], trace.get("prompt_version")))
        if pair is None:
            pair = self._new_states(trace)
        pair[0].traces += 1
        return pair

    def _new_states(self, trace: dict[str, Any]) -> tuple[AgentState, VersionState]:
        agent_name = trace["agent"]
        agent = self.agents.get(agent_name)
        if agent is None:
            agent = self.agents[agent_name] = AgentState(agent_name)
        raw_version = trace.get("prompt_version")
        version_name = redact_name(raw_version or UNKNOWN_VERSION)
        version = agent.versions.get(version_name)
        if version is None:
            version = agent.versions[version_name] = VersionState()
        pair = self._pairs[(agent_name, raw_version)] = (agent, version)
        return pair


def _count_version(version: VersionState, trace: dict[str, Any], started: datetime) -> None:
    # Called once per trace: one frame, plain attribute updates, nothing allocated.
    get = trace.get
    version.traces += 1
    first_seen = version.first_seen
    if first_seen is None or started < first_seen:
        version.first_seen = started
    last_seen = version.last_seen
    if last_seen is None or started > last_seen:
        version.last_seen = started
    version.sessions.add(get("session_id") or trace["trace_id"])
    cost = get("cost_usd")
    if cost is not None:
        version.cost.add(cost)
        version.cost_total += cost
    usage = get("usage")
    if usage:
        usage_get = usage.get
        version.input_tokens += usage_get("input_tokens") or 0
        version.output_tokens += usage_get("output_tokens") or 0
        version.cache_read_input_tokens += usage_get("cache_read_input_tokens") or 0
        version.cache_creation_input_tokens += usage_get("cache_creation_input_tokens") or 0
    latency = get("latency_ms")
    if latency is not None:
        version.latency.add(latency)
        version.latency_moments.add(latency)
    if get("escalated"):
        version.escalated += 1
    if get("owner_corrected"):
        version.owner_corrected += 1
    sentiment = get("sentiment")
    if sentiment:
        version.sentiment[sentiment] += 1
    feedback = get("feedback")
    if feedback is not None:
        if feedback == "up":
            version.feedback_up += 1
        elif feedback == "down":
            version.feedback_down += 1
    if get("error"):
        version.errors += 1


def _error_text(error: dict[str, Any]) -> str:
    return error.get("message") or error.get("type") or "unknown error"


def _observe_tools(agent: AgentState, version: VersionState, calls: list[dict[str, Any]], trace_id: str) -> None:
    last: dict[str, bool] = {}  # tool -> whether its last call in this turn failed
    for call in calls:
        name = redact_name(call["name"])
        failed = _count_named_call(version, name, call)
        last[name] = failed
        if failed:
            _record_tool_failure(agent, name, call.get("error"), trace_id)
    count_turn(version, last)


def count_turn(version: VersionState, last_failed: dict[str, bool]) -> None:
    """One turn per tool it called; a failure when the tool's last call in the turn failed."""
    tools = version.tools
    for name, failed in last_failed.items():
        counts = tools[name]
        counts.turns += 1
        counts.turn_failures += failed


def count_call(version: VersionState, call: dict[str, Any]) -> bool:
    """Count one tool call in its version (under its redacted name); True when it failed."""
    return _count_named_call(version, redact_name(call["name"]), call)


def _count_named_call(version: VersionState, name: str, call: dict[str, Any]) -> bool:
    counts = version.tools.get(name)
    if counts is None:
        counts = version.tools[name] = ToolCounts()
    counts.calls += 1
    get = call.get
    latency = get("latency_ms")
    if latency is not None:
        counts.latency.add(latency)
    failed = get("ok") is False or bool(get("error"))
    if failed:
        counts.failures += 1
    if get("retry") is True:
        counts.retries += 1
    return failed


def _record_tool_failure(agent: AgentState, tool: str, error: str | None, trace_id: str) -> None:
    samples = agent.tool_failures.get(tool)
    if samples is None:
        samples = agent.tool_failures[tool] = Samples()
    samples.add(trace_id, error)
    if error:
        _group_error(agent, f"tool {tool}", error, trace_id)


def _group_error(agent: AgentState, origin: str, message: str, trace_id: str) -> None:
    pattern = normalize_error(message)
    key = f"{origin}\x1f{pattern}"
    group = agent.error_groups.get(key)
    if group is None:
        if len(agent.error_groups) >= MAX_ERROR_GROUPS:
            agent.errors_dropped += 1
            return
        group = agent.error_groups[key] = ErrorGroup(pattern, origin)
    group.count += 1
    group.samples.add(trace_id, message)


def _observe_conversation(agent: AgentState, trace: dict[str, Any]) -> None:
    trace_id = trace["trace_id"]
    get = trace.get
    seen = read_conversation(get("messages"))
    for question, reply in seen.gaps:
        agent.unanswered.add(question, trace_id, reply)
    first_question = seen.first_question
    topic = _observe_topic(agent, trace, first_question)
    if seen.staff is not None and get("escalated"):
        sample_of(agent.staff_replies, topic, REPLY_CHARS).add(trace_id, seen.staff)
    if get("sentiment") == "negative":
        agent.negative.add(trace_id, seen.last_question or first_question)
    if seen.correction or get("owner_corrected"):
        agent.corrected.add(trace_id, seen.correction or first_question)


def known_topic(agent: AgentState, topic: str) -> str:
    """The topic, or "other" once the agent has MAX_TOPICS topics: memory stays bounded."""
    return "other" if topic not in agent.topic_traces and len(agent.topic_traces) >= MAX_TOPICS else topic


def sample_of(samples: dict[str, Samples], key: str, chars: int = 160) -> Samples:
    found = samples.get(key)
    if found is None:
        found = samples[key] = Samples(chars=chars)
    return found


def _observe_topic(agent: AgentState, trace: dict[str, Any], first_question: str | None) -> str:
    topic = known_topic(agent, _redacted_topic(topic_named(trace.get("metadata"), first_question)))
    agent.topic_traces[topic] += 1
    if trace.get("escalated"):
        agent.topic_escalations[topic] += 1
        sample_of(agent.escalation_samples, topic).add(trace["trace_id"], first_question)
    return topic


def _redacted_topic(topic: str) -> str:
    # Questions nobody else asked each bring a new word as their topic, too many for redact_name's
    # cache: redacting costs more than the rest of the trace, so topics keep a larger memo of their own.
    redacted = _TOPIC_NAMES.get(topic)
    if redacted is None:
        redacted = redact_name(topic)
        if len(_TOPIC_NAMES) < _MAX_TOPIC_NAMES:  # kept when full: the frequent topics came first
            _TOPIC_NAMES[topic] = redacted
    return redacted


def observe_rendered_prompts(agent: AgentState, rendered: Any, trace_ids: tuple[str, ...], traces: int = 1) -> None:
    """Paragraphs filled into one rendered prompt more than once: [{prompt, blocks: [{placeholder,
    paragraphs: [[hash, chars], ...]}]}], carried by ``traces`` traces (the Supabase path groups
    traces with the same blocks), of which ``trace_ids`` are the first."""
    for prompt in rendered if isinstance(rendered, list) else ():
        blocks = prompt.get("blocks") if isinstance(prompt, dict) else None
        if not isinstance(blocks, list) or len(blocks) < 2:
            continue  # one fill can hold no copy of another
        seen: dict[str, list[tuple[str, int]]] = {}  # paragraph hash -> (placeholder, chars) per copy
        for block in blocks:
            if isinstance(block, dict) and isinstance(block.get("paragraphs"), list):
                for item in block["paragraphs"]:
                    if isinstance(item, list) and len(item) == 2 and isinstance(item[1], int):
                        seen.setdefault(str(item[0]), []).append((str(block.get("placeholder")), item[1]))
        repeated = {digest: copies for digest, copies in seen.items() if len(copies) > 1}
        if repeated:
            _count_injected(agent, str(prompt.get("prompt")), repeated, trace_ids, traces)


def _count_injected(
    agent: AgentState, prompt: str, repeated: dict[str, list[tuple[str, int]]], trace_ids: tuple[str, ...], traces: int
) -> None:
    key = hashlib.sha256(" ".join(sorted(repeated)).encode()).hexdigest()[:10]
    entry = agent.injected.get((prompt, key))
    if entry is None:
        if len(agent.injected) >= MAX_INJECTED:
            return
        entry = agent.injected[(prompt, key)] = InjectedBlock(prompt, key)
    entry.traces += traces
    entry.copies = max(entry.copies, *(len(copies) for copies in repeated.values()))
    entry.chars_per_copy = sum(copies[0][1] for copies in repeated.values())
    entry.tokens_per_copy = sum(tokens_for_chars(copies[0][1]) for copies in repeated.values())
    entry.wasted_tokens = sum(tokens_for_chars(copies[0][1]) * (len(copies) - 1) for copies in repeated.values())
    entry.placeholders.update(name for copies in repeated.values() for name, _ in copies)
    for trace_id in trace_ids:
        entry.samples.add(trace_id)
