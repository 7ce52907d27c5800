-- last_used_at has minute resolution: at most one write per key per minute.
create or replace function touch_api_key(p_id uuid) returns void
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    update api_keys set last_used_at = pg_catalog.now()
    where id = p_id and (last_used_at is null or last_used_at < pg_catalog.now() - interval '1 minute');
end
$fn$;

revoke execute on function touch_api_key(uuid) from public;
