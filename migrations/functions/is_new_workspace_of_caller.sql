-- The caller may add the first member (themselves) to a workspace they have just created.
create or replace function is_new_workspace_of_caller(p_workspace_id uuid) returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    return exists (select 1 from workspaces w
                   where w.id = p_workspace_id and w.created_by = gatehouse_user_id()
                     and not exists (select 1 from workspace_members m where m.workspace_id = p_workspace_id));
end
$fn$;

revoke execute on function is_new_workspace_of_caller(uuid) from public;
