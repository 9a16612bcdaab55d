-- optimizer: the canonical trace record (one row per agent turn or session).
-- Every statement here can run again on a database that already has it (the CLI's `db reset`,
-- a second `db push`, or the tests applying the folder twice).

-- Supabase provides these roles; a plain PostgreSQL (tests, self-hosting) gets them here.
do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select from pg_roles where rolname = role_name) then
      begin
        execute format('create role %I nologin', role_name);
      exception when duplicate_object or unique_violation then
        null; -- created meanwhile by a concurrent migration: roles are cluster-wide
      end;
    end if;
  end loop;
end
$$;

-- Per-trace helpers: what the analysis needs from one record. Immutable, so the table stores
-- their results when a trace is written (the generated columns below) and a view can call them.

create or replace function public.optimizer_json_array(p_value jsonb)
returns jsonb
language sql immutable parallel safe
set search_path = public, pg_temp
as $$
  select case when jsonb_typeof(p_value) = 'array' then p_value else '[]'::jsonb end
$$;

-- The first user message with content: what a conversation is about.
create or replace function public.optimizer_first_question(p_messages jsonb)
returns text
language sql immutable parallel safe
set search_path = public, pg_temp
as $$
  select m.value ->> 'content'
  from jsonb_array_elements(public.optimizer_json_array(p_messages)) with ordinality as m(value, ord)
  where m.value ->> 'role' = 'user' and coalesce(m.value ->> 'content', '') <> ''
  order by m.ord
  limit 1
$$;

-- True for every reply optimizer.text.answers.is_unanswered flags, and for some it does not: a
-- superset (the phrase lists without their exclusions), confirmed in Python. Lowered as Python
-- lowers it: the Kelvin sign is the one non-ASCII letter Python lowers to an ASCII one.
create or replace function public.optimizer_maybe_unanswered(p_text text)
returns boolean
language sql immutable parallel safe
set search_path = public, pg_temp
as $$
  select replace(lower(translate(p_text, U&'\212A', 'k')), U&'\2019', '''') ~ (
    'i (really )?(do not|don''t|dont) know|i am (not|unsure|uncertain)|i''m (not|unsure|uncertain|unable)'
    '|i (have|had) no |i''ve got no |i (do not|don''t|dont) have '
    '|i (can''t|cannot|can not|couldn''t|could not|am unable|was unable|wasn''t able|was not able)'
    '|i( wi|'')ll (pass|forward|send|hand|relay|refer|escalate|check|ask|confirm) '
    '| will (get back|be in touch|contact you|reach out|follow up)|there( is|''s) no |(''s| is) (outside|beyond) '
  )
$$;

-- Each assistant reply that may say "I don't know", with the user question before it (the last
-- user message with content): [[reply_ord, question_ord, question, reply], ...] in conversation
-- order, or null when there is none. The whole conversation is tested first, which is cheap and
-- rules out most traces (a phrase inside one message is in the JSON text of all of them).
create or replace function public.optimizer_candidate_pairs(p_messages jsonb)
returns jsonb
language sql immutable parallel safe
set search_path = public, pg_temp
as $$
  select case when jsonb_typeof(p_messages) = 'array' and public.optimizer_maybe_unanswered(p_messages::text) then (
    with m as (
      select e.ord, e.value ->> 'role' as role, e.value ->> 'content' as content
      from jsonb_array_elements(p_messages) with ordinality as e(value, ord)
    ), marked as (
      select m.*, max(m.ord) filter (where m.role = 'user' and coalesce(m.content, '') <> '')
        over (order by m.ord rows between unbounded preceding and 1 preceding) as question_ord
      from m
    )
    select jsonb_agg(jsonb_build_array(r.ord, r.question_ord, q.content, r.content) order by r.ord)
    from marked r join m q on q.ord = r.question_ord
    where r.role = 'assistant' and coalesce(r.content, '') <> '' and public.optimizer_maybe_unanswered(r.content)
  ) end
$$;

-- The text an error is grouped by: its message, else its type (as the streaming aggregator reads
-- it); null when the trace has no error (null or {}).
create or replace function public.optimizer_error_text(p_error jsonb)
returns text
language sql immutable parallel safe
set search_path = public, pg_temp
as $$
  select case when jsonb_typeof(p_error) = 'object' and p_error <> '{}'::jsonb then
    coalesce(nullif(p_error ->> 'message', ''), nullif(p_error ->> 'type', ''), 'unknown error') end
$$;

-- metadata.topic when it is a non-empty string.
create or replace function public.optimizer_meta_topic(p_metadata jsonb)
returns text
language sql immutable parallel safe
set search_path = public, pg_temp
as $$
  select case when jsonb_typeof(p_metadata -> 'topic') = 'string' and p_metadata ->> 'topic' <> ''
    then p_metadata ->> 'topic' end
$$;

create table if not exists public.optimizer_traces (
  id bigint generated by default as identity primary key, -- arrival order: samples are the first seen by id
  trace_id text not null unique check (trace_id <> ''),
  session_id text,
  agent text not null check (agent ~ '^[A-Za-z0-9][A-Za-z0-9_.-]*$'),
  started_at timestamptz not null,
  ended_at timestamptz,
  prompt_version text,
  model text,
  channel text,
  usage jsonb check (usage is null or jsonb_typeof(usage) = 'object'),
  cost_usd double precision check (cost_usd >= 0),
  latency_ms double precision check (latency_ms >= 0),
  tool_calls jsonb check (tool_calls is null or jsonb_typeof(tool_calls) = 'array'),
  messages jsonb check (messages is null or jsonb_typeof(messages) = 'array'),
  escalated boolean,
  owner_corrected boolean,
  sentiment text check (sentiment in ('positive', 'neutral', 'negative', 'unknown')),
  feedback text check (feedback in ('up', 'down')),
  error jsonb check (error is null or jsonb_typeof(error) = 'object'),
  metadata jsonb check (metadata is null or jsonb_typeof(metadata) = 'object'),
  inserted_at timestamptz not null default now()
);

-- Derived columns (computed once, when a trace is written), indexes, row-level security and
-- grants apply to the table; a user who replaced it with a view over their own traces table
-- (see the README) keeps the view, which computes the derived columns itself.
do $$
begin
  if (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) <> 'r' then
    return;
  end if;
  comment on table public.optimizer_traces is
    'optimizer: the canonical trace record (optimizer/schemas/trace.schema.json); replaceable by a view (README).';
  alter table public.optimizer_traces
    add column if not exists input_tokens numeric generated always as ((usage ->> 'input_tokens')::numeric) stored,
    add column if not exists output_tokens numeric generated always as ((usage ->> 'output_tokens')::numeric) stored,
    add column if not exists cache_read_input_tokens numeric
      generated always as ((usage ->> 'cache_read_input_tokens')::numeric) stored,
    add column if not exists cache_creation_input_tokens numeric
      generated always as ((usage ->> 'cache_creation_input_tokens')::numeric) stored,
    add column if not exists session_hash bigint
      generated always as (hashtextextended(coalesce(nullif(session_id, ''), trace_id), 0)) stored,
    add column if not exists meta_topic text generated always as (public.optimizer_meta_topic(metadata)) stored,
    add column if not exists first_question text generated always as (public.optimizer_first_question(messages)) stored,
    add column if not exists error_text text generated always as (public.optimizer_error_text(error)) stored,
    add column if not exists unanswered_pairs jsonb
      generated always as (public.optimizer_candidate_pairs(messages)) stored;

  create index if not exists optimizer_traces_agent_started on public.optimizer_traces (agent, started_at);
  create index if not exists optimizer_traces_started on public.optimizer_traces (started_at);
  create index if not exists optimizer_traces_version on public.optimizer_traces (agent, prompt_version, started_at);
  create index if not exists optimizer_traces_unanswered on public.optimizer_traces (started_at)
    where unanswered_pairs is not null;
  create index if not exists optimizer_traces_errors on public.optimizer_traces (started_at)
    where error_text is not null;

  alter table public.optimizer_traces enable row level security;
  drop policy if exists optimizer_traces_service_role on public.optimizer_traces;
  create policy optimizer_traces_service_role on public.optimizer_traces
    for all to service_role using (true) with check (true);

  -- Traces hold what users said: never readable or writable with the public (anon) key.
  revoke all on table public.optimizer_traces from public, anon, authenticated;
  grant select, insert, update, delete on table public.optimizer_traces to service_role;
  grant usage, select on sequence public.optimizer_traces_id_seq to service_role;
end
$$;
