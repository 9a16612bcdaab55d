-- What people wrote after the agent: staff replies after a hand-off (role "human") and the
-- owner's corrections (role "owner"). The optimizer drafts FAQ answers from the staff replies and
-- shows the corrections as evidence, as the JSONL path does. optimizer_analyze keeps its signature
-- and gains a "replies" section, so one statement (one snapshot) still answers a whole analysis.

-- The window's traces with a staff reply or an owner's correction, in arrival order, at most
-- p_max of them (the rest are counted): {"rows": [{id, trace_id, agent, escalated, owner_corrected,
-- metadata, messages}], "truncated": n}. Python reads the messages with the aggregator's own code.
create or replace function public.optimizer_human_replies(
  p_start timestamptz, p_end timestamptz, p_agent text, p_max integer default 20000
)
returns jsonb
language sql stable
set search_path = public, pg_temp
as $$
  with replied as (
    select t.id, t.trace_id, t.agent, t.escalated, t.owner_corrected, t.metadata, t.messages
    from public.optimizer_traces t
    where t.started_at >= p_start and t.started_at < p_end
      and (p_agent is null or t.agent = p_agent)
      and jsonb_typeof(t.messages) = 'array'
      and (t.messages @> '[{"role": "human"}]'::jsonb or t.messages @> '[{"role": "owner"}]'::jsonb)
  ), kept as (
    select * from replied order by id limit greatest(p_max, 0)
  )
  select jsonb_build_object(
    'rows', coalesce((select jsonb_agg(to_jsonb(k) order by k.id) from kept k), '[]'::jsonb),
    'truncated', (select count(*) from replied) - (select count(*) from kept)
  );
$$;

create or replace function public.optimizer_analyze(
  p_start timestamptz, p_end timestamptz, p_agent text default null,
  p_log_gamma double precision default ln(1.01::double precision), p_max_groups integer default 20000,
  p_max_candidates integer default 200000
)
returns json
language plpgsql stable
set search_path = public, pg_temp
as $$
declare
  middle record;
begin
  middle := public.optimizer_middle(p_start, p_end, p_log_gamma);
  return json_build_object(
    'traces', public.optimizer_trace_stats(
      p_start, p_end, p_agent, p_log_gamma, p_max_groups, middle.mid_lo, middle.mid_hi),
    'tools', public.optimizer_tool_stats(
      p_start, p_end, p_agent, p_log_gamma, p_max_groups, middle.mid_lo, middle.mid_hi),
    'unanswered', public.optimizer_unanswered_candidates(
      p_start, p_end, p_agent, p_max_candidates, middle.mid_lo, middle.mid_hi),
    'samples', public.optimizer_conversation_samples(p_start, p_end, p_agent, middle.mid_lo, middle.mid_hi),
    'replies', public.optimizer_human_replies(p_start, p_end, p_agent)
  );
end
$$;

revoke all on function public.optimizer_human_replies(timestamptz, timestamptz, text, integer)
  from public, anon, authenticated;
grant execute on function public.optimizer_human_replies(timestamptz, timestamptz, text, integer) to service_role;
