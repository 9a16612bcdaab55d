"""Where traces come from. The JSONL reader is the embedded default."""
