"""OBSERVE: where traces come from (the TraceSource protocol, sources registered by name: ``jsonl``
is the embedded default, ``supabase`` aggregates in SQL), and the sinks the agent's runtime writes to."""
