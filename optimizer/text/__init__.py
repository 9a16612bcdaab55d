"""Pure text analysis for the detectors: redaction, error grouping, answers, topics, prompt blocks.

Everything here is stdlib-only and free of I/O. Functions run once per trace are kept to about a
microsecond (precompiled patterns behind substring gates); the rest runs on the few traces that
matter (failed tool calls, unanswered or escalated conversations).
"""
