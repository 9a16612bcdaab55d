-- optimizer: hourly rollups of the traces, kept up to date as traces are written.
--
-- The analysis of a window reads the rollups of the hours fully inside it and aggregates only
-- the traces of the partial hours at its two ends, so its cost depends on the number of groups,
-- not of traces. Each rollup is the contribution of a set of traces, computed by one function
-- (optimizer_contrib_*) for two uses: the trigger adds the contribution of newly written traces,
-- and the analysis computes the contribution of the edge traces. Counts and sums add up;
-- first/last values take the least/greatest; sample lists keep the first few by row id.
--
-- Inserts are rolled up by a statement-level trigger (one pass per INSERT or COPY, however many
-- rows); an UPDATE or DELETE rebuilds the hours it touched. Hours are UTC.

-- What a contribution reads: the rows with these ids, or else the rows of agent p_agent (null:
-- all) whose started_at falls in [p_lo1, p_hi1) or [p_lo2, p_hi2). Used by dynamic SQL so each
-- query is planned with its real bounds.
create or replace function public.optimizer_source(p_ids bigint[])
returns text
language sql immutable
set search_path = public, pg_temp
as $$
  select case when p_ids is not null then 't.id = any($1)'
    else '((t.started_at >= $2 and t.started_at < $3) or (t.started_at >= $4 and t.started_at < $5))'
      || ' and ($6::text is null or t.agent = $6)' end
$$;

-- The first p_k entries of a sample list, by position ([row id, position in the trace, ...]).
create or replace function public.optimizer_first_k(p_list jsonb, p_k integer)
returns jsonb
language sql immutable parallel safe
set search_path = public, pg_temp
as $$
  select coalesce(jsonb_agg(e order by (e ->> 0)::bigint, position), '[]'::jsonb)
  from (
    select e, case when jsonb_typeof(e -> 1) = 'number' then (e ->> 1)::bigint end as position
    from jsonb_array_elements(p_list) as e
    order by (e ->> 0)::bigint, position
    limit p_k
  ) x
$$;

create or replace function public.optimizer_contrib_versions(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text
)
returns table (
  agent text, version text, hour timestamptz, traces bigint, first_id bigint, first_seen timestamptz,
  last_seen timestamptz, cost_n bigint, cost_sum numeric, cost_sumsq numeric, input_tokens numeric,
  output_tokens numeric, cache_read_input_tokens numeric, cache_creation_input_tokens numeric, latency_n bigint,
  latency_sum numeric, latency_sumsq numeric, latency_zeros bigint, escalated bigint, owner_corrected bigint,
  feedback_up bigint, feedback_down bigint, errors bigint
)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  return query execute format($q$
    select t.agent, coalesce(nullif(t.prompt_version, ''), 'unknown'), date_trunc('hour', t.started_at, 'UTC'),
      count(*), min(t.id), min(t.started_at), max(t.started_at),
      count(t.cost_usd), coalesce(sum(t.cost_usd::numeric), 0), coalesce(sum(t.cost_usd::numeric * t.cost_usd::numeric), 0),
      coalesce(sum(t.input_tokens), 0), coalesce(sum(t.output_tokens), 0),
      coalesce(sum(t.cache_read_input_tokens), 0), coalesce(sum(t.cache_creation_input_tokens), 0),
      count(t.latency_ms), coalesce(sum(t.latency_ms::numeric), 0),
      coalesce(sum(t.latency_ms::numeric * t.latency_ms::numeric), 0), count(*) filter (where t.latency_ms <= 0),
      count(*) filter (where t.escalated), count(*) filter (where t.owner_corrected),
      count(*) filter (where t.feedback = 'up'), count(*) filter (where t.feedback = 'down'),
      count(*) filter (where t.error_text is not null)
    from public.optimizer_traces t where %s group by 1, 2, 3
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent;
end
$$;

create or replace function public.optimizer_contrib_latency(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text,
  p_log_gamma double precision
)
returns table (agent text, version text, hour timestamptz, bucket integer, n bigint)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  return query execute format($q$
    select t.agent, coalesce(nullif(t.prompt_version, ''), 'unknown'), date_trunc('hour', t.started_at, 'UTC'),
      ceil(ln(t.latency_ms) / $7)::integer, count(*)
    from public.optimizer_traces t where %s and t.latency_ms > 0 group by 1, 2, 3, 4
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent, p_log_gamma;
end
$$;

create or replace function public.optimizer_contrib_sentiments(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text
)
returns table (agent text, version text, hour timestamptz, sentiment text, n bigint)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  return query execute format($q$
    select t.agent, coalesce(nullif(t.prompt_version, ''), 'unknown'), date_trunc('hour', t.started_at, 'UTC'),
      t.sentiment, count(*)
    from public.optimizer_traces t where %s and coalesce(t.sentiment, '') <> '' group by 1, 2, 3, 4
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent;
end
$$;

create or replace function public.optimizer_contrib_sessions(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text
)
returns table (agent text, version text, hour timestamptz, session_hash bigint)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  return query execute format($q$
    select distinct t.agent, coalesce(nullif(t.prompt_version, ''), 'unknown'), date_trunc('hour', t.started_at, 'UTC'),
      t.session_hash
    from public.optimizer_traces t where %s
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent;
end
$$;

-- Topic keys: metadata.topic, else the first question (Python names its topic), else "other".
-- Samples: the first 5 escalated traces [id, trace_id] and the first 3 of them with a question
-- [id, trace_id, question].
create or replace function public.optimizer_contrib_topics(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text
)
returns table (
  agent text, hour timestamptz, kind text, key text, key_md5 uuid, traces bigint, escalations bigint,
  first_id bigint, escalated_ids jsonb, escalated_questions jsonb
)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  return query execute format($q$
    with k as (
      select t.id, t.agent, t.trace_id, date_trunc('hour', t.started_at, 'UTC') as hour, t.escalated is true as escalated,
        t.first_question,
        case when t.meta_topic is null and t.first_question is not null then 'question' else 'topic' end as kind,
        coalesce(t.meta_topic, t.first_question, 'other') as key
      from public.optimizer_traces t where %s
    ), e as (
      select k.*, row_number() over (partition by agent, hour, kind, key order by id) as rank,
        row_number() over (partition by agent, hour, kind, key, first_question is not null order by id) as question_rank
      from k where escalated
    ), s as (
      select agent, hour, kind, key,
        jsonb_agg(jsonb_build_array(id, trace_id) order by id) filter (where rank <= 5) as ids,
        jsonb_agg(jsonb_build_array(id, trace_id, first_question) order by id)
          filter (where first_question is not null and question_rank <= 3) as questions
      from e where rank <= 5 or (first_question is not null and question_rank <= 3)
      group by 1, 2, 3, 4
    ), g as (
      select agent, hour, kind, key, count(*) as traces, count(*) filter (where escalated) as escalations,
        min(id) as first_id
      from k group by 1, 2, 3, 4
    )
    select g.agent, g.hour, g.kind, g.key, md5(g.kind || ':' || g.key)::uuid, g.traces, g.escalations, g.first_id,
      coalesce(s.ids, '[]'::jsonb), coalesce(s.questions, '[]'::jsonb)
    from g left join s using (agent, hour, kind, key)
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent;
end
$$;

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
  -- One row per tool (bucket null: the totals) and per tool x latency bucket (the histogram).
  return query execute format($q$
    with c as (
      select t.id, t.agent, coalesce(nullif(t.prompt_version, ''), 'unknown') as version,
        date_trunc('hour', t.started_at, 'UTC') as hour, jsonb_array_elements(t.tool_calls) as call
      from public.optimizer_traces t where %s and jsonb_typeof(t.tool_calls) = 'array'
    ), d as (
      select id, agent, version, hour, call ->> 'name' as name,
        (call -> 'ok' = 'false'::jsonb or coalesce(call ->> 'error', '') <> '') as failed,
        (call ->> 'latency_ms')::double precision as latency
      from c
    ), b as (
      select d.*, case when latency > 0 then ceil(ln(latency) / $7)::integer end as bucket from d
    )
    select agent, version, hour, name, bucket,
      count(*), count(*) filter (where failed), count(*) filter (where latency <= 0), min(id)
    from b group by grouping sets ((agent, version, hour, name), (agent, version, hour, name, bucket))
    having grouping(bucket) = 1 or bucket is not null -- calls without a latency are in no bucket
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent, p_log_gamma;
end
$$;

-- Failing tool calls: per tool, the first 5 failing traces [id, ord, trace_id] and the first 3
-- failures with a message [id, ord, trace_id, error]; per raw error text (of tools and of the
-- agent, whose error comes after its tool calls), the count, the first 5 traces and the first 3
-- occurrences [id, ord, trace_id].
create or replace function public.optimizer_contrib_failures(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text
)
returns table (
  agent text, hour timestamptz, origin text, message text, message_md5 uuid, n bigint, traces jsonb,
  occurrences jsonb
)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  -- Rows with message null are a tool's failure samples (origin "tool <name>"); the others are
  -- error groups. Both come from one pass over the calls.
  return query execute format($q$
    with c as (
      select t.id, t.agent, t.trace_id, date_trunc('hour', t.started_at, 'UTC') as hour,
        jsonb_array_elements(t.tool_calls) as call, generate_series(1, jsonb_array_length(t.tool_calls)) as ord
      from public.optimizer_traces t where %1$s and jsonb_typeof(t.tool_calls) = 'array'
    ), failing as materialized (
      select id, agent, trace_id, hour, ord, 'tool ' || (call ->> 'name') as origin, nullif(call ->> 'error', '') as error
      from c where call -> 'ok' = 'false'::jsonb or coalesce(call ->> 'error', '') <> ''
    ), occurrences as materialized (
      select id, agent, trace_id, hour, ord, origin, error as message from failing where error is not null
      union all
      select t.id, t.agent, t.trace_id, date_trunc('hour', t.started_at, 'UTC'), 2147483647, 'agent', t.error_text
      from public.optimizer_traces t where %1$s and t.error_text is not null
    ), tool_traces as (
      select agent, hour, origin, id, min(ord) as ord, trace_id,
        row_number() over (partition by agent, hour, origin order by id) as rank
      from failing group by agent, hour, origin, id, trace_id
    ), tool_messages as (
      select agent, hour, origin, id, ord, trace_id, error,
        row_number() over (partition by agent, hour, origin order by id, ord) as rank
      from failing where error is not null
    ), samples as (
      select agent, hour, origin,
        jsonb_agg(jsonb_build_array(id, ord, trace_id) order by id) filter (where kind = 'trace') as traces,
        coalesce(jsonb_agg(jsonb_build_array(id, ord, trace_id, error) order by id, ord) filter (where kind = 'message'),
          '[]'::jsonb) as messages
      from (
        select agent, hour, origin, id, ord, trace_id, null::text as error, 'trace' as kind from tool_traces where rank <= 5
        union all
        select agent, hour, origin, id, ord, trace_id, error, 'message' from tool_messages where rank <= 3
      ) x group by agent, hour, origin
    ), error_traces as (
      select agent, hour, origin, message, id, min(ord) as ord, trace_id,
        row_number() over (partition by agent, hour, origin, message order by id) as rank
      from occurrences group by agent, hour, origin, message, id, trace_id
    ), error_occurrences as (
      select agent, hour, origin, message, id, ord, trace_id,
        row_number() over (partition by agent, hour, origin, message order by id, ord) as rank
      from occurrences
    ), groups as (
      select agent, hour, origin, message, count(*) as n from occurrences group by 1, 2, 3, 4
    ), lists as (
      select agent, hour, origin, message,
        jsonb_agg(jsonb_build_array(id, ord, trace_id) order by id) as traces
      from error_traces where rank <= 5 group by 1, 2, 3, 4
    ), firsts as (
      select agent, hour, origin, message,
        jsonb_agg(jsonb_build_array(id, ord, trace_id) order by id, ord) as occurrences
      from error_occurrences where rank <= 3 group by 1, 2, 3, 4
    )
    select agent, hour, origin, null::text, null::uuid, 0::bigint, traces, messages from samples
    union all
    select g.agent, g.hour, g.origin, g.message, md5(g.origin || ':' || g.message)::uuid, g.n, l.traces, f.occurrences
    from groups g join lists l using (agent, hour, origin, message) join firsts f using (agent, hour, origin, message)
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent;
end
$$;

-- Negative-sentiment and owner-corrected traces: per kind, the first 5 [id, trace_id] and the
-- first 3 with a user question.
create or replace function public.optimizer_contrib_flagged(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text
)
returns table (agent text, hour timestamptz, what text, firsts jsonb, with_question jsonb)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  return query execute format($q$
    with f as (
      select t.id, t.agent, t.trace_id, date_trunc('hour', t.started_at, 'UTC') as hour, w.what,
        t.first_question is not null as has_question
      from public.optimizer_traces t
        cross join lateral (
          select 'negative' as what where t.sentiment = 'negative'
          union all
          select 'corrected' where t.owner_corrected is true
        ) w
      where %s and (t.sentiment = 'negative' or t.owner_corrected is true)
    ), r as (
      select f.*, row_number() over (partition by agent, hour, what order by id) as rank,
        row_number() over (partition by agent, hour, what, has_question order by id) as question_rank
      from f
    )
    select agent, hour, what,
      coalesce(jsonb_agg(jsonb_build_array(id, trace_id) order by id) filter (where rank <= 5), '[]'::jsonb),
      coalesce(jsonb_agg(jsonb_build_array(id, trace_id) order by id) filter (where has_question and question_rank <= 3),
        '[]'::jsonb)
    from r where rank <= 5 or (has_question and question_rank <= 3)
    group by 1, 2, 3
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent;
end
$$;

-- Candidate unanswered questions (see optimizer_candidate_pairs), one row per candidate reply.
create or replace function public.optimizer_contrib_candidates(
  p_ids bigint[], p_lo1 timestamptz, p_hi1 timestamptz, p_lo2 timestamptz, p_hi2 timestamptz, p_agent text
)
returns table (
  agent text, hour timestamptz, id bigint, trace_id text, reply_ord integer, question_ord integer,
  question text, reply text
)
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  return query execute format($q$
    select t.agent, date_trunc('hour', t.started_at, 'UTC'), t.id, t.trace_id, (p.value ->> 0)::integer,
      (p.value ->> 1)::integer, p.value ->> 2, p.value ->> 3
    from public.optimizer_traces t cross join lateral jsonb_array_elements(t.unanswered_pairs) as p(value)
    where %s and t.unanswered_pairs is not null
  $q$, public.optimizer_source(p_ids)) using p_ids, p_lo1, p_hi1, p_lo2, p_hi2, p_agent;
end
$$;

-- The rollup tables: the contributions above, summed per hour.
create table if not exists public.optimizer_rollup_versions (
  agent text not null, version text not null, hour timestamptz not null,
  traces bigint not null, first_id bigint not null, first_seen timestamptz not null, last_seen timestamptz not null,
  cost_n bigint not null, cost_sum numeric not null, cost_sumsq numeric not null,
  input_tokens numeric not null, output_tokens numeric not null,
  cache_read_input_tokens numeric not null, cache_creation_input_tokens numeric not null,
  latency_n bigint not null, latency_sum numeric not null, latency_sumsq numeric not null, latency_zeros bigint not null,
  escalated bigint not null, owner_corrected bigint not null, feedback_up bigint not null,
  feedback_down bigint not null, errors bigint not null,
  primary key (agent, hour, version)
);
create table if not exists public.optimizer_rollup_latency (
  agent text not null, version text not null, hour timestamptz not null, bucket integer not null, n bigint not null,
  primary key (agent, hour, version, bucket)
);
create table if not exists public.optimizer_rollup_sentiments (
  agent text not null, version text not null, hour timestamptz not null, sentiment text not null, n bigint not null,
  primary key (agent, hour, version, sentiment)
);
-- A session is counted once per window: in the first hour of the window it appears in. prev_hour
-- is the previous hour the session appeared in (null: none), so a window's distinct sessions are
-- its rows with prev_hour null or before the window, a count rather than a DISTINCT.
create table if not exists public.optimizer_rollup_sessions (
  agent text not null, version text not null, hour timestamptz not null, session_hash bigint not null,
  prev_hour timestamptz,
  primary key (agent, hour, version, session_hash)
);
create index if not exists optimizer_rollup_sessions_session
  on public.optimizer_rollup_sessions (agent, version, session_hash, hour);
create table if not exists public.optimizer_rollup_topics (
  agent text not null, hour timestamptz not null, kind text not null, key text not null, key_md5 uuid not null,
  traces bigint not null, escalations bigint not null, first_id bigint not null,
  escalated_ids jsonb not null, escalated_questions jsonb not null,
  primary key (agent, hour, kind, key_md5)
);
create table if not exists public.optimizer_rollup_tools (
  agent text not null, version text not null, hour timestamptz not null, name text not null,
  bucket integer not null, -- -2147483648: the tool's totals; else its latency bucket
  calls bigint not null, failures bigint not null, zeros bigint not null, first_id bigint not null,
  primary key (agent, hour, version, name, bucket)
);
create table if not exists public.optimizer_rollup_failures (
  agent text not null, hour timestamptz not null, origin text not null,
  message text, -- null: the failure samples of tool <origin>; else an error group
  message_md5 uuid not null, -- of the message; zero for failure samples
  n bigint not null, traces jsonb not null, occurrences jsonb not null,
  primary key (agent, hour, origin, message_md5)
);
create table if not exists public.optimizer_rollup_flagged (
  agent text not null, hour timestamptz not null, what text not null, firsts jsonb not null,
  with_question jsonb not null,
  primary key (agent, hour, what)
);

-- Candidates keep their place in the stream (row id, reply position); their texts are stored
-- once each in optimizer_rollup_texts, by md5.
create table if not exists public.optimizer_rollup_candidates (
  agent text not null, hour timestamptz not null, id bigint not null, trace_id text not null,
  reply_ord integer not null, question_ord integer not null, question_md5 uuid not null, reply_md5 uuid not null,
  primary key (agent, hour, id, reply_ord)
);
create table if not exists public.optimizer_rollup_texts (
  md5 uuid primary key, text text not null
);

do $$
declare
  name text;
begin
  foreach name in array array[
    'versions', 'latency', 'sentiments', 'sessions', 'topics', 'tools', 'failures', 'flagged', 'candidates', 'texts'
  ]
  loop
    execute format('alter table public.optimizer_rollup_%s enable row level security', name);
    execute format('drop policy if exists optimizer_rollup_%1$s_service_role on public.optimizer_rollup_%1$s', name);
    execute format(
      'create policy optimizer_rollup_%1$s_service_role on public.optimizer_rollup_%1$s'
      ' for select to service_role using (true)', name);
    execute format('revoke all on table public.optimizer_rollup_%s from public, anon, authenticated', name);
    execute format('grant select on table public.optimizer_rollup_%s to service_role', name);
  end loop;
end
$$;

-- Recompute prev_hour for every row of these sessions (after rows were added or removed).
create or replace function public.optimizer_rollup_fix_sessions(p_agents text[], p_versions text[], p_hashes bigint[])
returns void
language sql
security definer
set search_path = public, pg_temp
as $$
  with touched as (
    select distinct agent, version, session_hash from unnest(p_agents, p_versions, p_hashes) as k(agent, version, session_hash)
  ), ordered as (
    select r.agent, r.version, r.hour, r.session_hash,
      lag(r.hour) over (partition by r.agent, r.version, r.session_hash order by r.hour) as prev
    from public.optimizer_rollup_sessions r join touched using (agent, version, session_hash)
  )
  update public.optimizer_rollup_sessions r set prev_hour = o.prev
  from ordered o
  where r.agent = o.agent and r.version = o.version and r.hour = o.hour and r.session_hash = o.session_hash
    and r.prev_hour is distinct from o.prev
$$;

-- Add the contribution of the traces with these ids (written, not yet rolled up) to the rollups.
-- Rows are upserted in key order, so concurrent writers take row locks in the same order.
create or replace function public.optimizer_rollup_add(p_ids bigint[])
returns void
language plpgsql
security definer -- whoever may write traces keeps the rollups right, without rights on them
set search_path = public, pg_temp
as $$
declare
  gamma constant double precision := ln(1.01::double precision); -- QuantileSketch's bucket width
  zero constant uuid := '00000000-0000-0000-0000-000000000000';
  agents text[];
  versions text[];
  hashes bigint[];
begin
  if p_ids is null or cardinality(p_ids) = 0 then
    return;
  end if;
  insert into public.optimizer_rollup_versions as r
  select c.agent, c.version, c.hour, c.traces, c.first_id, c.first_seen, c.last_seen, c.cost_n, c.cost_sum,
    c.cost_sumsq, c.input_tokens, c.output_tokens, c.cache_read_input_tokens, c.cache_creation_input_tokens,
    c.latency_n, c.latency_sum, c.latency_sumsq, c.latency_zeros, c.escalated, c.owner_corrected, c.feedback_up,
    c.feedback_down, c.errors
  from public.optimizer_contrib_versions(p_ids, null, null, null, null, null) c
  order by c.agent, c.hour, c.version
  on conflict (agent, hour, version) do update set
    traces = r.traces + excluded.traces, first_id = least(r.first_id, excluded.first_id),
    first_seen = least(r.first_seen, excluded.first_seen), last_seen = greatest(r.last_seen, excluded.last_seen),
    cost_n = r.cost_n + excluded.cost_n, cost_sum = r.cost_sum + excluded.cost_sum,
    cost_sumsq = r.cost_sumsq + excluded.cost_sumsq, input_tokens = r.input_tokens + excluded.input_tokens,
    output_tokens = r.output_tokens + excluded.output_tokens,
    cache_read_input_tokens = r.cache_read_input_tokens + excluded.cache_read_input_tokens,
    cache_creation_input_tokens = r.cache_creation_input_tokens + excluded.cache_creation_input_tokens,
    latency_n = r.latency_n + excluded.latency_n, latency_sum = r.latency_sum + excluded.latency_sum,
    latency_sumsq = r.latency_sumsq + excluded.latency_sumsq, latency_zeros = r.latency_zeros + excluded.latency_zeros,
    escalated = r.escalated + excluded.escalated, owner_corrected = r.owner_corrected + excluded.owner_corrected,
    feedback_up = r.feedback_up + excluded.feedback_up, feedback_down = r.feedback_down + excluded.feedback_down,
    errors = r.errors + excluded.errors;

  insert into public.optimizer_rollup_latency as r
  select c.agent, c.version, c.hour, c.bucket, c.n
  from public.optimizer_contrib_latency(p_ids, null, null, null, null, null, gamma) c
  order by c.agent, c.hour, c.version, c.bucket
  on conflict (agent, hour, version, bucket) do update set n = r.n + excluded.n;

  insert into public.optimizer_rollup_sentiments as r
  select c.agent, c.version, c.hour, c.sentiment, c.n
  from public.optimizer_contrib_sentiments(p_ids, null, null, null, null, null) c
  order by c.agent, c.hour, c.version, c.sentiment
  on conflict (agent, hour, version, sentiment) do update set n = r.n + excluded.n;

  with added as (
    insert into public.optimizer_rollup_sessions (agent, version, hour, session_hash)
    select c.agent, c.version, c.hour, c.session_hash
    from public.optimizer_contrib_sessions(p_ids, null, null, null, null, null) c
    order by c.agent, c.hour, c.version, c.session_hash
    on conflict do nothing
    returning agent, version, session_hash
  )
  select array_agg(agent), array_agg(version), array_agg(session_hash) into agents, versions, hashes from added;
  perform public.optimizer_rollup_fix_sessions(agents, versions, hashes);

  insert into public.optimizer_rollup_topics as r
  select c.agent, c.hour, c.kind, c.key, c.key_md5, c.traces, c.escalations, c.first_id, c.escalated_ids,
    c.escalated_questions
  from public.optimizer_contrib_topics(p_ids, null, null, null, null, null) c
  order by c.agent, c.hour, c.kind, c.key_md5
  on conflict (agent, hour, kind, key_md5) do update set
    traces = r.traces + excluded.traces, escalations = r.escalations + excluded.escalations,
    first_id = least(r.first_id, excluded.first_id),
    escalated_ids = public.optimizer_first_k(r.escalated_ids || excluded.escalated_ids, 5),
    escalated_questions = public.optimizer_first_k(r.escalated_questions || excluded.escalated_questions, 3);

  insert into public.optimizer_rollup_tools as r
  select c.agent, c.version, c.hour, c.name, coalesce(c.bucket, -2147483648), c.calls, c.failures, c.zeros, c.first_id
  from public.optimizer_contrib_tools(p_ids, null, null, null, null, null, gamma) c
  order by c.agent, c.hour, c.version, c.name, coalesce(c.bucket, -2147483648)
  on conflict (agent, hour, version, name, bucket) do update set
    calls = r.calls + excluded.calls, failures = r.failures + excluded.failures, zeros = r.zeros + excluded.zeros,
    first_id = least(r.first_id, excluded.first_id);

  insert into public.optimizer_rollup_failures as r
  select c.agent, c.hour, c.origin, c.message, coalesce(c.message_md5, zero), c.n, c.traces, c.occurrences
  from public.optimizer_contrib_failures(p_ids, null, null, null, null, null) c
  order by c.agent, c.hour, c.origin, coalesce(c.message_md5, zero)
  on conflict (agent, hour, origin, message_md5) do update set
    n = r.n + excluded.n,
    traces = public.optimizer_first_k(r.traces || excluded.traces, 5),
    occurrences = public.optimizer_first_k(r.occurrences || excluded.occurrences, 3);

  with c as (
    select * from public.optimizer_contrib_candidates(p_ids, null, null, null, null, null)
  ), added as (
    insert into public.optimizer_rollup_candidates
    select c.agent, c.hour, c.id, c.trace_id, c.reply_ord, c.question_ord, md5(c.question)::uuid, md5(c.reply)::uuid
    from c order by c.agent, c.hour, c.id, c.reply_ord
    on conflict do nothing
  )
  insert into public.optimizer_rollup_texts
  select distinct on (md5(x.text)::uuid) md5(x.text)::uuid, x.text
  from (select question as text from c union all select reply from c) x
  order by md5(x.text)::uuid
  on conflict do nothing;

  insert into public.optimizer_rollup_flagged as r
  select c.agent, c.hour, c.what, c.firsts, c.with_question
  from public.optimizer_contrib_flagged(p_ids, null, null, null, null, null) c
  order by c.agent, c.hour, c.what
  on conflict (agent, hour, what) do update set
    firsts = public.optimizer_first_k(r.firsts || excluded.firsts, 5),
    with_question = public.optimizer_first_k(r.with_question || excluded.with_question, 3);
end
$$;

-- Rebuild the rollups of the (agent, hour) pairs given, from the traces now in the table.
create or replace function public.optimizer_rollup_rebuild(p_agents text[], p_hours timestamptz[])
returns void
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  name text;
  agents text[];
  versions text[];
  hashes bigint[];
begin
  with removed as (
    delete from public.optimizer_rollup_sessions r using unnest(p_agents, p_hours) as k(agent, hour)
    where r.agent = k.agent and r.hour = k.hour
    returning r.agent, r.version, r.session_hash
  )
  select array_agg(agent), array_agg(version), array_agg(session_hash) into agents, versions, hashes from removed;
  perform public.optimizer_rollup_fix_sessions(agents, versions, hashes);
  foreach name in array array[
    'versions', 'latency', 'sentiments', 'topics', 'tools', 'failures', 'flagged', 'candidates'
  ]
  loop
    execute format(
      'delete from public.optimizer_rollup_%s r using unnest($1, $2) as k(agent, hour)'
      ' where r.agent = k.agent and r.hour = k.hour', name)
      using p_agents, p_hours;
  end loop;
  perform public.optimizer_rollup_add(array(
    select t.id from public.optimizer_traces t join unnest(p_agents, p_hours) as k(agent, hour)
      on t.agent = k.agent and t.started_at >= k.hour and t.started_at < k.hour + interval '1 hour'
  ));
end
$$;

create or replace function public.optimizer_rollup_on_insert()
returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  perform public.optimizer_rollup_add(array(select id from new_rows));
  return null;
end
$$;

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

revoke all on function public.optimizer_rollup_add(bigint[]) from public, anon, authenticated;
revoke all on function public.optimizer_rollup_fix_sessions(text[], text[], bigint[]) from public, anon, authenticated;
revoke all on function public.optimizer_rollup_rebuild(text[], timestamptz[]) from public, anon, authenticated;

do $$
begin
  if (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) <> 'r' then
    return; -- a view over the user's own table: the analysis reads it directly
  end if;
  drop trigger if exists optimizer_rollup_insert on public.optimizer_traces;
  create trigger optimizer_rollup_insert after insert on public.optimizer_traces
    referencing new table as new_rows for each statement execute function public.optimizer_rollup_on_insert();
  drop trigger if exists optimizer_rollup_update on public.optimizer_traces;
  create trigger optimizer_rollup_update after update on public.optimizer_traces
    referencing old table as old_rows new table as new_rows
    for each statement execute function public.optimizer_rollup_on_change();
  drop trigger if exists optimizer_rollup_delete on public.optimizer_traces;
  create trigger optimizer_rollup_delete after delete on public.optimizer_traces
    referencing old table as old_rows for each statement execute function public.optimizer_rollup_on_change();
  -- Traces written before the rollups existed (an upgrade): roll them up once.
  if not exists (select from public.optimizer_rollup_versions) and exists (select from public.optimizer_traces) then
    perform public.optimizer_rollup_add(array(select id from public.optimizer_traces));
  end if;
end
$$;
