-- optimizer: the traces with a staff reply or an owner's correction (optimizer_human_replies,
-- 20261203090000) are a few percent of all; without an index the analysis read every trace of the
-- window to find them, its conversation included: seconds for a 7-day look-back at 1M traces a
-- day. A partial index on exactly that condition finds them by time. Creating it reads the table
-- once; a project with many traces may prefer to create it by hand first with
-- `create index concurrently` (same name), which this file then leaves alone. Re-runnable.

do $$
begin
  if (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) <> 'r' then
    return; -- a view over the user's own table: its indexes are the user's
  end if;
  create index if not exists optimizer_traces_replies on public.optimizer_traces (started_at)
    where messages @> '[{"role": "human"}]'::jsonb or messages @> '[{"role": "owner"}]'::jsonb;
end
$$;
