-- optimizer: the arm of a canary rollout a trace ran in ("canary" or "stable"; null outside a
-- canary), as optimizer.runtime records it (schemas/trace.schema.json). A traces view a user put in
-- place of the table (README) keeps its own columns and the trace writer as it was.
do $do$
begin
  if (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) <> 'r' then
    return;
  end if;
  alter table public.optimizer_traces add column if not exists arm text check (arm in ('canary', 'stable'));

  -- The insert-only trace writer of 20261203100000, now with the arm.
  create or replace function public.optimizer_record_traces(p_traces jsonb)
  returns integer
  language plpgsql
  volatile
  security definer
  set search_path = public, pg_temp
  as $fn$
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
      latency_ms, tool_calls, messages, escalated, owner_corrected, sentiment, feedback, error, metadata, arm
    )
    select
      r.trace_id, r.session_id, r.agent, r.started_at, r.ended_at, r.prompt_version, r.model, r.channel,
      r.usage, r.cost_usd, r.latency_ms, r.tool_calls, r.messages, r.escalated, r.owner_corrected, r.sentiment,
      r.feedback, r.error, r.metadata, r.arm
    from jsonb_to_recordset(p_traces) as r(
      trace_id text, session_id text, agent text, started_at timestamptz, ended_at timestamptz,
      prompt_version text, model text, channel text, usage jsonb, cost_usd double precision,
      latency_ms double precision, tool_calls jsonb, messages jsonb, escalated boolean, owner_corrected boolean,
      sentiment text, feedback text, error jsonb, metadata jsonb, arm text
    )
    on conflict (trace_id) do nothing;
    get diagnostics v_written = row_count;
    return v_written;
  end
  $fn$;

  revoke all on function public.optimizer_record_traces(jsonb) from public, anon, authenticated, service_role;
  grant execute on function public.optimizer_record_traces(jsonb) to optimizer_trace_writer, service_role;
end
$do$;
