"""Each conversation keeps the version it started on: pins by session id, in bounded memory.

A session is pinned by its first ``load(session_id=...)`` and keeps that version, whatever is
deployed meanwhile, until ``end_session`` or until it is the least recently used of more than
``limit`` sessions (then a new load pins it again, on the version current then).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from optimizer.runtime.active import ActiveVersion

MAX_SESSIONS = 10_000


class SessionPins:
    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self.limit = limit
        self._pins: OrderedDict[str, ActiveVersion] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> ActiveVersion | None:
        with self._lock:
            pinned = self._pins.get(session_id)
            if pinned is not None:
                self._pins.move_to_end(session_id)
            return pinned

    def pin(self, session_id: str, current: ActiveVersion) -> ActiveVersion:
        """The session's version: the one pinned before, else ``current`` (pinned now)."""
        with self._lock:
            pinned = self._pins.get(session_id)
            if pinned is None:
                pinned = self._pins[session_id] = current.for_session(session_id)
                if len(self._pins) > self.limit:
                    self._pins.popitem(last=False)
            else:
                self._pins.move_to_end(session_id)
            return pinned

    def end(self, session_id: str) -> None:
        with self._lock:
            self._pins.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._pins)
