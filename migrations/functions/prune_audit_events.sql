-- Retention (README "Operating Gatehouse"): deletes events older than the cutoff, a batch at a time so
-- that no run holds a long lock; returns how many went. For the schema owner only.
create or replace function prune_audit_events(p_before timestamptz, p_batch integer) returns bigint
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    deleted bigint;
begin
    delete from public.audit_events
    where id in (select e.id from public.audit_events e where e.occurred_at < p_before
                 order by e.id limit greatest(p_batch, 1));
    get diagnostics deleted = row_count;
    perform leave_definer(previous);
    return deleted;
end
$fn$;
