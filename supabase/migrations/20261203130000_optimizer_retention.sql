-- Retention: raw traces older than retention.days are deleted in chunks, and their hours' rollups
-- are kept, so the measurement, the weekly report and any window over old hours still work from
-- the rollups (the samples they name are gone with the raw rows). A delete by hand still updates
-- the rollups as before: only optimizer_prune_traces sets optimizer.keep_rollups for its own
-- statement. No partitioning: deleting by chunks of ids keeps every statement far inside the
-- service role's timeout and works on any plan; a partitioned table would change the table the
-- agents write to and the view path.

create or replace function public.optimizer_rollup_on_change()
returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  agents text[];
  hours timestamptz[];
begin
  if tg_op = 'DELETE' and current_setting('optimizer.keep_rollups', true) = 'on' then
    return null; -- retention: the raw rows go, what they added to the rollups stays
  end if;
  if tg_op = 'UPDATE' then
    select array_agg(agent), array_agg(hour) into agents, hours from (
      select agent, date_trunc('hour', started_at, 'UTC') as hour from old_rows
      union
      select agent, date_trunc('hour', started_at, 'UTC') from new_rows
    ) k;
  else
    select array_agg(agent), array_agg(hour) into agents, hours from (
      select distinct agent, date_trunc('hour', started_at, 'UTC') as hour from old_rows
    ) k;
  end if;
  if agents is not null then
    perform public.optimizer_rollup_rebuild(agents, hours);
  end if;
  return null;
end
$$;

-- Delete at most p_limit raw traces that started before p_before, oldest ids first; returns how
-- many went. The caller repeats it until fewer than p_limit go (each call its own statement).
create or replace function public.optimizer_prune_traces(p_before timestamptz, p_limit integer default 20000)
returns integer
language plpgsql
set search_path = public, pg_temp
as $$
declare
  gone integer;
begin
  perform set_config('optimizer.keep_rollups', 'on', true);
  delete from public.optimizer_traces
  where id in (
    select id from public.optimizer_traces where started_at < p_before order by id limit greatest(p_limit, 0)
  );
  get diagnostics gone = row_count;
  perform set_config('optimizer.keep_rollups', 'off', true);
  return gone;
end
$$;

revoke all on function public.optimizer_prune_traces(timestamptz, integer) from public, anon, authenticated;
grant execute on function public.optimizer_prune_traces(timestamptz, integer) to service_role;
