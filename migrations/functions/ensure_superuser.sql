-- System mode's FIRST_SUPERUSER, created once even when instances start together; its creation is
-- a user.provisioned event by the system itself (no request, so no client).
create or replace function ensure_superuser(p_email text, p_user_id uuid, p_workspace_id uuid) returns uuid
language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $fn$
declare
    previous text := enter_definer();
    found_id uuid;
begin
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('gatehouse.first_superuser'));
    select u.id into found_id from public.users u
    where pg_catalog.lower(u.email) = pg_catalog.lower(p_email) and u.is_system_user
    order by u.created_at limit 1;
    if found_id is null then
        insert into public.users (id, email, email_verified, full_name, is_superuser, is_system_user)
        values (p_user_id, p_email, true, 'System', true, true);
        insert into public.workspaces (id, name, created_by) values (p_workspace_id, 'System workspace', p_user_id);
        insert into public.workspace_members (workspace_id, user_id, role) values (p_workspace_id, p_user_id, 'owner');
        update public.users set active_workspace_id = p_workspace_id where id = p_user_id;
        insert into public.audit_events (action, actor_user_id, actor_method, workspace_id, target_type, target_id, details)
        values ('user.provisioned', p_user_id, 'system', p_workspace_id, 'user', p_user_id::text,
                pg_catalog.jsonb_build_object('provider', 'system'));
        found_id := p_user_id;
    end if;
    perform leave_definer(previous);
    return found_id;
end
$fn$;
