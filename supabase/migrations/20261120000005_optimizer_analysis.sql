-- optimizer: the analysis pushed down to where the traces live. One call of optimizer_analyze
-- returns, for the traces of a window, what the detectors need and nothing more: counts, sums,
-- variances and log-bucket latency histograms per agent x prompt_version, tool statistics,
-- error messages grouped by their raw text, topics, candidate unanswered questions and the first
-- few samples of each. Python finishes the job (masking error text, naming topics, confirming and
-- clustering questions) with the same code as the JSONL path, so both give the same findings.
--
-- Whole hours inside the window are read from the hourly rollups; the traces of the partial hours
-- at its ends are aggregated on the fly by the same contribution functions. Samples are "the
-- first seen": rows in id order (arrival order), then position in the trace. When
-- optimizer_traces is a view (see the README) there are no rollups: everything is computed from
-- the view.

-- The whole hours [mid_lo, mid_hi) inside [p_start, p_end) that the rollups can answer for;
-- mid_lo = mid_hi = p_start when there are none (or no usable rollups).
create or replace function public.optimizer_middle(
  p_start timestamptz, p_end timestamptz, p_log_gamma double precision,
  out mid_lo timestamptz, out mid_hi timestamptz
)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  mid_lo := date_trunc('hour', p_start, 'UTC');
  if mid_lo < p_start then
    mid_lo := mid_lo + interval '1 hour';
  end if;
  mid_hi := date_trunc('hour', p_end, 'UTC');
  if mid_hi <= mid_lo
     or p_log_gamma is distinct from ln(1.01::double precision) -- the rollups' latency buckets are QuantileSketch's
     or (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) <> 'r' then
    mid_lo := p_start;
    mid_hi := p_start;
  end if;
end
$$;

-- numeric -> double precision without failing where the double cannot hold it: what would
-- underflow becomes 0, what would overflow infinity (as the Python path's floats do).
create or replace function public.optimizer_float(p_value numeric)
returns double precision
language sql immutable parallel safe
set search_path = public, pg_temp
as $$
  select case
    when p_value is null then null
    when abs(p_value) < 1e-300 then 0::double precision
    when p_value > 1e308 then 'Infinity'::double precision
    when p_value < -1e308 then '-Infinity'::double precision
    else p_value::double precision end
$$;

-- Per agent x prompt_version: counts, sums, mean and variance, distinct sessions and the latency
-- histogram; per agent x topic key: traces, escalations and the first escalated samples.
create or replace function public.optimizer_trace_stats(
  p_start timestamptz, p_end timestamptz, p_agent text, p_log_gamma double precision, p_max_groups integer,
  p_mid_lo timestamptz, p_mid_hi timestamptz
)
returns jsonb
language plpgsql stable
set search_path = public, pg_temp
set work_mem = '64MB'
set plan_cache_mode = force_custom_plan -- plan with the window's real bounds
as $$
declare
  versions jsonb;
  topics jsonb;
  truncated jsonb;
begin
  with parts as (
    select agent, version, traces, first_id, first_seen, last_seen, cost_n, cost_sum, cost_sumsq, input_tokens,
      output_tokens, cache_read_input_tokens, cache_creation_input_tokens, latency_n, latency_sum, latency_sumsq,
      latency_zeros, escalated, owner_corrected, feedback_up, feedback_down, errors
    from public.optimizer_rollup_versions
    where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
    union all
    select agent, version, traces, first_id, first_seen, last_seen, cost_n, cost_sum, cost_sumsq, input_tokens,
      output_tokens, cache_read_input_tokens, cache_creation_input_tokens, latency_n, latency_sum, latency_sumsq,
      latency_zeros, escalated, owner_corrected, feedback_up, feedback_down, errors
    from public.optimizer_contrib_versions(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent)
  ), totals as (
    select agent, version, sum(traces) as traces, min(first_id) as first_id, min(first_seen) as first_seen,
      max(last_seen) as last_seen, sum(cost_n) as cost_n, sum(cost_sum) as cost_sum, sum(cost_sumsq) as cost_sumsq,
      sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens,
      sum(cache_read_input_tokens) as cache_read_input_tokens,
      sum(cache_creation_input_tokens) as cache_creation_input_tokens, sum(latency_n) as latency_n,
      sum(latency_sum) as latency_sum, sum(latency_sumsq) as latency_sumsq, sum(latency_zeros) as latency_zeros,
      sum(escalated) as escalated, sum(owner_corrected) as owner_corrected, sum(feedback_up) as feedback_up,
      sum(feedback_down) as feedback_down, sum(errors) as errors
    from parts group by agent, version
  ), sessions as (
    -- a session in the whole hours is counted in the first of them it appears in; one seen only
    -- at the edges is counted if the whole hours do not have it
    select agent, version, sum(n) as sessions
    from (
      select agent, version, count(*) as n from public.optimizer_rollup_sessions
      where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
        and (prev_hour is null or prev_hour < p_mid_lo)
      group by agent, version
      union all
      select e.agent, e.version, count(distinct e.session_hash)
      from public.optimizer_contrib_sessions(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent) e
      where not exists (
        select from public.optimizer_rollup_sessions r
        where r.agent = e.agent and r.version = e.version and r.session_hash = e.session_hash
          and r.hour >= p_mid_lo and r.hour < p_mid_hi
      )
      group by e.agent, e.version
    ) s group by agent, version
  ), buckets as (
    select agent, version, jsonb_object_agg(bucket, n) as buckets
    from (
      select agent, version, bucket, sum(n) as n from (
        select agent, version, bucket, n from public.optimizer_rollup_latency
        where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
        union all
        select agent, version, bucket, n
        from public.optimizer_contrib_latency(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent, p_log_gamma)
      ) b group by agent, version, bucket
    ) b group by agent, version
  ), sentiments as (
    select agent, version, jsonb_object_agg(sentiment, n) as sentiment
    from (
      select agent, version, sentiment, sum(n) as n from (
        select agent, version, sentiment, n from public.optimizer_rollup_sentiments
        where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
        union all
        select agent, version, sentiment, n
        from public.optimizer_contrib_sentiments(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent)
      ) s group by agent, version, sentiment
    ) s group by agent, version
  )
  select coalesce(jsonb_agg(jsonb_build_object(
      'agent', t.agent, 'version', t.version, 'first_id', t.first_id, 'traces', t.traces,
      'sessions', s.sessions, 'first_seen', t.first_seen, 'last_seen', t.last_seen,
      'cost', jsonb_build_object(
        'n', t.cost_n, 'sum', public.optimizer_float(t.cost_sum),
        'mean', case when t.cost_n > 0 then public.optimizer_float(t.cost_sum / t.cost_n) end,
        'var', case when t.cost_n > 1
          then public.optimizer_float((t.cost_sumsq - t.cost_sum * t.cost_sum / t.cost_n) / (t.cost_n - 1)) end),
      'tokens', jsonb_build_object('input', t.input_tokens, 'output', t.output_tokens,
        'cache_read', t.cache_read_input_tokens, 'cache_creation', t.cache_creation_input_tokens),
      'latency', jsonb_build_object(
        'n', t.latency_n,
        'mean', case when t.latency_n > 0 then public.optimizer_float(t.latency_sum / t.latency_n) end,
        'var', case when t.latency_n > 1
          then public.optimizer_float((t.latency_sumsq - t.latency_sum * t.latency_sum / t.latency_n) / (t.latency_n - 1)) end,
        'zeros', t.latency_zeros, 'buckets', coalesce(b.buckets, '{}'::jsonb)),
      'escalated', t.escalated, 'owner_corrected', t.owner_corrected,
      'sentiment', coalesce(se.sentiment, '{}'::jsonb),
      'feedback_up', t.feedback_up, 'feedback_down', t.feedback_down, 'errors', t.errors
    ) order by t.agent, t.first_id), '[]'::jsonb)
  into versions
  from totals t
    join sessions s using (agent, version)
    left join buckets b using (agent, version)
    left join sentiments se using (agent, version);

  with parts as (
    select agent, kind, key, key_md5, traces, escalations, first_id, escalated_ids, escalated_questions
    from public.optimizer_rollup_topics
    where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
    union all
    select agent, kind, key, key_md5, traces, escalations, first_id, escalated_ids, escalated_questions
    from public.optimizer_contrib_topics(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent)
  ), groups as (
    select agent, kind, key_md5, min(key) as key, sum(traces) as traces, sum(escalations) as escalations,
      min(first_id) as first_id, array_agg(escalated_ids) as ids, array_agg(escalated_questions) as questions
    from parts group by agent, kind, key_md5
  ), ranked as (
    select g.*, row_number() over (partition by agent order by first_id) as group_rank from groups g
  )
  select
    coalesce(jsonb_agg(jsonb_build_object(
        'agent', r.agent, 'kind', r.kind, 'key', r.key, 'traces', r.traces, 'escalations', r.escalations,
        'first_id', r.first_id,
        'samples', (
          select coalesce(jsonb_agg(e order by (e ->> 0)::bigint), '[]'::jsonb) from (
            select jsonb_build_array(e -> 0, e -> 1, null) as e
            from jsonb_array_elements(public.optimizer_first_k(
              (select coalesce(jsonb_agg(x), '[]'::jsonb) from unnest(r.ids) l, jsonb_array_elements(l) x), 5)) e
            union all
            select e from jsonb_array_elements(public.optimizer_first_k(
              (select coalesce(jsonb_agg(x), '[]'::jsonb) from unnest(r.questions) l, jsonb_array_elements(l) x), 3)) e
          ) s)
      ) order by r.agent, r.group_rank) filter (where r.group_rank <= p_max_groups), '[]'::jsonb),
    coalesce((
      select jsonb_object_agg(agent, dropped)
      from (select agent, sum(traces) as dropped from ranked where group_rank > p_max_groups group by agent) d
    ), '{}'::jsonb)
  into topics, truncated
  from ranked r;

  return jsonb_build_object('versions', versions, 'topics', jsonb_build_object('topics', topics, 'truncated', truncated));
end
$$;

-- Tool calls per agent x version x tool (calls, failures, latency histogram); per agent x tool
-- the failure samples; error messages of tools and agent grouped by raw text (at most
-- p_max_groups per agent, the first seen; the rest are counted).
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
        where b.agent = s.agent and b.version = s.version and b.name = s.name and b.bucket <> totals
      ), '{}'::jsonb) as buckets
    from summed s where s.bucket = totals
  )
  select coalesce(jsonb_agg(jsonb_build_object(
      'agent', agent, 'version', version, 'name', name, 'calls', calls, 'failures', failures, 'zeros', zeros,
      'buckets', buckets
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

-- Candidate unanswered questions in stream order, at most p_max_rows (the rest are counted):
-- {"agents": [...], "texts": [...], "rows": [[agent, id, trace_id, reply_ord, question_ord,
-- question, reply], ...]}, with agent, question and reply as indexes (each text is sent once).
create or replace function public.optimizer_unanswered_candidates(
  p_start timestamptz, p_end timestamptz, p_agent text, p_max_rows integer, p_mid_lo timestamptz,
  p_mid_hi timestamptz
)
returns json
language plpgsql stable
set search_path = public, pg_temp
set work_mem = '64MB'
set plan_cache_mode = force_custom_plan
as $$
begin
  return (
    with parts as (
      select agent, id, trace_id, reply_ord, question_ord, question_md5, reply_md5, null::text as question,
        null::text as reply
      from public.optimizer_rollup_candidates
      where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
      union all
      select agent, id, trace_id, reply_ord, question_ord, md5(question)::uuid, md5(reply)::uuid, question, reply
      from public.optimizer_contrib_candidates(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent)
    ), ranked as materialized (
      select p.*, row_number() over (order by id, reply_ord) as rank from parts p
    ), kept as (
      select * from ranked where rank <= p_max_rows
    ), used as (
      select md5, min(text) as text
      from (select question_md5 as md5, question as text from kept union all select reply_md5, reply from kept) x
      group by md5
    ), texts as materialized (
      -- any order: rows name texts by their index in this list
      select u.md5, coalesce(u.text, d.text) as text, (row_number() over () - 1)::integer as idx
      from used u left join public.optimizer_rollup_texts d on d.md5 = u.md5
    ), agents as (
      select agent, (row_number() over (order by agent) - 1)::integer as idx from (select distinct agent from kept) a
    )
    -- json rather than jsonb: 100,000s of small arrays are built much faster as text
    select json_build_object(
      'agents', coalesce((select json_agg(agent order by idx) from agents), '[]'::json),
      'texts', coalesce((select json_agg(text order by idx) from texts), '[]'::json),
      'rows', coalesce((
        select json_agg(json_build_array(a.idx, k.id, k.trace_id, k.reply_ord, k.question_ord, q.idx, r.idx)
          order by k.rank)
        from kept k join agents a using (agent) join texts q on q.md5 = k.question_md5
          join texts r on r.md5 = k.reply_md5
      ), '[]'::json),
      'truncated', (select count(*) from ranked where rank > p_max_rows)
    )
  );
end
$$;

-- The conversations behind the negative-sentiment and owner-correction samples: per agent the
-- first 5 such traces and the first 3 with a user question (Python picks the excerpt).
create or replace function public.optimizer_conversation_samples(
  p_start timestamptz, p_end timestamptz, p_agent text, p_mid_lo timestamptz, p_mid_hi timestamptz
)
returns jsonb
language plpgsql stable
set search_path = public, pg_temp
set plan_cache_mode = force_custom_plan
as $$
begin
  return (
    with parts as (
      select agent, what, firsts, with_question from public.optimizer_rollup_flagged
      where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
      union all
      select agent, what, firsts, with_question
      from public.optimizer_contrib_flagged(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent)
    ), merged as (
      select agent, what,
        public.optimizer_first_k(
          (select coalesce(jsonb_agg(x), '[]'::jsonb) from unnest(array_agg(firsts)) l, jsonb_array_elements(l) x), 5
        ) as firsts,
        public.optimizer_first_k(
          (select coalesce(jsonb_agg(x), '[]'::jsonb) from unnest(array_agg(with_question)) l, jsonb_array_elements(l) x), 3
        ) as with_question
      from parts group by agent, what
    ), picked as (
      select distinct m.agent, m.what, (e ->> 0)::bigint as id
      from merged m cross join lateral jsonb_array_elements(m.firsts || m.with_question) e
    )
    select coalesce(jsonb_agg(jsonb_build_object(
        'agent', p.agent, 'what', p.what, 'id', p.id, 'trace_id', t.trace_id, 'messages', t.messages
      ) order by p.agent, p.what, p.id), '[]'::jsonb)
    from picked p
      cross join lateral (select x.trace_id, x.messages from public.optimizer_traces x where x.id = p.id) t
  );
end
$$;

-- Everything above for one window, in one statement (so one snapshot: traces arriving meanwhile
-- are in all parts or in none).
create or replace function public.optimizer_analyze(
  p_start timestamptz, p_end timestamptz, p_agent text default null,
  p_log_gamma double precision default ln(1.01::double precision), p_max_groups integer default 20000,
  p_max_candidates integer default 200000
)
returns json
language plpgsql stable
set search_path = public, pg_temp
as $$
declare
  middle record;
begin
  middle := public.optimizer_middle(p_start, p_end, p_log_gamma);
  return json_build_object(
    'traces', public.optimizer_trace_stats(
      p_start, p_end, p_agent, p_log_gamma, p_max_groups, middle.mid_lo, middle.mid_hi),
    'tools', public.optimizer_tool_stats(
      p_start, p_end, p_agent, p_log_gamma, p_max_groups, middle.mid_lo, middle.mid_hi),
    'unanswered', public.optimizer_unanswered_candidates(
      p_start, p_end, p_agent, p_max_candidates, middle.mid_lo, middle.mid_hi),
    'samples', public.optimizer_conversation_samples(p_start, p_end, p_agent, middle.mid_lo, middle.mid_hi)
  );
end
$$;

do $$
declare
  fn text;
begin
  foreach fn in array array[
    'optimizer_middle(timestamptz, timestamptz, double precision)',
    'optimizer_trace_stats(timestamptz, timestamptz, text, double precision, integer, timestamptz, timestamptz)',
    'optimizer_tool_stats(timestamptz, timestamptz, text, double precision, integer, timestamptz, timestamptz)',
    'optimizer_unanswered_candidates(timestamptz, timestamptz, text, integer, timestamptz, timestamptz)',
    'optimizer_conversation_samples(timestamptz, timestamptz, text, timestamptz, timestamptz)',
    'optimizer_analyze(timestamptz, timestamptz, text, double precision, integer, integer)'
  ] loop
    execute format('revoke all on function public.%s from public, anon, authenticated', fn);
    execute format('grant execute on function public.%s to service_role', fn);
  end loop;
end
$$;
