-- Used by the users policy: a user sees the people they share a workspace with.
create or replace function shares_workspace(p_user_id uuid) returns boolean
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
begin
    return exists (select 1 from workspace_members mine
                   join workspace_members theirs on theirs.workspace_id = mine.workspace_id
                   where mine.user_id = gatehouse_user_id() and theirs.user_id = p_user_id);
end
$fn$;

revoke execute on function shares_workspace(uuid) from public;
