-- GET /auth/invitations: the caller's pending, unexpired invitations, matched case-insensitively
-- against the caller's own address and only while it is verified. Keyed by the request's user
-- (gatehouse.user_id), never by an address the client names: the invitee is no member yet, so
-- row-level security would show them nothing.
create or replace function list_my_invitations()
returns table (id uuid, workspace_id uuid, workspace_name text, role text, invited_by_name text, expires_at timestamptz)
language plpgsql volatile security definer
set search_path = pg_catalog, public, pg_temp
set gatehouse.definer = 'on'
as $fn$
#variable_conflict use_column
begin
    return query
    select i.id, i.workspace_id, w.name, i.role, inviter.full_name, i.expires_at
    from public.users u
    join public.invitations i on pg_catalog.lower(i.email) = pg_catalog.lower(u.email)
    join public.workspaces w on w.id = i.workspace_id
    left join public.users inviter on inviter.id = i.invited_by
    where u.id = gatehouse_user_id() and u.email_verified and u.is_active
      and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
      and i.expires_at > pg_catalog.now()
    order by i.created_at, i.id;
end
$fn$;

revoke execute on function list_my_invitations() from public;
