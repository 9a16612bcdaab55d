"""Findings that need a human (code, config, tooling) become action items, never edits."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from optimizer.models import ActionItem, Finding

ItemRule = Callable[[Finding], ActionItem]


def _tool_failure(f: Finding) -> ActionItem:
    return ActionItem(
        f"Fix the {f.subject} tool: {f.title}",
        "A prompt rule can only soften this. Look at the failing calls in the evidence "
        "(timeouts, upstream errors) and fix or scale the service behind the tool.",
        (f.key,),
    )


def _unused_tool(f: Finding) -> ActionItem:
    return ActionItem(
        f"Decide about the unused tool {f.subject}",
        f"{f.title} (declared in {f.figures.get('declared_in')}). Either the agent needs clearer "
        "instructions on when to call it, or the declaration can go, saving prompt tokens.",
        (f.key,),
    )


def _repeated_error(f: Finding) -> ActionItem:
    return ActionItem(
        f"Fix the repeated error in {f.figures.get('origin')}",
        f"{f.title}. The same error, with only ids and numbers changing, points at one cause in code or configuration.",
        (f.key,),
    )


def _escalation(f: Finding) -> ActionItem:
    where = "overall" if f.subject == "overall" else f"on “{f.subject}”"
    return ActionItem(
        f"Look into escalations {where}",
        f"{f.title}. Read the sample conversations: if the agent lacks a tool or a policy to handle "
        "them, add it; if they must go to a human, say so in the soul's escalation rules.",
        (f.key,),
    )


def _regression(f: Finding) -> ActionItem:
    return ActionItem(
        f"Review what changed in prompt_version {f.subject}",
        f"{f.title} (p = {f.figures.get('p_value')}). Compare the two versions in git; "
        "if the change is not worth its cost, revert it.",
        (f.key,),
    )


def _owner_corrections(f: Finding) -> ActionItem:
    said = "; ".join(f"“{text}”" for text in f.evidence.excerpts[:3])
    return ActionItem(
        "Turn the owner's corrections into a rule",
        f"{f.title}. What the owner said: {said or 'see the sample conversations'}. Where the corrections "
        "agree, a rule in the soul (or an FAQ entry) stops the same mistake; the Claude analyst drafts one.",
        (f.key,),
    )


def _rate(f: Finding) -> ActionItem:
    return ActionItem(
        f"Read the {f.kind.replace('_', ' ')} examples",
        f"{f.title}. The sample conversations show what the agent gets wrong; they are the input "
        "for the next rule or FAQ entry.",
        (f.key,),
    )


def _prompt_duplication(f: Finding) -> ActionItem:
    if f.figures.get("found_in") == "traces":
        return ActionItem(
            "Fill the duplicated block in once",
            f"{f.title} ({f.figures.get('occurrences')}). The agent's code puts the same text into the "
            "prompt more than once, so no edit of the prompt files can fix it.",
            (f.key,),
        )
    return ActionItem(
        "Remove the duplicated prompt block",
        f"{f.title} ({f.figures.get('occurrences')}). It is not part of this pull request: it holds "
        "a required placeholder, or this run reached its proposal limit.",
        (f.key,),
    )


def _knowledge_gap(f: Finding) -> ActionItem:
    return ActionItem(
        f"Give the agent an answer on “{f.subject}”",
        f"{f.title}. Add it to the soul's FAQ or to the knowledge the agent can look up.",
        (f.key,),
    )


ITEM_RULES: dict[str, ItemRule] = {
    "prompt_duplication": _prompt_duplication,
    "knowledge_gap": _knowledge_gap,
    "tool_failure": _tool_failure,
    "unused_tool": _unused_tool,
    "repeated_error": _repeated_error,
    "escalation": _escalation,
    "cost_regression": _regression,
    "latency_regression": _regression,
    "negative_sentiment": _rate,
    "owner_corrections": _owner_corrections,
}


# Kinds a proposal settles completely; for the others (a failing tool) the proposal only softens
# the symptom, and the fix is still a human's job.
SETTLED_BY_PROPOSAL = frozenset({"prompt_duplication", "knowledge_gap", "unused_tool", "escalation"})


def action_items_for(findings: Sequence[Finding], proposed: frozenset[str] = frozenset()) -> list[ActionItem]:
    """One action item per thing a human must fix, strongest first. Findings about the same cause
    (a tool failing and its repeated error; several unanswered topics) share one item.

    ``proposed`` holds the keys of the findings a proposal answers; those a proposal settles get
    no item, which would only repeat it."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.kind in ITEM_RULES and not (finding.key in proposed and finding.kind in SETTLED_BY_PROPOSAL):
            groups.setdefault(_cause(finding), []).append(finding)
    return [_merged(group) for group in groups.values()]


def _cause(finding: Finding) -> str:
    if finding.kind == "repeated_error" and str(finding.figures.get("origin", "")).startswith("tool "):
        return f"tool:{str(finding.figures['origin'])[5:]}"
    if finding.kind == "tool_failure":
        return f"tool:{finding.subject}"
    if finding.kind == "knowledge_gap":
        return "knowledge"
    return finding.key


def _merged(group: list[Finding]) -> ActionItem:
    lead = min(group, key=lambda f: f.kind != "tool_failure")  # a tool's failure leads its errors
    item = ITEM_RULES[lead.kind](lead)
    rest = [f for f in group if f is not lead]
    if not rest:
        return item
    if lead.kind == "knowledge_gap":
        topics = ", ".join(f"“{f.subject}”" for f in group)
        return ActionItem(f"Give the agent answers on {topics}", item.detail, tuple(f.key for f in group))
    also = "; ".join(f.title for f in rest)
    return ActionItem(item.title, f"{item.detail} Related: {also}.", tuple(f.key for f in group))
