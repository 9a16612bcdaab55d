-- optimizer: what each run measured (the newest prompt version against the previous one, the
-- effect of each merged proposal, the rollback it proposed), so reports can read it without GitHub.
-- A new column on an existing table: re-applying is a no-op.

alter table public.optimizer_runs add column if not exists measurement jsonb
  check (measurement is null or jsonb_typeof(measurement) = 'object');
