-- Trigger workspace_members_clear_active (0003): a user who leaves their active workspace has none.
create or replace function clear_active_workspace() returns trigger
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    update users set active_workspace_id = null
    where id = old.user_id and active_workspace_id = old.workspace_id;
    return old;
end
$fn$;

revoke execute on function clear_active_workspace() from public;
