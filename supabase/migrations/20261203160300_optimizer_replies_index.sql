-- optimizer: the traces with a staff reply or an owner's correction (optimizer_human_replies,
-- 20261203090000) are a few percent of all; without an index the analysis read every trace of the
-- window to find them, its conversation included: seconds for a 7-day look-back at 1M traces a
-- day (and kept them all, conversations included, to count them). A partial index on exactly that
-- condition finds them by time and hands out their ids without reading the rows; only the first
-- p_max rows are then read. Creating it reads the table
-- once; a project with many traces may prefer to create it by hand first with
-- `create index concurrently` (same name), which this file then leaves alone. Re-runnable.

do $$
begin
  if (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) <> 'r' then
    return; -- a view over the user's own table: its indexes are the user's
  end if;
  create index if not exists optimizer_traces_replies on public.optimizer_traces (started_at) include (id)
    where messages @> '[{"role": "human"}]'::jsonb or messages @> '[{"role": "owner"}]'::jsonb;
end
$$;

create or replace function public.optimizer_human_replies(
  p_start timestamptz, p_end timestamptz, p_agent text, p_max integer default 20000
)
returns jsonb
language sql stable
set search_path = public, pg_temp
as $$
  -- a conversation that contains a "human" or "owner" message is an array: no type test needed
  with replied as (
    select t.id from public.optimizer_traces t
    where t.started_at >= p_start and t.started_at < p_end
      and (p_agent is null or t.agent = p_agent)
      and (t.messages @> '[{"role": "human"}]'::jsonb or t.messages @> '[{"role": "owner"}]'::jsonb)
  ), kept as (
    select id from replied order by id limit greatest(p_max, 0)
  )
  select jsonb_build_object(
    'rows', coalesce((
      select jsonb_agg(to_jsonb(k) order by k.id)
      from (
        select t.id, t.trace_id, t.agent, t.escalated, t.owner_corrected, t.metadata, t.messages
        from kept join public.optimizer_traces t using (id)
      ) k
    ), '[]'::jsonb),
    'truncated', (select count(*) from replied) - (select count(*) from kept)
  );
$$;
