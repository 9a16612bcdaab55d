-- optimizer: the block hashes optimizer.runtime's compile() records in metadata.prompt_blocks, so the
-- duplication detector finds a block the agent fills in twice at run time from Supabase traces too (the
-- JSONL path reads them from each trace). Every trace of one rendering carries the same blocks, so they
-- are grouped: one row per distinct (agent, prompt_blocks) with its trace count and first trace ids, in
-- order of first appearance, at most p_max groups. Re-runnable.

create or replace function public.optimizer_prompt_blocks(
  p_start timestamptz, p_end timestamptz, p_agent text, p_max integer default 1000
)
returns jsonb
language sql stable
set search_path = public, pg_temp
as $$
  with rendered as (
    select t.agent, t.metadata -> 'prompt_blocks' as blocks, min(t.id) as first_id, count(*) as traces,
      (array_agg(t.trace_id order by t.id))[1:5] as trace_ids
    from public.optimizer_traces t
    where t.started_at >= p_start and t.started_at < p_end
      and (p_agent is null or t.agent = p_agent)
      and jsonb_typeof(t.metadata -> 'prompt_blocks') = 'array'
    group by t.agent, t.metadata -> 'prompt_blocks'
  ), kept as (
    select * from rendered order by first_id limit greatest(p_max, 0)
  )
  select jsonb_build_object(
    'rows', coalesce((
      select jsonb_agg(jsonb_build_object(
        'agent', k.agent, 'blocks', k.blocks, 'traces', k.traces, 'trace_ids', to_jsonb(k.trace_ids)
      ) order by k.first_id)
      from kept k
    ), '[]'::jsonb),
    'truncated', (select count(*) from rendered) - (select count(*) from kept)
  );
$$;

revoke all on function public.optimizer_prompt_blocks(timestamptz, timestamptz, text, integer)
  from public, anon, authenticated;
grant execute on function public.optimizer_prompt_blocks(timestamptz, timestamptz, text, integer) to service_role;
