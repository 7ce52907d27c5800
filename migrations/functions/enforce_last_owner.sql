-- Trigger workspace_members_last_owner (0001): a workspace keeps at least one owner. A definer so
-- that it sees and locks rows beyond the caller's view.
create or replace function enforce_last_owner() returns trigger
language plpgsql security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner') then
        return coalesce(new, old);
    end if;
    -- A cascade from a deleted workspace finds no row to lock, and needs no owner.
    perform 1 from workspaces where id = old.workspace_id for update;
    if found and not exists (select 1 from workspace_members
                             where workspace_id = old.workspace_id and role = 'owner' and user_id <> old.user_id) then
        raise exception 'a workspace needs at least one owner'
            using errcode = 'GH409', constraint = 'workspace_last_owner';
    end if;
    return coalesce(new, old);
end
$fn$;

revoke execute on function enforce_last_owner() from public;
