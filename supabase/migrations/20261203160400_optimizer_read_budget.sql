-- optimizer: the analysis of a 7-day look-back at 1M traces a day inside the read budget (a
-- quarter of the 8 s statement timeout). Measured by `python bench/supabase_pushdown.py --budget`.
-- Same results as before; re-runnable.

-- 1. Candidate unanswered questions: a window of a week holds ~700,000 and the analysis keeps the
-- first p_max_rows in stream order. Ranking all of them took seconds; the rollups' first
-- p_max_rows by (id, reply_ord) come off an index instead, and only those meet the candidates of
-- the window's partial hours: the first p_max_rows of the union are among them.
create index if not exists optimizer_rollup_candidates_order on public.optimizer_rollup_candidates (id, reply_ord);

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
    with middle as (
      select agent, id, trace_id, reply_ord, question_ord, question_md5, reply_md5, null::text as question,
        null::text as reply
      from public.optimizer_rollup_candidates
      where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
      order by id, reply_ord
      limit greatest(p_max_rows, 0)
    ), edges as materialized (
      select agent, id, trace_id, reply_ord, question_ord, md5(question)::uuid as question_md5,
        md5(reply)::uuid as reply_md5, question, reply
      from public.optimizer_contrib_candidates(null, p_start, p_mid_lo, p_mid_hi, p_end, p_agent)
    ), ranked as materialized (
      select p.*, row_number() over (order by id, reply_ord) as rank
      from (select * from middle union all select * from edges) p
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
      'truncated', (
        select count(*) from public.optimizer_rollup_candidates
        where hour >= p_mid_lo and hour < p_mid_hi and (p_agent is null or agent = p_agent)
      ) + (select count(*) from edges) - (select count(*) from kept)
    )
  );
end
$$;

-- 2. No JIT compilation: the analysis runs dozens of short queries whose estimated cost is above
-- jit_above_cost, and compiling them took longer than running them (1-4 s of a week's analysis in
-- bench/supabase_pushdown.py --budget); the roll-up's chunks likewise. Set on the entry points, it
-- holds for everything they call.
alter function public.optimizer_analyze(timestamptz, timestamptz, text, double precision, integer, integer)
  set jit = off;
alter function public.optimizer_roll_up(integer) set jit = off;
