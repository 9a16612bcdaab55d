"""Traces written in the background: a bounded queue, batches, and counts of what was dropped.

``submit`` never blocks and never raises: a full queue drops the trace, a sink that fails drops
its batch, and both are counted (``stats()``) and logged. ``flush`` waits for what is queued;
``close`` flushes and stops the writer, and runs at interpreter exit for a recorder left open.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.traces.sinks import TraceSink

log = logging.getLogger("optimizer.runtime")

MAX_QUEUE = 10_000
BATCH = 200
_STOP = object()


@dataclass(frozen=True)
class RecorderStats:
    """What became of the traces handed to ``record()``."""

    submitted: int
    written: int
    dropped_queue_full: int  # the queue was full: the sink is slower than the agent, or down
    dropped_write_failed: int  # the sink refused or could not be reached
    pending: int  # queued or being written

    @property
    def dropped(self) -> int:
        return self.dropped_queue_full + self.dropped_write_failed

    def line(self) -> str:
        return (
            f"{self.written} trace(s) written, {self.dropped} dropped "
            f"({self.dropped_queue_full} queue full, {self.dropped_write_failed} write failed), {self.pending} pending"
        )


class TraceRecorder:
    def __init__(self, sink: TraceSink, *, max_queue: int = MAX_QUEUE, batch: int = BATCH) -> None:
        self.sink = sink
        self.batch = batch
        self._queue: queue.Queue[object] = queue.Queue(max_queue)
        self._done = threading.Condition()
        self._submitted = self._written = self._full = self._failed = 0
        self._closed = False
        self._worker = threading.Thread(target=self._run, name="optimizer-recorder", daemon=True)
        self._worker.start()
        self._exit_hook = _close_at_exit(self)
        atexit.register(self._exit_hook)

    def submit(self, record: dict[str, Any]) -> None:
        with self._done:
            self._submitted += 1
            if self._closed:
                self._full += 1
                return
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            with self._done:
                self._full += 1
                self._done.notify_all()
                full = self._full
            if _worth_logging(full):
                log.warning("%s: the trace queue is full, %d trace(s) dropped so far", self.sink.description, full)

    def stats(self) -> RecorderStats:
        with self._done:
            settled = self._written + self._failed + self._full
            return RecorderStats(self._submitted, self._written, self._full, self._failed, self._submitted - settled)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every trace submitted so far is written or dropped; False on timeout."""
        with self._done:
            target = self._submitted
            return self._done.wait_for(lambda: self._written + self._failed + self._full >= target, timeout)

    def close(self, timeout: float | None = 10.0) -> None:
        """Flush, stop the writer, log the counts once."""
        with self._done:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self._exit_hook)
        self.flush(timeout)
        self._queue.put(_STOP)
        self._worker.join(timeout)
        stats = self.stats()
        (log.warning if stats.dropped else log.info)("%s: %s", self.sink.description, stats.line())

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch: list[dict[str, Any]] = [first]  # type: ignore[list-item]
            stop = False
            while len(batch) < self.batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)  # type: ignore[arg-type]
            self._write(batch)
            if stop:
                return

    def _write(self, batch: Sequence[dict[str, Any]]) -> None:
        try:
            self.sink.write(batch)
        except Exception as err:  # whatever the sink raises, the agent's request must never see it
            with self._done:
                self._failed += len(batch)
                self._done.notify_all()
                failed = self._failed
            if _worth_logging(failed, len(batch)):
                log.warning(
                    "%s: %d trace(s) not written (%s); %d dropped so far",
                    self.sink.description,
                    len(batch),
                    " ".join(str(err).split())[:300],
                    failed,
                )
            return
        with self._done:
            self._written += len(batch)
            self._done.notify_all()


def _worth_logging(total: int, step: int = 1) -> bool:
    """Log the 1st, 10th, 100th... drop: a long outage is a few lines, not one per trace."""
    power = 1
    while power <= total:
        if total - step < power <= total:
            return True
        power *= 10
    return False


def _close_at_exit(recorder: TraceRecorder) -> Any:
    ref = weakref.ref(recorder)

    def close() -> None:
        alive = ref()
        if alive is not None:
            alive.close(timeout=5.0)

    return close
