"""The active version in memory: fresh for ``ttl`` seconds, then served stale while a background
thread refreshes it; a store that fails is asked again only after an exponential back-off, and
before any read succeeded the deployed snapshot (the fallback) is served, never the working tree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from optimizer.errors import OptimizerError
from optimizer.runtime.active import ActiveVersion
from optimizer.runtime.stores import UNREACHABLE, ArtifactStore, load_snapshot

BACKOFF_FIRST = 1.0  # seconds before the first retry of a failed read; doubled after each failure
BACKOFF_MAX = 60.0


class NoVersion(OptimizerError):
    """Raised when no deployed version can be read and there is no snapshot to fall back to."""


class VersionCache:
    """One agent's active version, read from ``store``; thread-safe."""

    def __init__(
        self,
        agent: str,
        store: ArtifactStore | None,
        *,
        ttl: float,
        fallback: Path | None,
        clock: Callable[[], float],
        backoff_max: float = BACKOFF_MAX,
    ) -> None:
        self.agent = agent
        self.store = store
        self.ttl = ttl
        self.fallback_path = fallback
        self.backoff_max = backoff_max
        self.reads = 0  # attempts to read the store
        self.last_error: str | None = None  # why the last read failed (or found nothing), else None
        self._clock = clock
        self._entry: tuple[ActiveVersion, float] | None = None  # (version, read at): one attribute, swapped whole
        self._stale: ActiveVersion | None = None  # the cached version, marked "cache", while reads fail
        self._fallback: ActiveVersion | None = None
        self._failures = 0
        self._retry_at = float("-inf")
        self._lock = threading.Lock()
        self._refresher: threading.Thread | None = None

    def current(self) -> ActiveVersion:
        """The version to serve now; reads the store itself only on a cold start."""
        entry = self._entry
        now = self._clock()
        if entry is not None and now - entry[1] < self.ttl:
            return entry[0]
        with self._lock:
            if self._entry is not None:
                if now >= self._retry_at and not self._refreshing():
                    self._refresher = threading.Thread(
                        target=self._refresh, name=f"optimizer-{self.agent}", daemon=True
                    )
                    self._refresher.start()
                return self._stale or self._entry[0]
            if now >= self._retry_at:
                fresh = self._read()
                if fresh is not None:
                    return fresh
            return self._fallback_version()

    def peek(self) -> ActiveVersion | None:
        """The version ``current()`` served last, without reading anything (None before any)."""
        entry = self._entry
        return (self._stale or entry[0]) if entry is not None else self._fallback

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background refresh in flight, if any."""
        refresher = self._refresher
        if refresher is not None:
            refresher.join(timeout)

    def _refreshing(self) -> bool:
        return self._refresher is not None and self._refresher.is_alive()

    def _refresh(self) -> None:
        found, error = self._fetch()  # outside the lock: callers keep being served the cached version
        with self._lock:
            self._settle(found, error)

    def _read(self) -> ActiveVersion | None:
        """Ask the store once, the lock held (a cold start: there is nothing else to serve yet)."""
        found, error = self._fetch()
        return self._settle(found, error)

    def _fetch(self) -> tuple[ActiveVersion | None, str | None]:
        self.reads += 1
        if self.store is None:
            return None, "no store to read"
        try:
            found = self.store.load(self.agent)
        except UNREACHABLE as err:
            return None, str(err)
        return found, None if found else f"nothing deployed for {self.agent} in {self.store.description}"

    def _settle(self, found: ActiveVersion | None, error: str | None) -> ActiveVersion | None:
        """Keep what was read, or schedule the next attempt after a failure."""
        now = self._clock()
        self.last_error = error
        if found is None:
            self._failures += 1
            self._retry_at = now + min(BACKOFF_FIRST * 2 ** (self._failures - 1), self.backoff_max)
            if self._entry is not None and self._stale is None:
                self._stale = replace(self._entry[0], source="cache")
            return None
        self._failures, self._retry_at, self._stale = 0, float("-inf"), None
        self._entry = (found, now)
        return found

    def _fallback_version(self) -> ActiveVersion:
        if self._fallback is None:
            if self.fallback_path is None:
                raise NoVersion(f"{self.agent}: no deployed version could be read ({self.last_error}) and no snapshot")
            try:
                self._fallback = load_snapshot(self.fallback_path, self.agent)
            except UNREACHABLE as err:
                raise NoVersion(f"{self.agent}: no deployed version could be read ({self.last_error}); {err}") from err
        return self._fallback
