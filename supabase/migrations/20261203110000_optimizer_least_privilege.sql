-- Grants that hold under Supabase's default privileges. A Supabase project grants ALL on every new
-- table, function and sequence in public to anon, authenticated and service_role; the earlier
-- migrations revoked from anon and authenticated but not from service_role, and never touched the
-- helper and trigger functions. Here every optimizer function is taken back from the API roles,
-- then each role gets exactly what it uses:
--   service_role  the analysis (optimizer_analyze and what it calls), deploy, the artifact read,
--                 and on the tables what the optimizer does (no TRUNCATE, TRIGGER or REFERENCES;
--                 rollups read-only: only the security-definer triggers write them)
--   anon, authenticated  only optimizer_active_artifacts (the runtime's read with the public key)
--   nobody        the rollup writers and trigger functions (they run as the owner, from triggers)
do $$
declare
  fn regprocedure;
  name text;
begin
  for fn in
    select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.proname like 'optimizer\_%'
  loop
    execute format('revoke all on function %s from public, anon, authenticated, service_role', fn);
  end loop;
  for fn in
    select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.proname like 'optimizer\_%'
      and p.proname not like 'optimizer\_rollup\_%'  -- writers and triggers: the owner's alone
      and p.proname not in ('optimizer_record_traces')
  loop
    execute format('grant execute on function %s to service_role', fn);
  end loop;
  execute 'grant execute on function public.optimizer_active_artifacts(text) to anon, authenticated';
  if exists (select from pg_roles where rolname = 'optimizer_trace_writer') then
    execute 'grant execute on function public.optimizer_record_traces(jsonb) to optimizer_trace_writer, service_role';
  end if;

  foreach name in array array[
    'versions', 'latency', 'sentiments', 'sessions', 'topics', 'tools', 'failures', 'flagged', 'candidates', 'texts'
  ]
  loop
    execute format('revoke all on table public.optimizer_rollup_%s from public, anon, authenticated, service_role', name);
    execute format('grant select on table public.optimizer_rollup_%s to service_role', name);
  end loop;

  if (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) = 'r' then
    revoke all on table public.optimizer_traces from public, anon, authenticated, service_role;
    grant select, insert, update, delete on table public.optimizer_traces to service_role;
  end if;
  revoke all on table public.optimizer_deployments from public, anon, authenticated, service_role;
  grant select, insert, update on table public.optimizer_deployments to service_role;
  revoke all on table public.optimizer_runs from public, anon, authenticated, service_role;
  grant select, insert on table public.optimizer_runs to service_role;
end
$$;
