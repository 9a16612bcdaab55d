-- optimizer: the per-trace helpers of 20261120000001 (the table's generated columns), same results,
-- a third of the cost. As SQL functions with a fixed search_path they are never inlined, and
-- PostgreSQL plans a SQL function's body again on every call: about 0.5 ms of the ~0.9 ms a
-- single-row insert took. PL/pgSQL keeps each plan for the session (its simple expressions skip
-- the executor altogether). Re-runnable, like the other files; grants are unchanged (the same
-- signatures).

create or replace function public.optimizer_json_array(p_value jsonb)
returns jsonb
language plpgsql immutable parallel safe
set search_path = public, pg_temp
as $$
begin
  return case when jsonb_typeof(p_value) = 'array' then p_value else '[]'::jsonb end;
end
$$;

create or replace function public.optimizer_first_question(p_messages jsonb)
returns text
language plpgsql immutable parallel safe
set search_path = public, pg_temp
as $$
declare
  message jsonb;
begin
  if jsonb_typeof(p_messages) is distinct from 'array' then
    return null;
  end if;
  for message in select value from jsonb_array_elements(p_messages) loop
    if message ->> 'role' = 'user' and coalesce(message ->> 'content', '') <> '' then
      return message ->> 'content';
    end if;
  end loop;
  return null;
end
$$;

create or replace function public.optimizer_maybe_unanswered(p_text text)
returns boolean
language plpgsql immutable parallel safe
set search_path = public, pg_temp
as $$
begin
  return replace(lower(translate(p_text, U&'\212A', 'k')), U&'\2019', '''') ~ (
    'i (really )?(do not|don''t|dont) know|i am (not|unsure|uncertain)|i''m (not|unsure|uncertain|unable)'
    '|i (have|had) no |i''ve got no |i (do not|don''t|dont) have '
    '|i (can''t|cannot|can not|couldn''t|could not|am unable|was unable|wasn''t able|was not able)'
    '|i( wi|'')ll (pass|forward|send|hand|relay|refer|escalate|check|ask|confirm) '
    '| will (get back|be in touch|contact you|reach out|follow up)|there( is|''s) no |(''s| is) (outside|beyond) '
  );
end
$$;

create or replace function public.optimizer_candidate_pairs(p_messages jsonb)
returns jsonb
language plpgsql immutable parallel safe
set search_path = public, pg_temp
as $$
begin
  if jsonb_typeof(p_messages) is distinct from 'array' or not public.optimizer_maybe_unanswered(p_messages::text) then
    return null; -- most traces: no phrase anywhere in the conversation
  end if;
  return (
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
  );
end
$$;

create or replace function public.optimizer_error_text(p_error jsonb)
returns text
language plpgsql immutable parallel safe
set search_path = public, pg_temp
as $$
begin
  return case when jsonb_typeof(p_error) = 'object' and p_error <> '{}'::jsonb then
    coalesce(nullif(p_error ->> 'message', ''), nullif(p_error ->> 'type', ''), 'unknown error') end;
end
$$;

create or replace function public.optimizer_meta_topic(p_metadata jsonb)
returns text
language plpgsql immutable parallel safe
set search_path = public, pg_temp
as $$
begin
  return case when jsonb_typeof(p_metadata -> 'topic') = 'string' and p_metadata ->> 'topic' <> ''
    then p_metadata ->> 'topic' end;
end
$$;
