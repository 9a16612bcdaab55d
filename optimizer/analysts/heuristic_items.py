"""Findings that need a human (code, config, tooling) become action items, never edits."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

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


def _rate(f: Finding) -> ActionItem:
    return ActionItem(
        f"Read the {f.kind.replace('_', ' ')} examples",
        f"{f.title}. The sample conversations show what the agent gets wrong; they are the input "
        "for the next rule or FAQ entry.",
        (f.key,),
    )


def _prompt_duplication(f: Finding) -> ActionItem:
    return ActionItem(
        "Remove the duplicated prompt block by hand",
        f"{f.title} ({f.figures.get('occurrences')}). It was not edited automatically "
        "because it holds a required placeholder or could not be removed safely.",
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
    "owner_corrections": _rate,
}


# Kinds a proposal settles completely; for the others (a failing tool) the proposal only softens
# the symptom, and the fix is still a human's job.
SETTLED_BY_PROPOSAL = frozenset({"prompt_duplication", "knowledge_gap"})


def action_items_for(findings: Sequence[Finding], proposed: frozenset[str] = frozenset()) -> Iterator[ActionItem]:
    """An action item for each finding a human must act on. ``proposed`` holds the keys of the
    findings a proposal answers; those a proposal settles get no item, which would only repeat it."""
    for finding in findings:
        rule = ITEM_RULES.get(finding.kind)
        if rule is None or (finding.key in proposed and finding.kind in SETTLED_BY_PROPOSAL):
            continue
        yield rule(finding)
