"""REPLAY: evidence before the merge. The conversations behind each proposal's finding (and a holdout
that went well) mined from the traces, redacted, replayed against the current and the proposed prompt
and soul with the recorded tool results, and graded: deterministic where a phrase list can tell, a
rubric the model judges where it cannot."""
