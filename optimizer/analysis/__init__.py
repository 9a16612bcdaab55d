"""Turning traces into metrics and findings: pure code, no I/O."""
