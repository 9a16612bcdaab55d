"""Recording never breaks a request: a full queue or a failing sink drops and counts."""

from __future__ import annotations

import logging
import threading

from optimizer.runtime.recorder import TraceRecorder
from optimizer.traces.sinks import JsonlTraceSink


class SlowSink:
    """A sink that holds its first batch until released: the agent outpaces its store."""

    description = "a slow store"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.batches: list[int] = []

    def write(self, records):
        self.release.wait()
        self.batches.append(len(records))

    def close(self):
        pass


def test_a_full_queue_drops_and_counts_and_never_blocks(caplog):
    sink = SlowSink()
    recorder = TraceRecorder(sink, max_queue=3, batch=1)
    with caplog.at_level(logging.WARNING, logger="optimizer.runtime"):
        for n in range(20):
            recorder.submit({"trace_id": str(n)})
    sink.release.set()
    assert recorder.flush(timeout=30)
    stats = recorder.stats()
    assert stats.submitted == 20 and stats.pending == 0
    assert stats.written + stats.dropped_queue_full == 20
    assert 3 <= stats.written <= 4  # the queue's three, and the one being written when it filled
    assert "a slow store: the trace queue is full, 1 trace(s) dropped so far" in caplog.text
    assert "10 trace(s) dropped so far" in caplog.text and "2 trace(s) dropped" not in caplog.text
    recorder.close()
    assert sum(sink.batches) == stats.written


def test_a_sink_that_fails_drops_the_batch_and_counts_it(tmp_path, caplog):
    folder = tmp_path / "not-a-file.jsonl"
    folder.mkdir()
    recorder = TraceRecorder(JsonlTraceSink(folder))
    recorder.submit({"trace_id": "x"})
    assert recorder.flush(timeout=30)
    with caplog.at_level(logging.INFO, logger="optimizer.runtime"):
        recorder.close()
    assert recorder.stats().dropped_write_failed == 1
    assert "0 trace(s) written, 1 dropped (0 queue full, 1 write failed), 0 pending" in caplog.text


def test_traces_recorded_after_close_are_counted_as_dropped(tmp_path):
    recorder = TraceRecorder(JsonlTraceSink(tmp_path / "t.jsonl"))
    recorder.close()
    recorder.submit({"trace_id": "late"})
    assert (recorder.stats().dropped_queue_full, recorder.stats().pending) == (1, 0)
