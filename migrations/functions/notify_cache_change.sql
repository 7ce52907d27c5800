-- Triggers *_notify_cache (0005): every change to a row an instance may hold in memory names that
-- row on the channel 'gatehouse_cache' (delivered at commit, never on rollback), and in the
-- transaction-local gatehouse.changed so the committing instance can forget its own entries first.
-- Items: 'user:<id>' (profile, claims, active flag, active workspace, memberships) and
-- 'key:<hex>' (an API key by the SHA-256 of its secret).
create or replace function notify_cache_change() returns trigger
language plpgsql set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    item text;
begin
    if tg_table_name = 'users' then
        item := 'user:' || coalesce(new.id, old.id)::text;
    elsif tg_table_name = 'workspace_members' then
        item := 'user:' || coalesce(new.user_id, old.user_id)::text;
    else
        item := 'key:' || pg_catalog.encode(coalesce(new.key_hash, old.key_hash), 'hex');
    end if;
    perform pg_catalog.pg_notify('gatehouse_cache', item);
    perform pg_catalog.set_config('gatehouse.changed',
        coalesce(pg_catalog.current_setting('gatehouse.changed', true), '') || item || ' ', true);
    return null;
end
$fn$;
