-- Tool failures as users see them: a turn fails on a tool when the tool's last call in the turn
-- failed (a retry that succeeds is no failure to the user). Each tool also gets a row of its turns
-- in the rollups (bucket -2147483647), and optimizer_tool_stats reports them beside the calls.
-- Both functions keep their signatures, so grants and the rollup writer are unchanged. Rollups
-- written before this migration have no turn rows: their tools report 0 turns, and the optimizer
-- then falls back to calls.

create or replace function public.optimizer_contrib_tools(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text,
  p_log_gamma double precision
)
returns table (
  agent text, version text, hour timestamptz, name text, bucket integer, calls bigint, failures bigint,
  zeros bigint, first_id bigint
)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  -- One row per tool (bucket null: the totals), per tool x latency bucket (the histogram), and per
  -- tool its turns (bucket -2147483647: calls = the turns that called it, failures = those it failed).
  return query execute format($q$
    with c as (
      select t.id, t.agent, coalesce(nullif(t.prompt_version, ''), 'unknown') as version,
        date_trunc('hour', t.started_at, 'UTC') as hour, e.call, e.ord
      from public.optimizer_traces t, jsonb_array_elements(t.tool_calls) with ordinality e(call, ord)
      where %s and jsonb_typeof(t.tool_calls) = 'array'
    ), d as (
      select id, agent, version, hour, ord, call ->> 'name' as name,
        (call -> 'ok' = 'false'::jsonb or coalesce(call ->> 'error', '') <> '') as failed,
        (call ->> 'latency_ms')::double precision as latency
      from c
    ), b as (
      select d.*, case when latency > 0 then ceil(ln(latency) / $7)::integer end as bucket from d
    ), last_calls as (
      -- a turn fails on a tool when the tool's last call in it failed: what the user saw
      select distinct on (id, name) id, agent, version, hour, name, failed from d order by id, name, ord desc
    )
    select agent, version, hour, name, bucket,
      count(*), count(*) filter (where failed), count(*) filter (where latency <= 0), min(id)
    from b group by grouping sets ((agent, version, hour, name), (agent, version, hour, name, bucket))
    having grouping(bucket) = 1 or bucket is not null -- calls without a latency are in no bucket
    union all
    select agent, version, hour, name, -2147483647, count(*), count(*) filter (where failed), 0, min(id)
    from last_calls group by agent, version, hour, name
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent, p_log_gamma;
end
$$;

create or replace function public.optimizer_tool_stats(
  p_start timestamptz, p_end timestamptz, p_agent text, p_log_gamma double precision, p_max_groups integer,
  p_mid_lo timestamptz, p_mid_hi timestamptz
)
returns jsonb
language plpgsql stable
set search_path = public, pg_temp
set work_mem = '64MB'
set plan_cache_mode = force_custom_plan
as $$
declare
  totals constant integer := -2147483648; -- the rollups' bucket for a tool's totals
  turn_rows constant integer := -2147483647; -- and for its turns (what users saw)
  zero constant uuid := '00000000-0000-0000-0000-000000000000';
  tools jsonb;
  samples jsonb;
  groups jsonb;
  truncated jsonb;
begin
  with parts as (
    select agent, version, name, bucket, calls, failures, zeros, first_id from public.optimizer_rollup_tools
    where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
    union all
    select agent, version, name, coalesce(bucket, totals), calls, failures, zeros, first_id
    from public.optimizer_contrib_tools(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent, p_log_gamma)
  ), summed as (
    select agent, version, name, bucket, sum(calls) as calls, sum(failures) as failures, sum(zeros) as zeros,
      min(first_id) as first_id
    from parts group by agent, version, name, bucket
  ), per_tool as (
    select s.agent, s.version, s.name, s.calls, s.failures, s.zeros, s.first_id,
      coalesce((
        select jsonb_object_agg(b.bucket, b.calls) from summed b
        where b.agent = s.agent and b.version = s.version and b.name = s.name and b.bucket not in (totals, turn_rows)
      ), '{}'::jsonb) as buckets,
      coalesce(t.calls, 0) as turns, coalesce(t.failures, 0) as turn_failures
    from summed s
    left join summed t on t.agent = s.agent and t.version = s.version and t.name = s.name and t.bucket = turn_rows
    where s.bucket = totals
  )
  select coalesce(jsonb_agg(jsonb_build_object(
      'agent', agent, 'version', version, 'name', name, 'calls', calls, 'failures', failures, 'zeros', zeros,
      'buckets', buckets, 'turns', turns, 'turn_failures', turn_failures
    ) order by agent, first_id, name), '[]'::jsonb)
  into tools from per_tool;

  with parts as (
    select agent, origin, message, message_md5, n, traces, occurrences from public.optimizer_rollup_failures
    where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
    union all
    select agent, origin, message, coalesce(message_md5, zero), n, traces, occurrences
    from public.optimizer_contrib_failures(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent)
  ), merged as (
    select agent, origin, message_md5, min(message) as message, sum(n) as n,
      public.optimizer_first_k(
        (select coalesce(jsonb_agg(x), '[]'::jsonb) from unnest(array_agg(traces)) l, jsonb_array_elements(l) x), 5
      ) as traces,
      public.optimizer_first_k(
        (select coalesce(jsonb_agg(x), '[]'::jsonb) from unnest(array_agg(occurrences)) l, jsonb_array_elements(l) x), 3
      ) as occurrences
    from parts group by agent, origin, message_md5
  ), errors as (
    select m.*, row_number() over (
        partition by agent order by (occurrences -> 0 ->> 0)::bigint, (occurrences -> 0 ->> 1)::bigint, origin, message
      ) as group_rank
    from merged m where message_md5 <> zero
  )
  select
    (select coalesce(jsonb_agg(jsonb_build_object(
        'agent', agent, 'name', substr(origin, 6),
        'samples', (
          select jsonb_agg(e) from (
            select jsonb_build_array(e -> 0, e -> 1, e -> 2, null) as e from jsonb_array_elements(traces) e
            union all
            select e from jsonb_array_elements(occurrences) e
          ) s)
      ) order by agent, origin), '[]'::jsonb) from merged where message_md5 = zero),
    (select coalesce(jsonb_agg(jsonb_build_object(
        'agent', agent, 'origin', origin, 'message', message, 'count', n,
        'samples', (
          select jsonb_agg(e) from (
            select e from jsonb_array_elements(traces) e
            union
            select e from jsonb_array_elements(occurrences) e
          ) s)
      ) order by agent, group_rank), '[]'::jsonb) from errors where group_rank <= p_max_groups),
    (select coalesce(jsonb_object_agg(agent, dropped), '{}'::jsonb)
      from (select agent, sum(n) as dropped from errors where group_rank > p_max_groups group by agent) d)
  into samples, groups, truncated;

  return jsonb_build_object(
    'tools', jsonb_build_object('tools', tools, 'failure_samples', samples),
    'errors', jsonb_build_object('groups', groups, 'truncated', truncated)
  );
end
$$;
