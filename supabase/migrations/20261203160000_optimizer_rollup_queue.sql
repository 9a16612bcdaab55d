-- optimizer: rollups out of the insert path. Until now the insert trigger rolled every written
-- trace up at once: it cost 4.5-5x the insert, concurrent writers queued on the same rollup rows,
-- and two writers each missed the other's uncommitted session row, so sessions were over-counted.
--
-- Now an insert only appends the new trace ids to optimizer_rollup_queue (an append-only ledger,
-- no other work); optimizer_roll_up takes queued ids in chunks and adds them to the rollups, one
-- caller at a time (a transaction-scoped advisory lock). Under that lock every statement sees all
-- that earlier roll-ups committed, so a session's previous hour is always found and the session
-- counts are exact with any number of writers.
--
-- Reads stay exact whoever calls them: the analysis adds the queued traces of its whole hours to
-- what it aggregates on the fly (with the partial hours at its ends), so a trace counts once,
-- rolled up or queued.
--
-- Who rolls up: the reader. The optimizer calls optimizer_roll_up until the queue is empty before
-- every analysis (optimizer/traces/supabase.py), so a read right after inserts is exact; the daily
-- run is such a reader, and retention rolls up before it deletes. The analysis itself stays a
-- STABLE function (PostgREST runs it read-only), which is why the roll-up is its own call.
-- Re-runnable, like the other files.

create table if not exists public.optimizer_rollup_queue (
  id bigint not null -- optimizer_traces.id, written and not yet rolled up
);
comment on table public.optimizer_rollup_queue is
  'optimizer: ids of traces written but not yet rolled up (optimizer_roll_up empties it).';
alter table public.optimizer_rollup_queue enable row level security; -- no policy: the owner's functions alone
revoke all on table public.optimizer_rollup_queue from public, anon, authenticated, service_role;

-- The lock every writer of the rollups holds until its transaction ends.
create or replace function public.optimizer_rollup_lock()
returns void
language sql
volatile
set search_path = public, pg_temp
as $$
  select pg_advisory_xact_lock(hashtextextended('optimizer rollups', 0))
$$;

-- The ids still queued, for the analysis (which runs as the service role, with no right on the queue).
create or replace function public.optimizer_queued_ids()
returns bigint[]
language sql
stable
security definer
set search_path = public, pg_temp
as $$
  select coalesce(array_agg(id), '{}') from public.optimizer_rollup_queue
$$;

-- What a contribution reads (see 20261120000002): the rows with these ids, or else the rows of
-- the window's partial hours [p_lo1, p_hi1) and [p_lo2, p_hi2) and the queued rows of its whole
-- hours [p_hi1, p_lo2), which the rollups do not have yet.
create or replace function public.optimizer_source(p_ids bigint[])
returns text
language sql immutable
set search_path = public, pg_temp
as $$
  select case when p_ids is not null then 't.id = any($1)'
    else '((t.started_at >= $2 and t.started_at < $3) or (t.started_at >= $4 and t.started_at < $5)'
      || ' or (t.started_at >= $3 and t.started_at < $4 and t.id = any(public.optimizer_queued_ids())))'
      || ' and ($6::text is null or t.agent = $6)' end
$$;

-- An insert queues its ids: a statement-level trigger, one cheap INSERT ... SELECT per statement.
create or replace function public.optimizer_rollup_on_insert()
returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  insert into public.optimizer_rollup_queue (id) select id from new_rows;
  return null;
end
$$;

-- Roll up at most p_limit queued traces; returns how many (fewer than p_limit: the queue is empty,
-- as far as this transaction can see). Each call is one statement: the caller repeats it.
create or replace function public.optimizer_roll_up(p_limit integer default 20000)
returns integer
language plpgsql
volatile
security definer -- the caller needs no right on the queue or the rollups
set search_path = public, pg_temp
as $$
declare
  ids bigint[];
begin
  perform public.optimizer_rollup_lock();
  -- a new statement, so a new snapshot: what the previous holder of the lock committed is seen
  with taken as (
    delete from public.optimizer_rollup_queue q
    where q.ctid = any(array(select ctid from public.optimizer_rollup_queue limit greatest(p_limit, 0)))
    returning q.id
  )
  select array_agg(distinct id) into ids from taken;
  perform public.optimizer_rollup_add(ids);
  return coalesce(cardinality(ids), 0);
end
$$;

-- Every queued trace, rolled up (for the triggers that rebuild hours: they must not see a queued
-- trace in the table and again in the queue).
create or replace function public.optimizer_rollup_drain()
returns void
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  while public.optimizer_roll_up(100000) > 0 loop
  end loop;
end
$$;

-- An UPDATE or DELETE rebuilds the hours it touched, after the queue is rolled up, under the lock.
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
  perform public.optimizer_rollup_drain();
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

-- TRUNCATE of the traces empties the queue too (its ids would name the next traces written).
create or replace function public.optimizer_rollup_on_truncate()
returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  truncate public.optimizer_rollup_queue;
  return null;
end
$$;

do $$
begin
  if (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) <> 'r' then
    return; -- a view over the user's own table: no triggers, no rollups (see optimizer_analyze)
  end if;
  drop trigger if exists optimizer_rollup_truncate on public.optimizer_traces;
  create trigger optimizer_rollup_truncate after truncate on public.optimizer_traces
    for each statement execute function public.optimizer_rollup_on_truncate();
end
$$;

-- Retention rolls up first and deletes only traces already rolled up, under the lock: a trace
-- still queued (committed meanwhile, or beyond this call's chunk) waits for the next call.
create or replace function public.optimizer_prune_traces(p_before timestamptz, p_limit integer default 20000)
returns integer
language plpgsql
volatile
security definer -- reads the queue; deletes as the owner what the service role may delete anyway
set search_path = public, pg_temp
as $$
declare
  gone integer;
begin
  perform public.optimizer_roll_up(p_limit);
  perform set_config('optimizer.keep_rollups', 'on', true);
  delete from public.optimizer_traces
  where id in (
    select t.id from public.optimizer_traces t
    where t.started_at < p_before and not exists (select from public.optimizer_rollup_queue q where q.id = t.id)
    order by t.id limit greatest(p_limit, 0)
  );
  get diagnostics gone = row_count;
  perform set_config('optimizer.keep_rollups', 'off', true);
  return gone;
end
$$;

-- Least privilege (as in 20261203110000): the roll-up and retention for the service role (the
-- daily job); the queue, lock and triggers for the owner alone; nothing for anon, authenticated
-- or the trace writer.
do $$
declare
  fn text;
begin
  foreach fn in array array[
    'optimizer_rollup_lock()', 'optimizer_rollup_on_insert()', 'optimizer_rollup_drain()',
    'optimizer_rollup_on_change()', 'optimizer_rollup_on_truncate()',
    'optimizer_roll_up(integer)', 'optimizer_prune_traces(timestamptz, integer)', 'optimizer_queued_ids()',
    'optimizer_source(bigint[])'
  ] loop
    execute format('revoke all on function public.%s from public, anon, authenticated, service_role', fn);
    if exists (select from pg_roles where rolname = 'optimizer_trace_writer') then
      execute format('revoke all on function public.%s from optimizer_trace_writer', fn);
    end if;
  end loop;
  grant execute on function public.optimizer_roll_up(integer) to service_role;
  grant execute on function public.optimizer_prune_traces(timestamptz, integer) to service_role;
  grant execute on function public.optimizer_queued_ids() to service_role;
  grant execute on function public.optimizer_source(bigint[]) to service_role;
end
$$;
