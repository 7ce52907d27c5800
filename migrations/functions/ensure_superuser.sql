-- System mode's FIRST_SUPERUSER, created once even when instances start together, and marked.
create or replace function ensure_superuser(p_email text, p_user_id uuid, p_workspace_id uuid) returns uuid
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
declare
    found_id uuid;
begin
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('gatehouse.first_superuser'));
    select u.id into found_id from users u
    where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.is_system_user
    order by u.created_at limit 1;
    if found_id is null then
        insert into users (id, email, email_verified, full_name, is_superuser, is_system_user)
        values (p_user_id, p_email, true, 'System', true, true);
        insert into workspaces (id, name, created_by) values (p_workspace_id, 'System workspace', p_user_id);
        insert into workspace_members (workspace_id, user_id, role) values (p_workspace_id, p_user_id, 'owner');
        update users set active_workspace_id = p_workspace_id where id = p_user_id;
        found_id := p_user_id;
    end if;
    return found_id;
end
$fn$;

revoke execute on function ensure_superuser(text, uuid, uuid) from public;
