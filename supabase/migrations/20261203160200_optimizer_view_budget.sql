-- optimizer: a view over your own table (docs/supabase.md) has no rollups: every analysis reads
-- all the traces of its window row by row, computing the derived columns on the way. That stays
-- fine for small windows and runs past the statement timeout for large ones (a 3-day window of
-- 200,000 rows took the 8 s a real project allows). So, rather than time out half-way, the
-- analysis of a view refuses a window of more than 50,000 traces (about 2 s of that work) with a
-- line saying why and what to do: keep optimizer_traces a table and copy your rows into it with a
-- trigger (the recipe in docs/supabase.md), which gives it the rollups. Re-runnable.

create or replace function public.optimizer_middle(
  p_start timestamptz, p_end timestamptz, p_log_gamma double precision,
  out mid_lo timestamptz, out mid_hi timestamptz
)
language plpgsql stable
set search_path = public, pg_temp
as $$
declare
  view_cap constant integer := 50000; -- traces a view's window may hold: ~2 s of row-by-row work
  is_table boolean := (select relkind from pg_class where oid = 'public.optimizer_traces'::regclass) = 'r';
begin
  if not is_table and (
    select count(*) from (
      select from public.optimizer_traces where started_at >= p_start and started_at < p_end limit view_cap + 1
    ) w
  ) > view_cap then
    raise exception using
      errcode = '54000',
      message = format(
        'optimizer_traces is a view, and the window %s to %s holds more than %s traces: without rollups'
        ' they would be read row by row, past the statement timeout. Keep optimizer_traces a table and'
        ' copy your rows into it with a trigger (docs/supabase.md, "Traces you already store elsewhere"),'
        ' or analyze a shorter window', p_start, p_end, view_cap);
  end if;
  mid_lo := date_trunc('hour', p_start, 'UTC');
  if mid_lo < p_start then
    mid_lo := mid_lo + interval '1 hour';
  end if;
  mid_hi := date_trunc('hour', p_end, 'UTC');
  if mid_hi <= mid_lo
     or p_log_gamma is distinct from ln(1.01::double precision) -- the rollups' latency buckets are QuantileSketch's
     or not is_table then
    mid_lo := p_start;
    mid_hi := p_start;
  end if;
end
$$;
