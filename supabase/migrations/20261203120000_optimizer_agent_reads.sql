-- An agent reads its deployed prompts and soul with its own key, not with the public one. Until
-- now optimizer_active_artifacts answered anyone holding the project's anon key (it ships in web
-- pages) and an agent's name, which is easy to guess. The agent's key (role optimizer_trace_writer,
-- minted as docs/runtime.md#keys says; the anon key still goes in the apikey header) may now read
-- the active files and insert traces, nothing else; the anon and authenticated roles may do neither.
do $$
begin
  if not exists (select from pg_roles where rolname = 'optimizer_trace_writer') then
    create role optimizer_trace_writer nologin noinherit;
  end if;
end
$$;

revoke all on function public.optimizer_active_artifacts(text) from public, anon, authenticated;
grant execute on function public.optimizer_active_artifacts(text) to optimizer_trace_writer, service_role;
