"""What the agent imports: its deployed prompts and soul with their version, and trace recording.

    from optimizer.runtime import Runtime

    with Runtime.from_config("frontdesk") as runtime:
        active = runtime.load(session_id=sid)   # the version this conversation runs with
        system_prompt = active.compile("system", PLAYBOOKS=playbooks, GUEST_CONTEXT=context)
        ...
        runtime.record({"session_id": sid, "messages": [...], "usage": {...}, ...})

``load`` serves the version cached for ``ttl`` seconds, then keeps serving it while a background
thread refreshes it; a store that is down is retried after an exponential back-off, and with no
version read yet the deployed snapshot is served, flagged ``fallback``. A session keeps the version
it was first loaded with. ``record`` stamps that version, queues the trace and returns at once; a
background writer sends batches, and drops and counts what it cannot write. Importing this package
loads no CLI, git, GitHub or Anthropic library (docs/runtime.md).
"""

from __future__ import annotations

from optimizer.runtime.active import ActiveVersion
from optimizer.runtime.agent import Runtime, TraceRejected
from optimizer.runtime.cache import NoVersion
from optimizer.runtime.prompts import MissingPlaceholder, PromptTemplate
from optimizer.runtime.recorder import RecorderStats

__all__ = [
    "ActiveVersion",
    "MissingPlaceholder",
    "NoVersion",
    "PromptTemplate",
    "RecorderStats",
    "Runtime",
    "TraceRejected",
]
