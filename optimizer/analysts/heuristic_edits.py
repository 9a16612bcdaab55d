"""The edits the deterministic analyst dares to propose, one function per finding kind.

Trace text is untrusted, so none of it reaches a file on its own say: a tool name only when the
prompts declare that tool, an FAQ question only as the cluster's label in a fixed sentence, an
answer only as a staff member's own reply (greeting, sign-off and anything that reads like an
instruction left out, redacted, its traces cited). Nothing is proposed that the files already
hold: a topic the FAQ covers, a retry rule the soul has, a declaration already gone.
"""

from __future__ import annotations

import re

from optimizer.analysis.detectors.prompt_duplication import block_subject
from optimizer.artifacts.constants import UNWRITTEN_ANSWER_MARKER
from optimizer.artifacts.held import faq_covering
from optimizer.artifacts.model import AgentArtifacts, PromptFile
from optimizer.fmt import count, pct
from optimizer.models import Edit, Finding, Proposal
from optimizer.text.blocks import DuplicateBlock, find_duplicate_blocks
from optimizer.text.staff_answers import draft_answer
from optimizer.text.topics import content_words, topic_phrase

# A timeout rule pays off only when most failures are timeouts; other failures need a code fix.
MIN_TIMEOUT_SHARE = 0.5
_TOOL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
_LABEL = re.compile(r"[a-z0-9][a-z0-9 '-]{0,40}")
NOT_TOPICS = frozenset(("overall", "other"))


def duplicate_block_proposal(finding: Finding, artifacts: AgentArtifacts) -> list[Proposal]:
    block = _block_for(finding, artifacts)
    if block is None or len(block.occurrences) < 2:
        return []
    path, _offset = block.occurrences[-1]
    prompt = next(p for p in artifacts.prompts if p.path == path)
    if any(placeholder in block.text for placeholder in prompt.required_placeholders):
        return []  # a required placeholder is never touched; the finding stays an action item
    edit = _remove_last_copy(prompt, block)
    first_path = block.occurrences[0][0]
    return [
        Proposal(
            title=f"Remove the duplicated block from {path} (kept in {first_path})",
            edit=edit,
            finding_keys=(finding.key,),
            rationale=f"The same {count(block.tokens_per_copy)}-token block appears {len(block.occurrences)} times "
            f"({finding.figures.get('occurrences')}). The model reads it on every turn; one copy says it all. "
            "The first copy stays, so no instruction is lost.",
            expected_effect=f"~{count(block.wasted_tokens)} fewer input tokens per turn, and no behaviour change.",
            confidence=0.9,
            score=finding.score,
        )
    ]


def _block_for(finding: Finding, artifacts: AgentArtifacts) -> DuplicateBlock | None:
    docs = [(p.path, p.body) for p in artifacts.prompts]
    return next((b for b in find_duplicate_blocks(docs, min_chars=1) if block_subject(b) == finding.subject), None)


def _remove_last_copy(prompt: PromptFile, block: DuplicateBlock) -> Edit:
    """An edit removing the last copy. When the text is not unique in its file, the edit spans
    from the previous copy to the last one, so it still names exactly one place."""
    copy = block.copies[-1]
    if prompt.text.count(copy) == 1:
        return Edit(op="remove_text", path=prompt.path, old=copy)
    last = prompt.text.rindex(copy)
    previous = prompt.text.rindex(copy, 0, last)
    span = prompt.text[previous : last + len(copy)]
    return Edit(op="replace_text", path=prompt.path, old=span, new=span[: last - previous].rstrip() + "\n")


def timeout_rule_proposal(finding: Finding, artifacts: AgentArtifacts) -> list[Proposal]:
    failures = int(finding.figures.get("failures") or 0)
    timeouts = int(finding.figures.get("timeouts") or 0)
    soul = artifacts.soul
    tool = finding.subject
    if soul is None or not failures or timeouts / failures < MIN_TIMEOUT_SHARE or not _declared(tool, artifacts):
        return []  # an undeclared tool is the traces' word only: never written into a rule
    if any(tool in str(rule) and "retry" in str(rule).lower() for rule in soul.data.get("always_do") or ()):
        return []  # the soul already has a retry rule for this tool
    rule = (
        f"When the {tool} tool times out, retry it once before saying anything; if it fails again, "
        "tell the user the system is slow right now and offer to follow up. Never guess its result."
    )
    user_rate = finding.figures.get("user_failure_rate")
    return [
        Proposal(
            title=f"Retry {tool} once after a timeout before telling the user",
            edit=Edit(op="append_item", path=soul.path, field="always_do", new=rule),
            finding_keys=(finding.key,),
            rationale=f"{count(timeouts)} of the {count(failures)} failed calls of {tool} were timeouts "
            f"({finding.title}). A single retry recovers a transient timeout; the rule also stops the agent "
            "from guessing when the tool is down.",
            expected_effect=f"Fewer turns failed by {tool} (now {pct(float(user_rate or 0))} of them); the "
            "service itself still needs the fix listed under action items.",
            confidence=0.7,
            score=float(timeouts),
        )
    ]


def _declared(tool: str, artifacts: AgentArtifacts) -> bool:
    return bool(_TOOL_NAME.fullmatch(tool)) and tool in artifacts.declared_tools


def faq_proposal(finding: Finding, artifacts: AgentArtifacts) -> list[Proposal]:
    """An FAQ entry on an unanswered topic: answered from staff replies when staff answered it."""
    unanswered = int(finding.figures.get("unanswered") or 0)
    why = f"{finding.title}. The agent has nothing to answer from, so it says it does not know or hands off."
    return _faq(finding, artifacts, unanswered, "unanswered questions", why)


def escalation_faq_proposal(finding: Finding, artifacts: AgentArtifacts) -> list[Proposal]:
    """A topic escalated far above the agent's rate and not escalated by rule: an FAQ entry, so the
    agent can answer it itself (the answer a person gave after the hand-offs, when there is one)."""
    soul = artifacts.soul
    if soul is None or finding.subject in NOT_TOPICS:
        return []
    topic = content_words(finding.subject)
    if any(topic & content_words(str(rule)) for rule in soul.data.get("escalation") or ()):
        return []  # the soul hands this topic over on purpose: the escalations are the rule working
    escalated = int(finding.figures.get("escalated") or 0)
    why = f"{finding.title}. Nothing in the soul tells the agent how to handle it, so it hands over."
    return _faq(finding, artifacts, escalated, "escalated conversations", why)


def _faq(finding: Finding, artifacts: AgentArtifacts, n: int, what: str, why: str) -> list[Proposal]:
    soul = artifacts.soul
    label = finding.subject
    if soul is None or not _LABEL.fullmatch(label) or faq_covering(soul.data.get("faq"), label):
        return []
    drafted = draft_answer(finding.evidence.staff_replies)
    if drafted is None:
        answer = (
            f"{UNWRITTEN_ANSWER_MARKER} write the answer; {count(n)} users asked this and the agent could not answer."
        )
        source = "to be written by the owner"
        note = "Only the owner knows the answer: it is left for you to write, and validation fails until you do."
    else:
        answer, trace_ids = drafted
        source = f"staff replies in traces {', '.join(trace_ids)}; check before merging"
        note = (
            f"The answer is what staff replied after {count(len(trace_ids))} hand-off(s) (traces "
            f"{', '.join(trace_ids)}), redacted, greeting and sign-off left out: check it before merging."
        )
    return [
        Proposal(
            title=f"Add an FAQ entry on “{label}” ({count(n)} {what})"
            + ("; answer drafted from staff replies" if drafted else ""),
            edit=Edit(
                op="add_faq",
                path=soul.path,
                question=faq_question(label),
                answer=answer,
                source=source,
            ),
            finding_keys=(finding.key,),
            rationale=f"{why} {note}",
            expected_effect="These questions get an answer instead of a hand-off"
            + (" once the answer is written." if drafted is None else "."),
            confidence=0.6 if drafted is None else 0.7,
            score=float(n),
        )
    ]


def faq_question(label: str) -> str:
    """The question an FAQ entry on a topic asks: the cluster's label in a fixed sentence, never a
    user's own words (they may carry a name, or an instruction aimed at the agent)."""
    return f"What should I know about {topic_phrase(label)}?"


def unused_tool_proposal(finding: Finding, artifacts: AgentArtifacts) -> list[Proposal]:
    """Take a declared tool the agent never calls out of each prompt's front matter."""
    tool = finding.subject
    proposals = []
    for prompt in artifacts.prompts:
        edit = _undeclare(prompt, tool) if tool in prompt.tools else None
        if edit is None:
            continue
        proposals.append(
            Proposal(
                title=f"Stop declaring the unused tool {tool} in {prompt.path}",
                edit=edit,
                finding_keys=(finding.key,),
                rationale=f"{finding.title}. A declared tool is described to the model on every turn; one it "
                "never needs costs tokens and invites a wrong call. The prompt's body is left as it is.",
                expected_effect=f"Fewer input tokens per turn; put {tool} back in `tools:` when the agent needs it.",
                confidence=0.6,
                score=finding.score,
            )
        )
    return proposals


def _undeclare(prompt: PromptFile, tool: str) -> Edit | None:
    """The front-matter edit removing ``tool`` from ``tools:`` (a block item or a flow entry)."""
    end = prompt.text.find("\n---", 3)
    front = prompt.text[:end] if prompt.text.startswith("---") and end > 0 else ""
    item = re.search(rf"^[ \t]*-[ \t]+['\"]?{re.escape(tool)}['\"]?[ \t]*\r?\n", front, re.MULTILINE)
    if item and prompt.text.count(item.group()) == 1:
        return Edit(op="remove_text", path=prompt.path, old=item.group())
    flow = re.search(r"^tools:[ \t]*\[([^\]\n]*)\][ \t]*$", front, re.MULTILINE)
    if flow is None:
        return None
    names = [name.strip().strip("'\"") for name in flow.group(1).split(",")]
    kept = [name for name in names if name and name != tool]
    if len(kept) == len(names) or prompt.text.count(flow.group()) != 1:
        return None
    return Edit(op="replace_text", path=prompt.path, old=flow.group(), new=f"tools: [{', '.join(kept)}]")
