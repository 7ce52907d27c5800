-- Owners and admins of a workspace read its events (the request's workspace, membership checked).
create or replace function is_workspace_manager(p_workspace_id uuid) returns boolean
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    result boolean;
begin
    select exists (select 1 from public.workspace_members m
                   where m.workspace_id = p_workspace_id and m.user_id = gatehouse_user_id()
                     and m.role in ('owner', 'admin')) into result;
    perform leave_definer(previous);
    return result;
end
$fn$;
