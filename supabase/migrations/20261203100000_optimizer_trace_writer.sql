-- optimizer: the agent's insert-only way to write traces (optimizer.runtime), so no agent host
-- holds the service-role key.
--
-- Role optimizer_trace_writer may execute optimizer_record_traces and nothing else of the
-- optimizer's: it reads no trace, no deployment, no run record, and cannot deploy. An agent's
-- key is a JWT with `"role": "optimizer_trace_writer"` signed with the project's JWT secret
-- (docs/runtime.md#keys), sent with the anon key; PostgREST switches to the role in the JWT.
-- Re-runnable, like the other files.

do $$
begin
  if not exists (select from pg_roles where rolname = 'optimizer_trace_writer') then
    begin
      create role optimizer_trace_writer nologin noinherit;
    exception when duplicate_object or unique_violation then
      null; -- created meanwhile by a concurrent migration: roles are cluster-wide
    end;
  end if;
  -- PostgREST logs in as authenticator and switches to the JWT's role: it must be a member.
  if exists (select from pg_roles where rolname = 'authenticator') then
    grant optimizer_trace_writer to authenticator;
  end if;
end
$$;

grant usage on schema public to optimizer_trace_writer;

-- Insert a batch of trace records (a JSON array of objects with the trace record's fields); a
-- trace_id already there is left as it is, so a retried batch is harmless. Returns how many
-- rows were new. Security definer: the caller needs no right on the table itself, and only the
-- canonical columns can be written (the derived ones are computed, inserted_at is now()).
create or replace function public.optimizer_record_traces(p_traces jsonb)
returns integer
language plpgsql
volatile
security definer
set search_path = public, pg_temp
as $$
declare
  v_written integer;
begin
  if jsonb_typeof(p_traces) is distinct from 'array' then
    raise exception using errcode = '22023', message = 'optimizer_record_traces: p_traces must be a JSON array';
  end if;
  if jsonb_array_length(p_traces) > 1000 then
    raise exception using errcode = '54000',
      message = 'optimizer_record_traces: at most 1000 traces per call, got ' || jsonb_array_length(p_traces);
  end if;
  insert into public.optimizer_traces (
    trace_id, session_id, agent, started_at, ended_at, prompt_version, model, channel, usage, cost_usd,
    latency_ms, tool_calls, messages, escalated, owner_corrected, sentiment, feedback, error, metadata
  )
  select
    r.trace_id, r.session_id, r.agent, r.started_at, r.ended_at, r.prompt_version, r.model, r.channel,
    r.usage, r.cost_usd, r.latency_ms, r.tool_calls, r.messages, r.escalated, r.owner_corrected, r.sentiment,
    r.feedback, r.error, r.metadata
  from jsonb_to_recordset(p_traces) as r(
    trace_id text, session_id text, agent text, started_at timestamptz, ended_at timestamptz,
    prompt_version text, model text, channel text, usage jsonb, cost_usd double precision,
    latency_ms double precision, tool_calls jsonb, messages jsonb, escalated boolean, owner_corrected boolean,
    sentiment text, feedback text, error jsonb, metadata jsonb
  )
  on conflict (trace_id) do nothing;
  get diagnostics v_written = row_count;
  return v_written;
end
$$;

-- Supabase's default privileges give EXECUTE on every new function in public to anon,
-- authenticated and service_role (and PostgreSQL to PUBLIC): take them back, then grant the two
-- roles that write traces.
revoke all on function public.optimizer_record_traces(jsonb) from public, anon, authenticated;
grant execute on function public.optimizer_record_traces(jsonb) to optimizer_trace_writer, service_role;
