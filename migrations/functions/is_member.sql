-- Used inside policies: SECURITY DEFINER, so that a policy on workspace_members can ask about
-- workspace_members without recursing into itself.
create or replace function is_member(p_workspace_id uuid) returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    return exists (select 1 from workspace_members m
                   where m.workspace_id = p_workspace_id and m.user_id = gatehouse_user_id());
end
$fn$;

revoke execute on function is_member(uuid) from public;
