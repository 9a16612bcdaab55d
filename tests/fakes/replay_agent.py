"""A stand-in for the example agent's model, for replay tests: it answers from what the request holds.

It behaves like a careful front-desk model would with the request it is sent, so a test can tell
which prompt was sent by what comes back: it answers a question when the system prompt holds an
FAQ entry on its topic, else says it will check with the team; it calls check_availability for
dates; after a failed tool result it retries once when the prompt asks for a retry; and as the
rubric judge it passes an answer whose topic the soul covers.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.anthropic_server import Reply, text_answer

TOPICS = {
    "dog": "Yes, well-behaved dogs are welcome in the Garden Doubles for £15 a night.",
    "pet": "Yes, well-behaved dogs are welcome in the Garden Doubles for £15 a night.",
    "parking": "We have six parking spaces behind the hotel at £10 a night; please book one ahead.",
    "wifi": "Free wifi throughout the hotel.",
    "breakfast": "Breakfast is served from 7:30 to 10am.",
}
RETRY_WORDS = ("retry it once", "try it once more", "retry once")
DATE_WORDS = ("night", "book", "available", "availability", "room for", "stay")
DONT_KNOW = "I'm not sure about that; I'll check with the team and get back to you."


def system_text(body: dict[str, Any]) -> str:
    system = body.get("system") or ""
    return system if isinstance(system, str) else "\n".join(b.get("text", "") for b in system)


def respond(body: dict[str, Any]) -> Reply:
    if (body.get("tool_choice") or {}).get("name") == "record_verdict":
        return _verdict(body)
    messages = body["messages"]
    last = messages[-1]["content"]
    blocks = last if isinstance(last, list) else [{"type": "text", "text": last}]
    results = [b for b in blocks if b.get("type") == "tool_result"]
    text = " ".join(b.get("text", "") for b in blocks if b.get("type") == "text").lower()
    system = system_text(body).lower()
    if results and not text:
        return _after_tools(results, messages, system)
    tools = {t["name"] for t in body.get("tools") or []}
    if "check_availability" in tools and any(word in text for word in DATE_WORDS):
        return Reply(content=[{"type": "tool_use", "name": "check_availability", "input": {"question": text[:80]}}])
    for topic, answer in TOPICS.items():
        if topic in text:
            return text_answer(answer if _covered(topic, system) else DONT_KNOW)
    return text_answer("Of course, happy to help with that.")


def _covered(topic: str, system: str) -> bool:
    """Whether the prompt's FAQ has an entry on ``topic`` (a question line that names it)."""
    return any(topic in line for line in system.splitlines() if "question:" in line)


def _after_tools(results: list[dict[str, Any]], messages: list[dict[str, Any]], system: str) -> Reply:
    if not any(r.get("is_error") for r in results):
        return text_answer("The Garden Double is free for those dates at £135 a night, breakfast included.")
    calls = sum(
        1
        for m in messages
        if m["role"] == "assistant"
        for b in m["content"]
        if isinstance(b, dict) and b.get("type") == "tool_use" and b.get("name") == "check_availability"
    )
    if calls < 2 and any(word in system for word in RETRY_WORDS):
        return Reply(content=[{"type": "tool_use", "name": "check_availability", "input": {"retry": True}}])
    return text_answer("The booking system is slow right now; I will follow up by email shortly.")


def _verdict(body: dict[str, Any]) -> Reply:
    question = body["messages"][-1]["content"].lower()
    soul = system_text(body).lower()
    covered = any(topic in question and _covered(topic, soul) for topic in TOPICS)
    reason = "The answer is in the soul's FAQ." if covered else "The soul does not say this; the answer is invented."
    return Reply(
        content=[{"type": "tool_use", "name": "record_verdict", "input": {"passed": covered, "reason": reason}}]
    )
