"""The three edits the deterministic analyst dares to propose, one function per finding kind."""

from __future__ import annotations

import re

from optimizer.analysis.detectors.prompt_duplication import block_subject
from optimizer.artifacts.constants import UNWRITTEN_ANSWER_MARKER
from optimizer.artifacts.model import AgentArtifacts, PromptFile
from optimizer.fmt import count
from optimizer.models import Edit, Finding, Proposal
from optimizer.text.blocks import DuplicateBlock, find_duplicate_blocks

# A timeout rule pays off only when most failures are timeouts; other failures need a code fix.
MIN_TIMEOUT_SHARE = 0.5
_PLAIN_QUESTION = re.compile(r"[\w\s,'’?-]{8,120}\?\Z")
_SUSPICIOUS = re.compile(r"ignore|instruction|prompt|system|assistant|http|www\.|\[\w+\]", re.IGNORECASE)


def duplicate_block_proposal(finding: Finding, artifacts: AgentArtifacts) -> Proposal | None:
    block = _block_for(finding, artifacts)
    if block is None or len(block.occurrences) < 2:
        return None
    path, _offset = block.occurrences[-1]
    prompt = next(p for p in artifacts.prompts if p.path == path)
    if any(placeholder in block.text for placeholder in prompt.required_placeholders):
        return None  # a required placeholder is never touched; the finding stays an action item
    edit = _remove_last_copy(prompt, block)
    first_path = block.occurrences[0][0]
    return Proposal(
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


def timeout_rule_proposal(finding: Finding, artifacts: AgentArtifacts) -> Proposal | None:
    failures = int(finding.figures.get("failures") or 0)
    timeouts = int(finding.figures.get("timeouts") or 0)
    soul = artifacts.soul
    if soul is None or not failures or timeouts / failures < MIN_TIMEOUT_SHARE:
        return None
    tool = finding.subject
    if any(tool in str(rule) and "retry" in str(rule).lower() for rule in soul.data.get("always_do") or ()):
        return None  # the soul already has a retry rule for this tool
    rule = (
        f"When the {tool} tool times out, retry it once before saying anything; if it fails again, "
        "tell the user the system is slow right now and offer to follow up. Never guess its result."
    )
    return Proposal(
        title=f"Retry {tool} once after a timeout before telling the user",
        edit=Edit(op="append_item", path=soul.path, field="always_do", new=rule),
        finding_keys=(finding.key,),
        rationale=f"{count(timeouts)} of the {count(failures)} failures of {tool} were timeouts "
        f"({finding.title}). A single retry recovers a transient timeout; the rule also stops the agent "
        "from guessing when the tool is down.",
        expected_effect=f"Fewer conversations failed by {tool} timeouts; the service itself still needs the fix "
        "listed under action items.",
        confidence=0.7,
        score=float(timeouts),
    )


def faq_proposal(finding: Finding, artifacts: AgentArtifacts) -> Proposal | None:
    soul = artifacts.soul
    if soul is None:
        return None
    label = finding.subject
    keyword = label.split()[0] if label.split() else label
    if any(keyword in str(entry.get("question", "")).lower() for entry in soul.data.get("faq") or ()):
        return None  # an entry on this topic exists; a wording problem is for a human to judge
    question = _question_for(finding)
    unanswered = int(finding.figures.get("unanswered") or 0)
    return Proposal(
        title=f"Add an FAQ entry on “{label}” ({count(unanswered)} unanswered questions)",
        edit=Edit(
            op="add_faq",
            path=soul.path,
            question=question,
            answer=f"{UNWRITTEN_ANSWER_MARKER} write the answer; {count(unanswered)} users asked this "
            "and the agent could not answer.",
        ),
        finding_keys=(finding.key,),
        rationale=f"{finding.title}. The agent has nothing to answer from, so it says it does not know "
        "or hands off. Only the owner knows the answer: it is left for you to write, and validation "
        "fails until you do, so this entry cannot be deployed by accident.",
        expected_effect="Once answered: these questions get an answer instead of a hand-off.",
        confidence=0.6,
        score=float(unanswered),
    )


def _question_for(finding: Finding) -> str:
    """A real question from the traces when it is plainly one; a neutral template otherwise.

    Trace text is untrusted: only a short, plain question with nothing redacted and nothing
    that reads like an instruction is copied into the soul.
    """
    for example in finding.evidence.excerpts:
        text = example.strip()
        if _PLAIN_QUESTION.match(text) and not _SUSPICIOUS.search(text):
            return text[0].upper() + text[1:]
    return f"What should I know about {finding.subject}?"
